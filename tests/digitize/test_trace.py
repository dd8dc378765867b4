import cv2
import numpy as np
import pytest

from speedlines.digitize.trace import TraceSettings, trace_lines
from tests.drawn_maps import distance_to, draw, family, speedline

SHAPE = (140, 240)


def _check_traced(lines, curves, tol=1.0, end_tol=2.5):
    assert len(lines) == len(curves)
    for line, curve in zip(lines, curves):
        assert distance_to(curve, line.points).max() <= max(tol, end_tol)
        assert np.percentile(distance_to(curve, line.points), 95) <= tol
        # Ordered surge -> choke, and it reaches both ends.
        assert np.linalg.norm(line.points[0] - curve[0]) <= end_tol
        assert np.linalg.norm(line.points[-1] - curve[-1]) <= end_tol


def test_each_speedline_is_one_instance_lowest_speed_first():
    curves = family()
    lines = trace_lines(draw(curves, SHAPE))
    _check_traced(lines, curves)
    assert all(0.9 < ln.confidence <= 1.0 and ln.bridged == 0 for ln in lines)


def test_order_does_not_depend_on_drawing_order_or_mirror_images():
    curves = family()
    lines = trace_lines(draw(curves[::-1], SHAPE))
    _check_traced(lines, curves)
    # Points reversed in the input curve still come out surge first.
    lines = trace_lines(draw([c[::-1] for c in curves], SHAPE))
    _check_traced(lines, curves)


def test_lines_are_followed_through_crossing_beta_lines_and_a_surge_line():
    curves = family()
    mask = draw(curves, SHAPE)
    for x in (60, 90, 120, 150):  # a fan of beta lines rising to the right
        cv2.line(mask.view(np.uint8), (x - 40, 130), (x + 40, 10), 1, 2)
    cv2.line(mask.view(np.uint8), (15, 100), (60, 30), 1, 2)  # surge line across the left ends
    # Where a line ends on a crossing line, its end is found within a line width or so.
    _check_traced(trace_lines(mask), curves, tol=1.0, end_tol=4.5)


def test_gaps_from_dashes_and_labels_are_bridged():
    curves = family()
    mask = draw(curves, SHAPE)
    mask[:, 70:78] = False  # a label or a crossing line erased from the mask
    mask[:, 130:133] = False
    lines = trace_lines(mask)
    _check_traced(lines, curves, tol=1.5)
    assert all(ln.bridged > 0 and ln.confidence < 1.0 for ln in lines)


def test_text_fragments_islands_and_frame_are_not_speedlines():
    curves = family()
    mask = draw(curves, SHAPE)
    cv2.putText(mask.view(np.uint8), "N=3", (200, 25), cv2.FONT_HERSHEY_SIMPLEX, 0.3, 1, 1)
    cv2.ellipse(mask.view(np.uint8), (200, 60), (18, 10), 20, 0, 360, 1, 2)  # efficiency island
    mask[5, 5:235] = mask[135, 5:235] = mask[5:136, 5] = mask[5:136, 235] = True  # the frame
    lines = trace_lines(mask, plot_area=(5, 5, 235, 135))
    _check_traced(lines, curves, tol=1.0)


def test_only_the_plot_area_is_traced_and_an_empty_mask_gives_nothing():
    curves = family()
    assert len(trace_lines(draw(curves, SHAPE), plot_area=(0, 0, 239, 90))) == 2
    assert trace_lines(np.zeros(SHAPE, bool)) == []
    with pytest.raises(ValueError):
        trace_lines(np.zeros((4, 4, 3), bool))


def test_a_steep_choke_end_is_followed_to_its_bottom():
    curve = speedline(20, 120, 20, 110)
    (line,) = trace_lines(draw([curve], SHAPE))
    assert line.points[-1][1] >= curve[-1][1] - 2
    assert distance_to(curve, line.points).max() <= 1.0


def test_short_pieces_follow_the_settings():
    curves = family()
    mask = draw(curves, SHAPE)
    assert len(trace_lines(mask, settings=TraceSettings(min_length=0.9))) == 0


def test_arcs_bending_the_wrong_way_are_not_speedlines():
    curves = family()
    mask = draw(curves, SHAPE)
    # The lower half of an efficiency island: it falls, then rises to the right.
    cv2.ellipse(mask.view(np.uint8), (200, 22), (30, 12), 0, 0, 180, 1, 2)
    _check_traced(trace_lines(mask), curves)
    # A shallow piece of one, turning by 20 degrees the wrong way (30 was let through once).
    arc = cv2.ellipse2Poly((175, -2), (50, 12), 0, 50, 130, 1)
    mask = draw(curves, SHAPE)
    cv2.polylines(mask.view(np.uint8), [arc], False, 1, 2)
    _check_traced(trace_lines(mask), curves)


def test_opencv_helpers_give_scipys_results_bit_for_bit():
    from scipy import ndimage

    from speedlines.digitize import trace

    rng = np.random.default_rng(1)
    for _ in range(20):
        h, w = rng.integers(2, 40, 2)
        m = ndimage.binary_dilation(rng.random((h, w)) < 0.15)
        expected = ndimage.distance_transform_edt(m)
        assert np.array_equal(trace._distance_to_background(m), expected)
        disc = np.ones((3, 3), bool)
        assert np.array_equal(trace._dilate(m, disc), ndimage.binary_dilation(m, disc))
        # Filled holes: the mask's enclosed background, narrow ones only.
        filled = trace._fill_slivers(m)
        holes = ndimage.binary_fill_holes(m) & ~m
        assert (filled & ~m <= holes).all() and (filled >= m).all()
    ring = np.zeros((12, 12), bool)
    ring[1:11, 1:11], ring[3:9, 3:9] = True, False  # a hole 6 px wide stays open
    ring[5, 5] = False
    assert np.array_equal(trace._fill_slivers(ring), ring)
    ring[3:9, 3:9] = True
    ring[5, 5:7] = False  # a sliver is filled
    assert trace._fill_slivers(ring)[5, 5:7].all()


def test_straight_rules_are_not_speedlines_unless_asked():
    curves = family()
    mask = draw(curves, SHAPE)
    m = mask.view(np.uint8)
    cv2.line(m, (10, 12), (70, 12), 1, 2)  # a grid piece left of the surge line
    cv2.line(m, (120, 20), (200, 23), 1, 2)  # a title box's lower border, on a turned scan
    cv2.line(m, (214, 35), (214, 100), 1, 3)  # a marker bar at the maximum flow
    _check_traced(trace_lines(mask), curves)
    unruled = TraceSettings(drop_rules=False, drop_crossing=False, line_check=False)
    kept = trace_lines(mask, settings=unruled)
    assert len(kept) == len(curves) + 3


def test_a_nearly_straight_speedline_is_not_a_rule():
    from speedlines.digitize import line_shape

    # A low, flat speedline still bends by a few percent of its length towards choke.
    curve = speedline(20, 200, 100, 8)
    length = float(np.linalg.norm(np.diff(curve, axis=0), axis=1).sum())
    assert not line_shape.is_rule(curve, length)
    rule = np.column_stack([np.linspace(20, 200, 50), np.full(50, 40.0)])
    assert line_shape.is_rule(rule, 180.0)
    assert line_shape.is_rule(rule[:, ::-1], 180.0)  # vertical
    assert not line_shape.is_rule(rule @ np.array([[1, 0.2], [0, 1]]), 183.6)  # a slanted line


def test_a_straight_lowest_speedline_is_kept():
    # Near pressure ratio 1 the lowest speedline of a map can be as straight as a grid line.
    curves = family()
    flat = np.column_stack([np.linspace(12, 100, 200), np.full(200, 128.0)])
    lines = trace_lines(draw([flat, *curves], SHAPE))
    _check_traced(lines, [flat, *curves])


def test_a_speedline_broken_in_two_is_joined_but_not_to_a_line_beside_it():
    from speedlines.digitize.line_shape import path_length
    from speedlines.digitize.trace import LineInstance, _join_pieces

    curve = speedline(20, 200, 40, 90)
    cut = int(np.argmin(np.abs(curve[:, 0] - 170)))  # on the knee, where islands cross

    def piece(points):
        return LineInstance(points, path_length(points), 0.0, 1.0)

    surge, choke = piece(curve[: cut - 2]), piece(curve[cut + 2 :])
    (joined,) = _join_pieces([choke, surge], 20.0, TraceSettings(), 2.0, None, SHAPE)
    assert np.array_equal(joined.points, np.concatenate([surge.points, choke.points]))
    assert 0 < joined.bridged < 5 and joined.confidence < 1.0
    # A line starting beside the end of another, not ahead of it, is another line.
    beside = piece(curve[cut + 2 :] + np.array([12.0, 0.0]))
    assert len(_join_pieces([surge, beside], 20.0, TraceSettings(), 2.0, None, SHAPE)) == 2
    # Nor is a line that, joined, would turn back on itself.
    back = piece(curve[: cut - 2][::-1] + np.array([0.0, 6.0]))
    assert len(_join_pieces([surge, back], 20.0, TraceSettings(), 2.0, None, SHAPE)) == 2


def test_a_line_far_shorter_than_its_neighbours_ranks_last():
    curves = family()
    piece = speedline(60, 100, 82, 10)  # an island arc between the two lower speedlines
    # The length doubt alone: the learned check would scale every confidence by its odds too.
    lines = trace_lines(draw([*curves, piece], SHAPE), settings=TraceSettings(line_check=False))
    assert len(lines) == 4
    assert np.linalg.norm(lines[1].points[0] - piece[0]) < 3  # ordered between them
    assert all(ln.confidence > 0.9 for ln in (lines[0], *lines[2:]))
    assert 0.3 < lines[1].confidence < 0.8
    assert lines[1].confidence == min(ln.confidence for ln in lines)
