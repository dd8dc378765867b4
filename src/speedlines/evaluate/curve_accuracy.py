"""Accuracy of digitized speedlines against known truth curves (e.g. the generator's).

Each truth line is matched to at most one found line. Errors are measured where a speedline
is flat, vertically (at the same column), and where it turns steep at the choke end,
horizontally (at the same row), in % of the plotting area's height or width.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

__all__ = ["ImageAccuracy", "assess", "line_errors", "summarize"]


def _crossings(poly: np.ndarray, at: float, axis: int) -> np.ndarray:
    """Values of the other coordinate where a polyline crosses coordinate ``axis`` == ``at``."""
    a, b = poly[:-1], poly[1:]
    da, db = a[:, axis] - at, b[:, axis] - at
    hit = (da * db <= 0) & (a[:, axis] != b[:, axis])
    if not hit.any():
        return np.empty(0)
    a, b = a[hit], b[hit]
    t = (at - a[:, axis]) / (b[:, axis] - a[:, axis])
    o = 1 - axis
    return a[:, o] + t * (b[:, o] - a[:, o])


def line_errors(truth: np.ndarray, found: np.ndarray, span: tuple[float, float]) -> np.ndarray:
    """Error of ``found`` at each truth point in % of the span; NaN where it does not reach.

    ``truth`` and ``found`` are (N, 2) (col, row) polylines; ``span`` is (width, height) px.
    """
    truth = np.asarray(truth, dtype=np.float64)
    found = np.asarray(found, dtype=np.float64)
    tangent = np.gradient(truth, axis=0)
    errors = np.full(len(truth), np.nan)
    for i, (p, t) in enumerate(zip(truth, tangent)):
        flat = abs(t[0]) >= abs(t[1])
        axis = 0 if flat else 1  # flat: cross at the same column, compare rows
        values = _crossings(found, p[axis], axis)
        if len(values):
            err = np.min(np.abs(values - p[1 - axis]))
            errors[i] = 100.0 * err / (span[1] if flat else span[0])
    return errors


@dataclass
class ImageAccuracy:
    truth_lines: int
    found_lines: int
    matched: list[tuple[int, int]]  # (truth index, found index)
    errors: np.ndarray  # % of span, at covered truth points of matched lines
    coverage: float  # share of matched truth points that the found line reaches
    case: str = ""
    name: str = ""
    worst: dict = field(default_factory=dict)

    @property
    def spurious(self) -> int:
        return self.found_lines - len(self.matched)


def assess(
    truth: list[np.ndarray],
    found: list[np.ndarray],
    span: tuple[float, float],
    inside: tuple[float, float, float, float] | None = None,
    max_error_pct: float = 2.0,
    min_coverage: float = 0.3,
) -> ImageAccuracy:
    """Match found lines to truth lines and measure their errors.

    Truth points outside ``inside`` ([x0, y0, x1, y1]) are ignored: no one can digitize them.
    A truth and a found line match when the found line reaches at least ``min_coverage`` of
    the truth points with a median error under ``max_error_pct``.
    """
    truth = [np.asarray(t, dtype=np.float64) for t in truth]
    if inside is not None:
        x0, y0, x1, y1 = inside
        truth = [
            t[(t[:, 0] >= x0) & (t[:, 0] <= x1) & (t[:, 1] >= y0) & (t[:, 1] <= y1)] for t in truth
        ]
        truth = [t if len(t) >= 2 else np.empty((0, 2)) for t in truth]
    present = [i for i, t in enumerate(truth) if len(t) >= 2]
    per_pair: dict[tuple[int, int], np.ndarray] = {}
    cost = np.full((len(present), len(found)), 1e9)
    for a, i in enumerate(present):
        for j, f in enumerate(found):
            if len(f) < 2:
                continue
            e = line_errors(truth[i], f, span)
            covered = np.isfinite(e)
            if covered.mean() < min_coverage:
                continue
            med = float(np.median(e[covered]))
            if med <= max_error_pct:
                per_pair[i, j] = e
                cost[a, j] = med - covered.mean()  # prefer close, then long
    matched = []
    if len(present) and len(found):
        rows, cols = linear_sum_assignment(cost)
        matched = [(present[r], int(c)) for r, c in zip(rows, cols) if cost[r, c] < 1e9]
    errs = [per_pair[m] for m in matched]
    allerr = np.concatenate(errs) if errs else np.empty(0)
    coverage = float(np.isfinite(allerr).mean()) if len(allerr) else 0.0
    return ImageAccuracy(len(present), len(found), matched, allerr[np.isfinite(allerr)], coverage)


def summarize(results: list[ImageAccuracy]) -> dict:
    """Pooled scores of a set: line recall, spurious lines, error mean and p95, coverage."""
    truth = sum(r.truth_lines for r in results)
    matched = sum(len(r.matched) for r in results)
    errors = np.concatenate([r.errors for r in results]) if results else np.empty(0)
    covered = [r.coverage for r in results if r.matched]
    return {
        "images": len(results),
        "truth_lines": truth,
        "recall": matched / truth if truth else float("nan"),
        "spurious": sum(r.spurious for r in results),
        "images_with_spurious": sum(r.spurious > 0 for r in results),
        "mean_error_pct": float(np.mean(errors)) if len(errors) else float("nan"),
        "p95_error_pct": float(np.percentile(errors, 95)) if len(errors) else float("nan"),
        "coverage": float(np.mean(covered)) if covered else 0.0,
    }


def truth_lines(meta: dict) -> list[np.ndarray]:
    """The speedline polylines (col, row) of a generated sample's metadata."""
    return [np.asarray(s["pixels"], dtype=np.float64) for s in meta.get("speedlines", [])]


def assess_lines(found: list[np.ndarray], meta: dict, width: int, height: int) -> ImageAccuracy:
    """Found (col, row) curves of one generated image against its truth, in its plot area."""
    area = (meta.get("calibration") or {}).get("plot_area") or (0, 0, width - 1, height - 1)
    x0, y0, x1, y1 = area
    result = assess(truth_lines(meta), found, (x1 - x0, y1 - y0), inside=tuple(area))
    result.case = meta.get("case", "")
    return result


def score_samples(samples, mask_of, points: int = 200) -> dict:
    """Digitize each generated sample (``.image``, ``.meta``) with its exact calibration from
    the mask ``mask_of(sample) -> (mask, probability or None)`` and its image, as the tool
    does, and pool the scores (:func:`summarize`); a sample where digitizing finds nothing
    counts as all lines missed."""
    from speedlines.digitize.calibration import Calibration
    from speedlines.digitize.pipeline import digitize_mask
    from speedlines.errors import InputError

    results = []
    for s in samples:
        cal = Calibration.from_dict(s.meta["calibration"])
        mask, prob = mask_of(s)
        try:
            lines = digitize_mask(mask, cal, None, prob, points, image=s.image).lines
            found = [sl.pixels for sl in lines]
        except InputError:
            found = []
        h, w = mask.shape
        results.append(assess_lines(found, s.meta, w, h))
    return summarize(results)
