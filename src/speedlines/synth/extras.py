"""Lines of a map that are not speedlines, in data units: beta/R-line fans, meshes joining
points across speedlines, surge, choke and operating lines.

They are built from the speedlines themselves so that they cross them where real ones do.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from speedlines.synth.physics import CompressorMap


@dataclass
class Extra:
    """A non-speedline polyline (data units) and what it is."""

    kind: str  # beta_fan, mesh, surge_line, choke_line, operating_line
    points: np.ndarray


def point_at_fraction(line: np.ndarray, fraction: float, span: np.ndarray) -> np.ndarray:
    """The point at ``fraction`` of the visual arc length of ``line`` (surge = 0, choke = 1)."""
    seg = np.linalg.norm(np.diff(line / span, axis=0), axis=1)
    s = np.concatenate([[0.0], np.cumsum(seg)])
    target = fraction * s[-1]
    return np.array([np.interp(target, s, line[:, 0]), np.interp(target, s, line[:, 1])])


def _span(cmap: CompressorMap) -> np.ndarray:
    w0, w1, p0, p1 = cmap.bounds()
    return np.array([w1 - w0, p1 - p0])


def _extend(points: np.ndarray, before: float, after: float) -> np.ndarray:
    """Prolong a polyline straight beyond both ends by fractions of its chord."""
    chord = points[-1] - points[0]
    head = points[0] - before * chord
    tail = points[-1] + after * chord
    return np.vstack([head, points, tail])


def mesh(cmap: CompressorMap, rng: np.random.Generator) -> list[Extra]:
    """Lines through points at equal fractions along every speedline (constant-beta style)."""
    span = _span(cmap)
    n = int(rng.integers(3, 9))
    fractions = (
        np.sort(rng.uniform(0.05, 0.97, n))
        if rng.random() < 0.4
        else np.linspace(rng.uniform(0.0, 0.15), rng.uniform(0.85, 1.0), n)
    )
    out = []
    for f in fractions:
        pts = np.array([point_at_fraction(line, f, span) for line in cmap.lines])
        out.append(Extra("mesh", pts))
    return out


def beta_fan(cmap: CompressorMap, rng: np.random.Generator) -> list[Extra]:
    """Straight or slightly curved rays from one focal point through the top speedline."""
    span = _span(cmap)
    w0, w1, p0, _ = cmap.bounds()
    low, top = cmap.lines[0], cmap.lines[-1]
    where = rng.choice(["low_choke", "origin", "below_right"])
    if where == "low_choke":
        focus = low[-1] + np.array([0.05, -0.05]) * span * rng.uniform(0, 1)
    elif where == "origin":
        focus = np.array([w0 - rng.uniform(0, 0.2) * span[0], p0 - rng.uniform(0, 0.1) * span[1]])
    else:
        focus = np.array(
            [w1 + rng.uniform(0.0, 0.3) * span[0], p0 - rng.uniform(0.1, 0.5) * span[1]]
        )
    n = int(rng.integers(4, 12))
    fractions = np.linspace(rng.uniform(0.0, 0.2), rng.uniform(0.8, 1.0), n)
    bend = rng.uniform(-0.08, 0.08) if rng.random() < 0.5 else 0.0
    start = rng.uniform(0.0, 0.5)  # rays may start partway from the focus
    out = []
    for f in fractions:
        end = point_at_fraction(top, f, span) + (point_at_fraction(top, f, span) - focus) * 0.05
        t = np.linspace(start, 1.0, 24)[:, None]
        ray = focus + t * (end - focus)
        if bend:
            normal = np.array([-(end - focus)[1] / span[1], (end - focus)[0] / span[0]]) * span
            ray = ray + bend * (t * (1 - t)) * normal
        out.append(Extra("beta_fan", ray))
    return out


def surge_line(cmap: CompressorMap, rng: np.random.Generator) -> Extra:
    pts = cmap.surge_points
    return Extra("surge_line", _extend(pts, rng.uniform(0, 0.15), rng.uniform(0, 0.1)))


def choke_line(cmap: CompressorMap, rng: np.random.Generator) -> Extra:
    pts = cmap.choke_points
    return Extra("choke_line", _extend(pts, rng.uniform(0, 0.1), rng.uniform(0, 0.1)))


def operating_line(cmap: CompressorMap, rng: np.random.Generator) -> Extra:
    """An engine operating line: a smooth curve from low-left to top-right across the lines."""
    span = _span(cmap)
    f0, f1 = rng.uniform(0.3, 0.8), rng.uniform(0.3, 0.8)
    fractions = np.linspace(f0, f1, len(cmap.lines))
    pts = np.array([point_at_fraction(line, f, span) for line, f in zip(cmap.lines, fractions)])
    return Extra("operating_line", _extend(pts, 0.05, 0.05))


def sample_extras(cmap: CompressorMap, rng: np.random.Generator) -> list[Extra]:
    """The crossing lines of a combined-case map: at least one family, often several."""
    makers = {
        "mesh": lambda: mesh(cmap, rng),
        "beta_fan": lambda: beta_fan(cmap, rng),
        "surge_line": lambda: [surge_line(cmap, rng)],
        "choke_line": lambda: [choke_line(cmap, rng)],
        "operating_line": lambda: [operating_line(cmap, rng)],
    }
    share = {
        "mesh": 0.45,
        "beta_fan": 0.45,
        "surge_line": 0.5,
        "choke_line": 0.2,
        "operating_line": 0.2,
    }
    chosen = [k for k, p in share.items() if rng.random() < p]
    if not chosen:
        chosen = [str(rng.choice(["mesh", "beta_fan"]))]
    out: list[Extra] = []
    for k in chosen:
        out.extend(makers[k]())
    return out
