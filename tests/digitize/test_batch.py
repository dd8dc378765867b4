import csv
import hashlib
import json
import subprocess
import sys

import cv2
import numpy as np
import pytest

from speedlines.batch import Outcome
from speedlines.digitize.batch import CalibrationSource, DigitizeOptions, digitize_files
from speedlines.digitize.calibration import Calibration
from speedlines.digitize.pipeline import Digitization, digitize_mask, draw_overlay, parse_speeds
from speedlines.errors import InputError
from speedlines.segment.ink import INK_METHOD, InkMask, ink_mask
from tests.drawn_maps import CAL, distance_to, draw, family, map_image

SHAPE = (140, 240)


def test_digitized_curves_lie_on_the_true_curves_in_data_units():
    curves = family()
    result = digitize_mask(draw(curves, SHAPE), CAL, [1.0, 2.0, 3.0], points=40)
    assert [sl.speed for sl in result.lines] == [1.0, 2.0, 3.0]
    for sl, curve in zip(result.lines, curves):
        truth = CAL.points_to_data(curve)
        # Data-unit distance: 1 px is 0.01 in x and ~0.0214 in y here.
        assert distance_to(truth / [0.01, 3 / 140], sl.data / [0.01, 3 / 140]).max() < 1.0
    np.testing.assert_allclose(result.surge_line, [sl.data[0] for sl in result.lines])
    overlay = draw_overlay(np.full((*SHAPE, 3), 255, np.uint8), result)
    assert overlay.shape == (*SHAPE, 3) and (overlay != 255).any()


def test_bad_digitize_input():
    mask = draw(family(), SHAPE)
    with pytest.raises(InputError, match="3 speedlines found but 2 speeds"):
        digitize_mask(mask, CAL, [1.0, 2.0])
    with pytest.raises(InputError, match="no speedline"):
        digitize_mask(np.zeros(SHAPE, bool), CAL)
    outside = Calibration(CAL.x, CAL.y, plot_area=(0, 0, 300, 139))
    with pytest.raises(InputError, match="not inside"):
        digitize_mask(mask, outside)
    for text, message in (("1,x", "numbers"), ("3,2", "increase"), ("1,nan", "finite")):
        with pytest.raises(InputError, match=message):
            parse_speeds(text)
    assert parse_speeds("60000, 80000") == [60000.0, 80000.0] and parse_speeds("") is None


def test_the_ink_baseline_keeps_lines_and_drops_the_grid():
    curves = family(tilt=0.05)
    mask = ink_mask(map_image(curves, SHAPE))
    truth = draw(curves, SHAPE, thickness=3)
    assert (mask & truth).sum() > 0.8 * mask.sum()
    assert not mask[40, 5:15].any(), "the grid row is gone"


def test_the_ink_batch_records_the_files_sha256_and_one_outcome_per_input(tmp_path):
    folder = tmp_path / "maps"
    folder.mkdir()
    image = map_image(family(tilt=0.05), SHAPE)
    files = [folder / "map.png", tmp_path / "map.png"]
    for path in files:
        cv2.imwrite(str(path), cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
    out = tmp_path / "out"
    calibrations = CalibrationSource(fixed=CAL)
    outcomes = digitize_files(files, out, calibrations, InkMask(), DigitizeOptions())
    assert all(isinstance(o, Outcome) for o in outcomes)
    assert isinstance(outcomes[0].result, Digitization) and outcomes[0].error is None
    assert "same name" in outcomes[1].error and outcomes[1].outputs == []
    d = json.loads((out / "map.json").read_text())
    assert d["source"] == {
        "name": "map.png",
        "sha256": hashlib.sha256(files[0].read_bytes()).hexdigest(),
    }
    assert d["segmentation"] == {"method": INK_METHOD}


# -- the command line ------------------------------------------------------------------------


def cli(*args):
    cmd = [sys.executable, "-m", "speedlines", *map(str, args)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300)


@pytest.fixture
def inputs(tmp_path):
    folder = tmp_path / "maps"
    folder.mkdir()
    image = map_image(family(tilt=0.05), SHAPE)
    cv2.imwrite(str(folder / "map.png"), cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
    cal = tmp_path / "cal.json"
    CAL.save(cal)
    return folder, cal


def test_cli_writes_csv_json_overlay_and_map(inputs, tmp_path):
    folder, cal = inputs
    out = tmp_path / "out"
    p = cli("digitize", folder, "--calibration", cal, "--out", out, "--method", "ink",
            "--speeds", "60000,80000,100000", "--points", "20", "--mask")  # fmt: skip
    assert p.returncode == 0, p.stderr
    names = sorted(f.name for f in out.iterdir())
    assert names == ["map.csv", "map.json", "map.map", "map.mask.png", "map.overlay.png"]
    rows = list(csv.DictReader((out / "map.csv").open()))
    assert len(rows) == 60 and rows[-1]["speed"] == "100000"
    d = json.loads((out / "map.json").read_text())
    assert len(d["source"]["sha256"]) == 64 and d["source"]["name"] == "map.png"
    for sl, curve in zip(d["lines"], family(tilt=0.05)):
        px = CAL.points_to_pixel(np.array(sl["points"]))
        assert np.percentile(distance_to(curve, px), 95) < 1.5


def test_cli_axis_options_instead_of_a_file(inputs, tmp_path):
    folder, _ = inputs
    p = cli("digitize", folder / "map.png", "--x-axis", "0:0,200:2", "--y-axis", "140:1,0:4",
            "--out", tmp_path / "o", "--method", "ink")  # fmt: skip
    assert p.returncode == 0, p.stderr
    assert not (tmp_path / "o" / "map.map").exists(), "no .map without speeds"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--x-axis", "5:0,5:2", "--y-axis", "140:1,0:4"], "coincide"),
        (["--x-axis", "0:0,200:2", "--y-axis", "140:0,0:4:log"], "positive on a log axis"),
        (["--x-axis", "0:a,200:2", "--y-axis", "140:1,0:4"], "bad axis calibration"),
        (["--x-axis", "0:0,200:2", "--y-axis", "140:1,0:4", "--plot-area", "0,0,900,100"],
         "not inside"),
        (["--x-axis", "0:0,200:2", "--y-axis", "140:1,0:4", "--speeds", "1,2"], "2 speeds"),
        (["--x-axis", "0:0,200:2"], "calibration is needed"),
    ],
)  # fmt: skip
def test_cli_bad_input_is_one_line_and_writes_nothing(inputs, tmp_path, args, message):
    folder, _ = inputs
    out = tmp_path / "bad"
    p = cli("digitize", folder, "--out", out, "--method", "ink", *args)
    assert p.returncode == 2, p.stderr
    assert message in p.stderr and "Traceback" not in p.stderr
    assert not out.exists() or not any(out.iterdir())


def test_cli_one_bad_file_in_a_batch(inputs, tmp_path):
    folder, cal = inputs
    (folder / "broken.png").write_bytes(b"not a png")
    (folder / "blank.png").write_bytes(cv2.imencode(".png", np.full((*SHAPE, 3), 255, np.uint8))[1])
    out = tmp_path / "out"
    p = cli("digitize", folder, "--calibration", cal, "--out", out, "--method", "ink")
    assert p.returncode == 2
    assert "broken.png: not a readable image" in p.stderr and "no speedline found" in p.stderr
    assert sorted(f.name for f in out.iterdir()) == ["map.csv", "map.json", "map.overlay.png"]


def test_a_failed_write_costs_one_image_and_leaves_none_of_its_files(tmp_path, monkeypatch):
    import errno

    import speedlines.batch

    folder = tmp_path / "maps"
    folder.mkdir()
    image = map_image(family(tilt=0.05), SHAPE)
    for name in ("a.png", "b.png"):
        cv2.imwrite(str(folder / name), cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
    real = speedlines.batch.write_bytes

    def disk_full_for_a(path, data):
        if path.name == "a.overlay.png":
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real(path, data)

    monkeypatch.setattr(speedlines.batch, "write_bytes", disk_full_for_a)
    out = tmp_path / "out"
    files = sorted(folder.iterdir())
    outcomes = digitize_files(
        files, out, CalibrationSource(fixed=CAL), InkMask(), DigitizeOptions()
    )
    assert "No space left on device" in outcomes[0].error and str(out / "a.overlay.png") in (
        outcomes[0].error
    )
    assert outcomes[1].error is None
    assert sorted(f.name for f in out.iterdir()) == ["b.csv", "b.json", "b.overlay.png"]


def test_a_mask_covering_the_plotting_area_is_refused_not_traced(tmp_path):
    class Everything:
        def segment(self, image, threshold=None, plot_area=None):
            from speedlines.segment.segmentation import Segmentation

            mask = np.ones(image.shape[:2], bool)
            return Segmentation(mask.astype(np.float32), mask, {"method": "all"}, graded=False)

    path = tmp_path / "map.png"
    cv2.imwrite(str(path), cv2.cvtColor(map_image(family(), SHAPE), cv2.COLOR_RGB2BGR))
    [outcome] = digitize_files(
        [path], tmp_path / "o", CalibrationSource(fixed=CAL), Everything(), DigitizeOptions()
    )
    assert "the mask covers 100% of the plotting area" in outcome.error
