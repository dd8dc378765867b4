import numpy as np
import pytest

from speedlines.digitize.joins import Chains, end_direction, join_cost, link_pieces
from speedlines.digitize.trace import _inside, _line_width


def segment(a, b, n=21):
    """Points from a to b (col, row), evenly spaced."""
    return np.linspace(a, b, n, dtype=float)


def test_end_direction_points_out_of_the_chain_at_either_end():
    line = segment((0, 0), (20, 0))
    start, end = end_direction(line, True, 10.0), end_direction(line, False, 10.0)
    np.testing.assert_allclose(start.unit, [-1, 0])
    np.testing.assert_allclose(end.unit, [1, 0])
    assert start.reliable and end.reliable
    np.testing.assert_allclose(end.anchor, [20, 0])
    # Skipping past a hook at the end: the anchor moves back along the line.
    assert end_direction(line, False, 5.0, skip=4.0).anchor[0] == pytest.approx(16)
    assert end_direction(np.array([[3.0, 3.0]]), True, 10.0) is None
    assert not end_direction(segment((0, 0), (2, 0), 3), True, 10.0).reliable


def test_join_cost_prefers_straight_continuation_and_refuses_sharp_bends():
    left, ahead = segment((0, 0), (20, 0)), segment((26, 0), (46, 0))
    below = segment((26, 0), (26, 20))  # continues at a right angle
    pa, da = left[-1], end_direction(left, False, 10.0)
    cos60 = np.cos(np.radians(60))
    straight = join_cost(pa, ahead[0], da, end_direction(ahead, True, 10.0), cos60, 3.0)
    assert straight == pytest.approx(6.0)  # the gap, no penalty
    assert join_cost(pa, below[0], da, end_direction(below, True, 10.0), cos60, 3.0) is None
    # A bend within the limit costs more than the straight join over the same gap.
    slanted = segment((26, 0), (26 + 17.3, 10))
    bent = join_cost(pa, slanted[0], da, end_direction(slanted, True, 10.0), cos60, 3.0)
    assert bent is not None and bent > straight


def test_join_cost_refuses_an_end_beside_rather_than_ahead():
    left = segment((0, 0), (20, 0))
    beside = segment((10, 12), (30, 12))  # parallel, overlapping: not a continuation
    pa, da = left[-1], end_direction(left, False, 10.0)
    assert join_cost(pa, beside[0], da, end_direction(beside, True, 10.0), 0.5, 3.0) is None


def test_link_pieces_joins_across_a_gap_and_walks_each_chain_once():
    # Three collinear pieces, the middle one drawn backwards, and one far away.
    pieces = [
        segment((0, 0), (20, 0)),
        segment((46, 0), (26, 0)),
        segment((52, 0), (72, 0)),
        segment((0, 80), (20, 80)),
    ]
    chains = link_pieces(pieces, max_gap=10.0, max_turn_deg=60.0, reach=10.0, width=3.0)
    assert sorted(chains) == [[(0, False), (1, True), (2, False)], [(3, False)]]


def test_link_pieces_leaves_pieces_apart_beyond_the_gap_or_the_bend():
    left = segment((0, 0), (20, 0))
    far = segment((40, 0), (60, 0))
    across = segment((24, 2), (24, 22))
    for other in (far, across):
        chains = link_pieces([left, other], max_gap=10.0, max_turn_deg=60.0, reach=10.0, width=3.0)
        assert sorted(chains) == [[(0, False)], [(1, False)]]
    assert link_pieces([], 10.0, 60.0, 10.0, 3.0) == []


def test_chains_join_each_end_once_and_never_close_a_loop():
    chains = Chains(3)
    assert chains.join((0, 1), (1, 0)) and chains.join((1, 1), (2, 0))
    assert not chains.join((2, 1), (0, 0))  # would close 0-1-2 into a loop
    assert not chains.join((0, 1), (2, 1))  # end (0, 1) is taken
    assert chains.walks() == [[(0, False), (1, False), (2, False)]]
    # Walked from its other free end, the chain comes out reversed.
    assert chains.walk((2, 1)) == [(2, True), (1, True), (0, True)]


def test_inside_is_the_box_less_its_border_clipped_to_the_image():
    keep = _inside((10, 12), (1.5, 2, 20, 7), border=1)
    rows, cols = np.nonzero(keep)
    assert (rows.min(), rows.max(), cols.min(), cols.max()) == (3, 6, 3, 11)
    assert _inside((10, 12), (0, 0, 11, 9), border=0).all()


def test_line_width_is_the_stroke_width():
    m = np.zeros((20, 40), bool)
    m[8:13, 5:35] = True  # 5 px thick
    skeleton = np.zeros_like(m)
    skeleton[10, 7:33] = True
    assert _line_width(m, skeleton) == pytest.approx(5.0)
    assert _line_width(m, np.zeros_like(m)) == 1.0
