"""Read a chart's axes from the image: frame, tick marks, tick labels (OCR), a fitted calibration.

``read_axes(image)`` straightens a turned scan (``skew``, ``frame``), finds the plotting
frame (the outermost long straight rules, ``frame``), the tick marks outside its bottom and
left sides, the label boxes next to them (connected components,
OpenCV), reads each box with an OCR recogniser (``rapidocr-onnxruntime``: PP-OCR models as ONNX
files inside the wheel, run on CPU by ONNX Runtime; imported lazily) and fits each axis by
consensus over pairs of labels, so that misread labels are outvoted; the axis titles beyond
the labels give the units (``units``). An axis that cannot be read with confidence raises
``InputError`` naming what is missing; nothing is guessed.
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
from speedlines.digitize.decimal_point import digit_spacing, glyphs, restore_decimal_points
from speedlines.digitize.frame import LEAN_PX, dark_mask, find_frame, image_box, straightening
from speedlines.digitize.skew import MIN_SKEW, skew_angle, warp
from speedlines.digitize.units import unit_from_title
from speedlines.errors import InputError

__all__ = ["AxisFit", "AxisReading", "Tick", "parse_number", "read_axes"]

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


def parse_number(text: str) -> list[float]:
    """The values ``text`` can mean as a tick label, most likely first ([] if not a number).

    Understands decimal commas ("0,5"), thousands separators ("1,000", "1 000", "1.000") and
    unicode minus; "1,000" and "1.000" are ambiguous and give both readings, left to the fit.
    """
    t = text.strip().translate(_CONFUSABLE).strip()
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
            out = [*out, thousands] if thousands not in out else out
    return [-v if neg else v for v in out]


def _thousands_ok(t: str, sep: str) -> bool:
    groups = t.split(sep)
    return (
        len(groups) > 1
        and 1 <= len(groups[0]) <= 3
        and groups[0].isdigit()
        and not groups[0].startswith("0")
        and all(len(g) == 3 and g.isdigit() for g in groups[1:])
    )


# -- frame, ticks and label boxes --------------------------------------------------------


def _components(mask: np.ndarray) -> np.ndarray:
    """Stats rows (x, y, w, h, area) of the connected components of ``mask``."""
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    return stats[1:n]


def _band(profile: np.ndarray, min_gap: int) -> tuple[int, int] | None:
    """The first run of ink in ``profile`` (indices from the axis outwards), closed by a gap."""
    ink = np.flatnonzero(profile > 0)
    if not len(ink):
        return None
    start = stop = ink[0]
    for i in ink[1:]:
        if i - stop > min_gap:
            break
        stop = i
    return int(start), int(stop) + 1


def _group(stats: np.ndarray, along: int, gap: float) -> list[np.ndarray]:
    """Components grouped into label boxes: split where the gap ``along`` x (0) or y (1) is big."""
    order = stats[np.argsort(stats[:, along])]
    groups, cur, end = [], [], -np.inf
    for s in order:
        if cur and s[along] - end > gap:
            groups.append(np.array(cur))
            cur = []
        cur.append(s)
        end = max(end, s[along] + s[along + 2]) if cur[1:] else s[along] + s[along + 2]
    if cur:
        groups.append(np.array(cur))
    return groups


def _box(group: np.ndarray) -> tuple[int, int, int, int]:
    x0, y0 = group[:, 0].min(), group[:, 1].min()
    x1, y1 = (group[:, 0] + group[:, 2]).max(), (group[:, 1] + group[:, 3]).max()
    return int(x0), int(y0), int(x1), int(y1)


def _label_boxes(dark: np.ndarray, frame, axis: str):
    """Tick mark positions, label boxes and the title box (or None) outside the bottom ("x")
    or left ("y") frame side.

    Works in a frame where the axis runs along columns and "outwards" is down the rows: the
    left side is handled by transposing and flipping the picture.
    """
    left, top, right, bottom, out_x, out_y = frame
    h, w = dark.shape
    tx, ty = 2 * (left - out_x) + 1, 2 * (out_y - bottom) - 1  # line thicknesses
    if axis == "x":
        m = 2 * tx + 1 + w // 16  # the end labels stand half outside the frame
        lo, hi = max(0, left - m), min(w, right + m + 1)
        strip = dark[out_y:, lo:hi]
        offset = lambda i: i + out_y  # noqa: E731
    else:
        m = 2 * ty + 1 + h // 40
        lo, hi = max(0, top - m), min(h, bottom + m + 1)
        strip = dark[lo:hi, :out_x].T[::-1, :]
        offset = lambda i: out_x - 1 - i  # noqa: E731
    if strip.size == 0:
        return [], [], None
    # What is left of a straightened scan's frame line just outside it: long runs of ink
    # along the frame, which would join the tick marks and, through them, all labels into
    # one, and flat slivers on the frame, which would pass for a band of text.
    thick = ty if axis == "x" else tx
    near = 3 + thick
    runs = cv2.morphologyEx(strip[:near], cv2.MORPH_OPEN, np.ones((1, 15), np.uint8))
    if runs.any():
        strip = strip.copy()
        strip[:near][runs > 0] = 0
    stats = _components(strip)
    # Tick marks: thin strokes touching the frame; the rest is text (and the axis title).
    touching = stats[:, 1] <= 1
    thin = stats[:, 2] <= max(4, 2 * max(tx, ty) + 2)
    ticks = stats[touching & thin & (stats[:, 3] >= 2)]
    tick_pos = sorted(float(s[0] + (s[2] - 1) / 2 + lo) for s in ticks)
    sliver = touching & (stats[:, 3] <= 2 + thick) & (stats[:, 2] >= 3 * stats[:, 3])
    text = stats[~(touching & thin) & ~sliver]
    text = text[text[:, 4] >= 2]
    if not len(text):
        return tick_pos, [], None
    # The band of labels is found from the text beside the frame side alone: beyond its ends
    # the other axis's end labels may stand closer to the frame.
    a0, a1 = (left, right) if axis == "x" else (top, bottom)
    mid = text[:, 0] + text[:, 2] / 2 + lo
    beside = text[(mid > a0) & (mid < a1)]
    profile = np.zeros(strip.shape[0], int)
    for s in beside:
        profile[s[1] : s[1] + s[3]] += 1
    # Character height: across the strip for x labels, along it for the (upright) y labels.
    height = float(np.median(text[:, 3] if axis == "x" else text[:, 2]))
    gap = max(2, round(0.45 * height))
    band = _band(profile, gap)
    if band is None:
        return tick_pos, [], None
    if axis == "y":
        band = _whole_labels(profile, beside, band, gap, height)
    inside = text[(text[:, 1] >= band[0]) & (text[:, 1] + text[:, 3] <= band[1])]
    heights = inside[:, 3] if axis == "x" else inside[:, 2]
    char = float(np.median(heights)) if len(inside) else 8.0
    groups = _group(inside, 0, gap=0.8 * char) if len(inside) else []
    if axis == "x":
        groups = _by_tick(groups, [t - lo for t in tick_pos], 2 * char)

    def to_image(g):
        a0, b0, a1, b1 = _box(g)
        if axis == "x":
            return a0 + lo, offset(b0), a1 + lo, offset(b1 - 1) + 1
        return offset(b1 - 1), a0 + lo, offset(b0) + 1, a1 + lo

    boxes = [to_image(g) for g in groups]
    # The axis title: the next band of text out from the labels, a line of text high, close.
    rest = profile.copy()
    rest[: band[1]] = 0
    title_band = _band(rest, max(2, round(0.45 * char)))
    title = None
    if title_band is not None and title_band[0] - band[1] <= 4 * char:
        t0, t1 = title_band
        words = beside[(beside[:, 1] >= t0) & (beside[:, 1] + beside[:, 3] <= t1)]
        if len(words) and t1 - t0 <= 3 * char:
            title = to_image(words)
    return tick_pos, boxes, title


def _by_tick(groups: list[np.ndarray], ticks: list[float], gap: float) -> list[np.ndarray]:
    """Neighbouring groups of x-label characters joined where they sit by the same tick mark
    less than ``gap`` apart: a monospaced font sets "0.1" as "0", ".", "1", a character
    cell apart, and each piece alone would be read as a label of its own ("0", "1")."""
    if len(ticks) < 2 or len(groups) < 2:
        return groups
    ticks_a = np.array(ticks)

    def tick_of(g):
        a0, _, a1, _ = _box(g)
        return int(np.argmin(np.abs(ticks_a - (a0 + a1) / 2)))

    out = [groups[0]]
    for g in groups[1:]:
        prev = out[-1]
        if tick_of(g) == tick_of(prev) and _box(g)[0] - _box(prev)[2] <= gap:
            out[-1] = np.concatenate([prev, g])
        else:
            out.append(g)
    return out


def _whole_labels(profile, beside, band, gap: int, height: float) -> tuple[int, int]:
    """The y labels' band widened over what lies just beyond it while that is more of the
    labels, not the axis title: across a y label the gap between characters (the "." of
    "1.6") can be wider than the band's closing gap. Pieces of labels are short along the
    axis, one beside each label; a title is one long run of text."""
    for _ in range(3):
        rest = profile.copy()
        rest[: band[1]] = 0
        more = _band(rest, gap)
        while more is not None:
            pieces = beside[(beside[:, 1] >= more[0]) & (beside[:, 1] + beside[:, 3] <= more[1])]
            if len(pieces) and pieces[:, 2:4].max() > max(2, 0.3 * height):
                break
            rest[: more[1]] = 0  # decimal points alone (most too small to count): look past
            more = _band(rest, gap)
        if more is None or more[0] - band[1] > 1.5 * height:
            return band
        groups = _group(pieces, 0, gap=0.8 * height) if len(pieces) else []
        lengths = [_box(g)[2] - _box(g)[0] for g in groups]
        if len(groups) < 2 or max(lengths) > 2 * height:
            return band
        band = (band[0], more[1])
    return band


def _with_decimal_points(texts: list[str], owners: list, ink: np.ndarray) -> list[str]:
    """``texts`` (one per label box in ``owners``) with the decimal points their labels' ink
    shows and the OCR lost (``decimal_point``)."""
    digits = [t.translate(_CONFUSABLE).replace(" ", "") for t in texts]
    digits = [d if d.isdigit() else "" for d in digits]
    found = [glyphs(ink[max(0, y0) : y1, max(0, x0) : x1]) for _, (x0, y0, x1, y1) in owners]
    spacing = digit_spacing(list(zip(digits, found)))
    out = list(texts)
    for a in ("x", "y"):
        mine = [i for i, (owner, _) in enumerate(owners) if owner == a]
        fixed = restore_decimal_points([(digits[i], found[i]) for i in mine], spacing)
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


def _consensus(ticks: Sequence[Tick], candidates: list[list[float]], log: bool, tol_px: float):
    """Best linear map value -> pixel over pairs of labels: (inlier indices, a, b, values)."""
    best = ([], 0.0, 0.0, [])
    pos = [t.pixel for t in ticks]
    opts = [[math.log10(c) if log else c for c in cs if not log or c > 0] for cs in candidates]
    for i, j in itertools.combinations(range(len(ticks)), 2):
        for vi, vj in itertools.product(opts[i], opts[j]):
            if vi == vj or pos[i] == pos[j]:
                continue
            a = (pos[j] - pos[i]) / (vj - vi)
            b = pos[i] - a * vi
            inl, vals = [], []
            for k, cs in enumerate(opts):
                errs = [abs(a * c + b - pos[k]) for c in cs]
                if errs and min(errs) <= tol_px:
                    inl.append(k)
                    vals.append(cs[int(np.argmin(errs))])
            if len(inl) > len(best[0]):
                best = (inl, a, b, vals)
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


def _fit_axis(name: str, ticks: list[Tick], length_px: float) -> AxisFit:
    candidates = [parse_number(t.text) for t in ticks]
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
    found = {a: _label_boxes(ink, frame, a) for a in ("x", "y")}
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
    x = _fit_axis("x", ticks["x"], right - left)
    y = _fit_axis("y", ticks["y"], bottom - top)
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
