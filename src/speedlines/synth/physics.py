"""Parametric compressor maps: speedline families sampled from physical models.

Two families are used (see shared/design/compressor-maps.md):

- ``superellipse``: PR(W) = PR_ch + (PR_zsl - PR_ch) [1 - ((W - W_zsl)/(W_ch - W_zsl))^CUR]^(1/CUR)
  with a saturating choke flow, W_zsl ~ N^a, a fan-law peak PR and speed-dependent CUR, plus a
  short rising segment from surge to the zero-slope point.
- ``tasopt``: p = p_s + 2 N k ln(1 - (m - m_s)/k), m_s = N^b, p_s = m_s^a (narrow, steep lines
  typical of axial machines).

Everything here is in data units (flow, pressure ratio); pixels are the renderer's business.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

KG_S_TO_LB_MIN = 132.277


@dataclass(frozen=True)
class MachineType:
    """Ranges of a class of compressors."""

    name: str
    flow_max: tuple[float, float]  # choke flow of the top speedline, kg/s
    pr_peak: tuple[float, float]  # peak pressure ratio of the top speedline
    design_rpm: tuple[float, float]
    tasopt_share: float  # how often the TASOPT family is used instead of the superellipse


MACHINES = {
    "turbocharger": MachineType("turbocharger", (0.08, 0.6), (2.0, 4.5), (60e3, 260e3), 0.1),
    "industrial": MachineType("industrial", (1.0, 30.0), (2.5, 9.0), (8e3, 45e3), 0.15),
    "axial": MachineType("axial", (5.0, 200.0), (1.15, 2.5), (3e3, 16e3), 0.4),
}


@dataclass
class CompressorMap:
    """A sampled map: speedlines in data units, surge -> choke, lowest -> highest speed."""

    machine: str
    family: str
    speeds: np.ndarray  # display values (rpm or %)
    speed_unit: str  # "rpm" or "%"
    speeds_norm: np.ndarray  # N / N_design
    lines: list[np.ndarray]  # each (M, 2): flow [kg/s], pressure ratio
    params: dict = field(default_factory=dict)

    @property
    def surge_points(self) -> np.ndarray:
        return np.array([line[0] for line in self.lines])

    @property
    def choke_points(self) -> np.ndarray:
        return np.array([line[-1] for line in self.lines])

    def bounds(self) -> tuple[float, float, float, float]:
        pts = np.concatenate(self.lines)
        return pts[:, 0].min(), pts[:, 0].max(), pts[:, 1].min(), pts[:, 1].max()

    def efficiency(self, flow: np.ndarray, pr: np.ndarray) -> np.ndarray:
        """Isentropic efficiency: banana-shaped islands along the surge-line direction."""
        e = self.params["efficiency"]
        w0, w1, p0, p1 = self.bounds()
        u = (flow - w0) / (w1 - w0) - e["center"][0]
        v = (pr - p0) / (p1 - p0) - e["center"][1]
        c, s = np.cos(e["angle"]), np.sin(e["angle"])
        along, across = c * u + s * v, -s * u + c * v
        return (
            e["peak"]
            - e["a"] * along**2
            - e["b"] * (across - e["bend"] * along**2) ** 2
            - e["skew"] * along**3
        )


def _superellipse_line(
    w_zsl: float, w_ch: float, pr_zsl: float, pr_ch: float, cur: float, w_s: float, drop: float
) -> np.ndarray:
    # Parametrised by angle so the near-vertical choke end gets as many points as the flat top.
    theta = np.linspace(0.0, np.pi / 2, 240)
    t = np.sin(theta) ** (2.0 / cur)
    s = np.cos(theta) ** (2.0 / cur)
    main = np.column_stack([w_zsl + t * (w_ch - w_zsl), pr_ch + s * (pr_zsl - pr_ch)])
    if w_s >= w_zsl:
        return main
    u = np.linspace(1.0, 0.0, 40, endpoint=False)  # surge -> zero-slope point
    surge = np.column_stack([w_zsl - u * (w_zsl - w_s), pr_zsl - drop * u**2])
    return np.concatenate([surge, main])


def _superellipse_map(rng: np.random.Generator, n_norm: np.ndarray, w_max: float, pr_peak: float):
    n_lo, n_hi = n_norm[0], n_norm[-1]
    # Choke flow saturates at high speed: W_ch = c1 + c2 atan(c3 (N - N_knee)), scaled to r_lo..1.
    c3 = rng.uniform(1.5, 6.0)
    knee = rng.uniform(0.55, 1.0)
    r_lo = rng.uniform(0.3, 0.6) if n_lo < 0.6 else rng.uniform(0.5, 0.8)
    g = np.arctan(c3 * (n_norm - knee))
    w_ch = w_max * (r_lo + (1 - r_lo) * (g - g[0]) / (g[-1] - g[0]))
    a = rng.uniform(1.5, 2.5)
    z_hi = rng.uniform(0.5, 0.85)
    w_zsl = z_hi * w_ch[-1] * (n_norm / n_hi) ** a
    fan = rng.uniform(1.8, 2.4)
    pr_zsl = 1 + (pr_peak - 1) * (n_norm / n_hi) ** fan
    q_lo, q_hi = rng.uniform(0.35, 0.8), rng.uniform(0.15, 0.6)
    q = q_lo + (q_hi - q_lo) * (n_norm - n_lo) / max(n_hi - n_lo, 1e-9)
    pr_ch = 1 + (pr_zsl - 1) * q
    cur_c1, cur_c2, cur_c3 = rng.uniform(1.3, 2.2), rng.uniform(0.2, 2.5), rng.uniform(2.0, 4.0)
    cur = cur_c1 + cur_c2 * n_norm**cur_c3
    lam = rng.uniform(0.0, 0.45)
    drop_frac = rng.uniform(0.0, 0.04)
    lines = []
    for i in range(len(n_norm)):
        span = w_ch[i] - w_zsl[i]
        if span <= 0.05 * w_ch[i]:
            return None, {}
        w_s = max(w_zsl[i] - lam * span, 0.05 * w_ch[i])
        drop = drop_frac * (pr_zsl[i] - 1)
        lines.append(_superellipse_line(w_zsl[i], w_ch[i], pr_zsl[i], pr_ch[i], cur[i], w_s, drop))
    params = {
        "choke": {"c3": c3, "knee": knee, "r_lo": r_lo},
        "zsl_exponent": a,
        "zsl_ratio_top": z_hi,
        "fan_exponent": fan,
        "choke_pr_fraction": [q_lo, q_hi],
        "cur": [cur_c1, cur_c2, cur_c3],
        "surge_length": lam,
        "surge_drop": drop_frac,
    }
    return lines, params


def _tasopt_map(rng: np.random.Generator, n_norm: np.ndarray, w_max: float, pr_peak: float):
    a = rng.uniform(2.5, 3.5)
    b = rng.uniform(0.7, 1.0)
    k = rng.uniform(0.03, 0.2)
    steep = rng.uniform(8.0, 40.0)  # |dp/dm| where the line ends at choke
    n_top = n_norm[-1]
    raw = []
    for n in n_norm:
        m_s = (n / n_top) ** b
        p_s = m_s**a
        # dp/dm = -2N / (1 - x) with x = (m - m_s)/k: end where the slope reaches `steep`.
        # ... but never lower than 40 % of the line's pressure rise.
        x_end = min(1 - 2 * n / steep, 1 - np.exp(-0.6 * p_s / (2 * n * k)))
        p_end = p_s + 2 * n * k * np.log1p(-x_end)
        # Samples even in flow (flat part) and in pressure (near-vertical choke end).
        x_m = np.linspace(0, x_end, 120)
        x_p = 1 - np.exp(np.linspace(0, p_end - p_s, 120) / (2 * n * k))
        x = np.sort(np.concatenate([x_m, x_p]))
        x = x[np.concatenate([[True], np.diff(x) > 1e-4 * x_end])]
        raw.append(np.column_stack([m_s + k * x, p_s + 2 * n * k * np.log1p(-x)]))
    m_hi = max(line[:, 0].max() for line in raw)
    lines = [np.column_stack([r[:, 0] / m_hi * w_max, 1 + r[:, 1] * (pr_peak - 1)]) for r in raw]
    return lines, {"a": a, "b": b, "k": k, "end_slope": steep}


def _nice_step(raw: float) -> float:
    exp = np.floor(np.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if m * 10**exp >= raw:
            return float(m * 10**exp)
    return float(10 ** (exp + 1))


def sample_speeds(rng: np.random.Generator, machine: MachineType, n_lines: int):
    """Speeds equally spaced in rpm or %, returned as (display values, unit, N/N_design)."""
    n_hi = rng.uniform(0.95, 1.12)
    n_lo = rng.uniform(0.3, 0.7) if n_lines > 5 else rng.uniform(0.5, 0.8)
    if rng.random() < 0.35:
        step = 5.0 if (n_hi - n_lo) * 100 / (n_lines - 1) < 7.5 else 10.0
        top = np.round(n_hi * 100 / 5) * 5
        speeds = top - step * np.arange(n_lines)[::-1]
        if speeds[0] < 20:
            speeds = speeds - speeds[0] + 20
        return speeds, "%", speeds / 100.0
    design = rng.uniform(*machine.design_rpm)
    raw_step = (n_hi - n_lo) * design / (n_lines - 1)
    if rng.random() < 0.7:
        step = _nice_step(raw_step)
        top = np.round(n_hi * design / step) * step
        speeds = top - step * np.arange(n_lines)[::-1]
    else:
        # Test-bench maps often carry odd values such as "144956 rpm".
        speeds = np.round(n_hi * design - raw_step * np.arange(n_lines)[::-1])
    speeds = speeds[speeds > 0]
    if len(speeds) < 2:
        speeds = np.linspace(0.5, 1.0, n_lines) * design
    return speeds, "rpm", speeds / design


def _crossing(a: np.ndarray, b: np.ndarray) -> bool:
    """True when polylines a and b intersect (vectorised segment test)."""
    p, r = a[:-1, None, :], (a[1:] - a[:-1])[:, None, :]
    q, s = b[None, :-1, :], (b[1:] - b[:-1])[None, :, :]
    denom = r[..., 0] * s[..., 1] - r[..., 1] * s[..., 0]
    qp = q - p
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (qp[..., 0] * s[..., 1] - qp[..., 1] * s[..., 0]) / denom
        u = (qp[..., 0] * r[..., 1] - qp[..., 1] * r[..., 0]) / denom
    hit = (denom != 0) & (t >= 0) & (t <= 1) & (u >= 0) & (u <= 1)
    return bool(hit.any())


def lines_cross(lines: list[np.ndarray]) -> bool:
    """True when any two polylines of the list intersect."""
    return any(
        _crossing(lines[i], lines[j]) for i in range(len(lines)) for j in range(i + 1, len(lines))
    )


def ends_steep(lines: list[np.ndarray], span: np.ndarray) -> bool:
    """True when every line, as drawn on axes of ``span``, ends falling more than advancing."""
    for line in lines:
        dx, dy = (line[-1] - line[-2]) / span
        if not (dy < 0 and -dy > dx):
            return False
    return True


def min_gap(lines: list[np.ndarray], span: np.ndarray) -> float:
    """Smallest distance between neighbouring lines, in fractions of the axis spans."""
    from scipy.spatial import cKDTree

    scaled = [line / span for line in lines]
    return min(
        float(cKDTree(scaled[i]).query(scaled[i + 1])[0].min()) for i in range(len(scaled) - 1)
    )


def sample_map(
    rng: np.random.Generator,
    machine: str | None = None,
    n_lines: int | None = None,
    min_gap_fraction: float = 0.008,
) -> CompressorMap:
    """Draw a physically plausible map; rejects samples whose lines cross or touch."""
    for _ in range(200):
        name = machine or str(rng.choice(list(MACHINES), p=[0.5, 0.3, 0.2]))
        mt = MACHINES[name]
        n = n_lines or int(rng.integers(4, 15))
        speeds, unit, n_norm = sample_speeds(rng, mt, n)
        w_max = float(np.exp(rng.uniform(*np.log(mt.flow_max))))
        pr_peak = float(rng.uniform(*mt.pr_peak))
        family = "tasopt" if rng.random() < mt.tasopt_share else "superellipse"
        if family == "tasopt":
            lines, params = _tasopt_map(rng, n_norm, w_max, pr_peak)
        else:
            lines, params = _superellipse_map(rng, n_norm, w_max, pr_peak)
        if lines is None or any(not np.isfinite(line).all() for line in lines):
            continue
        cmap = CompressorMap(name, family, speeds, unit, n_norm, lines, params)
        w0, w1, p0, p1 = cmap.bounds()
        span = np.array([w1 - w0, p1 - p0])
        if (
            lines_cross(lines)
            or min_gap(lines, span) < min_gap_fraction
            or not ends_steep(lines, span)
        ):
            continue
        params.update(w_max=w_max, pr_peak=pr_peak)
        params["efficiency"] = {
            "peak": float(rng.uniform(0.7, 0.88)),
            "center": [float(rng.uniform(0.35, 0.65)), float(rng.uniform(0.3, 0.6))],
            "angle": float(rng.uniform(0.3, 1.1)),
            "a": float(rng.uniform(0.3, 1.0)),
            "b": float(rng.uniform(2.0, 8.0)),
            "bend": float(rng.uniform(-0.6, 0.6)),
            "skew": float(rng.uniform(-0.3, 0.3)),
        }
        return cmap
    raise RuntimeError("could not sample a compressor map without crossing lines")
