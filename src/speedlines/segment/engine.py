"""Inference engines: PyTorch eager or ONNX Runtime, behind one call (batch -> probabilities).

An engine takes a float32 batch (N, 3, H, W), normalised as the model config says, and returns
speedline probabilities (N, H, W). ONNX files are exported from a model folder with dynamic
batch and image sizes, so one file serves every tile size. ``torch-bf16`` runs the network in
bfloat16 (channels_last), which pays only on CPUs with native bf16 instructions.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from speedlines.errors import InputError

ONNX_FILE = "model.onnx"
ENGINES = ("auto", "torch", "torch-bf16", "onnx")
# What bf16 must keep of the fp32 masks (tests/segment/test_engine.py checks it on generated
# images with the shipped model): share of pixels that agree, IoU of the speedline pixels.
BF16_AGREEMENT, BF16_IOU = 0.995, 0.98


def cpu_flags() -> set[str]:
    """The CPU's feature flags (Linux /proc/cpuinfo; empty elsewhere)."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return set()
    for line in text.splitlines():
        if line.startswith("flags"):
            return set(line.split(":", 1)[1].split())
    return set()


def bf16_native() -> bool:
    """Whether this CPU computes bfloat16 natively (AVX512-BF16 or AMX): only then is bf16
    faster than fp32; emulated, it is slower."""
    return bool(cpu_flags() & {"avx512_bf16", "amx_bf16"})


def auto_engine(chosen: str) -> str:
    """The engine ``auto`` runs, given the one chosen without bf16: PyTorch in bf16 instead of
    fp32 where the CPU has native bf16 (2-3x faster than eager fp32 and within the tested
    tolerance). ONNX Runtime fp32 stays: on this project's shared 2-core machine it was
    faster than bf16 PyTorch under load (benchmarks/predict.py, docs/results.md)."""
    return "torch-bf16" if chosen == "torch" and bf16_native() else chosen


def torch_engine(name: str, model, threads: int | None = None):
    """The PyTorch engine called ``name`` (torch or torch-bf16) around ``model``."""
    return TorchBf16Engine(model, threads) if name == "torch-bf16" else TorchEngine(model, threads)


class TorchEngine:
    name = "torch"

    def __init__(self, model, threads: int | None = None):
        import torch

        if threads:
            torch.set_num_threads(threads)
        self.model = model.eval()

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        import torch

        device = next(self.model.parameters()).device
        with torch.inference_mode():
            out = self.model(torch.from_numpy(batch).to(device))
            if isinstance(out, tuple):  # the classification head's output is not needed here
                out = out[0]
            return torch.sigmoid(out[:, 0]).float().cpu().numpy()


class TorchBf16Engine(TorchEngine):
    """PyTorch in bfloat16 autocast, channels_last: convolutions on the CPU's bf16 units,
    the sigmoid in fp32."""

    name = "torch-bf16"

    def __init__(self, model, threads: int | None = None):
        import torch

        super().__init__(model.to(memory_format=torch.channels_last), threads)

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        import torch

        x = torch.from_numpy(batch).contiguous(memory_format=torch.channels_last)
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16):
            out = self.model(x)
            if isinstance(out, tuple):
                out = out[0]
        return torch.sigmoid(out[:, 0].float()).numpy()


class OnnxEngine:
    name = "onnx"

    def __init__(self, path: str | os.PathLike, threads: int | None = None):
        try:
            import onnxruntime as ort
        except ImportError as exc:
            raise InputError("ONNX Runtime is not installed (pip install onnxruntime)") from exc
        opts = ort.SessionOptions()
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        if threads:
            opts.intra_op_num_threads = threads
        try:
            self.session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        except Exception as exc:
            raise InputError(f"{path}: not a loadable ONNX model ({exc})") from exc
        self.input = self.session.get_inputs()[0].name

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        logits = self.session.run(None, {self.input: batch})[0]
        return (1.0 / (1.0 + np.exp(-logits[:, 0]))).astype(np.float32)


def export_onnx(model, path: str | os.PathLike, opset: int = 17) -> Path:
    """Write ``model`` as ONNX (logits output, dynamic batch/height/width), atomically."""
    import tempfile
    import warnings

    import torch

    from speedlines.atomic_io import write_bytes

    class LogitsOnly(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, x):
            out = self.inner(x)
            return out[0] if isinstance(out, tuple) else out

    path = Path(path)
    axes = {0: "batch", 2: "height", 3: "width"}
    # The TorchScript exporter: the newer torch.export one needs onnxscript and gains nothing
    # for a plain convolutional network.
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        # The exporter's notes on constant folding are not for users of the tool.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", UserWarning)
        tmp_file = Path(tmp) / ONNX_FILE
        torch.onnx.export(
            LogitsOnly(model.eval()),
            (torch.zeros(1, 3, 64, 64),),
            str(tmp_file),
            dynamo=False,
            input_names=["image"],
            output_names=["logits"],
            dynamic_axes={"image": axes, "logits": axes},
            opset_version=opset,
        )
        return write_bytes(path, tmp_file.read_bytes())


def onnx_available() -> bool:
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def cache_dir() -> Path:
    """Where exported ONNX files are kept: $SPEEDLINES_CACHE, else ~/.cache/speedlines."""
    env = os.environ.get("SPEEDLINES_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "speedlines"


def cached_onnx(model_path: str | os.PathLike) -> Path:
    """The ONNX file of a model folder: its own model.onnx, or one exported once into the
    cache, named by the hash of weights and config so that any change gets a new export."""
    import hashlib

    from speedlines.segment.model import CONFIG_FILE, WEIGHTS_FILE, load_model, model_dir

    folder = model_dir(model_path)
    own = folder / ONNX_FILE
    if own.is_file():
        return own
    digest = hashlib.sha256()
    for name in (CONFIG_FILE, WEIGHTS_FILE):
        digest.update((folder / name).read_bytes())
    digest = digest.hexdigest()[:24]
    path = cache_dir() / "onnx" / f"{digest}.onnx"
    if not path.is_file():
        model, _ = load_model(folder)
        path.parent.mkdir(parents=True, exist_ok=True)
        export_onnx(model, path)
    return path
