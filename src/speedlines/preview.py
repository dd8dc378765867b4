"""Contact sheets: a grid of images with their speedline labels drawn over them."""

from __future__ import annotations

import cv2
import numpy as np

OVERLAY_COLOR = (230, 30, 30)


def overlay(image: np.ndarray, mask: np.ndarray, alpha: float = 0.75) -> np.ndarray:
    """The image with speedline pixels tinted red."""
    out = image.astype(np.float32)
    out[mask] = out[mask] * (1 - alpha) + np.array(OVERLAY_COLOR, np.float32) * alpha
    return out.astype(np.uint8)


def fit(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """Scale to fit a width x height box, centred on white."""
    h, w = image.shape[:2]
    s = min(width / w, height / h)
    nw, nh = max(1, round(w * s)), max(1, round(h * s))
    interp = cv2.INTER_AREA if s < 1 else cv2.INTER_NEAREST
    small = cv2.resize(image, (nw, nh), interpolation=interp)
    tile = np.full((height, width, 3), 255, np.uint8)
    y, x = (height - nh) // 2, (width - nw) // 2
    tile[y : y + nh, x : x + nw] = small
    return tile


def sheet(
    tiles: list[np.ndarray],
    captions: list[str],
    columns: int,
    tile_size: tuple[int, int],
    title: str = "",
) -> np.ndarray:
    """Arrange RGB tiles in a grid with a caption under each and an optional title."""
    tw, th = tile_size
    cap_h, pad = 18, 6
    rows = (len(tiles) + columns - 1) // columns
    top = 30 if title else 0
    out = np.full(
        (top + rows * (th + cap_h + pad) + pad, columns * (tw + pad) + pad, 3), 255, np.uint8
    )
    if title:
        cv2.putText(out, title, (pad, 21), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (0, 0, 0), 1, cv2.LINE_AA)
    for k, (tile, cap) in enumerate(zip(tiles, captions)):
        r, c = divmod(k, columns)
        x, y = pad + c * (tw + pad), top + pad + r * (th + cap_h + pad)
        out[y : y + th, x : x + tw] = fit(tile, tw, th)
        cv2.rectangle(out, (x - 1, y - 1), (x + tw, y + th), (200, 200, 200), 1)
        cv2.putText(
            out,
            cap[:60],
            (x, y + th + 13),
            cv2.FONT_HERSHEY_SIMPLEX,
            0.38,
            (40, 40, 40),
            1,
            cv2.LINE_AA,
        )
    return out
