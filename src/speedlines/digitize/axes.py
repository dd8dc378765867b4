"""Read a chart's axes from the image: frame, tick marks, tick labels (OCR), a fitted calibration.

``read_axes(image)`` straightens a turned scan (``skew``, ``frame``), finds the plotting
frame (the outermost long straight rules, ``frame``), the tick marks outside its bottom and
left sides and the label boxes next to them (``tick_labels``), reads each box with an OCR
recogniser (``rapidocr-onnxruntime``: PP-OCR models as ONNX files inside the wheel, run on CPU
by ONNX Runtime; imported lazily), puts back decimal points the OCR lost
(``decimal_point``) and fits each axis by consensus over pairs of labels, so that misread
labels are outvoted; the axis titles beyond the labels give the units (``units``). An axis
that cannot be read with confidence raises ``InputError`` naming what is missing; nothing is
guessed.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import cv2
import numpy as np

from speedlines.digitize.calibration import AxisCalibration, Calibration
from speedlines.digitize.decimal_point import (
    digit_spacing,
    glyphs,
    point_room,
    restore_decimal_points,
)
from speedlines.digitize.frame import LEAN_PX, dark_mask, find_frame, image_box, straightening
from speedlines.digitize.skew import MIN_SKEW, skew_angle, warp
from speedlines.digitize.tick_labels import label_boxes
from speedlines.digitize.units import unit_from_title
from speedlines.errors import InputError

__all__ = ["AxisFit", "AxisReading", "Tick", "decimal_mark", "parse_number", "read_axes"]

OCR_PACKAGE = "rapidocr-onnxruntime"
MIN_LABELS = 2
MIN_CONFIDENCE = 0.5
PAIR_CONFIDENCE = 0.9  # the OCR confidence each label needs when only two agree

Recognizer = Callable[[list[np.ndarray]], list[tuple[str, float]]]


@dataclass(frozen=True)
class Tick:
    """One tick label: its position along the axis (px), the text read, its value, confidence."""

    pixel: float
    text: str
    value: float | None
    confidence: float
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 of the label in the image
    used: bool = False  # an inlier of the fit

    def to_dict(self) -> dict:
        return {
            "pixel": round(self.pixel, 3),
            "text": self.text,
            "value": self.value,
            "confidence": round(self.confidence, 4),
            "box": [int(v) for v in self.box],
            "used": self.used,
        }


@dataclass(frozen=True)
class AxisFit:
    """One axis read: its calibration, the ticks (all read, inliers marked), fit quality."""

    axis: AxisCalibration
    ticks: tuple[Tick, ...]
    residual_px: float  # RMS over the inliers of |pixel - fitted pixel|
    confidence: float


@dataclass(frozen=True)
class AxisReading:
    """Both axes read from an image."""

    calibration: Calibration
    x: AxisFit
    y: AxisFit
    frame: tuple[int, int, int, int]  # x0, y0, x1, y1: the frame lines' centres (px)
    titles: dict = field(default_factory=dict)  # axis -> the title read ("" if none)

    @property
    def confidence(self) -> float:
        return min(self.x.confidence, self.y.confidence)

    @property
    def residual_px(self) -> float:
        return max(self.x.residual_px, self.y.residual_px)

    def to_dict(self) -> dict:
        """The calibration JSON plus what was read: source, ticks, residual, confidence."""
        d = self.calibration.to_dict()
        d["source"] = "auto"
        d["confidence"] = round(self.confidence, 4)
        d["residual_px"] = round(self.residual_px, 3)
        d["ticks"] = {k: [t.to_dict() for t in f.ticks] for k, f in (("x", self.x), ("y", self.y))}
        d["titles"] = dict(self.titles)
        return d


# -- OCR ---------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def ocr_engine():
    """The PP-OCR engine (detection and recognition), loaded once; InputError without it."""
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError:
        raise InputError(
            f"reading text (axes, speed labels) needs the OCR package {OCR_PACKAGE}: pip "
            f"install --no-deps {OCR_PACKAGE} pyclipper shapely six (--no-deps keeps "
            "opencv-python out)"
        ) from None
    return RapidOCR()


def ocr_recognizer() -> Recognizer:
    """The default recogniser: PP-OCR's text recogniser on pre-cut label boxes (no detector)."""
    engine = ocr_engine()

    def recognize(crops: list[np.ndarray]) -> list[tuple[str, float]]:
        if not crops:
            return []
        res, _ = engine.text_rec([np.ascontiguousarray(c[..., ::-1]) for c in crops])
        return [(str(t), float(s)) for t, s in res]

    return recognize


_CONFUSABLE = str.maketrans(
    {"O": "0", "o": "0", "D": "0", "Q": "0", "l": "1", "I": "1", "L": "1", "|": "1", "i": "1",
     "S": "5", "s": "5", "B": "8", "Z": "2", "z": "2", "\u2212": "-", "\u2013": "-", "\u2014": "-",
     "\u2009": " ", "\u202f": " ", "'": " ", "\u00b7": "."}
)  # fmt: skip
_NUMBER = re.compile(r"^-?[\d ]*[\d.,]*\d*$")


def parse_number(text: str, decimal_mark: str | None = None) -> list[float]:
    """The values ``text`` can mean as a tick label, most likely first ([] if not a number).

    Understands decimal commas ("0,5"), thousands separators ("1,000", "1 000", "1.000") and
    unicode minus; "1,000" and "1.000" are ambiguous and give both readings, left to the fit.
    The map's ``decimal_mark`` ("." or ",", where its other labels show it) comes first;
    without it, thousands first after a comma (as in English), a decimal point after a point.
    """
    t = text.strip().translate(_CONFUSABLE).strip()
    if t == "\u3002":  # a small lone "0", read as the ideographic full stop
        t = "0"
    t = re.sub(r"(?<=\d)([.,]) (?=\d)", r"\1", t)  # "10, 000": a gap read after the mark
    if not t or not _NUMBER.match(t) or not any(c.isdigit() for c in t):
        return []
    neg = t.startswith("-")
    t = t.lstrip("-").strip()
    if " " in t:  # spaces only group thousands
        groups = t.split(" ")
        if not all(len(g) == 3 and g.isdigit() for g in groups[1:]) or not groups[0]:
            return []
        t = "".join(groups)
    seps = [c for c in t if c in ".,"]
    out: list[float] = []
    if not seps:
        out = [float(t)]
    elif len(set(seps)) == 2:  # "1,234.5" or "1.234,5": the last one is the decimal point
        dec = t.rstrip("0123456789")[-1]
        thou = "," if dec == "." else "."
        whole, frac = t.rsplit(dec, 1)
        if _thousands_ok(whole, thou):
            out = [float(whole.replace(thou, "") + "." + frac)]
    else:
        sep = seps[0]
        parts = t.split(sep)
        if len(parts) == 2 and parts[0] and parts[1]:
            out = [float(parts[0] + "." + parts[1])]
        if _thousands_ok(t, sep):
            thousands = float(t.replace(sep, ""))
            if thousands not in out:
                grouping = sep != decimal_mark if decimal_mark else sep == ","
                out = [thousands, *out] if grouping else [*out, thousands]
    return [-v if neg else v for v in out]


def decimal_mark(texts: Sequence[str]) -> str | None:
    """The decimal mark a map's labels show where they are not ambiguous ("2,5", "0.25",
    "1.234,5"), by majority; None where none shows it ("5,000" alone could be either)."""
    votes = {".": 0, ",": 0}
    for text in texts:
        t = text.strip().translate(_CONFUSABLE)
        values = parse_number(t)
        if len(values) == 1 and _decimals(t, values[0]):
            votes[[c for c in t if c in ".,"][-1]] += 1  # read only one way, with a decimal part
    if votes["."] == votes[","]:
        return None
    return max(votes, key=votes.get)


def _thousands_ok(t: str, sep: str) -> bool:
    groups = t.split(sep)
    return (
        len(groups) > 1
        and 1 <= len(groups[0]) <= 3
        and groups[0].isdigit()
        and not groups[0].startswith("0")
        and all(len(g) == 3 and g.isdigit() for g in groups[1:])
    )


def _with_decimal_points(texts: list[str], owners: list, ink: np.ndarray) -> list[str]:
    """``texts`` (one per label box in ``owners``) with the decimal points their labels' ink
    shows and the OCR lost (``decimal_point``)."""
    digits = [t.translate(_CONFUSABLE).replace(" ", "") for t in texts]
    digits = [d if d.isdigit() else "" for d in digits]
    found = [glyphs(ink[max(0, y0) : y1, max(0, x0) : x1]) for _, (x0, y0, x1, y1) in owners]
    room = point_room(found)
    out = list(texts)
    for a in ("x", "y"):
        mine = [i for i, (owner, _) in enumerate(owners) if owner == a]
        # The font's spacing from the other axis's labels: where an axis lost its points,
        # its own gaps are all the points' room.
        other = [(digits[i], found[i]) for i, (owner, _) in enumerate(owners) if owner != a]
        labels = [(digits[i], found[i]) for i in mine]
        fixed = restore_decimal_points(labels, digit_spacing(other, room), room)
        for i, f in zip(mine, fixed):
            if f != digits[i]:
                out[i] = f
    return out


def _crop(image: np.ndarray, box, pad: int) -> np.ndarray:
    x0, y0, x1, y1 = box
    h, w = image.shape[:2]
    crop = image[max(0, y0 - 1) : min(h, y1 + 1), max(0, x0 - 1) : min(w, x1 + 1)]
    return cv2.copyMakeBorder(crop, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=(255,) * 3)


# -- fitting -----------------------------------------------------------------------------


def _fit_line(p: np.ndarray, v: np.ndarray) -> tuple[float, float]:
    a, b = np.polyfit(v, p, 1)  # pixel = a * value + b
    return float(a), float(b)


def _decimals(text: str, value: float) -> int:
    """How many decimals ``text`` is written with when read as ``value``: the digits after
    the separator taken as the decimal point; none where the separators group thousands."""
    t = text.strip().translate(_CONFUSABLE)
    digits = re.sub(r"\D", "", t)
    seps = [i for i, c in enumerate(t) if c in ".,"]
    if not seps or not digits or float(digits) == abs(value):
        return 0
    return len(re.sub(r"\D", "", t[seps[-1] :]))


def _consensus(ticks: Sequence[Tick], candidates: list[list[float]], log: bool, tol_px: float):
    """Best linear map value -> pixel over pairs of labels: (inlier indices, a, b, values).

    Of fits that explain as many labels, the one that reads them all with as many decimals
    wins: an axis writes its labels alike, so "0, 5,000, 10,000" is 0 to 10000 (thousands),
    not 0 to 10 written "5,000" beside a bare "0"."""
    best, best_key = ([], 0.0, 0.0, []), (0, 0)
    pos = [t.pixel for t in ticks]
    opts = [[(math.log10(c) if log else c, _decimals(t.text, c)) for c in cs if not log or c > 0]
            for t, cs in zip(ticks, candidates)]  # fmt: skip
    for i, j in itertools.combinations(range(len(ticks)), 2):
        for (vi, _), (vj, _) in itertools.product(opts[i], opts[j]):
            if vi == vj or pos[i] == pos[j]:
                continue
            a = (pos[j] - pos[i]) / (vj - vi)
            b = pos[i] - a * vi
            inl, vals, decimals = [], [], set()
            for k, cs in enumerate(opts):
                errs = [abs(a * c + b - pos[k]) for c, _ in cs]
                if errs and min(errs) <= tol_px:
                    value, written = cs[int(np.argmin(errs))]
                    inl.append(k)
                    vals.append(value)
                    decimals.add(written)
            key = (len(inl), -len(decimals))
            if key > best_key:
                best, best_key = (inl, a, b, vals), key
    return best


def _without_misread(p: np.ndarray, v: np.ndarray, a: float, b: float, inl: list, vals: list):
    """The fit (a, b, inliers, values) without the one label that lies far off the line the
    others sit on (a misread last digit, "1009" for 1000, can fall within the consensus
    tolerance and pull the fit), or as it was: each label is tried against a fit of the rest,
    and the worst goes if it lies more than 1.5 px and 4x the rest's own worst residual off."""
    worst, far = None, 0.0
    for j in range(len(p)):
        rest = np.arange(len(p)) != j
        ra, rb = _fit_line(p[rest], v[rest])
        own = float(np.max(np.abs(ra * v[rest] + rb - p[rest])))
        off = abs(ra * v[j] + rb - p[j])
        if off > max(1.5, 4 * own) and off > far:
            worst, far, fit = j, off, (ra, rb)
    if worst is None:
        return a, b, inl, vals
    keep = [j for j in range(len(p)) if j != worst]
    return (*fit, [inl[j] for j in keep], [vals[j] for j in keep])


def _partial_reads(ticks: Sequence[Tick], inl: list[int], a: float, b: float) -> int:
    """How many of the labels outside the fit read as the start or the end of the value the
    fit puts at their position, written with the decimals of the labels in it: a label
    partly read ("0" of "1.0", the "1." lost), not one that contradicts the fit."""
    texts = [ticks[k].text.translate(_CONFUSABLE) for k in inl]
    decimals = max(len(re.split(r"[.,]", t)[-1]) if re.search(r"[.,]", t) else 0 for t in texts)
    count = 0
    for k, t in enumerate(ticks):
        if k in inl:
            continue
        digits = re.sub(r"\D", "", t.text.translate(_CONFUSABLE))
        expected = re.sub(r"\D", "", f"{(t.pixel - b) / a:.{decimals}f}")
        part = expected.startswith(digits) or expected.endswith(digits)
        count += bool(digits) and digits != expected and part
    return count


def _on_steps(values: np.ndarray, px_per_unit: float, tol_px: float) -> bool:
    """Whether tick values stand at whole multiples of their step, within ``tol_px`` on the
    axis, as every axis puts them (0, 30, 60, 90): a font whose "0" reads as "8" gives 38,
    68, 98, evenly spaced and 8 off. The step divides the differences (labels may be missing
    between them); True where none is found (nothing to say)."""
    v = np.unique(values)
    if len(v) < 3:
        return True
    d = np.diff(v)

    def off(x, step):
        return np.abs(x - np.round(x / step) * step) * abs(px_per_unit) > tol_px

    for q in range(1, 11):
        step = float(np.median(d)) / q
        if not off(d, step).any():
            return not off(v, step).any()
    return True


def _with_zero(text: str, values: list[float], mark: str | None) -> list[float]:
    """``values`` and, for a label that begins "8." or "8,", also the value with a "0" there
    and then with every "8" a "0": the zero of a slashed or dotted font reads as "8" ("8.2"
    for 0.2, "8.86" for 0.06), and "0.x" labels are common. Last, so that where both fit as
    many labels, the reading as read wins."""
    t = text.strip().translate(_CONFUSABLE)
    if not re.match(r"8[.,]\d", t):
        return values
    out = list(values)
    for zeros in ("0" + t[1:], t.replace("8", "0")):
        out += [v for v in parse_number(zeros, mark) if v not in out]
    return out


def _fit_axis(name: str, ticks: list[Tick], length_px: float, mark: str | None = None) -> AxisFit:
    candidates = [_with_zero(t.text, parse_number(t.text, mark), mark) for t in ticks]
    numeric = [i for i, c in enumerate(candidates) if c]
    if len(numeric) < MIN_LABELS:
        raise InputError(
            f"{name} axis: only {len(numeric)} tick label{'s' * (len(numeric) != 1)} read, "
            f"need {MIN_LABELS}"
        )
    tk = [ticks[i] for i in numeric]
    cand = [candidates[i] for i in numeric]
    tol = max(2.0, 0.004 * length_px)
    fits = {s: _consensus(tk, cand, s == "log", tol) for s in ("linear", "log")}
    # Log only when it explains more labels: evenly spaced 1, 2, 3 fit both ways at pairs.
    scale = "log" if len(fits["log"][0]) > len(fits["linear"][0]) else "linear"
    inl, a, b, vals = fits[scale]
    if len(inl) < MIN_LABELS:
        raise InputError(
            f"{name} axis: tick labels contradict each other (no two agree with their positions)"
        )
    p = np.array([tk[k].pixel for k in inl])
    v = np.array(vals)
    if len(inl) >= 3:
        a, b = _fit_line(p, v)
    if len(inl) >= 4:
        a, b, inl, vals = _without_misread(p, v, a, b, inl, vals)
        p, v = np.array([tk[k].pixel for k in inl]), np.array(vals)
    resid = float(np.sqrt(np.mean((a * v + b - p) ** 2)))
    # Labels read in part ("0" of "1.0") do not speak against the fit they are part of.
    partial = 0 if scale == "log" else _partial_reads(tk, inl, a, b)
    agree = len(inl) / (len(numeric) - partial)
    ocr = float(np.mean([tk[k].confidence for k in inl]))
    support = min(1.0, (len(inl) - 1) / 3)  # two labels alone are a weak reading
    confidence = agree * ocr * (0.5 + 0.5 * support)
    if len(inl) == MIN_LABELS and min(tk[k].confidence for k in inl) < PAIR_CONFIDENCE:
        confidence = 0.0  # two labels alone, one of them doubtful: a guess, not a reading
    if confidence < MIN_CONFIDENCE:
        raise InputError(
            f"{name} axis: tick labels not read with confidence ({len(inl)} of "
            f"{len(numeric)} agree, confidence {confidence:.2f} < {MIN_CONFIDENCE})"
        )
    if scale == "linear" and not _on_steps(v, a, tol):
        raise InputError(
            f"{name} axis: the tick labels read are not multiples of their step (misread digits)"
        )
    # Flow grows to the right on a compressor map and pressure ratio upwards: labels read
    # the other way round are misread (a "4" and an "8" of "1.4" and "1.8" alone).
    if (a <= 0) if name == "x" else (a >= 0):
        way = "to the left" if name == "x" else "downwards"
        raise InputError(f"{name} axis: the tick labels read grow {way} (misread)")
    lo, hi = int(np.argmin(v)), int(np.argmax(v))
    values = (v[lo], v[hi])
    pixels = (a * values[0] + b, a * values[1] + b)
    if scale == "log":
        values = (10 ** values[0], 10 ** values[1])
    axis = AxisCalibration(pixels, tuple(float(x) for x in values), scale, name=name)
    used = {numeric[k] for k in inl}
    value_of = {numeric[k]: vals[j] for j, k in enumerate(inl)}
    out = []
    for i, t in enumerate(ticks):
        val = value_of.get(i, candidates[i][0] if candidates[i] else None)
        if i in value_of and scale == "log":
            val = 10**val
        value = None if val is None else float(val)
        out.append(Tick(t.pixel, t.text, value, t.confidence, t.box, i in used))
    return AxisFit(axis, tuple(out), resid, float(confidence))


def _snap(center: float, ticks: list[float], reach: float) -> float:
    """A label's position: the nearest tick mark within ``reach``, else its own centre."""
    if ticks:
        near = min(ticks, key=lambda t: abs(t - center))
        if abs(near - center) <= reach:
            return near
    return center


def read_axes(image: np.ndarray, recognize: Recognizer | None = None) -> AxisReading:
    """Read the bottom (x) and left (y) axes of a chart image (H, W, 3) uint8 RGB.

    ``recognize`` maps label crops to (text, confidence); the default is PP-OCR via
    rapidocr-onnxruntime. Raises InputError naming what is missing when an axis cannot be read.
    """
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise InputError(f"axes: expected an (H, W, 3) uint8 image, got {image.shape}")
    original = image
    ink = dark_mask(image)
    angle = skew_angle(ink)  # a turned scan is read straightened
    straighten = straightening(image, angle) if abs(angle) >= MIN_SKEW else None
    if straighten is not None:
        image = warp(original, straighten)
        ink = dark_mask(image)
    # Faint anti-aliased rules count: the outermost ones are the frame. A straightened scan's
    # top and right sides may still lean a little (its perspective).
    frame = find_frame(ink, lean=0 if straighten is None else LEAN_PX)
    left, top, right, bottom = (int(v) for v in frame[:4])
    recognize = recognize or ocr_recognizer()
    found = {a: label_boxes(ink, frame, a) for a in ("x", "y")}
    crops, owners = [], []
    for a, (_, boxes, _) in found.items():
        for box in boxes:
            crops.append(_crop(image, box, pad=max(4, (box[3] - box[1]) // 4)))
            owners.append((a, box))
    texts = recognize(crops) if crops else []
    fixed = _with_decimal_points([t for t, _ in texts], owners[: len(texts)], ink)
    ticks: dict[str, list[Tick]] = {"x": [], "y": []}
    for (a, box), (_, conf), text in zip(owners, texts, fixed):
        tick_pos = found[a][0]
        # Labels are centred on their tick: snap only to a mark close by, not to a minor one.
        reach = 0.3 * (box[3] - box[1]) if a == "x" else 0.35 * (box[3] - box[1])
        center = (box[0] + box[2] - 1) / 2 if a == "x" else (box[1] + box[3] - 1) / 2
        ticks[a].append(Tick(_snap(center, tick_pos, reach), text, None, conf, box))
    # A map writes its numbers one way: "2,5" on one axis makes "5.000" thousands on the other.
    mark = decimal_mark([t.text for t in ticks["x"] + ticks["y"]])
    x = _fit_axis("x", ticks["x"], right - left, mark)
    y = _fit_axis("y", ticks["y"], bottom - top, mark)
    titles = _titles(image, {a: f[2] for a, f in found.items()}, recognize)
    units = {a: unit_from_title(titles[a], a) for a in ("x", "y")}
    area = (left, top, right, bottom)
    if straighten is not None:
        h, w = original.shape[:2]
        area = image_box(Calibration(x.axis, y.axis, straighten=straighten), area, w, h)
    cal = Calibration(x.axis, y.axis, units, area, straighten)
    return AxisReading(cal, x, y, (left, top, right, bottom), titles)


def _titles(image: np.ndarray, boxes: dict, recognize: Recognizer) -> dict[str, str]:
    """The axis titles read ("" where none was found). A y title is turned upright both ways
    (read upwards, as most are, or downwards): the reading read with more confidence wins."""
    crops, owners = [], []
    for a, box in boxes.items():
        if box is None:
            continue
        crop = _crop(image, box, pad=4)
        turns = [crop] if a == "x" else [cv2.rotate(crop, r) for r in _UPRIGHT]
        crops += turns
        owners += [a] * len(turns)
    best: dict[str, tuple[float, str]] = {}
    for a, (text, conf) in zip(owners, recognize(crops) if crops else []):
        if conf > best.get(a, (-1.0, ""))[0]:
            best[a] = (conf, text)
    return {a: best[a][1].strip() if a in best else "" for a in ("x", "y")}


_UPRIGHT = (cv2.ROTATE_90_CLOCKWISE, cv2.ROTATE_90_COUNTERCLOCKWISE)
