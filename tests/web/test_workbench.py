"""The page as a digitizing workbench, in a real headless browser: what is shown is what is
exported (exactly the ticked lines, with stable numbers and colours), the calibration form is
the one truth, the busy state, and the edit tools (delete, trim, split, join, draw, undo,
redo) with the exported CSV checked against the edited state; projects saved and restored."""

import json

import cv2
import numpy as np
import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from speedlines.digitize.calibration import Calibration
from speedlines.synth.sample import generate_sample
from tests.cli.test_digitize_auto_axes import without_y_labels
from tests.drawn_maps import distance_to
from tests.web.conftest import needs_browser
from tests.web.page import Page, chart, rows_of

pytestmark = needs_browser


def digitized(page, sample, cal_file, speeds=True):
    """Calibration from the file, each line's speed typed, Digitize pressed."""
    page.find("#cal-file").send_keys(str(cal_file))
    if speeds:
        for line_id, speed in zip(page.line_ids(), sample.meta["speeds"], strict=True):
            page.type_speed(line_id, str(speed))
    page.after_fit(lambda: page.find("#digitize").click())


def at(sample, line: int, share: float) -> tuple[float, float]:
    """The true pixel a share of the way along a line (1-based), surge to choke."""
    px = np.array(sample.meta["speedlines"][line - 1]["pixels"])
    col, row = px[min(len(px) - 1, int(share * (len(px) - 1)))]
    return float(col), float(row)


def median_px_error(sample, rows, csv_line, true_line):
    truth = Calibration.from_dict(sample.meta["calibration"])
    px = truth.points_to_pixel(rows_of(rows, csv_line))
    true_px = np.array(sample.meta["speedlines"][true_line - 1]["pixels"])
    return float(np.median(distance_to(true_px, px)))


def test_the_files_hold_exactly_the_ticked_lines_with_stable_numbers_and_colours(
    server, browser, tmp_path
):
    sample, path, cal_file = chart(tmp_path)
    page = Page(browser, server).open()
    page.upload(path)
    assert page.line_ids() == [1, 2, 3, 4]
    overlay = {int(e.get_attribute("data-line")): e.get_attribute("stroke")
               for e in page.all("#overlay polyline.speedline")}  # fmt: skip
    digitized(page, sample, cal_file)
    assert page.line_ids() == [1, 2, 3, 4], "Digitize keeps the numbers"
    assert len({r["line"] for r in page.csv_rows()}) == 4

    page.after_fit(lambda: page.find("input[aria-label='keep line 2']").click())
    assert page.line_ids() == [1, 2, 3, 4], "an untick renumbers nothing"
    speeds = sample.meta["speeds"]
    rows = page.csv_rows()
    assert sorted({float(r["speed"]) for r in rows}) == [speeds[0], speeds[2], speeds[3]]
    assert [ln["id"] for ln in json.loads(page.download("download-JSON"))["lines"]] == [1, 3, 4]
    assert page.download("download-map").count(f"{speeds[1]:g}") == 0
    assert all(f"{s:g}" in page.download("download-map") for s in (speeds[0], speeds[3]))
    table = [r.find_elements("css selector", "td")[0].text for r in page.all("#results tr")[1:]]
    assert table == ["line 1", "line 3", "line 4"]
    curves = {int(e.get_attribute("data-line")): e.get_attribute("stroke")
              for e in page.all("#plot polyline.curve[data-line]")}  # fmt: skip
    assert set(curves) == {1, 3, 4} and all(curves[k] == overlay[k] for k in curves)
    assert [e.text for e in page.all("#plot .legend")][:3] == [
        f"line 1: {speeds[0]:g}", f"line 3: {speeds[2]:g}", f"line 4: {speeds[3]:g}"]  # fmt: skip

    for k in (1, 3):
        page.after_fit(lambda k=k: page.find(f"input[aria-label='keep line {k}']").click())
    page.after_fit(lambda: page.find("input[aria-label='keep line 4']").click())
    assert "no line is ticked" in page.status
    assert not page.all("#downloads a"), "nothing to download when no line is ticked"


def test_speeds_per_line_as_typed_and_an_unticked_line_stays_out(server, browser, tmp_path):
    sample, path, cal_file = chart(tmp_path)
    page = Page(browser, server).open()
    page.upload(path)
    page.find("input[aria-label='keep line 4']").click()  # before Digitize: a spurious line
    page.find("#cal-file").send_keys(str(cal_file))
    s1, s2, s3, _ = sample.meta["speeds"]
    typed = [f"{s1:,}".replace(",", " "), f"{s2 / 1000:g}k", f"{s3} rpm"]
    for line_id, text in zip((1, 2, 3), typed, strict=True):
        page.type_speed(line_id, text)
    requests = (
        "return performance.getEntriesByType('resource')"
        ".filter((e) => e.name.endsWith('/api/fit')).length"
    )
    page.after_fit(lambda: ActionChains(browser).double_click(page.find("#digitize")).perform())
    assert browser.execute_script(requests) == 1, "a double click sends one request"
    assert not page.find("input[aria-label='keep line 4']").is_selected()
    rows = page.csv_rows()
    assert sorted({float(r["speed"]) for r in rows}) == [s1, s2, s3]
    assert "--" not in page.status and page.all("#download-map")

    # Out of order: which lines, in words. Typed over as a user does, in one change: a
    # clear() of its own is a change and a fit of its own, that after_fit can take for this.
    page.after_fit(lambda: page.type_speed(2, f"{s3 + 1000}", Keys.TAB))
    assert "line 2" in page.status and "line 3" in page.status, page.status
    assert not page.all("#downloads a")
    page.after_fit(lambda: page.type_speed(2, "", Keys.TAB))  # no speed: no .map, and why
    assert not page.all("#download-map") and page.all("#download-CSV")
    assert "line 2" in page.find("#map-note").text


def test_the_calibration_form_shows_the_file_and_a_click_changes_one_point(
    server, browser, tmp_path
):
    sample, path, cal_file = chart(tmp_path)
    cal = sample.meta["calibration"]
    page = Page(browser, server).open()
    page.upload(path)
    # No made-up default units: the ones shown are read from the axis titles (this chart is
    # a turned scan, read straightened).
    assert "read automatically" in page.find("#cal-source").text
    assert page.find("#unit-x").get_attribute("value") == cal["units"]["x"]
    page.find("#cal-file").send_keys(str(cal_file))
    assert page.find("#px-x0").text == f"column {round(cal['x']['pixel'][0], 2):g}"
    assert float(page.find("#val-y1").get_attribute("value")) == cal["y"]["value"][1]
    assert page.find("#unit-x").get_attribute("value") == cal["units"]["x"]
    assert "chart.calibration.json" in page.find("#cal-source").text
    page.find("[data-pick=x0]").click()
    page.click_at(cal["x"]["pixel"][0] + 3, 100)
    assert page.find("#px-x1").text == f"column {round(cal['x']['pixel'][1], 2):g}", "kept"
    assert "edited by clicks" in page.find("#cal-source").text
    page.after_fit(lambda: page.find("#digitize").click())
    used = page.state(".result.result.calibration")
    assert abs(used["x"]["pixel"][0] - (cal["x"]["pixel"][0] + 3)) < 1  # a screen pixel
    assert used["y"]["pixel"] == cal["y"]["pixel"] and used["units"] == cal["units"]

    bad = tmp_path / "same.json"  # coinciding values: refused when loaded, not at Digitize
    bad.write_text(json.dumps(dict(cal, x=dict(cal["x"], value=[1.0, 1.0]))))
    page.find("#cal-file").send_keys(str(bad))
    assert "values are equal" in page.status
    assert page.state(".cal.values.x0") != "1"

    _, other, _ = chart(tmp_path, seed=7003, index=2, name="other.png")
    old = page.state(".cal.picks")
    page.upload(other)  # a new image: no point of the old one is kept (its own axes are read)
    assert "chart.calibration.json" not in page.find("#cal-source").text
    assert all(page.state(f".cal.picks.{k}") != old[k] for k in ("x0", "x1", "y0", "y1"))
    assert not page.all("#downloads a") and not page.all("#results table")


def test_busy_state_cancel_and_nothing_stale(server, browser, tmp_path):
    _, path, _ = chart(tmp_path)
    _, other, _ = chart(tmp_path, seed=7003, index=2, name="other.png")
    page = Page(browser, server).open()
    page.upload(path)
    assert page.all("#overlay polyline.speedline")
    browser.execute_script(  # a slow model: the request waits 2 s before it is sent
        "const f = window.fetch; window.fetch = (u, o) => String(u).includes('predict') ?"
        " new Promise((r) => setTimeout(r, 2000)).then(() => f(u, o)) : f(u, o);"
    )
    page.find("#file").send_keys(str(other))
    assert page.find("#busy").is_displayed() and "other.png" in page.find("#busy-text").text
    assert page.find("#digitize").get_attribute("disabled")
    assert page.find("#file").get_attribute("disabled"), "no second upload while busy"
    assert not page.all("#overlay polyline"), "the previous image's lines are gone"
    page.find("#cancel").click()
    page.wait.until(lambda d: "cancelled" in page.status)
    assert not page.find("#busy").is_displayed() and page.state(".image") is None

    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not an image at all")
    page.upload(bad)
    assert page.find("#status").get_attribute("class") == "error"
    assert page.state(".image") is None and page.find("#digitize").get_attribute("disabled")

    page.upload(path)
    read = page.state(".cal.picks.y1")  # as read from the tick labels
    page.find("[data-pick=y1]").click()
    assert page.find("#prompt").is_displayed()
    page.key(Keys.ESCAPE)
    assert not page.find("#prompt").is_displayed() and page.state(".cal.picks.y1") == read
    page.click_at(50, 50)
    assert page.state(".cal.picks.y1") == read, "Esc cancelled the pick"


def test_edit_tools_change_what_is_exported(server, browser, tmp_path):
    sample, path, cal_file = chart(tmp_path)
    page = Page(browser, server).open()
    page.upload(path)
    digitized(page, sample, cal_file, speeds=False)
    full = page.csv_rows()

    page.click_at(*at(sample, 3, 0.5))  # select line 3 on the image, delete it, undo, redo
    assert page.state(".selected") == 3
    page.after_fit(lambda: page.key(Keys.DELETE))
    assert page.line_ids() == [1, 2, 4] and len({r["line"] for r in page.csv_rows()}) == 3
    page.after_fit(lambda: page.key("z", ctrl=True))
    assert page.line_ids() == [1, 2, 3, 4] and page.csv_rows() == full
    page.after_fit(lambda: page.key("y", ctrl=True))
    assert page.line_ids() == [1, 2, 4]
    page.after_fit(lambda: page.find("#undo").click())

    page.key("t")  # trim line 1 at 70 %: its choke end goes
    page.after_fit(lambda: page.click_at(*at(sample, 1, 0.7)))
    rows = page.csv_rows()
    cut_flow = Calibration.from_dict(sample.meta["calibration"]).x.to_data(at(sample, 1, 0.7)[0])
    assert rows_of(rows, 1)[:, 0].max() < cut_flow + 0.01 * abs(cut_flow)
    assert rows_of(rows, 1)[:, 0].max() < rows_of(full, 1)[:, 0].max()

    page.key("s")  # split line 2 in the middle, then join the pieces again
    page.after_fit(lambda: page.click_at(*at(sample, 2, 0.5)))
    assert page.line_ids() == [1, 2, 3, 4, 5]
    assert len({r["line"] for r in page.csv_rows()}) == 5
    page.key("j")
    page.click_at(*at(sample, 2, 0.2))
    page.after_fit(lambda: page.click_at(*at(sample, 2, 0.8)))
    assert page.line_ids() == [1, 2, 3, 4]
    assert median_px_error(sample, page.csv_rows(), 2, 2) < 1.5

    page.click_at(*at(sample, 4, 0.5))  # line 4 "missed": deleted, then drawn by clicks
    page.after_fit(lambda: page.key(Keys.DELETE))
    page.key("d")
    for share in np.linspace(0, 1, 14):
        page.click_at(*at(sample, 4, share))
    page.after_fit(lambda: page.key(Keys.ENTER))
    assert page.line_ids() == [1, 2, 3, 6]
    lines = json.loads(page.download("download-JSON"))["lines"]
    drawn = next(ln for ln in lines if ln["id"] == 6)
    assert drawn["origin"] == "drawn" and drawn["line"] == 4
    assert median_px_error(sample, page.csv_rows(), 4, 4) < 1.5
    assert page.console_errors() == []


def test_a_project_is_saved_restored_after_a_reload_and_loaded_from_its_file(
    server, browser, tmp_path
):
    sample, path, cal_file = chart(tmp_path)
    page = Page(browser, server).open()
    page.upload(path)
    digitized(page, sample, cal_file)
    page.click_at(*at(sample, 2, 0.5))
    page.after_fit(lambda: page.key(Keys.DELETE))
    page.find("input[aria-label='keep line 4']").click()
    page.wait.until(lambda d: len({r["line"] for r in page.csv_rows()}) == 2)
    edited = page.state(".lines")
    csv_text = page.download("download-CSV")

    page.find("#save-project").click()
    saved = browser.downloads / "chart.speedlines-project.json"
    page.wait.until(lambda d: saved.is_file() and saved.stat().st_size)
    project = json.loads(saved.read_text())
    assert project["format"] == "speedlines-project/1" and len(project["lines"]) == 3

    page.open(clear_storage=False)  # a reload: the browser kept the work
    page.upload(path)
    page.wait.until(lambda d: page.download("download-CSV"))
    assert page.find("#restored").is_displayed() and page.state(".lines") == edited
    assert page.download("download-CSV") == csv_text

    page.open()  # storage cleared: the project file brings it back
    page.upload(path)
    assert page.line_ids() == [1, 2, 3, 4]
    page.find("#project-file").send_keys(str(saved))
    page.wait.until(lambda d: page.download("download-CSV"))
    assert page.state(".lines") == edited and page.download("download-CSV") == csv_text
    page.after_fit(lambda: page.key("z", ctrl=True))  # loading is one undoable step
    assert page.line_ids() == [1, 2, 3, 4]

    _, other, _ = chart(tmp_path, seed=7003, index=2, name="other.png")
    page.upload(other)
    page.find("#project-file").send_keys(str(saved))
    assert "not for other.png" in page.status


def test_usable_at_1024_px_every_control_named_and_the_docs_offline(server, browser, tmp_path):
    sample, path, cal_file = chart(tmp_path)
    browser.set_window_size(1024, 768)
    try:
        page = Page(browser, server).open()
        page.upload(path)
        digitized(page, sample, cal_file)
        assert browser.execute_script(
            "return document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
        unnamed = browser.execute_script(
            "return [...document.querySelectorAll('input, select, button')].filter((e) =>"
            " !(e.labels && e.labels.length) && !e.getAttribute('aria-label') &&"
            " !e.textContent.trim()).map((e) => e.id || e.outerHTML)"
        )
        assert unnamed == []
        browser.get(server + "/docs")
        page.wait.until(lambda d: "/api/fit" in d.find_element("tag name", "body").text)
    finally:
        browser.set_window_size(1400, 1000)


def test_single_points_are_moved_and_deleted_and_the_view_zooms(server, browser, tmp_path):
    sample, path, cal_file = chart(tmp_path)
    page = Page(browser, server).open()
    page.upload(path)
    digitized(page, sample, cal_file, speeds=False)
    before = page.state(".lines[0].pixels")
    page.find("#zoom-in").click()  # zoomed in, clicks still land on image pixels
    assert page.find("#zoom-level").text != "86 %"
    page.click_at(*at(sample, 1, 0.5))
    assert page.state(".selected") == 1
    page.key("e")
    handles = page.all("#overlay rect.handle")
    assert 3 <= len(handles) <= 60
    handle = handles[len(handles) // 2]
    page.after_fit(lambda: ActionChains(browser).click_and_hold(handle).move_by_offset(0, -40)
                   .release().perform())  # fmt: skip
    moved = page.state(".lines[0]")
    assert moved["origin"] == "edited" and len(moved["pixels"]) == len(handles)
    assert min(p[1] for p in moved["pixels"]) < min(p[1] for p in before) - 10, "dragged up"
    count = len(page.all("#overlay rect.handle"))
    ActionChains(browser).move_to_element(page.all("#overlay rect.handle")[1]).perform()
    page.after_fit(lambda: page.key(Keys.DELETE))
    assert len(page.state(".lines[0].pixels")) == count - 1
    page.key(Keys.ESCAPE)
    assert not page.all("#overlay rect.handle")
    page.after_fit(lambda: page.key("z", ctrl=True))
    page.after_fit(lambda: page.key("z", ctrl=True))
    assert page.state(".lines[0].pixels") == before


def test_the_axes_are_read_into_the_form_and_the_curves_follow(server, browser, tmp_path):
    pytest.importorskip("rapidocr_onnxruntime", reason="reading axes needs rapidocr-onnxruntime")
    sample = generate_sample(7003, 3, "chart", "combined")  # its axes can be read
    path = tmp_path / "readable.png"
    cv2.imwrite(str(path), cv2.cvtColor(sample.image, cv2.COLOR_RGB2BGR))
    page = Page(browser, server).open()
    page.upload(path)
    page.wait.until(lambda d: "read automatically" in page.find("#cal-source").text)
    assert page.find("#cal-ok").is_displayed() and page.find("#val-x1").get_attribute("value")
    # What was read is shown on the image: a box around each tick label, its value above.
    read = page.state(".axesRead.ticks")
    boxes = page.all("#overlay polygon.tick-read")
    assert len(boxes) == len(read["x"]) + len(read["y"]) >= 4
    values = {t.text for t in page.all("#overlay text.tick-value")}
    assert {str(t["value"]).removesuffix(".0") for t in read["x"] if t["used"]} <= {
        v.removesuffix(".0") for v in values
    }
    page.after_fit(lambda: page.find("#digitize").click())
    truth = Calibration.from_dict(sample.meta["calibration"])
    rows = page.csv_rows()
    errors = [median_px_error(sample, rows, k, k) for k in range(1, len(sample.meta["speeds"]) + 1)
              if len(rows_of(rows, k))]  # fmt: skip
    assert errors and max(errors) < 3.0, errors
    assert truth.plot_area

    blank, _, _ = chart(tmp_path)  # its y labels painted over: the form says so
    unreadable = tmp_path / "unreadable.png"
    cv2.imwrite(str(unreadable), cv2.cvtColor(without_y_labels(blank), cv2.COLOR_RGB2BGR))
    page.upload(unreadable)
    page.wait.until(lambda d: "axes not read" in page.find("#cal-source").text)
    assert "y axis" in page.find("#cal-source").text and page.find("#px-y0").text == "-"


def test_a_turned_scan_is_read_straightened_and_digitized(server, browser, tmp_path):
    pytest.importorskip("rapidocr_onnxruntime", reason="reading axes needs rapidocr-onnxruntime")
    sample, path, cal_file = chart(tmp_path)  # turned and at a slant: read straightened
    assert sample.meta["warped"]
    page = Page(browser, server).open()
    page.upload(path)
    page.wait.until(lambda d: "read automatically" in page.find("#cal-source").text)
    assert page.find("#cal-turn").is_displayed() and "turned" in page.find("#cal-turn-text").text
    assert page.find("#cal-ok").is_displayed()
    guide = page.find("#overlay line.guide[data-guide=x0]")  # drawn along the turned axis
    ends = [[float(guide.get_attribute(f"{a}{k}")) for a in "xy"] for k in (1, 2)]
    m = np.array(page.state(".cal.straighten"))
    straight = [(m @ [c, r, 1])[:2] / (m @ [c, r, 1])[2] for c, r in ends]
    assert abs(ends[1][0] - ends[0][0]) > 1, ends  # aslant in the image ...
    for col, _ in straight:  # ... and on the straightened column of x point 1
        assert abs(col - page.state(".cal.picks.x0")[0]) < 0.01, (col, straight)

    page.after_fit(lambda: page.find("#digitize").click())
    assert page.state(".result.result.calibration.straighten")
    # The metadata's two-point calibration is only approximate on a warped scan (0.45 % of
    # the span off, median, on this one): the truth is the true speedline points in data units.
    true = [np.array(sl["data"]) for sl in sample.meta["speedlines"]]
    span = np.ptp(np.concatenate(true), axis=0)
    rows = page.csv_rows()
    assert sorted({int(r["line"]) for r in rows}) == list(range(1, len(true) + 1))
    for k, line in enumerate(true, 1):
        error = np.median(distance_to(line / span, rows_of(rows, k) / span))
        assert error < 0.003, (k, error)

    page.find("[data-pick=x0]").click()  # a click is taken through the straightening
    scan = Calibration.from_dict({**page.state(".result.result.calibration"), "plot_area": None})
    want = page.state(".cal.picks.x0")[0] + 20
    col, row = scan.unstraightened(want, 300.0)
    page.click_at(float(col), float(row))
    assert abs(page.state(".cal.picks.x0")[0] - want) < 2.5  # a screen pixel or two

    page.find("#straight-axes").click()  # the reading of the turn can be dropped
    assert not page.find("#cal-turn").is_displayed() and page.state(".cal.straighten") is None
    page.find("#cal-file").send_keys(str(cal_file))  # a file loaded: its own, no ticks read
    assert page.state(".cal.straighten") is None and not page.all("#overlay polygon.tick-read")


def test_on_a_touch_screen_a_finger_pans_and_a_tap_selects_and_picks(server, browser, tmp_path):
    sample, path, _ = chart(tmp_path)
    page = Page(browser, server).open()
    browser.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": True})
    try:
        page.upload(path)

        def screen(col, row):
            return browser.execute_script(
                "const m = document.getElementById('overlay').getScreenCTM();"
                "return [m.a * arguments[0] + m.e, m.d * arguments[1] + m.f];",
                col,
                row,
            )

        def touch(kind, x, y):
            points = [] if kind == "touchEnd" else [{"x": x, "y": y}]
            event = {"type": kind, "touchPoints": points}
            browser.execute_cdp_cmd("Input.dispatchTouchEvent", event)

        def tap(col, row):
            x, y = screen(col, row)
            touch("touchStart", x, y)
            touch("touchEnd", x, y)

        stage = "return document.getElementById('stage').style.transform"
        before = browser.execute_script(stage)
        x, y = screen(400, 300)
        touch("touchStart", x, y)
        for k in range(1, 6):
            touch("touchMove", x - 12 * k, y - 8 * k)
        touch("touchEnd", x - 60, y - 40)
        assert browser.execute_script(stage) != before, "one finger pans the map"

        tap(*at(sample, 2, 0.5))
        assert page.state(".selected") == 2, "a tap on a line selects it"
        page.find("#straight-axes").click()  # this scan was read turned: picks in image pixels
        page.find("[data-pick=x0]").click()
        col, row = at(sample, 1, 0.2)
        tap(col, row)
        picked = page.state(".cal.picks.x0")
        assert picked and abs(picked[0] - col) <= 1.5 and abs(picked[1] - row) <= 1.5
    finally:
        browser.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": False})


def test_the_speeds_printed_next_to_the_lines_fill_the_boxes(server, browser, tmp_path):
    pytest.importorskip("rapidocr_onnxruntime", reason="reading text needs rapidocr-onnxruntime")
    sample, path, cal_file = chart(tmp_path)  # "N=109655" at each choke end
    page = Page(browser, server).open()
    page.upload(path)
    boxes = [page.find(f"input.speed[data-line='{k}']") for k in page.line_ids()]
    assert [float(b.get_attribute("value")) for b in boxes] == sample.meta["speeds"]
    assert all("from-label" in b.get_attribute("class") for b in boxes)
    assert "check them" in page.find("#speeds-note").text
    # Which label went to which line is shown: a box in the line's colour around each.
    drawn = {int(r.get_attribute("data-line")) for r in page.all("#overlay rect.speed-label-box")}
    assert drawn == set(page.line_ids())
    page.find("#cal-file").send_keys(str(cal_file))
    page.after_fit(lambda: page.find("#digitize").click())
    speeds = sorted({float(r["speed"]) for r in page.csv_rows()})
    assert speeds == sample.meta["speeds"] and page.all("#download-map")
    result = json.loads(page.download("download-JSON"))
    assert {ln["speed_source"] for ln in result["lines"]} == {"label"}
    assert result["lines"][0]["speed_label"]["text"].endswith(f"{sample.meta['speeds'][0]:g}")

    first = page.line_ids()[0]  # a speed typed over the label's is the user's own
    page.after_fit(lambda: page.type_speed(first, "100000" + Keys.TAB))
    assert "from-label" not in page.find(f"input.speed[data-line='{first}']").get_attribute("class")
    assert not page.all(f"#overlay rect.speed-label-box[data-line='{first}']")
    result = json.loads(page.download("download-JSON"))
    assert result["lines"][0]["speed_source"] == "given" and "speed_label" not in result["lines"][0]
    page.after_fit(lambda: page.key("z", ctrl=True))
    page.after_fit(lambda: page.key("z", ctrl=True))  # the filling is one undoable step
    assert not page.all("#download-map") and page.state(".lines[0].speed") == ""
