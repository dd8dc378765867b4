"""Named styles of real datasheet families, each a full chart with the traps of its kind.

- ``datasheet``: modern turbocharger datasheets, 1500-2500 px: thin black speedlines and 8-12
  nested efficiency islands in the same ink (some dashed), bold coloured % labels breaking the
  contours, speeds at the choke ends, a surge line and a dotted peak-efficiency line crossing
  every speedline, a large light watermark across the plot.
- ``gif``: 1990s GIF maps, 400-700 px: 1-px lines and text with no antialiasing, 1-bit or a
  small palette, a dashed grid at every major tick, a bordered title box inside the plotting
  area, small speed labels beside or along the lines, annotation boxes with a circle marker,
  many thin island contours closing in the centre.
- ``coloured``: thick coloured axes, surge line and a marker bar at the maximum flow, thin grey
  islands with numbers on the contours, a logo in a dark box.
- ``scan``: one of the three, printed and scanned: warped, toned, blurred, re-saved as JPEG.

The choices are drawn from the sample's generator after the base chart's, so the ``crop`` and
``chart`` styles draw exactly what they drew before these styles existed.
"""

from __future__ import annotations

import contextlib

import matplotlib
import numpy as np
from PIL import Image

from speedlines.synth import appearance
from speedlines.synth.appearance import PALETTE, grey, pt
from speedlines.synth.furniture import speed_text
from speedlines.synth.physics import CompressorMap

FAMILIES = ("datasheet", "gif", "coloured")
STYLES = (*FAMILIES, "scan")
BOLD_COLOURS = [(0.85, 0.1, 0.1), (0.1, 0.3, 0.8), (0.0, 0.55, 0.2), (0.8, 0.4, 0.0)]


def pick_family(rng: np.random.Generator, style: str) -> str:
    """The family drawn for ``style``: itself, or any family for a scan."""
    return str(rng.choice(FAMILIES)) if style == "scan" else style


def final_size(rng: np.random.Generator, family: str) -> tuple[int, int]:
    """Image size (width, height) typical of the family."""
    if family == "gif":
        w = int(rng.integers(400, 701))
        return w, int(np.clip(w * rng.uniform(0.75, 1.35), 360, 760))
    if family == "datasheet":
        w = int(rng.integers(1500, 2501))
        return w, int(np.clip(w * rng.uniform(0.7, 1.3), 1200, 2500))
    w = int(rng.integers(800, 1800))
    return w, int(np.clip(w * rng.uniform(0.7, 1.2), 600, 1800))


def restyle(family: str, rng: np.random.Generator, look: dict, chart: dict) -> None:
    """Overwrite the sampled line look and chart furniture (in place) with the family's."""
    n = len(look["speedline_colors"])
    grid = look["grid"]
    if family == "datasheet":
        ink = grey(rng.uniform(0.0, 0.15))
        look["speedline_colors"] = [ink] * n
        look["speedline_width"] = float(rng.uniform(1.2, 2.6))
        look["extra"].update(same_as_speedlines=True, color=list(ink), dashed_share=0.0)
        look["extra"]["width"] = look["speedline_width"]
        grid.update(show=rng.random() < 0.8, style="-", color=grey(rng.uniform(0.7, 0.88)))
        chart.update(speed_labels="end", speed_format="{v:.0f}", watermark=True, logo=False)
        chart["watermark_text"] = str(rng.choice(appearance.WATERMARKS))
    elif family == "gif":
        ink = grey(0.0) if rng.random() < 0.7 else PALETTE[int(rng.integers(len(PALETTE)))]
        look["speedline_colors"] = [ink] * n
        look["speedline_width"] = 1.0
        look["extra"].update(same_as_speedlines=True, color=list(ink), width=1.0)
        look["extra"]["dashed_share"] = 0.0
        grid.update(show=True, style="--", width=1.0, minor=False)
        grid["color"] = grey(0.0) if rng.random() < 0.5 else grey(rng.uniform(0.4, 0.7))
        chart.update(speed_labels="none", watermark=False, logo=False, dual_axis=False)
        chart.update(font_px=float(rng.uniform(8, 12)), frame_width=1.0, log_y=False)
        chart["font"] = "DejaVu Sans Mono" if rng.random() < 0.4 else "DejaVu Sans"
    else:  # coloured
        look["speedline_width"] = float(rng.uniform(1.5, 3.5))
        grid.update(show=True, color=grey(rng.uniform(0.75, 0.9)))
        look["extra"].update(color=list(grey(rng.uniform(0.45, 0.65))), dashed_share=0.0)
        look["extra"]["width"] = float(rng.uniform(0.8, 1.3))
        look["extra"]["same_as_speedlines"] = False
        chart.update(speed_labels=str(rng.choice(["end", "top"])), logo=True)
        chart["frame_width"] = float(rng.uniform(3.0, 6.0))
        chart["accent"] = list(BOLD_COLOURS[int(rng.integers(len(BOLD_COLOURS)))])
    chart["family"] = family


def drawing(family: str):
    """A context in which the family's figure is drawn: no antialiasing for GIF-era maps."""
    if family != "gif":
        return contextlib.nullcontext()
    return matplotlib.rc_context(
        {"lines.antialiased": False, "patch.antialiased": False, "text.antialiased": False}
    )


def draw_islands(ax, family: str, field, ex: dict, chart: dict, peak: float, rng) -> None:
    """Nested efficiency islands as the family draws them; ``field`` is (x, y, efficiency)."""
    gx, gy, eta = field
    if family == "datasheet":
        steps = np.linspace(0.005, rng.uniform(0.12, 0.2), int(rng.integers(8, 13)))
        width, colour = ex["width"], ex["color"]
    elif family == "gif":
        steps = np.linspace(0.004, rng.uniform(0.1, 0.16), int(rng.integers(8, 15)))
        width, colour = 1.0, ex["color"]
    else:
        steps = np.linspace(0.01, rng.uniform(0.08, 0.14), int(rng.integers(4, 8)))
        width, colour = ex["width"], ex["color"]
    levels = np.sort(peak - steps)
    chart["island_levels"] = len(levels)
    styles = ["--" if family == "datasheet" and rng.random() < 0.3 else "-" for _ in levels]
    cs = ax.contour(
        gx,
        gy,
        eta,
        levels=levels,
        colors=[colour],
        linewidths=pt(width),
        linestyles=styles,
        antialiased=family != "gif",
        zorder=2,
    )
    if family == "datasheet":
        labels = ax.clabel(
            cs, fmt=lambda v: f"{v * 100:.0f}%", fontsize=pt(chart["font_px"] * 0.8), inline=True
        )
        colour = BOLD_COLOURS[int(rng.integers(len(BOLD_COLOURS)))]
        for t in labels:
            t.set_fontweight("bold")
            t.set_color(colour)
    elif family == "coloured":
        ax.clabel(cs, fmt=lambda v: f"{v:.2f}", fontsize=pt(chart["font_px"] * 0.6), inline=True)


def peak_efficiency_line(cmap: CompressorMap) -> np.ndarray:
    """The line joining each speedline's point of highest efficiency (data units, kg/s)."""
    return np.array([ln[int(np.argmax(cmap.efficiency(ln[:, 0], ln[:, 1])))] for ln in cmap.lines])


def draw_furniture(ax, fig, family: str, cmap, look: dict, chart: dict, factor: float, rng):
    """The family's own furniture; returns [(kind, points in displayed data units)] of the
    long lines it drew, for the metadata."""
    drawn = []
    colour = look["speedline_colors"][0]
    if family == "datasheet":
        peak = peak_efficiency_line(cmap) * [factor, 1]
        ax.plot(*peak.T, color=colour, lw=pt(look["speedline_width"]), ls=":", zorder=2)
        drawn.append(("peak_efficiency", peak))
    elif family == "gif":
        _title_box(ax, chart, rng)
        _annotation(ax, cmap, factor, colour, chart, rng)
        _labels_along(ax, cmap, factor, colour, chart, rng)
    else:
        accent = tuple(chart["accent"])
        for spine in ax.spines.values():
            spine.set_color(accent)
        surge = cmap.surge_points * [factor, 1]
        ax.plot(*surge.T, color=accent, lw=pt(look["speedline_width"] * 2.5), zorder=2)
        drawn.append(("surge_line", surge))
        x_max = max(ln[:, 0].max() for ln in cmap.lines) * factor
        bar = np.array([[x_max, ax.get_ylim()[0]], [x_max, ax.get_ylim()[1]]])
        ax.plot(*bar.T, color=accent, lw=pt(rng.uniform(5, 10)), alpha=0.8, zorder=2)
        drawn.append(("marker_bar", bar))
        _dark_logo(fig, chart, rng)
    return drawn


def _title_box(ax, chart: dict, rng) -> None:
    """A bordered title box inside the plotting area, whose lower edge is a horizontal rule."""
    name = f"{rng.choice(['COMPRESSOR MAP', 'Compressor Flow Map'])} {rng.integers(10, 99)}"
    ax.text(
        rng.uniform(0.03, 0.12),
        rng.uniform(0.86, 0.95),
        f"{name}\nA/R {rng.uniform(0.4, 0.9):.2f}",
        transform=ax.transAxes,
        ha="left",
        va="top",
        family=chart["font"],
        size=pt(chart["font_px"]),
        bbox={"boxstyle": "square,pad=0.4", "fc": "white", "ec": "black", "lw": 1.0},
        zorder=5,
    )


def _annotation(ax, cmap: CompressorMap, factor: float, colour, chart: dict, rng) -> None:
    """A circle marker on a speedline with a boxed note pointing at it."""
    line = cmap.lines[int(rng.integers(len(cmap.lines)))]
    x, y = line[int(len(line) * rng.uniform(0.3, 0.6))] * [factor, 1]
    ax.plot([x], [y], marker="o", ms=pt(rng.uniform(6, 10)), mfc="none", mec=colour, zorder=5)
    ax.annotate(
        str(rng.choice(["Design point", "Rated", "Max torque", "Cruise"])),
        (x, y),
        xytext=(rng.uniform(20, 40), rng.uniform(-40, 40)),
        textcoords="offset pixels",
        family=chart["font"],
        size=pt(chart["font_px"] * 0.9),
        bbox={"boxstyle": "square,pad=0.3", "fc": "white", "ec": "black", "lw": 1.0},
        arrowprops={"arrowstyle": "-", "lw": 1.0, "color": "black"},
        zorder=5,
    )


def _labels_along(ax, cmap: CompressorMap, factor: float, colour, chart: dict, rng) -> None:
    """Small speed labels beside each line's choke end or rotated along its middle."""
    along = rng.random() < 0.5
    for i, line in enumerate(cmap.lines):
        text = speed_text(cmap.speeds[i], cmap.speed_unit, "{v:.0f} rpm")
        pts = line * [factor, 1]
        if along:
            k = int(len(pts) * rng.uniform(0.3, 0.5))
            a, b = ax.transData.transform(pts[[k, min(k + 3, len(pts) - 1)]])
            angle = float(np.degrees(np.arctan2(b[1] - a[1], b[0] - a[0])))
            x, y, kw = *pts[k], {"rotation": angle, "rotation_mode": "anchor", "va": "bottom"}
        else:
            x, y, kw = *pts[-1], {"ha": "left", "va": "center"}
        ax.text(x, y, text, size=pt(chart["font_px"] * 0.8), color=colour, clip_on=True, **kw)


def _dark_logo(fig, chart: dict, rng) -> None:
    """The maker's name, white on a dark box, in a corner of the page."""
    fig.text(
        float(rng.choice([0.02, 0.75])),
        0.955,
        str(rng.choice(["TURBOMAX", "KKT", "Aerodyne", "HX-Series"])),
        size=pt(chart["font_px"] * 1.3),
        weight="bold",
        color="white",
        family="DejaVu Sans",
        bbox={"boxstyle": "square,pad=0.4", "fc": grey(0.12), "ec": "none"},
    )


def posterize(rng: np.random.Generator, image: np.ndarray) -> tuple[np.ndarray, dict]:
    """A GIF's colours: 1-bit black and white, or a small palette without dithering."""
    if rng.random() < 0.4:
        grey_ = image.mean(axis=2)
        out = np.where(grey_ < rng.uniform(110, 170), 0, 255).astype(np.uint8)
        return np.dstack([out] * 3), {"name": "posterize", "colors": 2}
    colors = int(rng.choice([8, 16, 32]))
    pal = Image.fromarray(image).quantize(colors, dither=Image.Dither.NONE)
    return np.asarray(pal.convert("RGB")), {"name": "posterize", "colors": colors}
