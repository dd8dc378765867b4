"""Where a chart's tick labels are: the tick marks outside the bottom (x) or left (y) side
of the plotting frame, the boxes of the labels beside them and of the axis title beyond.

Connected components of the dark-pixel mask (OpenCV), grouped into labels by the gaps between
them, split and joined by the tick marks they sit by; ``axes.read_axes`` reads the boxes.
"""

from __future__ import annotations

import cv2
import numpy as np

__all__ = ["label_boxes"]


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


def label_boxes(dark: np.ndarray, frame, axis: str):
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
    # Major ticks are the long ones (minor ones are shorter); labels stand by them.
    longest = ticks[:, 3].max() if len(ticks) else 0
    major = sorted(float(s[0] + (s[2] - 1) / 2) for s in ticks if s[3] >= 0.8 * longest)
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
    band = _first_line(profile, beside, band)
    inside = text[(text[:, 1] >= band[0]) & (text[:, 1] + text[:, 3] <= band[1])]
    heights = inside[:, 3] if axis == "x" else inside[:, 2]
    char = float(np.median(heights)) if len(inside) else 8.0
    groups = _group(inside, 0, gap=0.8 * char) if len(inside) else []
    if axis == "x":
        groups = _by_tick(groups, [t - lo for t in tick_pos], 2 * char)
        groups = [piece for g in groups for piece in _split_at_ticks(g, major)]

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


def _first_line(profile: np.ndarray, beside: np.ndarray, band: tuple[int, int]):
    """The labels' band cut after its first line of text (x labels; for y labels, their
    column) where the axis title follows closer than the band's closing gap: at the first
    empty row beyond the labels when what lies beyond is text of a like size (not a comma's
    tail), spreads no wider along the axis, and is not the labels' other halves."""
    start, stop = band
    for row in range(start + 1, stop):
        if profile[row] or not profile[row - 1]:
            continue
        above = beside[(beside[:, 1] >= start) & (beside[:, 1] + beside[:, 3] <= row)]
        below = beside[beside[:, 1] >= row]
        if not len(above) or not len(below):
            continue
        line, next_line = float(np.median(above[:, 3])), float(np.median(below[:, 3]))
        labels = len(_group(above, 0, gap=line))
        # Both lines of text alike in size (not a sliver of the frame above a line of labels);
        # beyond, text that spreads no wider along the axis than the labels (not the foot of
        # a box over them), and not the labels' other halves: beyond a y label's comma, or
        # the gap of its lost point, lie its first digits, glyphs as tall as its last ones
        # and level with them, where a title's letters are so only by chance.
        if (
            row - start >= 0.8 * line
            and 0.5 * next_line <= line <= 2 * next_line
            and _extent(above) >= _extent(below)
            and _level_with(above, below) < max(2, labels / 2)
        ):
            return start, row
    return band


def _level_with(above: np.ndarray, below: np.ndarray, tol: int = 1) -> int:
    """How many components of ``below`` span the same stretch along the axis as one of
    ``above`` (start and end within ``tol`` px)."""
    a0, a1 = above[:, 0], above[:, 0] + above[:, 2]
    b0, b1 = below[:, 0], below[:, 0] + below[:, 2]
    same = (np.abs(b0[:, None] - a0[None]) <= tol) & (np.abs(b1[:, None] - a1[None]) <= tol)
    return int(same.any(axis=1).sum())


def _extent(stats: np.ndarray) -> int:
    """How far components reach along the axis, first to last."""
    x0, _, x1, _ = _box(stats)
    return x1 - x0


def _split_at_ticks(group: np.ndarray, major: list[float]) -> list[np.ndarray]:
    """A group of x-label characters that runs over two or more major tick marks (crowded
    labels set edge to edge: "0.000.030.06") split into one label per tick, each character
    to the tick it is nearest; left whole where a piece would be empty or wider than the
    room between two ticks allows a label."""
    x0, _, x1, _ = _box(group)
    within = np.array([t for t in major if x0 <= t < x1])
    if len(within) < 2:
        return [group]
    centres = group[:, 0] + group[:, 2] / 2
    nearest = np.argmin(np.abs(centres[:, None] - within[None, :]), axis=1)
    pieces = [group[nearest == k] for k in range(len(within))]
    spacing = float(np.min(np.diff(within)))
    if any(not len(p) or _extent(p) > 1.5 * spacing for p in pieces):
        return [group]
    return pieces


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
