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


def _probe(source, name: str, max_pixels: int) -> int:
    """EXIF orientation (1-8) of an image file or file object, after checking its size from
    the header: InputError if the header cannot be read or the image is too large.

    The size must be known before any pixel is decoded, whatever decoder then runs: a file
    whose header Pillow cannot read (a format it does not know, a PNG with text chunks beyond
    its safety limits) is refused rather than handed to OpenCV unchecked.
    """
    from PIL import Image, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = None  # the limit is ours, checked below
    try:
        with Image.open(source) as im:
            w, h = im.size
            # PNG reads its EXIF only with the pixels unless the chunk precedes them.
            exif = im.getexif() if im.format != "PNG" or "exif" in im.info else {}
            orientation = exif.get(0x0112, 1)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        size = _tiff_size(source)  # float or multi-sample TIFFs that Pillow does not open
        if size is not None:
            w, h = size
            if w * h > max_pixels:
                raise InputError(
                    f"{name}: image of {w} x {h} pixels is larger than the limit of "
                    f"{max_pixels:,} pixels"
                ) from None
            return 1
        raise InputError(
            f"{name}: not a readable image (empty or corrupt, or its size cannot be read "
            "from the header before decoding)"
        ) from None
    if w * h > max_pixels:
        raise InputError(
            f"{name}: image of {w} x {h} pixels is larger than the limit of {max_pixels:,} pixels"
        )
    return orientation if orientation in range(1, 9) else 1


def _tiff_size(source) -> tuple[int, int] | None:
    """(width, height) of a TIFF's first image (the one OpenCV decodes), from its header only;
    None if the source is not a TIFF that tifffile can parse."""
    import logging

    import tifffile

    logging.getLogger("tifffile").setLevel(logging.CRITICAL)  # the refusal is our one line
    try:
        if hasattr(source, "seek"):
            source.seek(0)
        with tifffile.TiffFile(source) as tif:
            page = tif.pages.first
            return int(page.imagewidth), int(page.imagelength)
    except Exception:  # tifffile raises many kinds on non-TIFF or damaged input
        return None


def _orient(a: np.ndarray, orientation: int) -> np.ndarray:
    """The pixels as a viewer shows them for EXIF orientation 1-8 (as ImageOps.exif_transpose)."""
    if orientation in (5, 6, 7, 8):  # the stored image is on its side
        a = np.rot90(a, -1 if orientation in (5, 6) else 1)
        orientation = {5: 2, 6: 1, 7: 2, 8: 1}[orientation]
    if orientation in (2, 3):
        a = a[:, ::-1]
    if orientation in (3, 4):
        a = a[::-1]
    return np.ascontiguousarray(a)


def decode_image(data: bytes, name: str = "image", max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """Decode image file bytes (PNG, JPEG, ...) as (H, W, 3) uint8 RGB, turned as its EXIF
    orientation says; InputError if bad or larger than ``max_pixels``."""
    import io

    orientation = _probe(io.BytesIO(data), name, max_pixels)
    buf = np.frombuffer(data, dtype=np.uint8)
    # IMREAD_UNCHANGED keeps alpha and 16 bits, and ignores the orientation: applied below.
    a = cv2.imdecode(buf, cv2.IMREAD_UNCHANGED) if buf.size else None
    if a is None or a.size == 0:
        raise InputError(f"{name}: not a readable image (empty or corrupt file?)")
    try:
        return _orient(to_rgb(a), orientation)
    except InputError as exc:
        raise InputError(f"{name}: {exc}") from None


def _regular_file(path: Path) -> None:
    from speedlines.formats import open_regular

    try:
        open_regular(path, "image").close()
    except InputError as exc:
        if not path.exists():
            raise InputError(f"{path}: no such file") from None
        raise InputError(f"{path}: {str(exc).rpartition(': ')[2]}") from None


def load_image(path: str | os.PathLike, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """Read ``path`` as an (H, W, 3) uint8 RGB array; palette, grey, RGBA and 16-bit included."""
    path = Path(path)
    _regular_file(path)
    _probe(path, str(path), max_pixels)  # before reading: a huge image is refused unread
    return decode_image(path.read_bytes(), str(path), max_pixels)


def load_mask(path: str | os.PathLike, speedline_value: int = 0) -> np.ndarray:
    """A label image as bool (True = speedline); ``speedline_value`` 0 (seed convention) or 255."""
    path = Path(path)
    _regular_file(path)
    _probe(path, str(path), MAX_PIXELS)
    data = np.fromfile(path, dtype=np.uint8)
    a = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE) if data.size else None
    if a is None:
        raise InputError(f"{path}: not a readable mask image")
    return a < 128 if speedline_value == 0 else a >= 128
