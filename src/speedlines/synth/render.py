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
from matplotlib.ticker import NullFormatter, ScalarFormatter

from speedlines.synth import appearance, families, furniture
from speedlines.synth.appearance import DPI, pt
from speedlines.synth.extras import Extra
from speedlines.synth.physics import CompressorMap

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


@dataclass(frozen=True)
class _Frame:
    """What the image and its label share: figure size, axes box, limits and scales."""

    width: int
    height: int
    box: tuple[float, float, float, float]  # left, bottom, width, height as figure fractions
    xlim: tuple[float, float]  # in the displayed flow unit
    ylim: tuple[float, float]
    log_y: bool

    def axes(self, fig: Figure, facecolor):
        """New axes on ``fig`` with this box, scales and limits."""
        ax = fig.add_axes(self.box)
        ax.set_facecolor(facecolor)
        if self.log_y:
            ax.set_yscale("log")
            ax.yaxis.set_major_formatter(ScalarFormatter())
            ax.yaxis.set_minor_formatter(NullFormatter())
        ax.set_xlim(*self.xlim)
        ax.set_ylim(*self.ylim)
        return ax


def _frame(cmap, rng, chart: dict | None, flow_factor: float, width: int, height: int) -> _Frame:
    """Axis limits (drawn from ``rng``) and, on a chart, the box its margins leave."""
    xlim, ylim = axis_limits(cmap, rng, chart)
    xlim = (xlim[0] * flow_factor, xlim[1] * flow_factor)
    if chart:
        m = chart["margins"]
        box = (m["left"], m["bottom"], 1 - m["left"] - m["right"], 1 - m["bottom"] - m["top"])
    else:
        box = (0.0, 0.0, 1.0, 1.0)
    return _Frame(width, height, box, xlim, ylim, bool(chart and chart["log_y"]))


def _draw_speedlines(ax, data_lines: list[np.ndarray], look: dict) -> None:
    ls = "--" if look["speedline_dashed"] else "-"
    for line, color in zip(data_lines, look["speedline_colors"]):
        ax.plot(
            line[:, 0],
            line[:, 1],
            color=color,
            lw=pt(look["speedline_width"]),
            ls=ls,
            snap=False,
            solid_capstyle="round",
            zorder=3,
        )


def _draw_extras(ax, extras: list[Extra], flow_factor: float, ex: dict, rng):
    """The other lines (surge, beta, operating lines...): [(kind, points in data units)]."""
    drawn = []
    for e in extras:
        pts = np.column_stack([e.points[:, 0] * flow_factor, e.points[:, 1]])
        dashed = rng.random() < ex["dashed_share"]
        kw = {"dashes": [pt(d) for d in ex["dash"]]} if dashed else {}
        lw = ex["width"] * (rng.uniform(1.0, 2.0) if e.kind == "surge_line" else 1.0)
        ax.plot(pts[:, 0], pts[:, 1], color=ex["color"], lw=pt(lw), snap=False, zorder=2, **kw)
        drawn.append((e.kind, pts))
    return drawn


def _island_field(cmap, data_lines, frame: _Frame, flow_factor):
    """The map's efficiency on a grid over the axes, NaN outside the region the speedlines
    span: (x, y, efficiency), whose level sets are the efficiency islands."""
    x0, x1 = frame.xlim
    gx, gy = np.meshgrid(np.linspace(x0, x1, 160), np.linspace(*frame.ylim, 160))
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
    return gx, gy, np.where(inside.reshape(gx.shape), eta, np.nan)


def _draw_islands(ax, cmap, data_lines, frame: _Frame, flow_factor, ex, chart, rng) -> None:
    """Efficiency islands: level sets of the map's efficiency, clipped to the map region."""
    gx, gy, eta = _island_field(cmap, data_lines, frame, flow_factor)
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
        gx, gy, eta, levels=levels, colors=[ex["color"]], linewidths=pt(ex["width"]), zorder=2
    )
    if chart and rng.random() < 0.6:
        percent = rng.random() < 0.5  # drawn once: the label count is matplotlib's choice
        ax.clabel(
            cs,
            fmt=lambda v: f"{v * 100:.0f}%" if percent else f"{v:.2f}",
            fontsize=pt(chart["font_px"] * 0.6),
        )


def _draw_markers(ax, data_lines: list[np.ndarray], colors, rng) -> None:
    """Measured points marked along every speedline, as on test-rig maps."""
    mk = str(rng.choice(["o", "s", "^", "D", "x"]))
    n_pts = int(rng.integers(4, 10))
    for line, color in zip(data_lines, colors):
        idx = np.linspace(0, len(line) - 1, n_pts).astype(int)
        ax.plot(
            line[idx, 0],
            line[idx, 1],
            ls="none",
            marker=mk,
            color=color,
            ms=pt(rng.uniform(4, 9)),
            mfc=color if rng.random() < 0.5 else "white",
            zorder=4,
        )


def _label_coverage(frame: _Frame, data_lines: list[np.ndarray], width_px: float) -> np.ndarray:
    """The label: the speedlines alone, black on white through the image's transform,
    as anti-aliased coverage 0..1."""
    fig, canvas = _figure(frame.width, frame.height, "white")
    ax = frame.axes(fig, "white")
    ax.set_axis_off()
    lw = max(width_px, LABEL_MIN_WIDTH_PX)
    for line in data_lines:
        ax.plot(
            line[:, 0], line[:, 1], color="black", lw=pt(lw), snap=False, solid_capstyle="round"
        )
    return 1.0 - _to_array(canvas)[..., 0].astype(np.float32) / 255.0


def _grid_pixels(ax, grid: dict, frame: _Frame) -> dict:
    """Pixel positions of the drawn grid lines: columns for x, rows for y."""
    out = {"x": [], "y": []}
    if not grid["show"]:
        return out
    xlim, ylim, log_y, height = frame.xlim, frame.ylim, frame.log_y, frame.height
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


def _calibration(ax, frame: _Frame, units: str) -> dict:
    """The calibration JSON of the axes: reference points at the axis limits."""
    xlim, ylim, log_y, height = frame.xlim, frame.ylim, frame.log_y, frame.height
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
    """Draw ``cmap`` (plus ``extras``) as a plot-area crop, a full chart, or a chart of one of
    the datasheet families (:mod:`speedlines.synth.families`) of width x height.

    The random choices are drawn from ``rng`` in a fixed order: same state, same bytes.
    """
    look = appearance.sample_lines(rng, len(cmap.lines), style, width)
    chart = appearance.sample_chart(rng, width, height) if style != "crop" else None
    if chart:
        chart.update(appearance.sample_tick_writing(rng.spawn(1)[0], style))
    family = style if style in families.FAMILIES else None
    if family:
        families.restyle(family, rng, look, chart)
    flow_factor = appearance.FLOW_UNITS[chart["flow_unit"]] if chart else 1.0
    frame = _frame(cmap, rng, chart, flow_factor, width, height)
    data_lines = [np.column_stack([ln[:, 0] * flow_factor, ln[:, 1]]) for ln in cmap.lines]

    with families.drawing(family):
        fig, canvas = _figure(width, height, "white" if chart else look["background"])
        ax = frame.axes(fig, look["background"])
        furniture.style_axes(ax, look, chart)
        _draw_speedlines(ax, data_lines, look)
        extras_data = _draw_extras(ax, extras, flow_factor, look["extra"], rng)
        if family:
            islands = True
            field = _island_field(cmap, data_lines, frame, flow_factor)
            peak = cmap.params["efficiency"]["peak"]
            families.draw_islands(ax, family, field, look["extra"], chart, peak, rng)
        else:
            islands = case == "combined" and rng.random() < (0.6 if chart else 0.35)
            if islands:
                _draw_islands(ax, cmap, data_lines, frame, flow_factor, look["extra"], chart, rng)
        markers = bool(chart) and rng.random() < 0.3
        if markers:
            _draw_markers(ax, data_lines, look["speedline_colors"], rng)
        if chart:
            furniture.decorate_chart(fig, ax, cmap, look, chart, flow_factor, rng, (width, height))
        if family:
            extras_data += families.draw_furniture(
                ax, fig, family, cmap, look, chart, flow_factor, rng
            )
        image = _to_array(canvas)
    coverage = _label_coverage(frame, data_lines, look["speedline_width"])

    pixels = [_to_pixels(ax, ln, height) for ln in data_lines]
    extras_px = [(kind, _to_pixels(ax, pts, height)) for kind, pts in extras_data]
    grid_px = _grid_pixels(ax, look["grid"], frame)
    calibration = _calibration(ax, frame, chart["flow_unit"] if chart else "kg/s")
    info = {
        "appearance": look,
        "chart": chart,
        "islands": bool(islands),
        "markers": markers,
        "flow_factor": flow_factor,
    }
    return Rendered(image, coverage, pixels, data_lines, extras_px, grid_px, calibration, info)
