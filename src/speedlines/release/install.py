"""Install a run's model as the package's default model, with its model card."""

from __future__ import annotations

import json
from pathlib import Path

from speedlines.errors import InputError
from speedlines.release.model_card import model_card, results_table
from speedlines.training.config import TrainConfig

# As the training commands in docs/results.md name it (`--init-model
# src/speedlines/models/default`), so that records pointing at it are recognised.
TARGET = Path("src/speedlines/models/default")


def outgoing_version(target: str | Path = TARGET) -> str:
    """The version of the model being replaced, from its card's title (``... (v8)``)."""
    card = Path(target) / "MODEL_CARD.md"
    title = card.read_text().partition("\n")[0] if card.is_file() else ""
    return title.rpartition("(")[2].rstrip(")") if title.endswith(")") else ""


def name_outgoing(training: dict, version: str, target: str | Path = TARGET) -> None:
    """Name the version where the new model's record points at the shipped folder, which
    from now on holds the new model."""
    if not version:
        return
    here = str(target)
    if training.get("init_model") == here:
        training["init_model"] = f"{here} ({version})"
    averaged = training.get("averaged_with")
    if averaged and averaged.get("model") == here:
        averaged["model"] = f"{here} ({version})"


def _named_before(cfg: dict, target: Path) -> str:
    """The version an installed config's record names its starting model by, or ''."""
    for where in (cfg.get("training", {}), cfg.get("training", {}).get("averaged_with") or {}):
        named = str(where.get("init_model") or where.get("model") or "")
        if named.startswith(f"{target} (") and named.endswith(")"):
            return named[len(str(target)) + 2 : -1]
    return ""


def half_precision(weights: str | Path) -> bytes:
    """The safetensors file with its float tensors stored as float16: half the bytes that
    every clone carries for each shipped version. Loading casts them back to float32."""
    import torch
    from safetensors import safe_open
    from safetensors.torch import save

    with safe_open(str(weights), "pt") as f:
        metadata = f.metadata()
        state = {k: f.get_tensor(k) for k in f.keys()}  # noqa: SIM118 (not a dict)
    half = {k: v.half() if v.is_floating_point() else v for k, v in state.items()}
    if not all(v.isfinite().all() for v in half.values() if v.dtype == torch.float16):
        raise InputError(f"{weights}: weights beyond the float16 range")
    return save(half, metadata=metadata)


def set_tile_max(run: str | Path, tile_max: int) -> None:
    """Evaluate and ship RUN/model with this tile_max; reports made with another are dropped."""
    import shutil

    from speedlines.atomic_io import write_json
    from speedlines.release.test_sets import SETS

    path = Path(run) / "model" / "config.json"
    cfg = json.loads(path.read_text())
    if cfg.get("tile_max", 0) != tile_max:
        cfg["tile_max"] = tile_max
        write_json(path, cfg)
        for name in SETS:
            shutil.rmtree(Path(run) / f"ship-{name}", ignore_errors=True)


def install(
    run: str | Path,
    reports: dict[str, dict],
    name: str = "",
    limits: str | None = None,
    target: str | Path = TARGET,
) -> Path:
    """Copy RUN/model into ``target`` with the test-set scores (``reports``, as
    test_sets.score_run gives them) in its config, and write its model card."""
    from speedlines.atomic_io import write_bytes, write_json, write_text

    run, target = Path(run), Path(target)
    run_config = run / "run_config.json"
    if not run_config.is_file():
        raise InputError(f"{run_config}: not found (the card names the command that trained it)")
    cfg = json.loads((run / "model" / "config.json").read_text())
    train = TrainConfig.from_dict(json.loads(run_config.read_text())["train"])
    cfg["metrics"]["test_sets"] = {k: v["overall"] for k, v in reports.items()}
    outgoing = outgoing_version(target)
    if outgoing and outgoing == name and (target / "config.json").is_file():
        # The same version installed again (new scores, a new storage): the model it
        # replaces is the one its first install named.
        outgoing = _named_before(json.loads((target / "config.json").read_text()), target)
    name_outgoing(cfg["training"], outgoing, target)
    card = model_card(cfg, train, results_table(reports), name, limits)
    target.mkdir(parents=True, exist_ok=True)
    write_bytes(target / "model.safetensors", half_precision(run / "model" / "model.safetensors"))
    write_json(target / "config.json", cfg)
    write_text(target / "MODEL_CARD.md", card)
    return target
