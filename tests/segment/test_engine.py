import numpy as np
import pytest
import torch

import speedlines.segment.engine as engine_module
from speedlines.errors import InputError
from speedlines.segment.engine import BF16_AGREEMENT, BF16_IOU, OnnxEngine, export_onnx
from speedlines.segment.model import ModelConfig, build_model, save_model
from speedlines.segment.segmenter import Segmenter


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    cfg = ModelConfig(encoder="resnet18", input_size=64, view="tile", aux_classes=1)
    torch.manual_seed(0)
    directory = tmp_path_factory.mktemp("m") / "model"
    save_model(directory, build_model(cfg).eval(), cfg)
    return directory


def test_onnx_runtime_matches_pytorch_on_the_same_tiles(model_dir):
    from speedlines.segment.model import load_model

    model, _ = load_model(model_dir)
    export_onnx(model, model_dir / "model.onnx")
    rng = np.random.default_rng(0)
    image = rng.integers(0, 255, (150, 110, 3), dtype=np.uint8)
    torch_seg = Segmenter.from_path(model_dir, engine="torch")
    onnx_seg = Segmenter.from_path(model_dir, engine="onnx")
    assert (torch_seg.engine_name, onnx_seg.engine_name) == ("torch", "onnx")
    a, b = torch_seg.probability(image), onnx_seg.probability(image)
    assert a.shape == b.shape == (150, 110)
    assert np.abs(a - b).max() < 1e-3


@pytest.fixture
def no_bf16(monkeypatch):
    """A CPU without native bf16: auto keeps the fp32 engines."""
    monkeypatch.setattr(engine_module, "bf16_native", lambda: False)


def test_auto_engine_exports_once_into_the_cache(tmp_path, monkeypatch, no_bf16):
    cfg = ModelConfig(encoder="resnet18", input_size=64, view="tile")
    assert cfg.engine == "onnx", "ONNX Runtime measured faster: the default preference"
    directory = tmp_path / "model"
    save_model(directory, build_model(cfg).eval(), cfg)
    monkeypatch.setenv("SPEEDLINES_CACHE", str(tmp_path / "cache"))
    assert Segmenter.from_path(directory).engine_name == "onnx"
    (exported,) = (tmp_path / "cache" / "onnx").glob("*.onnx")
    stamp = exported.stat().st_mtime_ns
    assert Segmenter.from_path(directory).engine_name == "onnx"
    assert exported.stat().st_mtime_ns == stamp, "exported once, then reused"
    # Without an exporter (no onnx package) auto falls back to PyTorch.
    monkeypatch.setenv("SPEEDLINES_CACHE", str(tmp_path / "other"))
    import speedlines.segment.engine

    def no_exporter(*args):
        raise ImportError("onnx")

    monkeypatch.setattr(speedlines.segment.engine, "export_onnx", no_exporter)
    assert Segmenter.from_path(directory).engine_name == "torch"


def test_auto_engine_follows_the_models_preference(model_dir, tmp_path, no_bf16):
    cfg = ModelConfig(encoder="resnet18", input_size=64, view="tile", engine="torch")
    save_model(tmp_path / "eager", build_model(cfg).eval(), cfg)
    assert Segmenter.from_path(tmp_path / "eager").engine_name == "torch"
    with pytest.raises(InputError, match="engine must be one of"):
        Segmenter.from_path(model_dir, engine="tensorrt")


def test_onnx_errors(tmp_path, model_dir):
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"nope")
    with pytest.raises(InputError, match="not a loadable ONNX model"):
        OnnxEngine(bad)
    empty = tmp_path / "m"
    empty.mkdir()
    (empty / "config.json").write_text((model_dir / "config.json").read_text())
    with pytest.raises(InputError, match="export-onnx first"):
        Segmenter.from_path(empty, engine="onnx")


def test_bf16_engine_agrees_with_fp32_on_a_drawn_chart_with_the_shipped_model():
    from speedlines.segment.model import default_model
    from tests.drawn_maps import draw, family

    image = np.full((128, 200, 3), 250, np.uint8)
    image[draw(family(), (128, 200))] = (40, 40, 160)
    fp32 = Segmenter.from_path(default_model(), engine="torch")
    bf16 = Segmenter.from_path(default_model(), engine="torch-bf16")
    assert bf16.engine_name == "torch-bf16"
    a, b = fp32.predict(image), bf16.predict(image)
    assert a.sum() > 500, "the chart's lines are found"
    assert (a == b).mean() >= BF16_AGREEMENT
    assert (a & b).sum() / (a | b).sum() >= BF16_IOU


def test_auto_engine_takes_bf16_only_where_the_cpu_has_it(tmp_path, monkeypatch):
    cfg = ModelConfig(encoder="resnet18", input_size=64, view="tile", engine="torch")
    save_model(tmp_path / "m", build_model(cfg).eval(), cfg)
    native = engine_module.bf16_native
    monkeypatch.setattr(engine_module, "bf16_native", lambda: True)
    assert Segmenter.from_path(tmp_path / "m").engine_name == "torch-bf16"
    monkeypatch.setattr(engine_module, "bf16_native", lambda: False)
    assert Segmenter.from_path(tmp_path / "m").engine_name == "torch"
    monkeypatch.setattr(engine_module, "cpu_flags", lambda: {"avx2", "avx512f"})
    assert not native()
    monkeypatch.setattr(engine_module, "cpu_flags", lambda: {"avx512f", "amx_bf16"})
    assert native()
