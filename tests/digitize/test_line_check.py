"""The learned line check: its features, its trees read back, and the shipped check's use."""

import dataclasses
import json

import numpy as np
import pytest

from speedlines.digitize.line_check import (
    FEATURES,
    LineCheck,
    check_lines,
    default_check,
    line_features,
)
from speedlines.digitize.line_shape import arc_length
from speedlines.digitize.trace import trace_lines
from speedlines.errors import InputError
from tests.drawn_maps import distance_to, draw, family, speedline

BOX = (0.0, 0.0, 239.0, 139.0)
SHAPE = (140, 240)


@dataclasses.dataclass
class Line:
    points: np.ndarray
    confidence: float = 0.9
    bridged: float = 0.0

    @property
    def length(self) -> float:
        return float(arc_length(self.points)[-1])


def _column(name):
    return FEATURES.index(name)


def test_features_do_not_depend_on_the_image_scale():
    lines = [Line(c) for c in family(lines=4)]
    big = [Line(ln.points * 3.0) for ln in lines]
    a = line_features(lines, BOX)
    b = line_features(big, tuple(3.0 * v for v in BOX))
    assert a.shape == (4, len(FEATURES))
    assert np.allclose(a, b, atol=0.05), "scale-free features"


def test_an_arc_between_two_speedlines_stands_apart_in_its_features():
    curves = family(lines=3)
    # A short speedline-like arc between the lowest two, starting well right of both.
    arc = speedline(90, 130, 80, 20)
    lines = [Line(curves[0]), Line(arc), Line(curves[1]), Line(curves[2])]
    f = line_features(lines, BOX)
    assert f[1, _column("surge_offset")] > 0.15, "its surge end lies right of its neighbours'"
    assert f[1, _column("length_neighbour")] < 0.5, "far shorter than its neighbours"
    assert f[2, _column("gap_below")] < 0.6 and f[1, _column("gap_above")] < 0.6, "crowded"


def _stump(feature: str, threshold: float, low: float, high: float) -> dict:
    return {"feature": [FEATURES.index(feature), -2, -2], "threshold": [threshold, -2, -2],
            "left": [1, -1, -1], "right": [2, -1, -1], "value": [0.0, low, high]}  # fmt: skip


def _write(tmp_path, **over):
    doc = {"features": FEATURES, "init": 0.0, "rate": 1.0, "threshold": 0.5,
           "trees": [_stump("length_neighbour", 0.5, -4.0, 4.0)]} | over  # fmt: skip
    path = tmp_path / "line_check.json"
    path.write_text(json.dumps(doc))
    return path


def test_trees_read_back_give_the_odds_of_their_leaves(tmp_path):
    check = LineCheck.load(_write(tmp_path))
    x = np.zeros((2, len(FEATURES)))
    x[:, _column("length_neighbour")] = [0.2, 0.9]
    assert np.allclose(check.odds(x), 1 / (1 + np.exp([4.0, -4.0])))


def test_check_lines_drops_what_the_check_rejects_and_scales_the_rest(tmp_path):
    check = LineCheck.load(_write(tmp_path))
    curves = family(lines=3)
    arc = Line(speedline(90, 130, 80, 20))
    lines = [Line(curves[0]), arc, Line(curves[1]), Line(curves[2])]
    kept = check_lines(lines, BOX, None, check)
    assert [k.points.shape for k in kept] == [ln.points.shape for ln in lines if ln is not arc]
    assert all(k.confidence < 0.9 for k in kept), "confidence scaled by the odds"


@pytest.mark.parametrize(
    "broken",
    [
        {"features": FEATURES[:-1]},
        {"trees": "none"},
        {"init": "x"},
        {"format": "speedlines-line-check/2"},
        {"trees": [_stump("turn", 0.0, -1.0, 1.0) | {"right": [7, -1, -1]}]},
        {"trees": [_stump("turn", 0.0, -1.0, 1.0) | {"feature": [99, -2, -2]}]},
    ],
)
def test_a_line_check_for_other_features_or_corrupt_is_refused(tmp_path, broken):
    with pytest.raises(InputError, match="line check"):
        LineCheck.load(_write(tmp_path, **broken)).odds(np.zeros((1, len(FEATURES))))


def test_not_json_is_refused(tmp_path):
    path = tmp_path / "line_check.json"
    path.write_text("{")
    with pytest.raises(InputError, match="line check"):
        LineCheck.load(path)


def test_the_shipped_check_keeps_plain_families():
    """What it drops on generated maps is measured in tests/digitize/test_quality.py (floors
    of spurious lines that tracing without it fails); here, that it leaves alone what it
    must: every line of plain drawn families, confident."""
    assert default_check() is not None, "a line check ships beside the model"
    for lines, tilt in ((3, 0.0), (4, 0.1)):
        curves = family(lines=lines, tilt=tilt)
        found = trace_lines(draw(curves, SHAPE))
        assert len(found) == lines
        for line, curve in zip(found, curves):
            assert np.median(distance_to(curve, line.points)) < 1.5
            assert line.confidence > 0.9
    big = [speedline(30 + 20 * k, 200 + 30 * k, 230 - 25 * k, 30 + 25 * k) for k in range(8)]
    assert len(trace_lines(draw(big, (300, 480)))) == 8
