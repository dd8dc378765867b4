"""``POST /api/fit``: the page's own lines fitted by the CLI's code, no model run."""

import csv
import hashlib
import io
import json
import threading

import numpy as np
import pytest
from fastapi.testclient import TestClient

import speedlines.web.api
from speedlines.digitize.calibration import Calibration
from speedlines.digitize.tables import to_csv
from speedlines.synth.sample import generate_sample
from speedlines.web.app import create_app
from tests.drawn_maps import distance_to


def no_model():
    raise AssertionError("/api/fit must not load the model")


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(max_bytes=2_000_000, load_model=no_model)) as c:
        yield c


@pytest.fixture(scope="module")
def sample():
    return generate_sample(7001, 3, "crop", "simple")  # not warped: the truth is linear


def body(sample, lines=None, **extra) -> dict:
    """The page's request: the true polylines, ids 11, 12, ... lowest first, with speeds."""
    h, w = sample.image.shape[:2]
    if lines is None:
        lines = [
            {"id": 11 + k, "pixels": t["pixels"], "speed": t["speed"], "origin": "model"}
            for k, t in enumerate(sample.meta["speedlines"])
        ]
    image = {"name": "crop.png", "sha256": hashlib.sha256(b"x").hexdigest(), "width": w,
             "height": h}  # fmt: skip
    return {"image": image, "calibration": sample.meta["calibration"], "lines": lines} | extra


def test_true_lines_come_back_as_the_truth_in_data_units(client, sample):
    lines = body(sample)["lines"][::-1]  # sent highest first, one of them drawn backwards
    lines[2] = lines[2] | {"pixels": lines[2]["pixels"][::-1], "origin": "drawn"}
    r = client.post("/api/fit", json=body(sample, lines, points=30))
    assert r.status_code == 200, r.text
    d = r.json()
    truth = sample.meta["speedlines"]
    assert [ln["line"] for ln in d["result"]["lines"]] == list(range(1, len(truth) + 1))
    assert [ln["id"] for ln in d["result"]["lines"]] == [11 + k for k in range(len(truth))]
    assert d["result"]["lines"][2]["origin"] == "drawn"
    assert d["result"]["segmentation"] == {"source": "page", "origins": {"model": 4, "drawn": 1}}
    assert d["result"]["source"]["name"] == "crop.png" and d["missing_speeds"] == []
    assert d["map"].startswith(" 99") and "Mass Flow" in d["map"]
    rows = list(csv.DictReader(io.StringIO(d["csv"])))
    assert len(rows) == 30 * len(truth)
    cal = Calibration.from_dict(sample.meta["calibration"])
    x0, y0, x1, y1 = cal.plot_area
    span = np.abs(np.diff(cal.points_to_data(np.array([[x0, y1], [x1, y0]])), axis=0))[0]
    for k, t in enumerate(truth):
        mine = [r for r in rows if r["line"] == str(k + 1)]
        assert float(mine[0]["speed"]) == t["speed"]
        xy = np.array([[float(r["x"]), float(r["y"])] for r in mine])
        assert xy[0, 0] < xy[-1, 0], "surge end first, the drawn-backwards line too"
        assert distance_to(np.array(t["data"]) / span, xy / span).mean() < 0.005


def test_partial_speeds_give_no_map_and_the_missing_ids(client, sample):
    lines = body(sample)["lines"]
    for k in (1, 3):
        lines[k] = lines[k] | {"speed": None}
    r = client.post("/api/fit", json=body(sample, lines, decimal=","))
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["map"] is None and d["missing_speeds"] == [12, 14]
    assert d["csv"].startswith("line;speed;x;y\n1;9000;")


def test_each_speed_says_whether_it_was_typed_or_read_from_a_label(client, sample):
    lines = body(sample)["lines"]
    lines[0] = lines[0] | {"speed_label": "N = 9000"}
    lines[1] = lines[1] | {"speed": None, "speed_label": "N = 9500"}  # cleared: no source
    r = client.post("/api/fit", json=body(sample, lines))
    assert r.status_code == 200, r.text
    got = r.json()["result"]["lines"]
    assert got[0]["speed_source"] == "label" and got[0]["speed_label"] == {"text": "N = 9000"}
    assert got[1]["speed_source"] is None and "speed_label" not in got[1]
    assert {ln["speed_source"] for ln in got[2:]} == {"given"}


def test_speeds_out_of_order_name_the_page_ids(client, sample):
    lines = body(sample)["lines"]
    lines[3] = lines[3] | {"speed": 11000.0}  # as line 13, right below it
    r = client.post("/api/fit", json=body(sample, lines))
    assert r.status_code == 422
    assert r.json()["detail"] == (
        "lines 13 and 14 both have speed 11000: speeds must increase from the lowest line up"
    )
    lines[3] = lines[3] | {"speed": 9500.0}
    r = client.post("/api/fit", json=body(sample, lines))
    assert r.json()["detail"].startswith("line 14 (speed 9500) lies above line 13 (speed 11000)")


def test_a_trimmed_line_and_the_plotting_area(client, sample):
    full = body(sample)["lines"][2]
    half = full | {"pixels": full["pixels"][: len(full["pixels"]) // 2]}
    r = client.post("/api/fit", json=body(sample, [half]))
    assert r.status_code == 200, r.text
    px = np.array(r.json()["result"]["lines"][0]["pixels"])
    assert px[-1, 0] == pytest.approx(half["pixels"][-1][0], abs=0.5)
    assert px[:, 0].max() < full["pixels"][-1][0] - 5, "only the half that was kept"
    mid = float(np.median(np.array(full["pixels"])[:, 0]))
    cal = sample.meta["calibration"] | {"plot_area": [mid, 0, 466, 241]}
    r = client.post("/api/fit", json=body(sample, [full]) | {"calibration": cal})
    px = np.array(r.json()["result"]["lines"][0]["pixels"])
    assert px[:, 0].min() > mid - 0.5 and px[-1, 0] == pytest.approx(full["pixels"][-1][0], 0.5)
    cal["plot_area"] = [0, 0, full["pixels"][0][0] - 1, 241]
    r = client.post("/api/fit", json=body(sample, [full]) | {"calibration": cal})
    assert r.status_code == 422 and r.json()["detail"] == "line 13 lies outside the plotting area"


def line(**change) -> dict:
    return {"id": 7, "pixels": [[10.0, 10.0], [60.0, 30.0]], "origin": "ink"} | change


@pytest.mark.parametrize(
    ("lines", "extra", "message"),
    [
        ([line(pixels=[[10, 10], [900, 30]])], {}, "line 7: point (900, 30) lies outside"),
        ([line(pixels=[[10, 10], [float("nan"), 30]])], {}, "line 7 has a non-finite pixel"),
        ([line(pixels=[[10.0, 10.0]] * 20_001)], {}, "line 7 has 20001 points; 2..20000"),
        ([line(pixels=[[10, 10], [20]])], {}, "line 7: pixels must be (col, row) number pairs"),
        ([line(origin="magic")], {}, "line 7: origin must be one of model, ink, edited, drawn"),
        ([line(speed=0)], {}, "line 7: speed must be a finite number > 0"),
        ([line(), line()], {}, "line id 7 is used twice"),
        ([], {}, "0 lines sent; 1..200 are allowed"),
        ([line(pixels="abc")], {}, "lines[0].pixels: Input should be a valid array"),
        ([line()], {"points": 1}, "points: Input should be greater than or equal to 2"),
        ([line()], {"betas": 201}, "betas: Input should be less than or equal to 200"),
        ([line()], {"decimal": ";"}, "decimal: Input should be '.' or ','"),
        ([line()], {"calibration": {"x": {"pixel": [1, 1], "value": [0, 1]}, "y": {}}},
         "calibration: x.pixel positions coincide"),
        ([line()], {"calibration": [1]}, "calibration: Input should be an object"),
        ([line()], {"image": {"sha256": "zz", "width": 1, "height": 1}}, "image.sha256: String"),
    ],
)  # fmt: skip
def test_bad_lines_and_options_get_422_with_one_line(client, sample, lines, extra, message):
    # Python's JSON writes nan as NaN, which the page never sends but a client might.
    payload = json.dumps(body(sample, lines) | extra)
    r = client.post("/api/fit", content=payload, headers={"content-type": "application/json"})
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert isinstance(detail, str) and detail.startswith(message) and "\n" not in detail


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "body: Invalid JSON"),
        (b"[" * 100_000, "body: Invalid JSON: recursion limit exceeded"),
        (b"\xff\xfe", "body: Invalid JSON"),
        (b"[1, 2]", "body: Input should be an object"),
        (b"{}", "image: Field required (and 2 more problems)"),
    ],
)
def test_a_malformed_body_gets_422_not_500(client, content, message):
    r = client.post("/api/fit", content=content, headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.json()["detail"].startswith(message), r.text


def test_the_body_must_be_json_and_within_the_limit(client, sample):
    text = json.dumps(body(sample))
    r = client.post("/api/fit", content=text, headers={"content-type": "text/plain"})
    assert r.status_code == 415 and r.json()["detail"] == "send the body as application/json"
    big = body(sample, [line(pixels=[[10.5, 10.5]] * 300_000)])
    r = client.post("/api/fit", json=big)
    assert r.status_code == 413 and "larger than" in r.json()["detail"]


def test_the_fit_runs_on_the_worker_pool(client, sample, monkeypatch):
    threads = []
    real = speedlines.web.api.fit_lines

    def spy(*args, **kwargs):
        threads.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(speedlines.web.api, "fit_lines", spy)
    assert client.post("/api/fit", json=body(sample)).status_code == 200
    assert threads and threads[0].startswith("speedlines-model")


def test_the_answer_is_the_cli_writers_output(client, sample):
    """The same fit and writers as the CLI: the CSV is to_csv of the JSON result read back."""
    from speedlines.digitize.readers import load_digitized

    d = client.post("/api/fit", json=body(sample)).json()
    assert to_csv(load_digitized(d["result"])) == d["csv"]
