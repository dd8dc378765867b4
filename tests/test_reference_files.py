"""Files saved by an earlier speedlines keep loading: the reference files in tests/data/.

If a change makes one of these tests fail, files users have saved would stop loading: keep
reading the old format (or bump the format version with a reader for both), never edit the
reference files to make a test pass. Add a new reference file for a new format version.

How they were made (speedlines 0.2.0.dev0, shipped model v9, from the repository root):

    speedlines digitize examples/chart.png --calibration examples/chart.json \
        --speeds 109655,135702,161749,187796 --out /tmp/ref
    cp /tmp/ref/chart.json /tmp/ref/chart.map /tmp/ref/chart.csv tests/data/
    python -c "
    from speedlines.atomic_io import write_json
    from speedlines.digitize import Calibration
    from speedlines.segment.model import default_model, load_config
    Calibration.load('examples/chart.json').save('tests/data/chart.calibration.json')
    write_json('tests/data/model_config.json', load_config(default_model()).to_dict())"
"""

import json
from pathlib import Path

import numpy as np

from speedlines.digitize import Calibration, load_digitized, read_gasturb_map, to_csv, to_json
from speedlines.digitize.tables import to_gasturb_map
from speedlines.segment.model import ModelConfig, load_config

DATA = Path(__file__).parent / "data"
SPEEDS = [109655.0, 135702.0, 161749.0, 187796.0]


def test_the_digitized_result_loads_and_writes_the_same_csv():
    result = load_digitized(DATA / "chart.json")
    assert [sl.speed for sl in result.lines] == SPEEDS
    assert result.image_size == (934, 606) and result.source["name"] == "chart.png"
    assert result.segmentation["model"] == "Unet/efficientnet-b0"
    assert [sl.confidence for sl in result.lines] == [0.9987, 0.9995, 0.9808, 0.9948]
    assert all(sl.fit["residual_px"] < 1 and len(sl.data) == 50 for sl in result.lines)
    # The CSV prints the data points, which the JSON keeps exactly: the same bytes.
    assert to_csv(result) == (DATA / "chart.csv").read_text()
    saved = json.loads((DATA / "chart.json").read_text())
    again = to_json(result)
    # Lines gained "speed_source" (2026-12): unknown (null) for a file written before it.
    assert [ln.pop("speed_source") for ln in again["lines"]] == [None] * len(SPEEDS)
    assert {k for k in saved if saved[k] != again.get(k)} <= {"beta", "tool"}
    np.testing.assert_allclose(again["beta"]["points"], saved["beta"]["points"], atol=1e-4)


def test_the_map_loads_and_matches_the_digitized_result():
    saved = read_gasturb_map((DATA / "chart.map").read_text(), "chart.map")
    np.testing.assert_allclose(saved["speeds"], SPEEDS, rtol=5e-5)
    assert saved["units"] == {"x": "kg/s", "y": "-"} and len(saved["betas"]) == 11
    beta = np.array(json.loads((DATA / "chart.json").read_text())["beta"]["points"])
    np.testing.assert_allclose(saved["mass_flow"], beta[:, :, 0], rtol=5e-6)
    np.testing.assert_allclose(saved["pressure_ratio"], beta[:, :, 1], rtol=5e-6)
    # A reloaded result writes the map again, up to the pixels the JSON keeps (0.01 px).
    again = read_gasturb_map(to_gasturb_map(load_digitized(DATA / "chart.json")))
    for key in ("speeds", "betas", "mass_flow", "pressure_ratio", "surge_line"):
        np.testing.assert_allclose(again[key], saved[key], rtol=1e-4, err_msg=key)


def test_the_calibration_loads_as_the_one_in_the_result():
    cal = Calibration.load(DATA / "chart.calibration.json")
    assert cal == load_digitized(DATA / "chart.json").calibration
    assert cal.plot_area == (89, 50, 875, 539) and cal.units == {"x": "kg/s", "y": "-"}
    assert float(cal.x.to_data(874.9295)) == 0.388493090622611


def test_the_model_config_loads():
    cfg = load_config(DATA / "model_config.json")
    assert isinstance(cfg, ModelConfig)
    assert (cfg.architecture, cfg.encoder, cfg.view, cfg.engine) == (
        "Unet",
        "efficientnet-b0",
        "tile",
        "onnx",
    )
    assert cfg.threshold == 0.5 and cfg.metrics["test_sets"]["crop-simple"]["iou"] > 0.9
