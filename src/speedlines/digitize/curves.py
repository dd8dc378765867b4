"""Speedlines as smooth curves: fitted in pixels, mapped to data units, resampled.

The fit is a parametric smoothing spline in arc length (scipy's ``make_splprep``), so a curve
may turn vertical at the choke end; a function y(x) could not. Fitting happens in pixel space,
where the tracing noise is the same in both directions and a log axis is already linear.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
from scipy import interpolate

from speedlines.digitize.calibration import Calibration
from speedlines.digitize.line_shape import arc_length
from speedlines.digitize.trace import LineInstance

__all__ = [
    "SPEED_SOURCES",
    "Speedline",
    "fit_speedline",
    "resample_by_beta",
    "resample_by_flow",
    "surge_line",
]

SPEED_SOURCES = ("given", "label")  # typed by the user; read from a label printed on the map
NOISE_PX = 0.3  # rms scatter of a pixel-centre skeleton around the true centreline


@dataclass
class Speedline:
    """One speedline: traced pixels, fitted curve in pixels and in data units."""

    line: int  # 1..n from the lowest speed
    traced: np.ndarray  # (N, 2) traced (col, row), surge -> choke
    pixels: np.ndarray  # (M, 2) fitted (col, row), evenly spaced along the curve
    data: np.ndarray  # (M, 2) fitted (x, y) in data units
    residual_px: float  # rms distance of the traced points from the fit
    confidence: float
    speed: float | None = None
    fit: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)  # more JSON keys (the page's line id, origin)
    speed_source: str | None = None  # "given" (typed), "label" (read from the map), None

    def to_dict(self) -> dict:
        d = {
            "line": self.line,
            "speed": self.speed,
            "speed_source": self.speed_source if self.speed is not None else None,
            "confidence": round(self.confidence, 4),
            "points": self.data.tolist(),
            "pixels": np.round(self.pixels, 2).tolist(),
            "fit": self.fit,
        }
        return d | {k: v for k, v in self.extra.items() if k not in d}


def _thin(points: np.ndarray, step: float = 1.0) -> np.ndarray:
    """Drop points closer than ``step`` to the previous kept one (the spline needs distinct u)."""
    keep, last = [0], points[0]
    for i in range(1, len(points)):
        if np.hypot(*(points[i] - last)) >= step:
            keep.append(i)
            last = points[i]
    if keep[-1] != len(points) - 1 and np.hypot(*(points[-1] - points[keep[-1]])) > 0:
        keep.append(len(points) - 1)
    return points[keep]


def fit_pixels(points: np.ndarray, count: int, noise_px: float = NOISE_PX):
    """Smoothing-spline fit through traced points: (count evenly spaced points, rms residual)."""
    pts = _thin(np.asarray(points, dtype=np.float64))
    if len(pts) < 4:
        s = arc_length(pts)
        u = np.linspace(0, s[-1], count)
        fitted = np.stack([np.interp(u, s, pts[:, 0]), np.interp(u, s, pts[:, 1])], axis=1)
        return fitted, 0.0, {"model": "polyline", "knots": len(pts)}
    s = arc_length(pts)
    u = s / s[-1]
    with warnings.catch_warnings():
        # FITPACK warns when it cannot meet the smoothing target exactly; the spline it
        # returns is still the closest one, and the residual below says how close.
        warnings.simplefilter("ignore", RuntimeWarning)
        spline, _ = interpolate.make_splprep(
            [pts[:, 0], pts[:, 1]], u=u, k=3, s=len(pts) * noise_px**2
        )
    at_u = np.asarray(spline(u)).reshape(2, -1).T
    residual = float(np.sqrt(np.mean(np.sum((at_u - pts) ** 2, axis=1))))
    # Evenly spaced along the fitted curve, not along the parameter.
    dense_u = np.linspace(0, 1, max(400, 4 * count))
    dense = np.asarray(spline(dense_u)).reshape(2, -1).T
    ds = arc_length(dense)
    target = np.linspace(0, ds[-1], count)
    fitted = np.stack([np.interp(target, ds, dense[:, 0]), np.interp(target, ds, dense[:, 1])], 1)
    info = {"model": "smoothing spline (cubic, arc length)", "knots": len(spline.t)}
    return fitted, residual, info


def fit_speedline(
    instance: LineInstance,
    calibration: Calibration,
    line: int,
    count: int = 50,
    speed: float | None = None,
) -> Speedline:
    """A traced instance as a fitted curve of ``count`` points in pixels and data units."""
    fitted, residual, info = fit_pixels(instance.points, count)
    data = calibration.points_to_data(fitted)
    x_span, y_span = _spans(calibration, fitted)
    info |= {
        "residual_px": round(residual, 3),
        "residual_pct_of_span": round(100 * residual / max(min(x_span, y_span), 1.0), 4),
        "traced_points": len(instance.points),
        "bridged_px": round(instance.bridged, 1),
    }
    return Speedline(
        line, instance.points, fitted, data, residual, instance.confidence, speed, info
    )


def _spans(calibration: Calibration, pixels: np.ndarray) -> tuple[float, float]:
    if calibration.plot_area is not None:
        x0, y0, x1, y1 = calibration.plot_area
        return float(x1 - x0), float(y1 - y0)
    return float(np.ptp(pixels[:, 0])), float(np.ptp(pixels[:, 1]))


def resample_by_flow(lines: list[Speedline], flows: np.ndarray) -> np.ndarray:
    """Pressure ratio (data y) of each line at common flows: (lines, flows), NaN off a line.

    Where a line turns vertical at choke, the upper branch (first crossing) is taken.
    """
    out = np.full((len(lines), len(flows)), np.nan)
    for i, sl in enumerate(lines):
        x, y = sl.data[:, 0], sl.data[:, 1]
        rising = np.concatenate([[True], np.diff(x) > 0])
        # Only the part where flow still grows: after it stalls, the branch is the choke end.
        xs, ys = x[rising], y[rising]
        inc = np.concatenate([[True], np.diff(xs) > 0])
        out[i] = np.interp(flows, xs[inc], ys[inc], left=np.nan, right=np.nan)
    return out


def resample_by_beta(lines: list[Speedline], betas: np.ndarray) -> np.ndarray:
    """Points of each line at beta values: (lines, betas, 2) data (x, y).

    Beta is the share of the line's length on the image from its surge end (0) to its
    choke end (1), so beta lines join corresponding points across speedlines.
    """
    betas = np.asarray(betas, dtype=np.float64)
    out = np.empty((len(lines), len(betas), 2))
    for i, sl in enumerate(lines):
        s = arc_length(sl.pixels)
        at = betas * s[-1]
        out[i, :, 0] = np.interp(at, s, sl.data[:, 0])
        out[i, :, 1] = np.interp(at, s, sl.data[:, 1])
    return out


def surge_line(lines: list[Speedline]) -> np.ndarray:
    """Estimated surge line: the surge end of each speedline, lowest speed first, (n, 2)."""
    return np.array([sl.data[0] for sl in lines]).reshape(-1, 2)
