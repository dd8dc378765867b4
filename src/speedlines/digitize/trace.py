"""Line instances from a speedline mask: one ordered pixel chain per speedline.

mask -> skeleton -> pieces split at junctions -> pieces linked across gaps and crossings by
smooth continuation (:mod:`speedlines.digitize.joins`) -> chains that look like speedlines,
each ordered surge -> choke, the list ordered from the lowest speed to the highest.

Pixel coordinates are (col, row) floats, as in :mod:`speedlines.digitize.calibration`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import cv2
import numpy as np
from scipy import ndimage
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra
from skimage.morphology import skeletonize

from speedlines.digitize import line_family
from speedlines.digitize import line_shape as shape
from speedlines.digitize.ink_trail import along_ink
from speedlines.digitize.island_arcs import drop_island_arcs
from speedlines.digitize.joins import Chains, end_direction, join_cost, link_pieces
from speedlines.digitize.line_check import check_lines, default_check

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
    drop_crossing: bool = True  # speedlines never cross: drop the lines that cross others
    drop_rules: bool = True  # drop straight horizontal and vertical rules (grid, boxes, bars)
    drop_island_arcs: bool = True  # with the image: drop lines whose ink goes on across others
    join_pieces: float = 0.02  # longest gap between two lines, one continuing the other, joined
    follow_ink: bool = True  # where the image is given: join and extend lines along its ink
    line_check: bool = True  # the learned line check: drop non-speedlines, confidence x odds


@dataclass
class LineInstance:
    """One traced line: points (N, 2) as (col, row), ordered from the surge to the choke end."""

    points: np.ndarray
    length: float  # along the points, px
    bridged: float  # part of ``length`` that crosses gaps rather than mask pixels, px
    # mean probability along the traced pixels x share not bridged, lowered for a line far
    # shorter than its neighbours (line_family.doubt_short_lines)
    confidence: float

    @property
    def surge_end(self) -> np.ndarray:
        return self.points[0]

    @property
    def choke_end(self) -> np.ndarray:
        return self.points[-1]


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
    junction = skeleton & (_neighbourhood_count(skeleton) >= 4)  # itself + 3 or more
    if junction.any() and cut_radius > 0:
        yy, xx = np.mgrid[-cut_radius : cut_radius + 1, -cut_radius : cut_radius + 1]
        junction = _dilate(junction, xx**2 + yy**2 <= cut_radius**2)
    labels, n = ndimage.label(skeleton & ~junction, structure=np.ones((3, 3)))
    # A piece with a pixel of one neighbour has an end; bincount, not ndimage.maximum,
    # which sorts every pixel of the image.
    ends = labels[_neighbourhood_count(labels > 0) == 2]
    has_end = np.bincount(ends[ends > 0], minlength=n + 1)[1:] > 0
    pieces = []
    for i, sl in enumerate(ndimage.find_objects(labels), start=1):
        if not has_end[i - 1]:
            continue  # a closed loop (an efficiency island): no speedline
        rr, cc = np.nonzero(labels[sl] == i)
        pts = _longest_path(rr + sl[0].start, cc + sl[1].start)
        pieces.append(pts)
    return pieces, junction


def _line_width(m: np.ndarray, skeleton: np.ndarray) -> float:
    """The typical stroke width of the mask's lines, px, from the distance to the background
    along the centreline (at least 1)."""
    depth = _distance_to_background(m)[skeleton]
    return max(2.0 * float(np.median(depth)) - 1.0, 1.0) if depth.size else 1.0


def _chains(m: np.ndarray, s: TraceSettings, diagonal: float):
    """The mask's centreline in pieces, joined into lines: (a list of point arrays per line,
    the line width). Each line's first and last arrays carry its ends back through the
    crossings they were cut at (and may be empty)."""
    # Pinholes and slivers inside thick lines would become loops in the skeleton.
    m = _fill_slivers(m)
    skeleton = skeletonize(m)
    width = _line_width(m, skeleton)
    # Stubs shorter than the line is wide have no direction of their own and would join
    # anything to anything (dots of a dotted grid, remains of a crossing).
    shortest = max(4.0, 1.5 * width)
    pieces, cut = _pieces(skeleton, int(np.ceil(width / 2)) + 1)
    pieces = [p for p in pieces if len(p) >= 2 and shape.path_length(p) >= shortest]
    max_gap = max(s.max_gap * diagonal, 8.0 * width)  # a crossing must always be bridged
    chains = link_pieces(pieces, max_gap, s.max_turn_deg, s.tangent_px, width)
    near_cut = _dilate(cut, ndimage.generate_binary_structure(2, 1), iterations=2)
    limit = 4.0 * width + 2.0
    lines = []
    for chain in chains:
        parts = [pieces[i][::-1] if rev else pieces[i] for i, rev in chain]
        start = _extend(parts[0], True, m, near_cut, s.tangent_px, limit, width)
        end = _extend(parts[-1], False, m, near_cut, s.tangent_px, limit, width)
        lines.append([start, *parts, end])
    return lines, width


def _extend(points, at_start, m, near_cut, reach, limit, width) -> np.ndarray:
    """Points that carry a line's end back through a crossing it was cut at, along the mask."""
    end = points[0] if at_start else points[-1]
    r, c = int(np.rint(end[1])), int(np.rint(end[0]))
    direction = end_direction(points, at_start, reach)
    if direction is None or not near_cut[r, c]:
        return np.empty((0, 2))
    d = direction.unit
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
    ink: np.ndarray | None = None,
) -> list[LineInstance]:
    """Speedline instances in a boolean (H, W) mask, lowest speed first.

    Only ``plot_area`` ([x0, y0, x1, y1] pixels, inclusive) is traced when given. The
    probability map, where given, sets each line's confidence. With the image's ink
    (``ink_trail.ink_darkness``), lines are followed on in it past the mask's ends.
    """
    s = settings or TraceSettings()
    m = np.asarray(mask).astype(bool)
    if m.ndim != 2:
        raise ValueError(f"mask must be 2-D, got shape {m.shape}")
    h, w = m.shape
    x0, y0, x1, y1 = plot_area if plot_area is not None else (0, 0, w - 1, h - 1)
    box = (x0, y0, x1, y1)
    m &= _inside(m.shape, box, s.border_px if plot_area is not None else 0)
    if not m.any():
        return []
    diagonal = float(np.hypot(x1 - x0, y1 - y0))
    chains, width = _chains(m, s, diagonal)
    lines = []
    for parts in chains:
        line = _instance(parts, s, diagonal, box, probability, m.shape)
        if line is not None:
            lines.append(line)
    lines = shape.drop_duplicates(lines, width + 1.0)
    if s.join_pieces > 0:
        gap = max(s.join_pieces * diagonal, 4.0 * width)
        lines = _join_pieces(lines, gap, s, width, probability, m.shape)
    if s.drop_rules:
        lines = line_family.drop_rules(lines)
    lines = _drop_relatively_short(lines, s.min_relative_length)
    # After the length test: ink the model left unmarked does not make a fragment a line.
    if ink is not None and s.follow_ink:
        lines = _follow_ink(lines, ink, s, width, box, diagonal, probability, m.shape)
    if s.drop_crossing:
        lines = line_family.drop_crossing(lines, width + 2.0)
    if ink is not None and s.drop_island_arcs:
        lines = drop_island_arcs(lines, ink, box, width)
    lines = sorted(lines, key=functools.cmp_to_key(shape.lower_speed_first))
    lines = line_family.doubt_short_lines(lines)
    check = default_check() if s.line_check else None
    return check_lines(lines, box, ink, check) if check is not None else lines


def _inside(image_shape: tuple[int, int], box, border: int) -> np.ndarray:
    """Boolean (H, W): the pixels of ``box`` ([x0, y0, x1, y1], inclusive, may be fractional
    or reach past the image) at least ``border`` pixels inside its edge."""
    x0, y0, x1, y1 = box
    keep = np.zeros(image_shape, bool)
    r0, r1 = int(np.ceil(y0)) + border, int(np.floor(y1)) - border + 1
    c0, c1 = int(np.ceil(x0)) + border, int(np.floor(x1)) - border + 1
    keep[max(r0, 0) : max(r1, 0), max(c0, 0) : max(c1, 0)] = True
    return keep


def _instance(
    parts, s: TraceSettings, diagonal: float, box, probability, image_shape
) -> LineInstance | None:
    """The joined parts of one line as a ``LineInstance`` oriented surge -> choke, or None
    when they are too short, do not look like a speedline, or are too little confident."""
    points = np.concatenate(parts)
    traced = sum(shape.path_length(p) for p in parts)
    length = shape.path_length(points)
    if length < s.min_length * diagonal:
        return None
    points = shape.orient(points)
    if not shape.looks_like_speedline(points, length) or shape.is_frame(points, length, box):
        return None
    bridged = max(length - traced, 0.0)
    conf = _mean_probability(points, probability, image_shape) * (1.0 - bridged / length)
    return LineInstance(points, length, bridged, conf) if conf >= s.min_confidence else None


def _join_pieces(lines, max_gap, s: TraceSettings, width, probability, image_shape) -> list:
    """Lines joined where one continues another across a short gap: a speedline broken in two
    where island contours cross it, whose pieces the skeleton joined to the contours instead.
    Best continuation first; a joint that does not look like a speedline stays two lines."""
    cos_turn = np.cos(np.radians(s.max_turn_deg))
    width = max(width, 2.0)  # skeleton ends of 1-px lines still sit a pixel either way
    joins = []
    for a, la in enumerate(lines):
        da = end_direction(la.points, False, s.tangent_px)
        for b, lb in enumerate(lines):
            pa, pb = la.choke_end, lb.surge_end
            if a == b or np.linalg.norm(pb - pa) > max_gap or pb[0] < pa[0] - width:
                continue
            # Straight on from the first line's end, not beside it (a nested island arc).
            v = pb - pa
            if da is not None and abs(da.unit[0] * v[1] - da.unit[1] * v[0]) > max(
                width, 0.35 * np.linalg.norm(v)
            ):
                continue
            db = end_direction(lb.points, True, s.tangent_px)
            cost = join_cost(pa, pb, da, db, cos_turn, width)
            if cost is not None:
                joins.append((cost, a, b))
    chains = Chains(len(lines))  # each end joined once, no loops: as the skeleton's pieces
    for _, a, b in sorted(joins):
        points = np.concatenate([lines[a].points, lines[b].points])
        if shape.looks_like_speedline(points, shape.path_length(points)):
            chains.join((a, 1), (b, 0))  # a's choke end to b's surge end
    out = []
    # Every join leads a choke end into a surge end, so each walk runs surge first, unreversed.
    for chain in chains.walks():
        run = [lines[i] for i, _ in chain]
        if len(run) == 1:
            out.append(run[0])
            continue
        points = np.concatenate([ln.points for ln in run])
        length = shape.path_length(points)
        bridged = length - sum(ln.length - ln.bridged for ln in run)
        conf = _mean_probability(points, probability, image_shape) * (1.0 - bridged / length)
        out.append(LineInstance(points, length, bridged, conf))
    return out


def _mean_probability(points: np.ndarray, probability: np.ndarray | None, image_shape) -> float:
    """Mean of the probability map at the points' nearest pixels (clipped to the (H, W)
    image); 1 without a map."""
    if probability is None:
        return 1.0
    h, w = image_shape
    r = np.clip(np.rint(points[:, 1]).astype(int), 0, h - 1)
    c = np.clip(np.rint(points[:, 0]).astype(int), 0, w - 1)
    return float(np.mean(probability[r, c]))


def _drop_relatively_short(lines: list[LineInstance], min_relative: float) -> list[LineInstance]:
    """Lines at least ``min_relative`` x the median length, when there are three or more."""
    if len(lines) < 3:
        return lines
    # Speedlines of one map differ in length by a few times at most; far shorter pieces are
    # bits of crossing lines, islands or labels.
    typical = float(np.median([ln.length for ln in lines]))
    return [ln for ln in lines if ln.length >= min_relative * typical]


def _fill_slivers(m: np.ndarray, max_half_width: float = 2.5) -> np.ndarray:
    """The mask with its enclosed holes filled, except those wider than slivers (an island's
    inside stays open).

    A thick line that a model marks only along its edges encloses long, thin holes; filled,
    they give one centreline instead of two parallel ones.
    """
    # As ndimage.binary_fill_holes: holes are the 4-connected background regions that do
    # not reach the image's edge; labelling the background once gives them and their labels.
    background, n = ndimage.label(~m)
    enclosed = np.ones(n + 1, bool)
    enclosed[0] = False
    enclosed[np.concatenate([background[[0, -1]].ravel(), background[:, [0, -1]].ravel()])] = False
    holes = enclosed[background]
    if not holes.any():
        return m.copy()
    # A hole is wide when its deepest pixel is: any pixel deeper than the limit.
    deep = _distance_to_background(holes) > max_half_width
    wide = np.zeros(n + 1, bool)
    wide[background[deep]] = True
    return m | (holes & ~wide[background])


def _neighbourhood_count(b: np.ndarray) -> np.ndarray:
    """Set pixels in each pixel's 3 x 3 neighbourhood, itself included (0 outside)."""
    kernel = np.ones((3, 3), np.float32)
    return cv2.filter2D(b.astype(np.uint8), -1, kernel, borderType=cv2.BORDER_CONSTANT)


def _dilate(b: np.ndarray, structure: np.ndarray, iterations: int = 1) -> np.ndarray:
    """ndimage.binary_dilation with a symmetric structure, through OpenCV (ten times faster)."""
    out = cv2.dilate(b.astype(np.uint8), structure.astype(np.uint8), iterations=iterations)
    return out.astype(bool)


def _distance_to_background(b: np.ndarray) -> np.ndarray:
    """ndimage.distance_transform_edt of a boolean image, bit for bit, through OpenCV's exact
    (Felzenszwalb) transform: its float32 distances are the roots of integer squared
    distances, which are recovered exactly and rooted again in float64."""
    if b.all():  # no background: OpenCV and SciPy disagree; keep SciPy's answer
        return ndimage.distance_transform_edt(b)
    d = cv2.distanceTransform(b.astype(np.uint8), cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
    return np.sqrt(np.rint(d.astype(np.float64) ** 2))


def _follow_ink(lines, ink, s: TraceSettings, width, box, diagonal, probability, image_shape):
    """Lines joined and extended along the image's ink (``ink_trail.along_ink``); the ink
    added counts as bridged, as the model did not mark it. A result that no longer looks
    like a speedline leaves its lines as they were."""
    if not lines:
        return lines
    out = []
    for chain, points, added in along_ink([ln.points for ln in lines], ink, box, width):
        parts = [lines[i] for i in chain]
        if len(parts) == 1 and added == 0:
            out.append(parts[0])
            continue
        length = shape.path_length(points)
        if not shape.looks_like_speedline(points, length):
            out.extend(parts)
            continue
        bridged = min(length - sum(ln.length - ln.bridged for ln in parts), length)
        # Confidence is the model's, over what it marked: drawn ink it missed, found and
        # followed, neither raises nor lowers it.
        marked = np.concatenate([ln.points for ln in parts])
        own = sum(ln.bridged for ln in parts) / sum(ln.length for ln in parts)
        conf = _mean_probability(marked, probability, image_shape) * (1.0 - own)
        out.append(LineInstance(points, length, max(bridged, 0.0), conf))
    return out
