"""Arcs of efficiency islands told from speedlines by where their ink goes on.

Datasheets draw nested island contours in the speedlines' own thin ink, and the model marks
the part of each contour that looks like a speedline: flat, then falling. That arc alone
crosses nothing, and bends like a speedline. Its contour goes on, though, round the island,
and on its way it crosses the speedlines. A speedline's own ink does not: past its choke
end it stops at a label, past its surge end it meets the surge line at a corner. So each
line's ink is followed on past both ends (``ink_trail.line_trail``: smoothly, straight on
through crossings), and a line whose trail crosses a line more than twice its length, away
from that line's ends, is an island arc (docs/results.md, issue 22).
"""

from __future__ import annotations

import numpy as np

from speedlines.digitize.ink_trail import (
    InkSettings,
    line_trail,
    owner_map,
    smooth_headings,
    trail_darkness,
)

__all__ = ["drop_island_arcs", "trail_crossing"]

REACH = 1.2  # a trail is followed for up to this many times its line's length
LONGER = 2.0  # the line crossed is more than this many times longer than the arc


def _before_corner(headings: np.ndarray, steps: int = 3, max_deg: float = 45.0) -> int:
    """How many trail points come before its first corner (a turn of more than ``max_deg``
    within ``steps`` steps): a contour bends smoothly, while a trail that turns a corner has
    left its line for another (the border of a box, a surge line)."""
    turn = np.abs(headings[steps:] - headings[:-steps]) if len(headings) > steps else []
    sharp = np.nonzero(np.asarray(turn) > np.radians(max_deg))[0]
    return int(sharp[0]) + 1 if len(sharp) else len(headings)


def _side(p: np.ndarray, line: np.ndarray) -> float:
    """Which side of ``line`` (N, 2) the point lies on: the sign of the cross product with the
    line's direction at its nearest point."""
    k = int(np.argmin(np.linalg.norm(line - p, axis=1)))
    t = line[min(k + 3, len(line) - 1)] - line[max(k - 3, 0)]
    v = p - line[k]
    return float(np.sign(t[0] * v[1] - t[1] * v[0]))


def trail_crossing(path: np.ndarray, own: int, lines: list, owner: np.ndarray, near: float):
    """The index of the line that a trail (M, 2) crosses first, or -1: it enters the line's
    band away from its ends (more than 3 ``near``) and leaves it on the other side. A trail
    that ends inside the band, or runs into a line's end, crosses nothing."""
    h, w = owner.shape
    cells = np.rint(path).astype(int)
    inside = (cells[:, 0] >= 0) & (cells[:, 0] < w) & (cells[:, 1] >= 0) & (cells[:, 1] < h)
    for k in range(len(path)):
        if not inside[k]:
            return -1
        o = int(owner[cells[k, 1], cells[k, 0]])
        if o in (0, own + 1):
            continue
        b = lines[o - 1]
        if min(np.linalg.norm(path[k] - b[0]), np.linalg.norm(path[k] - b[-1])) < 3 * near:
            return -1
        for m in range(k + 1, len(path)):
            if not inside[m]:
                return -1
            if owner[cells[m, 1], cells[m, 0]] != o:
                before = _side(path[max(k - 2, 0)], b)
                return o - 1 if before != 0 and _side(path[m], b) == -before else -1
        return -1
    return -1


def drop_island_arcs(lines: list, ink: np.ndarray, box, width: float, settings=None) -> list:
    """The lines (objects with ``points``, surge end first, and ``length``) without those
    whose ink, followed on past either end, crosses a line more than ``LONGER`` times as
    long: the arcs of island contours that cross the speedlines out of the model's sight."""
    if len(lines) < 2:
        return lines
    s = settings or InkSettings()
    x0, y0, x1, y1 = box
    diagonal = float(np.hypot(x1 - x0, y1 - y0))
    points = [ln.points for ln in lines]
    owner = owner_map(points, ink.shape, width)
    near = 2.0 * width + 4.0
    longest = max(ln.length for ln in lines)
    keep = []
    for j, ln in enumerate(lines):
        if LONGER * ln.length >= longest:  # no line is long enough for this one to be an arc
            keep.append(True)
            continue
        darkness = trail_darkness(ink, ln.points, s)
        arc = False
        for at_end in (True, False):
            path, _ = line_trail(
                ink, ln.points, ln.length, at_end, REACH * ln.length, diagonal, darkness, s
            )
            path = path[: _before_corner(np.unwrap(smooth_headings(path)))]
            b = trail_crossing(path, j, points, owner, near)
            arc |= b >= 0 and lines[b].length > LONGER * ln.length
        keep.append(not arc)
    return [ln for ln, k in zip(lines, keep) if k]
