"""Evaluate a trained run on the fixed shipping test sets and install it as the default model.

Usage: python experiments/ship_model.py RUN_DIR [--count 60] [--charts 20] [--install]

Test sets (seeds never used in training): crop simple 7001, crop combined 7002, chart simple
7003, chart combined 7004, written to data/ship/test-*. Prints the table for docs/results.md;
with --install copies RUN_DIR/model into src/speedlines/models/default with a model card.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent / "speedlines"
TARGET = Path("src/speedlines/models/default")
SETS = {
    "crop-simple": ("crop", "simple", 7001),
    "crop-combined": ("crop", "combined", 7002),
    "chart-simple": ("chart", "simple", 7003),
    "chart-combined": ("chart", "combined", 7004),
}


def ensure_set(name: str, count: int = 60, charts: int = 20) -> Path:
    """The fixed test set NAME, generated on first use."""
    style, case, seed = SETS[name]
    data = Path("data/ship") / f"test-{name}"
    n = charts if style == "chart" else count
    if not (data / "manifest.json").is_file():
        subprocess.run([str(BIN), "generate", str(data), "--count", str(n), "--seed",
                        str(seed), "--style", style, "--case", case, "--workers", "2",
                        "--force"], check=True)  # fmt: skip
    return data


REFERENCE = Path("../shared/samples/reference-style")


def reference_table(model: Path) -> str:
    """Scores on the four crops re-cut from the research's figures: a sanity check of the
    look, not a test set (their masks are re-thresholded and approximate)."""
    from speedlines.image_io import load_image, load_mask
    from speedlines.mask import Segmenter
    from speedlines.metrics import score

    seg = Segmenter.from_path(model)
    lines = ["| reference sample | IoU | tolerant F1 |", "|---|---|---|"]
    for image in sorted(REFERENCE.glob("*_image.png")):
        truth = load_mask(str(image).replace("_image", "_speedlines"), speedline_value=255)
        s = score(seg.predict(load_image(image)), truth)
        lines.append(f"| {image.stem.removesuffix('_image')} | {s.iou:.3f} | {s.tolerant_f1:.3f} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("run", type=Path)
    ap.add_argument("--count", type=int, default=60)
    ap.add_argument("--charts", type=int, default=20)
    ap.add_argument("--install", action="store_true")
    args = ap.parse_args()
    rows = {}
    for name in SETS:
        data = ensure_set(name, args.count, args.charts)
        ev = args.run / f"ship-{name}"
        if not (ev / "report.json").is_file():
            subprocess.run([str(BIN), "evaluate", str(args.run / "model"), str(data),
                            "--out", str(ev)], check=True)  # fmt: skip
        rows[name] = json.loads((ev / "report.json").read_text())
    lines = ["| test set | images | IoU | Dice | precision | recall | tolerant F1 |",
             "|---|---|---|---|---|---|---|"]  # fmt: skip
    for name, rep in rows.items():
        o = rep["overall"]
        cols = " | ".join(f"{o[k]:.4f}" for k in ("iou", "dice", "precision", "recall"))
        lines.append(f"| {name} | {rep['images']} | {cols} | {o['tolerant_f1']:.4f} |")
    table = "\n".join(lines)
    print(table)
    if REFERENCE.is_dir():
        print(reference_table(args.run / "model"))
    if not args.install:
        return
    cfg = json.loads((args.run / "model" / "config.json").read_text())
    run_cfg = json.loads((args.run / "run_config.json").read_text())
    cfg["metrics"]["test_sets"] = {k: v["overall"] for k, v in rows.items()}
    TARGET.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(args.run / "model" / "model.safetensors", TARGET / "model.safetensors")
    (TARGET / "config.json").write_text(json.dumps(cfg, indent=1, sort_keys=True) + "\n")
    t = run_cfg["train"]
    init = f" --init-model {t['init_model']}" if t.get("init_model") else ""
    # A fine-tuned model carries on from the model it started from: say which.
    history = (
        f"\n- Fine-tuned from the previously shipped model ({t['init_model']} at the time);\n"
        "  its own training is in this file's git history."
        if t.get("init_model")
        else ""
    )
    origin = "fine-tuned" if t.get("init_model") else "trained from scratch"
    card = f"""# speedlines default model

- Network: {cfg["architecture"]} with a {cfg["encoder"]} encoder (smp), {origin}
  (no ImageNet weights).
- Input: {cfg["view"]} view, scale {cfg["scale"]}, trained on {t["img_size"]} px windows,
  predicting on {cfg["tile_size"] or cfg["input_size"]} px tiles with blended seams.
  Threshold {cfg["threshold"]}; ImageNet mean/std normalisation.
- Training data: `speedlines generate` sets {t["data"]} (validation {t["val_data"]}).
- Budget: {cfg["training"]["epochs"]} epochs, batch {t["batch_size"]}, loss {t["loss"]},
  learning rate {t["lr"]}, seed {t["seed"]}, time limit {t["max_minutes"]} minutes.
- Command: `speedlines train --data {t["data"]} --val-data {t["val_data"]} --encoder
  {t["encoder"]} --loss {t["loss"]} --view {t["view"]} --img-size {t["img_size"]}
  --tile-size {t["tile_size"]} --epochs {t["epochs"]} --batch-size {t["batch_size"]}
  --lr {t["lr"]} --seed {t["seed"]} --max-minutes {t["max_minutes"]}{init}`{history}

## Quality on fixed generated test sets (seeds never used in training)

Masks compared at each image's own resolution; tolerant F1 within 2 px of the skeletons.

{table}

## Known limits
- Trained on generated maps only; real scans with unusual colours, very thick or very faint
  lines, or speedlines drawn like the grid may be missed.
- A short CPU budget: see docs/results.md for how it compares with the research's numbers.
"""
    (TARGET / "MODEL_CARD.md").write_text(card)
    print(f"installed into {TARGET}")


if __name__ == "__main__":
    main()
