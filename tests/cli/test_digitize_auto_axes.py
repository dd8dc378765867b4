"""``speedlines digitize`` without a calibration: each image's axes are read from its tick
labels; an image whose axes cannot be read gets one line and no files, the others go on."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from speedlines.atomic_io import write_png
from speedlines.digitize.calibration import Calibration
from speedlines.synth.sample import generate_sample
from tests.cli import cli as run_cli
from tests.cli import needs_ocr

pytestmark = needs_ocr


def cli(*args):
    return run_cli(*args, timeout=300)  # the OCR model loads in each run


@pytest.mark.parametrize("calibration", [[], ["--calibration", "auto"]])
def test_digitize_reads_the_axes_or_says_what_is_missing(tmp_path, calibration):
    folder = tmp_path / "maps"
    folder.mkdir()
    readable = generate_sample(7003, 3, "chart", "combined")  # axes read
    write_png(folder / "readable.png", readable.image)
    write_png(folder / "unreadable.png", without_y_labels(generate_sample(7003, 1, "chart")))
    out = tmp_path / "out"
    p = cli("digitize", folder, *calibration, "--out", out, "--method", "ink")
    assert p.returncode == 2, p.stderr
    assert "unreadable.png: axes not read: y axis" in p.stderr and "Traceback" not in p.stderr
    assert not list(out.glob("unreadable*"))

    result = json.loads((out / "readable.json").read_text())
    assert result["calibration"]["source"] == "auto"
    truth_units = {a: readable.meta["units"][a] for a in "xy"}
    assert result["units"] == result["calibration"]["units"] == truth_units  # from the titles
    used = Calibration.from_dict(result["calibration"])
    truth = Calibration.from_dict(readable.meta["calibration"])
    x0, y0, x1, y1 = truth.plot_area
    for col in np.linspace(x0, x1, 5):
        assert abs(used.x.to_data(col) - truth.x.to_data(col)) < 0.005 * np.ptp(truth.x.value)
    for row in np.linspace(y0, y1, 5):
        assert abs(used.y.to_data(row) - truth.y.to_data(row)) < 0.005 * np.ptp(truth.y.value)
    rows = list(csv.DictReader((out / "readable.csv").open()))
    assert rows and all(np.isfinite(float(r["x"])) for r in rows)


def without_y_labels(sample) -> np.ndarray:
    """The chart with everything left of its frame (y labels, title) painted over."""
    image = sample.image.copy()
    image[:, : int(sample.meta["calibration"]["plot_area"][0]) - 3] = 255
    return image


def test_x_axis_alone_is_still_refused(tmp_path):
    image = tmp_path / "m.png"
    write_png(image, generate_sample(7003, 3, "chart", "combined").image)
    p = cli("digitize", image, "--x-axis", "0:0,200:2", "--out", tmp_path / "o")
    assert p.returncode == 2 and "calibration is needed" in p.stderr


def test_units_given_replace_those_read_from_the_titles(tmp_path):
    image = tmp_path / "m.png"
    write_png(image, generate_sample(7003, 3, "chart", "combined").image)
    out = tmp_path / "o"
    p = cli("digitize", image, "--out", out, "--method", "ink", "--x-unit", "lb/s",
            "--no-speed-labels")  # fmt: skip
    assert p.returncode == 0, p.stderr
    assert json.loads((out / "m.json").read_text())["units"] == {"x": "lb/s", "y": "-"}
