"""Island arcs told by their ink crossing longer lines (digitize.island_arcs)."""

from types import SimpleNamespace

import cv2
import numpy as np

from speedlines.digitize.ink_trail import ink_darkness
from speedlines.digitize.island_arcs import drop_island_arcs

BOX = (0, 0, 239, 199)


def curve(c0, r0, c1, r1, n=300) -> np.ndarray:
    """A speedline's shape from (c0, r0) (surge) to (c1, r1) (choke): flat, then falling."""
    t = np.linspace(0, 1, n)
    return np.stack([c0 + (c1 - c0) * t, r0 + (r1 - r0) * t**3], axis=1)


def line(points) -> SimpleNamespace:
    return SimpleNamespace(
        points=points, length=float(np.linalg.norm(np.diff(points, axis=0), axis=1).sum())
    )


def picture(curves, ellipse=True) -> np.ndarray:
    img = np.full((200, 240, 3), 255, np.uint8)
    for p in curves:
        cv2.polylines(img, [np.rint(p * 16).astype(np.int32)], False, (0, 0, 0), 1, cv2.LINE_AA, 4)
    if ellipse:
        cv2.ellipse(img, (100, 100), (60, 30), 0, 0, 360, (0, 0, 0), 1, cv2.LINE_AA)
    return img


def upper_right_arc() -> np.ndarray:
    a = np.radians(np.linspace(-90, -3, 80))
    return np.stack([100 + 60 * np.cos(a), 100 + 30 * np.sin(a)], axis=1)


def test_the_arc_of_an_island_whose_contour_crosses_a_speedline_is_dropped():
    upper, lower = curve(20, 40, 225, 195), curve(20, 105, 175, 190)
    lines = [line(upper), line(lower), line(upper_right_arc())]
    kept = drop_island_arcs(lines, ink_darkness(picture([upper, lower])), BOX, 1.0)
    assert [k.points is lines[i].points for i, k in enumerate(kept)] == [True, True]
    assert len(kept) == 2


def test_without_the_contour_the_same_arc_stays():
    upper, lower = curve(20, 40, 225, 195), curve(20, 105, 175, 190)
    arc = upper_right_arc()
    lines = [line(upper), line(lower), line(arc)]
    # Only the arc is drawn: its ink ends where the line does.
    kept = drop_island_arcs(lines, ink_darkness(picture([upper, lower, arc], False)), BOX, 1.0)
    assert len(kept) == 3


def test_an_arc_as_long_as_the_line_its_contour_crosses_stays():
    # Lines of like length that cross through their ink are for other rules to judge.
    short = curve(20, 105, 70, 125)
    lines = [line(short), line(upper_right_arc())]
    kept = drop_island_arcs(lines, ink_darkness(picture([short])), BOX, 1.0)
    assert len(kept) == 2


def test_speedlines_meeting_a_surge_line_at_their_ends_stay():
    upper, lower = curve(60, 40, 225, 195), curve(30, 105, 175, 190)
    surge = np.array([[20.0, 120.0], [70.0, 30.0]])  # through both surge ends
    lines = [line(upper), line(lower)]
    kept = drop_island_arcs(lines, ink_darkness(picture([upper, lower, surge], False)), BOX, 1.0)
    assert len(kept) == 2


def test_a_trail_is_cut_at_its_first_corner_not_along_a_smooth_bend():
    from speedlines.digitize.island_arcs import _before_corner

    smooth = np.radians(np.arange(0, 180, 8.0))  # 8 degrees a step: a contour's bend
    assert _before_corner(smooth) == len(smooth)
    corner = np.radians([80, 80, 82, 60, 30, 5, 0, 0, 0])  # down, then along a box border
    assert _before_corner(corner) == 2  # kept: the points before the turn began
