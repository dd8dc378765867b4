"""POST /api/axes: the axes of an uploaded chart read from its tick labels (needs the OCR
package, as `make test` installs it)."""

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
