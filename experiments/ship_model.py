"""Evaluate a trained run on the fixed shipping test sets and install it as the default model.

Usage: python experiments/ship_model.py RUN_DIR [--count 60] [--charts 20] [--tile-max N]
       [--install [--name v4] [--limits FILE]]

Test sets (seeds never used in training): crop simple 7001, crop combined 7002, chart simple
7003, chart combined 7004, written to data/ship/test-* (speedlines.release.test_sets). Prints
the table for docs/results.md; with --install copies RUN_DIR/model into
src/speedlines/models/default with a model card (speedlines.release.install).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from speedlines.errors import InputError
from speedlines.release.install import TARGET, install, set_tile_max
from speedlines.release.model_card import results_table
from speedlines.release.test_sets import score_run

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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("run", type=Path)
    ap.add_argument("--count", type=int, default=60)
    ap.add_argument("--charts", type=int, default=20)
    ap.add_argument("--install", action="store_true")
    ap.add_argument("--tile-max", type=int, help="installed config's tile_max")
    ap.add_argument("--name", default="", help="version name for the card title, e.g. v4")
    ap.add_argument("--limits", type=Path, help="markdown bullets: known limits seen in this run")
    args = ap.parse_args()
    if args.tile_max is not None:
        set_tile_max(args.run, args.tile_max)
    reports = score_run(args.run, args.count, args.charts)
    print(results_table(reports))
    if REFERENCE.is_dir():
        print(reference_table(args.run / "model"))
    if args.install:
        limits = args.limits.read_text() if args.limits else None
        install(args.run, reports, args.name, limits)
        print(f"installed into {TARGET}")


if __name__ == "__main__":
    try:
        main()
    except InputError as exc:
        raise SystemExit(f"error: {exc}") from None
