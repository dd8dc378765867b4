"""Would cleaning the thresholded mask lift the scores? Small blobs dropped, or hysteresis.

Usage: python experiments/mask_cleanup.py [--model PATH]

Runs the model once per image of the four fixed shipping test sets (experiments/ship_model.py)
and scores the plain threshold against two clean-ups of the same probabilities: dropping
connected components under N pixels, and hysteresis thresholding (skimage), which keeps weak
pixels only where they touch strong ones.
"""

from __future__ import annotations

import argparse
from functools import reduce
from pathlib import Path

import cv2
import numpy as np
from rich.progress import track
from skimage.filters import apply_hysteresis_threshold

from ship_model import SETS, ensure_set
from speedlines.dataset import open_datasets
from speedlines.evaluate.mask_metrics import count
from speedlines.segment.model import default_model
from speedlines.segment.segmenter import Segmenter


def drop_small(mask: np.ndarray, area: int) -> np.ndarray:
    _, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    keep = stats[:, cv2.CC_STAT_AREA] >= area
    keep[0] = False  # the background
    return keep[labels]


def cleanups(threshold: float) -> dict:
    ways = {f"threshold {threshold:g}": lambda p: p > threshold}
    for area in (10, 25, 50):
        ways[f"blobs under {area} px dropped"] = lambda p, a=area: drop_small(p > threshold, a)
    for lo, hi in ((0.3, 0.5), (0.4, 0.7), (0.5, 0.8), (0.5, 0.9)):
        ways[f"hysteresis {lo:g}/{hi:g}"] = lambda p, lo=lo, hi=hi: apply_hysteresis_threshold(
            p, lo, hi
        )
    return ways


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", type=Path, default=None)
    args = ap.parse_args()
    seg = Segmenter.from_path(args.model or default_model())
    ways = cleanups(seg.config.threshold)
    print("| set | mask | IoU | tolerant F1 |\n|---|---|---|---|")
    for name in SETS:
        pairs = [
            (seg.probability(item.image), item.mask)
            for item in track(list(open_datasets(ensure_set(name))), description=name)
        ]
        for way, make in ways.items():
            s = reduce(lambda a, b: a + b, (count(make(p), m) for p, m in pairs)).scores()
            print(f"| {name} | {way} | {s.iou:.4f} | {s.tolerant_f1:.4f} |", flush=True)


if __name__ == "__main__":
    main()
