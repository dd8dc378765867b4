"""The model card: network, inputs, the whole training history, test quality, known limits."""

from __future__ import annotations

import textwrap

from speedlines.training.config import TrainConfig

GENERIC_LIMITS = (
    "- Trained on generated maps only; real scans with unusual colours, very thick or very\n"
    "  faint lines, or speedlines drawn like the grid may be missed.\n"
    "- A short CPU budget: see docs/results.md for how it compares with the research's numbers."
)
_SCORES = ("iou", "dice", "precision", "recall")


def wrap(items: list[str], numbered: bool = False) -> str:
    """Markdown list items wrapped to the width of the rest of the repository's docs."""
    marks = [f"{i}. " if numbered else "- " for i in range(1, len(items) + 1)]
    return "\n".join(
        textwrap.fill(
            item,
            96,
            initial_indent=m,
            subsequent_indent=" " * len(m),
            break_on_hyphens=False,
            break_long_words=False,  # paths and commands stay whole
        )
        for m, item in zip(marks, items)
    )


def _step(t: dict) -> str:
    steps = f" ({t['steps']} steps)" if t.get("steps") else ""
    lr = f", learning rate {t['lr']}" if t.get("lr") else ""
    budget = f", time limit {t['max_minutes']} minutes" if t.get("max_minutes") else ""
    start = t.get("init_model") or "random weights"
    aug = t.get("augment", "research")  # records before the choice existed: the default
    # recorded since bf16 training; older records (fp32 on the CPU) say nothing
    precision = f", precision {t['precision_used']}" if t.get("precision_used") else ""
    return (
        f"From {start}: {t.get('epochs', '?')} epochs{steps} on {t.get('img_size')} px"
        f" windows, batch {t.get('batch_size')}, loss {t.get('loss')}, augmentation"
        f" {aug}{lr}, seed {t.get('seed')}{budget}{precision}; data"
        f" {t.get('data')}. Batch norm:"
        f" {t.get('bn_recalibration', 'not recorded')}."
    )


def _averaging(averaged: dict) -> str:
    origin = "" if "training" in averaged else " (the model that step started from)"
    return (
        f"Weights averaged: {averaged['share']:g} x {averaged['model']}{origin} +"
        f" {1 - averaged['share']:g} x that step's best checkpoint."
    )


def history(training: dict) -> str:
    """One numbered line per training step, oldest first, from the chain of ``parent`` records
    that fine-tuning leaves in each model's config."""
    chain = []
    while training:
        chain.append(training)
        training = training.get("parent")
    lines = []
    for t in reversed(chain):
        lines.append(_step(t))
        if t.get("averaged_with"):  # at any step: a soup fine-tuned further keeps its record
            lines.append(_averaging(t["averaged_with"]))
    return wrap(lines, numbered=True)


def about(cfg: dict, train: TrainConfig) -> str:
    """The network, its inputs, how its weights came about and the last command that trained
    it (``train``: that run's config)."""
    tiles = f"{cfg['tile_size'] or cfg['input_size']} px"
    if cfg.get("tile_max"):
        tiles += f", up to {cfg['tile_max']} px on big images (`tile_max`)"
    bn = cfg["training"].get("bn_recalibration", "batch-norm handling not recorded")
    weights = (
        "Weights: an average of the last two models (see the history for the shares)."
        if cfg["training"].get("averaged_with")
        else "Weights: the best checkpoint by validation loss."
    )
    return wrap([
        f"Network: {cfg['architecture']} with an {cfg['encoder']} encoder (smp); no ImageNet "
        "weights.",
        f"Input: {cfg['view']} view, scale {cfg['scale']}; predicting on tiles of {tiles}, with "
        f"blended seams. Threshold {cfg['threshold']}; ImageNet mean/std normalisation.",
        f"Preferred engine: {cfg.get('engine') or 'auto'}.",
        weights + f" Batch norm: {bn}.",
        f"Last command: `{train.command()}`",
        "Earlier versions and their cards are in this folder's git history.",
    ])  # fmt: skip


def results_table(reports: dict[str, dict]) -> str:
    """The markdown table of test-set reports (``report.json`` contents) by set name."""
    lines = [
        "| test set | images | IoU | Dice | precision | recall | tolerant F1 |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, report in reports.items():
        o = report["overall"]
        cols = " | ".join(f"{o[k]:.4f}" for k in _SCORES)
        lines.append(f"| {name} | {report['images']} | {cols} | {o['tolerant_f1']:.4f} |")
    return "\n".join(lines)


def model_card(
    cfg: dict, train: TrainConfig, table: str, name: str = "", limits: str | None = None
) -> str:
    """The card of the model whose config is ``cfg``, last trained by ``train``; ``table`` is
    its test quality, ``limits`` markdown bullets of the limits seen (default: generic ones)."""
    title = f" ({name})" if name else ""
    return f"""# speedlines default model{title}

{about(cfg, train)}

## Training history (oldest first; each step fine-tunes the one before)

{history(cfg["training"])}

## Quality on fixed generated test sets (seeds never used in training)

Masks compared at each image's own resolution; tolerant F1 within 2 px of the skeletons.

{table}

## Known limits

{limits.strip() if limits else GENERIC_LIMITS}
"""
