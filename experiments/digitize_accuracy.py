"""Accuracy of `speedlines digitize` against generator truth, per test set and mask source.

Usage: python experiments/digitize_accuracy.py [--count 20] [--sources truth,model,ink]
       [--sets NAME,...] [--model DIR] [--rules shipped,...] [--out runs/digitize-accuracy]

Mask sources: the truth label (tracing alone), the model's prediction (the full pipeline) and
the non-learned ink baseline. The test sets are the fixed shipping test sets
(speedlines.release.test_sets: seeds never used in training). Model probabilities are cached
in OUT/probs so that reruns only retrace. ``--rules`` traces each mask with several sets of
the map-level rules (RULES), to count what each removes.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from speedlines.digitize.calibration import Calibration
from speedlines.digitize.pipeline import digitize_mask
from speedlines.digitize.trace import TraceSettings
from speedlines.errors import InputError
from speedlines.evaluate.curve_accuracy import assess_lines, summarize
from speedlines.image_io import load_image, load_mask
from speedlines.release.test_sets import SETS, ensure_set
from speedlines.segment.ink import ink_mask

RULES = {  # name: the tracing settings, each adding one map-level rule to the one before
    "none": TraceSettings(drop_crossing=False, drop_rules=False, join_pieces=0),
    "crossing": TraceSettings(drop_rules=False, join_pieces=0),
    "rules": TraceSettings(join_pieces=0),
    # + broken lines joined, tighter bend test (the tracing of model v10's release)
    "joins": TraceSettings(follow_ink=False, drop_island_arcs=False),
    "ink": TraceSettings(drop_island_arcs=False),  # + lines followed on along the image's ink
    # + lines whose ink goes on across longer lines dropped
    "arcs": TraceSettings(line_check=False),
    "shipped": TraceSettings(),  # + the learned line check (line_check)
}


def probability(segmenter, image_path: Path, cache: Path) -> np.ndarray:
    import cv2

    if cache.is_file():
        return cv2.imread(str(cache), cv2.IMREAD_GRAYSCALE) / 255.0
    p = segmenter.probability(load_image(image_path))
    cache.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(cache), np.rint(p * 255).astype(np.uint8))
    return p


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=20)
    ap.add_argument("--sources", default="truth,model,ink")
    ap.add_argument("--sets", default=",".join(SETS), help="test sets or folders, comma-separated")
    ap.add_argument("--model", type=Path, default=None)
    ap.add_argument("--rules", default="shipped", help=f"tracing rules: {', '.join(RULES)}")
    ap.add_argument("--out", type=Path, default=Path("runs/digitize-accuracy"))
    args = ap.parse_args()
    from speedlines.segment.model import default_model
    from speedlines.segment.segmenter import Segmenter

    model = args.model or default_model()
    segmenter = Segmenter.from_path(model)
    sources = args.sources.split(",")
    table = {}
    for name in args.sets.split(","):
        # A folder of generated charts (a tuning set) or one of the fixed test sets.
        data = Path(name) if Path(name).is_dir() else ensure_set(name, charts=max(20, args.count))
        name = data.name.removeprefix("test-")
        for source in sources:
            results: dict[str, list] = {rule: [] for rule in args.rules.split(",")}
            for i in range(args.count):
                meta = json.loads((data / "meta" / f"{i}.json").read_text())
                cal = Calibration.from_dict(meta["calibration"])
                w, h = meta["width"], meta["height"]
                prob = None
                image = load_image(data / "image" / f"{i}.png")
                if source == "truth":
                    mask = load_mask(data / "label" / f"{i}.png")
                elif source == "ink":
                    mask = ink_mask(image, cal.plot_area)
                else:
                    cache = args.out / "probs" / Path(model).name / name / f"{i}.png"
                    prob = probability(segmenter, data / "image" / f"{i}.png", cache)
                    mask = prob > segmenter.config.threshold
                for rule, scored in results.items():
                    try:
                        lines = digitize_mask(mask, cal, None, prob, 200, RULES[rule], image).lines
                        found = [sl.pixels for sl in lines]
                    except InputError:
                        found = []
                    scored.append(assess_lines(found, meta, w, h))
                print(f"{name} {source} {i}: {len(found)} found", end="\r", file=sys.stderr)
            for rule, scored in results.items():
                table[name, source, rule] = summarize(scored)
    rows = ["| test set | mask | rules | lines | recall | spurious (images) | mean error "
            "| p95 error | coverage |", "|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for (name, source, rule), s in table.items():
        rows.append(
            f"| {name} | {source} | {rule} | {s['truth_lines']} | {100 * s['recall']:.1f} % | "
            f"{s['spurious']} ({s['images_with_spurious']}) | {s['mean_error_pct']:.3f} % | "
            f"{s['p95_error_pct']:.3f} % | {100 * s['coverage']:.1f} % |"
        )
    print("\n".join(rows))
    args.out.mkdir(parents=True, exist_ok=True)
    dump = {"/".join(k): v for k, v in table.items()}
    (args.out / "summary.json").write_text(json.dumps(dump, indent=1) + "\n")


if __name__ == "__main__":
    main()
