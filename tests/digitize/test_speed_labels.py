"""Speeds from the labels printed next to the lines."""

import numpy as np
import pytest

from speedlines.digitize.speed_labels import TextBox, assign_speeds, read_texts, speed_value
from speedlines.synth.sample import generate_sample


@pytest.mark.parametrize(
    ("text", "value"),
    [("80000 rpm", 80000), ("N=109655", 109655), ("144956", 144956), ("N = 0.9", 0.9),
     ("100%", 100), ("Nc/sqrt(T) = 1.05", 1.05), ("u = 560 m/s", 560), ("90 000", 90000),
     ("90,000", 90000), ("120 krpm", 120000)],
)  # fmt: skip
def test_speed_labels_as_printed_on_maps(text, value):
    assert speed_value(text) == value


@pytest.mark.parametrize("text", ["Surge line", "eta = ", "abc 12 def", "-5", "", "Cruise"])
def test_text_that_is_not_a_speed(text):
    assert speed_value(text) is None


def _flat(row: float, x0: float = 10, x1: float = 100) -> np.ndarray:
    return np.array([[x, row] for x in np.linspace(x0, x1, 50)])


def _label(text: str, col: float, row: float) -> TextBox:
    return TextBox(text, (col - 15, row - 5, col + 15, row + 5), 0.99)


def test_each_line_gets_the_label_at_its_end_and_each_label_one_line():
    lines = [_flat(200), _flat(150), _flat(100)]  # lowest first
    texts = [_label("60000", 112, 150), _label("40000", 112, 200), _label("80000", 112, 100),
             _label("80000", 300, 300)]  # fmt: skip
    got = assign_speeds(lines, texts)
    assert [g.speed for g in got] == [40000, 60000, 80000]
    assert got[0].text == "40000" and got[0].distance_px < 15


def test_labels_out_of_order_leave_the_doubtful_line_without_speed():
    lines = [_flat(200), _flat(150), _flat(100)]
    texts = [_label("40000", 112, 200), _label("90000", 112, 150), _label("80000", 112, 100)]
    got = assign_speeds(lines, texts)
    assert got[0].speed == 40000 and [g is None for g in got].count(True) == 1


def test_far_text_and_tick_labels_outside_the_plot_count_for_nothing():
    lines = [_flat(200)]
    assert assign_speeds(lines, [_label("40000", 112, 400)]) == [None]
    assert assign_speeds(lines, [_label("40000", 112, 200)], plot_area=(20, 20, 90, 300)) == [None]


def test_speeds_read_from_a_generated_chart():
    pytest.importorskip("rapidocr_onnxruntime", reason="reading text needs rapidocr-onnxruntime")
    sample = generate_sample(7003, 1, "chart", "simple")  # "N=109655" at each choke end
    lines = [np.array(sl["pixels"]) for sl in sample.meta["speedlines"]]
    got = assign_speeds(lines, read_texts(sample.image), sample.meta["calibration"]["plot_area"])
    assert [g.speed for g in got] == sample.meta["speeds"]
