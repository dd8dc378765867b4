"""Stage 1, image -> speedline probability and mask: the model (``model``), the runtime that
runs it (``engine``), tiled inference (``segmenter``), the non-learned ink mask (``ink``), the
``Segmentation`` every mask source gives (``segmentation``) and masks for files
(``predict``)."""

from speedlines.segment.ink import InkMask, ink_mask
from speedlines.segment.model import ModelConfig, default_model, load_config, load_model
from speedlines.segment.predict import predict_files
from speedlines.segment.segmentation import METHODS, MaskSource, Segmentation
from speedlines.segment.segmenter import Segmenter

__all__ = [
    "METHODS",
    "InkMask",
    "MaskSource",
    "ModelConfig",
    "Segmentation",
    "Segmenter",
    "default_model",
    "ink_mask",
    "load_config",
    "load_model",
    "predict_files",
]
