import numpy as np

from speedlines.segment.ink import ink_mask
from tests.drawn_maps import family, map_image


def test_noise_is_not_ink_but_a_drawn_map_is():
    rng = np.random.default_rng(0)
    for noise in (
        rng.integers(0, 256, (140, 240, 3), dtype=np.uint8),
        np.clip(rng.normal(128, 40, (140, 240, 3)), 0, 255).astype(np.uint8),
    ):
        assert not ink_mask(noise).any()
    assert ink_mask(map_image(family(), (140, 240))).any()
