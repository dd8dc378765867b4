"""End to end in a real headless browser: upload a generated map, calibrate by clicking on the
image, type each line's speed, download the CSV and check it against the truth; find the
lines again by the ink method; a hostile unit stays text and the page keeps to its CSP."""

import time

import numpy as np
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from speedlines.digitize.calibration import Calibration
from tests.drawn_maps import distance_to
from tests.web.conftest import needs_browser
from tests.web.page import Page, chart, rows_of

pytestmark = needs_browser


def test_upload_calibrate_by_clicks_and_download_the_csv(server, browser, tmp_path):
    sample, path, _ = chart(tmp_path)
    truth = Calibration.from_dict(sample.meta["calibration"])
    page = Page(browser, server).open()
    page.upload(path)
    assert page.all("#overlay polyline.speedline"), "overlay drawn"
    assert page.line_ids() == [1, 2, 3, 4]
    # The page read this scan's axes turned; the user calibrates by hand in image pixels.
    assert page.find("#cal-turn").is_displayed()
    page.find("#straight-axes").click()

    # Two points per axis and the plotting area, clicked on the image; each value typed is
    # the true value at the pixel the page recorded, as a user reads it off the axis.
    x0, y0, x1, y1 = truth.plot_area
    clicks = {"x0": (x0 + 20, y1), "x1": (x1 - 20, y1), "y0": (x0, y1 - 20), "y1": (x0, y0 + 20),
              "a0": (x0, y0), "a1": (x1, y1)}  # fmt: skip
    for key, (col, row) in clicks.items():
        page.find(f"[data-pick={key}]").click()
        assert page.find("#prompt").is_displayed()
        page.click_at(col, row)
        assert not page.find("#prompt").is_displayed(), "the prompt goes when the point is set"
        px, py = page.state(f".cal.picks.{key}")
        assert abs(px - col) <= 1 and abs(py - row) <= 1  # sub-pixel, through the zoom
        if key[0] in "xy":
            value = truth.x.to_data(px) if key[0] == "x" else truth.y.to_data(py)
            box = page.find(f"#val-{key}")  # typed over the value read from the labels
            box.send_keys(Keys.CONTROL, "a")
            box.send_keys(repr(float(value)))
    assert page.find("#cal-ok").is_displayed(), page.find("#cal-check").text
    for line_id, speed in zip(page.line_ids(), sample.meta["speeds"], strict=True):
        page.type_speed(line_id, f"{speed:,}".replace(",", " "))  # "109 655", as on maps
    page.after_fit(lambda: page.find("#digitize").click())
    assert page.find("#status").get_attribute("class") != "error", page.status
    rows = page.csv_rows()
    assert {float(r["speed"]) for r in rows} == set(sample.meta["speeds"])
    for k, line in enumerate(sample.meta["speedlines"], start=1):
        px = truth.points_to_pixel(rows_of(rows, k))
        error = distance_to(np.array(line["pixels"]), px)
        assert np.median(error) < 2.0, f"line {k}: median {np.median(error):.2f} px off"

    # Found again by the ink method: the result records where the lines came from.
    Select(page.find("#method")).select_by_value("ink")
    page.after_fit(lambda: page.find("#method-apply").click())
    origins = {ln["origin"] for ln in page.state(".result.result.lines")}
    assert origins == {"ink"}, origins
    kept = [ln["id"] for ln in page.state(".lines") if ln["kept"]]
    assert page.state(".result.result.segmentation")["origins"] == {"ink": len(kept)}
    assert [ln["id"] for ln in page.state(".result.result.lines")] == kept
    assert page.console_errors() == []


def test_units_from_a_file_show_as_text_and_the_page_keeps_to_its_csp(server, browser, tmp_path):
    """A calibration whose unit is HTML shows as text (no element made, no script run), and
    the page breaks no Content-Security-Policy rule."""
    import json

    sample, path, cal_file = chart(tmp_path)
    hostile = "<img src=x onerror=window.pwned=1>"
    cal = dict(sample.meta["calibration"], units={"x": hostile, "y": "<b>bold</b>"})
    cal_file.write_text(json.dumps(cal))
    page = Page(browser, server).open()
    page.upload(path)
    page.find("#cal-file").send_keys(str(cal_file))
    page.after_fit(lambda: page.find("#digitize").click())
    headers = [th.text for th in page.all("#results th")]
    assert f"x ({hostile})" in headers and "y (<b>bold</b>)" in headers
    assert not page.all("#results img, #results b, #plot img")
    time.sleep(0.2)
    assert browser.execute_script("return window.pwned") is None
    csp = [m["message"] for m in browser.get_log("browser") if "Content Security" in m["message"]]
    assert not csp, csp
