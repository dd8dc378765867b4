"""Speeds read from the labels next to the lines, against the generator's truth (issue 23).

    .venv/bin/python experiments/speed_labels_eval.py [--count 4]

For fixed generated maps of each labelled style (seed 9300 for the families, 7003 for
charts), the true line polylines get their labels by ``speed_labels.assign_speeds`` from the
text PP-OCR reads; the table counts lines right, wrong (a speed that is not the line's) and
left empty, and the time to read the text.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from speedlines.digitize.speed_labels import assign_speeds, read_texts
from speedlines.synth.sample import generate_sample

SETS = [("chart", 7003, "simple"), ("chart", 7003, "combined"), ("datasheet", 9300, "combined"),
        ("gif", 9300, "combined"), ("coloured", 9300, "combined")]  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=4, help="maps per style")
    args = ap.parse_args()
    print("| style | case | maps | lines | right | wrong | empty | s per map |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    totals = np.zeros(4, int)
    for style, seed, case in SETS:
        counts = np.zeros(4, int)
        seconds = 0.0
        for i in range(args.count):
            s = generate_sample(seed, i, style, case)
            start = time.perf_counter()
            texts = read_texts(s.image)
            seconds += time.perf_counter() - start
            lines = [np.array(sl["pixels"]) for sl in s.meta["speedlines"]]
            got = assign_speeds(lines, texts, s.meta["calibration"].get("plot_area"))
            for label, truth in zip(got, s.meta["speeds"], strict=True):
                counts += [1, label is not None and label.speed == truth,
                           label is not None and label.speed != truth, label is None]  # fmt: skip
        totals += counts
        n, right, wrong, empty = counts
        print(f"| {style} | {case} | {args.count} | {n} | {right} | {wrong} | {empty} | "
              f"{seconds / args.count:.2f} |", flush=True)  # fmt: skip
    n, right, wrong, empty = totals
    print(f"| all | | | {n} | {right} ({100 * right / n:.0f} %) | {wrong} ({100 * wrong / n:.1f} %)"
          f" | {empty} | |")  # fmt: skip


if __name__ == "__main__":
    main()
