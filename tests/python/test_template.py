"""Python bindings: templates, errors and the zero-copy minutiae view."""
import numpy as np
import pytest

import biomatch


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
