import numpy as np
import pytest

from speedlines.synth.physics import MACHINES, lines_cross, min_gap, sample_map, sample_speeds


@pytest.mark.parametrize("seed", range(20))
def test_sampled_maps_are_physical(seed):
    cmap = sample_map(np.random.default_rng(seed))
    assert 4 <= len(cmap.lines) <= 14
    assert not lines_cross(cmap.lines)
    assert np.all(np.diff(cmap.speeds) > 0)
    peak = [line[:, 1].max() for line in cmap.lines]
    choke = [line[-1, 0] for line in cmap.lines]
    assert np.all(np.diff(peak) > 0), "higher speed must reach a higher pressure ratio"
    assert np.all(np.diff(choke) > 0), "higher speed must choke at a higher flow"
    w0, w1, p0, p1 = cmap.bounds()
    for line in cmap.lines:
        assert line[0, 0] < line[-1, 0], "points run surge (left) -> choke (right)"
        assert line[:, 1].min() >= 1.0
        # The choke end turns steep: as drawn on the axes, its last segment falls more than
        # it advances (the curve is not y(x) there).
        dx, dy = (line[-1] - line[-2]) / [w1 - w0, p1 - p0]
        assert dy < 0 and -dy > dx


def test_speeds_are_equally_spaced():
    rng = np.random.default_rng(0)
    for _ in range(30):
        speeds, unit, norm = sample_speeds(rng, MACHINES["turbocharger"], 8)
        assert unit in ("rpm", "%")
        steps = np.diff(speeds)
        assert np.allclose(steps, steps[0], rtol=1e-6, atol=1.0)
        assert np.allclose(norm[-1] / norm[0], speeds[-1] / speeds[0])


def test_superellipse_lines_follow_the_model():
    # Points past the zero-slope point satisfy t^CUR + s^CUR = 1 of the design note.
    rng = np.random.default_rng(3)
    for _ in range(50):
        cmap = sample_map(rng)
        if cmap.family == "superellipse":
            break
    c1, c2, c3 = cmap.params["cur"]
    for n, line in zip(cmap.speeds_norm, cmap.lines):
        cur = c1 + c2 * n**c3
        top = np.argmax(line[:, 1])
        main = line[top:]
        t = (main[:, 0] - main[0, 0]) / (main[-1, 0] - main[0, 0])
        s = (main[:, 1] - main[-1, 1]) / (main[0, 1] - main[-1, 1])
        assert np.allclose(t**cur + s**cur, 1.0, atol=1e-6)


def test_crossing_detection_on_hand_made_lines():
    a = np.array([[0.0, 0.0], [1.0, 1.0]])
    b = np.array([[0.0, 1.0], [1.0, 0.0]])
    c = np.array([[0.0, 2.0], [1.0, 3.0]])
    assert lines_cross([a, b])
    assert not lines_cross([a, c])
    assert min_gap([a, c], np.array([1.0, 1.0])) == pytest.approx(np.sqrt(2) / 2 * 2, rel=0.3)


def test_each_machine_type_can_be_drawn():
    rng = np.random.default_rng(1)
    for name, mt in MACHINES.items():
        cmap = sample_map(rng, machine=name)
        assert cmap.machine == name
        assert cmap.lines[-1][:, 1].max() <= mt.pr_peak[1] + 1e-9
