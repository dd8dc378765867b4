"""A model's scores on the validation windows a training run logs (its val_iou, val_loss).

Usage: python experiments/validate_windows.py RUN_DIR [MODEL]

Builds the run's validation loader from RUN_DIR/run_config.json and runs Lightning's
validation on MODEL (default: the model the run started from, --init-model), so a run's
logged curve can be read against where it started.
"""

from __future__ import annotations

import argparse
import json
import warnings
from pathlib import Path

import lightning.pytorch as pl

from speedlines.training.config import TrainConfig
from speedlines.training.data import SpeedlineDataModule
from speedlines.training.run import model_config_for
from speedlines.training.task import SegmentationTask


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("run", type=Path)
    ap.add_argument("model", nargs="?")
    args = ap.parse_args()
    warnings.filterwarnings("ignore", ".*does not have many workers.*")
    train = json.loads((args.run / "run_config.json").read_text())["train"]
    cfg = TrainConfig.from_dict(train | {"init_model": args.model or train["init_model"]})
    pl.seed_everything(cfg.seed, workers=True, verbose=False)
    model_cfg = model_config_for(cfg)
    data = SpeedlineDataModule(cfg, model_cfg)
    data.setup("fit")
    task = SegmentationTask(cfg, model_cfg).eval()
    trainer = pl.Trainer(accelerator="cpu", logger=False, enable_model_summary=False)
    (scores,) = trainer.validate(task, datamodule=data, verbose=False)
    print(f"{cfg.init_model}: " + ", ".join(f"{k} {v:.4f}" for k, v in scores.items()))


if __name__ == "__main__":
    main()
