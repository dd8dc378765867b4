"""The decimal points an OCR reading lost, put back from the labels' own ink.

Small aliased tick labels (GIF-era maps: 5-8 px bitmap-like text) draw the point of "1.8"
as a single pixel, or lose it in the rasterising altogether; the text recogniser then reads
"18". Every label of the axis reads ten times its value, all of them agreeing with their
positions, so no fit over the labels can tell. The ink can: a dot on the baseline between
two digits, or, where the point itself is gone, the room it took: a gap between two digits
wider than the font's spacing between digits, at the same place in every label of the axis.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

__all__ = ["Glyphs", "digit_spacing", "glyphs", "point_room", "restore_decimal_points"]


@dataclass(frozen=True)
class Glyphs:
    """A label's glyphs, left to right: the gaps between them and a dot between two (or None)."""

    count: int
    gaps: tuple[int, ...]  # ink-free columns between glyph k and k + 1
    dot: int | None  # the number of glyphs left of a dot on the baseline


def glyphs(ink: np.ndarray) -> Glyphs | None:
    """The glyphs of one label's box of a dark-pixel mask (non-zero = ink); None if there is
    no text of at least 5 px height (too small to tell a dot from a stroke)."""
    if ink.size == 0:
        return None
    n, _, stats, _ = cv2.connectedComponentsWithStats((ink > 0).astype(np.uint8), connectivity=8)
    comps = stats[1:n]
    if not len(comps) or comps[:, 3].max() < 5:
        return None
    tall = float(comps[:, 3].max())
    g = comps[comps[:, 3] >= 0.5 * tall]
    g = g[np.argsort(g[:, 0])]
    ends = g[:, 0] + g[:, 2]  # one past each glyph's last column
    gaps = tuple(int(g[k + 1, 0] - ends[k]) for k in range(len(g) - 1))
    base = float(np.median(g[:, 1] + g[:, 3]))
    small = max(2.0, 0.3 * tall)
    mid = comps[:, 0] + comps[:, 2] / 2
    dots = comps[
        (comps[:, 2] <= small)
        & (comps[:, 3] <= small)
        & (np.abs(comps[:, 1] + comps[:, 3] - base) <= max(1.0, 0.15 * tall))
        & (mid > g[0, 0] + g[0, 2])
        & (mid < g[-1, 0])
    ]
    dot = None
    if len(dots) == 1:
        x = dots[0, 0] + dots[0, 2] / 2
        if not np.any((g[:, 0] < x) & (ends > x)):  # not within a glyph's columns
            dot = int(np.sum(ends <= x))
    return Glyphs(len(g), gaps, dot)


def _gaps_of_digits(digits: str, gl: Glyphs) -> list[tuple[int, int]]:
    """(place from the right, gap) for each gap between two digits with no "1" beside it (a
    "1" is narrow in its cell, so the gaps beside it are wide in any font) and no point in it."""
    return [
        (len(digits) - 1 - k, gap)
        for k, gap in enumerate(gl.gaps)
        if digits[k] != "1" and digits[k + 1] != "1" and gl.dot != k + 1
    ]


def restore_decimal_points(
    labels: Sequence[tuple[str, Glyphs | None]],
    spacing: float | None,
    room: float | None = None,
) -> list[str]:
    """The digits of one axis's labels with the decimal points their ink shows.

    ``labels``: each label's text read as digits only ("" for any other text) and its glyphs;
    ``spacing``: the font's spacing between digit glyphs in px (``digit_spacing``, from the
    other axis's labels), or None if unknown; ``room``: the gap a point takes in the chart's
    labels that kept theirs (``point_room``), used where the spacing is unknown.

    A label gets a point from a dot on its baseline. All of an axis's labels get one from
    wide gaps (at least 1 px wider than ``spacing`` and twice it; without it, at most 1 px
    narrower than ``room``) only when the wide gaps all stand at one place from the right
    (the same count of decimals), at least two labels show a gap there, and none a narrower
    one.
    """
    out = [d for d, _ in labels]
    ok = [
        i
        for i, (d, gl) in enumerate(labels)
        if len(d) >= 2 and d.isdigit() and gl is not None and gl.count == len(d)
    ]
    for i in ok:
        d, gl = labels[i]
        if gl.dot is not None:
            out[i] = d[: gl.dot] + "." + d[gl.dot :]
    if spacing is not None:
        wide = max(spacing + 1, 2 * spacing, 2)
    elif room is not None:
        wide = max(2, room - 1)
    else:
        return out
    if len(ok) < 2 or any(labels[i][1].dot is not None for i in ok):
        return out
    seen = [_gaps_of_digits(*labels[i]) for i in ok]
    wide_at = {place for gaps in seen for place, gap in gaps if gap >= wide}
    narrow_at = {place for gaps in seen for place, gap in gaps if gap < wide}
    if len(wide_at) != 1 or wide_at & narrow_at:
        return out
    place = wide_at.pop()
    if sum(any(p == place for p, _ in gaps) for gaps in seen) < 2:
        return out  # fewer than two labels show the point's room
    for i in ok:
        d = labels[i][0]
        if place < len(d):
            out[i] = d[: len(d) - place] + "." + d[len(d) - place :]
    return out


def digit_spacing(
    labels: Sequence[tuple[str, Glyphs | None]], room: float | None = None
) -> float | None:
    """The font's spacing between digit glyphs: the narrowest gap with no "1" beside it and no
    point in it over the labels given, or None without any. With ``room`` (``point_room``),
    gaps as wide as a point's room are left out: their labels lost their points too."""
    gaps = [
        gap
        for d, gl in labels
        if d.isdigit() and gl is not None and gl.count == len(d)
        for _, gap in _gaps_of_digits(d, gl)
        if room is None or gap < room - 1
    ]
    return float(min(gaps)) if gaps else None


def point_room(found: Sequence[Glyphs | None]) -> float | None:
    """The gap a decimal point takes between two digits in the labels that kept it (median),
    or None where no label shows one."""
    rooms = [gl.gaps[gl.dot - 1] for gl in found if gl is not None and gl.dot is not None]
    return float(np.median(rooms)) if rooms else None
