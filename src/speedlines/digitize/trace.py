"""Line instances from a speedline mask: one ordered pixel chain per speedline.

mask -> skeleton -> pieces split at junctions -> pieces linked across gaps and crossings by
smooth continuation -> chains that look like speedlines, each ordered surge -> choke, the
list ordered from the lowest speed to the highest.

Pixel coordinates are (col, row) floats, as in :mod:`speedlines.digitize.calibration`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from scipy import ndimage
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra
from skimage.morphology import skeletonize

from speedlines.digitize import line_shape as shape

__all__ = ["LineInstance", "TraceSettings", "trace_lines"]

_NEIGHBOURS = [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)]


@dataclass(frozen=True)
class TraceSettings:
    """Tracing knobs, as fractions of the plotting area's diagonal where they are lengths."""

    min_length: float = 0.04  # shorter chains are text, ticks or fragments
    max_gap: float = 0.06  # the longest gap bridged (dashes, labels, crossing lines)
    max_turn_deg: float = 60.0  # bend allowed where two pieces are joined (knees bend fast)
    border_px: int = 3  # pixels ignored inside the plot-area edge (the frame)
    tangent_px: float = 10.0  # length over which an end's direction is measured
    min_confidence: float = 0.25  # mean probability along a line x share not bridged
    min_relative_length: float = 0.3  # of the median line length of the image


@dataclass
class LineInstance:
    """One traced line: points (N, 2) as (col, row), ordered from the surge to the choke end."""

    points: np.ndarray
    length: float  # along the points, px
    bridged: float  # part of ``length`` that crosses gaps rather than mask pixels, px
    confidence: float  # mean probability along the traced pixels x share not bridged

    @property
    def surge_end(self) -> np.ndarray:
        return self.points[0]

    @property
    def choke_end(self) -> np.ndarray:
        return self.points[-1]


def _path_length(points: np.ndarray) -> float:
    return float(np.linalg.norm(np.diff(points, axis=0), axis=1).sum()) if len(points) > 1 else 0.0


def _longest_path(rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """The pixels of a small 8-connected component along its longest geodesic, as (col, row)."""
    n = len(rows)
    if n == 1:
        return np.array([[cols[0], rows[0]]], dtype=np.float64)
    index = {(r, c): i for i, (r, c) in enumerate(zip(rows.tolist(), cols.tolist()))}
    src, dst, w = [], [], []
    for i, (r, c) in enumerate(zip(rows.tolist(), cols.tolist())):
        for dr, dc in _NEIGHBOURS:
            j = index.get((r + dr, c + dc))
            if j is not None:
                src.append(i)
                dst.append(j)
                w.append(1.4142 if dr and dc else 1.0)
    graph = coo_matrix((w, (src, dst)), shape=(n, n)).tocsr()
    # Twice "farthest from" finds the two ends of a chain, even with staircase corners.
    far = int(np.argmax(np.where(np.isinf(d := dijkstra(graph, indices=0)), -1, d)))
    dist, pred = dijkstra(graph, indices=far, return_predecessors=True)
    end = int(np.argmax(np.where(np.isinf(dist), -1, dist)))
    order = [end]
    while order[-1] != far:
        order.append(int(pred[order[-1]]))
    order.reverse()
    return np.stack([cols[order], rows[order]], axis=1).astype(np.float64)


def _pieces(skeleton: np.ndarray, cut_radius: int) -> tuple[list[np.ndarray], np.ndarray]:
    """Skeleton cut into simple chains of pixels, ``cut_radius`` away from every junction.

    Cutting back from a crossing leaves no stubs inside it, so every end that is later
    joined has a direction measured on the line itself, not on the crossing's pixels.
    """
    counts = ndimage.convolve(skeleton.astype(np.uint8), np.ones((3, 3), np.uint8), mode="constant")
    junction = skeleton & (counts >= 4)  # the pixel itself plus three or more neighbours
    if junction.any() and cut_radius > 0:
        yy, xx = np.mgrid[-cut_radius : cut_radius + 1, -cut_radius : cut_radius + 1]
        junction = ndimage.binary_dilation(junction, structure=xx**2 + yy**2 <= cut_radius**2)
    labels, n = ndimage.label(skeleton & ~junction, structure=np.ones((3, 3)))
    own = ndimage.convolve(
        (labels > 0).astype(np.uint8), np.ones((3, 3), np.uint8), mode="constant"
    )
    has_end = ndimage.maximum(own == 2, labels, index=np.arange(1, n + 1)) if n else []
    pieces = []
    for i, sl in enumerate(ndimage.find_objects(labels), start=1):
        if not has_end[i - 1]:
            continue  # a closed loop (an efficiency island): no speedline
        rr, cc = np.nonzero(labels[sl] == i)
        pts = _longest_path(rr + sl[0].start, cc + sl[1].start)
        pieces.append(pts)
    return pieces, junction


def _end_direction(points: np.ndarray, at_start: bool, reach: float, skip: float = 0.0):
    """(unit vector pointing out of the chain at one end, whether it is reliable, the point
    it is anchored at) or None.

    Measured between ``skip`` and ``skip + reach`` pixels from the end: the last pixels of a
    mask's blunt or hooked end (at a marker, a label) point anywhere.
    """
    pts = points if at_start else points[::-1]
    s = shape.arc_length(pts)
    if s[-1] < 1.0:
        return None
    if s[-1] < skip + 4.0:
        skip = 0.0
    i = int(np.searchsorted(s, skip))
    k = min(int(np.searchsorted(s, skip + reach)), len(pts) - 1)
    v = pts[i] - pts[k]
    norm = np.linalg.norm(v)
    # A stub of a few pixels points only roughly (8 directions): use it, but do not veto.
    return (v / norm, s[-1] >= 4.0, pts[i]) if norm > 0 else None


class _Chains:
    """Union of pieces joined end to end; each end joins at most once, no cycles."""

    def __init__(self, n: int):
        self.parent = list(range(n))
        self.used: set[tuple[int, int]] = set()
        self.links: dict[tuple[int, int], tuple[int, int]] = {}

    def root(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, a: tuple[int, int], b: tuple[int, int]) -> bool:
        if a in self.used or b in self.used or self.root(a[0]) == self.root(b[0]):
            return False
        self.used |= {a, b}
        self.links[a], self.links[b] = b, a
        self.parent[self.root(a[0])] = self.root(b[0])
        return True


def _join_cost(pa, pb, da, db, cos_turn: float, width: float) -> float | None:
    """Cost of joining end a to end b (lower is better); None when they cannot continue
    each other: too sharp a bend, or one end beside rather than ahead of the other."""
    gap = float(np.linalg.norm(pb - pa))
    # Offsets are measured between the anchors, behind any hook at the very ends.
    v = (db[2] if db is not None else pb) - (da[2] if da is not None else pa)
    penalty = 0.0
    if da is not None and db is not None:
        turn = float(-da[0] @ db[0])  # 1 when the two ends face each other in a line
        if da[1] and db[1] and turn < cos_turn:
            return None
        penalty += 1.0 - turn
    # Skeleton ends at a blunt cut sit anywhere across the line: allow a width sideways.
    span = float(np.linalg.norm(v))
    allowed = max(1.5 * width, 0.6 * span)
    for d, w in ((da, v), (db, -v)):
        if d is None:
            continue
        ahead, side = float(d[0] @ w), abs(float(d[0][0] * w[1] - d[0][1] * w[0]))
        if d[1] and (ahead < -width or side > allowed):
            return None
        penalty += side / max(span, width)
    return gap * (1.0 + 2.0 * penalty) + 10.0 * penalty


def _link(pieces: list[np.ndarray], max_gap: float, max_turn: float, reach: float, width: float):
    """Greedily join piece ends by smooth continuation; returns chains of (piece, reversed)."""
    ends, far, near = [], [], []
    for i, p in enumerate(pieces):
        for side in (0, 1):
            ends.append((i, side))
            far.append(_end_direction(p, side == 0, reach, 2.0 * width))
            near.append(_end_direction(p, side == 0, reach / 2, width))
    pos = np.array([pieces[i][0 if s == 0 else -1] for i, s in ends])
    cos_turn = np.cos(np.radians(max_turn))
    candidates = []
    if len(ends) > 1:
        from scipy.spatial import cKDTree

        tree = cKDTree(pos)
        for a, b in sorted(tree.query_pairs(max_gap)):
            (ia, _), (ib, _) = ends[a], ends[b]
            if ia == ib:
                continue
            # Directions measured away from the ends ignore hooks; measured close to them,
            # they follow a knee that bends fast. Either may show the continuation.
            costs = [_join_cost(pos[a], pos[b], d[a], d[b], cos_turn, width) for d in (far, near)]
            costs = [c for c in costs if c is not None]
            if costs:
                candidates.append((min(costs), a, b))
    chains = _Chains(len(pieces))
    for _, a, b in sorted(candidates):
        chains.join(ends[a], ends[b])
    # Walk each chain from a free end.
    out, seen = [], set()
    for i in range(len(pieces)):
        if i in seen:
            continue
        # Find a free end of i's chain by walking in one direction.
        start = (i, 0)
        guard = 0
        while start in chains.links and guard <= len(pieces):
            other = chains.links[start]
            start = (other[0], 1 - other[1])
            guard += 1
        order, cur = [], start
        while True:
            piece, side = cur
            seen.add(piece)
            order.append((piece, side == 1))  # entered at its end: walk it reversed
            exit_end = (piece, 1 - side)
            if exit_end not in chains.links:
                break
            cur = chains.links[exit_end]
        out.append(order)
    return out


def _chains(m: np.ndarray, s: TraceSettings, diagonal: float):
    """The mask's centreline in pieces, joined into lines: a list of piece lists per line."""
    # Pinholes and slivers inside thick lines would become loops in the skeleton.
    m = _fill_slivers(m)
    skeleton = skeletonize(m)
    # Line width from the distance to the background along the centreline.
    depth = ndimage.distance_transform_edt(m)[skeleton]
    width = max(2.0 * float(np.median(depth)) - 1.0, 1.0) if depth.size else 1.0
    # Stubs shorter than the line is wide have no direction of their own and would join
    # anything to anything (dots of a dotted grid, remains of a crossing).
    shortest = max(4.0, 1.5 * width)
    pieces, cut = _pieces(skeleton, int(np.ceil(width / 2)) + 1)
    pieces = [p for p in pieces if len(p) >= 2 and _path_length(p) >= shortest]
    max_gap = max(s.max_gap * diagonal, 8.0 * width)  # a crossing must always be bridged
    chains = _link(pieces, max_gap, s.max_turn_deg, s.tangent_px, width)
    near_cut = ndimage.binary_dilation(cut, iterations=2)
    lines = []
    for chain in chains:
        parts = [pieces[i][::-1] if rev else pieces[i] for i, rev in chain]
        start = _extend(parts[0], True, m, near_cut, s.tangent_px, 4.0 * width + 2.0, width)
        end = _extend(parts[-1], False, m, near_cut, s.tangent_px, 4.0 * width + 2.0, width)
        lines.append([start, *parts, end])
    return lines, width


def _extend(points, at_start, m, near_cut, reach, limit, width) -> np.ndarray:
    """Points that carry a line's end back through a crossing it was cut at, along the mask."""
    end = points[0] if at_start else points[-1]
    r, c = int(np.rint(end[1])), int(np.rint(end[0]))
    direction = _end_direction(points, at_start, reach)
    if direction is None or not near_cut[r, c]:
        return np.empty((0, 2))
    d = direction[0]
    steps = []
    h, w = m.shape
    for k in range(1, int(limit) + 1):
        p = end + k * d
        rr, cc = int(np.rint(p[1])), int(np.rint(p[0]))
        if not (0 <= rr < h and 0 <= cc < w and m[rr, cc]):
            break
        steps.append(p)
    # The mask runs on half a line width past the centreline's end.
    steps = steps[: max(len(steps) - int(np.rint(width / 2)), 0)]
    if not steps:
        return np.empty((0, 2))
    ext = np.array(steps)
    return ext[::-1] if at_start else ext


def trace_lines(
    mask: np.ndarray,
    plot_area: tuple[float, float, float, float] | None = None,
    probability: np.ndarray | None = None,
    settings: TraceSettings | None = None,
) -> list[LineInstance]:
    """Speedline instances in a boolean (H, W) mask, lowest speed first.

    Only ``plot_area`` ([x0, y0, x1, y1] pixels, inclusive) is traced when given. The
    probability map, where given, sets each line's confidence.
    """
    s = settings or TraceSettings()
    m = np.asarray(mask).astype(bool)
    if m.ndim != 2:
        raise ValueError(f"mask must be 2-D, got shape {m.shape}")
    h, w = m.shape
    x0, y0, x1, y1 = plot_area if plot_area is not None else (0, 0, w - 1, h - 1)
    keep = np.zeros_like(m)
    b = s.border_px if plot_area is not None else 0
    r0, r1 = int(np.ceil(y0)) + b, int(np.floor(y1)) - b + 1
    c0, c1 = int(np.ceil(x0)) + b, int(np.floor(x1)) - b + 1
    keep[max(r0, 0) : max(r1, 0), max(c0, 0) : max(c1, 0)] = True
    m &= keep
    diagonal = float(np.hypot(x1 - x0, y1 - y0))
    if not m.any():
        return []
    lines = []
    box = (x0, y0, x1, y1)
    chains, width = _chains(m, s, diagonal)
    for parts in chains:
        points = np.concatenate(parts)
        traced = sum(_path_length(p) for p in parts)
        length = _path_length(points)
        if length < s.min_length * diagonal:
            continue
        points = shape.orient(points)
        if not shape.looks_like_speedline(points, length) or shape.is_frame(points, length, box):
            continue
        conf = 1.0
        if probability is not None:
            r = np.clip(np.rint(points[:, 1]).astype(int), 0, h - 1)
            c = np.clip(np.rint(points[:, 0]).astype(int), 0, w - 1)
            conf = float(np.mean(probability[r, c]))
        bridged = max(length - traced, 0.0)
        conf *= 1.0 - bridged / length
        if conf >= s.min_confidence:
            lines.append(LineInstance(points, length, bridged, conf))
    lines = shape.drop_duplicates(lines, width + 1.0)
    if len(lines) >= 3:
        # Speedlines of one map differ in length by a few times at most; far shorter
        # pieces are bits of crossing lines, islands or labels.
        typical = float(np.median([ln.length for ln in lines]))
        lines = [ln for ln in lines if ln.length >= s.min_relative_length * typical]
    return sorted(lines, key=functools.cmp_to_key(shape.lower_speed_first))


def _fill_slivers(m: np.ndarray, max_half_width: float = 2.5) -> np.ndarray:
    """The mask with its enclosed holes filled, except those wider than slivers (an island's
    inside stays open).

    A thick line that a model marks only along its edges encloses long, thin holes; filled,
    they give one centreline instead of two parallel ones.
    """
    filled = ndimage.binary_fill_holes(m)
    holes = filled & ~m
    labels, n = ndimage.label(holes)
    if n == 0:
        return filled
    depth = ndimage.distance_transform_edt(holes)
    widest = ndimage.maximum(depth, labels, index=np.arange(1, n + 1))
    wide = np.concatenate([[False], np.asarray(widest) > max_half_width])
    return filled & ~wide[labels]
