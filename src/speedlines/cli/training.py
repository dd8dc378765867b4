"""Model commands: train and evaluate.

`train`'s options are TrainConfig's fields (speedlines.training.config), plus where the run
goes (--out, --resume, --force).
"""

from __future__ import annotations

import inspect
from dataclasses import fields
from inspect import Parameter
from pathlib import Path
from typing import Annotated, get_type_hints

import typer

from speedlines.cli.app import app, err, progress
from speedlines.errors import InputError
from speedlines.training.config import GENERATED, TrainConfig, default_of, option_value

KEYWORD_ONLY = Parameter.KEYWORD_ONLY


def _config_options() -> list[Parameter]:
    """One option per TrainConfig field, with the field's default and help text."""
    hints = get_type_hints(TrainConfig)
    params = []
    for f in fields(TrainConfig):
        kind = f.metadata["text_type"] or hints[f.name]
        default = option_value(f, default_of(f))
        option = Annotated[kind, typer.Option(help=f.metadata["help"])]
        params.append(Parameter(f.name, KEYWORD_ONLY, default=default, annotation=option))
    return params


# Where and how the run goes: the options that are not part of the config.
_OUT = Parameter(
    "out",
    KEYWORD_ONLY,
    annotation=Annotated[Path, typer.Option("--out", "-o", help="Run folder (created).")],
)
_RESUME = Parameter(
    "resume",
    KEYWORD_ONLY,
    default=None,
    annotation=Annotated[str | None, typer.Option(help="Lightning checkpoint to resume.")],
)
_FORCE = Parameter(
    "force",
    KEYWORD_ONLY,
    default=False,
    annotation=Annotated[bool, typer.Option(help="Train into a non-empty OUT.")],
)


def train(out: Path, resume: str | None, force: bool, **options) -> None:
    """Train a speedline segmentation model; writes RUN/model (safetensors + config)."""
    from speedlines.training.run import train as run_training

    data = options.get("data", GENERATED)
    for folder in [] if data == GENERATED else data.split(","):
        if not Path(folder).is_dir():
            raise InputError(f"{folder}: data folder not found (or use --data generated)")
    cfg = TrainConfig.from_options(**options)
    result = run_training(cfg, out, resume=resume, force=force)
    if result.model_dir:
        v = result.metrics["validation"]
        err.print(
            f"model in {result.model_dir}: validation IoU {v['iou']:.4f}, Dice {v['dice']:.4f}, "
            f"tolerant F1 {v['tolerant_f1']:.4f} after {result.epochs} epochs"
        )


# Typer reads a command's options from its signature.
train.__signature__ = inspect.Signature([_OUT, *_config_options(), _RESUME, _FORCE])
train.__annotations__ = {p.name: p.annotation for p in train.__signature__.parameters.values()}
app.command()(train)


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
