import json

import pytest
import torch

from speedlines.errors import InputError
from speedlines.release.install import install, name_outgoing, outgoing_version, set_tile_max
from speedlines.segment.model import load_model
from tests.release.models import write_run

SCORES = {"iou": 0.8, "dice": 0.9, "precision": 0.85, "recall": 0.95, "tolerant_f1": 0.97}
REPORTS = {"crop-simple": {"images": 2, "overall": SCORES}}


def test_install_copies_the_model_with_its_scores_and_card(tmp_path):
    target = tmp_path / "default"
    target.mkdir()
    (target / "MODEL_CARD.md").write_text("# speedlines default model (v1)\n")
    record = {"init_model": str(target), "epochs": 2, "seed": 5, "parent": None}
    train = {"init_model": str(target), "lr": 1e-4, "seed": 5, "epochs": 2, "no_longer": 1}
    run = write_run(tmp_path / "run", 1, train, training=record)
    assert install(run, REPORTS, "v2", "- Tiny.", target) == target
    cfg = json.loads((target / "config.json").read_text())
    assert cfg["metrics"]["test_sets"] == {"crop-simple": SCORES}
    assert cfg["metrics"]["validation"] == {"iou": 0.5}, "the run's own metrics stay"
    assert cfg["training"]["init_model"] == f"{target} (v1)", "the replaced version is named"
    install(run, REPORTS, "v2", "- Tiny.", target)  # again: v2 still replaced v1
    cfg = json.loads((target / "config.json").read_text())
    assert cfg["training"]["init_model"] == f"{target} (v1)"
    card = (target / "MODEL_CARD.md").read_text()
    assert card.startswith("# speedlines default model (v2)\n") and "- Tiny.\n" in card
    words = " ".join(card.split())  # long temporary paths wrap anywhere
    command = f"speedlines train --init-model {target} --epochs 2 --lr 0.0001 --seed 5"
    assert f"Last command: `{command}`" in words
    assert f"1. From {target} (v1): 2 epochs" in words
    assert "| crop-simple | 2 | 0.8000 |" in card
    # Stored in half precision, loaded in full.
    from safetensors import safe_open

    with safe_open(str(target / "model.safetensors"), "pt") as f:
        dtypes = {str(f.get_tensor(k).dtype) for k in f.keys()}  # noqa: SIM118
    assert "torch.float16" in dtypes and "torch.float32" not in dtypes
    model, _ = load_model(target)
    assert all(p.dtype == torch.float32 for p in model.parameters())
    assert sorted(p.name for p in target.iterdir()) == [
        "MODEL_CARD.md",
        "config.json",
        "model.safetensors",
    ], "no temporary file is left"


def test_install_needs_the_runs_config(tmp_path):
    run = write_run(tmp_path / "run", 1, {})
    (run / "run_config.json").unlink()
    with pytest.raises(InputError, match=r"run_config\.json: not found"):
        install(run, REPORTS, target=tmp_path / "default")
    assert not (tmp_path / "default").exists()


def test_outgoing_version_and_its_name_in_the_record(tmp_path):
    assert outgoing_version(tmp_path) == ""
    (tmp_path / "MODEL_CARD.md").write_text("# speedlines default model (v8)\n\n- Network")
    assert outgoing_version(tmp_path) == "v8"
    here = str(tmp_path)
    record = {"init_model": here, "averaged_with": {"model": here}, "parent": {"init_model": here}}
    name_outgoing(record, "v8", tmp_path)
    assert record["init_model"] == record["averaged_with"]["model"] == f"{here} (v8)"
    assert record["parent"]["init_model"] == here, "older records named their own versions"


def test_set_tile_max_drops_reports_made_with_another(tmp_path):
    run = write_run(tmp_path / "run", 1, {})
    (run / "ship-crop-simple").mkdir()
    set_tile_max(run, 384)
    assert json.loads((run / "model" / "config.json").read_text())["tile_max"] == 384
    assert not (run / "ship-crop-simple").exists()
    (run / "ship-crop-simple").mkdir()
    set_tile_max(run, 384)
    assert (run / "ship-crop-simple").exists(), "the same tile_max keeps them"
