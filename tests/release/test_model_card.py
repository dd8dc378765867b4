import json
import re

from speedlines.release.model_card import history, model_card, results_table
from speedlines.segment.model import default_model
from speedlines.training.config import TrainConfig

SHIPPED = default_model()
# The command that trained the shipped model's last step (docs/results.md, model v10).
V10 = TrainConfig(
    data="data/ship/train10-families,data/ship/train10-crops,data/ship/train10-charts",
    val_data="data/ship/val10",
    init_model="src/speedlines/models/default",
    view="tile",
    img_size=256,
    batch_size=8,
    lr=1e-4,
    epochs=100,
    max_minutes=50.0,
    augment="upright",
    recalibrate_bn=False,
    seed=22,
)


def sections(card: str) -> dict[str, str]:
    """The card's text by ``## `` heading ("" for the part above the first)."""
    parts = re.split(r"^## (.*)$", card, flags=re.M)
    return {"": parts[0], **dict(zip(parts[1::2], parts[2::2]))}


def without_last_command(text: str) -> str:
    """The text without the "Last command" list item (its rendering may change)."""
    return re.sub(r"^- Last command: .*?(?=^- )", "", text, flags=re.M | re.S)


def test_the_shipped_card_is_regenerated_from_the_shipped_config():
    committed = (SHIPPED / "MODEL_CARD.md").read_text()
    cfg = json.loads((SHIPPED / "config.json").read_text())
    old = sections(committed)
    table = old["Quality on fixed generated test sets (seeds never used in training)"]
    table = table.strip().split("\n\n")[-1]
    limits = old["Known limits"]
    card = model_card(cfg, V10, table, "v10", limits)
    new = sections(card)
    history_heading = "Training history (oldest first; each step fine-tunes the one before)"
    assert new[history_heading] == old[history_heading]
    assert new.keys() == old.keys()
    # The committed card wraps one line of the top section by hand: compare its words.
    words = [without_last_command(text).split() for text in (card, committed)]
    assert words[0] == words[1]
    assert f"- Last command: `{V10.command()}`" in " ".join(card.split())


def test_history_follows_the_chain_of_parents_oldest_first():
    first = {"epochs": 14, "img_size": 256, "batch_size": 8, "loss": "focal", "seed": 1,
             "data": "data/a", "bn_recalibration": "none"}  # fmt: skip
    second = {"init_model": "models/v1", "epochs": 3, "steps": 120, "img_size": 128,
              "batch_size": 16, "loss": "dice", "augment": "upright", "lr": 0.0001, "seed": 2,
              "max_minutes": 30.0, "data": "data/b", "bn_recalibration": "recalibrated",
              "precision_used": "bf16-mixed",
              "averaged_with": {"model": "models/v1", "share": 0.65}, "parent": first}  # fmt: skip
    text = history(second)
    items = [" ".join(item.split()) for item in re.split(r"\n(?=\d+\. )", text)]
    assert items == [
        "1. From random weights: 14 epochs on 256 px windows, batch 8, loss focal, augmentation "
        "research, seed 1; data data/a. Batch norm: none.",
        "2. From models/v1: 3 epochs (120 steps) on 128 px windows, batch 16, loss dice, "
        "augmentation upright, learning rate 0.0001, seed 2, time limit 30.0 minutes, precision "
        "bf16-mixed; data "
        "data/b. Batch norm: recalibrated.",
        "3. Weights averaged: 0.65 x models/v1 (the model that step started from) + 0.35 x that "
        "step's best checkpoint.",
    ]
    assert max(len(line) for line in text.split("\n")) <= 96, "wrapped like the docs"
    averaged_elsewhere = dict(second, averaged_with={"model": "m", "share": 0.5, "training": {}})
    assert "0.5 x m + 0.5 x that step's" in history(averaged_elsewhere).replace("\n   ", " ")


def test_results_table_rows_per_test_set():
    scores = {"iou": 0.5, "dice": 0.66666, "precision": 0.7, "recall": 0.61, "tolerant_f1": 0.9}
    table = results_table({"crop-simple": {"images": 60, "overall": scores}})
    row = "| crop-simple | 60 | 0.5000 | 0.6667 | 0.7000 | 0.6100 | 0.9000 |"
    assert table.split("\n") == [*table.split("\n")[:2], row]
