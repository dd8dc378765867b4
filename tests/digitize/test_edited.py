import dataclasses

import numpy as np
import pytest

from speedlines.digitize.calibration import Calibration
from speedlines.digitize.edited import EditedLine, fit_lines
from speedlines.digitize.tables import to_csv, to_json
from speedlines.errors import InputError
from speedlines.synth.sample import generate_sample
from tests.drawn_maps import distance_to


@pytest.fixture(scope="module")
def sample():
    return generate_sample(7001, 3, "crop", "simple")  # not warped: the truth is linear


@pytest.fixture(scope="module")
def cal(sample):
    return Calibration.from_dict(sample.meta["calibration"])


def size(sample):
    return sample.image.shape[1], sample.image.shape[0]


def truth_lines(sample, ids=None, speeds=True) -> list[EditedLine]:
    """The true polylines, given to the page's ids in reverse (ids do not follow the order)."""
    truth = sample.meta["speedlines"]
    ids = ids or [100 - k for k in range(len(truth))]
    return [
        EditedLine(i, np.array(t["pixels"]), t["speed"] if speeds else None, 0.9, "model")
        for i, t in zip(ids, truth)
    ]


def span_error(cal: Calibration, data: np.ndarray, truth: np.ndarray, area) -> float:
    """Mean distance of ``data`` points to the truth curve, as a share of the axis spans."""
    corners = cal.points_to_data(np.array([[area[0], area[3]], [area[2], area[1]]]))
    span = np.abs(corners[1] - corners[0])
    return float(distance_to(truth / span, data / span).mean())


def test_true_polylines_fit_the_truth_lowest_first_with_page_ids(sample, cal):
    lines = truth_lines(sample)
    shuffled = [lines[k] for k in np.random.default_rng(0).permutation(len(lines))]
    result = fit_lines(shuffled, cal, size(sample), 40, {"name": "c.png", "sha256": "ab"})
    d = to_json(result)
    assert [ln["line"] for ln in d["lines"]] == list(range(1, len(lines) + 1))
    assert [ln["id"] for ln in d["lines"]] == [ln.id for ln in lines], "lowest first, ids kept"
    assert {ln["origin"] for ln in d["lines"]} == {"model"}
    assert d["segmentation"] == {"source": "page", "origins": {"model": len(lines)}}
    assert d["source"] == {"name": "c.png", "sha256": "ab"} and d["tracing"] == {}
    area = cal.plot_area
    for sl, t in zip(result.lines, sample.meta["speedlines"]):
        assert sl.speed == t["speed"] and len(sl.data) == 40
        assert span_error(cal, sl.data, np.array(t["data"]), area) < 0.005
    assert to_csv(result).splitlines()[1].startswith("1,9000,")


def test_reversed_polylines_are_oriented_surge_to_choke(sample, cal):
    lines = [dataclasses.replace(ln, pixels=ln.pixels[::-1]) for ln in truth_lines(sample)]
    result = fit_lines(lines, cal, size(sample))
    for sl, t in zip(result.lines, sample.meta["speedlines"]):
        assert np.allclose(sl.data[0], t["data"][0], rtol=2e-3), "surge end first"
        assert sl.pixels[0, 0] < sl.pixels[-1, 0]


def test_a_trimmed_line_gives_a_curve_over_that_half_only(sample, cal):
    line = truth_lines(sample)[3]
    half = dataclasses.replace(line, pixels=line.pixels[: len(line.pixels) // 2])
    sl = fit_lines([half], cal, size(sample)).lines[0]
    assert np.allclose(sl.pixels[[0, -1]], half.pixels[[0, -1]], atol=0.5)
    assert sl.pixels[:, 0].max() < half.pixels[-1, 0] + 0.5 < line.pixels[-1, 0] - 5


def test_lines_are_clipped_to_the_plotting_area(sample, cal):
    line = truth_lines(sample)[3]
    mid = float(np.median(line.pixels[:, 0]))
    x0, y0, x1, y1 = cal.plot_area
    boxed = dataclasses.replace(cal, plot_area=(mid, y0, x1, y1))
    sl = fit_lines([line], boxed, size(sample)).lines[0]
    assert sl.traced[:, 0].min() >= mid and sl.pixels[:, 0].min() > mid - 0.5
    assert sl.pixels[-1, 0] == pytest.approx(line.pixels[-1, 0], abs=0.5)
    left = dataclasses.replace(cal, plot_area=(x0, y0, line.pixels[0, 0] - 1, y1))
    with pytest.raises(InputError, match=r"^line 97 lies outside the plotting area$"):
        fit_lines([line], left, size(sample))


def test_partial_speeds_are_kept_and_must_increase_upwards(sample, cal):
    lines = truth_lines(sample, speeds=False)
    lines[0].speed, lines[4].speed = 50000.0, 90000.0
    result = fit_lines(lines, cal, size(sample))
    assert [sl.speed for sl in result.lines][:5] == [50000.0, None, None, None, 90000.0]
    assert not result.speeds_known
    lines[4].speed = 40000.0
    with pytest.raises(InputError) as err:
        fit_lines(lines, cal, size(sample))
    assert str(err.value) == (
        "line 96 (speed 40000) lies above line 100 (speed 50000): "
        "speeds must increase from the lowest line up"
    )
    lines[4].speed = 50000.0
    with pytest.raises(InputError, match="lines 100 and 96 both have speed 50000"):
        fit_lines(lines, cal, size(sample))


def test_the_json_of_traced_lines_is_unchanged(sample, cal):
    """The extra keys are for page lines only: a Speedline without them writes as before."""
    sl = fit_lines(truth_lines(sample)[:1], cal, size(sample)).lines[0]
    assert set(dataclasses.replace(sl, extra={}).to_dict()) == {
        "line", "speed", "speed_source", "confidence", "points", "pixels", "fit"
    }  # fmt: skip


def bad(lines, **change):
    out = [dataclasses.replace(ln) for ln in lines]
    for k, v in change.items():
        setattr(out[1], k, v)
    return out


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"pixels": np.array([[10.0, 10.0], [500.0, 20.0]])},
         "line 99: point (500, 20) lies outside the 467x242 image"),
        ({"pixels": np.array([[10.0, 10.0], [np.nan, 20.0]])}, "line 99 has a non-finite pixel"),
        ({"pixels": np.array([[10.0, 10.0]])}, "line 99 has 1 points; 2..20000"),
        ({"pixels": np.zeros((20_001, 2))}, "line 99 has 20001 points; 2..20000"),
        ({"pixels": np.zeros((5, 3))}, "line 99: pixels must be (col, row) number pairs"),
        ({"pixels": np.full((3, 2), 7.0)}, "line 99 is shorter than one pixel"),
        ({"origin": "magic"}, "line 99: origin must be one of model, ink, edited, drawn"),
        ({"speed": -5.0}, "line 99: speed must be a finite number > 0"),
        ({"speed": float("inf")}, "line 99: speed must be a finite number > 0"),
        ({"confidence": 2.0}, "line 99: confidence must be a number in 0..1"),
        ({"id": 100}, "line id 100 is used twice"),
        ({"id": 0}, "line ids must be integers >= 1, got 0"),
    ],
)  # fmt: skip
def test_bad_lines_are_refused_with_one_line_naming_the_page_id(sample, cal, change, message):
    with pytest.raises(InputError) as err:
        fit_lines(bad(truth_lines(sample), **change), cal, size(sample))
    assert str(err.value).startswith(message) and "\n" not in str(err.value)


def test_line_count_and_image_size_are_checked(sample, cal):
    with pytest.raises(InputError, match=r"0 lines sent; 1\.\.200"):
        fit_lines([], cal, size(sample))
    many = [EditedLine(k + 1, np.array([[1.0, 1.0], [5.0, 2.0]])) for k in range(201)]
    with pytest.raises(InputError, match="201 lines sent"):
        fit_lines(many, cal, size(sample))
    with pytest.raises(InputError, match=r"plot_area .* is not inside the 100x100 image"):
        fit_lines(truth_lines(sample), cal, (100, 100))
