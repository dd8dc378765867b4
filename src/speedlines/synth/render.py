"""Draw a compressor map with matplotlib, and its speedline label from the same geometry.

The label is a second drawing of the speedlines alone on a figure with the same size, axes box,
limits and scales, so label and image share one transform and one rasteriser.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import matplotlib

matplotlib.use("Agg")

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.path import Path as MplPath
from matplotlib.ticker import AutoMinorLocator, MaxNLocator, NullFormatter, ScalarFormatter

from speedlines.synth import appearance
from speedlines.synth.extras import Extra
from speedlines.synth.physics import KG_S_TO_LB_MIN, CompressorMap

DPI = 100
LABEL_MIN_WIDTH_PX = 1.5  # thinner label strokes would break up after thresholding


@dataclass
class Rendered:
    """A rendered map: RGB image, speedline coverage (0..1) and geometry in pixels."""

    image: np.ndarray
    coverage: np.ndarray
    speedline_pixels: list[np.ndarray]
    speedline_data: list[np.ndarray]
    extras_pixels: list[tuple[str, np.ndarray]]
    grid_pixels: dict  # {"x": [col, ...], "y": [row, ...]} of drawn grid lines
    calibration: dict
    info: dict = field(default_factory=dict)


def _pt(px: float) -> float:
    return px * 72.0 / DPI


def _figure(width: int, height: int, facecolor) -> tuple[Figure, FigureCanvasAgg]:
    fig = Figure(figsize=(width / DPI, height / DPI), dpi=DPI, facecolor=facecolor)
    return fig, FigureCanvasAgg(fig)


def _to_array(canvas: FigureCanvasAgg) -> np.ndarray:
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., :3].copy()


def _to_pixels(ax, points: np.ndarray, height: int) -> np.ndarray:
    """Data -> pixel-centre coordinates (col, row) with row 0 at the top."""
    disp = ax.transData.transform(points)
    return np.column_stack([disp[:, 0] - 0.5, height - disp[:, 1] - 0.5])


def axis_limits(cmap: CompressorMap, rng: np.random.Generator, chart: dict | None):
    """Axis ranges around the lines, with the margins real maps leave."""
    w0, w1, p0, p1 = cmap.bounds()
    dw, dp = w1 - w0, p1 - p0
    # Starting at zero (or PR 1) only where that does not squeeze the lines into a corner.
    from_zero = (chart["x_from_zero"] if chart else rng.random() < 0.3) and w0 < 0.6 * dw
    from_one = (chart["y_from_one"] if chart else rng.random() < 0.4) and p0 - 1 < 0.6 * dp
    x0 = 0.0 if from_zero else max(0.0, w0 - rng.uniform(0.01, 0.25) * dw)
    x1 = w1 + rng.uniform(0.02, 0.2) * dw
    y0 = min(1.0, p0) if from_one else max(0.5, p0 - rng.uniform(0.01, 0.2) * dp)
    y1 = p1 + rng.uniform(0.02, 0.2) * dp
    return (x0, x1), (y0, y1)


def _style_axes(ax, look: dict, chart: dict | None) -> None:
    grid = look["grid"]
    ax.xaxis.set_major_locator(MaxNLocator(grid["xbins"]))
    ax.yaxis.set_major_locator(MaxNLocator(grid["ybins"]))
    if grid["show"]:
        ax.grid(
            True,
            which="major",
            color=grid["color"],
            linewidth=_pt(grid["width"]),
            linestyle=grid["style"],
        )
        if grid["minor"]:
            ax.xaxis.set_minor_locator(AutoMinorLocator())
            if ax.get_yscale() != "log":  # log axes have their own minor ticks
                ax.yaxis.set_minor_locator(AutoMinorLocator())
            ax.grid(
                True,
                which="minor",
                color=grid["color"],
                linewidth=_pt(grid["width"] * 0.6),
                linestyle=":",
            )
    ax.set_axisbelow(True)
    if chart is None:
        ax.set_frame_on(False)
        ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
        ax.set_xlabel("")
        ax.set_ylabel("")


def _speed_text(v: float, unit: str, fmt: str) -> str:
    if unit == "%":
        return f"{v:g} %" if "rpm" in fmt else f"{v:g}%"
    if "{k" in fmt and v % 500:
        fmt = "{v:.0f} rpm"  # "144956 rpm", never "144.956k rpm"
    return fmt.format(v=v, k=v / 1000)


def _chart_furniture(fig, ax, cmap, look, chart, flow_factor, rng, width, height):
    fp = chart["font_px"]
    font = {"family": chart["font"], "size": _pt(fp)}
    weight = "bold" if chart["bold_titles"] else "normal"
    ax.set_xlabel(chart["x_title"].format(u=chart["flow_unit"]), fontdict=font, fontweight=weight)
    ax.set_ylabel(chart["y_title"], fontdict=font, fontweight=weight)
    ax.tick_params(labelsize=_pt(fp * 0.85), width=_pt(chart["frame_width"]))
    for label in ax.get_xticklabels() + ax.get_yticklabels():
        label.set_family(chart["font"])
    for spine in ax.spines.values():
        spine.set_linewidth(_pt(chart["frame_width"]))
    if chart["title"]:
        name = f"Compressor Map  {rng.choice(['GT', 'HX', 'K', 'TC', 'RC'])}{rng.integers(10, 99)}"
        fig.suptitle(
            name,
            family=chart["font"],
            size=_pt(fp * 1.2),
            weight="bold",
            y=1 - chart["margins"]["top"] * 0.25,
        )
    if chart["dual_axis"]:
        f = KG_S_TO_LB_MIN if chart["flow_unit"] == "kg/s" else 1 / KG_S_TO_LB_MIN
        other = "lb/min" if chart["flow_unit"] == "kg/s" else "kg/s"
        sec = ax.secondary_xaxis("top", functions=(lambda x: x * f, lambda x: x / f))
        sec.set_xlabel(f"Flow [{other}]", fontdict=font)
        sec.tick_params(labelsize=_pt(fp * 0.85))
    if chart["watermark"]:
        fig.text(
            0.5,
            0.5,
            chart["watermark_text"],
            ha="center",
            va="center",
            rotation=rng.uniform(-40, 40),
            size=_pt(min(width, height) * 0.08),
            color=appearance.grey(rng.uniform(0.3, 0.7)),
            alpha=rng.uniform(0.08, 0.25),
            family=chart["font"],
            weight="bold",
        )
    if chart["logo"]:
        x, y = rng.uniform(0.02, 0.8), rng.choice([0.01, 0.93])
        fig.text(
            x,
            y,
            str(rng.choice(["GARRO", "BorgTec", "ABX Turbo", "MHI-like"])),
            size=_pt(fp * 1.4),
            weight="bold",
            family="DejaVu Sans",
            color=appearance.PALETTE[int(rng.integers(len(appearance.PALETTE)))],
            bbox={"boxstyle": "round", "fc": "none", "ec": "0.3", "lw": 1},
        )
    labels = chart["speed_labels"]
    colors = look["speedline_colors"]
    if labels in ("end", "top"):
        for i, line in enumerate(cmap.lines):
            text = _speed_text(cmap.speeds[i], cmap.speed_unit, chart["speed_format"])
            if labels == "end":
                x, y, ha, va = line[-1, 0] * flow_factor, line[-1, 1], "center", "top"
            else:
                k = int(len(line) * rng.uniform(0.55, 0.75))
                x, y, ha, va = line[k, 0] * flow_factor, line[k, 1], "left", "bottom"
            ax.text(
                x,
                y,
                text,
                ha=ha,
                va=va,
                size=_pt(fp * 0.75),
                family=chart["font"],
                color=colors[i] if rng.random() < 0.5 else "0.1",
                clip_on=True,
            )


def _islands(ax, cmap, data_lines, xlim, ylim, flow_factor, ex, chart, rng) -> None:
    """Efficiency islands: level sets of the map's efficiency, clipped to the map region."""
    x0, x1 = xlim
    gx, gy = np.meshgrid(np.linspace(x0, x1, 160), np.linspace(*ylim, 160))
    eta = cmap.efficiency(gx / flow_factor, gy)
    # Islands live inside the map: bounded by surge, top speedline, choke and lowest line.
    region = MplPath(
        np.vstack(
            [
                data_lines[0],
                [ln[-1] for ln in data_lines[1:]],
                data_lines[-1][::-1],
                [ln[0] for ln in data_lines[-2:0:-1]],
            ]
        )
    )
    inside = region.contains_points(np.column_stack([gx.ravel(), gy.ravel()]))
    eta = np.where(inside.reshape(gx.shape), eta, np.nan)
    peak = cmap.params["efficiency"]["peak"]
    steps = np.sort(
        rng.choice(
            [0.005, 0.01, 0.02, 0.03, 0.04, 0.06, 0.08, 0.1, 0.12, 0.15],
            size=int(rng.integers(3, 8)),
            replace=False,
        )
    )
    levels = np.sort(peak - steps)
    cs = ax.contour(
        gx, gy, eta, levels=levels, colors=[ex["color"]], linewidths=_pt(ex["width"]), zorder=2
    )
    if chart and rng.random() < 0.6:
        percent = rng.random() < 0.5  # drawn once: the label count is matplotlib's choice
        ax.clabel(
            cs,
            fmt=lambda v: f"{v * 100:.0f}%" if percent else f"{v:.2f}",
            fontsize=_pt(chart["font_px"] * 0.6),
        )


def _grid_pixels(ax, grid: dict, xlim, ylim, log_y: bool, height: int) -> dict:
    """Pixel positions of the drawn grid lines: columns for x, rows for y."""
    out = {"x": [], "y": []}
    if not grid["show"]:
        return out
    # Each line is located where it crosses the middle of the other axis.
    mid_y = np.sqrt(ylim[0] * ylim[1]) if log_y else np.mean(ylim)
    for name, axis, lim, i in (("x", ax.xaxis, xlim, 0), ("y", ax.yaxis, ylim, 1)):
        kinds = (False, True) if grid["minor"] else (False,)
        ticks = [
            t for minor in kinds for t in axis.get_ticklocs(minor=minor) if lim[0] <= t <= lim[1]
        ]
        if ticks:
            pts = np.array([[t, mid_y] if i == 0 else [np.mean(xlim), t] for t in ticks])
            out[name] = sorted(_to_pixels(ax, pts, height)[:, i].tolist())
    return out


def _calibration(ax, xlim, ylim, log_y: bool, units: str, height: int) -> dict:
    """The calibration JSON of the axes: reference points at the axis limits."""
    ref_x = np.array([[xlim[0], ylim[0]], [xlim[1], ylim[0]]])
    ref_y = np.array([[xlim[0], ylim[0]], [xlim[0], ylim[1]]])
    px_x, px_y = _to_pixels(ax, ref_x, height), _to_pixels(ax, ref_y, height)
    bbox = ax.get_window_extent()
    plot_area = [
        round(bbox.x0),
        round(height - bbox.y1),
        round(bbox.x1) - 1,
        round(height - bbox.y0) - 1,
    ]
    calibration = {
        "x": {
            "pixel": [float(px_x[0, 0]), float(px_x[1, 0])],
            "value": [float(xlim[0]), float(xlim[1])],
            "scale": "linear",
        },
        "y": {
            "pixel": [float(px_y[0, 1]), float(px_y[1, 1])],
            "value": [float(ylim[0]), float(ylim[1])],
            "scale": "log" if log_y else "linear",
        },
        "units": {"x": units, "y": "-"},
        "plot_area": [max(0, v) for v in plot_area],
    }
    return calibration


def render(
    cmap: CompressorMap,
    extras: list[Extra],
    rng: np.random.Generator,
    style: str,
    case: str,
    width: int,
    height: int,
) -> Rendered:
    """Draw ``cmap`` (plus ``extras``) as a plot-area crop or a full chart of width x height."""
    look = appearance.sample_lines(rng, len(cmap.lines), style, width)
    chart = appearance.sample_chart(rng, width, height) if style == "chart" else None
    flow_factor = appearance.FLOW_UNITS[chart["flow_unit"]] if chart else 1.0
    xlim, ylim = axis_limits(cmap, rng, chart)
    xlim = (xlim[0] * flow_factor, xlim[1] * flow_factor)
    if chart:
        m = chart["margins"]
        box = (m["left"], m["bottom"], 1 - m["left"] - m["right"], 1 - m["bottom"] - m["top"])
    else:
        box = (0.0, 0.0, 1.0, 1.0)
    log_y = bool(chart and chart["log_y"])

    def make_axes(fig):
        ax = fig.add_axes(box)
        ax.set_facecolor(look["background"])
        if log_y:
            ax.set_yscale("log")
            ax.yaxis.set_major_formatter(ScalarFormatter())
            ax.yaxis.set_minor_formatter(NullFormatter())
        ax.set_xlim(*xlim)
        ax.set_ylim(*ylim)
        return ax

    fig, canvas = _figure(width, height, "white" if chart else look["background"])
    ax = make_axes(fig)
    _style_axes(ax, look, chart)
    data_lines = [np.column_stack([ln[:, 0] * flow_factor, ln[:, 1]]) for ln in cmap.lines]
    sw = look["speedline_width"]
    ls = "--" if look["speedline_dashed"] else "-"
    for line, color in zip(data_lines, look["speedline_colors"]):
        ax.plot(
            line[:, 0],
            line[:, 1],
            color=color,
            lw=_pt(sw),
            ls=ls,
            snap=False,
            solid_capstyle="round",
            zorder=3,
        )
    ex = look["extra"]
    extras_pixels = []
    for e in extras:
        pts = np.column_stack([e.points[:, 0] * flow_factor, e.points[:, 1]])
        dashed = rng.random() < ex["dashed_share"]
        kw = {"dashes": [_pt(d) for d in ex["dash"]]} if dashed else {}
        lw = ex["width"] * (rng.uniform(1.0, 2.0) if e.kind == "surge_line" else 1.0)
        ax.plot(pts[:, 0], pts[:, 1], color=ex["color"], lw=_pt(lw), snap=False, zorder=2, **kw)
        extras_pixels.append((e.kind, pts))
    islands = case == "combined" and rng.random() < (0.6 if chart else 0.35)
    if islands:
        _islands(ax, cmap, data_lines, xlim, ylim, flow_factor, ex, chart, rng)
    markers = bool(chart) and rng.random() < 0.3
    if markers:
        mk = str(rng.choice(["o", "s", "^", "D", "x"]))
        n_pts = int(rng.integers(4, 10))
        for line, color in zip(data_lines, look["speedline_colors"]):
            idx = np.linspace(0, len(line) - 1, n_pts).astype(int)
            ax.plot(
                line[idx, 0],
                line[idx, 1],
                ls="none",
                marker=mk,
                color=color,
                ms=_pt(rng.uniform(4, 9)),
                mfc=color if rng.random() < 0.5 else "white",
                zorder=4,
            )
    if chart:
        _chart_furniture(fig, ax, cmap, look, chart, flow_factor, rng, width, height)
        if chart["speed_labels"] == "legend":
            ax.legend(
                ax.get_lines()[: len(data_lines)],
                [_speed_text(v, cmap.speed_unit, chart["speed_format"]) for v in cmap.speeds],
                loc="best",
                fontsize=_pt(chart["font_px"] * 0.7),
                framealpha=0.0,
            )
    image = _to_array(canvas)

    # The label: speedlines alone, black, same boxes and transforms, anti-aliased coverage.
    lfig, lcanvas = _figure(width, height, "white")
    lax = make_axes(lfig)
    lax.set_facecolor("white")
    lax.set_axis_off()
    lw = max(sw, LABEL_MIN_WIDTH_PX)
    for line in data_lines:
        lax.plot(
            line[:, 0], line[:, 1], color="black", lw=_pt(lw), snap=False, solid_capstyle="round"
        )
    coverage = 1.0 - _to_array(lcanvas)[..., 0].astype(np.float32) / 255.0

    pixels = [_to_pixels(ax, ln, height) for ln in data_lines]
    grid_px = _grid_pixels(ax, look["grid"], xlim, ylim, log_y, height)
    extras_px = [(k, _to_pixels(ax, p, height)) for k, p in extras_pixels]
    units = chart["flow_unit"] if chart else "kg/s"
    calibration = _calibration(ax, xlim, ylim, log_y, units, height)
    info = {
        "appearance": look,
        "chart": chart,
        "islands": bool(islands),
        "markers": markers,
        "flow_factor": flow_factor,
    }
    return Rendered(image, coverage, pixels, data_lines, extras_px, grid_px, calibration, info)
