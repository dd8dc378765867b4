"""TrainConfig is the one description of `speedlines train`: options, defaults, command lines."""

import shlex
import subprocess
import sys
from dataclasses import fields

import pytest
import typer

from speedlines.cli import app
from speedlines.errors import InputError
from speedlines.training.config import TrainConfig
from speedlines.training.losses import LOSSES, build_loss
from speedlines.training.run import training_record

RUN_OPTIONS = {"out", "resume", "force"}  # where the run goes, not what it is
# Every option `speedlines train` had before its options came from TrainConfig, with its
# default (README.md documents them): none may go or change.
DOCUMENTED = {
    "data": "generated", "val_data": None, "encoder": "efficientnet-b0", "architecture": "Unet",
    "encoder_weights": None, "init_model": None, "loss": "bce_jaccard", "epochs": 50,
    "batch_size": 16, "accumulate": 1, "img_size": 256, "view": "resize", "scale": 1.0,
    "tile_size": 256, "augment": "research", "lr": 1e-3, "early_stop_patience": 10,
    "max_minutes": None, "aux_head": False, "progressive": "", "bn_momentum": 0.1,
    "recalibrate_bn": None, "style": "mixed", "case": "mixed", "train_size": 1000,
    "val_size": 100, "seed": 0, "workers": 0, "precision": "auto", "accelerator": "auto",
    "devices": 1, "num_nodes": 1, "strategy": "auto", "resume": None, "force": False,
}  # fmt: skip


def train_command():
    return typer.main.get_command(app).commands["train"]


def parse(command: str) -> TrainConfig:
    """The config that `speedlines train` builds from ``command``, parsed as the CLI does."""
    words = shlex.split(command)
    assert words[:2] == ["speedlines", "train"]
    ctx = train_command().make_context("train", [*words[2:], "--out", "unused"])
    options = {k: v for k, v in ctx.params.items() if k not in RUN_OPTIONS}
    return TrainConfig.from_options(**options)


def test_every_field_is_an_option_and_every_option_a_field():
    options = {p.name: p for p in train_command().params}
    assert set(options) - RUN_OPTIONS == {f.name for f in fields(TrainConfig)}
    for f in fields(TrainConfig):
        assert options[f.name].help == f.metadata["help"] and f.metadata["help"], f.name


def test_the_documented_options_keep_their_names_and_defaults():
    options = {p.name: p for p in train_command().params}
    for name, default in DOCUMENTED.items():
        assert options[name].default == default, name
        assert f"--{name.replace('_', '-')}" in options[name].opts, name
    assert "-o" in options["out"].opts and options["out"].required


def test_defaults_make_the_default_config_and_an_empty_command():
    assert parse("speedlines train") == TrainConfig()
    assert TrainConfig().command() == "speedlines train"


@pytest.mark.parametrize(
    "changes",
    [
        {"data": "data/a,data/b", "val_data": "data/val", "lr": 1e-4, "max_minutes": 90.0},
        {"progressive": [64, 96], "aux_head": True, "encoder": "resnet18", "loss": "focal"},
        {"bn_momentum": None, "recalibrate_bn": False, "view": "tile", "min_lr": 1e-7},
        {"recalibrate_bn": True, "data": "my maps/with space", "accumulate": 4, "seed": 21},
    ],
)
def test_command_round_trips(changes):
    cfg = TrainConfig(**changes)
    command = cfg.command()
    assert parse(command) == cfg, command
    assert command.count(" --") == len(changes), "only the options that differ are written"


def test_command_spells_the_special_options():
    cfg = TrainConfig(progressive=[64, 96], bn_momentum=None, recalibrate_bn=False)
    assert cfg.command() == (
        "speedlines train --progressive 64,96 --bn-momentum 0 --no-recalibrate-bn"
    )


def test_losses_come_from_one_table():
    assert set(LOSSES) >= {"focal", "dice", "bce_jaccard"}
    for name in LOSSES:
        assert TrainConfig(loss=name).loss == name and callable(build_loss(name))
    with pytest.raises(InputError, match="loss must be one of focal, dice, bce_jaccard"):
        TrainConfig(loss="hinge")
    with pytest.raises(ValueError, match="unknown loss"):
        build_loss("hinge")


def test_importing_the_config_does_not_import_torch():
    code = "import sys, speedlines.training.config; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_training_record_is_the_config_plus_the_run():
    cfg = TrainConfig(data="d1,d2", batch_size=4, accumulate=2, epochs=50, lr=1e-4, seed=7)
    record = training_record(cfg, "d1,d2", "run/checkpoints/best.ckpt", 12, 300, "none: fresh")
    assert set(record) >= {f.name for f in fields(TrainConfig)}
    assert (record["epochs"], record["steps"], record["batch_size"]) == (12, 300, 8)
    assert (record["lr"], record["seed"], record["loss"]) == (1e-4, 7, "bce_jaccard")
    assert record["encoder_weights"] == "none (trained from scratch)"
    assert record["bn_recalibration"] == "none: fresh" and record["parent"] is None
    assert record["best_checkpoint"] == "run/checkpoints/best.ckpt"
