"""One training run: Lightning fit with the research's callbacks, then a self-describing model.

RUN/ receives run_config.json (everything needed to rerun it), logs/metrics.csv (and
TensorBoard logs where installed), checkpoints/ (best on validation loss, and last, for
resuming), curves.png, and model/ (safetensors + config with the validation metrics).
"""

from __future__ import annotations

import logging
import os
import platform
import warnings
from dataclasses import dataclass
from pathlib import Path

from speedlines.errors import InputError
from speedlines.segment.model import ModelConfig
from speedlines.training.config import GENERATED, TrainConfig


class _NoTips(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "Tip:" not in record.getMessage()


def _quiet_lightning() -> None:
    logging.getLogger("lightning.pytorch.utilities.rank_zero").addFilter(_NoTips())
    warnings.filterwarnings("ignore", ".*does not have many workers.*")
    warnings.filterwarnings("ignore", ".*smaller than the logging interval.*")
    warnings.filterwarnings("ignore", ".*LeafSpec.*")


@dataclass
class RunResult:
    out: Path
    model_dir: Path | None
    metrics: dict
    epochs: int


def model_config_for(cfg: TrainConfig) -> ModelConfig:
    return ModelConfig(
        architecture=cfg.architecture,
        encoder=cfg.encoder,
        input_size=cfg.img_size,
        view=cfg.view,
        scale=cfg.scale,
        tile_size=cfg.tile_size if cfg.view == "tile" else 0,
        threshold=cfg.threshold,
        aux_classes=1 if cfg.aux_head else 0,
    )


def resolve_precision(cfg: TrainConfig, accelerator: str) -> str:
    """The precision a run uses: ``cfg.precision``, or for ``auto`` bf16 mixed precision where
    the hardware computes bfloat16 natively (CPUs with AVX512-BF16/AMX, GPUs from Ampere on:
    2-3x faster steps here), fp16 mixed on older GPUs and fp32 on other CPUs."""
    if cfg.precision != "auto":
        return cfg.precision
    if accelerator in ("gpu", "cuda"):
        import torch

        return "bf16-mixed" if torch.cuda.is_bf16_supported() else "16-mixed"
    from speedlines.segment.engine import bf16_native

    return "bf16-mixed" if bf16_native() else "32-true"


def _accelerator(cfg: TrainConfig) -> str:
    if cfg.accelerator != "auto":
        return cfg.accelerator
    import torch

    return "gpu" if torch.cuda.is_available() else "cpu"


def _strategy(cfg: TrainConfig) -> str:
    # Some smp encoders keep layers the decoder never uses (EfficientNet's conv head), and
    # plain DDP refuses parameters without gradients.
    return "ddp_find_unused_parameters_true" if cfg.strategy == "ddp" else cfg.strategy


def _versions() -> dict:
    import lightning
    import segmentation_models_pytorch as smp
    import torch

    from speedlines import __version__

    return {
        "speedlines": __version__,
        "torch": torch.__version__,
        "smp": smp.__version__,
        "lightning": lightning.__version__,
        "python": platform.python_version(),
    }


def _check_out(out: Path, resume: str | None, force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: exists and is not a folder")
    relaunched = int(os.environ.get("LOCAL_RANK", 0)) or int(os.environ.get("NODE_RANK", 0))
    if resume or force or relaunched or not out.exists():  # DDP ranks > 0 find it made
        return
    if any(out.iterdir()):
        raise InputError(f"{out}: not empty (use --force to train into it, or --resume)")


def train(
    cfg: TrainConfig,
    out: str | os.PathLike,
    resume: str | None = None,
    force: bool = False,
    progress: bool = True,
) -> RunResult:
    """Train, keep the best checkpoint, fix batch-norm statistics, export and evaluate."""
    import lightning.pytorch as pl
    import torch

    from speedlines.training.data import SpeedlineDataModule
    from speedlines.training.history import load_checkpoint, start_history
    from speedlines.training.task import SegmentationTask

    _quiet_lightning()
    out = _prepare_out(Path(out), resume, force)
    pl.seed_everything(cfg.seed, workers=True, verbose=False)
    model_cfg = model_config_for(cfg)
    dm = SpeedlineDataModule(cfg, model_cfg)
    dm.setup("fit")  # bad data paths fail here, before any process is launched
    task = SegmentationTask(cfg, model_cfg)
    precision = resolve_precision(cfg, _accelerator(cfg))
    if precision == "bf16-mixed":
        # The CPU's bf16 convolutions (oneDNN) want NHWC: 1.1-1.5x faster steps than NCHW.
        task.model.to(memory_format=torch.channels_last)
    last_epoch = load_checkpoint(resume, task).get("epoch", -1) if resume else -1
    best = _best_checkpoint(out)
    trainer = _trainer(cfg, out, best, progress, precision)
    if trainer.is_global_zero:
        _write_run_config(out, cfg, model_cfg, precision)
        start_history(out, resume, last_epoch)
    trainer.fit(task, datamodule=dm, ckpt_path=resume)
    if not trainer.is_global_zero:
        return RunResult(out, None, {}, trainer.current_epoch)
    epochs, steps = trainer.current_epoch, trainer.global_step
    return _finish(cfg, model_cfg, task, dm, best.best_model_path, out, epochs, steps, precision)


def _prepare_out(out: Path, resume: str | None, force: bool) -> Path:
    _check_out(out, resume, force)
    if resume and not Path(resume).is_file():
        raise InputError(f"{resume}: checkpoint to resume from not found")
    out.mkdir(parents=True, exist_ok=True)
    return out


def _best_checkpoint(out: Path):
    """Keeps the checkpoint of the lowest validation loss, and the last one for resuming."""
    from lightning.pytorch.callbacks import ModelCheckpoint

    return ModelCheckpoint(
        dirpath=out / "checkpoints", filename="best", monitor="val_loss", mode="min", save_last=True
    )


def _loggers(out: Path) -> list:
    from speedlines.training.history import HistoryLogger

    loggers = [HistoryLogger(out, name="logs", version="")]
    try:
        import tensorboard  # noqa: F401
        from lightning.pytorch.loggers import TensorBoardLogger

        loggers.append(TensorBoardLogger(out, name="tensorboard", version=""))
    except ImportError:
        pass
    return loggers


def _trainer(cfg: TrainConfig, out: Path, best, progress: bool, precision: str):
    """A Lightning trainer with the research's early stopping, on the configured hardware."""
    import lightning.pytorch as pl
    from lightning.pytorch import callbacks as cb

    callbacks = [
        best,
        cb.EarlyStopping("val_loss", patience=cfg.early_stop_patience, min_delta=1e-4),
        cb.LearningRateMonitor(logging_interval="epoch"),
    ]
    if progress:
        callbacks.append(cb.RichProgressBar(leave=True))
    accelerator = _accelerator(cfg)
    return pl.Trainer(
        accelerator=accelerator,
        devices=cfg.devices,
        num_nodes=cfg.num_nodes,
        strategy=_strategy(cfg),
        precision=precision,
        max_epochs=cfg.epochs,
        max_time={"minutes": cfg.max_minutes} if cfg.max_minutes else None,
        accumulate_grad_batches=cfg.accumulate,
        callbacks=callbacks,
        logger=_loggers(out),
        log_every_n_steps=10,
        # New sizes (progressive) and fresh generated images need new loaders every epoch.
        reload_dataloaders_every_n_epochs=1 if cfg.progressive or cfg.data == GENERATED else 0,
        enable_progress_bar=progress,
        enable_model_summary=False,
        default_root_dir=out,
        num_sanity_val_steps=0,
    )


def _write_run_config(out: Path, cfg: TrainConfig, model_cfg: ModelConfig, precision: str) -> None:
    from speedlines.atomic_io import write_json

    run_config = {
        "train": cfg.to_dict(),
        "precision_used": precision,
        "model": model_cfg.to_dict(),
        "versions": _versions(),
    }
    write_json(out / "run_config.json", run_config)


def _finish(
    cfg, model_cfg, task, dm, best_path, out, epochs: int, steps: int, precision: str
) -> RunResult:
    """Best weights -> batch-norm recalibration -> eval-mode validation -> model/ export."""
    import torch

    from speedlines.segment.model import save_model
    from speedlines.training.plots import plot_curves

    steps = _load_best(task, best_path, steps)
    model = task.model.cpu().to(memory_format=torch.contiguous_format)
    bn_note = _batch_norm(cfg, model, dm, steps)
    model.eval()
    model_cfg.metrics = _validate(model, model_cfg, dm)
    model_cfg.training = training_record(cfg, dm.description, best_path, epochs, steps, bn_note)
    model_cfg.training["precision_used"] = precision
    model_dir = save_model(out / "model", model, model_cfg)
    csv_path = out / "logs" / "metrics.csv"
    if csv_path.is_file():
        plot_curves(csv_path, out / "curves.png")
    return RunResult(out, model_dir, model_cfg.metrics, epochs)


def _load_best(task, best_path: str, steps: int) -> int:
    """Load the best checkpoint's weights into ``task``; the steps trained up to it."""
    if not best_path:
        return steps
    import torch

    ckpt = torch.load(best_path, map_location="cpu", weights_only=False)
    task.load_state_dict(ckpt["state_dict"])
    return ckpt.get("global_step", steps)


def _validate(model, model_cfg: ModelConfig, dm) -> dict:
    """Eval-mode scores on the validation images, overall and per case."""
    from speedlines.evaluate.report import evaluate
    from speedlines.segment.segmenter import Segmenter

    ev = evaluate(Segmenter(model, model_cfg), dm.validation_items(), "validation", "model")
    by_case = {c: s.as_dict() for c, s in ev.by_case().items()}
    return {"validation": ev.overall().as_dict(), "by_case": by_case}


def training_record(
    cfg: TrainConfig, data: str, best_path: str, epochs: int, steps: int, bn_recalibration: str
) -> dict:
    """The model's ``training`` record: the config, the run's facts and the parent's record.

    Four keys keep the meaning the record has always given them (the model card and
    docs/results.md read them): ``epochs`` trained rather than the limit, ``batch_size`` per
    optimiser step (times ``accumulate``), ``data`` described (``generated crop/mixed``) and
    ``encoder_weights`` described. run_config.json keeps the config as given.
    """
    return {
        **cfg.to_dict(),
        "data": data,
        "encoder_weights": cfg.encoder_weights or "none (trained from scratch)",
        "epochs": epochs,
        "batch_size": cfg.batch_size * cfg.accumulate,
        "steps": steps,
        "bn_recalibration": bn_recalibration,
        "best_checkpoint": str(best_path),
        "parent": _parent_training(cfg.init_model),
    }


def _batch_norm(cfg: TrainConfig, model, dm, steps: int) -> str:
    """Recalibrate the running statistics when asked, or by default when they are stale."""
    from speedlines.training.task import STALE_LIMIT, recalibrate_batch_norm, stale_share

    stale = stale_share(model, steps * cfg.accumulate)
    if cfg.recalibrate_bn is False or (cfg.recalibrate_bn is None and stale <= STALE_LIMIT):
        return f"none: the checkpoint's own running statistics ({stale:.2g} from before training)"
    n = recalibrate_batch_norm(model, dm.recalibration_batches())
    return f"recalibrated on {n} batches of un-augmented training windows ({stale:.2g} stale)"


def _parent_training(init_model: str | None) -> dict | None:
    """The training record of the model this run fine-tuned, so a model carries its history."""
    if not init_model:
        return None
    from speedlines.segment.model import load_config

    return load_config(init_model).training or None  # it loaded at the start: it loads now
