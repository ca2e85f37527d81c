"""Python bindings: templates, errors and the zero-copy minutiae view."""
import pytest

np = pytest.importorskip("numpy", reason="numpy is not installed")
import biomatch  # noqa: E402


def test_version_is_reported():
    assert biomatch.__version__.count(".") == 2
    assert biomatch.abi_version == 1


def test_minutiae_round_trip_without_copy():
    minutiae = np.zeros(3, dtype=biomatch.MINUTIA_DTYPE)
    minutiae["x"] = [10, 20, 30]
    minutiae["y"] = [5, 6, 7]
    minutiae["angle"] = [0.0, 90.0, 359.5]
    minutiae["type"] = biomatch.RIDGE_ENDING
    minutiae["quality"] = 60
    with biomatch.Template(width=100, height=100, ppi=500, minutiae=minutiae, position=2) as template:
        view = template.minutiae
        assert np.array_equal(view, minutiae)
        assert not view.flags.writeable
        assert template.image == (100, 100, 500.0, 500.0)
        assert template.finger[0] == 2


def test_bad_input_raises_with_code_and_message():
    with biomatch.Template(width=50, height=50) as template:
        outside = np.zeros(1, dtype=biomatch.MINUTIA_DTYPE)
        outside["x"] = 80
        with pytest.raises(biomatch.BiomatchError) as raised:
            template.minutiae = outside
        assert raised.value.name == "BM_ERR_COORDINATE_OUT_OF_RANGE"
        assert raised.value.code == 106
        assert "outside" in raised.value.message
        bad_angle = np.zeros(1, dtype=biomatch.MINUTIA_DTYPE)
        bad_angle["angle"] = np.nan
        with pytest.raises(biomatch.BiomatchError) as raised:
            template.minutiae = bad_angle
        assert raised.value.name == "BM_ERR_BAD_ANGLE"
    with pytest.raises(biomatch.BiomatchError) as raised:
        biomatch.Template(position=99)
    assert raised.value.name == "BM_ERR_BAD_FINGER_POSITION"


def test_closed_template_is_refused():
    template = biomatch.Template()
    template.close()
    template.close()
    with pytest.raises(ValueError):
        template.minutiae


def test_every_format_round_trips(rng):
    from conftest import synthetic_minutiae
    minutiae = synthetic_minutiae(rng, 30)
    with biomatch.Template(width=400, height=400, ppi=500, minutiae=minutiae, position=3) as original:
        for name in ("iso2005", "iso2011", "ansi378", "xyt", "bm"):
            data = original.to_bytes(name)
            assert biomatch.detect_format(data) == name
            kwargs = {"height": 400, "width": 400} if name == "xyt" else {}
            assert biomatch.count_views(data, **kwargs) == 1
            with biomatch.Template.read(data, **kwargs) as copy:
                got = copy.minutiae
                assert len(got) == len(minutiae)
                assert np.array_equal(got["x"], minutiae["x"]) and np.array_equal(got["y"], minutiae["y"])
                # Angle steps: ISO 1.40625 deg, ANSI 2 deg, xyt 1 deg (docs/template-formats.md).
                difference = np.abs((got["angle"] - minutiae["angle"] + 180) % 360 - 180)
                assert difference.max() <= 2.0 + 1e-3, name


def test_write_and_read_a_file(tmp_path, rng):
    from conftest import synthetic_minutiae
    path = tmp_path / "finger.iso"
    with biomatch.Template(width=400, height=400, minutiae=synthetic_minutiae(rng, 12)) as template:
        template.write(path, "iso2011")
        with biomatch.Template.read(path) as back, template.copy() as clone:
            assert len(back) == len(clone) == 12
    assert biomatch.detect_format(path) == "iso2011"


def test_malformed_records_raise_specific_errors(rng):
    from conftest import synthetic_minutiae
    with biomatch.Template(width=400, height=400, minutiae=synthetic_minutiae(rng, 10)) as template:
        data = template.to_bytes("iso2005")
    with pytest.raises(biomatch.BiomatchError) as raised:
        biomatch.Template.read(data[:-1])
    assert raised.value.name == "BM_ERR_TRUNCATED"
    with pytest.raises(biomatch.BiomatchError):
        biomatch.Template.read(b"not a template at all")
    with pytest.raises(ValueError):
        biomatch.Template.read(data, format="jpeg")
    # Random bytes never crash the reader: each gives a template or a BiomatchError.
    for _ in range(200):
        noise = bytearray(data)
        for position in rng.integers(0, len(noise), 3):
            noise[position] = int(rng.integers(0, 256))
        try:
            biomatch.Template.read(bytes(noise)).close()
        except biomatch.BiomatchError:
            pass


def test_minutiae_view_outlives_the_python_name(rng):
    from conftest import synthetic_minutiae
    minutiae = synthetic_minutiae(rng, 5)
    view = biomatch.Template(width=400, height=400, minutiae=minutiae).minutiae
    import gc
    gc.collect()
    assert np.array_equal(view["x"], minutiae["x"])


def test_real_iso_templates_read(fvc_db1):
    import os
    with biomatch.Template.read(os.path.join(fvc_db1, "101_1.iso")) as template:
        assert template.image[:2] == (300, 400)
        assert 10 < len(template) < 100
