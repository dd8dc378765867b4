"""Segmentation losses by name, from segmentation-models-pytorch (all take logits)."""

from __future__ import annotations

from collections.abc import Callable

import torch
from segmentation_models_pytorch import losses as L


class _Sum(torch.nn.Module):
    def __init__(self, *parts: torch.nn.Module):
        super().__init__()
        self.parts = torch.nn.ModuleList(parts)

    def forward(self, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return sum(p(logits, target) for p in self.parts)


# The research's losses (focal alpha 0.8 gamma 2, dice, BCE + Jaccard) and a few more. The
# names are the `--loss` choices: TrainConfig checks against this table's keys.
LOSSES: dict[str, Callable[[], torch.nn.Module]] = {
    "focal": lambda: L.FocalLoss(L.BINARY_MODE, alpha=0.8, gamma=2.0),
    "dice": lambda: L.DiceLoss(L.BINARY_MODE, from_logits=True),
    "bce_jaccard": lambda: _Sum(
        L.SoftBCEWithLogitsLoss(), L.JaccardLoss(L.BINARY_MODE, from_logits=True)
    ),
    "bce": lambda: L.SoftBCEWithLogitsLoss(),
    "jaccard": lambda: L.JaccardLoss(L.BINARY_MODE, from_logits=True),
    "lovasz": lambda: L.LovaszLoss(L.BINARY_MODE),
    # Thin lines are rare pixels: weigh misses (beta) above false alarms.
    "tversky": lambda: L.TverskyLoss(L.BINARY_MODE, alpha=0.3, beta=0.7),
}


def build_loss(name: str) -> torch.nn.Module:
    """The loss called ``name`` in LOSSES."""
    if name not in LOSSES:
        raise ValueError(f"unknown loss {name!r}")
    return LOSSES[name]()
