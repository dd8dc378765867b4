"""fp32 vs bf16 mixed-precision training: same data, same steps, two seeds each (issue 20).

    .venv/bin/python experiments/bf16_quality.py [--out /tmp/bf16q] [--epochs 3]

Trains the default EfficientNet-B0 UNet on generated crops with ``--precision 32-true`` and
``bf16-mixed`` for seeds 0 and 1 and prints wall time and the eval-mode validation IoU/Dice
that each run writes into its model's config. Seconds on a shared machine are indicative.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="/tmp/bf16q")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--train-size", type=int, default=256)
    ap.add_argument("--img-size", type=int, default=128)
    args = ap.parse_args()
    print("| precision | seed | minutes | val IoU | val Dice |")
    print("| --- | --- | --- | --- | --- |")
    for seed in (0, 1):
        for precision in ("32-true", "bf16-mixed"):
            out = Path(args.out) / f"{precision}-{seed}"
            cmd = [sys.executable, "-m", "speedlines", "train", "--data", "generated",
                   "--style", "crop", "--train-size", str(args.train_size), "--val-size", "64",
                   "--img-size", str(args.img_size), "--epochs", str(args.epochs),
                   "--batch-size", "8", "--seed", str(seed), "--precision", precision,
                   "--out", str(out), "--force"]  # fmt: skip
            t = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True)
            minutes = (time.perf_counter() - t) / 60
            val = json.loads((out / "model" / "config.json").read_text())["metrics"]["validation"]
            row = f"| {precision} | {seed} | {minutes:.1f} | {val['iou']:.4f} | {val['dice']:.4f} |"
            print(row, flush=True)


if __name__ == "__main__":
    main()
