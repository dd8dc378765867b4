"""Encoders on the same wall-clock budget with bf16 training (issue 20): quality per CPU-hour.

    .venv/bin/python experiments/encoder_budget.py [--minutes 8] [--out /tmp/encbudget]

Each encoder trains a UNet from random weights on the same generated crops (same seed, so
the same validation images) for the same number of minutes (``--max-minutes``) with
``--precision auto``, and the table gives the steps it managed and the eval-mode validation
IoU/Dice its model records. Run it on an otherwise idle machine: the budget is wall-clock.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--encoders", default="efficientnet-b0,resnet18,resnet34")
    ap.add_argument("--minutes", type=float, default=8.0)
    ap.add_argument("--out", default="/tmp/encbudget")
    ap.add_argument("--seed", type=int, default=0, help="data and initialisation seed")
    args = ap.parse_args()
    print("| encoder | seed | minutes | steps | epochs | val IoU | val Dice |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for encoder in args.encoders.split(","):
        out = Path(args.out) / encoder
        cmd = [sys.executable, "-m", "speedlines", "train", "--data", "generated",
               "--style", "crop", "--train-size", "400", "--val-size", "64",
               "--img-size", "256", "--epochs", "200", "--early-stop-patience", "200",
               "--batch-size", "8", "--seed", str(args.seed), "--encoder", encoder,
               "--max-minutes", str(args.minutes), "--out", str(out), "--force"]  # fmt: skip
        subprocess.run(cmd, check=True, capture_output=True)
        cfg = json.loads((out / "model" / "config.json").read_text())
        t, val = cfg["training"], cfg["metrics"]["validation"]
        row = (f"| {encoder} | {args.seed} | {args.minutes:g} | {t['steps']} | {t['epochs']} | "
               f"{val['iou']:.4f} | {val['dice']:.4f} |")  # fmt: skip
        print(row, flush=True)


if __name__ == "__main__":
    main()
