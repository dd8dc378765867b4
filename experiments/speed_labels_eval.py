"""Speeds read from the labels next to the lines, against the generator's truth (issue 23).

    .venv/bin/python experiments/speed_labels_eval.py [--count 8] [--set held-out]

For fixed generated maps of each labelled style, the true line polylines get their labels by
``speed_labels.assign_speeds`` from the text PP-OCR reads. The rules were tuned on the sets
``tuning`` (seeds 7003 for charts, 9300 for the families) and ``check`` (7103, 9400);
``held-out`` (7203, 9500) was not looked at while tuning. Lines of maps that print no speed
next to the lines (charts with a legend or none) cannot be right: any speed given to them is
wrong. A speed is right within 0.5 %.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from speedlines.digitize.speed_labels import assign_speeds, read_texts
from speedlines.synth.sample import generate_sample

STYLES = [("chart", "simple"), ("chart", "combined"), ("datasheet", "combined"),
          ("gif", "combined"), ("coloured", "combined")]  # fmt: skip
SEEDS = {"tuning": {"chart": 7003, "family": 9300}, "check": {"chart": 7103, "family": 9400},
         "held-out": {"chart": 7203, "family": 9500}}  # fmt: skip


def labelled(meta: dict) -> bool:
    """Whether the map prints a speed next to each line (the GIF family always does)."""
    return meta["style"] == "gif" or meta["chart"].get("speed_labels") in ("end", "top")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=8, help="maps per style")
    ap.add_argument("--set", choices=list(SEEDS), default="held-out", help="which maps")
    args = ap.parse_args()
    seeds = SEEDS[args.set]
    print("| style | case | maps (labelled) | labelled lines | right | wrong | empty | "
          "lines without labels | wrong there | s per map |")  # fmt: skip
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    totals = np.zeros(6, int)
    for style, case in STYLES:
        seed = seeds["chart" if style == "chart" else "family"]
        counts = np.zeros(6, int)  # labelled lines, right, wrong, empty; unlabelled, wrong
        maps, seconds = 0, 0.0
        for i in range(args.count):
            s = generate_sample(seed, i, style, case)
            start = time.perf_counter()
            area = s.meta["calibration"].get("plot_area")
            texts = read_texts(s.image, within=area)  # as `speedlines digitize` reads them
            seconds += time.perf_counter() - start
            lines = [np.array(sl["pixels"]) for sl in s.meta["speedlines"]]
            got = assign_speeds(lines, texts, area)
            has = labelled(s.meta)
            maps += has
            for label, truth in zip(got, s.meta["speeds"], strict=True):
                right = label is not None and abs(label.speed - truth) <= 0.005 * abs(truth)
                wrong = label is not None and not right
                if has:
                    counts[:4] += [1, right, wrong, label is None]
                else:
                    counts[4:] += [1, label is not None]
        totals += counts
        n, right, wrong, empty, bare, bare_wrong = counts
        print(f"| {style} | {case} | {args.count} ({maps}) | {n} | {right} | {wrong} | {empty} | "
              f"{bare} | {bare_wrong} | {seconds / args.count:.2f} |", flush=True)  # fmt: skip
    n, right, wrong, empty, bare, bare_wrong = totals
    print(f"| all | | | {n} | {right} ({100 * right / n:.0f} %) | {wrong} "
          f"({100 * wrong / n:.1f} %) | {empty} | {bare} | {bare_wrong} | |")  # fmt: skip


if __name__ == "__main__":
    main()
