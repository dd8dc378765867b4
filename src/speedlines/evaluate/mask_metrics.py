"""Mask quality: pixel IoU, Dice, precision, recall, and a thickness-invariant tolerant F1.

Pixel scores punish a line drawn one pixel wider than the label as much as a missed line;
the tolerant F1 compares one-pixel skeletons instead, matched within ``tolerance`` pixels, so
it measures whether the right lines were found, whatever their drawn width.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
from scipy import ndimage
from skimage.morphology import skeletonize

TOLERANCE_PX = 2.0


def _field_sum(a, b):
    """Field-wise sum of two count dataclasses of one type: how counts pool over images."""
    x, y = asdict(a), asdict(b)
    return type(a)(**{k: x[k] + y[k] for k in x})


@dataclass
class Counts:
    """Sums that aggregate over images; every score is computed from them."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    # skeleton pixels: predicted ones near the truth, all predicted, truth near a prediction, all
    skel_pred_hit: int = 0
    skel_pred: int = 0
    skel_true_hit: int = 0
    skel_true: int = 0

    def __add__(self, other: Counts) -> Counts:
        return _field_sum(self, other)

    def scores(self) -> Scores:
        return Scores.from_counts(self)


def _ratio(num: float, den: float) -> float:
    # Nothing to find and nothing found is a perfect answer, not 0/0.
    return 1.0 if den == 0 else float(num) / float(den)


@dataclass
class Scores:
    iou: float
    dice: float
    precision: float
    recall: float
    tolerant_precision: float
    tolerant_recall: float
    tolerant_f1: float
    counts: Counts = field(repr=False)

    @classmethod
    def from_counts(cls, c: Counts) -> Scores:
        tp_ = _ratio(c.skel_pred_hit, c.skel_pred)
        tr = _ratio(c.skel_true_hit, c.skel_true)
        return cls(
            iou=_ratio(c.tp, c.tp + c.fp + c.fn),
            dice=_ratio(2 * c.tp, 2 * c.tp + c.fp + c.fn),
            precision=_ratio(c.tp, c.tp + c.fp),
            recall=_ratio(c.tp, c.tp + c.fn),
            tolerant_precision=tp_,
            tolerant_recall=tr,
            tolerant_f1=0.0 if tp_ + tr == 0 else 2 * tp_ * tr / (tp_ + tr),
            counts=c,
        )

    def as_dict(self) -> dict[str, float]:
        d = asdict(self)
        d.pop("counts")
        return d


def skeleton(mask: np.ndarray) -> np.ndarray:
    """One-pixel-wide centre lines of a boolean mask."""
    return skeletonize(mask.astype(bool)) if mask.any() else np.zeros(mask.shape, bool)


def _near(points: np.ndarray, target: np.ndarray, tolerance: float) -> int:
    """How many True pixels of ``points`` lie within ``tolerance`` of a True pixel of target."""
    if not points.any():
        return 0
    if not target.any():
        return 0
    dist = ndimage.distance_transform_edt(~target)
    return int(np.count_nonzero(dist[points] <= tolerance))


def count(pred: np.ndarray, truth: np.ndarray, tolerance: float = TOLERANCE_PX) -> Counts:
    """Pixel and skeleton counts of a predicted mask against the truth (boolean, same shape)."""
    if pred.shape != truth.shape:
        raise ValueError(f"prediction {pred.shape} and truth {truth.shape} differ in shape")
    pred, truth = pred.astype(bool), truth.astype(bool)
    sp, st = skeleton(pred), skeleton(truth)
    return Counts(
        tp=int(np.count_nonzero(pred & truth)),
        fp=int(np.count_nonzero(pred & ~truth)),
        fn=int(np.count_nonzero(~pred & truth)),
        skel_pred_hit=_near(sp, st, tolerance),
        skel_pred=int(np.count_nonzero(sp)),
        skel_true_hit=_near(st, sp, tolerance),
        skel_true=int(np.count_nonzero(st)),
    )


def score(pred: np.ndarray, truth: np.ndarray, tolerance: float = TOLERANCE_PX) -> Scores:
    """All scores of one prediction."""
    return count(pred, truth, tolerance).scores()


@dataclass
class ErrorSplit:
    """Wrong pixels split by distance: ``edge`` ones lie within ``near_px`` of the other mask
    (a line found, drawn a pixel wider, thinner or shifted); ``far`` ones are lines missed or
    invented. Pools over images like :class:`Counts`."""

    tp: int = 0
    fp_edge: int = 0
    fp_far: int = 0
    fn_edge: int = 0
    fn_far: int = 0

    def __add__(self, other: ErrorSplit) -> ErrorSplit:
        return _field_sum(self, other)

    def iou(self, edge: bool = True, far: bool = True) -> float:
        """IoU counting only the chosen kinds of error (both: the plain IoU)."""
        wrong = (self.fp_edge + self.fn_edge) * edge + (self.fp_far + self.fn_far) * far
        return _ratio(self.tp, self.tp + wrong)


def split_errors(pred: np.ndarray, truth: np.ndarray, near_px: float = 1.5) -> ErrorSplit:
    """False positives and negatives of ``pred`` split into edge and far errors."""
    if pred.shape != truth.shape:
        raise ValueError(f"prediction {pred.shape} and truth {truth.shape} differ in shape")
    pred, truth = pred.astype(bool), truth.astype(bool)
    fp, fn = pred & ~truth, ~pred & truth
    # With nothing on one side, every error there is far (the distance is infinite).
    far = np.full(pred.shape, np.inf)
    to_truth = ndimage.distance_transform_edt(~truth) if truth.any() else far
    to_pred = ndimage.distance_transform_edt(~pred) if pred.any() else far
    fp_edge = int(np.count_nonzero(fp & (to_truth <= near_px)))
    fn_edge = int(np.count_nonzero(fn & (to_pred <= near_px)))
    return ErrorSplit(
        tp=int(np.count_nonzero(pred & truth)),
        fp_edge=fp_edge,
        fp_far=int(np.count_nonzero(fp)) - fp_edge,
        fn_edge=fn_edge,
        fn_far=int(np.count_nonzero(fn)) - fn_edge,
    )
