import json

import numpy as np
import pytest

from speedlines.digitize.calibration import AxisCalibration, Calibration
from speedlines.digitize.curves import resample_by_beta
from speedlines.digitize.pipeline import digitize_mask
from speedlines.digitize.readers import load_digitized, read_gasturb_map
from speedlines.digitize.tables import to_gasturb_map, to_json
from speedlines.errors import InputError
from tests.drawn_maps import draw, family

CAL = Calibration(
    AxisCalibration((0.0, 200.0), (0.0, 2.0)),
    AxisCalibration((140.0, 0.0), (1.0, 4.0), "log"),
    {"x": "kg/s", "y": "-"},
    (2, 2, 230, 130),
)


@pytest.fixture(scope="module")
def result():
    r = digitize_mask(draw(family(), (140, 240)), CAL, [60000.0, 80000.0, 100000.0], points=20)
    r.source = {"name": "drawn.png", "sha256": "ab" * 32}
    r.segmentation = {"mask": "drawn"}
    return r


def saved(result) -> dict:
    """The JSON as a file holds it: through text, as the CLI writes it."""
    return json.loads(json.dumps(to_json(result)))


def test_json_round_trip_gives_back_the_result(result, tmp_path):
    path = tmp_path / "r.json"
    path.write_text(json.dumps(to_json(result)))
    back = load_digitized(path)
    assert back.to_dict() == json.loads(json.dumps(result.to_dict()))
    assert back.calibration == CAL and back.image_size == (240, 140)
    assert back.source == result.source and back.segmentation == {"mask": "drawn"}
    for a, b in zip(result.lines, back.lines):
        assert (b.line, b.speed, b.fit) == (a.line, a.speed, a.fit)
        np.testing.assert_array_equal(b.data, a.data)
        np.testing.assert_allclose(b.pixels, a.pixels, atol=0.005)  # saved to 0.01 px
        assert b.confidence == pytest.approx(a.confidence, abs=5e-5)
        assert b.residual_px == a.fit["residual_px"] and len(b.traced) == 0
    assert load_digitized(saved(result)).to_dict() == back.to_dict(), "a dict reads the same"


def test_unknown_speeds_read_back_as_none(result):
    d = saved(result)
    for line in d["lines"]:
        line["speed"] = None
    back = load_digitized(d)
    assert not back.speeds_known and back.lines[0].speed is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"format": "speedlines-digitized/2"}, "speedlines-digitized/2 is newer than this"),
        ({"format": "speedlines-model/1"}, "is not speedlines-digitized/N"),
        ({"format": None}, "no format tag"),
        ({"calibration": {"x": {}}}, "missing key 'x.pixel'"),
        ({"image_size": [240]}, "image_size"),
        ({"lines": []}, "non-empty"),
    ],
)
def test_bad_results_are_refused_with_one_line(result, change, message):
    d = saved(result) | change
    if d["format"] is None:
        del d["format"]
    with pytest.raises(InputError, match=message) as err:
        load_digitized(d)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"line": 5}, "line 2 is numbered 5"),
        ({"points": [[0.1, 1.0]]}, "at least two finite"),
        ({"points": "none"}, r"points must be a list of \[x, y\] numbers"),
        ({"pixels": [[1.0, 2.0], [3.0, 4.0]]}, "2 pixels for 20 points"),
        ({"speed": "fast"}, "speed must be a number"),
        ({"confidence": None}, "confidence must be a number"),
    ],
)
def test_bad_lines_are_refused(result, change, message):
    d = saved(result)
    d["lines"][1] |= change
    with pytest.raises(InputError, match=message):
        load_digitized(d)


def test_bad_files_are_refused(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_digitized(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(InputError, match=r"bad\.json: not a digitized result: invalid JSON"):
        load_digitized(tmp_path / "bad.json")
    (tmp_path / "list.json").write_text("[1, 2]")
    with pytest.raises(InputError, match="not a digitized result"):
        load_digitized(tmp_path / "list.json")


def test_map_round_trip_within_print_precision(result):
    m = read_gasturb_map(to_gasturb_map(result, betas=6, title="Fan"), "r.map")
    grid = np.linspace(0.0, 1.0, 6)
    pts = resample_by_beta(result.lines, grid)
    assert m["title"] == "Fan digitized by speedlines from drawn.png"
    assert m["units"] == {"x": "kg/s", "y": "-"}
    np.testing.assert_allclose(m["speeds"], [60000, 80000, 100000], rtol=5e-5)  # %9.5g
    np.testing.assert_allclose(m["betas"], grid, atol=5e-6)  # %12.5f
    np.testing.assert_allclose(m["mass_flow"], pts[:, :, 0], rtol=5e-10)  # %12.10g
    np.testing.assert_allclose(m["pressure_ratio"], pts[:, :, 1], rtol=5e-10)
    np.testing.assert_allclose(m["surge_line"], result.surge_line, rtol=5e-10)
    assert "efficiency" not in m


def test_map_values_may_wrap_across_lines_and_an_efficiency_table_is_read(result):
    text = to_gasturb_map(result, betas=4)
    head, rest = text.split("Pressure Ratio\n")
    table, surge = rest.split("Surge Line\n")
    one_per_line = "\n".join(table.split())  # GasTurb files wrap long rows
    efficiency = "Efficiency\n" + _table(0.8)
    m = read_gasturb_map(f"{head}Pressure Ratio\n{one_per_line}\n{efficiency}\nSurge Line\n{surge}")
    np.testing.assert_array_equal(m["pressure_ratio"], read_gasturb_map(text)["pressure_ratio"])
    np.testing.assert_array_equal(m["efficiency"], np.full((3, 4), 0.8))


def _in_pressure_ratio(text: str, old: str, new: str) -> str:
    at = text.index("Pressure Ratio")
    return text[:at] + text[at:].replace(old, new, 1)


def _table(value: float) -> str:
    rows = [" 4.005 0 0.33333 0.66667 1"]
    rows += [f" {s:g} " + " ".join([str(value)] * 4) for s in (60000, 80000, 100000)]
    return "\n".join(rows)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: "", "not a GasTurb map"),
        (lambda t: "Mass Flow\n" + t, "not a GasTurb map"),
        (lambda t: t.replace("Pressure Ratio", "Pressure"), "no Pressure Ratio table"),
        (lambda t: t.replace("Surge Line", "Surge"), "no Surge Line table"),
        (lambda t: t.replace("4.005", "4.006", 1), "size code 4.006 needs 24 numbers, found 20"),
        (lambda t: t.replace("4.005", "4.5", 1), "size code must look like 5.012"),
        (lambda t: t.replace("   0.00000", "   zero", 1), "'zero' on line 5 is not a finite"),
        (lambda t: _in_pressure_ratio(t, " 60000 ", " 70000 "), "other speeds or betas than Mass"),
        (
            lambda t: t.replace("2.003", "2.004"),
            "Surge Line: size code 2.004 needs 9 numbers, found 7",
        ),
        (lambda t: t + "Mass Flow\n", "two Mass Flow tables"),
    ],
)
def test_bad_maps_are_refused_with_one_line(result, edit, message):
    with pytest.raises(InputError, match=message) as err:
        read_gasturb_map(edit(to_gasturb_map(result, betas=4)))
    assert "\n" not in str(err.value)
