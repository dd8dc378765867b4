"""The angle of a turned chart, and the chart straightened."""

import numpy as np
import pytest

from speedlines.digitize.skew import skew_angle, turning, warp
from tests.drawn_maps import family, map_image


def _chart() -> np.ndarray:
    image = map_image(family(width=400, height=300, lines=4), (300, 400))
    image[20:22, 20:380] = 0  # a frame, as a chart has
    image[278:280, 20:380] = 0
    image[20:280, 20:22] = 0
    image[20:280, 378:380] = 0
    return image


@pytest.mark.parametrize("degrees", [-2.5, -0.6, 0.0, 1.3])
def test_the_angle_of_a_turned_chart_is_found(degrees):
    # turning(d) levels lines at d; its inverse turns a level chart to lines at d
    turned = warp(_chart(), np.linalg.inv(turning(degrees, 400, 300)))
    ink = (turned.mean(axis=2) < 128).astype(np.uint8)
    assert skew_angle(ink) == pytest.approx(degrees, abs=0.1)


def test_straightening_brings_the_frame_back():
    chart = _chart()
    turned = warp(chart, np.linalg.inv(turning(1.5, 400, 300)))
    back = warp(turned, turning(1.5, 400, 300))
    dark = back.mean(axis=2) < 128
    assert dark[278:280, 40:360].mean() > 0.9 and dark[20:280, 20:22][20:-20].mean() > 0.9


def test_a_blank_image_has_no_angle():
    assert skew_angle(np.zeros((50, 60), np.uint8)) == 0.0
