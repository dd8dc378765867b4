import json

import pytest

from speedlines.dataset import SpeedlineDataset
from speedlines.errors import InputError
from speedlines.release.test_sets import SETS, ensure_set, score_run
from tests.release.models import write_model


def test_the_fixed_sets_and_their_seeds():
    assert SETS == {
        "crop-simple": ("crop", "simple", 7001),
        "crop-combined": ("crop", "combined", 7002),
        "chart-simple": ("chart", "simple", 7003),
        "chart-combined": ("chart", "combined", 7004),
        "datasheet": ("datasheet", "combined", 7005),
        "gif": ("gif", "combined", 7006),
        "coloured": ("coloured", "combined", 7007),
        "scan": ("scan", "combined", 7008),
    }


def test_ensure_set_generates_once_with_the_sets_seed(tmp_path):
    data = ensure_set("crop-combined", count=2, root=tmp_path)
    assert data == tmp_path / "test-crop-combined"
    manifest = json.loads((data / "manifest.json").read_text())
    assert (manifest["seed"], manifest["style"], manifest["case"]) == (7002, "crop", "combined")
    assert manifest["count"] == 2 and len(SpeedlineDataset(data)) == 2
    made = (data / "manifest.json").stat().st_mtime_ns
    assert ensure_set("crop-combined", count=2, root=tmp_path) == data
    assert (data / "manifest.json").stat().st_mtime_ns == made, "a complete set is kept"
    with pytest.raises(InputError, match="no test set 'crop'"):
        ensure_set("crop", root=tmp_path)


def test_score_run_writes_and_reuses_a_report_per_set(tmp_path):
    run = tmp_path / "run"
    write_model(run / "model", 1)
    reports = score_run(run, count=1, charts=1, root=tmp_path / "sets")
    assert list(reports) == list(SETS)
    for name, report in reports.items():
        assert report["images"] == 1 and 0 <= report["overall"]["iou"] <= 1
        assert (run / f"ship-{name}" / "report.md").is_file()
    (run / "model" / "model.safetensors").unlink()  # a second call must not need the model
    assert score_run(run, count=1, charts=1, root=tmp_path / "sets") == reports
