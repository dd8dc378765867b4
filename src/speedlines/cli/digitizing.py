"""The digitize command: images -> speedlines as calibrated, fitted curves in files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from speedlines.cli.app import app, err, run_batch
from speedlines.errors import InputError


def _calibration(calibration, x_axis, y_axis, plot_area, x_unit, y_unit):
    from speedlines.digitize.batch import CalibrationSource
    from speedlines.digitize.calibration import Calibration, parse_axis_option

    if calibration is not None:
        if x_axis or y_axis or plot_area:
            raise InputError("give either --calibration or --x-axis/--y-axis, not both")
        if str(calibration) != "auto":
            return CalibrationSource(calibration)
    if calibration is not None or not (x_axis or y_axis or plot_area):
        from speedlines.digitize.axes import ocr_recognizer

        # Read from each image's tick labels; without the OCR package: one line, up front.
        units = {"x": x_unit, "y": y_unit}  # given: they replace those read from the titles
        return CalibrationSource(recognize=ocr_recognizer(), units=units)
    if not (x_axis and y_axis):
        raise InputError("a calibration is needed: --calibration CAL.json or --x-axis and --y-axis")
    area = None
    if plot_area:
        try:
            area = [float(v) for v in plot_area.split(",")]
        except ValueError:
            raise InputError(f"--plot-area must be x0,y0,x1,y1 pixels, got {plot_area!r}") from None
    cal = Calibration(
        parse_axis_option(x_axis, "x"), parse_axis_option(y_axis, "y"),
        {"x": x_unit, "y": y_unit}, area,
    )  # fmt: skip
    return CalibrationSource(fixed=cal)


def _ocr_available() -> bool:
    """Whether the OCR package is there; without it the speeds stay empty, and we say so."""
    from speedlines.digitize.axes import ocr_engine

    try:
        ocr_engine()
    except InputError as exc:
        err.print(f"note: speeds not read from the labels: {exc}")
        return False
    return True


def _found(result) -> str:
    lines = result.lines
    labelled = sum(sl.speed_source == "label" for sl in lines)
    text = f"{len(lines)} speedline(s)"
    return text + (f", {labelled} speed(s) read from labels: check them" if labelled else "")


def _mask_source(method: str, model: Path | None, engine: str, threads: int | None):
    """The ink baseline, or the model (loaded once for the whole batch)."""
    if method == "ink":
        from speedlines.segment.ink import InkMask

        return InkMask()
    from speedlines.segment.model import default_model
    from speedlines.segment.segmenter import Segmenter

    return Segmenter.from_path(model or default_model(), engine=engine, threads=threads)


@app.command()
def digitize(
    inputs: Annotated[list[Path], typer.Argument(help="Image files and/or folders.")],
    out: Annotated[str, typer.Option("--out", "-o", help="Output folder.")],
    calibration: Annotated[
        Path | None,
        typer.Option(
            help="Calibration JSON for every image, a folder of NAME.json, or auto (the "
            "default without --x-axis/--y-axis): read each image's axes from its tick labels."
        ),
    ] = None,
    x_axis: Annotated[str | None, typer.Option(help="x calibration PIX0:VAL0,PIX1:VAL1[:log]")] = (
        None
    ),
    y_axis: Annotated[str | None, typer.Option(help="y calibration PIX0:VAL0,PIX1:VAL1[:log]")] = (
        None
    ),
    plot_area: Annotated[str | None, typer.Option(help="Plotting area x0,y0,x1,y1 (px).")] = None,
    x_unit: Annotated[
        str, typer.Option(help="Unit of x (flow); read from the axis title when axes are read.")
    ] = "",
    y_unit: Annotated[str, typer.Option(help="Unit of y (pressure ratio).")] = "",
    speeds: Annotated[
        str | None, typer.Option(help="Speed of each line, lowest first: 60000,80000,...")
    ] = None,
    speed_labels: Annotated[
        bool,
        typer.Option(
            help="Without --speeds: read each line's speed from the labels printed on the map "
            "(lines whose label is unsure stay without speed)."
        ),
    ] = True,
    method: Annotated[str, typer.Option(help="model | ink (non-learned baseline)")] = "model",
    model: Annotated[Path | None, typer.Option(help="Model folder (default: shipped).")] = None,
    threshold: Annotated[float | None, typer.Option(help="Probability threshold.")] = None,
    points: Annotated[int, typer.Option(help="Points per line in the CSV (2-2000).")] = 50,
    betas: Annotated[int, typer.Option(help="Beta values in the .map and JSON (2-200).")] = 11,
    decimal: Annotated[str, typer.Option(help="Decimal mark in the CSV: . or , (then ;)")] = ".",
    mask: Annotated[bool, typer.Option(help="Also write NAME.mask.png.")] = False,
    engine: Annotated[str, typer.Option(help="auto | torch | torch-bf16 | onnx")] = "auto",
    threads: Annotated[int | None, typer.Option(help="CPU threads.")] = None,
) -> None:
    """Write NAME.csv, NAME.json, NAME.overlay.png and, when every line has a speed (--speeds,
    or read from the map's labels), NAME.map per image."""
    from speedlines.batch import check_parallel, collect_inputs, output_folder
    from speedlines.digitize.batch import DigitizeOptions, digitize_files
    from speedlines.digitize.pipeline import parse_speeds
    from speedlines.segment.segmentation import METHODS

    if method not in METHODS:
        raise InputError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    check_parallel("--threads", threads)
    given = parse_speeds(speeds)
    read_labels = given is None and speed_labels and _ocr_available()
    opts = DigitizeOptions(given, threshold, points, betas, decimal, mask, read_labels)
    calibrations = _calibration(calibration, x_axis, y_axis, plot_area, x_unit, y_unit)
    files = collect_inputs(inputs)
    output_folder(out)  # an unusable --out is refused before the model loads
    mask_source = _mask_source(method, model, engine, threads)
    outcomes, failed = run_batch(
        "digitize",
        files,
        lambda done: digitize_files(files, out, calibrations, mask_source, opts, done),
        lambda o: f"{o.source.name}: {_found(o.result)}",
    )
    ok = len(outcomes) - len(failed)
    err.print(f"digitized {ok} image(s) into {out}")
    if failed:
        raise InputError(f"{len(failed)} of {len(outcomes)} input(s) could not be digitized")
