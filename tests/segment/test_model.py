import json

import pytest
import torch

from speedlines.errors import InputError
from speedlines.segment.model import (
    ModelConfig,
    build_model,
    load_config,
    load_encoder_weights,
    load_model,
    save_model,
)


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    cfg = ModelConfig(encoder="resnet18", input_size=64, metrics={"validation": {"iou": 0.5}})
    torch.manual_seed(0)
    model = build_model(cfg).eval()
    directory = save_model(tmp_path_factory.mktemp("m") / "model", model, cfg)
    return directory, model, cfg


def test_round_trip_gives_the_same_network_and_config(saved):
    directory, model, cfg = saved
    loaded, cfg2 = load_model(directory)
    assert not loaded.training, "loaded models are in eval mode"
    assert cfg2 == cfg
    x = torch.rand(1, 3, 64, 64)
    with torch.no_grad():
        assert torch.allclose(loaded(x), model(x), atol=1e-6)
    cfg_json = json.loads((directory / "config.json").read_text())
    assert cfg_json["format"] == "speedlines-model/1"
    assert cfg_json["encoder"] == "resnet18" and cfg_json["mean"] == list(cfg.mean)
    assert load_config(directory / "model.safetensors").encoder == "resnet18"


def test_weights_of_another_encoder_are_refused(saved, tmp_path):
    directory, _, cfg = saved
    other = tmp_path / "other"
    other.mkdir()
    (other / "model.safetensors").write_bytes((directory / "model.safetensors").read_bytes())
    d = cfg.to_dict() | {"encoder": "resnet34"}
    (other / "config.json").write_text(json.dumps(d))
    with pytest.raises(InputError, match="do not match Unet/resnet34"):
        load_model(other)


def test_missing_and_corrupt_files(saved, tmp_path):
    with pytest.raises(InputError, match="no model here"):
        load_model(tmp_path)
    directory, _, _ = saved
    (tmp_path / "config.json").write_text((directory / "config.json").read_text())
    with pytest.raises(InputError, match="is missing"):
        load_model(tmp_path)
    (tmp_path / "model.safetensors").write_bytes(b"not safetensors at all")
    with pytest.raises(InputError, match="corrupt weights"):
        load_model(tmp_path)
    (tmp_path / "config.json").write_text("{broken")
    with pytest.raises(InputError, match="not a model config"):
        load_model(tmp_path)


def test_format_tags_of_config_and_weights_are_checked(saved, tmp_path):
    from safetensors.torch import load_file, save_file

    directory, _, cfg = saved
    d = cfg.to_dict()
    (tmp_path / "config.json").write_text(json.dumps({**d, "format": "speedlines-model/9"}))
    with pytest.raises(InputError) as err:
        load_config(tmp_path)
    assert str(err.value) == (
        f"{tmp_path / 'config.json'}: format speedlines-model/9 is newer than this speedlines "
        "understands (speedlines-model/1)"
    )
    del d["format"]
    (tmp_path / "config.json").write_text(json.dumps(d))
    assert load_config(tmp_path) == cfg, "configs from before the tag read as version 1"
    state = load_file(str(directory / "model.safetensors"))
    save_file(state, str(tmp_path / "model.safetensors"), {"format": "speedlines-model/2"})
    with pytest.raises(InputError, match=r"model\.safetensors: format speedlines-model/2 is newer"):
        load_model(tmp_path)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("view", "squash", "view"),
        ("input_size", 100, "multiple of 32"),
        ("threshold", 1.5, "(0, 1)"),
        ("tile_size", 100, "multiple of 32"),
        ("tile_max", 500, "multiple of 32"),
        ("tile_overlap", 1.0, r"\[0, 1\)"),
    ],
)
def test_config_validation(field, value, message):
    with pytest.raises(InputError, match=message):
        ModelConfig(**{field: value})


def test_unknown_encoder_is_an_input_error():
    with pytest.raises(InputError, match="cannot build"):
        build_model(ModelConfig(encoder="no-such-encoder"))


def test_local_encoder_weights(saved, tmp_path):
    from safetensors.torch import save_file

    _, model, cfg = saved
    path = tmp_path / "enc.safetensors"
    save_file({k: v.contiguous() for k, v in model.encoder.state_dict().items()}, str(path))
    fresh = build_model(cfg)
    load_encoder_weights(fresh, path)
    key = next(iter(model.encoder.state_dict()))
    assert torch.equal(fresh.encoder.state_dict()[key], model.encoder.state_dict()[key])
    with pytest.raises(InputError, match="do not fit"):
        load_encoder_weights(build_model(ModelConfig(encoder="resnet34")), path)
    with pytest.raises(InputError, match="not found"):
        load_encoder_weights(fresh, tmp_path / "missing.pth")
