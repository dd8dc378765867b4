"""The datasheet-family styles: each draws its own traps, with labels as exact as before."""

import cv2
import numpy as np
import pytest

from speedlines.errors import InputError
from speedlines.synth.families import FAMILIES
from speedlines.synth.sample import MIXED_STYLES, STYLES, generate_sample, pick_style


def _truth_band(meta, shape, half: int) -> np.ndarray:
    band = np.zeros(shape, np.uint8)
    for line in meta["speedlines"]:
        pts = np.rint(np.asarray(line["pixels"])).astype(np.int32)
        cv2.polylines(band, [pts], False, 1, thickness=2 * half + 1)
    return band.astype(bool)


@pytest.fixture(scope="module", params=[*FAMILIES, "scan"])
def sample(request):
    return generate_sample(31, 0, request.param, "combined")


def test_every_family_labels_only_its_speedlines(sample):
    label, meta = sample.label, sample.meta
    assert label.shape == sample.image.shape[:2] and label.any()
    assert not (label & ~_truth_band(meta, label.shape, 3)).any(), "label off the speedlines"
    # Every speedline is labelled along its length inside the image.
    for line in meta["speedlines"]:
        pts = np.rint(np.asarray(line["pixels"])).astype(int)
        h, w = label.shape
        inside = pts[
            (pts[:, 0] >= 2) & (pts[:, 0] < w - 2) & (pts[:, 1] >= 2) & (pts[:, 1] < h - 2)
        ]
        near = [label[r - 2 : r + 3, c - 2 : c + 3].any() for c, r in inside]
        assert np.mean(near) > 0.97


def test_the_families_have_their_sizes_inks_and_furniture():
    datasheet = generate_sample(31, 1, "datasheet", "combined")
    assert 1500 <= datasheet.meta["width"] <= 2500 and datasheet.meta["islands"]
    assert 8 <= datasheet.meta["chart"]["island_levels"] <= 12
    kinds = {e["kind"] for e in datasheet.meta["extras"]}
    assert "peak_efficiency" in kinds
    look = datasheet.meta["appearance"]
    assert look["extra"]["color"] == list(look["speedline_colors"][0]), "islands in line ink"

    gif = generate_sample(31, 1, "gif", "combined")
    assert 400 <= gif.meta["width"] <= 700
    colours = np.unique(gif.image.reshape(-1, 3), axis=0)
    assert len(colours) <= 32, "a GIF has a small palette and no antialiasing"
    assert gif.meta["appearance"]["grid"]["style"] == "--"

    coloured = generate_sample(31, 1, "coloured", "combined")
    kinds = {e["kind"] for e in coloured.meta["extras"]}
    assert {"marker_bar", "surge_line"} <= kinds

    scan = generate_sample(31, 1, "scan", "combined")
    applied = [d["name"] for d in scan.meta["degradations"]]
    assert scan.meta["warped"] and "jpeg" in applied
    assert scan.meta["chart"]["family"] in FAMILIES


def test_families_are_reproducible_and_named_styles():
    a = generate_sample(5, 3, "gif", "combined")
    b = generate_sample(5, 3, "gif", "combined")
    assert np.array_equal(a.image, b.image) and a.meta == b.meta
    assert a.meta["style"] == "gif" and a.meta["calibration"]["plot_area"]
    assert set(STYLES) == {*MIXED_STYLES, *FAMILIES, "scan"}
    mixed = {generate_sample(5, i, "mixed", "simple").meta["style"] for i in range(12)}
    assert mixed <= set(MIXED_STYLES), "mixed data sets keep their old make-up"
    with pytest.raises(InputError, match="no style 'poster'"):
        generate_sample(5, 0, "poster", "simple")


def test_a_list_of_styles_draws_from_each():
    rng = np.random.default_rng(0)
    drawn = {pick_style(rng, "chart, gif,datasheet") for _ in range(40)}
    assert drawn == {"chart", "gif", "datasheet"}
    assert pick_style(rng, "gif") == "gif"
    with pytest.raises(InputError, match="no style 'gfi'"):
        pick_style(rng, "chart,gfi")
