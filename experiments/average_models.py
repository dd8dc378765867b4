"""Average the weights of two models of the same network (a "model soup").

Usage: python experiments/average_models.py FIRST SECOND OUT_RUN [--weight 0.5] [--val-data DIR]

OUT_RUN/model gets (1 - w) * FIRST + w * SECOND for every floating-point tensor and SECOND's
config, whose training record says what was averaged; OUT_RUN/run_config.json is SECOND's
run config, so `ship_model.py OUT_RUN --install` can describe it
(speedlines.release.averaging).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from speedlines.errors import InputError
from speedlines.release.averaging import write_average


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("first", type=Path)
    ap.add_argument("second", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--weight", type=float, default=0.5, help="share of SECOND")
    ap.add_argument("--val-data", type=Path, help="data set whose scores go into the config")
    args = ap.parse_args()
    model_dir, metrics = write_average(
        args.first, args.second, args.out, args.weight, args.val_data
    )
    if metrics:
        print(f"validation: {metrics['validation']}")
    w = args.weight
    print(f"{model_dir}: {1 - w:g} x {args.first} + {w:g} x {args.second}")


if __name__ == "__main__":
    try:
        main()
    except InputError as exc:
        raise SystemExit(f"error: {exc}") from None
