import numpy as np
import pytest

from speedlines.digitize.curves import (
    fit_pixels,
    fit_speedline,
    resample_by_beta,
    resample_by_flow,
    surge_line,
)
from speedlines.digitize.trace import LineInstance
from tests.drawn_maps import chart_calibration, distance_to, family, speedline

CAL = chart_calibration("log")


def _instance(points):
    return LineInstance(points, 0.0, 0.0, 1.0)


def test_the_fit_follows_a_noisy_trace_including_the_vertical_choke_end():
    curve = speedline(20, 150, 30, 100)
    rng = np.random.default_rng(0)
    traced = np.rint(curve[::3] + rng.normal(0, 0.2, curve[::3].shape))  # pixel centres
    fitted, residual, info = fit_pixels(traced, 80)
    assert fitted.shape == (80, 2)
    assert distance_to(curve, fitted).max() < 0.6
    assert 0.2 < residual < 0.6, "the residual is the scatter of the trace around the fit"
    # Evenly spaced along the curve, from the surge end to the bottom of the choke end.
    steps = np.linalg.norm(np.diff(fitted, axis=0), axis=1)
    assert steps.std() < 0.05 * steps.mean()
    assert np.linalg.norm(fitted[0] - curve[0]) < 1.0 and np.linalg.norm(fitted[-1] - curve[-1]) < 1
    assert info["knots"] > 0


def test_a_speedline_in_data_units_on_a_log_axis():
    curve = speedline(20, 150, 30, 100)
    sl = fit_speedline(_instance(curve), CAL, line=3, count=40, speed=80000.0)
    assert sl.data.shape == (40, 2) and sl.line == 3 and sl.speed == 80000.0
    back = CAL.points_to_pixel(sl.data)
    np.testing.assert_allclose(back, sl.pixels, atol=1e-9)
    assert sl.data[0, 1] == pytest.approx(10 ** ((140 - curve[0, 1]) / 140), rel=0.01)
    d = sl.to_dict()
    assert d["speed"] == 80000.0 and len(d["points"]) == 40 and d["fit"]["residual_px"] <= 0.41


def test_resampling_by_flow_and_by_beta():
    lines = [fit_speedline(_instance(c), CAL, k + 1, 60) for k, c in enumerate(family())]
    flows = np.linspace(0.0, 2.0, 21)
    table = resample_by_flow(lines, flows)
    assert table.shape == (3, 21)
    assert np.isnan(table[0, 0]) and np.isnan(table[0, -1]), "no value outside a line"
    for sl, row in zip(lines, table):
        inside = (flows > sl.data[0, 0]) & (flows < sl.data[:, 0].max() - 0.02)
        assert np.isfinite(row[inside]).all()
    betas = resample_by_beta(lines, np.array([0.0, 0.5, 1.0]))
    assert betas.shape == (3, 3, 2)
    for sl, pts in zip(lines, betas):
        np.testing.assert_allclose(pts[0], sl.data[0])
        np.testing.assert_allclose(pts[-1], sl.data[-1])
    np.testing.assert_allclose(surge_line(lines), [sl.data[0] for sl in lines])
