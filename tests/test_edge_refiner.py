import json

import numpy as np
import pytest
import torch

from speedlines.engine import OnnxEngine, TorchEngine, export_onnx
from speedlines.errors import InputError
from speedlines.model import ModelConfig, build_model, load_model, save_model
from speedlines.training.task import init_weights


@pytest.fixture(scope="module")
def unrefined(tmp_path_factory):
    cfg = ModelConfig(encoder="resnet18", input_size=64)
    torch.manual_seed(0)
    model = build_model(cfg).eval()
    return save_model(tmp_path_factory.mktemp("m") / "plain", model, cfg), model, cfg


def test_a_refined_model_starts_exactly_where_its_unet_was(unrefined):
    directory, plain, cfg = unrefined
    cfg2 = ModelConfig.from_dict(cfg.to_dict() | {"refiner": 4})
    refined = build_model(cfg2)
    init_weights(refined, cfg2, directory)
    refined.eval()
    x = torch.randn(2, 3, 64, 96)
    with torch.no_grad():
        assert torch.equal(refined(x), plain(x))
    parts = {n.split(".")[0] for n, _ in refined.named_parameters()}
    assert parts == {"encoder", "decoder", "segmentation_head", "refiner"}
    assert len(refined.unet_parameters()) == len(list(plain.parameters()))


def test_the_refiner_sees_the_image_at_full_resolution(unrefined):
    _, _, cfg = unrefined
    refined = build_model(ModelConfig.from_dict(cfg.to_dict() | {"refiner": 4})).eval()
    torch.nn.init.normal_(refined.refiner.body[-1].weight)
    x = torch.zeros(1, 3, 64, 64, requires_grad=True)
    refined(x)[0, 0, 31, 31].backward()
    grad = x.grad.abs().sum(1)[0]
    # The corrected logit depends on the pixel itself and its 5 x 5 neighbourhood directly,
    # not only through the stride-2 decoder features.
    assert grad[31, 31] > 0 and grad[29:34, 29:34].min() > 0


def test_refined_models_round_trip_and_export_to_onnx(unrefined, tmp_path):
    _, _, cfg = unrefined
    cfg2 = ModelConfig.from_dict(cfg.to_dict() | {"refiner": 4})
    torch.manual_seed(1)
    model = build_model(cfg2).eval()
    torch.nn.init.normal_(model.refiner.body[-1].weight, std=0.1)
    directory = save_model(tmp_path / "refined", model, cfg2)
    loaded, cfg3 = load_model(directory)
    assert cfg3.refiner == 4
    x = np.random.default_rng(0).normal(size=(2, 3, 64, 96)).astype(np.float32)
    eager = TorchEngine(loaded)(x)
    onnx = OnnxEngine(export_onnx(loaded, tmp_path / "m.onnx"))(x)
    assert np.abs(eager - onnx).max() < 1e-3


def test_refiner_weights_that_are_missing_or_unexpected_are_refused(unrefined, tmp_path):
    directory, _, cfg = unrefined
    wants_refiner = tmp_path / "wants"
    wants_refiner.mkdir()
    weights = (directory / "model.safetensors").read_bytes()
    (wants_refiner / "model.safetensors").write_bytes(weights)
    cfg2 = ModelConfig.from_dict(cfg.to_dict() | {"refiner": 4})
    (wants_refiner / "config.json").write_text(json.dumps(cfg2.to_dict()))
    with pytest.raises(InputError, match="missing tensors"):
        load_model(wants_refiner)
    refined_dir = save_model(tmp_path / "refined", build_model(cfg2), cfg2)
    with pytest.raises(InputError, match="do not fit this network"):
        init_weights(build_model(cfg), cfg, refined_dir)


def test_refiner_config_is_checked():
    with pytest.raises(InputError, match="full-resolution decoder"):
        ModelConfig(architecture="FPN", refiner=8)
    with pytest.raises(InputError, match="refiner channels"):
        ModelConfig(refiner=-1)
    with pytest.raises(RuntimeError, match="multiples of 32"):
        build_model(ModelConfig(encoder="resnet18", refiner=4))(torch.zeros(1, 3, 48, 64))
