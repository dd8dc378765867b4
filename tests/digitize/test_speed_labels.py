"""Speeds from the labels printed next to the lines."""

import numpy as np
import pytest

from speedlines.digitize.pipeline import digitize_mask
from speedlines.digitize.speed_labels import (
    TextBox,
    assign_speeds,
    read_texts,
    speed_value,
    speeds_from_labels,
)
from speedlines.synth.sample import generate_sample
from tests.drawn_maps import CAL, draw, family


@pytest.mark.parametrize(
    ("text", "value"),
    [("80000 rpm", 80000), ("N=109655", 109655), ("144956", 144956), ("N = 0.9", 0.9),
     ("100%", 100), ("Nc/sqrt(T) = 1.05", 1.05), ("u = 560 m/s", 560), ("90 000", 90000),
     ("90,000", 90000), ("120 krpm", 120000), ("12k rpm", 12000), ("28krpm", 28000), ("90k", 90000),
     ("110 K RPM", 110000)],
)  # fmt: skip
def test_speed_labels_as_printed_on_maps(text, value):
    assert speed_value(text) == value


@pytest.mark.parametrize(
    "text",
    ["Surge line", "eta = ", "abc 12 def", "-5", "", "Cruise", "4kk rpm", "k rpm", "00001", "0006"],
)
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


def test_labels_printed_along_their_lines_go_to_the_line_they_sit_on():
    # Above a point of each falling line, bottom-left corner 2 px over it: the wider labels'
    # centres lie nearer the line above, but all sit by that corner on their own line.
    rows = [220, 190, 160, 130]
    xs = np.linspace(10, 200, 96)
    lines = [np.column_stack([xs, row + 0.45 * (xs - 10)]) for row in rows]
    boxes = [(60, row + 10.5, 60 + width, row + 20.5) for row, width in zip(rows, [30, 40, 50, 60])]
    texts = [TextBox(v, box, 0.99) for v, box in zip(["40", "50", "60", "70"], boxes)]
    assert [g and g.speed for g in assign_speeds(lines, texts)] == [40, 50, 60, 70]


def test_a_legend_beside_the_plot_labels_no_line():
    # Its labels' nearest side lies 60 px from the lines' ends, three text heights.
    lines = [_flat(200), _flat(150), _flat(100)]
    rows = {"40000": 60, "60000": 85, "80000": 110}
    texts = [TextBox(v, (160, r - 10, 260, r + 10), 0.99) for v, r in rows.items()]
    assert assign_speeds(lines, texts) == [None, None, None]


def test_tick_labels_far_from_the_lines_do_not_decide_how_labels_sit_without_a_plot_area():
    # Seven y tick labels left of the plot outnumber the three speed labels at the choke ends:
    # measured from their corners, they would make the speed labels' corners count.
    ticks = [TextBox(f"{v:.2f}", (-60, r - 7, -32, r + 7), 0.99)
             for v, r in zip(np.linspace(3.0, 1.5, 7), range(40, 320, 40))]  # fmt: skip
    texts = [
        *ticks,
        _label("40000", 125, 200),
        _label("60000", 125, 150),
        _label("80000", 125, 100),
    ]
    lines = [_flat(200), _flat(150), _flat(100)]
    assert [g and g.speed for g in assign_speeds(lines, texts)] == [40000, 60000, 80000]


def test_a_lone_label_counts_for_nothing():
    lines = [_flat(200), _flat(150), _flat(100)]
    assert assign_speeds(lines, [_label("445", 112, 150)]) == [None, None, None]


def _ends(values, rows=(250, 200, 150, 100), col=112):
    return [_label(v, col, row) for v, row in zip(values, rows, strict=True)]


FOUR = [_flat(250), _flat(200), _flat(150), _flat(100)]  # lowest first, choke end at x=100


def test_a_nearer_label_away_from_where_the_map_puts_them_is_an_islands():
    texts = [*_ends(["40", "50", "60", "70"]), _label("55", 55, 155)]  # mid-line, nearer
    assert [g.speed for g in assign_speeds(FOUR, texts)] == [40, 50, 60, 70]


def test_a_label_written_otherwise_than_the_maps_speeds_does_not_count():
    texts = [
        *_ends(["2180 rpm", "2649 rpm", "3117 rpm", "3586 rpm"], col=125),
        _label("0.75", 105, 205),
        _label("0.78", 105, 155),
    ]  # beta values, nearer
    assert [g.speed for g in assign_speeds(FOUR, texts)] == [2180, 2649, 3117, 3586]


def test_a_value_far_off_the_others_scale_is_a_misreading():
    texts = _ends(["1000", "2000", "3000", "1101203000"])
    assert [g and g.speed for g in assign_speeds(FOUR, texts)] == [1000, 2000, 3000, None]


def test_a_unit_read_apart_joins_the_number_before_it():
    texts = [*_ends(["80%", "90%", "100%"], rows=(250, 200, 150)),
             TextBox("105", (97, 95, 117, 105), 0.99), TextBox("%", (119, 95, 127, 105), 0.9),
             _label("85", 112, 230)]  # fmt: skip
    got = assign_speeds(FOUR, texts)
    assert [g.speed for g in got] == [80, 90, 100, 105] and got[3].text == "105 %"


def test_speeds_read_from_a_generated_chart():
    pytest.importorskip("rapidocr_onnxruntime", reason="reading text needs rapidocr-onnxruntime")
    sample = generate_sample(7003, 1, "chart", "simple")  # "N=109655" at each choke end
    lines = [np.array(sl["pixels"]) for sl in sample.meta["speedlines"]]
    area = sample.meta["calibration"]["plot_area"]
    everything = read_texts(sample.image)
    got = assign_speeds(lines, everything, area)
    assert [g.speed for g in got] == sample.meta["speeds"]
    # Read within the plotting area only: the same labels, the tick labels and titles unread.
    inside = read_texts(sample.image, within=area)
    assert [g.speed for g in assign_speeds(lines, inside, area)] == sample.meta["speeds"]
    assert {t.text for t in inside} < {t.text for t in everything}
    x0, y0, x1, y1 = area
    assert all(x0 <= (t.box[0] + t.box[2]) / 2 <= x1 for t in inside)
    assert all(y0 <= (t.box[1] + t.box[3]) / 2 <= y1 for t in inside)


def test_a_digitization_gets_the_speeds_it_can_trust_and_their_sources():
    curves = family(lines=3)
    result = digitize_mask(draw(curves, (140, 240)) > 0, CAL, speeds=[1.0, 2.0, 3.0])
    mids = [sl.pixels[len(sl.pixels) // 2] for sl in result.lines]  # lowest line first
    texts = [_label(t, col, row - 8) for t, (col, row) in zip(["50000", "n/a", "70000"], mids)]
    got = speeds_from_labels(result, texts)
    assert [sl.speed for sl in got.lines] == [50000, None, 70000]
    assert [sl.speed_source for sl in got.lines] == ["label", None, "label"]
    d = got.lines[0].to_dict()
    assert d["speed_source"] == "label" and d["speed_label"]["text"] == "50000"
    assert "speed_label" not in got.lines[1].to_dict() and not got.speeds_known
