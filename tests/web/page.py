"""Driving the page as a user does (upload, click on image pixels, keys) and reading what it
offers (the downloads' contents, the lines list), for the browser tests."""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path

import cv2
import numpy as np

from speedlines.synth.sample import generate_sample


class Page:
    def __init__(self, driver, server: str, timeout: float = 120):
        from selenium.webdriver.support.ui import WebDriverWait

        self.d = driver
        self.server = server
        self.wait = WebDriverWait(driver, timeout)

    def open(self, clear_storage: bool = True) -> Page:
        self.d.get(self.server)
        if clear_storage:
            self.d.execute_script("localStorage.clear()")
            self.d.get(self.server)
        self.d.get_log("browser")  # only this page's messages from here on
        return self

    def find(self, css: str):
        return self.d.find_element("css selector", css)

    def all(self, css: str):
        return self.d.find_elements("css selector", css)

    def state(self, expr: str = ""):
        js = f"return JSON.parse(JSON.stringify(window.speedlines.state{expr}))"
        return self.d.execute_script(js)

    def upload(self, path: Path) -> None:
        """Upload and wait for the lines, and for the axes and speeds read beside them."""
        self.find("#file").send_keys(str(path))
        self.wait.until(
            lambda d: d.execute_script(
                "const s = window.speedlines.state; return !document.body.dataset.busy && "
                "(s.image !== null || document.getElementById('status').className === 'error')"
            )
        )
        self.settle_reading()

    def settle_reading(self) -> None:
        self.wait.until(
            lambda d: d.execute_script("return Number(document.body.dataset.reading || 0) === 0")
        )

    def type_speed(self, line_id: int, text: str, *then: str) -> None:
        """Replace what a line's speed box holds (perhaps a speed read from a label), then
        press ``then`` (Tab: leave the box, the one change that starts a fit)."""
        from selenium.webdriver.common.keys import Keys

        box = self.find(f"input.speed[data-line='{line_id}']")
        box.send_keys(Keys.CONTROL, "a")
        box.send_keys(Keys.DELETE, text, *then)

    @property
    def status(self) -> str:
        return self.find("#status").text

    def fits(self) -> int:
        return int(self.find("body").get_attribute("data-fits") or 0)

    def after_fit(self, action) -> None:
        """Do ``action`` and wait for the page's next fit (done or failed)."""
        before = self.fits()
        action()
        self.wait.until(lambda d: self.fits() > before)

    def click_at(self, col: float, row: float, shift: bool = False) -> None:
        """Click where image pixel (col, row) is shown, whatever the zoom and pan."""
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.actions.action_builder import ActionBuilder
        from selenium.webdriver.common.keys import Keys

        x, y = self.d.execute_script(
            "const m = document.getElementById('overlay').getScreenCTM();"
            "return [m.a * arguments[0] + m.e, m.d * arguments[1] + m.f];",
            col,
            row,
        )
        chain = ActionChains(self.d)
        if shift:
            chain.key_down(Keys.SHIFT)
        builder = ActionBuilder(self.d)
        builder.pointer_action.move_to_location(round(x), round(y))
        builder.pointer_action.click()
        builder.perform()
        if shift:
            chain.key_up(Keys.SHIFT).perform()

    def key(self, *keys, ctrl: bool = False) -> None:
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.keys import Keys

        chain = ActionChains(self.d)
        if ctrl:
            chain.key_down(Keys.CONTROL)
        chain.send_keys(*keys)
        if ctrl:
            chain.key_up(Keys.CONTROL)
        chain.perform()

    def download(self, link_id: str) -> str:
        """The text of a download the page offers (its blob), '' when it is not offered."""
        return self.d.execute_async_script(
            "const done = arguments[1]; const a = document.getElementById(arguments[0]);"
            "if (!a) { done(''); return; }"
            "fetch(a.href).then(r => r.text()).then(done, () => done(''));",
            link_id,
        )

    def csv_rows(self) -> list[dict]:
        return list(csv.DictReader(io.StringIO(self.download("download-CSV"))))

    def line_ids(self) -> list[int]:
        return [int(e.get_attribute("data-line")) for e in self.all("#lines tr[data-line]")]

    def console_errors(self) -> list[str]:
        """Script errors; an API refusal (a 4xx answer the page shows) is not one."""
        severe = [m["message"] for m in self.d.get_log("browser") if m["level"] == "SEVERE"]
        return [m for m in severe if "Failed to load resource" not in m]


def chart(tmp_path: Path, seed: int = 7003, index: int = 1, name: str = "chart.png"):
    """A fixed generated test chart (4 lines, never trained on), its file and calibration file."""
    sample = generate_sample(seed, index, "chart", "simple")
    path = tmp_path / name
    cv2.imwrite(str(path), cv2.cvtColor(sample.image, cv2.COLOR_RGB2BGR))
    cal = tmp_path / (Path(name).stem + ".calibration.json")
    cal.write_text(json.dumps(sample.meta["calibration"]))
    return sample, path, cal


def rows_of(rows: list[dict], line: int) -> np.ndarray:
    return np.array([[float(r["x"]), float(r["y"])] for r in rows if r["line"] == str(line)])


def settle(seconds: float = 0.3) -> None:
    time.sleep(seconds)
