"""Tests for speedlines.digitize.calibration."""

from __future__ import annotations

import copy
import json
import math

import numpy as np
import pytest

from speedlines.digitize.calibration import AxisCalibration, Calibration, parse_axis_option
from speedlines.errors import InputError

EXAMPLE = {
    "x": {"pixel": [112.0, 873.0], "value": [0.0, 0.5], "scale": "linear"},
    "y": {"pixel": [940.0, 75.0], "value": [1.0, 4.0], "scale": "linear"},
    "units": {"x": "kg/s", "y": "-"},
    "plot_area": [100, 60, 890, 950],
}


def example(**changes):
    d = copy.deepcopy(EXAMPLE)
    d.update(changes)
    return d


def assert_one_line(exc_info):
    msg = str(exc_info.value)
    assert msg and "\n" not in msg


# -- conversions -------------------------------------------------------------------------


@pytest.mark.parametrize("x_scale", ["linear", "log"])
@pytest.mark.parametrize("y_scale", ["linear", "log"])
def test_round_trip_pixel_data_pixel(x_scale, y_scale):
    cal = Calibration(
        AxisCalibration((112.0, 873.0), (0.01, 0.5), x_scale),
        AxisCalibration((940.0, 75.0), (1.0, 40.0), y_scale),
    )
    rng = np.random.default_rng(0)
    pts = rng.uniform(-50, 1000, size=(200, 2))
    back = cal.points_to_pixel(cal.points_to_data(pts))
    np.testing.assert_allclose(back, pts, rtol=0, atol=1e-9)

    cols, rows = cal.data_to_pixel(*cal.pixel_to_data(pts[:, 0], pts[:, 1]))
    np.testing.assert_allclose(cols, pts[:, 0], rtol=0, atol=1e-9)
    np.testing.assert_allclose(rows, pts[:, 1], rtol=0, atol=1e-9)


@pytest.mark.parametrize("scale", ["linear", "log"])
def test_reference_points_map_exactly(scale):
    ax = AxisCalibration((940.0, 75.0), (2.0, 30.0), scale)
    np.testing.assert_allclose(ax.to_data(np.array([940.0, 75.0])), [2.0, 30.0], rtol=1e-12)
    np.testing.assert_allclose(ax.to_pixel([2.0, 30.0]), [940.0, 75.0], rtol=1e-12)


def test_known_values_of_example():
    cal = Calibration.from_dict(EXAMPLE)
    x, y = cal.pixel_to_data(492.5, 507.5)
    assert x == pytest.approx(0.25, abs=1e-12)
    assert y == pytest.approx(2.5, abs=1e-12)
    cols, rows = cal.data_to_pixel(0.25, 2.5)
    assert cols == pytest.approx(492.5)
    assert rows == pytest.approx(507.5)


def test_log_midpoint_is_geometric_mean():
    ax = AxisCalibration((940.0, 75.0), (1.0, 16.0), "log")
    assert ax.to_data((940.0 + 75.0) / 2) == pytest.approx(4.0, rel=1e-12)
    assert ax.to_pixel(4.0) == pytest.approx(507.5, abs=1e-9)


def test_shapes_and_dtypes_are_preserved():
    ax = AxisCalibration((0.0, 10.0), (0.0, 1.0))
    scalar = ax.to_data(5)
    assert np.ndim(scalar) == 0 and isinstance(scalar, float)
    grid = ax.to_data(np.arange(12, dtype=np.int32).reshape(3, 4))
    assert grid.shape == (3, 4) and grid.dtype == np.float64
    assert ax.to_pixel([[0.5]]).shape == (1, 1)
    cal = Calibration(ax, ax)
    assert cal.points_to_data(np.empty((0, 2))).shape == (0, 2)


def test_points_must_have_two_columns():
    cal = Calibration.from_dict(EXAMPLE)
    with pytest.raises(InputError) as e:
        cal.points_to_data(np.zeros((5, 3)))
    assert_one_line(e)


def test_to_pixel_rejects_non_positive_on_log_axis():
    cal = Calibration.from_dict(
        example(y={"pixel": [940.0, 75.0], "value": [1.0, 10.0], "scale": "log"})
    )
    with pytest.raises(InputError, match="y") as e:
        cal.data_to_pixel([0.1, 0.2], [2.0, 0.0])
    assert_one_line(e)
    with pytest.raises(InputError):
        cal.y.to_pixel(-1.0)


def test_non_numeric_coordinates_raise_input_error():
    ax = AxisCalibration((0.0, 10.0), (0.0, 1.0))
    with pytest.raises(InputError):
        ax.to_data("abc")


# -- dict / JSON -------------------------------------------------------------------------


def test_dict_round_trip_equals_input():
    cal = Calibration.from_dict(EXAMPLE)
    out = cal.to_dict()
    assert out == EXAMPLE
    assert json.loads(json.dumps(out)) == EXAMPLE
    assert all(type(v) is float for v in out["x"]["pixel"] + out["y"]["value"])
    assert Calibration.from_dict(out) == cal


def test_dict_defaults_and_plot_area_omitted():
    d = {"x": {"pixel": [0, 10], "value": [0, 1]}, "y": {"pixel": [10, 0], "value": [1, 2]}}
    out = Calibration.from_dict(d).to_dict()
    assert "plot_area" not in out
    assert out["units"] == {"x": "", "y": ""}
    assert out["x"] == {"pixel": [0.0, 10.0], "value": [0.0, 1.0], "scale": "linear"}


def test_numpy_numbers_serialise_as_plain_floats():
    ax = AxisCalibration(np.array([0.0, 10.0]), (np.float32(1), np.int64(2)))
    d = Calibration(ax, ax, plot_area=np.array([0, 0, 5, 5])).to_dict()
    json.dumps(d)
    assert all(type(v) is float for v in d["x"]["value"])
    assert all(type(v) is int for v in d["plot_area"])


def test_save_load_round_trip(tmp_path):
    cal = Calibration.from_dict(
        example(y={"pixel": [940.0, 75.0], "value": [1.0, 10.0], "scale": "log"})
    )
    path = tmp_path / "cal.json"
    assert cal.save(path) == path
    loaded = Calibration.load(path)
    assert loaded == cal
    assert loaded.to_dict() == cal.to_dict()
    assert list(tmp_path.iterdir()) == [path]  # no temporary files left behind


def test_load_missing_file(tmp_path):
    with pytest.raises(InputError, match="not found") as e:
        Calibration.load(tmp_path / "nope.json")
    assert_one_line(e)


@pytest.mark.parametrize("text", ["{not json", "", "[1, 2", "\xff"])
def test_load_invalid_json(tmp_path, text):
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="latin-1")
    with pytest.raises(InputError) as e:
        Calibration.load(path)
    assert_one_line(e)


def test_load_invalid_content_names_file_and_field(tmp_path):
    path = tmp_path / "cal.json"
    path.write_text(json.dumps(example(y={"pixel": [940.0, 75.0], "value": ["a", 4.0]})))
    with pytest.raises(InputError, match=r"y\.value must be two numbers") as e:
        Calibration.load(path)
    assert "cal.json" in str(e.value)
    assert_one_line(e)


def test_an_optional_format_tag_is_checked(tmp_path):
    assert Calibration.from_dict(
        example(format="speedlines-calibration/1")
    ) == Calibration.from_dict(EXAMPLE)
    path = tmp_path / "cal.json"
    path.write_text(json.dumps(example(format="speedlines-calibration/2")))
    with pytest.raises(InputError, match="speedlines-calibration/2 is newer than") as e:
        Calibration.load(path)
    assert str(e.value).startswith(f"{path}: calibration: format")
    assert_one_line(e)
    with pytest.raises(InputError, match="is not speedlines-calibration/N"):
        Calibration.from_dict(example(format="speedlines-digitized/1"))
    assert "format" not in Calibration.from_dict(EXAMPLE).to_dict(), "written without a tag"


def test_save_to_missing_folder(tmp_path):
    with pytest.raises(InputError) as e:
        Calibration.from_dict(EXAMPLE).save(tmp_path / "missing" / "cal.json")
    assert_one_line(e)


# -- validation ----------------------------------------------------------------------------

BAD_AXES = {
    "string value": dict(pixel=(0.0, 10.0), value=("0", 1.0)),
    "none pixel": dict(pixel=(None, 10.0), value=(0.0, 1.0)),
    "bool value": dict(pixel=(0.0, 10.0), value=(True, 2.0)),
    "nan pixel": dict(pixel=(math.nan, 10.0), value=(0.0, 1.0)),
    "inf value": dict(pixel=(0.0, 10.0), value=(0.0, math.inf)),
    "one point": dict(pixel=(0.0,), value=(0.0,)),
    "three points": dict(pixel=(0.0, 5.0, 10.0), value=(0.0, 0.5, 1.0)),
    "scalar pixel": dict(pixel=3.0, value=(0.0, 1.0)),
    "string pixel": dict(pixel="12", value=(0.0, 1.0)),
    "same pixel": dict(pixel=(5.0, 5.0), value=(0.0, 1.0)),
    "same value": dict(pixel=(0.0, 10.0), value=(2.0, 2.0)),
    "unknown scale": dict(pixel=(0.0, 10.0), value=(1.0, 2.0), scale="lin"),
    "scale not str": dict(pixel=(0.0, 10.0), value=(1.0, 2.0), scale=None),
    "zero on log": dict(pixel=(0.0, 10.0), value=(0.0, 2.0), scale="log"),
    "negative on log": dict(pixel=(0.0, 10.0), value=(-1.0, 2.0), scale="log"),
}


@pytest.mark.parametrize("kwargs", BAD_AXES.values(), ids=BAD_AXES.keys())
def test_axis_validation(kwargs):
    with pytest.raises(InputError) as e:
        AxisCalibration(**kwargs)
    assert_one_line(e)
    with pytest.raises(InputError, match=r"\by\.") as e:
        AxisCalibration(**kwargs, name="y")
    assert_one_line(e)


def _without(key, sub=None):
    d = copy.deepcopy(EXAMPLE)
    if sub is None:
        del d[key]
    else:
        del d[key][sub]
    return d


BAD_DICTS = {
    "not a dict": ([EXAMPLE], "object"),
    "missing x": (_without("x"), "'x'"),
    "missing y.pixel": (_without("y", "pixel"), r"y\.pixel"),
    "missing x.value": (_without("x", "value"), r"x\.value"),
    "axis not a dict": (example(x=[112.0, 873.0]), "x must be an object"),
    "y.value strings": (
        example(y={"pixel": [940.0, 75.0], "value": ["1", "4"]}),
        r"calibration: y\.value must be two numbers",
    ),
    "x.pixel three": (
        example(x={"pixel": [1.0, 2.0, 3.0], "value": [0.0, 0.5]}),
        r"x\.pixel must be two numbers",
    ),
    "x.pixel coincide": (example(x={"pixel": [5, 5], "value": [0, 1]}), r"x\.pixel"),
    "y.value coincide": (example(y={"pixel": [9, 5], "value": [1, 1]}), r"y\.value"),
    "bad scale": (example(x={"pixel": [1, 2], "value": [0, 1], "scale": "ln"}), r"x\.scale"),
    "log non-positive": (
        example(y={"pixel": [9, 5], "value": [0, 1], "scale": "log"}),
        r"y\.value must be positive",
    ),
    "units not dict": (example(units="kg/s"), "units"),
    "units value": (example(units={"x": 1, "y": "-"}), r"units\.x"),
    "plot_area short": (example(plot_area=[0, 0, 10]), "plot_area"),
    "plot_area strings": (example(plot_area=["0", 0, 10, 10]), "plot_area"),
    "plot_area nan": (example(plot_area=[0, 0, math.nan, 10]), "plot_area"),
    "plot_area degenerate x": (example(plot_area=[10, 0, 10, 20]), "plot_area"),
    "plot_area inverted y": (example(plot_area=[0, 30, 10, 20]), "plot_area"),
}


@pytest.mark.parametrize("d, pattern", BAD_DICTS.values(), ids=BAD_DICTS.keys())
def test_from_dict_validation(d, pattern):
    with pytest.raises(InputError, match=pattern) as e:
        Calibration.from_dict(d)
    assert_one_line(e)


def test_units_default_and_partial():
    cal = Calibration.from_dict(example(units={"x": "kg/s"}))
    assert cal.units == {"x": "kg/s", "y": ""}


def test_units_are_copied():
    units = {"x": "kg/s", "y": "-"}
    ax = AxisCalibration((0, 1), (0, 1))
    cal = Calibration(ax, ax, units)
    units["x"] = "changed"
    assert cal.units["x"] == "kg/s"
    hash(cal)  # usable as a dict key despite the units dict


# -- check_image --------------------------------------------------------------------------


def test_check_image_accepts_inside():
    cal = Calibration.from_dict(EXAMPLE)
    cal.check_image(891, 951)  # plot_area touches the last row and column exactly
    Calibration.from_dict(_without("plot_area")).check_image(10, 10)


@pytest.mark.parametrize(
    "width, height",
    [(890, 951), (891, 950), (100, 100), (2000, 900)],
)
def test_check_image_rejects_outside(width, height):
    cal = Calibration.from_dict(EXAMPLE)
    with pytest.raises(InputError, match="plot_area") as e:
        cal.check_image(width, height)
    assert_one_line(e)


@pytest.mark.parametrize("area", [[-1, 0, 10, 10], [0, -0.5, 10, 10]])
def test_check_image_rejects_negative_origin(area):
    with pytest.raises(InputError, match="not inside"):
        Calibration.from_dict(example(plot_area=area)).check_image(100, 100)


@pytest.mark.parametrize("width, height", [(0, 10), (10, -1), (10.5, 10), (True, 10)])
def test_check_image_rejects_bad_size(width, height):
    with pytest.raises(InputError):
        Calibration.from_dict(EXAMPLE).check_image(width, height)


# -- from_axes_limits ---------------------------------------------------------------------


def test_from_axes_limits_maps_pixel_edges():
    w, h = 400, 300
    cal = Calibration.from_axes_limits((0.0, 2.0), (1.0, 5.0), w, h, units={"x": "kg/s"})
    x, y = cal.pixel_to_data([-0.5, w - 0.5], [h - 0.5, -0.5])
    np.testing.assert_allclose(x, [0.0, 2.0], atol=1e-12)
    np.testing.assert_allclose(y, [1.0, 5.0], atol=1e-12)
    # Centre of the image is the centre of the data range.
    assert cal.pixel_to_data((w - 1) / 2, (h - 1) / 2) == pytest.approx((1.0, 3.0))
    assert cal.units == {"x": "kg/s", "y": ""}
    assert cal.plot_area == (0, 0, w - 1, h - 1)
    cal.check_image(w, h)


def test_from_axes_limits_log():
    cal = Calibration.from_axes_limits((0.0, 1.0), (1.0, 100.0), 10, 21, y_scale="log")
    assert cal.y.scale == "log"
    assert cal.y.to_data(10.0) == pytest.approx(10.0)  # middle row: geometric mean
    assert cal.y.to_data(-0.5) == pytest.approx(100.0)


@pytest.mark.parametrize(
    "args",
    [
        ((0.0, 0.0), (1.0, 2.0), 10, 10),
        ((0.0, 1.0), (0.0, 2.0), 10, 10, "linear", "log"),
        ((0.0, 1.0), (1.0, 2.0), 0, 10),
        ((0.0, 1.0), (1.0, 2.0), 10, 1),
        ((0.0,), (1.0, 2.0), 10, 10),
    ],
)
def test_from_axes_limits_invalid(args):
    with pytest.raises(InputError):
        Calibration.from_axes_limits(*args)


# -- parse_axis_option --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, pixel, value, scale",
    [
        ("112:0,873:0.5", (112.0, 873.0), (0.0, 0.5), "linear"),
        ("940:1,75:10:log", (940.0, 75.0), (1.0, 10.0), "log"),
        (" 940 : 1 , 75 : 10 : LOG ", (940.0, 75.0), (1.0, 10.0), "log"),
        ("-3.5:-1e-3,1e3:2:linear", (-3.5, 1000.0), (-0.001, 2.0), "linear"),
    ],
)
def test_parse_axis_option_good(text, pixel, value, scale):
    ax = parse_axis_option(text)
    assert ax == AxisCalibration(pixel, value, scale)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "112:0",
        "112:0,873",
        "112:0,873:0.5,900:1",
        "112,0,873,0.5",
        "112:0:log,873:0.5",
        "112:0,873:0.5:ln",
        "112:a,873:0.5",
        "112:0,873:0.5:log:extra",
        "112:0,112:0.5",
        "112:0,873:0",
        "940:0,75:10:log",
        "nan:0,873:0.5",
        None,
        42,
    ],
)
def test_parse_axis_option_bad(text):
    with pytest.raises(InputError) as e:
        parse_axis_option(text, name="x")
    assert_one_line(e)


def test_unknown_keys_are_ignored_so_later_versions_can_add_fields():
    d = example(note="added later", x={"pixel": [1, 2], "value": [0, 1], "px": 3})
    d["units"] = {"x": "kg/s", "y": "-", "speed": "rpm"}
    cal = Calibration.from_dict(d)
    assert cal.x.to_data(2.0) == 1.0
    assert cal.units == {"x": "kg/s", "y": "-"}


# -- hostile files ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000,
        '{"x": {"pixel": [0, 1], "value": [0, ' + "9" * 5000 + "]}}",
        '{"x": {"pixel": [0, 1], "value": [0, ' + "9" * 309 + "]}}",  # int beyond float
        json.dumps(example(plot_area=[0, 0, 10**309, 10])),
    ],
)
def test_hostile_json_is_one_line(tmp_path, text):
    path = tmp_path / "cal.json"
    path.write_text(text)
    with pytest.raises(InputError, match=r"cal\.json") as e:
        Calibration.load(path)
    assert_one_line(e)


def test_a_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "cal.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(EXAMPLE).encode())
    assert Calibration.load(path) == Calibration.from_dict(EXAMPLE)


@pytest.mark.parametrize(
    ("pixel", "value"),
    [((0, 1), (-1e308, 1e308)), ((0, 1e-300), (0, 1e10)), ((0, 1e300), (0, 1e-300))],
)
def test_a_scale_beyond_the_float_range_is_refused(pixel, value):
    with pytest.raises(InputError, match="beyond the floating-point range"):
        AxisCalibration(pixel, value)


def test_an_image_mapped_beyond_the_float_range_is_refused():
    cal = Calibration(AxisCalibration((0, 1), (0, 1e308)), AxisCalibration((0, 1), (0, 1)))
    cal.check_image(1, 1)
    with pytest.raises(InputError, match="x axis maps the 100x100 image to values beyond"):
        cal.check_image(100, 100)


@pytest.mark.parametrize("unit", ["kg/s\n99 fake", "a\rb", "a\x00", "a\u2028b"])
def test_units_with_line_breaks_or_control_characters_are_refused(unit):
    with pytest.raises(InputError, match=r"units\.x must not contain line breaks") as e:
        Calibration.from_dict(example(units={"x": unit, "y": "-"}))
    assert_one_line(e)
    with pytest.raises(InputError, match=r"units\.y is longer than 100"):
        Calibration.from_dict(example(units={"x": "", "y": "m" * 101}))


def test_the_cli_refuses_a_hostile_calibration_with_exit_2(tmp_path):
    import subprocess
    import sys

    from PIL import Image

    Image.new("RGB", (20, 20), "white").save(tmp_path / "map.png")
    (tmp_path / "bad.json").write_text("[" * 100_000)
    run = subprocess.run(
        [sys.executable, "-m", "speedlines", "digitize", str(tmp_path / "map.png"),
         "--calibration", str(tmp_path / "bad.json"), "--out", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 2, run.stderr
    assert "nested too deeply" in run.stderr + run.stdout and "Traceback" not in run.stderr


def _turned(degrees: float, centre=(500.0, 500.0)) -> list[list[float]]:
    """The straightening matrix of a scan turned by ``degrees`` about ``centre``."""
    t = math.radians(degrees)
    cx, cy = centre
    turn = np.array([[math.cos(t), math.sin(t), 0], [-math.sin(t), math.cos(t), 0], [0, 0, 1]])
    shift = np.array([[1, 0, -cx], [0, 1, -cy], [0, 0, 1.0]])
    return (np.linalg.inv(shift) @ turn @ shift).tolist()


def test_a_turned_scan_maps_points_along_its_turned_axes():
    cal = Calibration.from_dict(EXAMPLE | {"straighten": _turned(2.0)})
    # A point 300 px along the turned x axis from the centre is 300 px right when straight.
    t = math.radians(2.0)
    col, row = 500 + 300 * math.cos(t), 500 + 300 * math.sin(t)
    straight = Calibration.from_dict(EXAMPLE).pixel_to_data(800.0, 500.0)
    np.testing.assert_allclose(cal.pixel_to_data(col, row), straight, atol=1e-9)
    pts = np.array([[120.0, 300.0], [700.0, 900.0]])
    np.testing.assert_allclose(cal.points_to_pixel(cal.points_to_data(pts)), pts, atol=1e-9)
    again = Calibration.from_dict(json.loads(json.dumps(cal.to_dict())))
    assert again == cal and "straighten" not in Calibration.from_dict(EXAMPLE).to_dict()


@pytest.mark.parametrize(
    "matrix",
    [[[1, 0], [0, 1]], "identity", [[0, 0, 0], [0, 0, 0], [0, 0, 1]],
     [[1, 0, 0], [0, 1, 0], [0, 0, 0]], [[1, 0, 0], [0, 1, 0], [0, 0, "1"]]],
)  # fmt: skip
def test_a_bad_straightening_matrix_is_one_clear_line(matrix):
    with pytest.raises(InputError, match="calibration: straighten must be"):
        Calibration.from_dict(EXAMPLE | {"straighten": matrix})
