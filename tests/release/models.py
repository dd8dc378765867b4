"""Tiny untrained models (64 x 64 MobileNet UNets) saved as speedlines model folders."""

from __future__ import annotations

import json
from pathlib import Path

import torch

from speedlines.segment.model import ModelConfig, build_model, save_model


def write_model(folder: Path, seed: int, encoder: str = "mobilenet_v2", training=None) -> Path:
    torch.manual_seed(seed)
    cfg = ModelConfig(encoder=encoder, input_size=64, training=training or {"seed": seed})
    cfg.metrics = {"validation": {"iou": 0.5}}
    return save_model(folder, build_model(cfg).eval(), cfg)


def write_run(folder: Path, seed: int, train: dict, training=None) -> Path:
    """A run folder as `speedlines train` leaves it: model/ and run_config.json."""
    write_model(folder / "model", seed, training=training)
    (folder / "run_config.json").write_text(json.dumps({"train": train}))
    return folder
