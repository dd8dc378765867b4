"""The generated samples are right, not just present: labels, geometry, calibration, ink."""

import cv2
import numpy as np
import pytest

from speedlines.digitize.calibration import Calibration
from speedlines.synth.physics import lines_cross
from speedlines.synth.sample import generate_sample


def _find(style, case, want_clean, start=0, limit=200):
    """The first sample of ``style``/``case`` (without degradations when ``want_clean``)."""
    for i in range(start, start + limit):
        s = generate_sample(7, i, style, case)
        clean = not s.meta["degradations"] and not s.meta["warped"]
        if clean == want_clean:
            return s
    raise AssertionError("no such sample in range")


@pytest.fixture(scope="module")
def clean_simple_crops():
    out, i = [], 0
    while len(out) < 4:
        s = _find("crop", "simple", True, start=i)
        out.append(s)
        i = s.meta["index"] + 1
    return out


def _grid_band(meta, shape, half=2):
    band = np.zeros(shape, bool)
    for c in meta["grid"]["x"]:
        c = round(c)
        band[:, max(0, c - half) : c + half + 1] = True
    for r in meta["grid"]["y"]:
        r = round(r)
        band[max(0, r - half) : r + half + 1, :] = True
    return band


def _ink(image, background):
    """How far each pixel is from the page colour (0..255)."""
    return np.abs(image.astype(int) - np.asarray(background, int)).max(axis=2)


def test_label_pixels_coincide_with_rendered_speedlines(clean_simple_crops):
    for s in clean_simple_crops:
        bg = np.round(np.array(s.meta["appearance"]["background"]) * 255)
        ink = _ink(s.image, bg)
        off_grid = ~_grid_band(s.meta, s.label.shape)
        line_ink = np.abs(np.array(s.meta["appearance"]["speedline_colors"][0]) * 255 - bg).max()
        inside = ink[s.label & off_grid]
        # Label pixels carry speedline ink (a sub-pixel line spreads it over two pixels,
        # while the label keeps a 1.5 px minimum width so that it never breaks)...
        assert np.mean(inside > 0.12 * line_ink) > 0.95
        assert np.median(inside) > 0.4 * line_ink
        # ...and all clear speedline ink off the grid is labelled (within one pixel).
        near = cv2.dilate(s.label.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
        strong = (ink > 0.6 * line_ink) & off_grid
        assert np.mean(near[strong]) > 0.99


def test_simple_crops_have_no_line_ink_beyond_speedlines_and_grid(clean_simple_crops):
    for s in clean_simple_crops:
        bg = np.round(np.array(s.meta["appearance"]["background"]) * 255)
        near = cv2.dilate(s.label.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
        rest = ~near & ~_grid_band(s.meta, s.label.shape)
        assert rest.sum() > 0.2 * s.label.size
        assert _ink(s.image, bg)[rest].max() <= 3


def test_combined_crops_do_have_other_lines():
    s = _find("crop", "combined", True)
    bg = np.round(np.array(s.meta["appearance"]["background"]) * 255)
    near = cv2.dilate(s.label.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    rest = ~near & ~_grid_band(s.meta, s.label.shape)
    assert s.meta["extras"] or s.meta["islands"]
    assert (_ink(s.image, bg)[rest] > 40).sum() > 50


def _on_label(label, pts, tol=1):
    near = cv2.dilate(label.astype(np.uint8), np.ones((2 * tol + 1,) * 2, np.uint8))
    h, w = label.shape
    c = np.clip(np.round(pts[:, 0]).astype(int), 0, w - 1)
    r = np.clip(np.round(pts[:, 1]).astype(int), 0, h - 1)
    return near[r, c].astype(bool)


@pytest.mark.parametrize("style", ["crop", "chart"])
def test_meta_polylines_map_back_onto_the_label_through_the_calibration(style):
    s = _find(style, "simple", True)
    cal = Calibration.from_dict(s.meta["calibration"])
    cal.check_image(s.meta["width"], s.meta["height"])
    for line in s.meta["speedlines"]:
        data = np.array(line["data"])
        px = cal.points_to_pixel(data)
        assert np.allclose(px, np.array(line["pixels"]), atol=0.01)
        assert _on_label(s.label, px).mean() > 0.98


@pytest.mark.parametrize("style", ["crop", "chart"])
@pytest.mark.parametrize("kind", ["scan_warp", "downscale"])
def test_warped_and_downscaled_samples_keep_exact_pixel_polylines(style, kind):
    for i in range(0, 300):
        s = generate_sample(11, i, style, "mixed")
        if kind in {d["name"] for d in s.meta["degradations"]}:
            break
    else:
        pytest.fail(f"no {kind} sample")
    for line in s.meta["speedlines"]:
        assert _on_label(s.label, np.array(line["pixels"])).mean() > 0.97
    # The two-point calibration stays close to the truth under a <= 2 degree scan warp.
    cal = Calibration.from_dict(s.meta["calibration"])
    err = [
        np.abs(cal.points_to_pixel(np.array(ln["data"])) - np.array(ln["pixels"])).max()
        for ln in s.meta["speedlines"]
    ]
    assert max(err) < 0.05 * max(s.meta["width"], s.meta["height"])


def test_speedlines_never_cross_and_are_ordered():
    for i in range(12):
        s = generate_sample(5, i, "mixed", "mixed")
        lines = [np.array(ln["data"]) for ln in s.meta["speedlines"]]
        assert not lines_cross(lines)
        speeds = [ln["speed"] for ln in s.meta["speedlines"]]
        assert speeds == sorted(speeds) and speeds == s.meta["speeds"]
        assert [ln["line"] for ln in s.meta["speedlines"]] == list(range(1, len(lines) + 1))
        assert s.label.any() and s.label.mean() < 0.3
        assert s.image.shape[:2] == s.label.shape == (s.meta["height"], s.meta["width"])


def test_same_seed_same_bytes_and_other_seed_differs():
    a, b = generate_sample(3, 4), generate_sample(3, 4)
    assert a.image.tobytes() == b.image.tobytes()
    assert a.label.tobytes() == b.label.tobytes()
    assert a.meta == b.meta
    c = generate_sample(4, 4)
    assert c.image.shape != a.image.shape or c.image.tobytes() != a.image.tobytes()


def test_generator_covers_the_hard_cases():
    metas = [generate_sample(21, i, "crop", "mixed").meta for i in range(40)]
    look = [m["appearance"] for m in metas]
    assert any(lk["hard_faint"] for lk in look), "thin speedlines as light as the grid"
    assert any(
        m["case"] == "combined" and lk["extra"]["same_as_speedlines"] for m, lk in zip(metas, look)
    ), "crossing lines of the speedlines' own colour and width"
    names = {d["name"] for m in metas for d in m["degradations"]}
    assert {"downscale", "ImageCompression", "scan_warp"} <= names
    assert {m["case"] for m in metas} == {"simple", "combined"}
    assert {len(m["speedlines"]) for m in metas} >= {4, 14} or len(
        {len(m["speedlines"]) for m in metas}
    ) >= 6
