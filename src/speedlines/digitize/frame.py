"""The plotting frame of a chart image, and a scanned chart's frame made straight.

``dark_mask`` is what is darker than the paper (not ``segment.ink``'s mask, which also drops
the long rules); ``find_frame`` the outermost long straight rules
along its four sides; ``straightening`` the projective matrix that makes a turned or slanted
scan's frame straight and square (``skew`` gives the first turn).
"""

from __future__ import annotations

import cv2
import numpy as np

from speedlines.digitize.calibration import Calibration
from speedlines.digitize.skew import turning, warp
from speedlines.errors import InputError

__all__ = ["LEAN_PX", "dark_mask", "find_frame", "image_box", "straightening"]

LEAN_PX = 3  # how far a turned scan's frame sides may wander, before they are straightened
_NO_FRAME = "axes: no plotting frame found (need long straight axis lines along two sides)"


def dark_mask(image: np.ndarray) -> np.ndarray:
    """Mask of anything darker than the paper: rules, and small, faint, anti-aliased text."""
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    otsu, _ = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return ((gray < min(150, max(otsu, 60))) | (gray < min(np.median(gray) - 40, 215))).astype(
        np.uint8
    )


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) of the runs of True in a 1-D bool array."""
    d = np.diff(np.concatenate([[0], flags.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1)))


def find_frame(dark: np.ndarray, lean: int = 0) -> tuple[int, int, int, int, int, int]:
    """Centres of the left, top, right, bottom frame lines; first column left of the frame's
    outside edge + 1 (its left line's first column) and first row below it. ``lean`` px:
    lines may wander that far across a quarter of the image (a scan's sides at a slant).
    An open frame (left and bottom axis lines only) ends where those lines end."""
    h, w = dark.shape
    across = np.ones((2 * lean + 1, 1), np.uint8)
    horiz = cv2.morphologyEx(
        cv2.dilate(dark, across), cv2.MORPH_OPEN, np.ones((1, max(8, w // 4)), np.uint8)
    )
    vert = cv2.morphologyEx(
        cv2.dilate(dark, across.T), cv2.MORPH_OPEN, np.ones((max(8, h // 4), 1), np.uint8)
    )
    # The runs, less the widening (a leaning line counts in full, its middle stays put).
    rows = [
        (a + lean, b - lean) for a, b in _runs(horiz.sum(axis=1) >= 0.3 * w) if b - a > 2 * lean
    ]
    cols = [(a + lean, b - lean) for a, b in _runs(vert.sum(axis=0) >= 0.3 * h) if b - a > 2 * lean]
    if not rows or not cols:
        raise InputError(_NO_FRAME)
    (b0, b1), (l0, l1) = rows[-1], cols[0]
    # The outermost rules are the frame; but where the left and the bottom axis lines both
    # run on well past them, or there are none, the frame is open (only those two lines, as
    # many plotting tools draw it; the rules inside are grid lines) and ends where they end.
    # One side alone missing is a frame side lost (a faint one on a scan), not an open frame.
    reach = 3 + 2 * lean
    up = _end(vert[:, max(0, l0 - lean) : l1 + lean].any(axis=1), b0, b1, reach, -1)
    out = _end(horiz[max(0, b0 - lean) : b1 + lean].any(axis=0), l0, l1, reach, 1)
    open_top = up is not None and (len(rows) < 2 or rows[0][0] - up > max(reach, 0.02 * h))
    open_right = out is not None and (len(cols) < 2 or out - cols[-1][1] > max(reach, 0.02 * w))
    if open_top and open_right:
        (t0, t1), (r0, r1) = (up, up + 1), (out, out + 1)
    elif len(rows) > 1 and len(cols) > 1:
        (t0, t1), (r0, r1) = rows[0], cols[-1]
    else:
        raise InputError(_NO_FRAME)
    if (b0 - t1) < 0.2 * h or (r0 - l1) < 0.2 * w:
        raise InputError("axes: no plotting frame found (the axis lines found enclose no area)")
    # Centres of the four lines, then where the outside begins below and left of the frame.
    return (l0 + l1 - 1) // 2, (t0 + t1 - 1) // 2, (r0 + r1 - 1) // 2, (b0 + b1 - 1) // 2, l0, b1


def _end(line: np.ndarray, c0: int, c1: int, reach: int, way: int) -> int | None:
    """Where an axis line (flags along it) that comes within ``reach`` of the other axis
    line, lying across c0..c1, ends going ``way`` (-1: towards 0); None if it does not come
    that near (the two do not meet in a corner)."""
    near = np.flatnonzero(line[max(0, c0 - reach) : c1 + reach]) + max(0, c0 - reach)
    if not len(near):
        return None
    runs = _runs(line)
    at = int(near[0] if way < 0 else near[-1])
    a, b = next((a, b) for a, b in runs if a <= at < b)
    return int(a) if way < 0 else int(b) - 1


def _side(ink: np.ndarray, at: int, lo: int, hi: int, lean: int = LEAN_PX) -> np.ndarray | None:
    """A frame side running along the columns of ``ink`` near row ``at``: (slope, offset) of
    its centre row against the column, fitted over the middle of ``lo``..``hi``."""
    margin = (hi - lo) // 20
    r0 = max(0, at - lean - 3)
    band = ink[r0 : at + lean + 4, lo + margin : hi - margin].astype(np.float64)
    weight = band.sum(axis=0)
    pos = np.flatnonzero(weight)
    if len(pos) < 0.5 * band.shape[1]:
        return None
    centre = (band * np.arange(band.shape[0])[:, None]).sum(axis=0)[pos] / weight[pos]
    slope, offset = np.polyfit(pos + lo + margin, centre + r0, 1)
    return np.array([slope, offset])


def straightening(image: np.ndarray, angle: float) -> np.ndarray | None:
    """The projective matrix that straightens a scanned chart (image -> straight pixels): a
    turn by ``angle`` first, then the four sides of the frame found in it made straight and
    square (a scan at a slant leans and narrows them unevenly). None without a frame of four
    sides."""
    h, w = image.shape[:2]
    first = turning(angle, w, h)
    ink = dark_mask(warp(image, first))
    # A scan at a strong slant: its top and bottom sides may differ in angle by a degree,
    # so that turned by their mean, one still leans too far for the first search.
    for lean in (LEAN_PX, 3 * LEAN_PX):
        try:
            left, top, right, bottom = (int(v) for v in find_frame(ink, lean=lean)[:4])
        except InputError:
            continue
        rows = [_side(ink, at, left, right, lean) for at in (top, bottom)]
        cols = [_side(ink.T, at, top, bottom, lean) for at in (left, right)]
        if all(s is not None for s in rows + cols):
            break
    else:
        # Also an open frame: without a top and a right side, a slant cannot be squared,
        # and a turn alone leaves the reading off by a percent.
        return None
    corners = []
    for c in cols:  # left, right: col = a * row + b; top, bottom: row = p * col + q
        for r in rows:
            row = (r[0] * c[1] + r[1]) / (1 - r[0] * c[0])
            corners.append((c[0] * row + c[1], row))
    (tl, bl), (tr, br) = corners[:2], corners[2:]
    x0, x1 = (tl[0] + bl[0]) / 2, (tr[0] + br[0]) / 2
    y0, y1 = (tl[1] + tr[1]) / 2, (bl[1] + br[1]) / 2
    square = cv2.getPerspectiveTransform(
        np.float32([tl, tr, br, bl]), np.float32([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])
    )
    return square @ first


def image_box(cal: Calibration, area, width: int, height: int) -> tuple[int, int, int, int]:
    """The box in the image that holds a plotting area given in straightened pixels."""
    x0, y0, x1, y1 = area
    cols, rows = cal.unstraightened(np.array([x0, x1, x1, x0]), np.array([y0, y0, y1, y1]))
    c0, r0 = max(0, int(np.floor(cols.min()))), max(0, int(np.floor(rows.min())))
    return (
        c0,
        r0,
        min(width - 1, int(np.ceil(cols.max()))),
        min(height - 1, int(np.ceil(rows.max()))),
    )
