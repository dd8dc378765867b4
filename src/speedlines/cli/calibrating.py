"""``speedlines calibrate``: read the axes of chart images into calibration files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from speedlines.cli.app import app, err, run_batch
from speedlines.errors import InputError


@app.command()
def calibrate(
    inputs: Annotated[list[Path], typer.Argument(help="Image files and/or folders.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")],
) -> None:
    """Read the axes (frame, ticks, tick labels) of every image: NAME.calibration.json and a
    NAME.calibration.png to check them at a glance."""
    from speedlines.batch import collect_inputs
    from speedlines.digitize.axes import ocr_recognizer
    from speedlines.digitize.calibrate import calibrate_files

    files = collect_inputs(inputs)
    recognize = ocr_recognizer()
    outcomes, failed = run_batch(
        "calibrate", files, lambda done: calibrate_files(files, out, done, recognize)
    )
    ok = len(outcomes) - len(failed)
    err.print(f"read the axes of {ok} image(s) into {out}")
    if failed:
        raise InputError(f"{len(failed)} of {len(outcomes)} input(s): axes not read")
