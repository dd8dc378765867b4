"""Joining skeleton pieces into lines: across gaps and crossings, by smooth continuation.

Every piece has two ends, ``(piece, side)`` with side 0 at ``points[0]`` and 1 at
``points[-1]``. Pairs of ends of different pieces close enough together are scored by how
well one continues the other (:func:`join_cost`) and joined greedily, best first, each end at
most once and never into a loop. The joined pieces are read out as chains of
``(piece, reversed)``, each walked from one free end to the other.

Pixel coordinates are (col, row) floats, as in :mod:`speedlines.digitize.trace`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from speedlines.digitize import line_shape as shape

__all__ = ["Chains", "EndDirection", "end_direction", "join_cost", "link_pieces"]

End = tuple[int, int]  # (piece, side): side 0 is the piece's first point, 1 its last
Chain = list[tuple[int, bool]]  # (piece, walked reversed), from one free end to the other


class EndDirection(NamedTuple):
    """Which way a chain leaves at one end."""

    unit: np.ndarray  # unit vector pointing out of the chain
    reliable: bool  # measured over enough pixels to veto a join, not only to rank it
    anchor: np.ndarray  # the point it is measured from, behind any hook at the very end


def end_direction(
    points: np.ndarray, at_start: bool, reach: float, skip: float = 0.0
) -> EndDirection | None:
    """The direction out of a chain at one end; None for a chain too short to have one.

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
    return EndDirection(v / norm, s[-1] >= 4.0, pts[i]) if norm > 0 else None


def join_cost(
    pa: np.ndarray,
    pb: np.ndarray,
    da: EndDirection | None,
    db: EndDirection | None,
    cos_turn: float,
    width: float,
) -> float | None:
    """Cost of joining end a (at ``pa``) to end b (lower is better); None when they cannot
    continue each other: too sharp a bend, or one end beside rather than ahead of the other."""
    gap = float(np.linalg.norm(pb - pa))
    # Offsets are measured between the anchors, behind any hook at the very ends.
    v = (db.anchor if db is not None else pb) - (da.anchor if da is not None else pa)
    penalty = 0.0
    if da is not None and db is not None:
        turn = float(-da.unit @ db.unit)  # 1 when the two ends face each other in a line
        if da.reliable and db.reliable and turn < cos_turn:
            return None
        penalty += 1.0 - turn
    # Skeleton ends at a blunt cut sit anywhere across the line: allow a width sideways.
    span = float(np.linalg.norm(v))
    allowed = max(1.5 * width, 0.6 * span)
    for d, w in ((da, v), (db, -v)):
        if d is None:
            continue
        ahead, side = float(d.unit @ w), abs(float(d.unit[0] * w[1] - d.unit[1] * w[0]))
        if d.reliable and (ahead < -width or side > allowed):
            return None
        penalty += side / max(span, width)
    return gap * (1.0 + 2.0 * penalty) + 10.0 * penalty


def link_pieces(
    pieces: list[np.ndarray], max_gap: float, max_turn_deg: float, reach: float, width: float
) -> list[Chain]:
    """Pieces joined end to end by smooth continuation, greedily, best join first.

    Ends up to ``max_gap`` apart may join when they bend by at most ``max_turn_deg``;
    directions are measured over ``reach`` pixels, offsets allowed for a line ``width``.
    Every piece is in exactly one chain; a piece joined to nothing is a chain of its own.
    """
    ends = [(i, side) for i in range(len(pieces)) for side in (0, 1)]
    joins = _candidate_joins(pieces, ends, max_gap, max_turn_deg, reach, width)
    chains = Chains(len(pieces))
    for _, a, b in sorted(joins):
        chains.join(ends[a], ends[b])
    return chains.walks()


def _candidate_joins(
    pieces: list[np.ndarray],
    ends: list[End],
    max_gap: float,
    max_turn_deg: float,
    reach: float,
    width: float,
) -> list[tuple[float, int, int]]:
    """(cost, index of end a, index of end b) for each pair of ends of two pieces that may
    join."""
    if len(ends) < 2:
        return []
    from scipy.spatial import cKDTree

    # Directions measured away from the ends ignore hooks; measured close to them, they
    # follow a knee that bends fast. Either may show the continuation.
    far = [end_direction(pieces[i], side == 0, reach, 2.0 * width) for i, side in ends]
    near = [end_direction(pieces[i], side == 0, reach / 2, width) for i, side in ends]
    pos = np.array([pieces[i][0 if side == 0 else -1] for i, side in ends])
    cos_turn = np.cos(np.radians(max_turn_deg))
    joins = []
    for a, b in sorted(cKDTree(pos).query_pairs(max_gap)):
        if ends[a][0] == ends[b][0]:
            continue
        costs = [join_cost(pos[a], pos[b], d[a], d[b], cos_turn, width) for d in (far, near)]
        costs = [c for c in costs if c is not None]
        if costs:
            joins.append((min(costs), a, b))
    return joins


class Chains:
    """Pieces joined end to end; each end joins at most once, and no join closes a loop."""

    def __init__(self, n: int):
        self.n = n
        self.parent = list(range(n))  # union-find over pieces: which chain each is in
        self.links: dict[End, End] = {}  # both directions of every join

    def root(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, a: End, b: End) -> bool:
        """Join end a to end b unless either is taken or they are on one chain already."""
        if a in self.links or b in self.links or self.root(a[0]) == self.root(b[0]):
            return False
        self.links[a], self.links[b] = b, a
        self.parent[self.root(a[0])] = self.root(b[0])
        return True

    def free_end(self, piece: int) -> End:
        """The free end of ``piece``'s chain reached by leaving the piece at its start."""
        end, steps = (piece, 0), 0
        while end in self.links and steps <= self.n:
            other = self.links[end]
            end = (other[0], 1 - other[1])
            steps += 1
        return end

    def walk(self, start: End) -> Chain:
        """The chain that ``start`` (a free end) is an end of, from there to its other end."""
        chain, (piece, side) = [], start
        while True:
            chain.append((piece, side == 1))  # entered at its last point: walk it reversed
            exit_end = (piece, 1 - side)
            if exit_end not in self.links:
                return chain
            piece, side = self.links[exit_end]

    def walks(self) -> list[Chain]:
        """Every chain once, in the order of its lowest-numbered piece."""
        chains, seen = [], set()
        for i in range(self.n):
            if i not in seen:
                chain = self.walk(self.free_end(i))
                seen.update(piece for piece, _ in chain)
                chains.append(chain)
        return chains
