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


def _precision(cfg: TrainConfig, accelerator: str) -> str:
    if cfg.precision != "auto":
        return cfg.precision
    return "16-mixed" if accelerator in ("gpu", "cuda") else "32-true"


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
    from lightning.pytorch import callbacks as cb
    from lightning.pytorch.loggers import CSVLogger

    from speedlines.atomic_io import write_json
    from speedlines.training.data import SpeedlineDataModule
    from speedlines.training.task import SegmentationTask

    _quiet_lightning()
    out = Path(out)
    _check_out(out, resume, force)
    if resume and not Path(resume).is_file():
        raise InputError(f"{resume}: checkpoint to resume from not found")
    out.mkdir(parents=True, exist_ok=True)
    pl.seed_everything(cfg.seed, workers=True, verbose=False)
    accelerator = _accelerator(cfg)
    model_cfg = model_config_for(cfg)
    dm = SpeedlineDataModule(cfg, model_cfg)
    dm.setup("fit")  # bad data paths fail here, before any process is launched
    task = SegmentationTask(cfg, model_cfg)

    loggers = [CSVLogger(out, name="logs", version="")]
    try:
        import tensorboard  # noqa: F401
        from lightning.pytorch.loggers import TensorBoardLogger

        loggers.append(TensorBoardLogger(out, name="tensorboard", version=""))
    except ImportError:
        pass
    best = cb.ModelCheckpoint(
        dirpath=out / "checkpoints",
        filename="best",
        monitor="val_loss",
        mode="min",
        save_last=True,
    )
    callbacks = [
        best,
        cb.EarlyStopping("val_loss", patience=cfg.early_stop_patience, min_delta=1e-4),
        cb.LearningRateMonitor(logging_interval="epoch"),
    ]
    if progress:
        callbacks.append(cb.RichProgressBar(leave=True))
    max_time = {"minutes": cfg.max_minutes} if cfg.max_minutes else None
    trainer = pl.Trainer(
        accelerator=accelerator,
        devices=cfg.devices,
        num_nodes=cfg.num_nodes,
        strategy=_strategy(cfg),
        precision=_precision(cfg, accelerator),
        max_epochs=cfg.epochs,
        max_time=max_time,
        accumulate_grad_batches=cfg.accumulate,
        callbacks=callbacks,
        logger=loggers,
        log_every_n_steps=10,
        # New sizes (progressive) and fresh generated images need new loaders every epoch.
        reload_dataloaders_every_n_epochs=1 if cfg.progressive or cfg.data == GENERATED else 0,
        enable_progress_bar=progress,
        enable_model_summary=False,
        default_root_dir=out,
        num_sanity_val_steps=0,
    )
    if trainer.is_global_zero:
        write_json(
            out / "run_config.json",
            {"train": cfg.to_dict(), "model": model_cfg.to_dict(), "versions": _versions()},
        )
    trainer.fit(task, datamodule=dm, ckpt_path=resume)
    if not trainer.is_global_zero:
        return RunResult(out, None, {}, trainer.current_epoch)
    epochs, steps = trainer.current_epoch, trainer.global_step
    return _finish(cfg, model_cfg, task, dm, best.best_model_path, out, epochs, steps)


def _finish(cfg, model_cfg, task, dm, best_path, out, epochs: int, steps: int) -> RunResult:
    """Best weights -> batch-norm recalibration -> eval-mode validation -> model/ export."""
    import torch

    from speedlines.evaluate.report import evaluate
    from speedlines.segment.model import save_model
    from speedlines.segment.segmenter import Segmenter
    from speedlines.training.plots import plot_curves

    if best_path:
        ckpt = torch.load(best_path, map_location="cpu", weights_only=False)
        task.load_state_dict(ckpt["state_dict"])
        steps = ckpt.get("global_step", steps)
    model = task.model.cpu()
    bn_note = _batch_norm(cfg, model, dm, steps)
    model.eval()
    segmenter = Segmenter(model, model_cfg)
    ev = evaluate(segmenter, _val_items(dm), "validation", resolution="model")
    metrics = {"validation": ev.overall().as_dict(), "by_case": {}}
    metrics["by_case"] = {c: s.as_dict() for c, s in ev.by_case().items()}
    model_cfg.metrics = metrics
    model_cfg.training = {
        "data": cfg.data if cfg.data != "generated" else f"generated {cfg.style}/{cfg.case}",
        "val_data": cfg.val_data,
        "encoder_weights": cfg.encoder_weights or "none (trained from scratch)",
        "init_model": cfg.init_model,
        "loss": cfg.loss,
        "augment": cfg.augment,
        "epochs": epochs,
        "steps": steps,
        "img_size": cfg.img_size,
        "batch_size": cfg.batch_size * cfg.accumulate,
        "lr": cfg.lr,
        "seed": cfg.seed,
        "max_minutes": cfg.max_minutes,
        "aux_head": cfg.aux_head,
        "progressive": cfg.progressive,
        "bn_recalibration": bn_note,
        "best_checkpoint": str(best_path),
        "parent": _parent_training(cfg.init_model),
    }
    model_dir = save_model(out / "model", model, model_cfg)
    csv_path = out / "logs" / "metrics.csv"
    if csv_path.is_file():
        plot_curves(csv_path, out / "curves.png")
    return RunResult(out, model_dir, metrics, epochs)


def _batch_norm(cfg: TrainConfig, model, dm, steps: int) -> str:
    """Recalibrate the running statistics when asked, or by default when they are stale."""
    from speedlines.training.task import STALE_LIMIT, recalibrate_batch_norm, stale_share

    stale = stale_share(model, steps * cfg.accumulate)
    if cfg.recalibrate_bn is False or (cfg.recalibrate_bn is None and stale <= STALE_LIMIT):
        return f"none: the checkpoint's own running statistics ({stale:.2g} from before training)"
    n = recalibrate_batch_norm(model, _bn_batches(cfg, dm))
    return f"recalibrated on {n} batches of un-augmented training windows ({stale:.2g} stale)"


def _parent_training(init_model: str | None) -> dict | None:
    """The training record of the model this run fine-tuned, so a model carries its history."""
    if not init_model:
        return None
    from speedlines.segment.model import load_config

    return load_config(init_model).training or None  # it loaded at the start: it loads now


def _val_items(dm):
    """Validation items as full images (not tensors), for the numpy evaluation."""
    from speedlines.dataset import Item
    from speedlines.training.data import FolderData, GeneratedSet

    ds = dm.val_ds
    if isinstance(ds, GeneratedSet):
        for k, (image, mask, case) in enumerate(ds.items):
            yield Item(str(k), image, mask, {"case": case})
    elif isinstance(ds, FolderData):
        for i in ds.indices:
            yield ds.ds[i]


def _bn_batches(cfg: TrainConfig, dm):
    """Un-augmented training views: the statistics the model will meet at inference."""
    from torch.utils.data import DataLoader

    from speedlines.training.data import FolderData, GeneratedStream, ViewMaker

    make = ViewMaker(cfg, dm.model_cfg, train=False)
    if isinstance(dm.train_ds, FolderData):
        ds = FolderData(dm.train_ds.ds, dm.train_ds.indices, make, cfg.img_size)
        return DataLoader(ds, batch_size=cfg.batch_size, shuffle=True)
    return DataLoader(GeneratedStream(cfg, make, cfg.img_size, epoch=0), batch_size=cfg.batch_size)
