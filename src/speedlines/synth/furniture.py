"""What a drawn map has besides its lines: grid and frame, and on a full chart the axis titles,
tick labels, map title, second flow axis, watermark, logo and speed labels or legend.

Draws on the image's matplotlib axes only: the label drawing has none of it.
"""

from __future__ import annotations

import re

from matplotlib.ticker import AutoMinorLocator, MaxNLocator, ScalarFormatter

from speedlines.synth import appearance
from speedlines.synth.appearance import pt
from speedlines.synth.physics import KG_S_TO_LB_MIN, CompressorMap

__all__ = ["WrittenLabels", "decorate_chart", "speed_text", "style_axes", "written_number"]


def style_axes(ax, look: dict, chart: dict | None) -> None:
    """Grid lines and their ticks; a crop (``chart`` None) has no frame, ticks or titles."""
    grid = look["grid"]
    ax.xaxis.set_major_locator(MaxNLocator(grid["xbins"]))
    ax.yaxis.set_major_locator(MaxNLocator(grid["ybins"]))
    if grid["show"]:
        ax.grid(
            True,
            which="major",
            color=grid["color"],
            linewidth=pt(grid["width"]),
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
                linewidth=pt(grid["width"] * 0.6),
                linestyle=":",
            )
    ax.set_axisbelow(True)
    if chart is None:
        ax.set_frame_on(False)
        ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
        ax.set_xlabel("")
        ax.set_ylabel("")


def speed_text(v: float, unit: str, fmt: str) -> str:
    """A speed as a chart writes it: in ``unit`` "%", else by ``fmt`` (``{v}`` rpm, ``{k}``
    thousands)."""
    if unit == "%":
        return f"{v:g} %" if "rpm" in fmt else f"{v:g}%"
    if "{k" in fmt and v % 500:
        fmt = "{v:.0f} rpm"  # "144956 rpm", never "144.956k rpm"
    return fmt.format(v=v, k=v / 1000)


def decorate_chart(
    fig,
    ax,
    cmap: CompressorMap,
    look: dict,
    chart: dict,
    flow_factor: float,
    rng,
    size: tuple[int, int],
) -> None:
    """Everything ``chart`` asks for around and on the plot of a figure of ``size`` (w, h) px.

    Draws in a fixed order, drawing from ``rng`` as it goes: same generator state, same chart.
    """
    _axis_titles(ax, chart)
    if chart["title"]:
        _map_title(fig, chart, rng)
    if chart["dual_axis"]:
        _second_flow_axis(ax, chart)
    if chart["watermark"]:
        _watermark(fig, chart, rng, min(size))
    if chart["logo"]:
        _logo(fig, chart, rng)
    _speed_labels(ax, cmap, look["speedline_colors"], chart, flow_factor, rng)
    _tick_writing(ax, chart)


def written_number(text: str, thousands: bool, decimal_comma: bool) -> str:
    """A plain number label ("12500", "2.5") with thousands grouped ("12,500"; "12.500"
    beside a decimal comma) and/or a decimal comma ("2,5"); other text as it is."""
    sign = text[:1] if text[:1] in ("-", "\u2212") else ""
    body = text[len(sign) :]
    if not re.fullmatch(r"\d+(\.\d+)?", body):
        return text
    whole, _, frac = body.partition(".")
    if thousands and len(whole) > 3:
        whole = f"{int(whole):,}".replace(",", "." if decimal_comma else ",")
    return sign + whole + (("," if decimal_comma else ".") + frac if frac else "")


class WrittenLabels(ScalarFormatter):
    """matplotlib's own tick labels, written by :func:`written_number`."""

    def __init__(self, thousands: bool, decimal_comma: bool):
        super().__init__()
        self.thousands, self.decimal_comma = thousands, decimal_comma

    def __call__(self, x, pos=None):
        return written_number(super().__call__(x, pos), self.thousands, self.decimal_comma)


def _tick_writing(ax, chart: dict) -> None:
    """Thousands separators, a decimal comma, an open frame, as ``chart`` asks."""
    if chart["open_frame"] and not chart["dual_axis"]:
        ax.spines[["top", "right"]].set_visible(False)
    if not (chart["thousands"] or chart["decimal_comma"]):
        return  # matplotlib's own labels, as they were
    for axis in (ax.xaxis, ax.yaxis):
        if axis.get_scale() == "linear":
            axis.set_major_formatter(WrittenLabels(chart["thousands"], chart["decimal_comma"]))


def _font(chart: dict, scale: float = 1.0) -> dict:
    return {"family": chart["font"], "size": pt(chart["font_px"] * scale)}


def _axis_titles(ax, chart: dict) -> None:
    """Axis titles, tick label sizes and font, frame width."""
    fp = chart["font_px"]
    weight = "bold" if chart["bold_titles"] else "normal"
    x_title = chart["x_title"].format(u=chart["flow_unit"])
    ax.set_xlabel(x_title, fontdict=_font(chart), fontweight=weight)
    ax.set_ylabel(chart["y_title"], fontdict=_font(chart), fontweight=weight)
    ax.tick_params(labelsize=pt(fp * 0.85), width=pt(chart["frame_width"]))
    for label in ax.get_xticklabels() + ax.get_yticklabels():
        label.set_family(chart["font"])
    for spine in ax.spines.values():
        spine.set_linewidth(pt(chart["frame_width"]))


def _map_title(fig, chart: dict, rng) -> None:
    name = f"Compressor Map  {rng.choice(['GT', 'HX', 'K', 'TC', 'RC'])}{rng.integers(10, 99)}"
    fig.suptitle(
        name,
        family=chart["font"],
        size=pt(chart["font_px"] * 1.2),
        weight="bold",
        y=1 - chart["margins"]["top"] * 0.25,
    )


def _second_flow_axis(ax, chart: dict) -> None:
    """The flow in the other unit (kg/s <-> lb/min) along the top."""
    f = KG_S_TO_LB_MIN if chart["flow_unit"] == "kg/s" else 1 / KG_S_TO_LB_MIN
    other = "lb/min" if chart["flow_unit"] == "kg/s" else "kg/s"
    sec = ax.secondary_xaxis("top", functions=(lambda x: x * f, lambda x: x / f))
    sec.set_xlabel(f"Flow [{other}]", fontdict=_font(chart))
    sec.tick_params(labelsize=pt(chart["font_px"] * 0.85))


def _watermark(fig, chart: dict, rng, side_px: int) -> None:
    """Faint large text across the middle, at a random angle."""
    fig.text(
        0.5,
        0.5,
        chart["watermark_text"],
        ha="center",
        va="center",
        rotation=rng.uniform(-40, 40),
        size=pt(side_px * 0.08),
        color=appearance.grey(rng.uniform(0.3, 0.7)),
        alpha=rng.uniform(0.08, 0.25),
        family=chart["font"],
        weight="bold",
    )


def _logo(fig, chart: dict, rng) -> None:
    """A boxed maker's name along the top or bottom edge."""
    x, y = rng.uniform(0.02, 0.8), rng.choice([0.01, 0.93])
    fig.text(
        x,
        y,
        str(rng.choice(["GARRO", "BorgTec", "ABX Turbo", "MHI-like"])),
        size=pt(chart["font_px"] * 1.4),
        weight="bold",
        family="DejaVu Sans",
        color=appearance.PALETTE[int(rng.integers(len(appearance.PALETTE)))],
        bbox={"boxstyle": "round", "fc": "none", "ec": "0.3", "lw": 1},
    )


def _speed_labels(ax, cmap: CompressorMap, colors, chart: dict, flow_factor: float, rng) -> None:
    """Each line's speed: at its choke end ("end"), above a point along it ("top"), or in a
    legend of the first lines drawn, the speedlines ("legend")."""
    where = chart["speed_labels"]
    if where == "legend":
        ax.legend(
            ax.get_lines()[: len(cmap.lines)],
            [speed_text(v, cmap.speed_unit, chart["speed_format"]) for v in cmap.speeds],
            loc="best",
            fontsize=pt(chart["font_px"] * 0.7),
            framealpha=0.0,
        )
        return
    if where not in ("end", "top"):
        return
    for i, line in enumerate(cmap.lines):
        text = speed_text(cmap.speeds[i], cmap.speed_unit, chart["speed_format"])
        if where == "end":
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
            size=pt(chart["font_px"] * 0.75),
            family=chart["font"],
            color=colors[i] if rng.random() < 0.5 else "0.1",
            clip_on=True,
        )
