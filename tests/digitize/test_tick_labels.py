"""label_boxes: one box per tick label, and the axis title apart, however close they stand."""

import io

import cv2
import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.ticker import FixedLocator, StrMethodFormatter
from PIL import Image

from speedlines.digitize.frame import dark_mask, find_frame
from speedlines.digitize.tick_labels import label_boxes


def _ink(fig) -> np.ndarray:
    """The dark-ink mask of a matplotlib figure, saved as PNG."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return dark_mask(np.array(Image.open(buf).convert("RGB")))


def _frame(height: int, left: int, right: int, bottom: int) -> np.ndarray:
    """An ink mask 400 px wide with a closed 2 px frame: columns ``left`` to ``right`` (end
    excluded), rows 20 to ``bottom``."""
    ink = np.zeros((height, 400), np.uint8)
    ink[20:bottom, left : left + 2] = ink[20:22, left:right] = 1
    ink[20:bottom, right - 2 : right] = ink[bottom - 2 : bottom, left:right] = 1
    return ink


def _x_labels(ticks, fontsize, labelpad, minor=False, fmt="{x:.2f}"):
    """Tick centres (px), x label boxes and title box of a small chart drawn as asked."""
    fig, ax = plt.subplots(figsize=(4, 3), dpi=100)
    ax.set_xlim(ticks[0], ticks[-1] + (ticks[1] - ticks[0]) / 2)
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(StrMethodFormatter(fmt))
    if minor:
        ax.minorticks_on()
    ax.tick_params(labelsize=fontsize)
    ax.set_xlabel("Volume Flow [kg/s]", fontsize=fontsize + 2, labelpad=labelpad)
    fig.tight_layout()
    ink = _ink(fig)
    centres = ax.transData.transform([(t, 0) for t in ticks])[:, 0]
    plt.close(fig)
    _, boxes, title = label_boxes(ink, find_frame(ink), "x")
    return centres, boxes, title


def test_labels_set_edge_to_edge_are_one_box_per_tick():
    # Crowded labels whose glyphs touch ("0.000.030.06..."), and a title right below them:
    # read as one box, they gave no label at all.
    ticks = [0.03 * k for k in range(8)]
    centres, boxes, title = _x_labels(ticks, fontsize=13, labelpad=0)
    assert len(boxes) == len(ticks)
    for c, (x0, _, x1, _) in zip(centres, boxes):
        assert x0 < c < x1 and x1 - x0 < 1.2 * (centres[1] - centres[0])
    assert title is not None and title[1] >= max(b[3] for b in boxes)


@pytest.mark.parametrize("labelpad", [0, 4])
def test_a_title_close_below_the_labels_is_not_part_of_them(labelpad):
    # Thousands with a comma's tail below the digits: the tail does not cut the line.
    ticks = [5000, 7500, 10000]
    _, boxes, title = _x_labels(ticks, fontsize=9, labelpad=labelpad, fmt="{x:,.0f}")
    assert len(boxes) == 3
    digits = boxes[0][3] - boxes[0][1]
    assert all(b[3] - b[1] <= 1.5 * digits for b in boxes)
    assert title is not None and title[1] >= max(b[3] for b in boxes)


def test_a_wide_label_over_minor_ticks_is_not_split():
    # Minor tick marks stand under a wide label: only the major ones divide labels.
    ticks = [0, 10000, 20000, 30000]
    _, boxes, _ = _x_labels(ticks, fontsize=10, labelpad=4, minor=True, fmt="{x:.0f}")
    assert len(boxes) == 4


def test_the_foot_of_a_box_over_the_labels_does_not_cut_them_off():
    # An annotation box that hangs below the frame, just over the labels' line: its foot is a
    # line of ink above the labels, of a like height, but no wider than one label.
    ink = _frame(300, 40, 361, 241)
    ticks = [41, 121, 201, 281, 360]
    for t, text in zip(ticks, ["0.0", "0.1", "0.2", "0.3", "0.4"]):
        ink[241:245, t] = 1
        cv2.putText(ink, text, (t - 12, 262), cv2.FONT_HERSHEY_PLAIN, 1, 1, 1)
    cv2.rectangle(ink, (150, 200), (230, 248), 1, 1)  # its foot 8 px below the frame
    _, boxes, _ = label_boxes(ink, find_frame(ink), "x")
    assert len([b for b in boxes if b[3] >= 255]) == 5


def test_a_y_title_close_beside_the_labels_is_not_part_of_them():
    fig, ax = plt.subplots(figsize=(3, 4), dpi=100)
    ax.set_ylim(1, 4.2)
    ax.yaxis.set_major_locator(FixedLocator([1, 1.5, 2, 2.5, 3, 3.5, 4]))
    ax.yaxis.set_major_formatter(StrMethodFormatter("{x:.1f}"))
    ax.tick_params(labelsize=11)
    ax.set_ylabel("PR [-]", fontsize=12, labelpad=0)
    fig.tight_layout()
    ink = _ink(fig)
    plt.close(fig)
    _, boxes, title = label_boxes(ink, find_frame(ink), "y")
    assert len(boxes) == 7
    assert title is not None and title[2] <= min(b[0] for b in boxes)


def test_the_other_half_of_a_y_label_is_not_taken_for_the_title():
    # "2,4" and "1,6" set with a comma apart from both digits, and a short title close
    # beside them: beyond the comma lie the labels' first digits, not a line of their own.
    ink = _frame(500, 120, 381, 481)
    for row in (150, 350):
        ink[row, 114:120] = 1  # the tick mark
        ink[row - 10 : row + 10, 96:110] = 1  # "4"
        ink[row + 6 : row + 12, 90:93] = 1  # ","
        ink[row - 10 : row + 10, 73:87] = 1  # "2"
    for r in range(170, 330, 18):  # the title's letters, turned, 6 px beside the labels
        ink[r : r + 14, 50:67] = 1
    _, boxes, title = label_boxes(ink, find_frame(ink), "y")
    assert [(b[0], b[2]) for b in boxes] == [(73, 110), (73, 110)]
    assert title is not None and (title[0], title[2]) == (50, 67)


def test_a_y_title_with_an_underscore_nearest_the_labels_is_still_the_title():
    # "π_tt" turned: its underscore, a thin bar, stands between the labels and the letters.
    ink = _frame(500, 120, 381, 481)
    for row in (150, 350):
        ink[row, 114:120] = 1
        ink[row - 10 : row + 10, 96:110] = 1  # "3", "2"
    for r in range(190, 310, 18):
        ink[r : r + 14, 71:87] = 1
    ink[240:262, 91:94] = 1  # the underscore
    _, boxes, title = label_boxes(ink, find_frame(ink), "y")
    assert [(b[0], b[2]) for b in boxes] == [(96, 110), (96, 110)]
    assert title is not None and (title[0], title[2]) == (71, 94)
