import numpy as np
import pytest

from speedlines.evaluate.curve_accuracy import assess, assess_lines, line_errors, summarize
from tests.drawn_maps import family, speedline

SPAN = (200.0, 100.0)


def test_errors_are_vertical_on_the_flat_part_and_horizontal_at_choke():
    truth = speedline(20, 150, 30, 60)
    shifted = truth + np.array([0.0, 2.0])  # 2 px lower
    e = line_errors(truth, shifted, SPAN)
    flat = np.abs(np.gradient(truth[:, 0])) >= np.abs(np.gradient(truth[:, 1]))
    np.testing.assert_allclose(e[flat][5:], 2.0, atol=1e-6)  # 2 px of 100 = 2 %
    moved = truth + np.array([3.0, 0.0])
    e = line_errors(truth, moved, SPAN)
    steep = ~flat & np.isfinite(e)
    np.testing.assert_allclose(e[steep][:-5], 1.5, atol=1e-6)  # 3 px of 200 = 1.5 %


def test_matching_recall_spurious_and_coverage():
    truth = family(200, 100)
    found = [truth[0], truth[2][: len(truth[2]) // 2], speedline(5, 30, 5, 10)]
    r = assess(truth, found, SPAN)
    assert sorted(r.matched) == [(0, 0), (2, 1)]
    assert r.spurious == 1 and r.truth_lines == 3
    assert 0.6 < r.coverage < 0.9
    s = summarize([r])
    assert s["recall"] == pytest.approx(2 / 3) and s["mean_error_pct"] < 1e-6
    assert s["images_with_spurious"] == 1


def test_truth_outside_the_plot_area_is_not_counted():
    truth = family(200, 100)
    meta = {"speedlines": [{"pixels": t.tolist()} for t in truth],
            "calibration": {"plot_area": [0, 0, 199, 60]}, "case": "simple"}  # fmt: skip
    r = assess_lines([t[t[:, 1] <= 60] for t in truth], meta, 200, 100)
    assert r.case == "simple" and len(r.matched) == r.truth_lines
