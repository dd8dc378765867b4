"""Hand-made speedline masks with exactly known centrelines, for tracing and fitting tests."""

import cv2
import numpy as np

from speedlines.digitize.calibration import AxisCalibration, Calibration


def speedline(x0: float, x1: float, top: float, drop: float, n: int = 400) -> np.ndarray:
    """A speedline-like curve (col, row): flat from x0, bending down into a vertical choke end
    at x1 that falls ``drop`` pixels below ``top``."""
    t = np.linspace(0.0, 1.0, 20 * n)
    # A superellipse quadrant: flat at the surge end, vertical at the choke end.
    cur = 3.0
    x = x0 + (x1 - x0) * t
    y = top + drop * (1.0 - (1.0 - t**cur) ** (1.0 / cur))
    # Evenly spaced along the curve, so that the vertical end is sampled as densely.
    s = np.concatenate([[0], np.cumsum(np.hypot(np.diff(x), np.diff(y)))])
    at = np.linspace(0, s[-1], n)
    return np.stack([np.interp(at, s, x), np.interp(at, s, y)], axis=1)


def family(width: int = 240, height: int = 140, lines: int = 3, tilt: float = 0.0):
    """Non-crossing speedlines, lowest speed first: each higher one is above and to the right.
    ``tilt`` (rows per column) makes the surge ends fall gently to the left, as on real maps."""
    out = []
    for k in range(lines):
        x0 = 20 + 15 * k
        x1 = width * 0.45 + 40 * k
        top = height * 0.70 - 30 * k
        c = speedline(x0, x1, top, height * 0.85 - top)
        c[:, 1] += tilt * np.clip(x1 * 0.6 - c[:, 0], 0, None)
        out.append(c)
    return out


def draw(curves: list[np.ndarray], shape: tuple[int, int], thickness: int = 3) -> np.ndarray:
    """Boolean mask with the curves drawn as polylines."""
    canvas = np.zeros(shape, np.uint8)
    for c in curves:
        pts = np.rint(c * 16).astype(np.int32).reshape(-1, 1, 2)
        cv2.polylines(canvas, [pts], False, 255, thickness, cv2.LINE_8, shift=4)
    return canvas > 0


def distance_to(curve: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Distance of each point to the nearest point of a densely sampled curve."""
    d = np.linalg.norm(points[:, None, :] - curve[None, :, :], axis=2)
    return d.min(axis=1)


def map_image(curves: list[np.ndarray], shape: tuple[int, int], grid: int = 40) -> np.ndarray:
    """RGB plot-area image: white paper, a light grid, dark speedlines."""
    h, w = shape
    img = np.full((h, w, 3), 255, np.uint8)
    img[::grid, :] = 215
    img[:, ::grid] = 215
    for c in curves:
        pts = np.rint(c * 16).astype(np.int32).reshape(-1, 1, 2)
        cv2.polylines(img, [pts], False, (20, 30, 120), 2, cv2.LINE_AA, shift=4)
    return img


def chart_calibration(y_scale: str = "linear") -> Calibration:
    """The calibration the tests use for a 240 x 140 drawn map: x from 0 to 2 across 200 px,
    y from 1 at the bottom row to 4 (or 10, log) at the top."""
    top = 10.0 if y_scale == "log" else 4.0
    return Calibration(
        AxisCalibration((0.0, 200.0), (0.0, 2.0)),
        AxisCalibration((140.0, 0.0), (1.0, top), y_scale),
        {"x": "kg/s", "y": "-"},
        (0, 0, 239, 139),
    )


CAL = chart_calibration()
