import json

import numpy as np
import pytest

from speedlines.dataset import Item
from speedlines.evaluate.report import WorstCases, evaluate, markdown, write_reports
from speedlines.segment.model import ModelConfig
from speedlines.segment.segmenter import Segmenter
from tests.fakes import DarkInk


def _item(i, case, lines, truth_rows):
    image = np.full((64, 64, 3), 240, np.uint8)
    mask = np.zeros((64, 64), bool)
    for r in lines:
        image[r, 4:60] = 10
    for r in truth_rows:
        mask[r, 4:60] = True
    return Item(str(i), image, mask, {"case": case, "style": "crop"})


@pytest.fixture
def result():
    items = [
        _item(0, "simple", [10, 30], [10, 30]),  # perfect
        _item(1, "simple", [10], [10, 30]),  # one of two lines missed
        _item(2, "combined", [10, 40, 50], [10]),  # crossing lines taken for speedlines
    ]
    seg = Segmenter(DarkInk(), ModelConfig(view="tile", input_size=64))
    keep = WorstCases(2)
    return evaluate(seg, items, "hand-made", keep=keep), keep


def test_scores_per_case_and_overall(result):
    ev, _ = result
    by_case = ev.by_case()
    assert list(by_case) == ["simple", "combined"]
    assert by_case["simple"].iou == pytest.approx(3 / 4)
    assert by_case["simple"].precision == 1.0 and by_case["simple"].recall == pytest.approx(0.75)
    assert by_case["combined"].iou == pytest.approx(1 / 3)
    assert ev.overall().iou == pytest.approx(4 / 7)
    assert [r.id for r in ev.worst(2)] == ["2", "1"]


def test_reports(result, tmp_path):
    ev, keep = result
    assert [k[1].id for k in keep.kept] == ["2", "1"]
    paths = write_reports(ev, tmp_path, keep)
    assert [p.name for p in paths] == ["report.md", "report.json", "worst.png"]
    rep = json.loads((tmp_path / "report.json").read_text())
    assert rep["images"] == 3 and rep["by_case"]["simple"]["recall"] == pytest.approx(0.75)
    md = markdown(ev)
    assert "| simple | 2 | 0.7500 |" in md and "| overall | 3 | 0.5714 |" in md


def test_model_resolution_needs_a_resize_model():
    with pytest.raises(ValueError, match="native or model"):
        evaluate(Segmenter(DarkInk(), ModelConfig()), [], resolution="other")
