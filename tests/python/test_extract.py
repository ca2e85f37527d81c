"""Python bindings: images and minutiae extraction (from arrays, PNG bytes and files)."""
import os

import pytest

np = pytest.importorskip("numpy", reason="numpy is not installed")
import biomatch  # noqa: E402


def test_uniform_image_is_not_a_fingerprint():
    with pytest.raises(biomatch.BiomatchError) as raised:
        biomatch.extract(np.full((300, 300), 128, dtype=np.uint8))
    assert raised.value.name == "BM_ERR_NOT_A_FINGERPRINT"


def test_bad_arrays_and_bytes_are_refused():
    with pytest.raises(ValueError):
        biomatch.Image(np.zeros((10, 10, 3), dtype=np.uint8))
    with pytest.raises(ValueError):
        biomatch.Image(np.zeros((10, 10), dtype=np.float32))
    with pytest.raises(biomatch.BiomatchError) as raised:
        biomatch.Image(b"\x89PNG\r\n\x1a\n truncated")
    assert raised.value.name == "BM_ERR_IMAGE_DECODE"


def test_images_from_arrays_keep_their_pixels():
    pixels = (np.arange(40 * 37) % 251).astype(np.uint8).reshape(40, 37)
    with biomatch.Image(pixels, ppi=600) as image:
        assert image.shape == (40, 37)
        assert image.ppi == 600
        assert np.array_equal(image.pixels, pixels)
        assert not image.pixels.flags.writeable
    # Every other row: passed by pointer with a row stride, no copy on our side.
    with biomatch.Image(pixels[::2]) as image:
        assert np.array_equal(image.pixels, pixels[::2])
    # Every other column: not row-contiguous, so copied first.
    with biomatch.Image(pixels[:, ::2]) as image:
        assert np.array_equal(image.pixels, pixels[:, ::2])
    with pytest.raises(biomatch.BiomatchError) as raised:
        biomatch.Image(pixels[:8, :8])
    assert raised.value.name == "BM_ERR_IMAGE_SIZE"


def test_synthetic_ridges_give_minutiae():
    # Concentric rings with a period of 9 pixels (a plausible ridge period at
    # 500 ppi), broken by a gap: ridge endings appear on both sides of it.
    y, x = np.mgrid[0:320, 0:320]
    radius = np.hypot(x - 160, y - 160)
    rings = (127 + 100 * np.cos(2 * np.pi * radius / 9)).astype(np.uint8)
    rings[150:170, 60:260] = 127 + 100 * np.cos(2 * np.pi * (y[150:170, 60:260] - 150) / 9)
    template = biomatch.extract(rings)
    assert len(template) > 0
    assert template.image[:2] == (320, 320)


def test_real_image_from_array_bytes_and_path_agree(fvc_db1, tmp_path):
    path = os.path.join(fvc_db1, "png", "101_1.png")
    from_path = biomatch.extract(path, overlay=tmp_path / "overlay.png")
    assert (tmp_path / "overlay.png").stat().st_size > 1000
    with open(path, "rb") as file:
        from_bytes = biomatch.extract(file.read())
    with biomatch.Image(path) as image:
        from_array = biomatch.extract(np.array(image.pixels), ppi=image.ppi)
    assert 10 < len(from_path) < 150
    assert np.array_equal(from_path.minutiae, from_bytes.minutiae)
    assert np.array_equal(from_path.minutiae, from_array.minutiae)
