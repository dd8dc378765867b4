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


def _png(width, height, text_bytes=0):
    """A blank grey PNG of any size, small on disk; ``text_bytes`` of zTXt before the pixels."""
    import struct
    import zlib

    def chunk(kind, data):
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    z = zlib.compressobj(9)
    row = bytes(width + 1)  # filter byte + one grey byte per pixel
    pixels = b"".join(z.compress(row) for _ in range(height)) + z.flush()
    head = chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
    text = b"Comment\0\0" + zlib.compress(b"a" * text_bytes, 9)
    text = chunk(b"zTXt", text) if text_bytes else b""
    return b"\x89PNG\r\n\x1a\n" + head + text + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def test_the_pixel_limit_holds_when_pillow_cannot_read_the_header(tmp_path):
    from speedlines.image_io import decode_image

    # 2 MB of text before the pixels: more than Pillow reads, not too much for OpenCV.
    data = _png(4000, 3000, text_bytes=2_000_000)
    assert len(data) < 100_000
    path = _write(tmp_path / "big.png", data)
    with pytest.raises(InputError, match=r"big\.png: not a readable image"):
        decode_image(data, "big.png", max_pixels=1_000_000)
    with pytest.raises(InputError, match=r"big\.png: not a readable image"):
        load_image(path, max_pixels=1_000_000)
    # A Radiance HDR file: OpenCV decodes it, Pillow cannot tell its size.
    import cv2

    _, hdr = cv2.imencode(".hdr", np.zeros((300, 400, 3), np.float32))
    with pytest.raises(InputError, match=r"x\.hdr: not a readable image"):
        decode_image(hdr.tobytes(), "x.hdr", max_pixels=1_000)


def test_the_pixel_limit_holds_for_a_plain_large_png():
    from speedlines.image_io import decode_image

    with pytest.raises(InputError, match="8000 x 5000 pixels is larger than the limit"):
        decode_image(_png(8000, 5000), "big.png", max_pixels=1_000_000)


def _write(path, data):
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_is_applied_as_viewers_do(tmp_path, orientation):
    from PIL import ImageOps

    from speedlines.image_io import decode_image

    pixels = np.random.default_rng(orientation).integers(0, 255, (3, 5, 3), dtype=np.uint8)
    im = Image.fromarray(pixels)
    exif = im.getexif()
    exif[0x0112] = orientation
    path = tmp_path / "o.png"
    im.save(path, exif=exif)
    with Image.open(path) as shown:
        expected = np.asarray(ImageOps.exif_transpose(shown).convert("RGB"))
    assert load_image(path).tolist() == expected.tolist()
    assert decode_image(path.read_bytes(), "o.png").tolist() == expected.tolist()


def test_a_jpeg_with_orientation_6_is_upright(tmp_path):
    im = Image.fromarray(np.full((6, 10, 3), 128, np.uint8))  # stored 10 wide, 6 high
    exif = im.getexif()
    exif[0x0112] = 6  # shown turned 90 degrees clockwise: 6 wide, 10 high
    im.save(tmp_path / "o.jpg", exif=exif)
    assert load_image(tmp_path / "o.jpg").shape == (10, 6, 3)


def test_an_int32_tiff_is_refused_naming_the_file(tmp_path):
    Image.fromarray(np.zeros((4, 4), np.int32), mode="I").save(tmp_path / "deep.tif")
    with pytest.raises(InputError, match=r"deep\.tif: unsupported pixel type"):
        load_image(tmp_path / "deep.tif")


def test_a_fifo_or_a_device_is_not_a_regular_file(tmp_path):
    import os

    os.mkfifo(tmp_path / "pipe.png")
    (tmp_path / "zero.png").symlink_to("/dev/zero")
    for name, kind in (("pipe.png", "FIFO"), ("zero.png", "character device")):
        with pytest.raises(InputError, match=rf"{name}: .*{kind}.*not a regular file"):
            load_image(tmp_path / name)
    with pytest.raises(InputError, match="no such file"):
        load_image(tmp_path / "none.png")


def test_a_float_tiff_is_read_and_its_size_checked_from_the_header():
    import io

    import tifffile

    from speedlines.image_io import decode_image

    rgb = np.linspace(0, 1, 40 * 60 * 3, dtype=np.float32).reshape(40, 60, 3)
    b = io.BytesIO()
    tifffile.imwrite(b, rgb)  # Pillow cannot open float RGB: tifffile reads the header
    a = decode_image(b.getvalue(), "f.tif")
    assert a.shape == (40, 60, 3) and a.dtype == np.uint8 and a.max() == 255
    big = io.BytesIO()
    tifffile.imwrite(big, np.zeros((2000, 2000, 3), np.float32), compression="zlib")
    with pytest.raises(InputError, match="2000 x 2000 pixels is larger than the limit"):
        decode_image(big.getvalue(), "big.tif", max_pixels=1_000_000)
