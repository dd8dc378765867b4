"""The real entry point, trained for a few steps on 64 x 64 hand-made maps."""

import csv
import json
import shutil
import subprocess
import sys

import numpy as np
import pytest

from speedlines.dataset import SpeedlineDataset
from speedlines.evaluate.mask_metrics import score
from speedlines.segment.engine import bf16_native
from speedlines.segment.segmenter import Segmenter
from speedlines.training.config import TrainConfig
from speedlines.training.run import resolve_precision
from tests.training.lines import write_set


def cli(*args, check=False):
    cmd = [sys.executable, "-m", "speedlines", *map(str, args)]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if check and p.returncode:
        raise AssertionError(p.stderr[-3000:])
    return p


def epoch_rows(run, key):
    with open(run / "logs" / "metrics.csv") as f:
        return [
            (int(r["epoch"]), int(r["step"]), float(r[key])) for r in csv.DictReader(f) if r[key]
        ]


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return write_set(tmp_path_factory.mktemp("lines") / "set", 24, seed=0)


@pytest.fixture(scope="module")
def run(data, tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "b0"
    cli("train", "--data", data, "--out", out, "--img-size", "64", "--epochs", "3",
        "--batch-size", "8", "--augment", "none", "--val-size", "4", check=True)  # fmt: skip
    return out


def test_training_lowers_the_loss_and_writes_a_complete_run(run):
    losses = [v for _, _, v in epoch_rows(run, "train_loss_epoch")]
    assert len(losses) == 3 and losses[-1] < losses[0]
    for name in ("run_config.json", "curves.png", "checkpoints/best.ckpt", "checkpoints/last.ckpt",
                 "model/config.json", "model/model.safetensors"):  # fmt: skip
        assert (run / name).is_file(), name
    saved = json.loads((run / "run_config.json").read_text())
    assert saved["train"]["seed"] == 0 and saved["train"]["loss"] == "bce_jaccard"
    assert saved["versions"]["torch"]
    native = bf16_native()
    assert saved["precision_used"] == ("bf16-mixed" if native else "32-true"), "auto, from the CPU"
    model_cfg = json.loads((run / "model" / "config.json").read_text())
    assert model_cfg["training"]["precision_used"] == saved["precision_used"]


def test_auto_precision_follows_the_cpu_and_can_be_forced(monkeypatch):
    import speedlines.segment.engine as engine

    monkeypatch.setattr(engine, "cpu_flags", lambda: {"avx512f", "amx_bf16"})
    assert resolve_precision(TrainConfig(), "cpu") == "bf16-mixed"
    monkeypatch.setattr(engine, "cpu_flags", lambda: {"avx2"})
    assert resolve_precision(TrainConfig(), "cpu") == "32-true"
    assert resolve_precision(TrainConfig(precision="bf16-mixed"), "cpu") == "bf16-mixed"


def test_checkpoint_loads_in_one_call_and_eval_output_is_not_empty(run, data):
    seg = Segmenter.from_path(run / "model", engine="torch")  # eval mode is a torch matter
    assert not seg.model.training
    cfg = seg.config
    assert (cfg.encoder, cfg.input_size, cfg.view) == ("efficientnet-b0", 64, "resize")
    assert set(cfg.metrics["validation"]) >= {"iou", "dice", "tolerant_f1"}
    assert cfg.training["loss"] == "bce_jaccard" and cfg.training["epochs"] == 3
    assert cfg.training["augment"] == "none", "the record names the run's augmentation"
    assert cfg.training["val_size"] == 4 and cfg.training["steps"] > 0, "config and run facts"
    ious = []
    for item in SpeedlineDataset(data):
        pred = seg.predict(item.image)
        assert pred.any(), f"eval-mode output of image {item.id} is empty"
        ious.append(score(pred, item.mask).iou)
    assert np.mean(ious) > 0.2


def test_evaluate_writes_reports_per_case(run, data, tmp_path):
    p = cli("evaluate", run / "model", data, "--out", tmp_path / "ev", "--worst", "3")
    assert p.returncode == 0, p.stderr
    rep = json.loads((tmp_path / "ev" / "report.json").read_text())
    assert rep["images"] == 24 and len(rep["items"]) == 24
    assert set(rep["by_case"]) == {"simple", "combined"}
    for scores in [rep["overall"], *rep["by_case"].values()]:
        assert 0 < scores["iou"] <= scores["tolerant_f1"] <= 1
    md = (tmp_path / "ev" / "report.md").read_text()
    assert "| overall | 24 |" in md and "| simple | 12 |" in md
    assert (tmp_path / "ev" / "worst.png").stat().st_size > 1000


def test_resume_continues_from_the_last_epoch_and_keeps_the_history(run, data, tmp_path):
    out = tmp_path / "resumed"
    cli("train", "--data", data, "--out", out, "--img-size", "64", "--epochs", "4",
        "--batch-size", "8", "--augment", "none", "--resume", run / "checkpoints/last.ckpt",
        check=True)  # fmt: skip
    rows = epoch_rows(out, "train_loss_epoch")
    assert [e for e, _, _ in rows] == [0, 1, 2, 3], "the run's epochs, each once, in order"
    assert rows[:3] == epoch_rows(run, "train_loss_epoch"), "the history up to the resume"
    assert [e for e, _, _ in epoch_rows(out, "val_loss")] == [0, 1, 2, 3]


def test_resume_in_the_same_folder_keeps_every_epoch_once(run, data, tmp_path):
    out = tmp_path / "again"
    shutil.copytree(run, out)
    cli("train", "--data", data, "--out", out, "--img-size", "64", "--epochs", "5",
        "--batch-size", "8", "--augment", "none", "--resume", out / "checkpoints/last.ckpt",
        check=True)  # fmt: skip
    assert [e for e, _, _ in epoch_rows(out, "train_loss_epoch")] == [0, 1, 2, 3, 4]


def test_unreadable_or_foreign_resume_checkpoints(run, data, tmp_path):
    bad = tmp_path / "bad.ckpt"
    bad.write_bytes((run / "checkpoints/last.ckpt").read_bytes()[:5000])
    args = ["--data", data, "--img-size", "64", "--epochs", "4", "--augment", "none"]
    for ckpt, extra, message in [
        (bad, [], "bad.ckpt: not a readable checkpoint"),
        (run / "checkpoints/last.ckpt", ["--encoder", "resnet18"],
         "last.ckpt: checkpoint does not match Unet/resnet18"),
    ]:  # fmt: skip
        p = cli("train", "--out", tmp_path / "x", *args, *extra, "--resume", ckpt)
        assert p.returncode == 2 and message in p.stderr, p.stderr[-2000:]
        assert len(p.stderr.strip().splitlines()) == 1 and "Traceback" not in p.stderr


def test_ddp_with_two_cpu_processes(data, tmp_path):
    out = tmp_path / "ddp"
    cli("train", "--data", data, "--out", out, "--img-size", "64", "--epochs", "1",
        "--batch-size", "4", "--augment", "none", "--accelerator", "cpu", "--devices", "2",
        "--strategy", "ddp", check=True)  # fmt: skip
    # 22 training images: one process takes 5 steps of 4; two processes share them, 2 steps each.
    ((_, step, _),) = epoch_rows(out, "train_loss_epoch")
    assert step == 1, f"expected 2 steps per process, got {step + 1}"
    assert (out / "model" / "model.safetensors").is_file()


def test_generated_stream_with_aux_head_and_progressive_sizes(tmp_path):
    out = tmp_path / "gen"
    cli("train", "--data", "generated", "--style", "crop", "--train-size", "8", "--val-size", "3",
        "--out", out, "--img-size", "64", "--progressive", "32", "--epochs", "2",
        "--batch-size", "4", "--aux-head", "--encoder", "resnet18", check=True)  # fmt: skip
    cfg = json.loads((out / "model" / "config.json").read_text())
    assert cfg["aux_classes"] == 1 and cfg["training"]["progressive"] == [32]
    assert cfg["training"]["data"] == "generated crop/mixed"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--data", "nowhere"], "data folder not found"),
        (["--loss", "hinge"], "loss must be one of"),
        (["--img-size", "100"], "multiples of 32"),
        (["--epochs", "0"], "epochs must be at least 1"),
    ],
)
def test_bad_training_input(args, message, data, tmp_path):
    base = ["--data", data] if "--data" not in args else []
    p = cli("train", "--out", tmp_path / "x", *base, *args)
    assert p.returncode == 2 and message in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1 and "Traceback" not in p.stderr


def test_non_empty_out_and_foreign_checkpoint(run, data, tmp_path):
    p = cli("train", "--data", data, "--out", run)
    assert p.returncode == 2 and "not empty" in p.stderr
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    cfg = json.loads((run / "model" / "config.json").read_text()) | {"encoder": "resnet34"}
    (foreign / "config.json").write_text(json.dumps(cfg))
    (foreign / "model.safetensors").write_bytes((run / "model/model.safetensors").read_bytes())
    p = cli("evaluate", foreign, data, "--out", tmp_path / "ev")
    assert p.returncode == 2 and "do not match Unet/resnet34" in p.stderr
    assert not (tmp_path / "ev").exists()


def test_fine_tune_starts_from_a_trained_model(run, data, tmp_path):
    out = tmp_path / "tuned"
    cli("train", "--data", data, "--out", out, "--img-size", "64", "--epochs", "1",
        "--batch-size", "8", "--augment", "none", "--init-model", run / "model",
        check=True)  # fmt: skip
    scratch = epoch_rows(run, "train_loss_epoch")[0][2]
    ((_, _, tuned),) = epoch_rows(out, "train_loss_epoch")
    assert tuned < scratch, "a fine-tuned first epoch starts where the trained model ended"
    cfg = json.loads((out / "model" / "config.json").read_text())
    assert cfg["training"]["init_model"] == str(run / "model")
    parent = json.loads((run / "model" / "config.json").read_text())["training"]
    assert cfg["training"]["parent"] == parent and parent["parent"] is None, "history carried"
    # A few steps leave the running statistics stale, so both were recalibrated by default.
    assert cfg["training"]["bn_recalibration"].startswith("recalibrated on")
    assert parent["bn_recalibration"].startswith("recalibrated on")
    p = cli("train", "--data", data, "--out", tmp_path / "r18", "--img-size", "64",
            "--encoder", "resnet18", "--init-model", run / "model")  # fmt: skip
    assert p.returncode == 2 and "cannot fine-tune from Unet/efficientnet-b0" in p.stderr
