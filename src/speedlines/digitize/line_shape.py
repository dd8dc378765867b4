"""What a traced line must look like to be a speedline, and how speedlines are ordered.

Physics and drawing conventions, not pixels: a speedline runs left to right, ends lower than
it starts, bends one way only, is never a straight line along the plot frame, and lies
below and left of every faster line. Points are (N, 2) (col, row) arrays; lines are objects
with ``points`` and ``length``.
"""

from __future__ import annotations

import itertools

import numpy as np

__all__ = [
    "arc_length",
    "densify",
    "drop_duplicates",
    "is_frame",
    "is_rule",
    "looks_like_speedline",
    "lower_speed_first",
    "orient",
    "turning",
]


def path_length(points: np.ndarray) -> float:
    """Length of a polyline (0 for fewer than two points)."""
    return float(np.linalg.norm(np.diff(points, axis=0), axis=1).sum()) if len(points) > 1 else 0.0


def arc_length(points: np.ndarray) -> np.ndarray:
    """Cumulative length along a polyline, starting at 0 (one value per point)."""
    steps = np.linalg.norm(np.diff(points, axis=0), axis=1)
    return np.concatenate([[0.0], np.cumsum(steps)])


def orient(points: np.ndarray) -> np.ndarray:
    """Surge (left) end first; for a near-vertical piece, the upper end first."""
    d = points[-1] - points[0]
    if abs(d[0]) >= 0.3 * abs(d[1]):
        return points if d[0] >= 0 else points[::-1]
    return points if d[1] >= 0 else points[::-1]


def looks_like_speedline(points: np.ndarray, length: float) -> bool:
    """Speedlines run left to right and end lower than they start (choke below surge)."""
    d = points[-1] - points[0]
    if np.linalg.norm(d) < 0.25 * length:
        return False  # closed or nearly closed: an efficiency island
    backwards = np.clip(-np.diff(points[:, 0]), 0, None).sum()
    if backwards > 0.15 * length:
        return False  # doubles back in x: a contour, a label or a loop
    # Surge, beta and operating lines rise to the right; a speedline never does overall.
    if d[1] < -0.35 * length and d[0] > 0.3 * length:
        return False
    # A speedline bends one way only, from flat towards falling (clockwise on the image);
    # the lower arc of an efficiency island bends the other way.
    return turning(points) > -np.radians(10)


def turning(points: np.ndarray, step: float = 6.0) -> float:
    """Signed change of direction from the first to the last point, radians (image axes:
    positive = clockwise on screen), measured on the chain resampled every ``step`` px."""
    s = arc_length(points)
    if s[-1] < 4 * step:
        return 0.0
    at = np.arange(0.0, s[-1], step)
    x, y = np.interp(at, s, points[:, 0]), np.interp(at, s, points[:, 1])
    angles = np.unwrap(np.arctan2(np.diff(y), np.diff(x)))
    k = max(1, len(angles) // 10)  # the mean of each end tenth: skeleton jitter averages out
    return float(angles[-k:].mean() - angles[:k].mean())


def lower_speed_first(a, b) -> int:
    """-1 when ``a`` is a lower speed than ``b``: below it where both exist, else left of it."""
    lo = max(a.points[:, 0].min(), b.points[:, 0].min())
    hi = min(a.points[:, 0].max(), b.points[:, 0].max())
    if hi - lo > 2.0:
        cols = np.linspace(lo, hi, 16)
        ra, rb = row_at(a.points, cols), row_at(b.points, cols)
        diff = np.nanmedian(ra - rb) if np.isfinite(ra - rb).any() else 0.0
        if diff != 0:
            return -1 if diff > 0 else 1  # larger row = lower in the image = lower speed
    ca, cb = a.points[-1, 0], b.points[-1, 0]
    return -1 if ca < cb else (1 if ca > cb else 0)


def row_at(points: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Upper row of a chain at given columns (the flat part lies above the choke end)."""
    x = np.maximum.accumulate(points[:, 0])
    keep = np.concatenate([[True], np.diff(x) > 0])
    return np.interp(cols, x[keep], points[keep, 1], left=np.nan, right=np.nan)


def _straight(points: np.ndarray, length: float, chord_share: float, bow: float) -> bool:
    """Whether the chain is straight: its chord at least ``chord_share`` of its length, and
    no point further than max(1.5 px, ``bow`` x length) from the chord."""
    d = points[-1] - points[0]
    chord = float(np.hypot(*d))
    if chord < chord_share * length:
        return False
    normal = np.array([-d[1], d[0]]) / max(chord, 1e-9)
    return bool(np.abs((points - points[0]) @ normal).max() <= max(1.5, bow * length))


def is_rule(points: np.ndarray, length: float) -> bool:
    """A straight horizontal or vertical line (within about 3 degrees, for scans): a grid
    line, the border of a title box or a legend, a marker bar at the maximum flow. A whole
    speedline bends, from flat at surge to steep at choke, save a low one near pressure
    ratio 1 (``line_family.drop_rules`` keeps that one)."""
    d = np.abs(points[-1] - points[0])
    if min(d) > 0.05 * max(d):
        return False
    return _straight(points, length, 0.97, 0.01)


def is_frame(points: np.ndarray, length: float, box: tuple) -> bool:
    """A long, straight, axis-parallel line hugging an edge of the plotting area: the frame
    or an axis, tilted at most a few degrees (scans). A speedline is never that straight
    along an edge."""
    x0, y0, x1, y1 = box
    d = points[-1] - points[0]
    if not _straight(points, length, 0.95, 0.006):
        return False
    # A piece of the frame right at the edge, or a long one within a few percent of it.
    if abs(d[1]) <= 0.07 * abs(d[0]):  # horizontal: the top or bottom edge
        along, height = abs(d[0]) / (x1 - x0), y1 - y0
        gap = min((points[:, 1] - y0).max(), (y1 - points[:, 1]).max())
    elif abs(d[0]) <= 0.07 * abs(d[1]):  # vertical: the left or right edge
        along, height = abs(d[1]) / (y1 - y0), x1 - x0
        gap = min((points[:, 0] - x0).max(), (x1 - points[:, 0]).max())
    else:
        return False
    tight = gap <= max(6.0, 0.01 * height) and along >= 0.1
    return tight or (gap <= max(12.0, 0.03 * height) and along >= 0.4)


def drop_duplicates(lines: list, near: float) -> list:
    """Drop a line that runs alongside a longer one for most of its length: the two edges of
    a thick line that a model marked apart, or a spur along its line."""
    from scipy.spatial import cKDTree

    kept: list = []
    trees: list = []
    for line in sorted(lines, key=lambda ln: -ln.length):
        # Bounded queries stop early; the distances they find are exact, beyond are inf.
        bound = near * (1 + 1e-9) + 1e-9
        if any(
            (t.query(line.points, distance_upper_bound=bound)[0] <= near).mean() >= 0.6
            for t in trees
        ):
            continue
        kept.append(line)
        trees.append(cKDTree(densify(line.points)))
    return kept


def densify(points: np.ndarray, step: float = 1.0) -> np.ndarray:
    """The polyline with points at most ``step`` apart (bridged gaps filled in)."""
    out = [points[:1]]
    for a, b in itertools.pairwise(points):
        n = int(np.ceil(np.hypot(*(b - a)) / step))
        if n > 1:
            out.append(a + (b - a) * np.linspace(0, 1, n + 1)[1:, None])
        else:
            out.append(b[None])
    return np.concatenate(out)
