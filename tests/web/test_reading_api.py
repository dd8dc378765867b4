"""POST /api/axes and /api/labels: the axes and the speeds of an uploaded chart read from its
printed labels (needs the OCR package, as `make test` installs it)."""

import json

import cv2
import numpy as np
import pytest
from fastapi.testclient import TestClient

from speedlines.digitize.calibration import Calibration
from speedlines.synth.sample import generate_sample
from speedlines.web.app import create_app

pytest.importorskip("rapidocr_onnxruntime", reason="reading axes needs rapidocr-onnxruntime")


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(load_model=lambda: pytest.fail("no model for axes"))) as c:
        yield c


def png(image: np.ndarray) -> bytes:
    return cv2.imencode(".png", cv2.cvtColor(image, cv2.COLOR_RGB2BGR))[1].tobytes()


def test_the_axes_of_a_chart_are_read_into_a_calibration(client):
    sample = generate_sample(7003, 3, "chart", "combined")  # axes read, checked against truth
    r = client.post("/api/axes", files={"file": ("chart.png", png(sample.image), "image/png")})
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["source"] == "auto" and 0 < d["confidence"] <= 1 and d["ticks"]["x"]
    read, truth = Calibration.from_dict(d), Calibration.from_dict(sample.meta["calibration"])
    x0, y0, x1, y1 = truth.plot_area
    for col in np.linspace(x0, x1, 5):  # within half a percent of the axis span
        assert abs(read.x.to_data(col) - truth.x.to_data(col)) < 0.005 * np.ptp(truth.x.value)
    for row in np.linspace(y0, y1, 5):
        assert abs(read.y.to_data(row) - truth.y.to_data(row)) < 0.005 * np.ptp(truth.y.value)


def test_an_image_without_readable_axes_gets_one_line_saying_what_is_missing(client):
    blank = np.full((200, 300, 3), 255, np.uint8)
    cv2.rectangle(blank, (40, 20), (280, 170), (0, 0, 0), 1)
    r = client.post("/api/axes", files={"file": ("blank.png", png(blank), "image/png")})
    assert r.status_code == 422
    assert "axis" in r.json()["detail"] and "\n" not in r.json()["detail"]
    r = client.post("/api/axes", files={"file": ("x.png", b"not an image", "image/png")})
    assert r.status_code == 415


def test_each_page_line_gets_the_speed_printed_next_to_it(client):
    sample = generate_sample(7003, 1, "chart", "simple")  # "N=109655" at each choke end
    lines = [{"id": 10 + k, "pixels": sl["pixels"][::-1]}  # page ids, drawn right to left
             for k, sl in enumerate(reversed(sample.meta["speedlines"]))]  # fmt: skip
    files = {"file": ("chart.png", png(sample.image), "image/png")}
    area = json.dumps(sample.meta["calibration"]["plot_area"])
    data = {"lines": json.dumps(lines), "plot_area": area}
    r = client.post("/api/labels", files=files, data=data)
    assert r.status_code == 200, r.text
    got = {int(k): v["speed"] for k, v in r.json()["labels"].items()}
    assert got == {10 + k: s for k, s in enumerate(reversed(sample.meta["speeds"]))}
    label = r.json()["labels"]["13"]
    assert label["text"] == "N=109655" and len(label["box"]) == 4
    # Without the plotting area every text is read, tick labels and titles too.
    r_all = client.post("/api/labels", files=files, data={"lines": json.dumps(lines)})
    assert r_all.status_code == 200 and r.json()["texts"] < r_all.json()["texts"]


@pytest.mark.parametrize(
    ("lines", "message"),
    [("[{", "not valid JSON"), ('{"id": 1}', "JSON list"), ('[{"id": "a"}]', "integer id"),
     ('[{"id": 1, "pixels": [[1, 2]]}]', "line 1"),
     ('[{"id": 1, "pixels": [[1e9, 2], [3, 4]]}]', "line 1")],
)  # fmt: skip
def test_bad_lines_get_one_line(client, lines, message):
    blank = np.full((60, 80, 3), 255, np.uint8)
    files = {"file": ("b.png", png(blank), "image/png")}
    r = client.post("/api/labels", files=files, data={"lines": lines})
    assert r.status_code == 422 and message in r.json()["detail"], r.text
