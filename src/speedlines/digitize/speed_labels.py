"""Speeds from the labels printed on a map: text next to a line's choke end, its surge end or
along it ("80000 rpm", "N=109655", "90 000", "100%", "N = 0.9", "u = 560 m/s").

``read_texts`` finds and reads the text of an image (PP-OCR detection and recognition via
rapidocr-onnxruntime, inside its wheel); ``assign_speeds`` gives each line at most one label,
nearest first (from the point of their boxes by which the map's labels sit on their lines: a
corner for labels printed along them), and keeps only labels whose values increase from the
lowest line up (the largest such set), so that a line stays without a speed where the labels
disagree. A map writes its speed labels one way and puts them in one place along the lines,
on one scale: labels written otherwise, placed elsewhere or far off the others' scale are an
island's, a beta line's or misreadings. ``speeds_from_labels`` puts the speeds on a
``Digitization``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from speedlines.digitize.axes import ocr_engine, parse_number
from speedlines.digitize.pipeline import Digitization

__all__ = [
    "SpeedLabel",
    "TextBox",
    "assign_speeds",
    "read_texts",
    "speed_value",
    "speeds_from_labels",
]


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

# Where the labels found sit along their lines: when they agree within PLACE_SPREAD (median
# absolute deviation of the place, 0 = surge end, 1 = choke end), only labels within
# PLACE_WINDOW of their median place count.
PLACE_SPREAD, PLACE_WINDOW = 0.1, 0.2
# A label more than this factor off the median speed of those found is a misreading.
MAX_SCALE = 5.0

# A speed label: an optional name and "=" ("N =", "Nc/sqrt(T) =", "u ="), a number, an
# optional thousands "k" and unit ("rpm", "1/min", "%", "m/s"). Anything else is not (a %
# efficiency is still a number: the order check below weeds out what does not fit).
_LABEL = re.compile(
    r"^\s*(?:[A-Za-z][\w/().\u221a ]{0,20}?\s*[=:]\s*)?"
    r"(?P<num>[-+]?[\d][\d ,.'\u2009\u202f]*?)\s*(?P<k>k)?\s*"
    r"(?P<unit>rpm|1/min|min-1|%|m/s)?\s*$",
    re.IGNORECASE,
)


def _spaces(text: str) -> str:
    return text.replace("\u2009", " ").replace("\u202f", " ")


def speed_value(text: str) -> float | None:
    """The speed a label states, or None when it is not a speed label."""
    m = _LABEL.match(_spaces(text))
    if not m:
        return None
    number = m.group("num").strip()
    if re.match(r"[-+]?0\d", number):  # "00001", "0006": a misread or reversed, not a speed
        return None
    values = parse_number(number.replace("'", " "))
    values = [v for v in values if v > 0]
    if not values:
        return None
    value = max(values) if len(values) > 1 else values[0]  # "90,000": a speed, not 90.0
    return value * 1000 if m.group("k") else value  # "90k", "90 krpm", "90k rpm"


def read_texts(
    image: np.ndarray, within: tuple[float, float, float, float] | None = None
) -> list[TextBox]:
    """Every piece of text PP-OCR finds in an (H, W, 3) RGB image; with ``within`` (x0, y0,
    x1, y1), only the pieces whose box centre lies inside it are read (recognition, most of
    the time, is spent only on them: a map's speed labels lie in its plotting area).

    Without PP-OCR's angle classifier: maps print no text upside down, and on small labels
    it turned right-way-up ones over ("90 %" read as "% 06")."""
    engine = ocr_engine()
    bgr = np.ascontiguousarray(image[..., ::-1])
    if within is None:
        result, _ = engine(bgr, use_cls=False)
    else:
        quads, _ = engine(bgr, use_cls=False, use_rec=False)
        x0, y0, x1, y1 = within
        quads = [np.asarray(q, dtype=np.float32) for q in quads or []]
        quads = [q for q in quads if x0 <= q[:, 0].mean() <= x1 and y0 <= q[:, 1].mean() <= y1]
        read, _ = engine.text_rec(engine.get_crop_img_list(bgr, quads)) if quads else ([], 0)
        # as the engine itself keeps them: readings of at least its text score
        result = [(q, r[0], r[1]) for q, r in zip(quads, read) if r[1] >= engine.text_score]
    out = []
    for quad, text, score in result or []:
        q = np.asarray(quad, dtype=np.float64)
        box = (q[:, 0].min(), q[:, 1].min(), q[:, 0].max(), q[:, 1].max())
        out.append(TextBox(str(text), tuple(float(v) for v in box), float(score)))
    return out


def _nearest(point, points: np.ndarray, along: np.ndarray) -> tuple[float, float]:
    """From a point of the label's box to the nearest point of a line, and where that point
    lies along the line (0 surge end, 1 choke end)."""
    d = np.hypot(points[:, 0] - point[0], points[:, 1] - point[1])
    i = int(d.argmin())
    return float(d[i]), float(along[i])


# The points of a label's box that may sit on its line, as fractions of its width and height:
# the corners, the middles of the sides and the centre.
_ANCHORS = [(fx, fy) for fy in (0.0, 0.5, 1.0) for fx in (0.0, 0.5, 1.0)]


def _at(box, anchor: tuple[float, float]) -> tuple[float, float]:
    x0, y0, x1, y1 = box
    return x0 + anchor[0] * (x1 - x0), y0 + anchor[1] * (y1 - y0)


def _anchor(boxes: list, lines: list[np.ndarray]) -> tuple[float, float]:
    """The point of their boxes by which a map's labels sit on their lines: the one nearest
    to a line for most labels (median distance). The centre when there are too few labels:
    a label is centred by its line (at an end, or along it), and where lines crowd together
    its box may touch the neighbour too, but its centre lies nearer its own line."""
    if len(boxes) < 3 or not lines:
        return (0.5, 0.5)

    def spread(anchor):
        ds = []
        for box in boxes:
            x, y = _at(box, anchor)
            ds.append(min(np.hypot(p[:, 0] - x, p[:, 1] - y).min() for p in lines))
        return float(np.median(ds))

    return min(_ANCHORS, key=lambda a: (spread(a), a != (0.5, 0.5)))


def _by_a_line(box, lines: list[np.ndarray]) -> bool:
    """Whether a label's centre lies within half its diagonal and two text heights of a line."""
    x0, y0, x1, y1 = box
    limit = np.hypot(x1 - x0, y1 - y0) / 2 + 2 * max(min(x1 - x0, y1 - y0), 6)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return any(np.hypot(p[:, 0] - cx, p[:, 1] - cy).min() <= limit for p in lines if len(p))


def _along(points: np.ndarray) -> np.ndarray:
    steps = np.hypot(*np.diff(points, axis=0).T)
    s = np.concatenate([[0.0], np.cumsum(steps)])
    return s / s[-1] if s[-1] > 0 else s


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
    each surge -> choke). A label counts for a line when the point by which the map's labels
    sit on their lines (``_anchor``) lies within ``reach`` px of it (default: two text
    heights, and half the label's diagonal from its centre); outside ``plot_area``
    (tick labels) it does not count. Each label goes to at most one line, nearest first;
    then the rules of the map's one way, one place and one scale (module docstring); a lone
    label counts for nothing."""
    texts = _joined(texts)
    arrays = [np.asarray(pts, dtype=np.float64) for pts in lines]
    alongs = [_along(pts) for pts in arrays]
    speeds = []
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
        speeds.append((t, value))
    # Where no plot area is known, the tick labels outside it are still here, and would
    # outvote the few labels on the lines: then only labels whose centre lies by a line tell
    # how a map's labels sit on them.
    placed = [t.box for t, _ in speeds if plot_area is not None or _by_a_line(t.box, arrays)]
    anchor = _anchor(placed, arrays)
    candidates = []
    for t, value in speeds:
        x0, y0, x1, y1 = t.box
        height = min(x1 - x0, y1 - y0)  # of the text, horizontal or rotated along a line
        # From the centre a label's line lies half its diagonal away; from the point it
        # sits by, next to it.
        half = np.hypot(x1 - x0, y1 - y0) / 2 if anchor == (0.5, 0.5) else 0.0
        limit = reach if reach is not None else half + 2 * max(height, 6)
        for k, (pts, along) in enumerate(zip(arrays, alongs, strict=True)):
            d, where = _nearest(_at(t.box, anchor), pts, along)
            if d <= limit:
                candidates.append((d, k, t, value, where))
    candidates = _one_form(candidates)
    chosen = _assign(candidates)
    # A map labels its lines in one place (all at the choke end, or all along the middle):
    # where the labels found agree on it, a label elsewhere is an island's or a beta line's.
    places = np.array([where for _, where in chosen.values()])
    if len(places) >= 3:
        middle = float(np.median(places))
        spread = float(np.median(np.abs(places - middle)))
        if spread <= PLACE_SPREAD:
            window = max(PLACE_WINDOW, 3 * spread)
            chosen = _assign([c for c in candidates if abs(c[4] - middle) <= window])
    # Two labels read as one ("1101203000") or a digit lost: far off the others' scale.
    if chosen:
        middle = float(np.median([label.speed for label, _ in chosen.values()]))
        chosen = {
            k: v for k, v in chosen.items() if abs(np.log(v[0].speed / middle)) <= np.log(MAX_SCALE)
        }
    # A lone label has nothing to rise against: on the maps that give only one, it is a
    # misreading ("445" for 12500) or a label that lost its first digit (GIF-era text).
    if len(chosen) < 2:
        chosen = {}
    return [chosen[k][0] if k in chosen else None for k in range(len(lines))]


_UNITS = {"%", "rpm", "1/min", "min-1", "krpm", "k rpm", "m/s"}


def _joined(texts: Sequence[TextBox]) -> list[TextBox]:
    """A unit read apart from its number ("105" and "%", "3586" and "rpm": the detector
    cuts where a line crosses the label) joined to the number just left of it."""
    out = list(texts)
    for unit in [t for t in texts if t.text.strip().lower() in _UNITS]:
        ux0, uy0, _, uy1 = unit.box
        height = uy1 - uy0
        best = None
        for t in out:
            _, y0, x1, y1 = t.box
            if t is unit or not re.fullmatch(r"[\d ,.]+", t.text.strip()):
                continue
            same_row = abs((y0 + y1) - (uy0 + uy1)) / 2 <= 0.5 * max(height, y1 - y0)
            gap = ux0 - x1
            if same_row and -0.3 * height <= gap <= 1.2 * height:
                best = t if best is None or x1 > best.box[2] else best
        if best is not None:
            # The number's box: where the number sits says which line it labels.
            joined = TextBox(f"{best.text.strip()} {unit.text.strip()}", best.box,
                             min(best.confidence, unit.confidence))  # fmt: skip
            out = [joined if t is best else t for t in out if t is not unit]
    return out


def _form(text: str) -> tuple[str, bool]:
    """How a label is written: its unit ("rpm", "%", "m/s", none) and whether it has a
    decimal mark. A map writes all its speed labels one way."""
    m = _LABEL.match(_spaces(text))
    unit = (m.group("unit") or "").lower() if m else ""
    unit = "rpm" if unit in ("rpm", "1/min", "min-1") or (m and m.group("k")) else unit
    return unit, bool(m and re.search(r"[.,]\d{1,2}$", m.group("num").strip()))


def _one_form(candidates: list) -> list:
    """The candidates written in the one way that labels the most lines (the efficiency
    labels of islands, "62%", and the beta values, "0.75", are written otherwise than "2649"
    or "80000 rpm")."""
    groups: dict[tuple, list] = {}
    for c in candidates:
        groups.setdefault(_form(c[2].text), []).append(c)
    if len(groups) < 2:
        return candidates

    def score(group):
        chosen = _assign(group)
        return len(chosen), -sum(label.distance_px for label, _ in chosen.values())

    return max(groups.values(), key=score)


def _assign(candidates: list) -> dict[int, tuple[SpeedLabel, float]]:
    """Each label to at most one line, nearest first; then only the labels rising from the
    lowest line up. Line -> (label, its place along the line)."""
    chosen: dict[int, tuple[SpeedLabel, float]] = {}
    used: set[int] = set()
    for d, k, t, value, where in sorted(candidates, key=lambda c: c[0]):
        if k in chosen or id(t) in used:
            continue
        chosen[k] = (SpeedLabel(value, t.text, t.box, d), where)
        used.add(id(t))
    pairs = [(k, chosen[k][0].speed, chosen[k][0].distance_px) for k in sorted(chosen)]
    keep = _longest_increasing(pairs)
    return {k: v for k, v in chosen.items() if k in keep}


def speeds_from_labels(result: Digitization, texts: Sequence[TextBox]) -> Digitization:
    """``result`` with each line's speed read from the labels next to it (``assign_speeds``):
    speed_source "label" and the label in the line's JSON (``speed_label``); a line without
    a label it can trust keeps no speed."""
    lines = [sl.pixels for sl in result.lines]
    labels = assign_speeds(lines, texts, result.calibration.plot_area)
    labelled = []
    for sl, label in zip(result.lines, labels, strict=True):
        extra = {k: v for k, v in sl.extra.items() if k != "speed_label"}
        if label is None:
            labelled.append(dataclasses.replace(sl, speed=None, speed_source=None, extra=extra))
            continue
        extra["speed_label"] = {k: v for k, v in label.to_dict().items() if k != "speed"}
        labelled.append(
            dataclasses.replace(sl, speed=label.speed, speed_source="label", extra=extra)
        )
    return dataclasses.replace(result, lines=labelled)
