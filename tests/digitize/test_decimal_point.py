import numpy as np
import pytest

from speedlines.digitize.decimal_point import (
    digit_spacing,
    glyphs,
    point_room,
    restore_decimal_points,
)

H, W = 7, 4  # a 7 px digit in a 4 px wide box, as a small bitmap font draws it


def _label(parts) -> np.ndarray:
    """Ink of a label: "g" a digit glyph, "." a 1-px point on the baseline, an int a gap."""
    cols = []
    for p in parts:
        if p == "g":
            glyph = np.ones((H, W), np.uint8)
            glyph[1:-1, 1:-1] = 0  # a ring, like a "0"
            cols.append(glyph)
        elif p == ".":
            dot = np.zeros((H, 1), np.uint8)
            dot[-1] = 1
            cols.append(dot)
        else:
            cols.append(np.zeros((H, p), np.uint8))
    return np.pad(np.hstack(cols), 1)


def test_glyphs_finds_the_gaps_and_a_point_on_the_baseline():
    found = glyphs(_label(["g", 1, "g", 1, ".", 1, "g"]))
    assert found.count == 3 and found.gaps == (1, 3) and found.dot == 2
    assert glyphs(_label(["g", 1, "g"])).dot is None
    assert glyphs(np.zeros((3, 3), np.uint8)) is None  # no text


def test_a_point_drawn_but_not_read_is_put_back():
    g = glyphs(_label(["g", 1, ".", 1, "g"]))
    assert restore_decimal_points([("48", g)], spacing=None) == ["4.8"]


def test_the_room_of_a_lost_point_puts_it_back_on_every_label_of_the_axis():
    wide = glyphs(_label(["g", 3, "g"]))
    labels = [("30", wide), ("24", wide), ("18", wide), ("12", wide)]
    assert restore_decimal_points(labels, spacing=1.0) == ["3.0", "2.4", "1.8", "1.2"]


@pytest.mark.parametrize(
    "labels, spacing",
    [
        # the gaps are the font's own spacing: 30, 24
        ([("30", ["g", 1, "g"]), ("24", ["g", 1, "g"])], 1.0),
        # only gaps beside a "1", wide in any font: 10, 11, 12
        ([("10", ["g", 3, "g"]), ("11", ["g", 3, "g"]), ("12", ["g", 3, "g"])], 1.0),
        # wide gaps at different places: no count of decimals agrees
        ([("250", ["g", 3, "g", 1, "g"]), ("500", ["g", 1, "g", 3, "g"])], 1.0),
        # a narrow gap where another label's point would stand
        ([("30", ["g", 3, "g"]), ("24", ["g", 1, "g"]), ("48", ["g", 3, "g"])], 1.0),
        # one label alone shows it
        ([("30", ["g", 3, "g"]), ("5", ["g"])], 1.0),
        # the chart's spacing unknown
        ([("30", ["g", 3, "g"]), ("24", ["g", 3, "g"])], None),
        # as many glyphs as digits, or nothing is known of where a digit's ink is
        ([("300", ["g", 3, "g"]), ("240", ["g", 3, "g"])], 1.0),
    ],
)
def test_no_point_is_made_up(labels, spacing):
    given = [(text, glyphs(_label(parts))) for text, parts in labels]
    assert restore_decimal_points(given, spacing) == [text for text, _ in labels]


def test_digit_spacing_is_the_narrowest_gap_between_digits():
    labels = [
        ("250", glyphs(_label(["g", 4, "g", 5, "g"]))),
        ("30", glyphs(_label(["g", 6, "g"]))),
        ("10", glyphs(_label(["g", 1, "g"]))),  # beside a "1": left out
        ("05", glyphs(_label(["g", 1, ".", 1, "g"]))),  # around a point: left out
    ]
    assert digit_spacing(labels) == 4.0
    assert digit_spacing(labels[1:]) == 6.0
    assert digit_spacing([("1.5", None)]) is None
    # Gaps as wide as a point's room are lost points, not the font's spacing.
    assert digit_spacing(labels, room=6.0) == 4.0
    assert digit_spacing(labels, room=5.0) is None


def test_without_the_spacing_the_room_of_the_points_kept_elsewhere_tells():
    # x labels "0.1", "0.2" kept their points (a 4 px room); the y labels "36 30 24" lost
    # theirs, and no label shows the font's spacing between two digits.
    kept = [glyphs(_label(["g", 1, ".", 2, "g"])), glyphs(_label(["g", 2, ".", 1, "g"]))]
    assert point_room(kept) == 4.0
    assert point_room([glyphs(_label(["g", 1, "g"])), None]) is None
    wide = glyphs(_label(["g", 4, "g"]))
    labels = [("36", wide), ("30", wide), ("24", wide)]
    assert restore_decimal_points(labels, None, room=4.0) == ["3.6", "3.0", "2.4"]
    narrow = glyphs(_label(["g", 2, "g"]))
    assert restore_decimal_points([("36", narrow), ("30", narrow)], None, room=4.0) == ["36", "30"]
