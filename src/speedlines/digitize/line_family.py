"""Rules of the map as a whole: the speedlines of one map form a family that never crosses.

Candidates that pass the one-line shape tests (:mod:`speedlines.digitize.line_shape`) can still
be pieces of efficiency islands, beta or operating lines drawn in the speedlines' own ink. These
cross the speedlines; speedlines never cross each other. Where candidates cross, the one that
crosses most, for its length, is not a speedline. Straight horizontal and vertical rules (grid
pieces, box borders, marker bars) are not speedlines either, save a flat lowest line. A line
far shorter than its neighbours in the family is doubtful.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from speedlines.digitize.line_shape import is_rule, lower_speed_first, row_at, turning

__all__ = ["crosses", "doubt_short_lines", "drop_crossing", "drop_rules"]


def crosses(a: np.ndarray, b: np.ndarray, tolerance: float = 3.0, run: float = 4.0) -> bool:
    """Whether polylines ``a`` and ``b`` ((N, 2) col, row) cross: over the columns both span,
    each lies clearly above the other (by more than ``tolerance`` px) for at least ``run``
    columns. Lines that only touch, or run along each other, do not cross."""
    lo = max(a[:, 0].min(), b[:, 0].min())
    hi = min(a[:, 0].max(), b[:, 0].max())
    if hi - lo < 2 * run:
        return False
    cols = np.arange(lo, hi, 1.0)
    d = row_at(a, cols) - row_at(b, cols)
    d = d[np.isfinite(d)]
    return bool((d > tolerance).sum() >= run and (d < -tolerance).sum() >= run)


def drop_crossing(lines: list, tolerance: float = 3.0) -> list:
    """The lines (objects with ``points`` and ``length``) without those that cross others:
    repeatedly drop the line with the most crossings for its worth as a speedline (length and
    bend) until none cross: a beta line crossing every speedline, an island arc crossing two
    in a short run, a straight rule crossing one."""
    if len(lines) < 2:
        return lines
    n = len(lines)
    cross = np.zeros((n, n), bool)
    for i in range(n):
        for j in range(i + 1, n):
            cross[i, j] = cross[j, i] = crosses(lines[i].points, lines[j].points, tolerance)
    typical = float(np.median([ln.length for ln in lines]))
    # How much a line counts as a speedline: its length against the others', and its bend
    # (a speedline turns from flat to falling; beta lines and rules do not turn at all).
    worth = np.array(
        [
            max(ln.length / typical, 0.05) * np.clip(turning(ln.points) / np.radians(45), 0.1, 1)
            for ln in lines
        ]
    )
    alive = np.ones(n, bool)
    while True:
        counts = (cross & alive[None, :] & alive[:, None]).sum(axis=1)
        if not counts.any():
            break
        # A long speedline crossed by three short island arcs outlives each arc, and a
        # straight rule loses to the curved line it crosses.
        weight = counts / worth
        weight[~alive] = -1
        alive[int(np.argmax(weight))] = False
    return [ln for ln, keep in zip(lines, alive) if keep]


def drop_rules(lines: list) -> list:
    """The lines without straight horizontal or vertical rules (``line_shape.is_rule``): grid
    pieces left of the surge line, the border of a title box, a marker bar at the maximum flow.
    A horizontal rule below every other line it shares columns with stays (the lowest
    speedline of a map near pressure ratio 1 can be as straight as a rule); a vertical one never
    does: a whole speedline starts flat."""
    rule = [is_rule(ln.points, ln.length) for ln in lines]
    curved = [ln for ln, r in zip(lines, rule) if not r]
    return [ln for ln, r in zip(lines, rule) if not r or _lowest_flat(ln, curved)]


def _lowest_flat(rule, curved: list) -> bool:
    """Whether a rule may be the map's lowest speedline: horizontal, and below every curved
    line it shares columns with (there being some, unless there are no curved lines at all)."""
    d = np.abs(rule.points[-1] - rule.points[0])
    if d[1] > d[0]:
        return False
    if not curved:
        return True
    beside = [c for c in curved if _shared_columns(rule.points, c.points) > 2.0]
    return bool(beside) and all(lower_speed_first(rule, c) < 0 for c in beside)


def _shared_columns(a: np.ndarray, b: np.ndarray) -> float:
    return min(a[:, 0].max(), b[:, 0].max()) - max(a[:, 0].min(), b[:, 0].min())


def doubt_short_lines(lines: list, share: float = 0.5) -> list:
    """The lines (ordered by speed) with the confidence of each scaled by min(1, its length /
    (``share`` x the longer of its neighbours' lengths)): adjacent speedlines differ in length
    by a little, while an island arc or a broken piece between two speedlines is far shorter,
    so what is still doubtful ranks last (docs/results.md, issue 22)."""
    if len(lines) < 2:
        return lines
    out = []
    for i, ln in enumerate(lines):
        longer = max(lines[k].length for k in (i - 1, i + 1) if 0 <= k < len(lines))
        factor = min(1.0, ln.length / (share * longer))
        out.append(dataclasses.replace(ln, confidence=ln.confidence * factor))
    return out
