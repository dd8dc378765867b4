"""Reproduce the research's encoder x loss grid (and its untried ideas) on generated crops.

Usage: python experiments/research_grid.py [--epochs 6] [--img-size 128] [--only NAME,...]
Generates data/grid/{train,val,test} if missing, trains each run into runs/grid/NAME,
evaluates it on the fixed test set and prints the markdown table for docs/results.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent / "speedlines"
DATA = Path("data/grid")
SETS = {"train": (800, 101), "val": (100, 202), "test": (200, 303)}
ENCODERS = ("efficientnet-b0", "efficientnet-b1", "resnet34")
LOSSES = ("bce_jaccard", "focal", "dice")
RESEARCH = {  # IoU / Dice on the research's own validation set (best loss, BCE + Jaccard)
    "efficientnet-b0": (0.9253, 0.9612),
    "efficientnet-b1": (0.9212, 0.9590),
    "resnet34": (0.9078, 0.9516),
}
IDEAS = {
    "b0-aux-head": ["--aux-head"],
    "b0-progressive": ["--progressive", "64,96"],
    "b0-batch64": ["--accumulate", "4"],
}


def runs() -> dict[str, tuple[str, str, list[str]]]:
    out = {}
    for loss in LOSSES:
        for enc in ENCODERS:
            out[f"{enc.replace('efficientnet-', '')}-{loss}"] = (enc, loss, [])
    for name, extra in IDEAS.items():
        out[name] = ("efficientnet-b0", "bce_jaccard", extra)
    return out


def head_accuracy(model_dir: Path, data: Path) -> float:
    """Share of test images whose simple/combined case the classification head gets right."""
    import torch

    from speedlines.dataset import SpeedlineDataset
    from speedlines.segment.model import load_model
    from speedlines.segment.segmenter import normalize, resize_image

    model, cfg = load_model(model_dir)
    right = total = 0
    with torch.no_grad():
        for item in SpeedlineDataset(data):
            x = normalize(resize_image(item.image, (cfg.input_size,) * 2), cfg)
            _, logit = model(torch.from_numpy(x)[None])
            right += int((logit.item() > 0) == (item.case == "combined"))
            total += 1
    return right / total


def sh(*args: str) -> None:
    subprocess.run([str(a) for a in args], check=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--img-size", type=int, default=128)
    ap.add_argument("--only", default="")
    args = ap.parse_args()
    for name, (count, seed) in SETS.items():
        if not (DATA / name / "manifest.json").is_file():
            sh(BIN, "generate", DATA / name, "--count", count, "--seed", seed, "--style", "crop",
               "--workers", "2", "--force")  # fmt: skip
    only = set(filter(None, args.only.split(",")))
    rows = []
    for name, (enc, loss, extra) in runs().items():
        if only and name not in only:
            continue
        run = Path("runs/grid") / name
        if not (run / "model" / "config.json").is_file():
            t0 = time.time()
            sh(BIN, "train", "--data", DATA / "train", "--val-data", DATA / "val", "--encoder", enc,
               "--loss", loss, "--epochs", args.epochs, "--img-size", args.img_size,
               "--out", run, "--force", "--seed", "1", *extra)  # fmt: skip
            (run / "minutes.txt").write_text(f"{(time.time() - t0) / 60:.1f}\n")
        for res in ("model", "native"):
            if not (run / f"eval-{res}" / "report.json").is_file():
                sh(BIN, "evaluate", run / "model", DATA / "test", "--out", run / f"eval-{res}",
                   "--resolution", res)  # fmt: skip
        rep = {
            r: json.loads((run / f"eval-{r}" / "report.json").read_text())
            for r in ("model", "native")
        }
        rows.append((name, enc, loss, rep, (run / "minutes.txt").read_text().strip()))
    print(
        "| run | encoder | loss | IoU | Dice | tolerant F1 | simple IoU | combined IoU "
        "| native IoU | native tF1 | minutes | research IoU / Dice |"
    )
    print("|---" * 12 + "|")
    for name, enc, loss, rep, minutes in rows:
        m, n = rep["model"], rep["native"]
        o, c = m["overall"], m["by_case"]
        ref = RESEARCH[enc] if loss == "bce_jaccard" and name not in IDEAS else None
        ref_s = f"{ref[0]:.4f} / {ref[1]:.4f}" if ref else ""
        print(
            f"| {name} | {enc} | {loss} | {o['iou']:.4f} | {o['dice']:.4f} | "
            f"{o['tolerant_f1']:.4f} | {c.get('simple', {}).get('iou', float('nan')):.4f} | "
            f"{c.get('combined', {}).get('iou', float('nan')):.4f} | "
            f"{n['overall']['iou']:.4f} | {n['overall']['tolerant_f1']:.4f} | {minutes} | {ref_s} |"
        )
    if any(r[0] == "b0-aux-head" for r in rows):
        acc = head_accuracy(Path("runs/grid/b0-aux-head/model"), DATA / "test")
        print(
            f"\nb0-aux-head: the head names the case (simple/combined) of {acc:.1%} of test images"
        )


if __name__ == "__main__":
    main()
