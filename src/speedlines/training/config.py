"""Everything a training run depends on, saved next to its outputs so it can be rerun.

TrainConfig is also the one description of `speedlines train`: every field is an option of
the same name (``img_size`` -> ``--img-size``) whose help text is in the field's metadata, the
CLI builds its options from the fields, and ``command()`` renders a config back into them.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import MISSING, Field, asdict, dataclass, field, fields
from typing import Any

from speedlines.errors import InputError

AUGMENTS = ("research", "upright", "none")
GENERATED = "generated"


def option(
    default: Any = MISSING,
    help: str = "",
    *,
    factory: Callable[[], Any] | Any = MISSING,
    text_type: type | None = None,
    parse: Callable[[Any], Any] | None = None,
    show: Callable[[Any], Any] | None = None,
) -> Any:
    """A field with its `speedlines train` option. Where the option's value is not the field's
    (``--progressive 64,96`` -> [64, 96]), ``text_type`` is the option's type, ``parse`` turns
    the option's value into the field's and ``show`` the field's into the option's."""
    meta = {"help": help, "text_type": text_type, "parse": parse, "show": show}
    return field(default=default, default_factory=factory, metadata=meta)


def parse_sizes(text: str) -> list[int]:
    try:
        return [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise InputError(f"--progressive takes sizes like 64,96, not {text!r}") from None


def _join_sizes(sizes: list[int]) -> str:
    return ",".join(map(str, sizes))


def _momentum(value: float | None) -> float | None:
    return value or None  # 0 on the command line: keep the encoder's own momentum


def _momentum_text(value: float | None) -> float:
    return 0 if value is None else value


@dataclass
class TrainConfig:
    """A training run: data, network, loss, schedule (the research's defaults) and hardware."""

    data: str = option(GENERATED, "Data folder(s), comma-separated, or 'generated'.")
    val_data: str | None = option(None, "Validation folder (default: 10 %).")
    style: str = option(
        "mixed",
        "Generated data: crop | chart | datasheet | gif | coloured | scan | mixed, or a list.",
    )
    case: str = option("mixed", "Generated data: simple | combined | mixed.")
    train_size: int = option(1000, "Generated images per epoch.")
    val_size: int = option(100, "Generated validation images.")
    val_fraction: float = option(0.1, "Share of the data split off for validation.")
    architecture: str = option("Unet", "smp architecture.")
    encoder: str = option("efficientnet-b0", "Any smp encoder.")
    encoder_weights: str | None = option(None, "Local encoder weights file (never downloaded).")
    init_model: str | None = option(None, "Fine-tune from this speedlines model folder.")
    loss: str = option("bce_jaccard", "focal | dice | bce_jaccard | bce | jaccard ...")
    img_size: int = option(256, "Input size (multiple of 32).")
    view: str = option("resize", "resize (whole image) | tile (native pixels).")
    scale: float = option(1.0, "Tile view: image scale before tiling.")
    tile_size: int = option(256, "Tile view: inference tile side.")
    augment: str = option("research", "research | upright (no turns) | none")
    epochs: int = option(50, "Maximum epochs.")
    batch_size: int = option(16, "Images per step.")
    accumulate: int = option(1, "Gradient accumulation steps.")
    lr: float = option(1e-3, "Adam learning rate.")
    lr_factor: float = option(0.5, "Learning-rate factor on a plateau of the validation loss.")
    lr_patience: int = option(5, "Epochs of plateau before the learning rate drops.")
    min_lr: float = option(1e-6, "Lowest learning rate.")
    early_stop_patience: int = option(10, "Epochs without gain.")
    max_minutes: float | None = option(None, "Wall-clock budget.")
    aux_head: bool = option(False, "Simple-vs-combined head.")
    aux_weight: float = option(0.2, "Weight of the simple-vs-combined head's loss.")
    progressive: list[int] = option(  # noqa: RUF009 (a dataclasses.field, with its factory)
        help="Smaller sizes first, e.g. 64,96.",
        factory=list,
        text_type=str,
        parse=parse_sizes,
        show=_join_sizes,
    )
    bn_momentum: float | None = option(
        0.1,
        "Batch-norm momentum (default 0.1; 0 keeps the encoder's).",
        parse=_momentum,
        show=_momentum_text,
    )
    # None: only when the running statistics are stale (task.stale_share); recalibrating fresh
    # ones cost the shipped model v3 0.07 IoU (docs/results.md).
    recalibrate_bn: bool | None = option(
        None, "Recompute batch-norm statistics after training (default: only when stale)."
    )
    threshold: float = option(0.5, "Probability threshold saved in the model config.")
    seed: int = option(0, "Seed of data split, init and augmentation.")
    workers: int = option(0, "Data loader processes.")
    precision: str = option("auto", "auto | 32-true | 16-mixed | bf16-mixed")
    accelerator: str = option("auto", "auto | cpu | gpu")
    devices: int = option(1, "Devices (processes) per node.")
    num_nodes: int = option(1, "Nodes for multi-node DDP.")
    strategy: str = option("auto", "auto | ddp | ddp_spawn ...")

    def __post_init__(self):
        from speedlines.synth.sample import CASES, style_names
        from speedlines.training.losses import LOSSES  # imports torch: only once one is made

        style_names(self.style)
        if self.case not in (*CASES, "mixed"):
            raise InputError(f"case must be simple, combined or mixed, not {self.case!r}")

        if self.loss not in LOSSES:
            raise InputError(f"loss must be one of {', '.join(LOSSES)}, not {self.loss!r}")
        if self.augment not in AUGMENTS:
            raise InputError(f"augment must be one of {', '.join(AUGMENTS)}")
        if self.view not in ("resize", "tile"):
            raise InputError(f"view must be resize or tile, not {self.view!r}")
        for size in [*self.progressive, self.img_size, self.tile_size]:
            if size < 32 or size % 32:
                raise InputError(f"image sizes must be multiples of 32, not {size}")
        positive = {
            "epochs": self.epochs,
            "batch_size": self.batch_size,
            "accumulate": self.accumulate,
            "train_size": self.train_size,
            "val_size": self.val_size,
            "devices": self.devices,
            "num_nodes": self.num_nodes,
        }
        for name, value in positive.items():
            if value < 1:
                raise InputError(f"{name.replace('_', '-')} must be at least 1, not {value}")
        if not 0 < self.val_fraction < 1:
            raise InputError(f"val-fraction must lie in (0, 1), not {self.val_fraction}")
        if self.lr <= 0 or self.scale <= 0:
            raise InputError("learning rate and scale must be positive")
        if self.bn_momentum is not None and not 0 < self.bn_momentum <= 1:
            raise InputError(f"bn-momentum must lie in (0, 1], not {self.bn_momentum}")

    def size_for_epoch(self, epoch: int) -> int:
        """Progressive resizing: equal shares of the epochs per size, ending at img_size."""
        sizes = [*self.progressive, self.img_size]
        share = max(1, self.epochs // len(sizes))
        return sizes[min(epoch // share, len(sizes) - 1)]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TrainConfig:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in known})

    @classmethod
    def from_options(cls, **options: Any) -> TrainConfig:
        """A config from `speedlines train` option values, as the command line gives them."""
        for f in fields(cls):
            parse = f.metadata["parse"]
            if parse and f.name in options:
                options[f.name] = parse(options[f.name])
        return cls(**options)

    def command(self) -> str:
        """The `speedlines train` command line of this config: its options that differ from
        the defaults (``--out`` is the caller's)."""
        words = ["speedlines", "train"]
        for f in fields(self):
            value = getattr(self, f.name)
            if value == default_of(f):
                continue
            flag = option_name(f)
            if isinstance(value, bool):
                words.append(flag if value else f"--no-{flag[2:]}")
            else:
                words += [flag, str(option_value(f, value))]
        return shlex.join(words)


def default_of(f: Field) -> Any:
    """A TrainConfig field's default value."""
    return f.default_factory() if f.default is MISSING else f.default


def option_name(f: Field) -> str:
    """``img_size`` -> ``--img-size``: Typer's name for the option of a parameter."""
    return "--" + f.name.replace("_", "-")


def option_value(f: Field, value: Any) -> Any:
    """A field's value as its `speedlines train` option takes it."""
    show = f.metadata["show"]
    return show(value) if show else value
