"""The fixed shipping test sets (seeds never used in training) and a run's scores on them."""

from __future__ import annotations

import json
from pathlib import Path

from speedlines.errors import InputError

SETS = {  # name: (style, case, seed)
    "crop-simple": ("crop", "simple", 7001),
    "crop-combined": ("crop", "combined", 7002),
    "chart-simple": ("chart", "simple", 7003),
    "chart-combined": ("chart", "combined", 7004),
    # Datasheet families (speedlines.synth.families), charts with their traps, held out.
    "datasheet": ("datasheet", "combined", 7005),
    "gif": ("gif", "combined", 7006),
    "coloured": ("coloured", "combined", 7007),
    "scan": ("scan", "combined", 7008),
}
ROOT = Path("data/ship")  # relative to the repository, where docs/results.md's commands run


def ensure_set(name: str, count: int = 60, charts: int = 20, root: str | Path = ROOT) -> Path:
    """The fixed test set NAME in ROOT/test-NAME (``count`` crops or ``charts`` charts of the
    other styles),
    generated on first use; a set without its manifest is incomplete and made again."""
    from speedlines.synth.writer import MANIFEST, generate_dataset

    if name not in SETS:
        raise InputError(f"no test set {name!r}: one of {', '.join(SETS)}")
    style, case, seed = SETS[name]
    data = Path(root) / f"test-{name}"
    if not (data / MANIFEST).is_file():
        n = count if style == "crop" else charts
        generate_dataset(data, n, seed, style, case, workers=2, force=True)
    return data


def score_run(run: str | Path, count: int = 60, charts: int = 20, root: str | Path = ROOT):
    """RUN/model's report on each test set, as `speedlines evaluate` writes it into
    RUN/ship-NAME; a report already there is reused."""
    from speedlines.dataset import SpeedlineDataset
    from speedlines.evaluate.report import WorstCases, evaluate, write_reports
    from speedlines.segment.segmenter import Segmenter

    run = Path(run)
    segmenter = None
    reports = {}
    for name in SETS:
        data = ensure_set(name, count, charts, root)
        out = run / f"ship-{name}"
        if not (out / "report.json").is_file():
            segmenter = segmenter or Segmenter.from_path(run / "model")
            worst = WorstCases(8)
            ev = evaluate(segmenter, SpeedlineDataset(data), str(data), keep=worst)
            write_reports(ev, out, worst)
        reports[name] = json.loads((out / "report.json").read_text())
    return reports
