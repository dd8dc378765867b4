"""The LightningModule: a smp network, its loss, the research's schedule and pixel metrics."""

from __future__ import annotations

import lightning.pytorch as pl
import segmentation_models_pytorch as smp
import torch
from torch.nn import functional as F

from speedlines.segment.model import ModelConfig, build_model, load_encoder_weights, load_model
from speedlines.training.config import TrainConfig
from speedlines.training.losses import build_loss


def batch_norms(model: torch.nn.Module) -> list[torch.nn.Module]:
    """The batch-norm layers of ``model`` (all dimensions)."""
    return [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]


def set_bn_momentum(model: torch.nn.Module, momentum: float | None) -> None:
    for m in batch_norms(model):
        m.momentum = momentum


STALE_LIMIT = 0.01  # share of pre-training running statistics that eval mode can live with


def stale_share(model: torch.nn.Module, forwards: int) -> float:
    """Worst share of any batch-norm running statistic still left from before training after
    ``forwards`` training-mode passes: (1 - momentum) ** forwards (0 for cumulative averages)."""
    moms = [m.momentum for m in batch_norms(model) if m.track_running_stats]
    return max(((1.0 - m) ** forwards for m in moms if m is not None), default=0.0)


@torch.no_grad()
def recalibrate_batch_norm(model: torch.nn.Module, batches, max_batches: int = 50) -> int:
    """Recompute batch-norm running statistics as exact averages over ``batches``.

    EfficientNet's momentum of 0.01 leaves the running statistics far behind the weights after
    a short training, and eval-mode output then collapses (often to an empty mask).
    """
    norms = batch_norms(model)
    if not norms:
        return 0
    saved = [m.momentum for m in norms]
    for m in norms:
        m.reset_running_stats()
        m.momentum = None  # cumulative moving average
    was_training = model.training
    # Only the norm layers learn: dropout and drop-connect stay off, as at inference.
    model.eval()
    for m in norms:
        m.train()
    device = next(model.parameters()).device
    n = 0
    for batch in batches:
        model(batch["image"].to(device))
        n += 1
        if n >= max_batches:
            break
    for m, mom in zip(norms, saved):
        m.momentum = mom
    model.train(was_training)
    return n


def init_weights(model: torch.nn.Module, model_cfg: ModelConfig, path: str) -> None:
    """Start from a trained speedlines model (fine-tuning); it must be the same network."""
    from speedlines.errors import InputError

    trained, trained_cfg = load_model(path)
    mine = (model_cfg.architecture, model_cfg.encoder, model_cfg.aux_classes)
    theirs = (trained_cfg.architecture, trained_cfg.encoder, trained_cfg.aux_classes)
    if mine != theirs:
        raise InputError(
            f"{path}: cannot fine-tune from {'/'.join(map(str, theirs))} into "
            f"{'/'.join(map(str, mine))} (architecture/encoder/aux classes differ)"
        )
    model.load_state_dict(trained.state_dict())


class SegmentationTask(pl.LightningModule):
    def __init__(self, cfg: TrainConfig, model_cfg: ModelConfig):
        super().__init__()
        self.save_hyperparameters({"train": cfg.to_dict(), "model": model_cfg.to_dict()})
        self.cfg, self.model_cfg = cfg, model_cfg
        self.model = build_model(model_cfg)
        if cfg.encoder_weights:
            load_encoder_weights(self.model, cfg.encoder_weights)
        if cfg.init_model:
            init_weights(self.model, model_cfg, cfg.init_model)
        if cfg.bn_momentum is not None:
            set_bn_momentum(self.model, cfg.bn_momentum)
        self.loss = build_loss(cfg.loss)
        self._stats = torch.zeros(4, dtype=torch.long)

    def forward(self, x: torch.Tensor):
        return self.model(x)

    def _step(self, batch: dict) -> tuple[torch.Tensor, torch.Tensor]:
        out = self.model(batch["image"])
        logits, case_logits = out if isinstance(out, tuple) else (out, None)
        loss = self.loss(logits, batch["mask"])
        if case_logits is not None:
            known = batch["case"] >= 0
            if known.any():
                aux = F.binary_cross_entropy_with_logits(case_logits[known], batch["case"][known])
                loss = loss + self.cfg.aux_weight * aux
        return loss, logits

    def training_step(self, batch: dict, batch_idx: int) -> torch.Tensor:
        loss, _ = self._step(batch)
        n = len(batch["image"])
        self.log("train_loss", loss, on_step=True, on_epoch=True, batch_size=n, sync_dist=True)
        return loss

    def on_validation_epoch_start(self) -> None:
        self._stats = torch.zeros(4, dtype=torch.long, device=self.device)

    def validation_step(self, batch: dict, batch_idx: int) -> None:
        loss, logits = self._step(batch)
        pred = (torch.sigmoid(logits) > self.model_cfg.threshold).long()
        tp, fp, fn, tn = smp.metrics.get_stats(pred, batch["mask"].long(), mode="binary")
        self._stats += torch.stack([tp.sum(), fp.sum(), fn.sum(), tn.sum()])
        n = len(batch["image"])
        self.log("val_loss", loss, on_epoch=True, batch_size=n, sync_dist=True, prog_bar=True)

    def on_validation_epoch_end(self) -> None:
        stats = self.all_gather(self._stats)
        if stats.dim() > 1:
            stats = stats.sum(0)
        tp, fp, fn, tn = (s.reshape(1, 1) for s in stats)
        iou = smp.metrics.iou_score(tp, fp, fn, tn, reduction="micro", zero_division=1.0)
        dice = smp.metrics.f1_score(tp, fp, fn, tn, reduction="micro", zero_division=1.0)
        self.log("val_iou", iou, prog_bar=True)
        self.log("val_dice", dice)

    def configure_optimizers(self):
        cfg = self.cfg
        opt = torch.optim.Adam(self.parameters(), lr=cfg.lr)
        sched = torch.optim.lr_scheduler.ReduceLROnPlateau(
            opt,
            mode="min",
            factor=cfg.lr_factor,
            patience=cfg.lr_patience,
            threshold=1e-4,
            threshold_mode="abs",
            cooldown=2,
            min_lr=cfg.min_lr,
        )
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "monitor": "val_loss"}}
