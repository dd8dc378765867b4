"""Speeds from the labels printed on a map: text next to a line's choke end, its surge end or
along it ("80000 rpm", "N=109655", "90 000", "100%", "N = 0.9", "u = 560 m/s").

``read_texts`` finds and reads the text of an image (PP-OCR detection and recognition via
rapidocr-onnxruntime, inside its wheel); ``assign_speeds`` gives each line at most one label,
nearest first, and keeps only labels whose values increase from the lowest line up (the
largest such set), so that a line stays without a speed where the labels disagree.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from speedlines.digitize.axes import ocr_engine, parse_number

__all__ = ["SpeedLabel", "TextBox", "assign_speeds", "read_texts", "speed_value"]


@dataclass(frozen=True)
class TextBox:
    """A piece of text read from the image, with its box (x0, y0, x1, y1) in pixels."""

    text: str
    box: tuple[float, float, float, float]
    confidence: float


@dataclass(frozen=True)
class SpeedLabel:
    """The label a line's speed was read from."""

    speed: float
    text: str
    box: tuple[float, float, float, float]
    distance_px: float  # from the label's box to the line

    def to_dict(self) -> dict:
        box = [round(v, 1) for v in self.box]
        return {"speed": self.speed, "text": self.text, "box": box,
                "distance_px": round(self.distance_px, 1)}  # fmt: skip


TextReader = Callable[[np.ndarray], list[TextBox]]

# A speed label: an optional name and "=" ("N =", "Nc/sqrt(T) =", "u ="), a number, an
# optional unit ("rpm", "1/min", "%", "m/s"). Anything else (a % efficiency with a decimal
# point is still a number: the order check below weeds out what does not fit).
_LABEL = re.compile(
    r"^\s*(?:[A-Za-z][\w/().\u221a ]{0,20}?\s*[=:]\s*)?"
    r"(?P<num>[-+]?[\d][\d ,.'\u2009\u202f]*)\s*"
    r"(?P<unit>k?rpm|1/min|min-1|%|m/s|krpm)?\s*$",
    re.IGNORECASE,
)


def speed_value(text: str) -> float | None:
    """The speed a label states, or None when it is not a speed label."""
    m = _LABEL.match(text.replace("\u2009", " ").replace("\u202f", " "))
    if not m:
        return None
    values = parse_number(m.group("num").strip().replace("'", " "))
    values = [v for v in values if v > 0]
    if not values:
        return None
    value = max(values) if len(values) > 1 else values[0]  # "90,000": a speed, not 90.0
    return value * 1000 if (m.group("unit") or "").lower() == "krpm" else value


def read_texts(image: np.ndarray) -> list[TextBox]:
    """Every piece of text PP-OCR finds in an (H, W, 3) RGB image."""
    engine = ocr_engine()
    result, _ = engine(np.ascontiguousarray(image[..., ::-1]))
    out = []
    for quad, text, score in result or []:
        q = np.asarray(quad, dtype=np.float64)
        box = (q[:, 0].min(), q[:, 1].min(), q[:, 0].max(), q[:, 1].max())
        out.append(TextBox(str(text), tuple(float(v) for v in box), float(score)))
    return out


def _centre_distance(box, points: np.ndarray) -> float:
    """From the label's centre to the nearest point of a line: a label is centred by its line
    (at an end, or along it), and where lines crowd together (the choke ends) its box may
    touch the neighbour too, but its centre lies nearer its own line."""
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return float(np.hypot(points[:, 0] - cx, points[:, 1] - cy).min())


def _longest_increasing(pairs: list[tuple[int, float, float]]) -> set[int]:
    """Of (line, value, distance) sorted by line, the largest set with values increasing
    along the lines (ties: the smaller total distance); returns the lines kept."""
    n = len(pairs)
    best = [(1, -pairs[i][2], (i,)) for i in range(n)]
    for i in range(n):
        for j in range(i):
            if pairs[j][1] < pairs[i][1]:
                count, neg_dist, chain = best[j]
                cand = (count + 1, neg_dist - pairs[i][2], (*chain, i))
                if cand[:2] > best[i][:2]:
                    best[i] = cand
    if not best:
        return set()
    chain = max(best, key=lambda b: b[:2])[2]
    return {pairs[i][0] for i in chain}


def assign_speeds(
    lines: Sequence[np.ndarray],
    texts: Sequence[TextBox],
    plot_area: tuple[float, float, float, float] | None = None,
    reach: float | None = None,
) -> list[SpeedLabel | None]:
    """One label or None per line (``lines``: (N, 2) pixel polylines, lowest speed first,
    each surge -> choke). A label counts for a line when its centre lies within ``reach`` px
    of it (default: half the label's diagonal and two text heights); outside ``plot_area``
    (tick labels) it does not count. Each label goes to at most one line, nearest first."""
    candidates = []
    for t in texts:
        value = speed_value(t.text)
        if value is None:
            continue
        x0, y0, x1, y1 = t.box
        if plot_area is not None:
            ax0, ay0, ax1, ay1 = plot_area
            cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
            if not (ax0 <= cx <= ax1 and ay0 <= cy <= ay1):
                continue
        height = min(x1 - x0, y1 - y0)  # of the text, horizontal or rotated along a line
        limit = reach if reach is not None else np.hypot(x1 - x0, y1 - y0) / 2 + 2 * max(height, 6)
        for k, pts in enumerate(lines):
            d = _centre_distance(t.box, np.asarray(pts, dtype=np.float64))
            if d <= limit:
                candidates.append((d, k, t, value))
    chosen: dict[int, SpeedLabel] = {}
    used: set[int] = set()
    for d, k, t, value in sorted(candidates, key=lambda c: c[0]):
        if k in chosen or id(t) in used:
            continue
        chosen[k] = SpeedLabel(value, t.text, t.box, d)
        used.add(id(t))
    pairs = [(k, chosen[k].speed, chosen[k].distance_px) for k in sorted(chosen)]
    keep = _longest_increasing(pairs)
    return [chosen[k] if k in keep else None for k in range(len(lines))]
