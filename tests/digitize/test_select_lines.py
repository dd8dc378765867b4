import pytest

from speedlines.digitize.pipeline import digitize_mask, select_lines
from speedlines.errors import InputError
from tests.drawn_maps import CAL, draw, family


def test_select_lines_renumbers_and_assigns_speeds():
    result = digitize_mask(draw(family(), (140, 240)), CAL)
    picked = select_lines(result, [1, 3], [10.0, 30.0])
    assert [(sl.line, sl.speed) for sl in picked.lines] == [(1, 10.0), (2, 30.0)]
    assert (picked.lines[1].data == result.lines[2].data).all()
    assert select_lines(result, None, None).lines == result.lines
    with pytest.raises(InputError, match="no line 7"):
        select_lines(result, [7], None)
    with pytest.raises(InputError, match="2 speedlines kept but 1 speeds"):
        select_lines(result, [1, 2], [5.0])


def test_a_calibration_mapping_lines_beyond_the_float_range_is_refused():
    from speedlines.digitize.calibration import AxisCalibration, Calibration

    huge = Calibration(AxisCalibration((0, 1), (0, 1e308)), CAL.y)  # 1e308 per pixel
    with pytest.raises(InputError, match="beyond the floating-point range"):
        digitize_mask(draw(family(), (140, 240)), huge)


def test_non_finite_speeds_are_refused():
    result = digitize_mask(draw(family(), (140, 240)), CAL)
    with pytest.raises(InputError, match="line 2: speed inf is not a finite number"):
        select_lines(result, [1, 2], [1.0, float("inf")])
