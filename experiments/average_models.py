"""Average the weights of two models of the same network (a "model soup").

Usage: python experiments/average_models.py FIRST SECOND OUT_RUN [--weight 0.5] [--val-data DIR]

OUT_RUN/model gets (1 - w) * FIRST + w * SECOND for every floating-point tensor (batch-norm
running statistics included) and SECOND's config, whose training record says what was
averaged. OUT_RUN/run_config.json is SECOND's run config when SECOND lies in a run folder, so
`ship_model.py OUT_RUN --install` can describe it. Averaging a fine-tuned model with the one
it started from keeps both in the same basin, where the average is often the more robust
(Wortsman et al., "Model soups", 2022).
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from speedlines.segment.model import load_model, save_model


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("first", type=Path)
    ap.add_argument("second", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--weight", type=float, default=0.5, help="share of SECOND")
    ap.add_argument("--val-data", type=Path, help="data set whose scores go into the config")
    args = ap.parse_args()
    if not 0 < args.weight < 1:
        raise SystemExit("--weight must lie between 0 and 1")
    first, first_cfg = load_model(args.first)
    second, cfg = load_model(args.second)  # load_model checks both are whole, matching models
    a, b = first.state_dict(), second.state_dict()
    if a.keys() != b.keys() or any(a[k].shape != b[k].shape for k in a):
        raise SystemExit(f"{args.first} and {args.second} are different networks")
    w = args.weight
    mixed = {k: (1 - w) * a[k] + w * b[k] if a[k].is_floating_point() else b[k] for k in a}
    second.load_state_dict(mixed)
    averaged = {"model": str(args.first), "share": round(1 - w, 4)}
    if first_cfg.training != cfg.training.get("parent"):
        averaged["training"] = first_cfg.training
    cfg.training = dict(cfg.training, averaged_with=averaged)
    cfg.metrics = {}  # the second model's validation numbers are not this model's
    if args.val_data:
        from speedlines.dataset import SpeedlineDataset
        from speedlines.evaluate.report import evaluate
        from speedlines.segment.segmenter import Segmenter

        ev = evaluate(Segmenter(second.eval(), cfg), SpeedlineDataset(args.val_data), "val")
        cfg.metrics = {"validation": ev.overall().as_dict(), "validation_data": str(args.val_data)}
        print(f"validation: {ev.overall().as_dict()}")
    save_model(args.out / "model", second, cfg)
    run_config = args.second.parent / "run_config.json"
    if run_config.is_file():
        shutil.copyfile(run_config, args.out / "run_config.json")
    print(f"{args.out / 'model'}: {1 - w:g} x {args.first} + {w:g} x {args.second}")


if __name__ == "__main__":
    main()
