"""Fully automatic digitizing (axes and speeds read from the image) against digitizing with the
true calibration, on generated full charts, against the generator's truth (issue 23).

    .venv/bin/python experiments/auto_digitize.py [--seed 9301] [--count 30]

Charts ``generate_sample(seed, i, style="chart")``; scan-warped ones are left out, since the
metadata's two-point calibration of a warped chart is itself only approximate. Both columns
run the shipped model and the same tracing; "given" uses the true calibration, "auto" the
one ``read_axes`` reads (a refused chart counts as all its lines missed). The auto curves are
scored in the same pixel metric as the given ones: their data values are mapped back to
pixels through the true calibration, so a calibration error shows as a curve error. Speeds:
of the auto lines matched to a truth line, how many got their speed from the labels (right
within 0.5 %) and how many a wrong one.
"""

from __future__ import annotations

import argparse

import numpy as np

from speedlines.digitize.axes import ocr_recognizer, read_axes
from speedlines.digitize.calibration import Calibration
from speedlines.digitize.pipeline import digitize_image
from speedlines.digitize.speed_labels import read_texts, speeds_from_labels
from speedlines.errors import InputError
from speedlines.evaluate.curve_accuracy import assess_lines, summarize
from speedlines.segment.model import default_model
from speedlines.segment.segmenter import Segmenter
from speedlines.synth.sample import generate_sample


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=9301)
    ap.add_argument("--count", type=int, default=30)
    args = ap.parse_args()
    segmenter = Segmenter.from_path(default_model())
    recognize = ocr_recognizer()
    given, auto, refused, speeds = [], [], 0, np.zeros(3, int)  # matched, right, wrong
    for i in range(args.count):
        s = generate_sample(args.seed, i, style="chart")
        if s.meta["warped"]:
            continue
        h, w = s.image.shape[:2]
        truth = Calibration.from_dict(s.meta["calibration"])
        try:
            found = [sl.pixels for sl in digitize_image(s.image, truth, segmenter)[0].lines]
        except InputError:
            found = []
        given.append(assess_lines(found, s.meta, w, h))
        try:
            read = read_axes(s.image, recognize).calibration
            result = digitize_image(s.image, read, segmenter)[0]
        except InputError:
            refused += 1
            auto.append(assess_lines([], s.meta, w, h))
            continue
        result = speeds_from_labels(result, read_texts(s.image, within=read.plot_area))
        found = [truth.points_to_pixel(read.points_to_data(sl.pixels)) for sl in result.lines]
        scored = assess_lines(found, s.meta, w, h)
        auto.append(scored)
        for t, f in scored.matched:
            speed, true_speed = result.lines[f].speed, s.meta["speeds"][t]
            right = speed is not None and abs(speed - true_speed) <= 0.005 * abs(true_speed)
            speeds += [1, right, speed is not None and not right]
    print(f"charts: {len(given)} not warped of {args.count} (seed {args.seed}); "
          f"axes refused: {refused}")  # fmt: skip
    print("| calibration | truth lines | recall | spurious | mean error % | p95 error % |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, results in (("given (truth)", given), ("auto (read)", auto)):
        m = summarize(results)
        print(f"| {name} | {m['truth_lines']} | {m['recall']:.3f} | {m['spurious']} | "
              f"{m['mean_error_pct']:.3f} | {m['p95_error_pct']:.3f} |")  # fmt: skip
    n, right, wrong = speeds
    print(f"speeds of the {n} auto lines matched: right {right} ({right / max(n, 1):.0%}), "
          f"wrong {wrong} ({wrong / max(n, 1):.1%})")  # fmt: skip


if __name__ == "__main__":
    main()
