"""Does the tile plan change quality? Scores one model on the fixed test sets per tile setting.

Usage: python experiments/tile_plan.py [MODEL] [--largest 0,384,512] [--sets crop-simple,...]

For each largest tile side (0 = the model's tile size) prints IoU, tolerant F1 and the
seconds the model took per set, so a bigger tile (fewer overlapping pixels, faster) is taken
only where the masks stay as good. Test sets come from experiments/ship_model.py.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from ship_model import SETS, ensure_set
from speedlines.dataset import open_datasets
from speedlines.evaluate.report import evaluate
from speedlines.segment.model import default_model
from speedlines.segment.segmenter import Segmenter


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("model", nargs="?", default=None)
    ap.add_argument("--largest", default="0,384,512")
    ap.add_argument("--sets", default=",".join(SETS))
    args = ap.parse_args()
    seg = Segmenter.from_path(args.model or default_model())
    base = seg.config
    print(f"model {args.model or 'shipped'}, engine {seg.engine_name}, tile {base.tile_size}")
    print("| set | largest tile | IoU | tolerant F1 | seconds |")
    print("|---|---|---|---|---|")
    for name in args.sets.split(","):
        items = list(open_datasets(ensure_set(name)))
        for largest in (int(v) for v in args.largest.split(",")):
            seg.config = dataclasses.replace(base, tile_max=largest)
            t = time.perf_counter()
            o = evaluate(seg, items).overall()
            dt = time.perf_counter() - t
            print(f"| {name} | {largest or base.tile_size} | {o.iou:.4f} | "
                  f"{o.tolerant_f1:.4f} | {dt:.1f} |", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
