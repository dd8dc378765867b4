"""How far a scanned chart is turned, and the chart turned straight.

A scan is often turned by a degree or two. ``skew_angle`` finds the angle at which the ink's
row and column profiles are sharpest (the frame, the grid and the text all line up then);
``turning`` is the matrix that turns the image back about its centre, so that the axes run
along rows and columns, and ``warp`` applies such a matrix (or a projective one).
The angle is the direction of the image's horizontal lines, in degrees, positive when they
fall to the right (rows grow with the columns).
"""

from __future__ import annotations

import cv2
import numpy as np

__all__ = ["MIN_SKEW", "skew_angle", "turning", "warp"]

MIN_SKEW = 0.1  # degrees: below it, turning costs more (resampling blur) than it gains
MAX_SKEW = 4.0  # degrees searched either way
MAX_POINTS = 400_000  # ink pixels used (a fixed sample of them on big images)


def _sharpness(rows: np.ndarray, cols: np.ndarray, degrees: float) -> float:
    t = np.radians(degrees)
    c, s = np.cos(t), np.sin(t)
    r = np.rint(rows * c - cols * s).astype(np.int64)
    k = np.rint(cols * c + rows * s).astype(np.int64)
    hr = np.bincount(r - r.min()).astype(np.float64)
    hk = np.bincount(k - k.min()).astype(np.float64)
    return float((hr**2).sum() + (hk**2).sum())


def skew_angle(ink: np.ndarray) -> float:
    """The angle (degrees) of a chart's horizontal lines, from its ink mask (H, W)."""
    rows, cols = np.nonzero(ink)
    if len(rows) < 100:
        return 0.0
    if len(rows) > MAX_POINTS:
        keep = np.random.default_rng(0).choice(len(rows), MAX_POINTS, replace=False)
        rows, cols = rows[keep], cols[keep]
    rows = rows - rows.mean()
    cols = cols - cols.mean()
    best = 0.0
    for step, half in ((0.25, MAX_SKEW), (0.02, 0.25)):  # coarse, then fine around the best
        grid = best + np.arange(-half, half + step / 2, step)
        best = float(max(grid, key=lambda d: _sharpness(rows, cols, d)))
    return round(best, 3)


def turning(degrees: float, width: int, height: int) -> np.ndarray:
    """The 3x3 matrix that turns an image's lines at ``degrees`` level about its centre."""
    m = cv2.getRotationMatrix2D(((width - 1) / 2, (height - 1) / 2), degrees, 1.0)
    return np.vstack([m, [0.0, 0.0, 1.0]])


def warp(image: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """The image under a 3x3 projective matrix (image pixels -> new pixels), same size,
    white where it had nothing."""
    h, w = image.shape[:2]
    fill = (255,) * (image.shape[2] if image.ndim == 3 else 1)
    return cv2.warpPerspective(image, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=fill)
