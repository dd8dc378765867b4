import numpy as np
import pytest

from speedlines.evaluate.mask_metrics import Counts, ErrorSplit, count, score, split_errors


def _hline(shape=(32, 48), row=10, width=1, cols=(5, 40)):
    m = np.zeros(shape, bool)
    m[row : row + width, cols[0] : cols[1]] = True
    return m


def test_identical_masks_score_one():
    s = score(_hline(), _hline())
    assert s.iou == s.dice == s.precision == s.recall == s.tolerant_f1 == 1.0


def test_known_pixel_scores():
    truth = _hline(cols=(0, 10))
    pred = np.zeros_like(truth)
    pred[10, 5:10] = True  # 5 of the 10 truth pixels
    pred[30, 0:5] = True  # 5 false pixels
    s = score(pred, truth)
    assert s.iou == pytest.approx(5 / 15)
    assert s.dice == pytest.approx(10 / 20)
    assert s.precision == pytest.approx(0.5) and s.recall == pytest.approx(0.5)


def test_one_pixel_shift_is_tolerated_but_not_by_iou():
    truth, pred = _hline(row=10), _hline(row=11)
    s = score(pred, truth)
    assert s.iou == 0.0
    assert s.tolerant_f1 == 1.0
    far = score(_hline(row=20), truth)
    assert far.tolerant_f1 == 0.0, "10 px away is a different line, not a tolerated shift"


def test_tolerant_f1_ignores_line_thickness():
    truth = _hline(row=10, width=1)
    thick = _hline(row=9, width=3)
    s = score(thick, truth)
    assert s.precision == pytest.approx(1 / 3) and s.recall == 1.0
    assert s.tolerant_f1 == pytest.approx(1.0)


def test_missed_line_and_empty_cases():
    truth = _hline()
    miss = score(np.zeros_like(truth), truth)
    assert miss.iou == 0 and miss.recall == 0 and miss.tolerant_f1 == 0
    empty = np.zeros((8, 8), bool)
    assert score(empty, empty).iou == 1.0, "nothing to find, nothing found"
    spurious = score(_hline(), np.zeros((32, 48), bool))
    assert spurious.precision == 0 and spurious.tolerant_f1 == 0


def test_counts_pool_over_images():
    a = count(_hline(cols=(0, 10)), _hline(cols=(0, 20)))  # tp 10, fn 10
    b = count(_hline(cols=(0, 20)), _hline(cols=(0, 10)))  # tp 10, fp 10
    total = a + b
    assert isinstance(total, Counts)
    assert (total.tp, total.fp, total.fn) == (20, 10, 10)
    assert total.scores().iou == pytest.approx(0.5)


def test_shape_mismatch_is_an_error():
    with pytest.raises(ValueError, match="differ in shape"):
        count(np.zeros((4, 4), bool), np.zeros((4, 5), bool))


def test_split_errors_separates_width_from_missed_lines():
    truth = _hline(row=10, width=2, cols=(0, 20)) | _hline(row=25, cols=(0, 20))
    pred = _hline(row=10, width=1, cols=(0, 20)) | _hline(row=3, cols=(0, 10))
    e = split_errors(pred, truth)
    # row 11 is one pixel off the prediction; the line at row 25 is missed; row 3 is invented
    assert e == ErrorSplit(tp=20, fp_edge=0, fp_far=10, fn_edge=20, fn_far=20)
    assert e.iou() == pytest.approx(score(pred, truth).iou)
    assert e.iou(edge=False) == pytest.approx(20 / 50)
    assert e.iou(far=False) == pytest.approx(20 / 40)
    assert (e + e).iou() == pytest.approx(e.iou())


def test_split_errors_with_an_empty_side():
    truth = _hline()
    e = split_errors(np.zeros_like(truth), truth)
    assert e.fn_far == truth.sum() and e.fn_edge == 0 and e.iou() == 0.0
    assert split_errors(truth, np.zeros_like(truth)).fp_far == truth.sum()
