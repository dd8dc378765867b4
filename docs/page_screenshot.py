"""Screenshot of the web page after digitizing a generated chart: docs/page.png.

Usage: .venv/bin/python docs/page_screenshot.py  (needs chromium and chromium-driver)
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2

sys.path.insert(0, str(Path(__file__).parent.parent))
from tests.web.test_browser import _click_image_at

from speedlines.digitize.calibration import Calibration
from speedlines.synth.sample import generate_sample


def main() -> None:
    import shutil
    import socket
    import tempfile
    import threading
    import time

    import uvicorn
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.support.ui import WebDriverWait

    from speedlines.web.app import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(create_app(), port=port, log_level="warning"))
    threading.Thread(target=srv.run, daemon=True).start()
    while not srv.started:
        time.sleep(0.05)
    sample = generate_sample(7003, 1, "chart", "simple")
    image = Path(tempfile.mkdtemp()) / "chart.png"
    cv2.imwrite(str(image), cv2.cvtColor(sample.image, cv2.COLOR_RGB2BGR))
    truth = Calibration.from_dict(sample.meta["calibration"])
    opts = webdriver.ChromeOptions()
    opts.binary_location = shutil.which("chromium")
    for arg in ("--headless=new", "--no-sandbox", "--window-size=1500,1400"):
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=opts)
    try:
        driver.get(f"http://127.0.0.1:{port}")
        driver.find_element("id", "file").send_keys(str(image))
        wait = WebDriverWait(driver, 120)
        wait.until(lambda d: d.find_element("tag name", "body").get_attribute("data-state"))
        x0, y0, x1, y1 = truth.plot_area
        clicks = {"x0": (x0 + 20, y1), "x1": (x1 - 20, y1), "y0": (x0, y1 - 20),
                  "y1": (x0, y0 + 20), "a0": (x0, y0), "a1": (x1, y1)}  # fmt: skip
        for key, (col, row) in clicks.items():
            driver.find_element("css selector", f"[data-pick={key}]").click()
            _click_image_at(driver, col, row)
            px, py = map(float, driver.find_element("id", f"px-{key}").text.split(","))
            if key[0] in "xy":
                value = truth.x.to_data(px) if key[0] == "x" else truth.y.to_data(py)
                driver.find_element("id", f"val-{key}").send_keys(f"{float(value):.4g}")
        driver.find_element("id", "speeds").send_keys(
            ",".join(f"{s:g}" for s in sample.meta["speeds"])
        )
        driver.find_element("id", "digitize").click()
        wait.until(
            lambda d: (
                d.find_element("tag name", "body").get_attribute("data-state") == "digitized"
                or "error" in d.find_element("id", "status").text
            )
        )
        print(driver.find_element("id", "status").text)
        out = Path(__file__).parent / "page.png"
        driver.save_screenshot(str(out))
        print(f"wrote {out}")
    finally:
        driver.quit()
        srv.should_exit = True


if __name__ == "__main__":
    main()
