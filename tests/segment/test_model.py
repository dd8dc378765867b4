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
        ("threshold", 1.5, r"\[0.01, 0.99\]"),
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


def _write_config(folder, saved, **changes):
    directory, _, cfg = saved
    folder.mkdir(exist_ok=True)
    d = {k: v for k, v in (cfg.to_dict() | changes).items() if v is not ...}
    (folder / "config.json").write_text(json.dumps(d))
    (folder / "model.safetensors").write_bytes((directory / "model.safetensors").read_bytes())
    return folder


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"architecture": 5}, "architecture must be a text, not 5"),
        ({"input_size": "64"}, "input_size must be an integer, not '64'"),
        ({"threshold": "0.5"}, "threshold must be a finite number"),
        ({"threshold": None}, "threshold must be a finite number"),
        ({"input_size": True}, "input_size must be an integer"),
        ({"mean": "abc"}, "mean must be three finite numbers"),
        ({"mean": [0.5]}, "mean must be three finite numbers"),
        ({"training": [1]}, "training must be an object"),
        ({"encoder": ...}, "missing encoder"),
        ({"std": [0, 0, 0]}, r"std must lie in \[0.001, 1.0\]"),
        ({"std": [float("nan")] * 3}, "std must be three finite numbers"),
        ({"scale": 1e4, "view": "tile"}, "scale must lie in"),
        ({"input_size": 32000}, "up to 2048"),
        ({"tile_size": 32000}, "up to 2048"),
        ({"threshold": 1e-9}, r"threshold must lie in \[0.01, 0.99\]"),
        ({"threshold": float("inf")}, "threshold must be a finite number"),
        ({"classes": 1_000_000}, "classes"),
        ({"in_channels": 4}, "in_channels must be 3"),
    ],
)
def test_bad_config_values_are_one_line_naming_the_file(saved, tmp_path, changes, message):
    folder = _write_config(tmp_path / "m", saved, **changes)
    with pytest.raises(InputError, match=message) as err:
        load_model(folder)
    assert str(err.value).startswith(f"{folder / 'config.json'}: not a model config (")
    assert "\n" not in str(err.value)


def test_config_that_is_a_list_or_lacks_keys(tmp_path):
    (tmp_path / "config.json").write_text("[1, 2]")
    with pytest.raises(InputError, match="a JSON object is needed"):
        load_config(tmp_path)
    (tmp_path / "config.json").write_text('{"format": "speedlines-model/1"}')
    with pytest.raises(InputError, match="missing architecture, encoder, in_channels"):
        load_config(tmp_path)


def test_truncated_and_non_finite_weights_are_corrupt(saved, tmp_path):
    from safetensors.torch import load_file, save

    directory, _, _ = saved
    data = (directory / "model.safetensors").read_bytes()
    folder = _write_config(tmp_path / "m", saved)
    for cut in (100, len(data) // 2, len(data) - 1):
        (folder / "model.safetensors").write_bytes(data[:cut])
        with pytest.raises(InputError, match=r"model\.safetensors: corrupt weights file"):
            load_model(folder)
    state = load_file(str(directory / "model.safetensors"))
    key = next(k for k, v in state.items() if v.is_floating_point())
    state[key] = state[key].clone().fill_(float("nan"))
    (folder / "model.safetensors").write_bytes(save(state, {"format": "speedlines-model/1"}))
    with pytest.raises(InputError, match="not finite"):
        load_model(folder)


def test_weights_of_another_architecture_are_refused(saved, tmp_path):
    folder = _write_config(tmp_path / "m", saved, architecture="FPN")
    with pytest.raises(InputError, match="do not match FPN/resnet18"):
        load_model(folder)
