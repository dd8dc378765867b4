import numpy as np
import pytest
import torch

from speedlines.errors import InputError
from speedlines.segment.engine import OnnxEngine, export_onnx
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


def test_auto_engine_exports_once_into_the_cache(tmp_path, monkeypatch):
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


def test_auto_engine_follows_the_models_preference(model_dir, tmp_path):
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
