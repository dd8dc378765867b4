"""Segmentation losses by name, from segmentation-models-pytorch (all take logits)."""

from __future__ import annotations

import torch
from segmentation_models_pytorch import losses as L


class _Sum(torch.nn.Module):
    def __init__(self, *parts: torch.nn.Module):
        super().__init__()
        self.parts = torch.nn.ModuleList(parts)

    def forward(self, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return sum(p(logits, target) for p in self.parts)


def build_loss(name: str) -> torch.nn.Module:
    """The research's losses (focal alpha 0.8 gamma 2, dice, BCE + Jaccard) and a few more."""
    if name == "focal":
        return L.FocalLoss(L.BINARY_MODE, alpha=0.8, gamma=2.0)
    if name == "dice":
        return L.DiceLoss(L.BINARY_MODE, from_logits=True)
    if name == "jaccard":
        return L.JaccardLoss(L.BINARY_MODE, from_logits=True)
    if name == "bce":
        return L.SoftBCEWithLogitsLoss()
    if name == "bce_jaccard":
        return _Sum(L.SoftBCEWithLogitsLoss(), L.JaccardLoss(L.BINARY_MODE, from_logits=True))
    if name == "lovasz":
        return L.LovaszLoss(L.BINARY_MODE)
    if name == "tversky":
        # Thin lines are rare pixels: weigh misses (beta) above false alarms.
        return L.TverskyLoss(L.BINARY_MODE, alpha=0.3, beta=0.7)
    raise ValueError(f"unknown loss {name!r}")
