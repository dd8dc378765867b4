"""A traced line followed on in the image's own ink, past where the model's mask ends.

On large datasheets the model marks thin speedlines in pieces: the mask breaks along a flat
stretch or through a dense island area, and stops short of a choke end that still falls for
hundreds of pixels. The drawn line is there in the image. Each line is followed on from its
choke end over ink about as dark as its own, smoothly (a speedline has no corners; a glyph
or a junction with another line does), straight on through crossings and across short gaps.
Where the trail reaches another line's surge end the two are one line; otherwise the trail
is kept as far as it still falls like a speedline's choke end: never bending back, never
turning up, never into another line.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from speedlines.digitize import line_shape as shape
from speedlines.digitize.joins import Chains

__all__ = [
    "InkSettings",
    "along_ink",
    "end_heading",
    "follow_ink",
    "ink_darkness",
    "line_trail",
    "own_darkness",
    "owner_map",
    "smooth_headings",
    "trail_darkness",
]


@dataclass(frozen=True)
class InkSettings:
    """How ink is followed; lengths in px or as shares of the plotting area's diagonal."""

    min_darkness: float = 0.25  # below the local background, 0-1: keeps light grids out
    same_ink: float = 0.5  # followed ink is at least this share of the line's own darkness
    step_px: float = 2.0
    min_radius: float = 0.004  # of the diagonal (at least 4 px): tighter bends are glyphs
    max_gap: float = 0.008  # of the diagonal: a dash gap, a crossing line's antialiasing
    reach: float = 0.6  # followed at most this many times the line's length,
    min_reach: float = 0.1  # or this share of the diagonal if that is more


def ink_darkness(image: np.ndarray) -> np.ndarray:
    """How much darker than the brightest pixel within 3 px each pixel is (0-1), (H, W)
    float32: thin lines stand out, while broad shading, a watermark's fill and the paper
    tone do not."""
    gray = (
        image if image.ndim == 2 else cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_RGB2GRAY)
    )
    if gray.dtype != np.uint8:
        gray = cv2.normalize(gray, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
    # The brightest pixel nearby is the paper under a thin line (and fast to find).
    background = cv2.dilate(gray, np.ones((7, 7), np.uint8))
    dark = (background.astype(np.float32) - gray.astype(np.float32)) / 255.0
    return np.clip(dark, 0.0, 1.0)


def own_darkness(ink: np.ndarray, points: np.ndarray) -> float:
    """The median darkness along a line's points (the darkest pixel within one of each)."""
    h, w = ink.shape
    cols = np.rint(points[:, 0]).astype(int)
    rows = np.rint(points[:, 1]).astype(int)
    best = np.zeros(len(points), np.float32)
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            r, c = np.clip(rows + dr, 0, h - 1), np.clip(cols + dc, 0, w - 1)
            best = np.maximum(best, ink[r, c])
    return float(np.median(best))


def _sample(ink: np.ndarray, p: np.ndarray, normal: np.ndarray) -> float:
    """The darker of the pixels half a pixel either side of ``p`` across the way walked (an
    antialiased 1-px line between two rows is half as dark in each; a gap along the way is
    still a gap); -1 outside the image."""
    h, w = ink.shape
    best = -1.0
    for q in (p + 0.5 * normal, p - 0.5 * normal):
        c, r = int(np.rint(q[0])), int(np.rint(q[1]))
        if not (0 <= r < h and 0 <= c < w):
            return -1.0
        best = max(best, float(ink[r, c]))
    return best


def _fan(ink: np.ndarray, q: np.ndarray, angles: np.ndarray, step: float) -> np.ndarray:
    """``_sample`` for a step along each of ``angles`` from ``q``: the lighter of the samples
    half and a whole step on (-1 where any lies outside the image), all at once."""
    h, w = ink.shape
    v = np.stack([np.cos(angles), np.sin(angles)], axis=1)  # (A, 2)
    n = np.stack([-v[:, 1], v[:, 0]], axis=1)
    along = np.array([step, 0.5 * step])[:, None, None, None]
    across = np.array([0.5, -0.5])[None, :, None, None]
    pts = q + along * v[None, None] + across * n[None, None]  # (2, 2, A, 2)
    c, r = np.rint(pts[..., 0]).astype(int), np.rint(pts[..., 1]).astype(int)
    valid = (r >= 0) & (r < h) & (c >= 0) & (c < w)
    values = np.where(valid, ink[np.clip(r, 0, h - 1), np.clip(c, 0, w - 1)], -1.0)
    best = values.max(axis=1)  # the darker side
    best[:, ~valid.all(axis=(0, 1))] = -1.0
    return best.min(axis=0)


def _snap(ink: np.ndarray, p: np.ndarray, darkness: float, radius: int = 2) -> np.ndarray:
    """The darkest pixel within ``radius`` of ``p`` if it is ink (a traced end can lie a pixel
    off the drawn line), else ``p``."""
    h, w = ink.shape
    c, r = int(np.rint(p[0])), int(np.rint(p[1]))
    r0, r1 = max(r - radius, 0), min(r + radius + 1, h)
    c0, c1 = max(c - radius, 0), min(c + radius + 1, w)
    if r0 >= r1 or c0 >= c1:
        return p
    win = ink[r0:r1, c0:c1]
    k = np.unravel_index(int(np.argmax(win)), win.shape)
    if win[k] < darkness:
        return p
    return np.array([c0 + k[1], r0 + k[0]], float)


def follow_ink(
    ink: np.ndarray,
    start: np.ndarray,
    heading: float,
    max_length: float,
    max_gap: float,
    min_radius: float,
    darkness: float,
    step: float = 2.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Follow ink at least ``darkness`` dark from ``start`` (col, row) along ``heading``
    (radians, image axes: clockwise on screen is positive), bending no tighter than
    ``min_radius`` px, straight on across gaps up to ``max_gap`` px, for ``max_length`` px at
    most. Returns the points on ink (M, 2) and the heading at each (M,); the start first."""
    limit = step / max(min_radius, step)  # the most a smooth curve turns in one step
    deltas = np.linspace(-limit, limit, 7)
    penalty = 0.05 * np.abs(deltas) / limit  # straight on through a crossing
    p = _snap(ink, np.asarray(start, float), darkness)
    path, headings = [p], [heading]
    travelled, gap = 0.0, 0.0
    q = p  # where the walk is, on ink or across a gap
    while travelled < max_length:
        scores = _fan(ink, q, heading + deltas, step) - penalty
        k = int(np.argmax(scores))
        best, best_score = deltas[k], scores[k]
        if best_score + 0.05 < darkness:
            # No ink within a smooth bend's reach: cross a gap straight on, or stop there.
            v = np.array([np.cos(heading), np.sin(heading)])
            ahead = q + step * v
            if gap + step > max_gap or _sample(ink, ahead, np.array([-v[1], v[0]])) < 0:
                break
            q, gap, travelled = ahead, gap + step, travelled + step
            continue
        gap = 0.0
        heading += best
        q = q + step * np.array([np.cos(heading), np.sin(heading)])
        travelled += step
        path.append(q)
        headings.append(heading)
    return np.array(path), np.array(headings)


def end_heading(points: np.ndarray, at_end: bool, length: float) -> float:
    """Direction in which a line leaves its last (or first) point, radians, over ``length``."""
    pts = points if at_end else points[::-1]
    d = np.linalg.norm(pts - pts[-1], axis=1)
    far = np.nonzero(d >= length)[0]
    base = pts[far[-1]] if len(far) else pts[0]
    v = pts[-1] - base
    return float(np.arctan2(v[1], v[0]))


def trail_darkness(ink: np.ndarray, points: np.ndarray, settings=None) -> float:
    """The least darkness of the ink a line's trail follows: at least ``same_ink`` of the
    line's own, and at least ``min_darkness``."""
    s = settings or InkSettings()
    return max(s.min_darkness, s.same_ink * own_darkness(ink, points))


def line_trail(
    ink: np.ndarray,
    points: np.ndarray,
    length: float,
    at_end: bool,
    reach: float,
    diagonal: float,
    darkness: float,
    settings=None,
) -> tuple[np.ndarray, np.ndarray]:
    """The ink past a line's choke end (``at_end``) or, walking back, past its surge end:
    ``follow_ink`` from there for up to ``reach`` px over ink at least ``darkness`` dark,
    leaving the way the line (``length`` px long) leaves that end. Returns (points,
    headings), the line's end first."""
    s = settings or InkSettings()
    heading = end_heading(points, at_end, min(10.0, 0.2 * length))
    radius = max(4.0, s.min_radius * diagonal)
    start = points[-1] if at_end else points[0]
    return follow_ink(ink, start, heading, reach, s.max_gap * diagonal, radius, darkness, s.step_px)


def smooth_headings(path: np.ndarray, span: int = 4) -> np.ndarray:
    """The heading at each point of a trail along the chord from ``span`` points back (the
    start's own heading for the first): single steps wobble by the pixel grid."""
    if len(path) < 2:
        return np.zeros(len(path))
    back = np.maximum(np.arange(len(path)) - span, 0)
    back[0] = 0
    d = path - path[back]
    d[0] = path[min(span, len(path) - 1)] - path[0]
    return np.arctan2(d[:, 1], d[:, 0])


def falling_prefix(headings: np.ndarray, max_deg: float = 100.0, back_deg: float = 15.0) -> int:
    """How many points of a trail still run on like a speedline towards choke: it bends
    clockwise only (no more than ``back_deg`` the other way) and never turns past
    ``max_deg`` (straight down is 90), where a closed contour bends back to the left."""
    if len(headings) == 0:
        return 0
    start = headings[0]
    ok = (headings <= np.radians(max_deg)) & (headings >= start - np.radians(back_deg))
    bad = np.nonzero(~ok)[0]
    return int(bad[0]) if len(bad) else len(headings)


def owner_map(lines: list[np.ndarray], shape: tuple[int, int], width: float) -> np.ndarray:
    """(H, W) int32: 1 + the index of the line drawn there (about its width), 0 elsewhere."""
    owner = np.zeros(shape, np.int32)
    thick = max(int(np.rint(width)) + 2, 3)
    for i, p in enumerate(lines):
        cv2.polylines(owner, [np.rint(p).astype(np.int32)], False, i + 1, thick)
    return owner


def _trail_hit(path: np.ndarray, owner: np.ndarray, own: int) -> tuple[int, int]:
    """The first trail point on another line, and that line's index; (len(path), -1) if none."""
    h, w = owner.shape
    for k, q in enumerate(path):
        c, r = int(np.rint(q[0])), int(np.rint(q[1]))
        if 0 <= r < h and 0 <= c < w and owner[r, c] not in (0, own + 1):
            return k, int(owner[r, c]) - 1
    return len(path), -1


def along_ink(lines: list[np.ndarray], ink: np.ndarray, box, width: float, settings=None):
    """Lines (surge end first) joined and extended along the image's ink.

    A trail from one line's choke end that reaches another line's surge end, heading the way
    that line starts, joins the two; a trail that runs into any other part of a line stops
    short of it (speedlines do not cross). What is left of a trail is kept as far as it
    falls like a choke end (``falling_prefix``), up to its first gap, before other ink runs
    beside it, inside ``box``. Returns, per line out: (indices of the lines joined, in
    order; its points; the length added from ink)."""
    s = settings or InkSettings()
    x0, y0, x1, y1 = box
    diagonal = float(np.hypot(x1 - x0, y1 - y0))
    owner = owner_map(lines, ink.shape, width)
    near = 2.0 * width + 4.0
    trails = {}
    chains = Chains(len(lines))  # each end joined once, no loops: as the traced pieces
    darkness = [trail_darkness(ink, p, s) for p in lines]
    for a, p in enumerate(lines):
        length = shape.path_length(p)
        reach = max(s.reach * length, s.min_reach * diagonal)
        path, heads = line_trail(ink, p, length, True, reach, diagonal, darkness[a], s)
        k, b = _trail_hit(path, owner, a)
        if b >= 0 and np.linalg.norm(path[k] - lines[b][0]) <= near:
            start = end_heading(lines[b], False, 10.0) + np.pi  # the way b leaves its surge end
            turn = np.angle(np.exp(1j * (start - heads[k])))
            # a's choke end to b's surge end, unless b's is taken or that closes a loop
            if abs(turn) < np.radians(45) and chains.join((a, 1), (b, 0)):
                trails[a] = path[1:k]
                continue
        # Back off from another line, then keep the part that falls like a choke end.
        stop = k - int(np.ceil(near / s.step_px)) if b >= 0 else k
        keep = min(max(stop, 0), falling_prefix(smooth_headings(path)))
        keep = min(keep, _before_gap(path, s.step_px))
        keep = min(keep, _uncrowded_prefix(path, heads, ink, darkness[a], width))
        inside = (path[:, 0] >= x0) & (path[:, 0] <= x1) & (path[:, 1] >= y0) & (path[:, 1] <= y1)
        out = np.nonzero(~inside[:keep])[0]
        keep = int(out[0]) if len(out) else keep
        trails[a] = path[1:keep]
    out = []
    # Every join leads a choke end into a surge end: each walk runs surge first, unreversed.
    for walk in sorted(chains.walks(), key=lambda w: w[0][0]):
        chain = [i for i, _ in walk]
        parts, added = [], 0.0
        for j in chain:
            parts.append(lines[j])
            t = trails.get(j, np.empty((0, 2)))
            if len(t):
                parts.append(t)
                added += shape.path_length(np.vstack([lines[j][-1:], t]))
        out.append((chain, np.concatenate(parts), added))
    return out


def _uncrowded_prefix(path, heads, ink, darkness: float, width: float, run: int = 4) -> int:
    """How many trail points come before other ink runs beside the trail (a few px to either
    side, for ``run`` steps in a row: a line crossing at an angle passes in fewer): where
    lines converge, a trail can slip onto the wrong one."""
    h, w = ink.shape
    offsets = np.arange(2.0, 4.0) + max(width, 1.0)
    crowded = 0
    for k, (q, a) in enumerate(zip(path, heads)):
        n = np.array([-np.sin(a), np.cos(a)])
        beside = False
        for o in offsets:
            for side in (1, -1):
                c, r = np.rint(q + side * o * n).astype(int)
                beside |= bool(0 <= r < h and 0 <= c < w and ink[r, c] >= darkness)
        crowded = crowded + 1 if beside else 0
        if crowded >= run:
            return k - run + 1
    return len(path)


def _before_gap(path: np.ndarray, step: float) -> int:
    """How many trail points come before its first gap: past a line's end, a gap then more
    ink is most often the line's speed label."""
    jumps = np.nonzero(np.linalg.norm(np.diff(path, axis=0), axis=1) > 1.5 * step)[0]
    return int(jumps[0]) + 1 if len(jumps) else len(path)
