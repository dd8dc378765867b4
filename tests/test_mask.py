import numpy as np
import pytest
import torch

from speedlines.mask import Segmenter, normalize, resize_mask, tile_origins, tile_window
from speedlines.model import ModelConfig
from tests.fakes import DarkInk


def _image(h, w):
    rng = np.random.default_rng(0)
    image = np.full((h, w, 3), 240, np.uint8)
    for _ in range(6):
        r = int(rng.integers(0, h))
        image[r, :] = 10
    return image


@pytest.mark.parametrize("overlap", [0.25, 0.125])
@pytest.mark.parametrize("length", [64, 65, 200, 517])
def test_tiles_cover_everything(length, overlap):
    starts = tile_origins(length, 64, overlap)
    covered = np.zeros(max(length, 64), bool)
    for s in starts:
        covered[s : s + 64] = True
    assert covered[:length].all() and starts[-1] + 64 == max(length, 64)
    if length == 517:
        assert len(starts) == int(np.ceil((517 - 64) / (64 * (1 - overlap)))) + 1


def test_window_is_positive_and_peaks_in_the_middle():
    w = tile_window(64)
    assert w.min() > 0 and w[32, 32] == w.max()


@pytest.mark.parametrize(
    ("h", "w", "overlap"), [(50, 40, 0.25), (300, 517, 0.25), (300, 517, 0.125)]
)
def test_tiled_probability_equals_the_whole_image(h, w, overlap):
    cfg = ModelConfig(view="tile", input_size=64, tile_overlap=overlap)
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
