"""Inference commands: predict masks, export ONNX."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from speedlines.cli.app import app, err, run_batch
from speedlines.errors import InputError


@app.command()
def predict(
    inputs: Annotated[list[Path], typer.Argument(help="Image files and/or folders.")],
    out: Annotated[str, typer.Option("--out", "-o", help="Output folder.")],
    model: Annotated[Path | None, typer.Option(help="Model folder (default: shipped).")] = None,
    threshold: Annotated[float | None, typer.Option(help="Probability threshold.")] = None,
    prob: Annotated[bool, typer.Option(help="Also write NAME.prob.png.")] = False,
    overlay: Annotated[bool, typer.Option(help="Also write NAME.overlay.png.")] = False,
    engine: Annotated[str, typer.Option(help="auto | torch | torch-bf16 | onnx")] = "auto",
    threads: Annotated[int | None, typer.Option(help="CPU threads.")] = None,
) -> None:
    """Write NAME.mask.png (255 = speedline) for every input image, at its own size."""
    from speedlines.batch import check_parallel, collect_inputs, output_folder
    from speedlines.segment.model import default_model
    from speedlines.segment.predict import predict_files
    from speedlines.segment.segmenter import Segmenter

    check_parallel("--threads", threads)
    if threshold is not None and not 0.0 < threshold < 1.0:
        raise InputError(f"threshold must lie in (0, 1), not {threshold}")
    files = collect_inputs(inputs)
    output_folder(out)  # an unusable --out is refused before the model loads
    segmenter = Segmenter.from_path(model or default_model(), engine=engine, threads=threads)
    outcomes, failed = run_batch(
        "predict",
        files,
        lambda done: predict_files(segmenter, files, out, threshold, prob, overlay, done),
    )
    ok = len(outcomes) - len(failed)
    err.print(f"wrote masks of {ok} image(s) to {out} ({segmenter.engine_name})")
    if failed:
        raise InputError(f"{len(failed)} of {len(outcomes)} input(s) could not be read")


@app.command("export-onnx")
def export_onnx(
    model: Annotated[Path | None, typer.Argument(help="Model folder (default: shipped).")] = None,
    out: Annotated[Path | None, typer.Option(help="ONNX file (default: MODEL/model.onnx).")] = None,
) -> None:
    """Export a model to ONNX (dynamic batch and image size) for ONNX Runtime."""
    from speedlines.segment.engine import ONNX_FILE
    from speedlines.segment.engine import export_onnx as export
    from speedlines.segment.model import default_model, load_model, model_dir

    src = model or default_model()
    net, _ = load_model(src)
    path = export(net, out or model_dir(src) / ONNX_FILE)
    err.print(f"wrote {path}")
