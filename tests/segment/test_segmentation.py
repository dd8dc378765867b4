"""Both mask sources, the model and the ink baseline, give a Segmentation through one protocol,
and digitizing takes either."""

import hashlib

import numpy as np
import pytest

from speedlines.digitize.calibration import AxisCalibration, Calibration
from speedlines.digitize.pipeline import digitize_image
from speedlines.segment.ink import INK_METHOD, InkMask, ink_mask
from speedlines.segment.model import ModelConfig
from speedlines.segment.segmentation import MaskSource, Segmentation
from speedlines.segment.segmenter import Segmenter
from tests.drawn_maps import family, map_image
from tests.fakes import DarkInk

SHAPE = (140, 240)
AREA = (0, 0, 239, 139)
CAL = Calibration(
    AxisCalibration((0.0, 200.0), (0.0, 2.0)), AxisCalibration((140.0, 0.0), (1.0, 4.0)),
    plot_area=AREA,
)  # fmt: skip


@pytest.fixture(scope="module")
def image():
    rgb = map_image(family(tilt=0.05), SHAPE)
    return np.repeat(rgb.min(axis=2, keepdims=True), 3, axis=2)  # black lines: DarkInk's too


@pytest.fixture(scope="module")
def model():
    cfg = ModelConfig(view="tile", input_size=64, training={"data": "generated/mixed"})
    return Segmenter(DarkInk().eval(), cfg)


def test_the_model_segments_with_its_own_or_a_given_threshold(model, image):
    assert isinstance(model, MaskSource)
    seg = model.segment(image)
    assert isinstance(seg, Segmentation)
    assert seg.probability.shape == SHAPE and seg.probability.dtype == np.float32
    assert (seg.mask == (seg.probability > 0.5)).all() and seg.mask.any()
    assert seg.confidence is seg.probability, "a model's probability grades the lines"
    assert seg.provenance == {
        "model": "Unet/efficientnet-b0",
        "engine": "torch",
        "threshold": 0.5,
        "trained_on": "generated/mixed",
    }
    strict = model.segment(image, threshold=0.99)
    assert strict.provenance["threshold"] == 0.99
    assert strict.mask.sum() < seg.mask.sum()
    assert (model.predict(image, 0.99) == strict.mask).all()


def test_the_ink_source_wraps_ink_mask_inside_the_plotting_area(image):
    ink = InkMask()
    assert isinstance(ink, MaskSource)
    seg = ink.segment(image)
    assert (seg.mask == ink_mask(image)).all() and seg.mask.any()
    assert seg.probability.dtype == np.float32 and (seg.probability == seg.mask).all()
    assert seg.confidence is None, "0/1 says nothing about how sure the ink method is"
    assert seg.provenance == {"method": INK_METHOD}
    left = ink.segment(image, plot_area=(0, 0, 99, 139)).mask
    assert left[:, :100].any() and not left[:, 100:].any()


@pytest.mark.parametrize("source", ["model", "ink"])
def test_digitizing_records_the_source_the_same_way_for_either(source, model, image):
    mask_source = model if source == "model" else InkMask()
    seg = mask_source.segment(image, None, AREA)
    result, mask = digitize_image(image, CAL, mask_source, name="map.png", image_bytes=b"file")
    assert (mask == seg.mask).all() and len(result.lines) == 3
    assert result.segmentation == seg.provenance
    assert result.source == {"name": "map.png", "sha256": hashlib.sha256(b"file").hexdigest()}
    without_file, _ = digitize_image(image, CAL, mask_source, name="map.png")
    assert without_file.source["sha256"] == hashlib.sha256(image.tobytes()).hexdigest()
