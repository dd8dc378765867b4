"""Image -> speedlines in data units: mask, line instances, fitted curves, surge line.

``digitize_mask`` works from any mask (a model's, a truth label, the ink baseline);
``digitize_image`` segments the image first, with any ``MaskSource``.
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import asdict, dataclass, field

import cv2
import numpy as np

from speedlines import __version__
from speedlines.digitize.calibration import Calibration
from speedlines.digitize.curves import Speedline, fit_speedline, surge_line
from speedlines.digitize.ink_trail import ink_darkness
from speedlines.digitize.trace import TraceSettings, trace_lines
from speedlines.errors import InputError
from speedlines.segment.segmentation import MaskSource

__all__ = [
    "Digitization",
    "digitize_image",
    "digitize_mask",
    "draw_overlay",
    "parse_speeds",
    "select_lines",
]

LINE_COLORS = [  # tab10, without the red used for masks elsewhere
    (31, 119, 180), (255, 127, 14), (44, 160, 44), (148, 103, 189), (140, 86, 75),
    (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207), (214, 39, 40),
]  # fmt: skip


@dataclass
class Digitization:
    """The speedlines of one image, lowest speed first, with what is needed to reproduce them."""

    lines: list[Speedline]
    calibration: Calibration
    image_size: tuple[int, int]  # (width, height)
    source: dict = field(default_factory=dict)  # name, sha256
    segmentation: dict = field(default_factory=dict)  # model or mask source, threshold
    tracing: dict = field(default_factory=dict)  # the TraceSettings used, as a dict
    calibration_source: str | None = None  # "auto": read from the image's axes

    @property
    def speeds_known(self) -> bool:
        return bool(self.lines) and all(sl.speed is not None for sl in self.lines)

    @property
    def surge_line(self) -> np.ndarray:
        return surge_line(self.lines)

    def check_finite(self) -> None:
        """InputError unless every data point and speed is a finite number: an inf or nan
        written as a result would read as data (or not read at all: JSON has no inf)."""
        for sl in self.lines:
            if not np.isfinite(sl.data).all() or not np.isfinite(sl.pixels).all():
                raise InputError(
                    f"line {sl.line} has non-finite data values (inf or nan): the calibration "
                    "maps it beyond the floating-point range"
                )
            if sl.speed is not None and not np.isfinite(sl.speed):
                raise InputError(f"line {sl.line}: speed {sl.speed} is not a finite number")

    def to_dict(self) -> dict:
        return {
            "format": "speedlines-digitized/1",
            "tool": f"speedlines {__version__}",
            "source": self.source,
            "image_size": list(self.image_size),
            "calibration": self.calibration.to_dict()
            | ({"source": self.calibration_source} if self.calibration_source else {}),
            "units": dict(self.calibration.units),
            "segmentation": self.segmentation,
            "tracing": self.tracing,
            "lines": [sl.to_dict() for sl in self.lines],
            "surge_line": self.surge_line.tolist(),
        }


def parse_speeds(text: str | None) -> list[float] | None:
    """'60000,80000,...' -> floats (lowest first); None or '' -> None."""
    if text is None or not text.strip():
        return None
    try:
        speeds = [float(v) for v in text.replace(";", ",").split(",") if v.strip()]
    except ValueError:
        raise InputError(f"--speeds must be numbers separated by commas, got {text!r}") from None
    if not speeds or not all(np.isfinite(speeds)):
        raise InputError(f"--speeds must be finite numbers, got {text!r}")
    if any(b <= a for a, b in itertools.pairwise(speeds)):
        raise InputError("--speeds must increase: line 1 is the lowest speed")
    return speeds


def digitize_mask(
    mask: np.ndarray,
    calibration: Calibration,
    speeds: list[float] | None = None,
    probability: np.ndarray | None = None,
    points: int = 50,
    settings: TraceSettings | None = None,
    image: np.ndarray | None = None,
) -> Digitization:
    """Speedlines of a boolean mask in data units; InputError when none is found. With the
    image the mask came from, lines are followed on along its ink (``ink_trail``)."""
    h, w = mask.shape[:2]
    calibration.check_image(w, h)
    if points < 2:
        raise InputError(f"points per line must be at least 2, got {points}")
    ink = ink_darkness(image) if image is not None else None
    instances = trace_lines(mask, calibration.plot_area, probability, settings, ink)
    if not instances:
        raise InputError("no speedline found in the plotting area")
    lines = [fit_speedline(inst, calibration, k + 1, points) for k, inst in enumerate(instances)]
    tracing = asdict(settings or TraceSettings())
    tracing["image_ink"] = ink is not None  # whether the image's ink was there to follow
    result = Digitization(lines, calibration, (w, h), tracing=tracing)
    result.check_finite()
    return select_lines(result, None, speeds, "found")


def digitize_image(
    image: np.ndarray,
    calibration: Calibration,
    source: MaskSource,
    speeds: list[float] | None = None,
    threshold: float | None = None,
    points: int = 50,
    name: str = "",
    image_bytes: bytes | None = None,
) -> tuple[Digitization, np.ndarray]:
    """Segment an RGB image with ``source`` (a model, the ink baseline) and digitize it;
    returns (result, mask). The result's source record holds ``name`` and the SHA-256 of
    ``image_bytes`` (the file) where given, else of the pixels."""
    h, w = image.shape[:2]
    calibration.check_image(w, h)  # before the (slow) model runs
    seg = source.segment(image, threshold, calibration.plot_area)
    result = digitize_mask(seg.mask, calibration, speeds, seg.confidence, points, image=image)
    digest = hashlib.sha256(image_bytes if image_bytes is not None else image.tobytes())
    result.source = {"name": name, "sha256": digest.hexdigest()}
    result.segmentation = dict(seg.provenance)
    return result, seg.mask


def select_lines(
    result: Digitization, keep: list[int] | None, speeds: list[float] | None, what: str = "kept"
) -> Digitization:
    """Only the lines numbered in ``keep`` (all when None), renumbered 1..n, with speeds."""
    import dataclasses

    lines = result.lines
    if keep is not None:
        known = {sl.line for sl in lines}
        unknown = sorted(set(keep) - known)
        if unknown:
            raise InputError(f"no line {unknown[0]} to keep: lines are 1..{len(lines)}")
        lines = [sl for sl in lines if sl.line in set(keep)]
    if not lines:
        raise InputError("no line left to digitize")
    if speeds is not None and len(speeds) != len(lines):
        raise InputError(
            f"{len(lines)} speedlines {what} but {len(speeds)} speeds given; "
            "give one speed per line, lowest first"
        )
    renumbered = [
        dataclasses.replace(sl, line=k + 1, speed=speeds[k], speed_source="given")
        if speeds
        else dataclasses.replace(sl, line=k + 1)
        for k, sl in enumerate(lines)
    ]
    selected = dataclasses.replace(result, lines=renumbered)
    selected.check_finite()
    return selected


def draw_overlay(image: np.ndarray, result: Digitization) -> np.ndarray:
    """The image with each fitted speedline in its own colour, numbered at its choke end."""
    out = image.copy()
    h, w = out.shape[:2]
    thick = max(2, round(max(h, w) / 500))
    if result.calibration.plot_area is not None:
        x0, y0, x1, y1 = (round(v) for v in result.calibration.plot_area)
        cv2.rectangle(out, (x0, y0), (x1, y1), (120, 120, 120), 1, cv2.LINE_AA)
    for sl in result.lines:
        color = LINE_COLORS[(sl.line - 1) % len(LINE_COLORS)]
        pts = np.rint(sl.pixels * 4).astype(np.int32).reshape(-1, 1, 2)  # 2 fractional bits
        cv2.polylines(out, [pts], False, color, thick, cv2.LINE_AA, shift=2)
        cx, cy = (int(v) for v in np.rint(sl.pixels[-1]))
        label = str(sl.line) if sl.speed is None else f"{sl.line}: {sl.speed:g}"
        scale = max(0.35, thick / 5)
        org = (min(cx + 3, w - 10), min(max(cy - 3, 10), h - 3))
        cv2.putText(out, label, org, cv2.FONT_HERSHEY_SIMPLEX, scale, color, 1, cv2.LINE_AA)
    return out
