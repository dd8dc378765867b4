import numpy as np
import pytest

from speedlines.synth import appearance
from speedlines.synth.appearance import pt
from speedlines.synth.furniture import speed_text, written_number
from speedlines.synth.sample import generate_sample


@pytest.mark.parametrize(
    ("v", "unit", "fmt", "text"),
    [
        (120000, "rpm", "{v:.0f} rpm", "120000 rpm"),
        (120000, "rpm", "N={v:.0f}", "N=120000"),
        (120500, "rpm", "{k:g}k rpm", "120.5k rpm"),
        (144956, "rpm", "{k:g}k rpm", "144956 rpm"),  # never "144.956k rpm"
        (80, "%", "{v:.0f} rpm", "80 %"),
        (92.5, "%", "{v:.0f}", "92.5%"),
    ],
)
def test_speed_text(v, unit, fmt, text):
    assert speed_text(v, unit, fmt) == text


def test_pt_converts_pixels_at_the_figure_resolution():
    assert pt(100) == pytest.approx(72.0)


@pytest.mark.parametrize(
    ("text", "thousands", "comma", "written"),
    [
        ("12500", True, False, "12,500"),
        ("12500", True, True, "12.500"),  # beside a decimal comma, points group thousands
        ("2.5", True, True, "2,5"),
        ("\u22121.25", False, True, "\u22121,25"),
        ("500", True, False, "500"),
        ("1e4", True, True, "1e4"),  # not a plain number: as it is
    ],
)
def test_written_number(text, thousands, comma, written):
    assert written_number(text, thousands, comma) == written


def test_tick_writing_draws_from_a_stream_of_its_own(monkeypatch):
    # A chart's other choices (lines, limits, furniture) stay what they were before tick
    # writing was added, so the fixed test sets change only where a chart writes its labels
    # otherwise or opens its frame.
    real = generate_sample(7005, 9, "chart", "combined")
    assert real.meta["chart"]["decimal_comma"]
    off = {"thousands": False, "decimal_comma": False, "open_frame": False}
    monkeypatch.setattr(appearance, "sample_tick_writing", lambda rng, style: off)
    plain = generate_sample(7005, 9, "chart", "combined")

    def rest(meta):
        return {**meta, "chart": {k: v for k, v in meta["chart"].items() if k not in off}}

    assert rest(real.meta) == rest(plain.meta)
    assert not np.array_equal(real.image, plain.image)  # "4,5" where it was "4.5"
