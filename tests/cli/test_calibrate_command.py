"""``speedlines calibrate``: calibration files per image, refusals per image, usable by digitize."""

from __future__ import annotations

import json

import numpy as np

from speedlines.atomic_io import write_png
from speedlines.digitize.calibration import Calibration
from speedlines.synth.sample import generate_sample
from tests.cli import cli as run_cli
from tests.cli import needs_ocr

pytestmark = needs_ocr


def cli(*args):
    return run_cli(*args, timeout=300)  # the OCR model loads in each run


def test_calibrate_writes_json_and_png_and_refuses_a_blank_image(tmp_path):
    folder = tmp_path / "maps"
    folder.mkdir()
    sample = generate_sample(7000, 2, style="chart")
    write_png(folder / "chart.png", sample.image)
    write_png(folder / "blank.png", np.full((200, 300, 3), 255, np.uint8))
    out = tmp_path / "out"
    p = cli("calibrate", folder, "--out", out)
    assert p.returncode == 2, p.stderr
    assert "blank.png: axes: no plotting frame found" in p.stderr
    assert "Traceback" not in p.stderr
    names = sorted(f.name for f in out.iterdir())
    assert names == ["chart.calibration.json", "chart.calibration.png"]
    d = json.loads((out / "chart.calibration.json").read_text())
    assert d["source"] == "auto" and d["residual_px"] < 1.5
    used = [t for t in d["ticks"]["x"] if t["used"]]
    assert len(used) >= 2 and all({"pixel", "text", "value", "confidence"} <= set(t) for t in used)
    read = Calibration.load(out / "chart.calibration.json")
    truth = Calibration.from_dict(sample.meta["calibration"])
    x0, y0, x1, y1 = sample.meta["calibration"]["plot_area"]
    for mine, ref, px in ((read.x, truth.x, [x0, x1]), (read.y, truth.y, [y0, y1])):
        span = abs(ref.value[1] - ref.value[0])
        assert np.max(np.abs(mine.to_data(px) - ref.to_data(px))) < 0.002 * span

    # The file is a calibration digitize takes as it is.
    q = cli("digitize", folder / "chart.png", "--calibration", out / "chart.calibration.json",
            "--out", tmp_path / "dig", "--method", "ink")  # fmt: skip
    assert q.returncode == 0, q.stderr
    assert (tmp_path / "dig" / "chart.csv").is_file()

    # The output folder serves a batch: NAME.calibration.json is found for NAME.png.
    q = cli("digitize", folder / "chart.png", "--calibration", out,
            "--out", tmp_path / "dig2", "--method", "ink")  # fmt: skip
    assert q.returncode == 0, q.stderr
    assert (tmp_path / "dig2" / "chart.csv").is_file()
