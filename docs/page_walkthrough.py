"""The README's page walkthrough, in headless Chromium on a generated GIF-era map (real
datasheets cannot be shipped): upload, fix what the model got wrong, export.

Writes docs/page-1-found.png (the lines the model found), docs/page-2-fixed.png (after
deleting the spurious lines and drawing the missed ones, with calibration and speeds) and
prints what it did. The fixes are chosen against the generator's truth, as a user would by
eye.

Usage: .venv/bin/python docs/page_walkthrough.py [--seed 9300 --index 4]
(needs chromium and chromium-driver)
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).parent.parent))
from tests.drawn_maps import distance_to
from tests.web.page import Page

from speedlines.synth.sample import generate_sample

DOCS = Path(__file__).parent


def serve() -> str:
    import uvicorn

    from speedlines.web.app import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(create_app(), port=port, log_level="warning"))
    threading.Thread(target=srv.run, daemon=True).start()
    while not srv.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}"


def shot(driver, name: str) -> None:
    png = np.frombuffer(driver.get_screenshot_as_png(), np.uint8)
    image = cv2.imdecode(png, cv2.IMREAD_COLOR)
    out = DOCS / name
    cv2.imwrite(str(out), image, [cv2.IMWRITE_PNG_COMPRESSION, 9])
    print(f"wrote {out} ({out.stat().st_size // 1024} KB)")


def main() -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.keys import Keys

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=9300)
    ap.add_argument("--index", type=int, default=4)
    args = ap.parse_args()
    sample = generate_sample(args.seed, args.index, "gif", "combined")
    tmp = Path(tempfile.mkdtemp())
    image, cal_file = tmp / "gif-map.png", tmp / "gif-map.calibration.json"
    cv2.imwrite(str(image), cv2.cvtColor(sample.image, cv2.COLOR_RGB2BGR))
    cal_file.write_text(json.dumps(sample.meta["calibration"]))
    truth = [np.array(sl["pixels"]) for sl in sample.meta["speedlines"]]

    opts = webdriver.ChromeOptions()
    opts.binary_location = shutil.which("chromium")
    for arg in ("--headless=new", "--no-sandbox", "--window-size=1300,950"):
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=opts)
    try:
        page = Page(driver, serve()).open()
        page.upload(image)
        found = page.state(".lines")
        print(f"{len(found)} lines found, {len(truth)} true")
        shot(driver, "page-1-found.png")

        # Spurious: a found line far from every true line. Missed: a true line no found
        # line follows over most of its length.
        def off(ln) -> float:
            return min(np.median(distance_to(t, np.array(ln["pixels"]))) for t in truth)

        spurious = [ln["id"] for ln in found if off(ln) > 3]
        for line_id in spurious:
            pixels = np.array(next(ln["pixels"] for ln in found if ln["id"] == line_id))
            page.click_at(*map(float, pixels[len(pixels) // 2]))
            page.key(Keys.DELETE)
        covered = [np.concatenate([np.array(ln["pixels"]) for ln in found
                                   if ln["id"] not in spurious])]  # fmt: skip
        for k, t in enumerate(truth):
            if np.mean(distance_to(covered[0], t) < 3) > 0.7:
                continue
            page.key("d")
            for i in np.linspace(0, len(t) - 1, 12).astype(int):
                page.click_at(*map(float, t[i]))
            page.key(Keys.ENTER)
            print(f"true line {k + 1} drawn by 12 clicks")
        print(f"deleted as spurious: lines {spurious}")

        page.find("#cal-file").send_keys(str(cal_file))
        for ln in page.state(".lines"):  # the speed of the true line each one follows
            d = [np.median(distance_to(t, np.array(ln["pixels"]))) for t in truth]
            speed = sample.meta["speeds"][int(np.argmin(d))]
            page.type_speed(ln["id"], f"{speed:g}")
        page.after_fit(lambda: page.find("#digitize").click())
        print(page.status)
        driver.set_window_size(1300, 2150)  # the whole page: image, lines, curves, files
        driver.execute_script("window.scrollTo(0, 0)")
        time.sleep(0.5)
        shot(driver, "page-2-fixed.png")
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
