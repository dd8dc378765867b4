"""Scores: masks against label masks (``mask_metrics``), digitized curves against truth curves
(``curve_accuracy``), and a model over a data set with its reports (``report``)."""

from speedlines.evaluate.curve_accuracy import ImageAccuracy, assess, assess_lines, summarize
from speedlines.evaluate.mask_metrics import Counts, Scores, count, score, split_errors
from speedlines.evaluate.report import Evaluation, evaluate, write_reports

__all__ = [
    "Counts",
    "Evaluation",
    "ImageAccuracy",
    "Scores",
    "assess",
    "assess_lines",
    "count",
    "evaluate",
    "score",
    "split_errors",
    "summarize",
    "write_reports",
]
