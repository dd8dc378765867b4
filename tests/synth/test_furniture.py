import pytest

from speedlines.synth.appearance import pt
from speedlines.synth.furniture import speed_text


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
