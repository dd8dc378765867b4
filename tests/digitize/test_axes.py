"""read_axes on generated charts (the generator's metadata is the truth) and the refusals."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from speedlines.digitize.axes import Tick, _fit_axis, decimal_mark, parse_number, read_axes
from speedlines.digitize.calibration import Calibration
from speedlines.errors import InputError
from speedlines.synth import appearance
from speedlines.synth.sample import generate_sample

ocr = pytest.mark.skipif(
    __import__("importlib").util.find_spec("rapidocr_onnxruntime") is None,
    reason="the OCR package rapidocr-onnxruntime is not installed",
)


def _span_error(read: Calibration, truth: Calibration, plot_area) -> float:
    """Largest difference at the true plot-area corners, in fractions of the axis span."""
    x0, y0, x1, y1 = plot_area
    worst = 0.0
    for mine, ref, px in ((read.x, truth.x, [x0, x1]), (read.y, truth.y, [y0, y1])):
        a, b = mine.to_data(px), ref.to_data(px)
        if ref.scale == "log":
            a, b = np.log10(a), np.log10(b)
        worst = max(worst, float(np.max(np.abs(a - b)) / abs(b[1] - b[0])))
    return worst


@ocr
@pytest.mark.parametrize("index", [2, 10, 4])  # 4 has a log pressure-ratio axis
def test_generated_chart_matches_its_metadata(index):
    sample = generate_sample(7000, index, style="chart")
    truth = Calibration.from_dict(sample.meta["calibration"])
    reading = read_axes(sample.image)
    assert reading.calibration.y.scale == truth.y.scale
    assert _span_error(reading.calibration, truth, sample.meta["calibration"]["plot_area"]) < 0.002
    assert reading.residual_px < 1.5
    assert 0.5 <= reading.confidence <= 1.0
    assert all(t.value is not None for t in reading.x.ticks if t.used)
    assert reading.to_dict()["source"] == "auto"
    assert Calibration.from_dict(reading.to_dict()) == reading.calibration
    assert reading.calibration.units == {"x": "kg/s", "y": "-"}  # from the axis titles


@ocr
@pytest.mark.parametrize(("index", "unit"), [(11, "m^3/s"), (12, "lb/min")])
def test_units_come_from_the_axis_titles(index, unit):
    sample = generate_sample(7000, index, style="chart")
    reading = read_axes(sample.image)
    assert sample.meta["units"]["x"] == unit
    assert reading.calibration.units == {"x": unit, "y": "-"}
    assert unit.split("/")[1] in reading.to_dict()["titles"]["x"]


def _fake_ocr(texts):
    return lambda crops: [(texts.get(i, "?"), 0.99) for i in range(len(crops))]


def test_blank_image_is_refused_without_ocr():
    blank = np.full((300, 400, 3), 255, np.uint8)
    with pytest.raises(InputError, match="no plotting frame found"):
        read_axes(blank, recognize=_fake_ocr({}))


def _frame_only() -> np.ndarray:
    import cv2

    image = np.full((300, 400, 3), 255, np.uint8)
    cv2.rectangle(image, (50, 20), (380, 250), (0, 0, 0), 2)
    return image


def test_frame_without_labels_names_the_missing_axis():
    with pytest.raises(InputError, match=r"x axis: only 0 tick labels read, need 2"):
        read_axes(_frame_only(), recognize=_fake_ocr({}))


@ocr
def test_misread_label_is_outvoted_and_contradictions_refused():
    sample = generate_sample(7000, 10, style="chart")
    truth = Calibration.from_dict(sample.meta["calibration"])
    from speedlines.digitize.axes import ocr_recognizer

    real = ocr_recognizer()

    def one_wrong(crops):
        out = real(crops)
        return [("9.9", 0.99), *out[1:]]  # the first x label misread

    reading = read_axes(sample.image, recognize=one_wrong)
    assert not reading.x.ticks[0].used
    assert _span_error(reading.calibration, truth, sample.meta["calibration"]["plot_area"]) < 0.002

    def shuffled(crops):
        out = real(crops)
        n = sum(1 for _ in out)
        rng = np.random.default_rng(0)
        values = [f"{v:g}" for v in rng.permutation(np.arange(n) * 7.0 + 3)]
        return [(v, 0.99) for v in values]

    with pytest.raises(InputError, match="axis: tick labels"):
        read_axes(sample.image, recognize=shuffled)


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("0.5", [0.5]),
        ("0,5", [0.5]),
        ("\u22121.25", [-1.25]),
        ("1 000", [1000.0]),
        ("12,500", [12500.0, 12.5]),
        ("12.500", [12.5, 12500.0]),
        ("10, 000", [10000.0, 10.0]),  # a gap read after the mark of small bitmap text
        ("1.234,5", [1234.5]),
        ("1,234.5", [1234.5]),
        ("0.030", [0.03]),
        ("1O0", [100.0]),
        ("\u3002", [0.0]),  # a small "0" read as the ideographic full stop
        ("L.8", [1.8]),  # a bitmap "1" with a foot
        ("kg/s", []),
        ("", []),
        ("1,2,3", []),
    ],
)
def test_parse_number(text, values):
    assert parse_number(text) == values


def test_missing_ocr_package_is_one_clear_line(monkeypatch):
    from speedlines.digitize import axes

    axes.ocr_engine.cache_clear()
    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)  # import fails
    try:
        with pytest.raises(InputError, match="needs the OCR package rapidocr-onnxruntime"):
            read_axes(_frame_only())
    finally:
        axes.ocr_engine.cache_clear()


@ocr
@pytest.mark.parametrize("index", [13, 16, 31])
def test_what_is_left_of_a_straightened_frame_line_does_not_hide_the_x_labels(index, monkeypatch):
    # 13: flat slivers of the bottom frame line below it pass for a band of text; 16: a run
    # of it joins the tick marks and, through them, every x label into one box; 31: a scan at
    # such a slant that its top and bottom sides differ by 0.7 degrees (searched again with
    # more lean). Drawn as before tick writing was added: 16 now opens its frame, and a
    # scan's open frame cannot be squared (refused).
    off = {"thousands": False, "decimal_comma": False, "open_frame": False}
    monkeypatch.setattr(appearance, "sample_tick_writing", lambda rng, style: off)
    sample = generate_sample(7000, index, style="chart")
    assert sample.meta["warped"]
    cal = read_axes(sample.image).calibration
    pixels = np.concatenate([np.array(sl["pixels"]) for sl in sample.meta["speedlines"]])
    data = np.concatenate([np.array(sl["data"]) for sl in sample.meta["speedlines"]])
    assert (np.abs(cal.points_to_data(pixels) - data) / np.ptp(data, axis=0)).max() < 0.003


@ocr
def test_a_turned_scan_is_read_straightened():
    sample = generate_sample(9101, 30, style="chart")  # scan-warped: turned and at a slant
    assert sample.meta["warped"]
    reading = read_axes(sample.image)
    cal = reading.calibration
    assert cal.straighten is not None and Calibration.from_dict(cal.to_dict()) == cal
    pixels = np.concatenate([np.array(sl["pixels"]) for sl in sample.meta["speedlines"]])
    data = np.concatenate([np.array(sl["data"]) for sl in sample.meta["speedlines"]])
    span = np.ptp(data, axis=0)
    assert (np.abs(cal.points_to_data(pixels) - data) / span).max() < 0.003
    x0, y0, x1, y1 = cal.plot_area  # the image box around the turned plotting area
    assert (pixels.min(axis=0) >= [x0, y0]).all() and (pixels.max(axis=0) <= [x1, y1]).all()


def _ticks(pairs) -> list[Tick]:
    return [Tick(px, text, None, 0.99, (0, int(px) - 5, 20, int(px) + 5)) for px, text in pairs]


def test_an_axis_read_growing_the_wrong_way_is_refused():
    # Pressure ratio grows upwards (rows fall), flow to the right: "4" above "8" is misread.
    with pytest.raises(InputError, match="y axis: the tick labels read grow downwards"):
        _fit_axis("y", _ticks([(165, "4"), (278, "8"), (391, "12")]), 400)
    with pytest.raises(InputError, match="x axis: the tick labels read grow to the left"):
        _fit_axis("x", _ticks([(100, "3"), (200, "2"), (300, "1")]), 400)
    assert _fit_axis("y", _ticks([(165, "12"), (278, "8"), (391, "4")]), 400).axis.scale


@ocr
def test_a_monospaced_x_label_set_a_cell_apart_is_read_whole():
    # "0.1" in a monospaced font on a scan: "0", "." and "1" stand apart; alone, the last
    # digits were read as the labels 0, 1, 2, 3, 4 (ten times the truth).
    sample = generate_sample(9801, 5, "scan", "combined")
    cal = read_axes(sample.image).calibration
    pixels = np.concatenate([np.array(sl["pixels"]) for sl in sample.meta["speedlines"]])
    data = np.concatenate([np.array(sl["data"]) for sl in sample.meta["speedlines"]])
    assert (np.abs(cal.points_to_data(pixels) - data) / np.ptp(data, axis=0)).max() < 0.003


def test_a_misread_last_digit_within_the_tolerance_does_not_pull_the_fit():
    # 0, 250, 500, 750, 1000 every 100 px; "1009" lies 3.6 px off, inside the consensus
    # tolerance of a 1000 px axis (4 px), and would shift the fit by about a pixel.
    pairs = [(50, "0"), (150, "250"), (250, "500"), (350, "750"), (450, "1009")]
    fit = _fit_axis("x", _ticks(pairs), 1000)
    assert [t.used for t in fit.ticks] == [True, True, True, True, False]
    assert fit.axis.to_pixel(1000) == pytest.approx(450, abs=1e-6)
    # A label off by a pixel on a scan is no misreading: all five are kept.
    pairs = [(50, "0"), (150.6, "250"), (249.2, "500"), (350.9, "750"), (450, "1000")]
    assert all(t.used for t in _fit_axis("x", _ticks(pairs), 1000).ticks)


@ocr
def test_y_labels_whose_decimal_points_the_rasterising_lost_are_read_with_them():
    # A GIF-era map whose 5 px y labels "3.0 2.4 1.8 1.2" lost their 1 px point: read as
    # 30, 24, 18, 12, every label agreed with its position at ten times the truth.
    sample = generate_sample(9801, 3, "gif")
    reading = read_axes(sample.image)
    assert [t.value for t in reading.y.ticks] == [3.0, 2.4, 1.8, 1.2]
    truth = Calibration.from_dict(sample.meta["calibration"])
    assert _span_error(reading.calibration, truth, sample.meta["calibration"]["plot_area"]) < 0.004


def test_a_label_read_in_part_does_not_speak_against_the_others():
    # "1.0" read as "0": not a third value contradicting 2.0 and 1.5, but part of 1.0.
    fit = _fit_axis("y", _ticks([(100, "2.0"), (300, "1.5"), (500, "0")]), 600)
    assert fit.axis.to_pixel(1.0) == pytest.approx(500)
    # A label that is no part of the value at its position still counts against them.
    with pytest.raises(InputError, match="not read with confidence"):
        _fit_axis("y", _ticks([(100, "2.0"), (300, "1.5"), (500, "7")]), 600)


def test_labels_off_the_multiples_of_their_step_are_refused():
    # A font whose "0" reads as "8": 30, 60, 90, 120 read as 38, 68, 98, 128 are evenly
    # spaced and agree with their positions, 8 units off.
    with pytest.raises(InputError, match="not multiples of their step"):
        _fit_axis("x", _ticks([(100, "38"), (200, "68"), (300, "98"), (400, "128")]), 400)
    assert _fit_axis("x", _ticks([(100, "30"), (200, "60"), (300, "90"), (400, "120")]), 400)
    # Labels missing between: 0, 20 and 50 stand on a step of 10.
    assert _fit_axis("x", _ticks([(100, "0"), (300, "20"), (600, "50")]), 600)
    assert _fit_axis("y", _ticks([(400, "0.088"), (300, "0.096"), (200, "0.104")]), 400)


@ocr
def test_y_labels_are_read_past_a_lone_decimal_point():
    # A monospaced "5.2": its 1-2 px point stands alone between the digits, too small to
    # count as text, and stopped the label band at the "2" (every label read as its last
    # digit, the axis refused).
    sample = generate_sample(9801, 4, "gif")
    reading = read_axes(sample.image)
    assert [t.value for t in reading.y.ticks] == [5.2, 4.8, 4.4, 4.0, 3.6, 3.2, 2.8, 2.4]
    truth = Calibration.from_dict(sample.meta["calibration"])
    assert _span_error(reading.calibration, truth, sample.meta["calibration"]["plot_area"]) < 0.004


@ocr
def test_lost_points_are_told_by_the_room_of_the_points_kept_on_the_other_axis():
    # The y labels "3.6 ... 1.2" lost their points and all their gaps are alike; the x labels
    # "0.1 ..." kept theirs, one digit each side: no label shows the font's digit spacing,
    # but the room a kept point takes does.
    sample = generate_sample(9991, 24, "gif")
    reading = read_axes(sample.image)
    assert [t.value for t in reading.y.ticks] == [3.6, 3.0, 2.4, 1.8, 1.2]
    truth = Calibration.from_dict(sample.meta["calibration"])
    assert _span_error(reading.calibration, truth, sample.meta["calibration"]["plot_area"]) < 0.004


def test_the_labels_of_an_axis_are_read_alike_thousands_or_decimals():
    # Beside a bare "0", "5,000" is five thousand: an axis writes its labels alike, not 0 and
    # then 5 with three decimals. The same with points grouping the thousands.
    for sep in ",.":
        pairs = [(100, "0"), (200, f"5{sep}000"), (300, f"10{sep}000"), (400, f"15{sep}000")]
        assert [t.value for t in _fit_axis("x", _ticks(pairs), 400).ticks] == [0, 5e3, 1e4, 1.5e4]
    # Alone, a comma before three digits groups thousands (English), a point is a decimal point.
    pairs = [(100, "2,500"), (200, "5,000"), (300, "7,500")]
    assert [t.value for t in _fit_axis("x", _ticks(pairs), 400).ticks] == [2500, 5000, 7500]
    pairs = [(300, "1.000"), (200, "1.500"), (100, "2.000")]
    assert [t.value for t in _fit_axis("y", _ticks(pairs), 400).ticks] == [1.0, 1.5, 2.0]
    # Unless the map's other labels show its decimal mark: beside "1,5" and "2,5" on the
    # y axis, "1.000, 1.500" on the x axis are thousands.
    assert decimal_mark(["1,5", "2,0", "2,5", "1.000", "1.500"]) == ","
    assert decimal_mark(["0.25", "0.50", "5,000"]) == "."
    assert decimal_mark(["5,000", "10,000", "0"]) is None  # nothing shows it
    pairs = [(100, "1.000"), (200, "1.500"), (300, "2.000")]
    fit = _fit_axis("x", _ticks(pairs), 400, mark=",")
    assert [t.value for t in fit.ticks] == [1000, 1500, 2000]


@ocr
def test_an_open_frame_with_thousands_is_read():
    # Only the left and bottom axis lines (no top or right side), a grid that stops short
    # of the ends, x labels with thousands separators: as matplotlib and spreadsheets draw.
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import StrMethodFormatter
    from PIL import Image

    fig, ax = plt.subplots(figsize=(6, 4.5), dpi=100)
    flow = np.linspace(0.1, 1, 50)
    for k in range(4):
        ax.plot(flow * 4000 * (1 + k * 0.4), 1.2 + k * 0.45 + 0.3 * np.sqrt(1 - flow**4), "k")
    ax.set_xlim(0, 15300)
    ax.set_ylim(1, 3.3)
    ax.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(True, color="0.75")
    ax.set_xlabel("Corrected mass flow [lb/min]")
    ax.set_ylabel("Pressure ratio [-]")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    height = fig.canvas.get_width_height()[1]
    (c0, r1), (c1, r0) = ax.transData.transform([(0, 1), (15300, 3.3)])
    plt.close(fig)
    image = np.array(Image.open(buf).convert("RGB"))
    reading = read_axes(image)
    left, top, right, bottom = reading.frame
    assert abs(left - c0) < 2 and abs(right - c1) < 3
    assert abs(top - (height - r0)) < 3 and abs(bottom - (height - r1)) < 2
    cal = reading.calibration
    assert cal.x.to_data(c1) == pytest.approx(15300, rel=0.002)
    assert cal.y.to_data(height - r0) == pytest.approx(3.3, rel=0.002)


def test_a_scan_of_an_open_frame_is_refused_not_read_off():
    # Without a top and a right side a slanted scan cannot be squared: turned alone, this
    # one read 1.2 % off. A refusal, not a wrong calibration.
    sample = generate_sample(7000, 16, style="chart")
    assert sample.meta["warped"] and sample.meta["chart"]["open_frame"]
    with pytest.raises(InputError, match="no plotting frame"):
        read_axes(sample.image, recognize=lambda crops: [])


def test_a_zero_read_as_eight_before_the_decimal_mark_is_tried_as_zero():
    # "0,2 0,4 0,6 0,8 1,0 1,2" in a font with a slashed zero: "8,2" to "8,8" agree with
    # their positions, 8 units off (a wrong calibration); read "0,2" they agree with "1,2".
    pairs = [(100, "8,2"), (200, "8,4"), (300, "8,6"), (400, "8,8"), (500, "1,6"), (600, "1,2")]
    fit = _fit_axis("x", _ticks(pairs), 700, mark=",")
    assert fit.axis.to_pixel(1.0) == pytest.approx(500)
    assert [t.value for t in fit.ticks if t.used] == [0.2, 0.4, 0.6, 0.8, 1.2]
    # Every zero of the label read as "8": "8.88, 8.06" for 0.00, 0.06 (a GIF map's font).
    texts = ["8.88", "8.86", "8.12", "8.18", "6.24", "6.36", "0.36"]
    fit = _fit_axis("x", _ticks([(107 + 76 * k, t) for k, t in enumerate(texts)]), 600)
    assert [t.value for t in fit.ticks if t.used] == [0.0, 0.06, 0.12, 0.18, 0.36]
    # A true "8.5" stays what it reads: beside 7.5 and 8.0 it fits as read.
    fit = _fit_axis("y", _ticks([(300, "7.5"), (200, "8.0"), (100, "8.5")]), 400)
    assert [t.value for t in fit.ticks] == [7.5, 8.0, 8.5]
