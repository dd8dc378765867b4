"""``speedlines digitize`` without --speeds reads each line's speed from the labels printed
on the map: CSV speed, per line ``speed_source`` and the label in the JSON, the .map when every
line has one; --speeds overrides, --no-speed-labels leaves the speeds empty."""

from __future__ import annotations

import csv
import json

import pytest

from speedlines.atomic_io import write_png
from speedlines.digitize.calibration import Calibration
from speedlines.digitize.readers import load_digitized
from speedlines.synth.sample import generate_sample
from tests.cli import cli as run_cli
from tests.cli import needs_ocr

pytestmark = needs_ocr


@pytest.fixture(scope="module")
def chart(tmp_path_factory):
    """A generated chart with "N=109655" at each line's choke end, and its true calibration."""
    folder = tmp_path_factory.mktemp("chart")
    sample = generate_sample(7003, 1, "chart", "simple")
    write_png(folder / "map.png", sample.image)
    Calibration.from_dict(sample.meta["calibration"]).save(folder / "map.json")
    return folder, sample.meta["speeds"]


def digitize(folder, out, *args):
    p = run_cli(
        "digitize", folder / "map.png", "--calibration", folder / "map.json", "--out", out,
        "--method", "ink", *args, timeout=300,
    )  # fmt: skip
    assert p.returncode == 0, p.stderr
    return p, json.loads((out / "map.json").read_text())


def csv_speeds(path) -> dict[int, str]:
    return {int(r["line"]): r["speed"] for r in csv.DictReader(path.open())}


def test_speeds_read_from_the_labels_fill_csv_json_and_map(chart, tmp_path):
    folder, truth = chart
    p, result = digitize(folder, tmp_path)
    assert [sl["speed"] for sl in result["lines"]] == truth
    assert {sl["speed_source"] for sl in result["lines"]} == {"label"}
    label = result["lines"][0]["speed_label"]
    assert label["text"].replace(" ", "").endswith(str(int(truth[0])))
    assert len(label["box"]) == 4 and label["distance_px"] < 40
    assert csv_speeds(tmp_path / "map.csv") == {k + 1: f"{v:g}" for k, v in enumerate(truth)}
    assert (tmp_path / "map.map").is_file()
    assert f"{len(truth)} speed(s) read from labels" in p.stderr
    back = load_digitized(tmp_path / "map.json")  # the JSON reads back with its sources
    assert [sl.speed_source for sl in back.lines] == ["label"] * len(truth)


def test_given_speeds_override_the_labels(chart, tmp_path):
    folder, truth = chart
    given = [v + 1 for v in truth]
    _, result = digitize(folder, tmp_path, "--speeds", ",".join(f"{v:g}" for v in given))
    assert [sl["speed"] for sl in result["lines"]] == given
    assert all(sl["speed_source"] == "given" and "speed_label" not in sl for sl in result["lines"])


def test_no_speed_labels_leaves_the_speeds_empty_and_no_map(chart, tmp_path):
    folder, _ = chart
    _, result = digitize(folder, tmp_path, "--no-speed-labels")
    assert all(sl["speed"] is None and sl["speed_source"] is None for sl in result["lines"])
    assert set(csv_speeds(tmp_path / "map.csv").values()) == {""}
    assert not (tmp_path / "map.map").exists()
