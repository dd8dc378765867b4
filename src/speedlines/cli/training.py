"""Model commands: train and evaluate."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from speedlines.cli.app import app, err, progress
from speedlines.errors import InputError


def _sizes(text: str) -> list[int]:
    try:
        return [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise InputError(f"--progressive takes sizes like 64,96, not {text!r}") from None


@app.command()
def train(
    out: Annotated[Path, typer.Option("--out", "-o", help="Run folder (created).")],
    data: Annotated[str, typer.Option(help="Data folder(s), comma-separated, or 'generated'.")] = (
        "generated"
    ),
    val_data: Annotated[str | None, typer.Option(help="Validation folder (default: 10 %).")] = None,
    encoder: Annotated[str, typer.Option(help="Any smp encoder.")] = "efficientnet-b0",
    architecture: Annotated[str, typer.Option(help="smp architecture.")] = "Unet",
    encoder_weights: Annotated[
        str | None, typer.Option(help="Local encoder weights file (never downloaded).")
    ] = None,
    init_model: Annotated[
        str | None, typer.Option(help="Fine-tune from this speedlines model folder.")
    ] = None,
    loss: Annotated[str, typer.Option(help="focal | dice | bce_jaccard | bce | jaccard ...")] = (
        "bce_jaccard"
    ),
    epochs: Annotated[int, typer.Option(help="Maximum epochs.")] = 50,
    batch_size: Annotated[int, typer.Option(help="Images per step.")] = 16,
    accumulate: Annotated[int, typer.Option(help="Gradient accumulation steps.")] = 1,
    img_size: Annotated[int, typer.Option(help="Input size (multiple of 32).")] = 256,
    view: Annotated[str, typer.Option(help="resize (whole image) | tile (native pixels).")] = (
        "resize"
    ),
    scale: Annotated[float, typer.Option(help="Tile view: image scale before tiling.")] = 1.0,
    tile_size: Annotated[int, typer.Option(help="Tile view: inference tile side.")] = 256,
    augment: Annotated[str, typer.Option(help="research | upright (no turns) | none")] = "research",
    lr: Annotated[float, typer.Option(help="Adam learning rate.")] = 1e-3,
    early_stop_patience: Annotated[int, typer.Option(help="Epochs without gain.")] = 10,
    max_minutes: Annotated[float | None, typer.Option(help="Wall-clock budget.")] = None,
    aux_head: Annotated[bool, typer.Option(help="Simple-vs-combined head.")] = False,
    progressive: Annotated[str, typer.Option(help="Smaller sizes first, e.g. 64,96.")] = "",
    bn_momentum: Annotated[
        float | None, typer.Option(help="Batch-norm momentum (default 0.1; 0 keeps the encoder's).")
    ] = 0.1,
    recalibrate_bn: Annotated[
        bool | None,
        typer.Option(
            help="Recompute batch-norm statistics after training (default: only when stale)."
        ),
    ] = None,
    style: Annotated[str, typer.Option(help="Generated data: crop | chart | mixed.")] = "mixed",
    case: Annotated[str, typer.Option(help="Generated data: simple | combined | mixed.")] = "mixed",
    train_size: Annotated[int, typer.Option(help="Generated images per epoch.")] = 1000,
    val_size: Annotated[int, typer.Option(help="Generated validation images.")] = 100,
    seed: Annotated[int, typer.Option(help="Seed of data split, init and augmentation.")] = 0,
    workers: Annotated[int, typer.Option(help="Data loader processes.")] = 0,
    precision: Annotated[str, typer.Option(help="auto | 32-true | 16-mixed | bf16-mixed")] = "auto",
    accelerator: Annotated[str, typer.Option(help="auto | cpu | gpu")] = "auto",
    devices: Annotated[int, typer.Option(help="Devices (processes) per node.")] = 1,
    num_nodes: Annotated[int, typer.Option(help="Nodes for multi-node DDP.")] = 1,
    strategy: Annotated[str, typer.Option(help="auto | ddp | ddp_spawn ...")] = "auto",
    resume: Annotated[str | None, typer.Option(help="Lightning checkpoint to resume.")] = None,
    force: Annotated[bool, typer.Option(help="Train into a non-empty OUT.")] = False,
) -> None:
    """Train a speedline segmentation model; writes RUN/model (safetensors + config)."""
    from speedlines.training.config import TrainConfig
    from speedlines.training.run import train as run_training

    for folder in [] if data == "generated" else data.split(","):
        if not Path(folder).is_dir():
            raise InputError(f"{folder}: data folder not found (or use --data generated)")
    cfg = TrainConfig(
        data=data, val_data=val_data, style=style, case=case, train_size=train_size,
        val_size=val_size, architecture=architecture, encoder=encoder,
        encoder_weights=encoder_weights, init_model=init_model, loss=loss, img_size=img_size,
        view=view, scale=scale,
        tile_size=tile_size,
        augment=augment, epochs=epochs, batch_size=batch_size, accumulate=accumulate, lr=lr,
        early_stop_patience=early_stop_patience, max_minutes=max_minutes, aux_head=aux_head,
        progressive=_sizes(progressive), bn_momentum=bn_momentum or None,
        recalibrate_bn=recalibrate_bn, seed=seed,
        workers=workers, precision=precision, accelerator=accelerator, devices=devices,
        num_nodes=num_nodes, strategy=strategy,
    )  # fmt: skip
    result = run_training(cfg, out, resume=resume, force=force)
    if result.model_dir:
        v = result.metrics["validation"]
        err.print(
            f"model in {result.model_dir}: validation IoU {v['iou']:.4f}, Dice {v['dice']:.4f}, "
            f"tolerant F1 {v['tolerant_f1']:.4f} after {result.epochs} epochs"
        )


@app.command()
def evaluate(
    checkpoint: Annotated[Path, typer.Argument(help="Model folder (or its config/weights).")],
    data: Annotated[Path, typer.Argument(help="Data set folder (image/, label/).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Report folder.")] = Path("evaluation"),
    resolution: Annotated[str, typer.Option(help="native | model")] = "native",
    limit: Annotated[int | None, typer.Option(help="Only the first N images.")] = None,
    worst: Annotated[int, typer.Option(help="Worst cases in worst.png.")] = 8,
) -> None:
    """Score a model on a data set: report.md, report.json and worst.png in OUT."""
    from speedlines.dataset import SpeedlineDataset
    from speedlines.evaluate.report import WorstCases, write_reports
    from speedlines.evaluate.report import evaluate as run_evaluation
    from speedlines.segment.segmenter import Segmenter

    if resolution not in ("native", "model"):
        raise InputError(f"--resolution must be native or model, not {resolution!r}")
    segmenter = Segmenter.from_path(checkpoint)
    ds = SpeedlineDataset(data)
    n = len(ds) if limit is None else max(0, min(limit, len(ds)))
    keep = WorstCases(worst) if worst > 0 else None
    bar = progress()
    task = bar.add_task("evaluate", total=n)
    bar.start()
    try:
        ev = run_evaluation(
            segmenter,
            (ds[i] for i in range(n)),
            str(data),
            resolution,
            on_item=lambda _r: bar.advance(task),
            keep=keep,
        )
    finally:
        bar.stop()
    write_reports(ev, out, keep)
    s = ev.overall()
    err.print(
        f"{n} images: IoU {s.iou:.4f}, Dice {s.dice:.4f}, tolerant F1 {s.tolerant_f1:.4f}; "
        f"report in {out}"
    )
