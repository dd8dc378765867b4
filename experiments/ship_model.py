"""Evaluate a trained run on the fixed shipping test sets and install it as the default model.

Usage: python experiments/ship_model.py RUN_DIR [--count 60] [--charts 20] [--tile-max N]
       [--install [--name v4] [--limits FILE]]

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
import textwrap
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
    from speedlines.evaluate.mask_metrics import score
    from speedlines.image_io import load_image, load_mask
    from speedlines.segment.segmenter import Segmenter

    seg = Segmenter.from_path(model)
    lines = ["| reference sample | IoU | tolerant F1 |", "|---|---|---|"]
    for image in sorted(REFERENCE.glob("*_image.png")):
        truth = load_mask(str(image).replace("_image", "_speedlines"), speedline_value=255)
        s = score(seg.predict(load_image(image)), truth)
        lines.append(f"| {image.stem.removesuffix('_image')} | {s.iou:.3f} | {s.tolerant_f1:.3f} |")
    return "\n".join(lines)


GENERIC_LIMITS = (
    "- Trained on generated maps only; real scans with unusual colours, very thick or very\n"
    "  faint lines, or speedlines drawn like the grid may be missed.\n"
    "- A short CPU budget: see docs/results.md for how it compares with the research's numbers."
)


def history(training: dict) -> str:
    """One numbered line per training step, oldest first, from the chain of ``parent`` records
    that fine-tuning leaves in each model's config."""
    chain = []
    while training:
        chain.append(training)
        training = training.get("parent")
    lines = []
    for t in reversed(chain):
        steps = f" ({t['steps']} steps)" if t.get("steps") else ""
        lr = f", learning rate {t['lr']}" if t.get("lr") else ""
        budget = f", time limit {t['max_minutes']} minutes" if t.get("max_minutes") else ""
        start = t.get("init_model") or "random weights"
        aug = t.get("augment", "research")  # records before the choice existed: the default
        lines.append(
            f"From {start}: {t.get('epochs', '?')} epochs{steps} on {t.get('img_size')} px"
            f" windows, batch {t.get('batch_size')}, loss {t.get('loss')}, augmentation"
            f" {aug}{lr}, seed"
            f" {t.get('seed')}{budget}; data {t.get('data')}. Batch norm:"
            f" {t.get('bn_recalibration', 'not recorded')}."
        )
        averaged = t.get("averaged_with")
        if averaged:  # at any step: a soup that was fine-tuned further keeps its record
            origin = "" if "training" in averaged else " (the model that step started from)"
            lines.append(
                f"Weights averaged: {averaged['share']:g} x {averaged['model']}{origin} +"
                f" {1 - averaged['share']:g} x that step's best checkpoint."
            )
    return _wrap(lines, numbered=True)


def _wrap(items: list[str], numbered: bool = False) -> str:
    """Markdown list items wrapped to the width of the rest of the repository's docs."""
    marks = [f"{i}. " if numbered else "- " for i in range(1, len(items) + 1)]
    return "\n".join(
        textwrap.fill(
            item,
            96,
            initial_indent=m,
            subsequent_indent=" " * len(m),
            break_on_hyphens=False,
            break_long_words=False,  # paths and commands stay whole
        )
        for m, item in zip(marks, items)
    )


def model_card(cfg: dict, t: dict, table: str, name: str, limits: Path | None) -> str:
    """The model card: network, inputs, the whole training history, test quality, limits."""
    init = f" --init-model {t['init_model']}" if t.get("init_model") else ""
    tiles = f"{cfg['tile_size'] or cfg['input_size']} px"
    if cfg.get("tile_max"):
        tiles += f", up to {cfg['tile_max']} px on big images (`tile_max`)"
    bn = cfg["training"].get("bn_recalibration", "batch-norm handling not recorded")
    command = (
        f"speedlines train --data {t['data']} --val-data {t['val_data']} --encoder "
        f"{t['encoder']} --loss {t['loss']} --view {t['view']} --img-size {t['img_size']} "
        f"--tile-size {t['tile_size']} --epochs {t['epochs']} --batch-size {t['batch_size']} "
        f"--lr {t['lr']} --augment {t.get('augment', 'research')} --seed {t['seed']} "
        f"--max-minutes {t['max_minutes']}{init}"
    )
    weights = (
        "Weights: an average of the last two models (see the history for the shares)."
        if cfg["training"].get("averaged_with")
        else "Weights: the best checkpoint by validation loss."
    )
    about = _wrap([
        f"Network: {cfg['architecture']} with an {cfg['encoder']} encoder (smp); no ImageNet "
        "weights.",
        f"Input: {cfg['view']} view, scale {cfg['scale']}; predicting on tiles of {tiles}, with "
        f"blended seams. Threshold {cfg['threshold']}; ImageNet mean/std normalisation.",
        f"Preferred engine: {cfg.get('engine') or 'auto'}.",
        weights + f" Batch norm: {bn}.",
        f"Last command: `{command}`",
        "Earlier versions and their cards are in this folder's git history.",
    ])  # fmt: skip
    title = f" ({name})" if name else ""
    known = limits.read_text().strip() if limits else GENERIC_LIMITS
    return f"""# speedlines default model{title}

{about}

## Training history (oldest first; each step fine-tunes the one before)

{history(cfg["training"])}

## Quality on fixed generated test sets (seeds never used in training)

Masks compared at each image's own resolution; tolerant F1 within 2 px of the skeletons.

{table}

## Known limits

{known}
"""


def outgoing_version() -> str:
    """The version of the model being replaced, from its card's title (``... (v8)``)."""
    card = TARGET / "MODEL_CARD.md"
    title = card.read_text().partition("\n")[0] if card.is_file() else ""
    return title.rpartition("(")[2].rstrip(")") if title.endswith(")") else ""


def name_outgoing(training: dict, version: str) -> None:
    """Name the version where the new model's record points at the shipped folder, which
    from now on holds the new model."""
    if not version:
        return
    here = str(TARGET)
    if training.get("init_model") == here:
        training["init_model"] = f"{here} ({version})"
    averaged = training.get("averaged_with")
    if averaged and averaged.get("model") == here:
        averaged["model"] = f"{here} ({version})"


def set_tile_max(run: Path, tile_max: int) -> None:
    """Evaluate and ship RUN/model with this tile_max; reports made with another are dropped."""
    from speedlines.atomic_io import write_json

    path = run / "model" / "config.json"
    cfg = json.loads(path.read_text())
    if cfg.get("tile_max", 0) != tile_max:
        cfg["tile_max"] = tile_max
        write_json(path, cfg)
        for name in SETS:
            shutil.rmtree(run / f"ship-{name}", ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("run", type=Path)
    ap.add_argument("--count", type=int, default=60)
    ap.add_argument("--charts", type=int, default=20)
    ap.add_argument("--install", action="store_true")
    ap.add_argument("--tile-max", type=int, help="installed config's tile_max (tile_plan.py)")
    ap.add_argument("--name", default="", help="version name for the card title, e.g. v4")
    ap.add_argument("--limits", type=Path, help="markdown bullets: known limits seen in this run")
    args = ap.parse_args()
    if args.tile_max is not None:
        set_tile_max(args.run, args.tile_max)
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
    name_outgoing(cfg["training"], outgoing_version())
    TARGET.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(args.run / "model" / "model.safetensors", TARGET / "model.safetensors")
    (TARGET / "config.json").write_text(json.dumps(cfg, indent=1, sort_keys=True) + "\n")
    card = model_card(cfg, run_cfg["train"], table, args.name, args.limits)
    (TARGET / "MODEL_CARD.md").write_text(card)
    print(f"installed into {TARGET}")


if __name__ == "__main__":
    main()
