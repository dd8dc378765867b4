"""Lines the user edited (on the web page) -> a ``Digitization``: no mask, no tracing.

The page keeps its own pixel polylines, each with a stable id, and may have trimmed, split,
joined or drawn them; here they are checked, oriented surge -> choke, clipped to the plotting
area, ordered lowest speed first and fitted by the same code as traced lines
(:func:`speedlines.digitize.curves.fit_speedline`). Every error names the page's line id.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections import Counter
from dataclasses import dataclass

import numpy as np

from speedlines.digitize import line_shape as shape
from speedlines.digitize.calibration import Calibration
from speedlines.digitize.curves import fit_speedline
from speedlines.digitize.pipeline import Digitization
from speedlines.digitize.speed_labels import SpeedLabel, TextBox, assign_speeds
from speedlines.digitize.trace import LineInstance
from speedlines.errors import InputError

__all__ = ["MAX_LINES", "MAX_LINE_POINTS", "ORIGINS", "EditedLine", "fit_lines"]

ORIGINS = ("model", "ink", "edited", "drawn")
MAX_LINES = 200
MAX_LINE_POINTS = 20_000


@dataclass
class EditedLine:
    """One line as the page holds it: pixels (N, 2) as (col, row), centre of the top-left
    pixel at (0, 0), in any direction."""

    id: int  # the page's stable id, >= 1
    pixels: np.ndarray  # or a list of pairs
    speed: float | None = None
    confidence: float | None = None
    origin: str = "edited"  # one of ORIGINS
    speed_label: str | None = None  # the label text the speed was read from (else typed)


def _number(v: float) -> str:
    return f"{v:.10g}"


def _checked_points(line: EditedLine, width: int, height: int) -> np.ndarray:
    """The line's pixels as a float (N, 2) array, surge (smaller column) end first."""
    what = f"line {line.id}"
    try:
        pts = np.asarray(line.pixels, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(f"{what}: pixels must be (col, row) number pairs") from None
    if pts.size == 0:
        pts = pts.reshape(0, 2)
    if pts.ndim != 2 or pts.shape[1] != 2:
        raise InputError(f"{what}: pixels must be (col, row) number pairs")
    if not 2 <= len(pts) <= MAX_LINE_POINTS:
        raise InputError(f"{what} has {len(pts)} points; 2..{MAX_LINE_POINTS} are allowed")
    if not np.isfinite(pts).all():
        raise InputError(f"{what} has a non-finite pixel coordinate (inf or nan)")
    cols, rows = pts[:, 0], pts[:, 1]
    outside = (cols < -0.5) | (cols > width - 0.5) | (rows < -0.5) | (rows > height - 0.5)
    if outside.any():
        c, r = pts[np.argmax(outside)]
        raise InputError(
            f"{what}: point ({_number(c)}, {_number(r)}) lies outside the {width}x{height} image"
        )
    return pts[::-1] if pts[-1, 0] < pts[0, 0] else pts


def _clipped(pts: np.ndarray, box, line_id: int) -> np.ndarray:
    """The longest run of consecutive points inside ``box`` (x0, y0, x1, y1, inclusive)."""
    if box is None:
        return pts
    x0, y0, x1, y1 = box
    inside = (pts[:, 0] >= x0) & (pts[:, 0] <= x1) & (pts[:, 1] >= y0) & (pts[:, 1] <= y1)
    best, start = None, None
    for i, ok in enumerate([*inside.tolist(), False]):
        if ok and start is None:
            start = i
        elif not ok and start is not None:
            run = pts[start:i]
            key = (float(shape.arc_length(run)[-1]), len(run))
            if best is None or key > best[0]:
                best = (key, run)
            start = None
    if best is None or len(best[1]) < 2:
        raise InputError(f"line {line_id} lies outside the plotting area")
    return best[1]


def _check_line(line: EditedLine) -> None:
    if isinstance(line.id, bool) or not isinstance(line.id, int | np.integer) or line.id < 1:
        raise InputError(f"line ids must be integers >= 1, got {line.id!r}")
    what = f"line {line.id}"
    if line.origin not in ORIGINS:
        raise InputError(f"{what}: origin must be one of {', '.join(ORIGINS)}, got {line.origin!r}")
    if line.speed is not None and not (math.isfinite(line.speed) and line.speed > 0):
        raise InputError(f"{what}: speed must be a finite number > 0, got {line.speed!r}")
    c = line.confidence
    if c is not None and not (math.isfinite(c) and 0.0 <= c <= 1.0):
        raise InputError(f"{what}: confidence must be a number in 0..1, got {c!r}")


def _check_speed_order(ordered: list[EditedLine]) -> None:
    """Speeds, where given, increase from the lowest line up (the order found on the image)."""
    known = [ln for ln in ordered if ln.speed is not None]
    for low, high in itertools.pairwise(known):
        if high.speed == low.speed:
            raise InputError(
                f"lines {low.id} and {high.id} both have speed {_number(low.speed)}: "
                "speeds must increase from the lowest line up"
            )
        if high.speed < low.speed:
            raise InputError(
                f"line {high.id} (speed {_number(high.speed)}) lies above line {low.id} "
                f"(speed {_number(low.speed)}): speeds must increase from the lowest line up"
            )


def _ordered_instances(lines: list[EditedLine], width: int, height: int, box):
    """(line, LineInstance) pairs, checked, clipped to ``box`` where given, lowest first."""
    if not 1 <= len(lines) <= MAX_LINES:
        raise InputError(f"{len(lines)} lines sent; 1..{MAX_LINES} are allowed")
    seen: set[int] = set()
    for line in lines:
        _check_line(line)
        if line.id in seen:
            raise InputError(f"line id {line.id} is used twice; ids must be unique")
        seen.add(line.id)
    instances = []
    for line in lines:
        pts = _clipped(_checked_points(line, width, height), box, line.id)
        length = float(shape.arc_length(pts)[-1])
        if length < 1.0:
            raise InputError(f"line {line.id} is shorter than one pixel")
        confidence = 1.0 if line.confidence is None else float(line.confidence)
        instances.append((line, LineInstance(pts, length, 0.0, confidence)))
    instances.sort(key=functools.cmp_to_key(lambda a, b: shape.lower_speed_first(a[1], b[1])))
    return instances


def label_speeds(
    lines: list[EditedLine],
    image_size: tuple[int, int],
    texts: list[TextBox],
    plot_area=None,
) -> dict[int, SpeedLabel | None]:
    """The speed label of each page line (by id), or None: the texts read from the image
    assigned to the lines in their order from the lowest (``speed_labels.assign_speeds``)."""
    instances = _ordered_instances(lines, *image_size, None)
    labels = assign_speeds([inst.points for _, inst in instances], texts, plot_area)
    return {line.id: label for (line, _), label in zip(instances, labels, strict=True)}


def fit_lines(
    lines: list[EditedLine],
    calibration: Calibration,
    image_size: tuple[int, int],
    points: int = 50,
    source: dict | None = None,
) -> Digitization:
    """The page's lines fitted as speedlines, numbered 1..n from the lowest; each line's JSON
    keeps the page's ``id`` and ``origin``. InputError (naming the page id) on bad input."""
    width, height = image_size
    calibration.check_image(width, height)
    if points < 2:
        raise InputError(f"points per line must be at least 2, got {points}")
    instances = _ordered_instances(lines, width, height, calibration.plot_area)
    _check_speed_order([line for line, _ in instances])
    fitted = []
    for k, (line, inst) in enumerate(instances):
        speed = None if line.speed is None else float(line.speed)
        sl = fit_speedline(inst, calibration, k + 1, points, speed)
        if not (np.isfinite(sl.data).all() and np.isfinite(sl.pixels).all()):
            raise InputError(f"line {line.id}: the calibration maps it to non-finite values")
        sl.extra = {"id": int(line.id), "origin": line.origin}
        if speed is not None:
            sl.speed_source = "label" if line.speed_label else "given"
            if line.speed_label:
                sl.extra["speed_label"] = {"text": str(line.speed_label)}
        fitted.append(sl)
    counts = Counter(line.origin for line in lines)
    origins = {o: counts[o] for o in ORIGINS if o in counts}
    result = Digitization(
        fitted,
        calibration,
        (int(width), int(height)),
        source=dict(source or {}),
        segmentation={"source": "page", "origins": origins},
        tracing={},
    )
    result.check_finite()
    return result
