"""End to end in a real headless browser: upload a generated map, wait for the overlay,
calibrate by clicking on the image, download the CSV and check it against the truth; then
digitize again by the ink method.

Needs Debian's chromium and chromium-driver (`make test` installs them where it may); it is
skipped, saying why, where they are missing.
"""

import csv
import json
import shutil
import socket
import threading
import time

import cv2
import numpy as np
import pytest

from speedlines.digitize.calibration import Calibration
from speedlines.synth.sample import generate_sample
from tests.drawn_maps import distance_to

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and DRIVER),
    reason="no chromium/chromedriver: apt-get install chromium chromium-driver to run it",
)


@pytest.fixture(scope="module")
def server():
    import uvicorn

    from speedlines.web.app import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(create_app(), port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path_factory.mktemp("downloads")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                "--window-size=1400,1000"):  # fmt: skip
        opts.add_argument(arg)
    opts.add_experimental_option("prefs", {"download.default_directory": str(downloads)})
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    driver.downloads = downloads
    yield driver
    driver.quit()


def _click_image_at(driver, col: float, row: float) -> None:
    """Click where image pixel (col, row) is shown, whatever the display scale."""
    from selenium.webdriver.common.action_chains import ActionChains

    img = driver.find_element("id", "image")
    w, h = img.size["width"], img.size["height"]
    nat_w = driver.execute_script("return arguments[0].naturalWidth", img)
    nat_h = driver.execute_script("return arguments[0].naturalHeight", img)
    x = (col + 0.5) * w / nat_w - w / 2  # offsets from the element's centre
    y = (row + 0.5) * h / nat_h - h / 2
    ActionChains(driver).move_to_element_with_offset(img, int(x), int(y)).click().perform()


def test_upload_calibrate_by_clicks_and_download_the_csv(server, browser, tmp_path):
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select, WebDriverWait

    sample = generate_sample(7003, 1, "chart", "simple")  # a fixed test chart (4 lines)
    path = tmp_path / "chart.png"
    cv2.imwrite(str(path), cv2.cvtColor(sample.image, cv2.COLOR_RGB2BGR))
    truth = Calibration.from_dict(sample.meta["calibration"])
    wait = WebDriverWait(browser, 120)

    browser.get(server)
    browser.find_element("id", "file").send_keys(str(path))
    wait.until(lambda d: d.find_element("tag name", "body").get_attribute("data-state"))
    assert browser.find_elements("css selector", "#overlay polyline.speedline"), "overlay drawn"

    # Two points per axis and the plotting area, clicked on the image; each value typed is
    # the true value at the pixel the page recorded, as a user reads it off the axis.
    x0, y0, x1, y1 = truth.plot_area
    clicks = {"x0": (x0 + 20, y1), "x1": (x1 - 20, y1), "y0": (x0, y1 - 20), "y1": (x0, y0 + 20),
              "a0": (x0, y0), "a1": (x1, y1)}  # fmt: skip
    for key, (col, row) in clicks.items():
        browser.find_element("css selector", f"[data-pick={key}]").click()
        _click_image_at(browser, col, row)
        px, py = map(float, browser.find_element("id", f"px-{key}").text.split(","))
        assert abs(px - col) <= 3 and abs(py - row) <= 3  # whole CSS pixels, scaled
        if key[0] in "xy":
            value = truth.x.to_data(px) if key[0] == "x" else truth.y.to_data(py)
            browser.find_element("id", f"val-{key}").send_keys(repr(float(value)))
    browser.find_element("id", "speeds").send_keys(",".join(map(str, sample.meta["speeds"])))
    browser.find_element("id", "digitize").click()
    wait.until(lambda d: d.find_element("tag name", "body").get_attribute("data-state")
               == "digitized")  # fmt: skip
    assert "error" not in browser.find_element("id", "status").text
    wait.until(ec.element_to_be_clickable(("id", "download-CSV"))).click()
    target = browser.downloads / "chart.csv"
    for _ in range(100):
        if target.is_file() and target.stat().st_size:
            break
        time.sleep(0.1)
    rows = list(csv.DictReader(target.open()))
    assert {float(r["speed"]) for r in rows} == set(sample.meta["speeds"])
    for k, line in enumerate(sample.meta["speedlines"], start=1):
        data = np.array([[float(r["x"]), float(r["y"])] for r in rows if r["line"] == str(k)])
        px = truth.points_to_pixel(data)
        error = distance_to(np.array(line["pixels"]), px)
        assert np.median(error) < 2.0, f"line {k}: median {np.median(error):.2f} px off"

    # The same calibration and speeds by the ink method: its record replaces the model's.
    assert browser.find_element("css selector", "label[for=method]").text
    Select(browser.find_element("id", "method")).select_by_value("ink")
    browser.find_element("id", "digitize").click()
    status = browser.find_element("id", "status")
    record = "return state.current.result.segmentation"
    wait.until(lambda d: "method" in d.execute_script(record) or "error" in status.text)
    assert "error" not in status.text
    lines = browser.execute_script("return state.current.result.lines")
    assert [ln["speed"] for ln in lines] == sample.meta["speeds"]


def test_units_from_the_api_show_as_text_and_the_page_keeps_to_its_csp(server, browser, tmp_path):
    """A calibration whose unit is HTML comes back from the API as it was given: the page
    shows it as text (no element made, no script run), and breaks no Content-Security-Policy
    rule."""
    sample = generate_sample(7003, 1, "chart", "simple")
    path = tmp_path / "chart.png"
    cv2.imwrite(str(path), cv2.cvtColor(sample.image, cv2.COLOR_RGB2BGR))
    hostile = "<img src=x onerror=window.pwned=1>"
    cal = dict(sample.meta["calibration"], units={"x": hostile, "y": "<b>bold</b>"})
    cal_file = tmp_path / "cal.json"
    cal_file.write_text(json.dumps(cal))
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 120)
    browser.get(server)
    browser.get_log("browser")  # only this page's messages below
    browser.find_element("id", "file").send_keys(str(path))
    wait.until(lambda d: d.find_element("tag name", "body").get_attribute("data-state"))
    browser.find_element("id", "cal-file").send_keys(str(cal_file))
    browser.find_element("id", "digitize").click()
    wait.until(lambda d: d.find_element("tag name", "body").get_attribute("data-state")
               == "digitized")  # fmt: skip
    headers = [th.text for th in browser.find_elements("css selector", "#results th")]
    assert f"x ({hostile})" in headers and "y (<b>bold</b>)" in headers
    assert not browser.find_elements("css selector", "#results img, #results b")
    assert browser.execute_script("return window.pwned") is None
    csp = [m["message"] for m in browser.get_log("browser") if "Content Security" in m["message"]]
    assert not csp, csp
