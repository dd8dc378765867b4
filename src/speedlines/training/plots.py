"""Training curves (loss, IoU, Dice, learning rate per epoch) from Lightning's CSV log."""

from __future__ import annotations

import csv
import os
from collections import defaultdict
from pathlib import Path

import numpy as np

PANELS = (
    ("loss", ("train_loss_epoch", "val_loss")),
    ("IoU", ("val_iou",)),
    ("Dice", ("val_dice",)),
    ("learning rate", ("lr-Adam",)),
)


def read_epochs(metrics_csv: str | os.PathLike) -> dict[str, dict[int, float]]:
    """metric -> {epoch: last value logged in that epoch}.

    The learning-rate monitor logs at the start of an epoch, in a row without an epoch
    number: such values belong to the next epoch that appears.
    """
    series: dict[str, dict[int, float]] = defaultdict(dict)
    pending: dict[str, float] = {}
    with open(metrics_csv, newline="") as f:
        for row in csv.DictReader(f):
            values = {
                k: float(v)
                for k, v in row.items()
                if k not in ("epoch", "step") and v not in ("", None)
            }
            if not row.get("epoch"):
                pending.update(values)
                continue
            epoch = int(float(row["epoch"]))
            for key, value in {**pending, **values}.items():
                series[key][epoch] = value
            pending = {}
    return dict(series)


def plot_curves(metrics_csv: str | os.PathLike, out_png: str | os.PathLike) -> Path:
    """Write a four-panel PNG of the per-epoch curves."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from speedlines.atomic_io import write_png

    series = read_epochs(metrics_csv)
    fig, axes = plt.subplots(1, 4, figsize=(16, 3.6), dpi=80)
    for ax, (title, keys) in zip(axes, PANELS):
        for key in keys:
            if key in series:
                epochs = sorted(series[key])
                ax.plot(epochs, [series[key][e] for e in epochs], marker="o", ms=3, label=key)
        ax.set_title(title)
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
        if title == "learning rate":
            ax.set_yscale("log")
        if len(keys) > 1:
            ax.legend(fontsize=8)
    fig.tight_layout()
    fig.canvas.draw()
    image = np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()
    plt.close(fig)
    return write_png(out_png, image)
