"""Reading images of any mode as 8-bit RGB, with one clear error for bad files."""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np

from speedlines.errors import InputError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp")
MAX_PIXELS = 100_000_000  # beyond this a map image is a mistake, and would exhaust memory


def _to_uint8(a: np.ndarray) -> np.ndarray:
    if a.dtype == np.uint8:
        return a
    if a.dtype == np.uint16:
        return (a >> 8).astype(np.uint8)
    if np.issubdtype(a.dtype, np.floating):
        return (np.clip(a, 0.0, 1.0) * 255 + 0.5).astype(np.uint8)
    raise InputError(f"unsupported pixel type {a.dtype}")


def to_rgb(a: np.ndarray) -> np.ndarray:
    """Any grey, grey+alpha, BGR or BGRA array (as OpenCV reads) -> RGB uint8.

    Transparent pixels are composited on white, as a viewer shows them.
    """
    a = _to_uint8(a)
    if a.ndim == 2:
        return cv2.cvtColor(a, cv2.COLOR_GRAY2RGB)
    channels = a.shape[2]
    if channels == 1:
        return cv2.cvtColor(a[..., 0], cv2.COLOR_GRAY2RGB)
    if channels == 2:
        a = cv2.cvtColor(a[..., 0], cv2.COLOR_GRAY2BGR), a[..., 1]
        a = np.dstack(a)
        channels = 4
    if channels == 4:
        alpha = a[..., 3:4].astype(np.float32) / 255.0
        bgr = a[..., :3].astype(np.float32) * alpha + 255.0 * (1.0 - alpha)
        return cv2.cvtColor((bgr + 0.5).astype(np.uint8), cv2.COLOR_BGR2RGB)
    return cv2.cvtColor(a[..., :3], cv2.COLOR_BGR2RGB)


def _header_size(path: Path) -> tuple[int, int] | None:
    """(width, height) from the file header without decoding pixels, when Pillow can tell."""
    try:
        from PIL import Image

        Image.MAX_IMAGE_PIXELS = None
        with Image.open(path) as im:
            return im.size
    except Exception:
        return None


def decode_image(data: bytes, name: str = "image", max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """Decode image file bytes (PNG, JPEG, ...) as (H, W, 3) uint8 RGB; InputError if bad."""
    import io

    try:
        from PIL import Image

        Image.MAX_IMAGE_PIXELS = None
        with Image.open(io.BytesIO(data)) as im:
            w, h = im.size
    except Exception:
        w = h = 0
    if w * h > max_pixels:
        raise InputError(
            f"{name}: image of {w} x {h} pixels is larger than the limit of {max_pixels:,} pixels"
        )
    buf = np.frombuffer(data, dtype=np.uint8)
    a = cv2.imdecode(buf, cv2.IMREAD_UNCHANGED) if buf.size else None
    if a is None or a.size == 0:
        raise InputError(f"{name}: not a readable image (empty or corrupt file?)")
    return to_rgb(a)


def load_image(path: str | os.PathLike, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """Read ``path`` as an (H, W, 3) uint8 RGB array; palette, grey, RGBA and 16-bit included."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    size = _header_size(path)  # before reading: a huge file is refused without loading it
    if size and size[0] * size[1] > max_pixels:
        raise InputError(
            f"{path}: image of {size[0]} x {size[1]} pixels is larger than the limit of "
            f"{max_pixels:,} pixels"
        )
    return decode_image(path.read_bytes(), str(path), max_pixels)


def load_mask(path: str | os.PathLike, speedline_value: int = 0) -> np.ndarray:
    """A label image as bool (True = speedline); ``speedline_value`` 0 (seed convention) or 255."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    data = np.fromfile(path, dtype=np.uint8)
    a = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE) if data.size else None
    if a is None:
        raise InputError(f"{path}: not a readable mask image")
    return a < 128 if speedline_value == 0 else a >= 128
