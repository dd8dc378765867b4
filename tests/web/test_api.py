import csv
import io
import json
import re
from concurrent.futures import ThreadPoolExecutor

import cv2
import numpy as np
import pytest
from fastapi.testclient import TestClient

from speedlines.digitize.batch import CalibrationSource, DigitizeOptions, digitize_files
from speedlines.digitize.calibration import AxisCalibration, Calibration
from speedlines.segment.ink import InkMask
from speedlines.segment.model import ModelConfig, default_model
from speedlines.segment.segmenter import Segmenter
from speedlines.synth.sample import generate_sample
from speedlines.web.app import create_app
from speedlines.web.sources import CachedSegmenter
from tests.drawn_maps import distance_to
from tests.fakes import DarkInk


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(max_bytes=2_000_000, max_pixels=3_000_000)) as c:
        yield c


@pytest.fixture(scope="module")
def sample():
    return generate_sample(7001, 0, "crop", "simple")  # a fixed test crop, never trained on


def png(image: np.ndarray) -> bytes:
    return cv2.imencode(".png", cv2.cvtColor(image, cv2.COLOR_RGB2BGR))[1].tobytes()


def test_health_model_page_and_openapi(client):
    assert client.get("/api/health").json()["status"] == "ok"
    info = client.get("/api/model").json()
    assert info["encoder"] and info["engine"] in ("torch", "torch-bf16", "onnx")
    page = client.get("/")
    assert page.status_code == 200 and "speedlines" in page.text and "js/main.js" in page.text
    assert client.get("/static/js/main.js").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/predict", "/api/digitize", "/api/fit", "/api/health", "/api/model"} <= set(paths)
    fit_body = paths["/api/fit"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert {"image", "calibration", "lines"} <= set(fit_body["required"])
    assert "origin" in fit_body["properties"]["lines"]["items"]["properties"]


def test_predict_returns_the_mask_and_one_polyline_per_line(client, sample):
    r = client.post("/api/predict", files={"file": ("crop.png", png(sample.image), "image/png")})
    assert r.status_code == 200, r.text
    d = r.json()
    h, w = sample.label.shape
    assert (d["width"], d["height"]) == (w, h)
    assert d["mask_png"].startswith("data:image/png;base64,")
    assert len(d["lines"]) == len(sample.meta["speedlines"]) and d["method"] == "model"


def test_predict_by_the_ink_method_runs_no_model(sample):
    def no_model():
        raise AssertionError("the ink method must not load the model")

    with TestClient(create_app(load_model=no_model)) as c:
        files = {"file": ("crop.png", png(sample.image), "image/png")}
        r = c.post("/api/predict", files=files, data={"method": "ink"})
        assert r.status_code == 200, r.text
        assert r.json()["method"] == "ink" and r.json()["lines"]
        r = c.post("/api/predict", files=files, data={"method": "magic"})
        assert r.status_code == 422 and "'model' or 'ink'" in str(r.json()["detail"])


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_the_api_docs_load_nothing_from_outside_the_server(client, path):
    page = client.get(path)
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assets = re.findall(r"<(?:script|link)[^>]*?(?:src|href)=[\"']([^\"']+)", page.text)
    assert assets and not [a for a in assets if re.match(r"(https?:)?//", a)], assets
    kinds = set()
    for url in assets:
        r = client.get(url)
        kind = r.headers["content-type"].split(";")[0]
        assert r.status_code == 200 and len(r.content) > 1000, url
        kinds.add(kind)
    assert "text/javascript" in kinds or "application/javascript" in kinds
    if path == "/docs":
        assert "text/css" in kinds
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self' 'unsafe-inline'" in csp and "http" not in csp


def test_digitize_matches_the_truth_and_the_files_agree(client, sample):
    cal = sample.meta["calibration"]
    speeds = ",".join(str(s) for s in sample.meta["speeds"])
    r = client.post(
        "/api/digitize",
        files={"file": ("crop.png", png(sample.image), "image/png")},
        data={"calibration": json.dumps(cal), "speeds": speeds, "points": "40"},
    )
    assert r.status_code == 200, r.text
    d = r.json()
    rows = list(csv.DictReader(io.StringIO(d["csv"])))
    assert len(rows) == 40 * len(d["result"]["lines"]) and d["map"].startswith(" 99")
    calibration = Calibration.from_dict(cal)
    for line, truth in zip(d["result"]["lines"], sample.meta["speedlines"]):
        px = calibration.points_to_pixel(np.array(line["points"]))
        assert np.median(distance_to(np.array(truth["pixels"]), px)) < 1.5
    # Untick line 2: the files hold the other lines, renumbered, with one speed fewer.
    keep = [k for k in range(1, len(d["result"]["lines"]) + 1) if k != 2]
    r2 = client.post(
        "/api/digitize",
        files={"file": ("crop.png", png(sample.image), "image/png")},
        data={"calibration": json.dumps(cal), "keep": ",".join(map(str, keep)), "points": "40",
              "speeds": ",".join(speeds.split(",")[: len(keep)])},
    )  # fmt: skip
    assert r2.status_code == 200, r2.text
    lines = r2.json()["result"]["lines"]
    assert [ln["line"] for ln in lines] == list(range(1, len(keep) + 1))
    assert lines[1]["points"] == d["result"]["lines"][2]["points"]


@pytest.mark.parametrize("method", ["model", "ink"])
def test_the_records_equal_the_command_lines(client, sample, tmp_path, method):
    """Same image, same method: the web result's source and segmentation records are the
    CLI's, key for key."""
    image_file = tmp_path / "crop.png"
    image_file.write_bytes(png(sample.image))
    cal = Calibration.from_dict(sample.meta["calibration"])
    source = Segmenter.from_path(default_model()) if method == "model" else InkMask()
    digitize_files([image_file], tmp_path / "out", CalibrationSource(fixed=cal), source,
                   DigitizeOptions())  # fmt: skip
    cli = json.loads((tmp_path / "out" / "crop.json").read_text())
    r = client.post(
        "/api/digitize",
        files={"file": ("crop.png", image_file.read_bytes(), "image/png")},
        data={"calibration": json.dumps(sample.meta["calibration"]), "method": method},
    )
    assert r.status_code == 200, r.text
    web = r.json()["result"]
    assert web["source"] == cli["source"] and web["segmentation"] == cli["segmentation"]
    assert len(web["lines"]) == len(cli["lines"])
    if method == "model":
        assert web["segmentation"]["trained_on"], "the model's training data is recorded"
    else:
        assert "model" not in web["segmentation"]


def test_the_ink_method_finds_the_lines_without_the_model(client, sample):
    cal = sample.meta["calibration"]
    r = client.post(
        "/api/digitize",
        files={"file": ("crop.png", png(sample.image), "image/png")},
        data={"calibration": json.dumps(cal), "method": "ink", "keep": "1,2"},
    )
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["result"]["segmentation"]["method"].startswith("ink threshold")
    assert [ln["line"] for ln in d["result"]["lines"]] == [1, 2]
    truth = np.array(sample.meta["speedlines"][0]["pixels"])
    px = Calibration.from_dict(cal).points_to_pixel(np.array(d["result"]["lines"][0]["points"]))
    assert np.median(distance_to(truth, px)) < 1.5


def test_the_cached_segmenter_runs_the_model_once_per_image():
    calls = []

    def load():
        calls.append("load")
        return Segmenter(DarkInk().eval(), ModelConfig(view="tile", input_size=64))

    cached = CachedSegmenter(load, cache_size=1)
    a, b = np.full((40, 50, 3), 250, np.uint8), np.zeros((40, 50, 3), np.uint8)
    first = cached.segment(a)
    assert cached.segment(a.copy()).probability is first.probability, "same pixels: cached"
    assert cached.segment(a, threshold=0.9).provenance["threshold"] == 0.9
    assert cached.segment(b).mask.all(), "another image: its own probability"
    assert cached.segment(a).probability is not first.probability, "one entry: a was evicted"
    assert calls == ["load"]


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"calibration": "{not json"}, 422, "invalid JSON"),
        ({"calibration": "[" * 100_000}, 422, "nested too deeply"),
        ({"calibration": json.dumps({"x": {"pixel": [1, 1], "value": [0, 1]}, "y": {}})}, 422,
         "coincide"),
        ({"speeds": "1,2"}, 422, "speeds given"),
        ({"keep": "99"}, 422, "no line 99"),
        ({"keep": "a"}, 422, "integers"),
        ({"points": "1"}, 422, ""),
        ({"method": "magic"}, 422, "model"),
    ],
)  # fmt: skip
def test_bad_digitize_input(client, sample, data, status, message):
    cal = Calibration(AxisCalibration((0, 100), (0, 1)), AxisCalibration((100, 0), (1, 2)))
    form = {"calibration": json.dumps(cal.to_dict())} | data
    r = client.post("/api/digitize", files={"file": ("a.png", png(sample.image))}, data=form)
    assert r.status_code == status and message in str(r.json()["detail"])


def test_bad_uploads_are_clear_4xx(client):
    r = client.post("/api/predict", files={"file": ("a.txt", b"hello", "text/plain")})
    assert r.status_code == 415 and "not a readable image" in r.json()["detail"]
    r = client.post("/api/predict", files={"file": ("big.bin", b"0" * 2_000_001)})
    assert r.status_code == 413 and "larger than" in r.json()["detail"]
    big = png(np.zeros((2000, 2000, 3), np.uint8))  # small file, too many pixels
    r = client.post("/api/predict", files={"file": ("big.png", big)})
    assert r.status_code == 413 and "pixels" in r.json()["detail"]
    assert client.post("/api/predict").status_code == 422


def test_concurrent_requests_do_not_mix_results(client):
    samples = [generate_sample(7001, i, "crop", "simple") for i in (1, 2, 3)]

    def size_of(s):
        r = client.post("/api/predict", files={"file": ("x.png", png(s.image), "image/png")})
        return r.json()["width"], r.json()["height"], len(r.json()["lines"])

    with ThreadPoolExecutor(3) as pool:
        got = list(pool.map(size_of, samples * 2))
    for s, (w, h, _) in zip(samples * 2, got):
        assert (w, h) == (s.label.shape[1], s.label.shape[0])
    assert got[:3] == got[3:], "the same image gives the same answer, whatever runs alongside"


def test_serve_refuses_a_bad_port():
    import subprocess
    import sys

    p = subprocess.run([sys.executable, "-m", "speedlines", "serve", "--port", "70000"],
                       capture_output=True, text=True, timeout=120)  # fmt: skip
    assert p.returncode == 2 and "port must be in 1..65535" in p.stderr
