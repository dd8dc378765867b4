"""A learned check on the traced lines of one map: speedline, or another curve?

The map-level rules (:mod:`speedlines.digitize.line_family`, :mod:`.island_arcs`) each look at
one trait. What is left after them (nested island arcs that bend like speedlines, pieces of a
speedline, grid and label remains) differs from the speedlines in several traits at once:
where its ends lie against its neighbours' ends, how long it is against them, how close it
runs to them, how sure the model was and how dark its ink is. ``line_features`` measures
these, scale-free, for every line of a map, and a small tree ensemble trained on generated
maps (``experiments/line_check_train.py``, stored as JSON beside the segmentation model)
turns them into the odds that a line is a speedline (docs/results.md, issue 22).
"""

from __future__ import annotations

import dataclasses
import functools
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from speedlines.digitize.ink_trail import end_heading, own_darkness
from speedlines.digitize.line_shape import path_length, row_at, turning
from speedlines.errors import InputError

__all__ = [
    "DEFAULT_CHECK",
    "FEATURES",
    "FORMAT",
    "LineCheck",
    "check_lines",
    "default_check",
    "line_features",
]

FORMAT = "speedlines-line-check/1"
# Trained on the shipped segmentation model's masks, so it ships beside it.
DEFAULT_CHECK = Path(__file__).resolve().parent.parent / "models" / "default" / "line_check.json"

FEATURES = [
    "confidence",  # mean probability x share not bridged
    "bridged",  # share of the length bridged across gaps
    "length_median",  # length / the map's median line length
    "length_longest",  # length / the map's longest line
    "length_neighbour",  # length / the longer neighbour's in speed order
    "length_diagonal",  # length / plotting-area diagonal
    "turn",  # bend from surge to choke end, radians
    "chord",  # chord / length: 1 for a straight line
    "surge_offset",  # surge end x - the neighbours' mean, / area width (+: right of them)
    "choke_offset",  # choke end x - the neighbours' mean, / area width
    "span",  # columns covered / area width
    "span_neighbour",  # columns covered / the neighbours' mean
    "gap_below",  # median row distance to the line below / the map's median spacing
    "gap_above",
    "confidence_relative",  # confidence / the map's median
    "darkness_relative",  # ink darkness / the map's median (1 without the image)
    "surge_heading",  # degrees below the horizontal at the surge end
    "choke_heading",  # degrees below the horizontal at the choke end
]
# Not among them, on purpose: where a line lies in the plotting area, how many lines the map
# has and a line's place in speed order. They tell generated maps apart from each other (the
# generator's layouts) more than speedlines from other curves, and real maps lay out freely.


def _neighbours(i: int, n: int) -> list[int]:
    return [k for k in (i - 1, i + 1) if 0 <= k < n]


def _spacing(a: np.ndarray, b: np.ndarray) -> float:
    """Median row distance from ``a`` down to ``b`` over the columns both cover (nan if none)."""
    lo, hi = max(a[:, 0].min(), b[:, 0].min()), min(a[:, 0].max(), b[:, 0].max())
    if hi - lo < 2:
        return np.nan
    cols = np.linspace(lo, hi, 16)
    d = row_at(b, cols) - row_at(a, cols)
    d = d[np.isfinite(d)]
    return float(np.median(d)) if d.size else np.nan


def line_features(lines: list, box, ink: np.ndarray | None = None) -> np.ndarray:
    """(n, len(FEATURES)) for lines (objects with ``points``, surge end first, ``length``,
    ``bridged`` and ``confidence``) ordered lowest speed first, in a plotting area ``box``."""
    n = len(lines)
    out = np.zeros((n, len(FEATURES)))
    if n == 0:
        return out
    x0, y0, x1, y1 = box
    w, h = max(x1 - x0, 1.0), max(y1 - y0, 1.0)
    diagonal = float(np.hypot(w, h))
    lengths = np.array([ln.length for ln in lines], float)
    conf = np.array([ln.confidence for ln in lines], float)
    surge = np.array([ln.points[0] for ln in lines], float)
    choke = np.array([ln.points[-1] for ln in lines], float)
    spans = np.array([np.ptp(ln.points[:, 0]) for ln in lines], float)
    # Row distance from each line (higher speed = higher up) down to the one below it.
    below = np.array([np.nan] + [_spacing(lines[i].points, lines[i - 1].points) for i in
                                 range(1, n)])  # fmt: skip
    typical_gap = np.nanmedian(below) if np.isfinite(below).any() else h
    typical_gap = typical_gap if typical_gap > 1 else h
    dark = np.array([own_darkness(ink, ln.points) for ln in lines]) if ink is not None else None
    dark_typical = max(float(np.median(dark)), 1e-9) if dark is not None else 1.0
    for i, ln in enumerate(lines):
        nb = _neighbours(i, n)
        p = ln.points
        tenth = max(ln.length / 10, 3.0)
        f = {
            "confidence": conf[i],
            "bridged": ln.bridged / max(ln.length, 1e-9),
            "length_median": lengths[i] / max(np.median(lengths), 1e-9),
            "length_longest": lengths[i] / max(lengths.max(), 1e-9),
            "length_neighbour": lengths[i] / max(lengths[nb].max(), 1e-9) if nb else 1.0,
            "length_diagonal": lengths[i] / diagonal,
            "turn": turning(p, ln.length / 40),  # a step in scale with the line
            "chord": float(np.hypot(*(p[-1] - p[0]))) / max(path_length(p), 1e-9),
            "surge_offset": (surge[i, 0] - surge[nb, 0].mean()) / w if nb else 0.0,
            "choke_offset": (choke[i, 0] - choke[nb, 0].mean()) / w if nb else 0.0,
            "span": spans[i] / w,
            "span_neighbour": spans[i] / max(spans[nb].mean(), 1e-9) if nb else 1.0,
            "gap_below": below[i] / typical_gap if np.isfinite(below[i]) else 3.0,
            "gap_above": below[i + 1] / typical_gap
            if i + 1 < n and np.isfinite(below[i + 1])
            else 3.0,
            "confidence_relative": conf[i] / max(np.median(conf), 1e-9),
            "darkness_relative": dark[i] / dark_typical if dark is not None else 1.0,
            # Measured from the surge end backwards (leftwards): folded to below horizontal.
            "surge_heading": 180.0 - np.degrees(end_heading(p, False, tenth)) % 360.0,
            "choke_heading": np.degrees(end_heading(p, True, tenth)),
        }
        out[i] = [f[k] for k in FEATURES]
    return np.nan_to_num(out, nan=0.0, posinf=10.0, neginf=-10.0)


@dataclass(frozen=True)
class LineCheck:
    """Gradient-boosted regression trees over ``FEATURES`` -> the odds that a line is a
    speedline; loaded from the JSON that ``experiments/line_check_train.py`` writes."""

    features: list[str]
    init: float  # the raw score before any tree (log odds of the prior)
    rate: float  # learning rate: each tree's leaf values are scaled by it
    trees: list[dict]  # feature, threshold, left, right (-1 at leaves), value per node
    threshold: float  # lines whose odds fall below are not speedlines
    card: dict = dataclasses.field(default_factory=dict)  # training data, seeds, metrics

    @classmethod
    def load(cls, path: str | Path) -> LineCheck:
        try:
            d = json.loads(Path(path).read_text())
            if d.get("format", FORMAT) != FORMAT:
                raise ValueError(f"format {d.get('format')!r}, this speedlines reads {FORMAT}")
            check = cls(d["features"], float(d["init"]), float(d["rate"]), d["trees"],
                        float(d["threshold"]), d.get("card", {}))  # fmt: skip
            for t in check.trees:
                nodes = {len(t[k]) for k in ("feature", "threshold", "left", "right", "value")}
                if len(nodes) != 1:
                    raise ValueError("a tree's node lists differ in length")
                if max(t["left"] + t["right"], default=-1) >= nodes.pop() or max(
                    t["feature"], default=-1
                ) >= len(FEATURES):
                    raise ValueError("a tree points past its nodes or the features")
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise InputError(f"line check {path}: not a readable line-check file ({e})") from None
        if check.features != FEATURES:
            raise InputError(f"line check {path}: made for other line features")
        return check

    @functools.cached_property
    def _nodes(self) -> tuple[np.ndarray, ...]:
        """The trees' node lists as (trees, nodes) arrays, padded with leaves."""
        n = max((len(t["feature"]) for t in self.trees), default=1)

        def padded(key: str, fill, dtype) -> np.ndarray:
            a = np.full((len(self.trees), n), fill, dtype)
            for i, t in enumerate(self.trees):
                a[i, : len(t[key])] = t[key]
            return a

        return (
            np.maximum(padded("feature", 0, np.int64), 0),  # leaves name feature -2
            padded("threshold", 0.0, np.float64),
            padded("left", -1, np.int64),
            padded("right", -1, np.int64),
            padded("value", 0.0, np.float64),
        )

    def odds(self, x: np.ndarray) -> np.ndarray:
        """P(speedline) per row of ``x`` (n, len(FEATURES)); all trees walked at once."""
        x = np.asarray(x, np.float64)
        feature, threshold, left, right, value = self._nodes
        trees = np.arange(len(self.trees))[:, None]
        rows = np.arange(len(x))[None, :]
        node = np.zeros((len(self.trees), len(x)), np.int64)
        for _ in range(64):  # deeper than any tree
            down = left[trees, node]
            leaf = down < 0
            if leaf.all():
                break
            go_left = x[rows, feature[trees, node]] <= threshold[trees, node]
            node = np.where(leaf, node, np.where(go_left, down, right[trees, node]))
        raw = self.init + self.rate * value[trees, node].sum(axis=0)
        return 1.0 / (1.0 + np.exp(-raw))


def check_lines(lines: list, box, ink: np.ndarray | None, check: LineCheck) -> list:
    """The lines (lowest speed first) that ``check`` takes for speedlines, each with its
    confidence scaled by its odds, so that what is still doubtful ranks last."""
    if len(lines) < 2:
        return lines
    odds = check.odds(line_features(lines, box, ink))
    return [
        dataclasses.replace(ln, confidence=ln.confidence * float(p))
        for ln, p in zip(lines, odds)
        if p >= check.threshold
    ]


@functools.cache
def default_check() -> LineCheck | None:
    """The line check shipped beside the default model, or None where there is none."""
    return LineCheck.load(DEFAULT_CHECK) if DEFAULT_CHECK.is_file() else None
