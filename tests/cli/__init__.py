"""The command line run as a user runs it: a subprocess, tiny drawn maps, the ink method."""

import importlib.util
import subprocess
import sys

import cv2
import pytest

from tests.drawn_maps import CAL, family, map_image

SHAPE = (140, 240)
needs_ocr = pytest.mark.skipif(
    importlib.util.find_spec("rapidocr_onnxruntime") is None,
    reason="the OCR package rapidocr-onnxruntime is not installed",
)


def cli(*args, preexec_fn=None, timeout=120):
    cmd = [sys.executable, "-m", "speedlines", *map(str, args)]
    return subprocess.run(
        cmd, capture_output=True, text=True, timeout=timeout, preexec_fn=preexec_fn
    )


def write_map(path):
    image = map_image(family(tilt=0.05), SHAPE)
    cv2.imwrite(str(path), cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
    return path


def write_calibration(path):
    CAL.save(path)
    return path


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]
