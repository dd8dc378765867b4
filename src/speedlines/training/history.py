"""The metrics history of a run across resumes, and the checks on a checkpoint to resume.

Lightning's CSV logger deletes ``logs/metrics.csv`` when it starts, so a resumed run kept only
the epochs after the resume (issue 21). Here the history up to the checkpoint is written first
(from the checkpoint's own run folder) and the logger appends to it.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from lightning.pytorch.loggers import CSVLogger
from lightning.pytorch.loggers.csv_logs import ExperimentWriter
from lightning.pytorch.loggers.logger import rank_zero_experiment

from speedlines.errors import InputError

METRICS = Path("logs") / "metrics.csv"


class _AppendingWriter(ExperimentWriter):
    """Lightning's writer, appending to the rows already in metrics.csv."""

    def _check_log_dir_exists(self) -> None:
        path = Path(self.metrics_file_path)
        if path.is_file():
            with path.open(newline="") as f:
                self.metrics_keys = list(csv.DictReader(f).fieldnames or [])


class HistoryLogger(CSVLogger):
    """A CSVLogger that keeps the history already in its metrics.csv."""

    @property
    @rank_zero_experiment
    def experiment(self) -> ExperimentWriter:
        if self._experiment is None:
            self._fs.makedirs(self.root_dir, exist_ok=True)
            self._experiment = _AppendingWriter(log_dir=self.log_dir)
        return self._experiment


def load_checkpoint(path: str, task) -> dict:
    """The Lightning checkpoint at ``path``, checked to be readable and to fit ``task``'s
    network; InputError naming the file otherwise."""
    import torch

    try:
        # Lightning loads the whole checkpoint (not only weights) when it resumes, as here.
        ckpt = torch.load(path, map_location="cpu", weights_only=False)
    except Exception as exc:
        reason = (str(exc).strip().splitlines() or [""])[0][:120]
        raise InputError(
            f"{path}: not a readable checkpoint ({type(exc).__name__}: {reason})"
        ) from None
    state = ckpt.get("state_dict") if isinstance(ckpt, dict) else None
    if not isinstance(state, dict):
        raise InputError(f"{path}: not a Lightning checkpoint (no state_dict)")
    expected = task.state_dict()
    bad = [k for k, v in state.items() if k not in expected or expected[k].shape != v.shape]
    missing = [k for k in expected if k not in state]
    if bad or missing:
        cfg = task.model_cfg
        raise InputError(
            f"{path}: checkpoint does not match {cfg.architecture}/{cfg.encoder} "
            f"({len(bad)} unexpected or misshaped, {len(missing)} missing tensors)"
        )
    return ckpt


def start_history(out: Path, resume: str | None, last_epoch: int) -> None:
    """Seed ``out``'s metrics.csv: empty for a new run; for a resumed one, the rows of the
    checkpoint's run up to its epoch ``last_epoch`` (later rows are trained again)."""
    from speedlines.atomic_io import write_text

    target = out / METRICS
    source = Path(resume).resolve().parent.parent / METRICS if resume else None
    if source is None or not source.is_file():
        target.unlink(missing_ok=True)
        return
    with source.open(newline="") as f:
        reader = csv.DictReader(f)
        keys = list(reader.fieldnames or [])
        rows = [r for r in reader if _epoch(r) is not None and _epoch(r) <= last_epoch]
    text = io.StringIO()
    writer = csv.DictWriter(text, keys, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_text(target, text.getvalue())


def _epoch(row: dict) -> int | None:
    try:
        return int(float(row.get("epoch") or ""))
    except ValueError:
        return None
