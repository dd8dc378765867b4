"""Axis reading on maps drawn the ways plotting tools draw them, not by our generator.

    .venv/bin/python benchmarks/axes_plotting_tools.py [--dpi 60,100,250]

Each variant is a small compressor-map-like chart drawn with matplotlib's own options
(open frames, ticks inside or none, grids, minor ticks, thousands separators, decimal commas,
labels on all four sides, a title), at each ``--dpi``. The truth is matplotlib's own
transform; a chart is *read* when ``read_axes`` returns a calibration, and its error is the
largest at the axis-limit corners, as a fraction of the axis span.
"""

from __future__ import annotations

import argparse
import io

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter, StrMethodFormatter
from PIL import Image

from speedlines.digitize.axes import ocr_recognizer, read_axes
from speedlines.errors import InputError

VARIANTS = [
    "plain", "open", "in", "open,in", "noticks,grid", "grid,dash", "minor,grid", "thousands",
    "comma", "both", "title,grid", "open,grid,in", "noticks,grid,dash,open",
]  # fmt: skip


def chart(variant: str, dpi: int) -> tuple[np.ndarray, tuple]:
    """The chart of ``variant`` as RGB, and per axis (pixel at the low limit, at the high
    limit, low value, high value)."""
    opts = set(variant.split(","))
    fig, ax = plt.subplots(figsize=(8, 6), dpi=dpi)
    flow = np.linspace(0.1, 1, 50)
    for k in range(5):
        ax.plot(flow * (1 + k * 0.3) * 2, 1.2 + k * 0.4 + 0.3 * np.sqrt(1 - flow**4), "k")
    ax.set_xlim(0, 10)
    ax.set_ylim(1, 4)
    ax.set_xlabel("Corrected mass flow [kg/s]")
    ax.set_ylabel("Pressure ratio [-]")
    if "open" in opts:
        ax.spines[["top", "right"]].set_visible(False)
    if "in" in opts:
        ax.tick_params(direction="in")
    if "noticks" in opts:
        ax.tick_params(length=0)
    if "grid" in opts:
        ax.grid(True, ls="--" if "dash" in opts else "-", color="0.7")
    if "minor" in opts:
        ax.minorticks_on()
    if "thousands" in opts:
        ax.set_xlim(0, 20000)
        ax.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    if "comma" in opts:
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.1f}".replace(".", ",")))
    if "both" in opts:
        ax.tick_params(right=True, top=True, labelright=True, labeltop=True)
    if "title" in opts:
        ax.set_title("Compressor map GT2056")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    height = fig.canvas.get_width_height()[1]
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    (c0, r0), (c1, r1) = ax.transData.transform([(x0, y0), (x1, y1)])
    plt.close(fig)
    image = np.ascontiguousarray(np.array(Image.open(buf).convert("RGB")))
    return image, ((c0, c1, x0, x1), (height - r0, height - r1, y0, y1))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dpi", default="60,100,250", help="comma-separated")
    args = ap.parse_args()
    recognize = ocr_recognizer()
    read, errors, total = 0, [], 0
    for variant in VARIANTS:
        for dpi in (int(d) for d in args.dpi.split(",")):
            image, truth = chart(variant, dpi)
            total += 1
            size = f"{image.shape[1]}x{image.shape[0]}"
            try:
                cal = read_axes(image, recognize).calibration
            except InputError as exc:
                print(f"{variant:24s} {size:>10s}: refused ({exc})", flush=True)
                continue
            err = max(
                abs(axis.to_data(p) - v) / (hi - lo)
                for axis, (p0, p1, lo, hi) in zip((cal.x, cal.y), truth)
                for p, v in ((p0, lo), (p1, hi))
            )
            read += 1
            errors.append(err)
            print(f"{variant:24s} {size:>10s}: read, error {err:.2%} of the span", flush=True)
    errors = np.array(errors)
    print(
        f"read {read} of {total}; within 0.2 %: {(errors <= 0.002).sum()}; wrong (> 1 %): "
        f"{(errors > 0.01).sum()}; largest error {errors.max(initial=0):.2%}"
    )


if __name__ == "__main__":
    main()
