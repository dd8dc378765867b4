"""Evaluate a model on a data set: scores per image, per case and overall, plus reports.

Scores are pooled over pixels (micro averages, as the research's IoU), per case (simple,
combined, chart) and overall. ``resolution="native"`` compares masks at each image's own
size (what users get); ``"model"`` at the model's input size, as the research measured.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from speedlines.dataset import Item
from speedlines.evaluate.mask_metrics import Counts, Scores, count
from speedlines.segment.segmenter import Segmenter, resize_image, resize_mask

CASE_ORDER = ("simple", "combined", "chart", "datasheet", "gif", "coloured", "scan", "unknown")
SCORE_COLUMNS = ("iou", "dice", "precision", "recall", "tolerant_f1")


@dataclass
class ItemResult:
    id: str
    case: str
    counts: Counts
    scores: Scores

    @property
    def goodness(self) -> float:
        """What ranks the worst images: pixel overlap plus whether the lines were found."""
        return self.scores.tolerant_f1 + self.scores.iou


@dataclass
class Evaluation:
    model: dict
    data: str
    resolution: str
    items: list[ItemResult] = field(default_factory=list)

    def by_case(self) -> dict[str, Scores]:
        groups: dict[str, Counts] = {}
        for r in self.items:
            groups[r.case] = groups.get(r.case, Counts()) + r.counts
        ordered = sorted(groups, key=lambda c: CASE_ORDER.index(c) if c in CASE_ORDER else 9)
        return {c: groups[c].scores() for c in ordered}

    def overall(self) -> Scores:
        total = Counts()
        for r in self.items:
            total = total + r.counts
        return total.scores()

    def worst(self, n: int) -> list[ItemResult]:
        return sorted(self.items, key=lambda r: r.goodness)[:n]

    def to_dict(self) -> dict:
        return {
            "model": self.model,
            "data": self.data,
            "resolution": self.resolution,
            "images": len(self.items),
            "overall": self.overall().as_dict(),
            "by_case": {c: s.as_dict() for c, s in self.by_case().items()},
            "items": [{"id": r.id, "case": r.case, **r.scores.as_dict()} for r in self.items],
        }


def _views(segmenter: Segmenter, item: Item, resolution: str):
    prob = segmenter.probability(item.image)
    truth, image = item.mask, item.image
    if resolution == "model" and segmenter.config.view == "resize":
        s = segmenter.config.input_size
        prob, truth = resize_image(prob, (s, s)), resize_mask(truth, (s, s))
        image = resize_image(image, (s, s))
    return image, prob > segmenter.config.threshold, truth


def evaluate(
    segmenter: Segmenter,
    items: Iterable[Item],
    data_name: str = "",
    resolution: str = "native",
    on_item: Callable[[ItemResult], None] | None = None,
    keep: Callable[[ItemResult, np.ndarray, np.ndarray, np.ndarray], None] | None = None,
) -> Evaluation:
    """Score every item; ``keep(result, image, pred, truth)`` sees each mask (worst-case grids)."""
    if resolution not in ("native", "model"):
        raise ValueError(f"resolution must be native or model, not {resolution!r}")
    ev = Evaluation(segmenter.config.to_dict(), data_name, resolution)
    ev.model.pop("training", None)
    for item in items:
        image, pred, truth = _views(segmenter, item, resolution)
        c = count(pred, truth)
        result = ItemResult(item.id, item.case, c, c.scores())
        ev.items.append(result)
        if keep:
            keep(result, image, pred, truth)
        if on_item:
            on_item(result)
    return ev


def markdown(ev: Evaluation) -> str:
    """The report as a markdown table per case and overall."""
    m = ev.model
    lines = [
        f"# Evaluation of {m['architecture']} / {m['encoder']} on {ev.data}",
        "",
        f"{len(ev.items)} images, masks compared at {ev.resolution} resolution, "
        f"threshold {m['threshold']}, tolerant F1 within 2 px of the skeletons.",
        "",
        "| case | images | " + " | ".join(SCORE_COLUMNS) + " |",
        "|---" * (len(SCORE_COLUMNS) + 2) + "|",
    ]
    sizes: dict[str, int] = {}
    for r in ev.items:
        sizes[r.case] = sizes.get(r.case, 0) + 1
    rows = [*ev.by_case().items(), ("overall", ev.overall())]
    for case, s in rows:
        n = sizes.get(case, len(ev.items))
        values = " | ".join(f"{getattr(s, k):.4f}" for k in SCORE_COLUMNS)
        lines.append(f"| {case} | {n} | {values} |")
    worst = ", ".join(f"{r.id} ({r.case}, IoU {r.scores.iou:.3f})" for r in ev.worst(8))
    lines += ["", f"Worst images: {worst}.", ""]
    return "\n".join(lines)


class WorstCases:
    """Keeps the masks of the n worst images seen so far, for the PNG grid."""

    def __init__(self, n: int = 8):
        self.n = n
        self.kept: list[tuple[float, ItemResult, np.ndarray, np.ndarray, np.ndarray]] = []

    def __call__(self, r: ItemResult, image, pred, truth) -> None:
        self.kept.append((r.goodness, r, image, pred, truth))
        self.kept.sort(key=lambda k: k[0])
        del self.kept[self.n :]

    def grid(self) -> np.ndarray:
        from speedlines.preview import sheet

        tiles, caps = [], []
        for _, r, image, pred, truth in self.kept:
            s = r.scores
            tiles += [image, _mask_rgb(pred), _mask_rgb(truth)]
            caps += [f"{r.id} {r.case}", f"pred IoU {s.iou:.3f} tF1 {s.tolerant_f1:.3f}", "truth"]
        return sheet(tiles, caps, 3, (300, 200), title="worst cases: image | prediction | truth")


def _mask_rgb(mask: np.ndarray) -> np.ndarray:
    return np.where(mask[..., None], 0, 255).astype(np.uint8).repeat(3, axis=2)


def write_reports(ev: Evaluation, out: str | os.PathLike, worst: WorstCases | None) -> list[Path]:
    """report.md, report.json and (with masks kept) worst.png in ``out``, each atomically."""
    from speedlines.atomic_io import write_json, write_png, write_text

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = [
        write_text(out / "report.md", markdown(ev)),
        write_json(out / "report.json", ev.to_dict()),
    ]
    if worst and worst.kept:
        paths.append(write_png(out / "worst.png", worst.grid()))
    return paths
