import numpy as np
import pytest
import torch

from speedlines.segment.model import ModelConfig
from speedlines.segment.segmenter import Segmenter, normalize, resize_mask, tile_plan, tile_window
from tests.fakes import DarkInk


def _image(h, w):
    rng = np.random.default_rng(0)
    image = np.full((h, w, 3), 240, np.uint8)
    for _ in range(6):
        r = int(rng.integers(0, h))
        image[r, :] = 10
    return image


@pytest.mark.parametrize("overlap", [0.25, 0.125])
@pytest.mark.parametrize("largest", [0, 128])
@pytest.mark.parametrize("length", [40, 64, 65, 200, 517, 2000])
def test_tiles_cover_everything_evenly(length, largest, overlap):
    side, starts = tile_plan(length, 64, largest, overlap)
    assert side % 32 == 0 and side <= max(64, largest, -(-length // 32) * 32)
    covered = np.zeros(max(length, side), int)
    for s in starts:
        covered[s : s + side] += 1
    assert covered[:length].all() and starts[-1] + side == max(length, side)
    steps = np.diff(starts)
    if len(starts) > 1:
        assert (side - steps >= int(64 * overlap)).all(), "neighbours overlap by the margin"
        assert steps.max() - steps.min() <= 1, "evenly spread: no overhanging last tile"


def test_small_axes_get_one_tile_padded_by_under_32_px():
    assert tile_plan(121, 256) == (128, [0])
    assert tile_plan(300, 256, 512) == (320, [0])


def test_bigger_tiles_cost_fewer_pixels():
    def cost(largest):
        (th, ys), (tw, xs) = tile_plan(1500, 256, largest), tile_plan(2000, 256, largest)
        return th * tw * len(ys) * len(xs)

    assert cost(512) < 0.8 * cost(256)


def test_window_is_positive_and_peaks_in_the_middle():
    w = tile_window(64, 96, 16)
    assert w.shape == (64, 96) and w.min() > 0 and w[32, 48] == w.max() == 1.0


@pytest.mark.parametrize(
    ("h", "w", "overlap", "largest"),
    [(50, 40, 0.25, 0), (300, 517, 0.25, 0), (300, 517, 0.125, 0), (300, 517, 0.25, 128)],
)
def test_tiled_probability_equals_the_whole_image(h, w, overlap, largest):
    cfg = ModelConfig(view="tile", input_size=64, tile_overlap=overlap, tile_max=largest)
    seg = Segmenter(DarkInk(), cfg, batch_size=3)
    image = _image(h, w)
    prob = seg.probability(image)
    assert prob.shape == (h, w)
    x = torch.from_numpy(normalize(image, cfg))[None]
    direct = torch.sigmoid(DarkInk()(x))[0, 0].detach().numpy()
    assert np.abs(prob - direct).max() < 1e-5, "blended seams must not change the output"
    assert (seg.predict(image) == (image[..., 0] < 128)).all()


def test_resize_view_returns_the_input_size():
    seg = Segmenter(DarkInk(), ModelConfig(view="resize", input_size=64))
    image = _image(90, 300)
    assert seg.probability(image).shape == (90, 300)


def test_resize_mask_keeps_thin_lines():
    m = np.zeros((400, 400), bool)
    m[100, :] = True
    small = resize_mask(m, (100, 100))
    assert small[25].all(), "a one-pixel line survives a 4x shrink"


def test_thresholds_and_scaled_sizes_are_bounded():
    from speedlines.errors import InputError

    class Half:
        name = "const"

        def __call__(self, batch):
            return np.full((len(batch), *batch.shape[2:]), 0.5, np.float32)

    seg = Segmenter(Half(), ModelConfig(view="tile", input_size=64, scale=4.0))
    prob = np.full((8, 8), 0.5, np.float32)
    for bad in (1e-9, 0.0, 1.0, float("nan")):
        with pytest.raises(InputError, match="threshold must"):
            seg.segmentation(prob, bad)
    assert seg.segmentation(prob, 0.2).mask.all()
    with pytest.raises(InputError, match="megapixel limit"):
        seg.probability(np.zeros((2600, 2600, 3), np.uint8))  # 108 MP once scaled
