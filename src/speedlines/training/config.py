"""Everything a training run depends on, saved next to its outputs so it can be rerun."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from speedlines.errors import InputError

LOSSES = ("focal", "dice", "bce_jaccard", "bce", "jaccard", "lovasz", "tversky")
AUGMENTS = ("research", "upright", "none")
GENERATED = "generated"


@dataclass
class TrainConfig:
    """A training run: data, network, loss, schedule (the research's defaults) and hardware."""

    data: str = GENERATED  # a data set folder, or "generated": fresh images every epoch
    val_data: str | None = None  # a separate validation folder; default: 10 % of ``data``
    style: str = "mixed"  # generated data only
    case: str = "mixed"
    train_size: int = 1000  # generated images per epoch
    val_size: int = 100
    val_fraction: float = 0.1
    architecture: str = "Unet"
    encoder: str = "efficientnet-b0"
    encoder_weights: str | None = None  # a local file; nothing is downloaded
    init_model: str | None = None  # a speedlines model folder to fine-tune (all weights)
    loss: str = "bce_jaccard"
    img_size: int = 256
    view: str = "resize"
    scale: float = 1.0
    tile_size: int = 256  # tile view: inference tile side saved in the model config
    augment: str = "research"
    epochs: int = 50
    batch_size: int = 16
    accumulate: int = 1  # gradient accumulation: effective batch = batch_size * accumulate
    lr: float = 1e-3
    lr_factor: float = 0.5
    lr_patience: int = 5
    min_lr: float = 1e-6
    early_stop_patience: int = 10
    max_minutes: float | None = None
    aux_head: bool = False  # simple-vs-combined classification head on the encoder
    aux_weight: float = 0.2
    progressive: list[int] = field(default_factory=list)  # sizes before img_size, e.g. [64, 96]
    bn_momentum: float | None = 0.1  # None keeps the encoder's own (0.01 for EfficientNet)
    # None: only when the running statistics are stale (task.stale_share); recalibrating fresh
    # ones cost the shipped model v3 0.07 IoU (docs/results.md).
    recalibrate_bn: bool | None = None
    threshold: float = 0.5
    seed: int = 0
    workers: int = 0
    precision: str = "auto"
    accelerator: str = "auto"
    devices: int = 1
    num_nodes: int = 1
    strategy: str = "auto"

    def __post_init__(self):
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
