"""Data commands: generate and preview data sets."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated

import typer

from speedlines.cli.app import app, err, progress
from speedlines.errors import InputError

STYLE_HELP = (
    "crop | chart | datasheet | gif | coloured | scan | mixed (crop and chart), "
    "or a comma-separated list such as chart,gif"
)


@app.command()
def generate(
    out: Annotated[str, typer.Argument(help="Output folder (created; must be empty).")],
    count: Annotated[int, typer.Option("--count", "-n", help="Number of images.")] = 100,
    style: Annotated[str, typer.Option(help=STYLE_HELP)] = "mixed",
    case: Annotated[str, typer.Option(help="simple | combined | mixed")] = "mixed",
    seed: Annotated[int, typer.Option(help="Seed: same seed, same bytes.")] = 0,
    workers: Annotated[int, typer.Option(help="Parallel processes.")] = 1,
    force: Annotated[bool, typer.Option(help="Replace a data set already in OUT.")] = False,
) -> None:
    """Generate compressor-map images with exact speedline labels and metadata."""
    from speedlines.synth.writer import generate_dataset

    if not out.strip():
        raise InputError("the output folder is an empty path")
    bar = progress()
    task = bar.add_task("generate", total=max(count, 0))

    def advance(_item: dict) -> None:
        bar.start()  # only once the inputs are checked, so an error prints no empty bar
        bar.advance(task)

    try:
        manifest = generate_dataset(out, count, seed, style, case, workers, force, advance)
    finally:
        bar.stop()
    styles = Counter(i["style"] for i in manifest["items"])
    counts = ", ".join(f"{n} {name}" for name, n in sorted(styles.items()))
    err.print(f"wrote {count} images ({counts}) to {out}")


@app.command()
def preview(
    data: Annotated[Path, typer.Argument(help="A data set folder (image/, label/).")],
    out: Annotated[str, typer.Option("--out", "-o", help="PNG file to write.")],
    count: Annotated[int, typer.Option(help="Images to show.")] = 12,
    columns: Annotated[int, typer.Option(help="Tiles per row.")] = 4,
    labels: Annotated[bool, typer.Option(help="Draw the labels over the images.")] = True,
) -> None:
    """Write a contact sheet of a data set, labels drawn in red over the images."""
    from speedlines.atomic_io import write_png
    from speedlines.dataset import SpeedlineDataset
    from speedlines.preview import overlay, sheet

    if not out.strip():
        raise InputError("--out is an empty path: give a PNG file to write")
    if count < 1 or columns < 1:
        raise InputError("--count and --columns must be at least 1")
    ds = SpeedlineDataset(data)
    tiles, caps = [], []
    for item in list(ds)[:count]:
        tiles.append(overlay(item.image, item.mask) if labels else item.image)
        h, w = item.mask.shape
        caps.append(f"{item.id}: {item.case} {w}x{h}")
    write_png(out, sheet(tiles, caps, columns, (320, 220), title=str(data)))
    err.print(f"wrote {out}")
