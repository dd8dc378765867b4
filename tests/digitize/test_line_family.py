"""Map-level rule: speedlines never cross, so candidates that cross them are dropped."""

import numpy as np

from speedlines.digitize.line_family import crosses, drop_crossing
from speedlines.digitize.line_shape import arc_length
from speedlines.digitize.trace import TraceSettings, trace_lines
from tests.drawn_maps import draw, family, speedline

SHAPE = (140, 240)


class Line:
    def __init__(self, points):
        self.points = np.asarray(points, float)
        self.length = float(arc_length(self.points)[-1])


def _straight(p0, p1, n=100):
    return np.linspace(p0, p1, n)


def test_crossing_is_told_from_touching_and_running_alongside():
    low, high = family()[0], family()[1]
    assert not crosses(low, high), "a family's lines do not cross"
    rising = _straight((40, 130), (200, 20))  # a beta line through the whole family
    assert crosses(low, rising) and crosses(rising, high)
    flatter = speedline(30, 190, 85, 45)  # starts below the second line and ends above it
    assert crosses(flatter, high) and not crosses(flatter, low)
    alongside = low + np.array([0, 2.0])  # within the tolerance: one thick line, not a crossing
    assert not crosses(low, alongside)
    apart = _straight((0, 5), (30, 5))  # no common columns to speak of
    assert not crosses(low, apart)


def test_a_line_crossing_every_speedline_is_dropped_and_the_speedlines_stay():
    lines = [Line(c) for c in family(lines=4)]
    beta = Line(_straight((40, 130), (200, 20)))  # crosses all four
    kept = drop_crossing([*lines, beta])
    assert beta not in kept and len(kept) == 4


def test_short_island_arcs_go_before_the_long_line_they_cross():
    curves = family(lines=3)
    lines = [Line(c) for c in curves]
    # Two short arcs, each crossing the middle line; the middle line crosses both.
    arcs = [Line(_straight((60 + 30 * k, 90), (80 + 30 * k, 50))) for k in range(2)]
    assert all(crosses(a.points, lines[1].points) for a in arcs)
    kept = drop_crossing([*lines, *arcs])
    assert kept == lines


def test_tracing_drops_a_crossing_line_unless_told_not_to():
    curves = family()
    rule = _straight((30, 10), (140, 135))  # falls as a speedline may, but crosses one
    mask = draw([*curves, rule], SHAPE)
    kept_all = trace_lines(mask, settings=TraceSettings(drop_crossing=False, line_check=False))
    assert len(kept_all) == len(curves) + 1
    found = trace_lines(mask)
    assert len(found) == len(curves), "the rule goes, though it is longer than the line"
    for line, curve in zip(found, curves):
        assert np.abs(line.points[[0, -1]] - curve[[0, -1]]).max() <= 2.5
