"""How a generated map looks: colours, widths, grid, fonts and chart furniture, sampled at random.

Kept apart from the drawing code so that the choices are plain data, saved in the metadata.
"""

from __future__ import annotations

import numpy as np

DPI = 100  # the figures' resolution: sizes here are pixels, matplotlib wants points (pt)
FONTS = ("DejaVu Sans", "DejaVu Serif", "DejaVu Sans Mono")
PALETTE = [  # dark line colours seen on datasheets
    (0.0, 0.0, 0.0),
    (0.12, 0.12, 0.12),
    (0.1, 0.2, 0.6),
    (0.7, 0.05, 0.05),
    (0.0, 0.35, 0.15),
    (0.25, 0.25, 0.45),
    (0.45, 0.2, 0.0),
    (0.0, 0.3, 0.55),
]
MULTI = [  # one colour per speedline
    (0.12, 0.47, 0.71),
    (1.0, 0.5, 0.05),
    (0.17, 0.63, 0.17),
    (0.84, 0.15, 0.16),
    (0.58, 0.4, 0.74),
    (0.55, 0.34, 0.29),
    (0.89, 0.47, 0.76),
    (0.5, 0.5, 0.5),
    (0.74, 0.74, 0.13),
    (0.09, 0.75, 0.81),
]
FLOW_UNITS = {  # display unit: factor from kg/s (volume flows at 1.2 kg/m^3)
    "kg/s": 1.0,
    "lb/min": 132.277,
    "lb/s": 2.20462,
    "cfm": 1765.73,
    "m^3/s": 1 / 1.2,
}
X_TITLES = [
    "Corrected Mass Flow [{u}]",
    "Mass Flow Rate ({u})",
    "Corrected Air Flow, {u}",
    "W√θ/δ [{u}]",
    "Flow ({u})",
    "Volume Flow [{u}]",
]
Y_TITLES = [
    "Pressure Ratio",
    "Total Pressure Ratio [-]",
    "Pressure Ratio (t-t)",
    "PR [-]",
    "Pressure Ratio P2/P1",
    "π_tt",
]
WATERMARKS = [
    "PRELIMINARY",
    "CONFIDENTIAL",
    "DRAFT",
    "TurboDyn GmbH",
    "FOR REFERENCE ONLY",
    "AeroComp Inc.",
    "Test Data",
]


def pt(px: float) -> float:
    """A size in pixels as matplotlib points at :data:`DPI`."""
    return px * 72.0 / DPI


def grey(level: float) -> tuple[float, float, float]:
    return (level, level, level)


def _tint(rng: np.random.Generator, base: tuple, amount: float) -> tuple[float, float, float]:
    return tuple(float(np.clip(c + rng.uniform(-amount, amount), 0, 1)) for c in base)


def sample_lines(rng: np.random.Generator, n_lines: int, style: str, width_px: int) -> dict:
    """Colours and widths of speedlines, grid and crossing lines, including the hard cases.

    Line widths follow the image size: 1-2 px on a 250 px crop, several px on a 3000 px chart.
    """
    size_factor = float(np.clip(width_px / (500 if style == "crop" else 1000), 0.5, 2.5))
    scheme = rng.choice(["mono", "grey", "colour", "multi"], p=[0.45, 0.15, 0.25, 0.15])
    if style == "crop" and scheme == "multi":
        scheme = "mono"
    hard_faint = rng.random() < 0.2  # speedlines as thin and light as the grid
    if hard_faint:
        level = rng.uniform(0.35, 0.65)
        colors = [grey(level)] * n_lines
        width = rng.uniform(0.8, 1.3)
    else:
        if scheme == "mono":
            base = grey(rng.uniform(0.0, 0.25))
        elif scheme == "grey":
            base = grey(rng.uniform(0.2, 0.5))
        else:
            base = PALETTE[int(rng.integers(len(PALETTE)))]
        colors = [base] * n_lines
        if scheme == "multi":
            start = int(rng.integers(len(MULTI)))
            colors = [MULTI[(start + i) % len(MULTI)] for i in range(n_lines)]
        width = rng.uniform(1.0, 4.0) if rng.random() < 0.8 else rng.uniform(0.8, 1.5)
        width = max(0.8, width * size_factor)
    grid_level = rng.uniform(0.55, 0.9) if not hard_faint else rng.uniform(0.5, 0.8)
    grid = {
        "show": bool(rng.random() < 0.93),
        "color": _tint(rng, grey(grid_level), 0.04 if rng.random() < 0.8 else 0.15),
        "width": float(rng.uniform(0.5, 1.6) * max(1.0, size_factor * 0.7)),
        "style": str(rng.choice(["-", "--", ":"], p=[0.7, 0.18, 0.12])),
        "xbins": int(rng.integers(4, 14)),
        "ybins": int(rng.integers(3, 10)),
        "minor": bool(rng.random() < 0.15),
    }
    # Crossing lines: a good share drawn exactly like the speedlines, where only shape tells.
    same = rng.random() < 0.45
    extra_color = colors[0] if same or rng.random() < 0.4 else grey(rng.uniform(0.0, 0.6))
    extra = {
        "same_as_speedlines": bool(same),
        "color": [float(c) for c in extra_color],
        "width": float(width if same else rng.uniform(0.5, max(0.6, width))),
        "dashed_share": 0.0 if same else float(rng.uniform(0.0, 1.0)),
        "dash": [float(rng.uniform(2, 8)), float(rng.uniform(1.5, 5))],
    }
    return {
        "scheme": str(scheme),
        "hard_faint": bool(hard_faint),
        "speedline_colors": [[float(c) for c in col] for col in colors],
        "speedline_width": float(width),
        "speedline_dashed": bool(rng.random() < 0.03),
        "grid": grid,
        "extra": extra,
        "background": [float(c) for c in _tint(rng, (1.0, 1.0, 1.0), 0.0)]
        if rng.random() < 0.85
        else [float(c) for c in _tint(rng, (0.96, 0.96, 0.93), 0.03)],
    }


def sample_chart(rng: np.random.Generator, width: int, height: int) -> dict:
    """Chart furniture: margins, titles, tick fonts, speed labels, legend, watermark, markers."""
    font_px = float(np.clip(min(width, height) * rng.uniform(0.016, 0.03), 8, 60))
    flow_unit = str(rng.choice(list(FLOW_UNITS), p=[0.5, 0.25, 0.1, 0.1, 0.05]))
    dual = flow_unit in ("kg/s", "lb/min") and rng.random() < 0.3
    speed_labels = str(rng.choice(["end", "top", "legend", "none"], p=[0.45, 0.25, 0.2, 0.1]))
    return {
        "font": str(rng.choice(FONTS, p=[0.6, 0.25, 0.15])),
        "font_px": font_px,
        "bold_titles": bool(rng.random() < 0.3),
        "margins": {
            "left": float(rng.uniform(0.08, 0.16)),
            "bottom": float(rng.uniform(0.08, 0.15)),
            "right": float(rng.uniform(0.03, 0.16)),
            "top": float(rng.uniform(0.1, 0.18) if dual else rng.uniform(0.03, 0.14)),
        },
        "flow_unit": flow_unit,
        "dual_axis": bool(dual),
        "x_title": str(rng.choice(X_TITLES)),
        "y_title": str(rng.choice(Y_TITLES)),
        "title": bool(rng.random() < 0.4),
        "log_y": bool(rng.random() < 0.05),
        "speed_labels": speed_labels,
        "speed_format": str(rng.choice(["{v:.0f} rpm", "{v:.0f}", "N={v:.0f}", "{k:g}k rpm"])),
        "watermark": bool(rng.random() < 0.25),
        "watermark_text": str(rng.choice(WATERMARKS)),
        "logo": bool(rng.random() < 0.2),
        "frame_width": float(rng.uniform(0.6, 2.0)),
        "x_from_zero": bool(rng.random() < 0.5),
        "y_from_one": bool(rng.random() < 0.6),
    }


def sample_tick_writing(rng: np.random.Generator, style: str) -> dict:
    """How the tick labels are written (thousands separators, a decimal comma) and whether a
    plain chart's frame is open (left and bottom axis lines only), as plotting tools and
    European datasheets draw them. Drawn from a stream of their own (``rng.spawn``), so that
    every other choice of a chart stays what it was before these were added."""
    return {
        "thousands": bool(rng.random() < 0.5),
        "decimal_comma": bool(rng.random() < 0.15),
        "open_frame": style == "chart" and bool(rng.random() < 0.2),
    }
