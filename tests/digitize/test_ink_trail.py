"""Lines followed on along the image's ink past the mask's ends (digitize.ink_trail)."""

import cv2
import numpy as np
import pytest

from speedlines.digitize.ink_trail import along_ink, falling_prefix, follow_ink, ink_darkness
from speedlines.digitize.trace import TraceSettings, trace_lines

BOX = (0, 0, 199, 179)


def speedline(n: int = 400) -> np.ndarray:
    """A speedline's shape (col, row): flat from the surge end, then falling to choke."""
    t = np.linspace(0, 1, n)
    col = 20 + 130 * t
    row = 60 + 80 * t**3
    return np.stack([col, row], axis=1)


def draw(points_list, size=(180, 200), thickness=1) -> np.ndarray:
    img = np.full((*size, 3), 255, np.uint8)
    for p in points_list:
        pts = np.rint(p * 16).astype(np.int32)  # 4 fractional bits: antialiased sub-pixel
        cv2.polylines(img, [pts], False, (0, 0, 0), thickness, cv2.LINE_AA, shift=4)
    return img


def piece(p: np.ndarray, c0: float, c1: float) -> np.ndarray:
    return p[(p[:, 0] >= c0) & (p[:, 0] <= c1)]


def test_ink_darkness_marks_thin_lines_not_the_paper_or_shading():
    img = draw([speedline()])
    img[100:170, 20:60] = 200  # a broad grey block: shading, not a line
    ink = ink_darkness(img)
    assert ink[60, 40] > 0.5  # on the line
    assert ink[10, 10] == 0.0
    assert ink[130, 40] < 0.05  # inside the block


def test_a_broken_line_is_joined_and_its_choke_end_followed_to_the_end():
    line = speedline()
    ink = ink_darkness(draw([line]))
    # The mask gave the flat start and the middle of the fall, nothing between or after.
    pieces = [piece(line, 20, 95), piece(line, 112, 142)]
    out = along_ink(pieces, ink, BOX, 1.0)
    assert len(out) == 1
    chain, points, added = out[0]
    assert chain == [0, 1]
    end = points[-1]
    assert np.linalg.norm(end - line[-1]) < 4, end
    assert added > 25
    # Every point lies on the drawn line.
    d = np.min(np.linalg.norm(points[:, None] - line[None, :], axis=2), axis=1)
    assert d.max() < 1.5


def test_without_the_ink_the_pieces_stay_apart():
    line = speedline()
    ink = ink_darkness(draw([]))
    pieces = [piece(line, 20, 95), piece(line, 112, 142)]
    out = along_ink(pieces, ink, BOX, 1.0)
    assert [c for c, _, _ in out] == [[0], [1]]
    assert all(added == 0 for _, _, added in out)


def test_the_speed_label_below_a_choke_end_is_not_followed():
    line = speedline()
    img = draw([line])
    cv2.putText(img, "80", (140, 158), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 1, cv2.LINE_AA)
    out = along_ink([piece(line, 20, 140)], ink_darkness(img), BOX, 1.0)
    end = out[0][1][-1]
    assert end[1] <= line[-1][1] + 2, end


def test_a_closed_contour_is_not_followed_past_where_it_bends_back():
    img = np.full((180, 200, 3), 255, np.uint8)
    cv2.ellipse(img, (100, 100), (60, 40), 0, 0, 360, (0, 0, 0), 1, cv2.LINE_AA)
    # The upper right arc, from the top to the rightmost point: flat, then falling.
    a = np.radians(np.linspace(-90, -2, 100))
    arc = np.stack([100 + 60 * np.cos(a), 100 + 40 * np.sin(a)], axis=1)
    _, points, added = along_ink([arc], ink_darkness(img), BOX, 1.0)[0]
    assert points[-1][0] > 155  # still on the right side: it did not run round the bottom
    assert added < 15


def test_a_dashed_grid_line_below_a_choke_end_is_not_followed():
    line = speedline()
    img = draw([line])
    end = np.rint(line[-1]).astype(int)
    for r in range(end[1] + 1, 178, 5):  # 1-px dashes, 3 on, 2 off
        img[r : r + 3, end[0]] = 0
    _, points, _ = along_ink([piece(line, 20, 149)], ink_darkness(img), BOX, 1.0)[0]
    assert points[-1][1] < end[1] + 6


def test_a_trail_stops_short_of_another_line_and_crosses_a_line_at_an_angle():
    line = speedline()
    below = np.array([[100.0, 150.0], [199.0, 150.0]])  # a flat line under the choke end
    across = np.array([[120.0, 140.0], [190.0, 70.0]])  # crosses the fall at about 45 degrees
    ink = ink_darkness(draw([line, below, across]))
    mine = piece(line, 20, 135)
    out = along_ink([mine, below], ink, BOX, 1.0)
    points = out[0][1]
    assert out[0][0] == [0]
    assert points[-1][1] > line[:, 1][line[:, 0] <= 140].max() - 1  # past the crossing
    assert points[:, 1].max() < 150 - 3  # never onto the line below


def test_falling_prefix_cuts_where_a_trail_bends_back_or_turns_up():
    heads = np.radians([80, 85, 90, 95, 99, 105, 120])
    assert falling_prefix(heads) == 5
    heads = np.radians([30, 25, 20, 10])
    assert falling_prefix(heads) == 3
    assert falling_prefix(np.array([])) == 0


def test_follow_ink_bridges_a_short_gap_but_not_a_long_one():
    img = np.full((40, 200, 3), 255, np.uint8)
    img[20, 10:80] = 0
    img[20, 86:190] = 0  # a 6 px gap
    ink = ink_darkness(img)
    path, _ = follow_ink(ink, np.array([10.0, 20.0]), 0.0, 300, 8, 4, 0.3)
    assert path[-1][0] > 185
    path, _ = follow_ink(ink, np.array([10.0, 20.0]), 0.0, 300, 4, 4, 0.3)
    assert path[-1][0] < 82


@pytest.mark.parametrize("follow", [True, False])
def test_trace_lines_follows_the_ink_only_when_given_it(follow):
    line = speedline()
    img = draw([line])
    mask = np.zeros(img.shape[:2], np.uint8)
    cv2.polylines(mask, [np.rint(piece(line, 20, 142)).astype(np.int32)], False, 1, 2)
    ink = ink_darkness(img) if follow else None
    lines = trace_lines(mask.astype(bool), None, None, TraceSettings(), ink)
    assert len(lines) == 1
    gap = np.linalg.norm(lines[0].choke_end - line[-1])
    if follow:
        assert gap < 4
        assert lines[0].bridged > 10  # the ink the model did not mark counts as bridged
    else:
        assert gap > 10
        assert lines[0].bridged == 0
