"""Stage 2, mask -> speedlines as curves in data units -> files: pixel <-> data units
(``calibration``), one pixel chain per speedline (``trace``, with ``joins`` and
``line_shape``), fitted and resampled curves (``curves``), the steps for one image
(``pipeline``), the page's edited lines fitted as they are (``edited``), CSV / JSON / .map
(``tables``), those files read back (``readers``) and images in, files out (``batch``)."""

from speedlines.digitize.batch import CalibrationSource, DigitizeOptions, digitize_files
from speedlines.digitize.calibration import AxisCalibration, Calibration
from speedlines.digitize.curves import Speedline
from speedlines.digitize.pipeline import (
    Digitization,
    digitize_image,
    digitize_mask,
    draw_overlay,
    parse_speeds,
    select_lines,
)
from speedlines.digitize.readers import load_digitized, read_gasturb_map
from speedlines.digitize.tables import to_csv, to_gasturb_map, to_json
from speedlines.digitize.trace import LineInstance, TraceSettings, trace_lines

__all__ = [
    "AxisCalibration",
    "Calibration",
    "CalibrationSource",
    "Digitization",
    "DigitizeOptions",
    "LineInstance",
    "Speedline",
    "TraceSettings",
    "digitize_files",
    "digitize_image",
    "digitize_mask",
    "draw_overlay",
    "load_digitized",
    "parse_speeds",
    "read_gasturb_map",
    "select_lines",
    "to_csv",
    "to_gasturb_map",
    "to_json",
    "trace_lines",
]
