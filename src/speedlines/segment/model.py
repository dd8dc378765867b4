"""Self-describing segmentation models: safetensors weights plus a JSON config.

A model directory holds ``model.safetensors`` and ``config.json``; ``load_model`` rebuilds
the network from the config alone (no network access, no downloaded weights) and checks
that the weights belong to it, so a checkpoint of another encoder fails with one line.
"""

from __future__ import annotations

import math
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from speedlines import formats
from speedlines.errors import InputError

DEFAULT_MODEL = Path(__file__).parent.parent / "models" / "default"
WEIGHTS_FILE = "model.safetensors"
CONFIG_FILE = "config.json"
FORMAT = formats.MODEL
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
# Sane bounds, so a careless or hostile config cannot ask for gigabytes (issue 21).
MAX_SIDE = 2048  # input, tile and largest tile side, px
SCALE = (1 / 16, 4.0)  # tile view: image scale before tiling
STD = (1e-3, 1.0)  # normalisation std of pixels in 0..1; 0 would make every input inf/nan
MAX_CLASSES = 16
# Below 0.01 nearly every pixel is a speedline and tracing blows up; above 0.99 none is.
THRESHOLD = (0.01, 0.99)
# Keys every config.json has had since the first one; later keys have defaults.
REQUIRED = (
    "architecture", "encoder", "in_channels", "classes", "input_size", "view", "scale",
    "mean", "std", "threshold",
)  # fmt: skip
_TYPES = {
    str: ("architecture", "encoder", "view", "engine"),
    int: ("in_channels", "classes", "input_size", "tile_size", "tile_max", "aux_classes"),
    float: ("scale", "tile_overlap", "threshold"),
    dict: ("training", "metrics"),
}


def _number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _check_types(cfg: ModelConfig) -> None:
    """Each field of the type it is declared with (numbers finite), before any comparison."""
    for kind, names in _TYPES.items():
        for name in names:
            v = getattr(cfg, name)
            ok = {
                int: isinstance(v, int) and not isinstance(v, bool),
                float: _number(v),
            }.get(kind, isinstance(v, kind))
            if not ok:
                what = {int: "an integer", float: "a finite number", str: "a text"}
                raise InputError(f"{name} must be {what.get(kind, 'an object')}, not {_short(v)}")
    for name in ("mean", "std"):
        v = getattr(cfg, name)
        if not isinstance(v, list | tuple) or len(v) != 3 or not all(map(_number, v)):
            raise InputError(f"{name} must be three finite numbers (R, G, B), not {_short(v)}")


def _short(v: Any) -> str:
    text = repr(v)
    return text if len(text) <= 40 else text[:37] + "..."


def check_threshold(t: Any, what: str = "threshold") -> float:
    """``t`` if it is a finite probability threshold within THRESHOLD; InputError if not."""
    if not _number(t) or not THRESHOLD[0] <= t <= THRESHOLD[1]:
        raise InputError(f"{what} must lie in [{THRESHOLD[0]}, {THRESHOLD[1]}], not {t}")
    return float(t)


@dataclass
class ModelConfig:
    """What a model is and how to feed it; saved next to its weights."""

    architecture: str = "Unet"
    encoder: str = "efficientnet-b0"
    in_channels: int = 3
    classes: int = 1
    input_size: int = 256
    # "resize": the whole image squashed to input_size (the research's crops);
    # "tile": native pixels, times ``scale``, in overlapping input_size tiles.
    view: str = "resize"
    scale: float = 1.0
    tile_size: int = 0  # tile view: inference tile side (0 = input_size); any multiple of 32
    tile_overlap: float = 0.25  # tile view: overlap of neighbouring tiles, times tile_size
    # tile view: big images go through tiles of up to tile_max px (0 = tile_size), which
    # costs fewer overlapping pixels; a multiple of 32.
    tile_max: int = 0
    mean: tuple[float, float, float] = IMAGENET_MEAN
    std: tuple[float, float, float] = IMAGENET_STD
    threshold: float = 0.5
    aux_classes: int = 0  # >0: an image-level classification head (simple vs combined)
    # The faster CPU engine as measured by benchmarks/predict.py: ONNX Runtime (0.68x the
    # time of PyTorch eager per tile for the EfficientNet-B0 UNet; docs/results.md).
    engine: str = "onnx"
    training: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        _check_types(self)
        if self.view not in ("resize", "tile"):
            raise InputError(f"model view must be resize or tile, not {self.view!r}")
        if self.engine not in ("onnx", "torch"):
            raise InputError(f"model engine must be onnx or torch, not {self.engine!r}")
        if self.input_size < 32 or self.input_size % 32 or self.input_size > MAX_SIDE:
            raise InputError(
                f"input size must be a multiple of 32 up to {MAX_SIDE}, not {self.input_size}"
            )
        check_threshold(self.threshold)
        for name in ("tile_size", "tile_max"):
            side = getattr(self, name)
            if side and (side < 32 or side % 32 or side > MAX_SIDE):
                raise InputError(f"{name} must be a multiple of 32 up to {MAX_SIDE}, not {side}")
        if not 0.0 <= self.tile_overlap < 1.0:
            raise InputError(f"tile overlap must lie in [0, 1), not {self.tile_overlap}")
        if not SCALE[0] <= self.scale <= SCALE[1]:
            raise InputError(f"scale must lie in [{SCALE[0]}, {SCALE[1]}], not {self.scale}")
        if self.in_channels != 3:
            raise InputError(f"in_channels must be 3 (RGB), not {self.in_channels}")
        if not 1 <= self.classes <= MAX_CLASSES or not 0 <= self.aux_classes <= MAX_CLASSES:
            raise InputError(f"classes and aux_classes must lie in [1, {MAX_CLASSES}]")
        self.mean, self.std = tuple(self.mean), tuple(self.std)
        if not all(0.0 <= v <= 1.0 for v in self.mean):
            raise InputError(f"mean must lie in [0, 1] (pixels scaled to 0..1), not {self.mean}")
        if not all(STD[0] <= v <= STD[1] for v in self.std):
            raise InputError(f"std must lie in [{STD[0]}, {STD[1]}], not {self.std}")

    def to_dict(self) -> dict[str, Any]:
        return {"format": FORMAT, **asdict(self)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ModelConfig:
        """A config from a saved dict: the keys every saved config has are required."""
        missing = [k for k in REQUIRED if k not in d]
        if missing:
            raise InputError(f"missing {', '.join(missing)}")
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in known})


def build_model(config: ModelConfig):
    """A freshly initialised network for ``config`` (never downloads weights)."""
    import segmentation_models_pytorch as smp

    aux = {"classes": config.aux_classes, "dropout": 0.2} if config.aux_classes else None
    try:
        return smp.create_model(
            config.architecture,
            encoder_name=config.encoder,
            encoder_weights=None,
            in_channels=config.in_channels,
            classes=config.classes,
            aux_params=aux,
        )
    except (KeyError, ValueError) as exc:
        raise InputError(
            f"cannot build {config.architecture} with {config.encoder}: {exc}"
        ) from exc


def load_encoder_weights(model, path: str | os.PathLike) -> None:
    """Initialise the encoder from a local weights file (safetensors or a torch state dict)."""
    import torch
    from safetensors.torch import load_file

    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: encoder weights file not found")
    try:
        if path.suffix == ".safetensors":
            state = load_file(str(path))
        else:
            state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise InputError(f"{path}: not a readable weights file ({exc})") from exc
    expected = model.encoder.state_dict()
    # Classifier weights of an ImageNet checkpoint (fc.*, classifier.*) have no place here.
    state = {k.removeprefix("encoder."): v for k, v in state.items()}
    state = {k: v for k, v in state.items() if k in expected}
    misshaped = [k for k, v in state.items() if v.shape != expected[k].shape]
    missing = [k for k in expected if k not in state]
    if misshaped or missing:
        raise InputError(
            f"{path}: weights do not fit this encoder "
            f"({len(missing)} missing, {len(misshaped)} misshaped tensors)"
        )
    model.encoder.load_state_dict(state)


def save_model(directory: str | os.PathLike, model, config: ModelConfig) -> Path:
    """Write weights and config into ``directory`` (each file written atomically)."""
    from safetensors.torch import save

    from speedlines.atomic_io import write_bytes, write_json

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    write_bytes(directory / WEIGHTS_FILE, save(state, metadata={"format": FORMAT}))
    write_json(directory / CONFIG_FILE, config.to_dict())
    return directory


def default_model() -> Path:
    """The model shipped inside the package."""
    if not (DEFAULT_MODEL / CONFIG_FILE).is_file():
        raise InputError("no model is shipped with this installation: pass --model MODEL_DIR")
    return DEFAULT_MODEL


def model_dir(path: str | os.PathLike) -> Path:
    """The folder of a model given as folder, weights file or config file."""
    path = Path(path)
    return path if path.is_dir() else path.parent


def _locate(path: Path) -> tuple[Path, Path]:
    if path.is_dir():
        return path / WEIGHTS_FILE, path / CONFIG_FILE
    if path.suffix == ".json":
        return path.with_name(WEIGHTS_FILE), path
    return path, path.with_name(CONFIG_FILE)


def load_config(path: str | os.PathLike) -> ModelConfig:
    """The config of a model directory (or of its weights or config file)."""
    _, cfg_path = _locate(Path(path))
    if not cfg_path.is_file():
        raise InputError(f"{path}: no model here (needs {CONFIG_FILE} and {WEIGHTS_FILE})")
    d = formats.read_json(cfg_path, "model config")
    if not isinstance(d, dict):
        raise InputError(f"{cfg_path}: not a model config (a JSON object is needed)")
    # Configs from before the tag existed read as version 1.
    formats.check_format(d.get("format"), FORMAT, str(cfg_path))
    try:
        return ModelConfig.from_dict(d)
    except (TypeError, InputError) as exc:
        raise InputError(f"{cfg_path}: not a model config ({exc})") from exc


def load_model(path: str | os.PathLike):
    """Load ``(model, config)`` from a model directory; the model is in eval mode, on CPU."""
    from safetensors import SafetensorError, safe_open
    from safetensors.torch import load_file

    config = load_config(path)
    weights, _ = _locate(Path(path))
    if not weights.is_file():
        raise InputError(f"{path}: {WEIGHTS_FILE} is missing")
    try:
        with safe_open(str(weights), "pt") as f:
            tag = (f.metadata() or {}).get("format")
        formats.check_format(tag, FORMAT, str(weights))  # before reading all tensors
        state = load_file(str(weights))
    except (SafetensorError, OSError) as exc:
        raise InputError(f"{weights}: corrupt weights file ({exc})") from exc
    model = build_model(config)
    expected = model.state_dict()
    bad = [k for k, v in state.items() if k not in expected or expected[k].shape != v.shape]
    missing = [k for k in expected if k not in state]
    if bad or missing:
        raise InputError(
            f"{weights}: weights do not match {config.architecture}/{config.encoder} "
            f"({len(bad)} unexpected or misshaped, {len(missing)} missing tensors)"
        )
    if not all(v.isfinite().all() for v in state.values() if v.is_floating_point()):
        raise InputError(f"{weights}: corrupt weights file (values that are not finite)")
    model.load_state_dict(state)
    return model.eval(), config
