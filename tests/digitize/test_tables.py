import csv
import dataclasses
import io
import json

import numpy as np
import pytest

from speedlines.digitize.curves import resample_by_beta
from speedlines.digitize.pipeline import digitize_mask, select_lines
from speedlines.digitize.tables import to_csv, to_gasturb_map, to_json
from speedlines.digitize.trace import TraceSettings
from speedlines.errors import InputError
from tests.drawn_maps import CAL, draw, family


@pytest.fixture(scope="module")
def result():
    return digitize_mask(draw(family(), (140, 240)), CAL, [60000.0, 80000.0, 100000.0], points=30)


def read_gasturb_table(lines: list[str], name: str):
    """A reader written from the format: 'rows+1 . (cols+1)/1000' then beta values, then rows."""
    i = lines.index(name)
    head = lines[i + 1].split()
    rows, cols = int(float(head[0])) - 1, round(float(head[0]) % 1 * 1000) - 1
    betas = np.array(head[1:], float)
    table = np.array([ln.split() for ln in lines[i + 2 : i + 2 + rows]], float)
    assert betas.shape == (cols,) and table.shape == (rows, cols + 1)
    return betas, table[:, 0], table[:, 1:]


def test_csv_has_the_interface_header_and_one_row_per_point(result):
    rows = list(csv.DictReader(io.StringIO(to_csv(result))))
    assert list(rows[0]) == ["line", "speed", "x", "y"]
    assert len(rows) == 3 * 30
    first = [r for r in rows if r["line"] == "1"]
    assert float(first[0]["speed"]) == 60000.0
    xs = [float(r["x"]) for r in first]
    assert xs[0] < xs[-1], "surge end first"
    np.testing.assert_allclose([float(r["y"]) for r in first], result.lines[0].data[:, 1], 1e-6)


def test_csv_with_a_decimal_comma():
    text = to_csv(digitize_mask(draw(family(), (140, 240)), CAL), decimal=",")
    header, first = text.splitlines()[:2]
    assert header == "line;speed;x;y" and first.count(";") == 3 and "," in first
    assert first.split(";")[1] == "", "speed empty when unknown"
    with pytest.raises(InputError):
        to_csv(digitize_mask(draw(family(), (140, 240)), CAL), decimal=":")


def test_json_carries_curves_calibration_provenance_and_beta_points(result):
    d = to_json(result, betas=5)
    assert d["calibration"] == CAL.to_dict() and d["units"] == {"x": "kg/s", "y": "-"}
    assert d["tool"].startswith("speedlines ") and len(d["lines"]) == 3
    assert {"residual_px", "model"} <= set(d["lines"][0]["fit"])
    assert 0 < d["lines"][0]["confidence"] <= 1
    assert np.array(d["beta"]["points"]).shape == (3, 5, 2)


def test_json_records_the_tracing_settings(result):
    default = json.loads(json.dumps(to_json(result)))["tracing"]
    expected = {**dataclasses.asdict(TraceSettings()), "image_ink": False}
    assert default == expected and default["max_gap"] > 0
    assert to_json(select_lines(result, [2], None))["tracing"] == default
    custom = TraceSettings(max_gap=0.03, min_confidence=0.1)
    mask = draw(family(), (140, 240))
    tracing = to_json(digitize_mask(mask, CAL, settings=custom))["tracing"]
    assert tracing == {**dataclasses.asdict(custom), "image_ink": False} != default
    image = np.full((140, 240, 3), 255, np.uint8)  # blank: the ink there is to follow is none
    with_ink = to_json(digitize_mask(mask, CAL, settings=custom, image=image))["tracing"]
    assert with_ink["image_ink"] is True


def test_gasturb_map_tables_read_back(result):
    text = to_gasturb_map(result, betas=6)
    lines = [ln.strip() for ln in text.splitlines()]
    assert lines[0].startswith("99")
    expected = resample_by_beta(result.lines, np.linspace(0, 1, 6))
    betas, speeds, flow = read_gasturb_table(lines, "Mass Flow")
    np.testing.assert_allclose(betas, np.linspace(0, 1, 6))
    np.testing.assert_allclose(speeds, [60000, 80000, 100000])
    np.testing.assert_allclose(flow, expected[:, :, 0], rtol=1e-5)
    _, _, pr = read_gasturb_table(lines, "Pressure Ratio")
    np.testing.assert_allclose(pr, expected[:, :, 1], rtol=1e-5)
    i = lines.index("Surge Line")
    assert lines[i + 1].split()[0] == "2.003"
    np.testing.assert_allclose(np.array(lines[i + 2].split(), float), result.surge_line[:, 1], 1e-5)


def test_gasturb_map_needs_speeds():
    with pytest.raises(InputError, match="speeds"):
        to_gasturb_map(digitize_mask(draw(family(), (140, 240)), CAL))


@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
def test_non_finite_results_are_never_written(result, bad):
    data = result.lines[1].data.copy()
    data[3, 1] = bad
    lines = list(result.lines)
    lines[1] = dataclasses.replace(lines[1], data=data)
    broken = dataclasses.replace(result, lines=lines)
    for write in (to_csv, to_json, to_gasturb_map):
        with pytest.raises(InputError, match="line 2 has non-finite data values"):
            write(broken)


def test_gasturb_map_keeps_speeds_in_full(result):
    speeds = [109655.0, 187796.0, 1234567.5]
    text = to_gasturb_map(select_lines(result, None, speeds))
    assert "187796 " in text and "1234567.5 " in text and "e+05" not in text
    from speedlines.digitize.readers import read_gasturb_map

    assert read_gasturb_map(text)["speeds"].tolist() == speeds


def test_gasturb_map_header_stays_one_line_whatever_the_file_name(result):
    named = dataclasses.replace(result, source={"name": "a\nb\u2028c.png"})
    text = to_gasturb_map(named, title="x\ry")
    assert text.splitlines()[0] == " 99 x y digitized by speedlines from a b c.png"


def test_gasturb_map_and_csv_lose_no_digits(result):
    """Every .map value reads back as the JSON's (to 10 digits, not 6); CSV speeds in full."""
    from speedlines.digitize.readers import read_gasturb_map

    speeds = [109655.125, 187796.0, 1234567.5]
    named = select_lines(result, None, speeds)
    saved = read_gasturb_map(to_gasturb_map(named, betas=7))
    points = np.array(to_json(named, betas=7)["beta"]["points"])
    np.testing.assert_allclose(saved["mass_flow"], points[:, :, 0], rtol=1e-9)
    np.testing.assert_allclose(saved["pressure_ratio"], points[:, :, 1], rtol=1e-9)
    np.testing.assert_allclose(saved["surge_line"], named.surge_line, rtol=1e-9)
    rows = list(csv.DictReader(io.StringIO(to_csv(named))))
    assert sorted({float(r["speed"]) for r in rows}) == speeds
