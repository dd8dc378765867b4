"""Where a model's IoU goes: wrong pixels at line edges against lines missed or invented.

Usage: python experiments/error_anatomy.py [--model PATH] [DATA ...]

DATA defaults to the four fixed shipping test sets (speedlines.release.test_sets, made on
first use).
A wrong pixel within 1.5 px of the other mask is an edge error: the line was found, one pixel
wider, thinner or shifted. The rest are far errors: lines missed or invented. The table shows
the IoU each kind alone would leave, so it says how much better segmentation could lift IoU
without better line widths, and the other way round.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.progress import track

from speedlines.dataset import open_datasets
from speedlines.evaluate.mask_metrics import ErrorSplit, split_errors
from speedlines.release.test_sets import SETS, ensure_set
from speedlines.segment.model import default_model
from speedlines.segment.segmenter import Segmenter

COLUMNS = ("set", "IoU", "edge errors", "far errors", "IoU without edge errors",
           "IoU without far errors")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("data", nargs="*", type=Path)
    ap.add_argument("--model", type=Path, default=None)
    args = ap.parse_args()
    folders = args.data or [ensure_set(name) for name in SETS]
    seg = Segmenter.from_path(args.model or default_model())
    rows = []
    for folder in folders:
        total = ErrorSplit()
        for item in track(list(open_datasets(folder)), description=folder.name):
            pred = seg.probability(item.image) > seg.config.threshold
            total = total + split_errors(pred, item.mask)
        wrong = total.fp_edge + total.fp_far + total.fn_edge + total.fn_far
        edge = (total.fp_edge + total.fn_edge) / max(wrong, 1)
        rows.append(
            f"| {folder.name} | {total.iou():.4f} | {edge:.0%} | {1 - edge:.0%} "
            f"| {total.iou(edge=False):.4f} | {total.iou(far=False):.4f} |"
        )
    print("| " + " | ".join(COLUMNS) + " |")
    print("|---" * len(COLUMNS) + "|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
