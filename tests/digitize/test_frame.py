"""find_frame: the plotting frame from the long straight rules, closed or open."""

import numpy as np
import pytest

from speedlines.digitize.frame import find_frame
from speedlines.errors import InputError


def _ink(sides: str, grid: bool = False) -> np.ndarray:
    """A 200 x 300 ink mask with the frame sides named in ``sides`` (l, t, r, b) of the box
    cols 20..280, rows 20..180, and perhaps grid rules inside it, short of its top and right."""
    ink = np.zeros((200, 300), np.uint8)
    if "l" in sides:
        ink[20:181, 20:22] = 1
    if "b" in sides:
        ink[179:181, 20:281] = 1
    if "t" in sides:
        ink[20:22, 20:281] = 1
    if "r" in sides:
        ink[20:181, 279:281] = 1
    if grid:
        ink[[60, 100, 140], 20:250] = 1
        ink[40:181, [80, 140, 200, 250]] = 1
    return ink


def test_a_closed_frame_is_its_four_rules():
    assert find_frame(_ink("ltrb", grid=True))[:4] == (20, 20, 279, 179)


@pytest.mark.parametrize("grid", [False, True])
def test_an_open_frame_ends_where_its_two_axis_lines_end(grid):
    # Only the left and bottom axis lines, as many plotting tools draw them: the grid rules
    # inside, short of the ends, are not the frame's top and right.
    left, top, right, bottom, *_ = find_frame(_ink("lb", grid=grid))
    assert (left, bottom) == (20, 179)
    assert top == pytest.approx(20, abs=1) and right == pytest.approx(280, abs=1)


def test_one_side_lost_is_no_open_frame():
    # A closed frame whose top is lost (faint on a scan) is refused, not read open: the left
    # line's end there is not the plotting area's top.
    with pytest.raises(InputError, match="no plotting frame"):
        find_frame(_ink("lrb"))


def test_two_lines_that_do_not_meet_are_no_frame():
    ink = _ink("lb")
    ink[150:181, 20:22] = 0  # the left line stops 30 px above the bottom one
    with pytest.raises(InputError, match="no plotting frame"):
        find_frame(ink)
