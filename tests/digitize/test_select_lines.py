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
