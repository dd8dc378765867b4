"""Average the weights of two models of the same network (a "model soup").

Averaging a fine-tuned model with the one it started from keeps both in the same basin, where
the average is often the more robust (Wortsman et al., "Model soups", 2022).
"""

from __future__ import annotations

from pathlib import Path

from speedlines.errors import InputError

_NETWORK = ("architecture", "encoder", "in_channels", "classes", "aux_classes")


def average_state(first: dict, second: dict, weight: float) -> dict:
    """(1 - weight) * FIRST + weight * SECOND for every floating-point tensor (batch-norm
    running statistics included); counters such as ``num_batches_tracked`` are SECOND's."""
    if first.keys() != second.keys() or any(first[k].shape != second[k].shape for k in first):
        raise InputError("the two models are different networks (their tensors differ)")
    return {
        k: (1 - weight) * first[k] + weight * second[k] if first[k].is_floating_point() else v
        for k, v in second.items()
    }


def average_models(first: str | Path, second: str | Path, weight: float = 0.5):
    """``(model, config)``: FIRST and SECOND averaged, ``weight`` being SECOND's share.

    The config is SECOND's; its training record gains ``averaged_with`` (FIRST and its share,
    and FIRST's own record unless it is the one SECOND was fine-tuned from), and its metrics
    are dropped, since SECOND's validation numbers are not this model's.
    """
    from speedlines.segment.model import load_model

    if not 0 < weight < 1:
        raise InputError(f"the weight of the second model must lie in (0, 1), not {weight}")
    first_model, first_cfg = load_model(first)
    model, cfg = load_model(second)
    theirs, mine = ([getattr(c, k) for k in _NETWORK] for c in (first_cfg, cfg))
    if theirs != mine:
        raise InputError(
            f"{first} and {second} are different networks "
            f"({'/'.join(map(str, theirs))} and {'/'.join(map(str, mine))})"
        )
    model.load_state_dict(average_state(first_model.state_dict(), model.state_dict(), weight))
    averaged = {"model": str(first), "share": round(1 - weight, 4)}
    if first_cfg.training != cfg.training.get("parent"):
        averaged["training"] = first_cfg.training
    cfg.training = dict(cfg.training, averaged_with=averaged)
    cfg.metrics = {}
    return model, cfg


def write_average(
    first: str | Path,
    second: str | Path,
    out: str | Path,
    weight: float = 0.5,
    val_data: str | Path | None = None,
) -> tuple[Path, dict]:
    """OUT/model: the average of FIRST and SECOND, scored on ``val_data`` when given (its
    config's metrics). OUT/run_config.json is SECOND's run config when SECOND lies in a run
    folder, so the installed model card can name the command that trained it. Returns the
    model folder and its metrics."""
    from speedlines.atomic_io import write_bytes
    from speedlines.segment.model import save_model

    model, cfg = average_models(first, second, weight)
    if val_data:
        from speedlines.dataset import SpeedlineDataset
        from speedlines.evaluate.report import evaluate
        from speedlines.segment.segmenter import Segmenter

        ev = evaluate(Segmenter(model.eval(), cfg), SpeedlineDataset(val_data), "val")
        cfg.metrics = {"validation": ev.overall().as_dict(), "validation_data": str(val_data)}
    out = Path(out)
    model_dir = save_model(out / "model", model, cfg)
    run_config = Path(second).parent / "run_config.json"
    if run_config.is_file():
        write_bytes(out / "run_config.json", run_config.read_bytes())
    return model_dir, cfg.metrics
