import numpy as np
import pytest
from PIL import Image

from speedlines.errors import InputError
from speedlines.image_io import load_image


def _save(tmp_path, arr, mode=None, name="x.png"):
    p = tmp_path / name
    Image.fromarray(arr, mode=mode).save(p) if mode else Image.fromarray(arr).save(p)
    return p


def test_modes_become_rgb(tmp_path):
    grey = np.arange(64, dtype=np.uint8).reshape(8, 8)
    assert load_image(_save(tmp_path, grey, name="g.png"))[..., 0].tolist() == grey.tolist()
    rgba = np.zeros((4, 4, 4), np.uint8)
    rgba[..., 0] = 200
    rgba[0, 0, 3] = 255  # one opaque red pixel, the rest transparent -> white
    out = load_image(_save(tmp_path, rgba, name="a.png"))
    assert out[0, 0].tolist() == [200, 0, 0] and out[1, 1].tolist() == [255, 255, 255]
    deep = (np.arange(16, dtype=np.uint16).reshape(4, 4) * 4096).astype(np.uint16)
    out = load_image(_save(tmp_path, deep, name="d.png"))
    assert out.dtype == np.uint8 and out[3, 3, 0] == deep[3, 3] >> 8
    pal = Image.fromarray(np.array([[0, 1], [1, 0]], np.uint8), mode="P")
    pal.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    pal.save(tmp_path / "p.png")
    assert load_image(tmp_path / "p.png")[0, 0].tolist() == [255, 0, 0]
    bgr_check = np.zeros((2, 2, 3), np.uint8)
    bgr_check[..., 2] = 255  # blue in RGB order
    assert load_image(_save(tmp_path, bgr_check, name="b.png"))[0, 0].tolist() == [0, 0, 255]


@pytest.mark.parametrize("content", [b"", b"not an image at all"])
def test_corrupt_or_empty(tmp_path, content):
    p = tmp_path / "bad.png"
    p.write_bytes(content)
    with pytest.raises(InputError, match="not a readable image"):
        load_image(p)


def test_missing_and_huge(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        load_image(tmp_path / "nope.png")
    p = _save(tmp_path, np.zeros((100, 100, 3), np.uint8))
    with pytest.raises(InputError, match="larger than the limit"):
        load_image(p, max_pixels=5000)


def test_decode_image_from_bytes():
    import cv2
    import numpy as np
    import pytest

    from speedlines.errors import InputError
    from speedlines.image_io import decode_image

    grey = np.full((5, 7), 100, np.uint8)
    rgb = decode_image(cv2.imencode(".png", grey)[1].tobytes(), "g.png")
    assert rgb.shape == (5, 7, 3) and (rgb == 100).all()
    with pytest.raises(InputError, match="not a readable image"):
        decode_image(b"nope", "x.png")
    with pytest.raises(InputError, match="larger than the limit"):
        decode_image(cv2.imencode(".png", grey)[1].tobytes(), "g.png", max_pixels=10)
