import json

import pytest
import torch

from speedlines.errors import InputError
from speedlines.release.averaging import average_models, average_state, write_average
from speedlines.segment.model import load_model
from tests.release.models import write_model, write_run


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    root = tmp_path_factory.mktemp("models")
    return write_model(root / "a", 1), write_model(root / "b", 2, training={"parent": None})


def test_the_average_of_a_model_with_itself_is_that_model(models):
    a, _ = models
    mixed, _ = average_models(a, a, weight=0.35)
    for key, tensor in load_model(a)[0].state_dict().items():
        assert torch.allclose(mixed.state_dict()[key], tensor, atol=1e-6), key


def test_an_even_average_lies_between_the_two_models(models):
    a, b = models
    first, second = load_model(a)[0].state_dict(), load_model(b)[0].state_dict()
    mixed = average_models(a, b, weight=0.5)[0].state_dict()
    differ = 0
    for key, m in mixed.items():
        if not m.is_floating_point():
            assert torch.equal(m, second[key]), "counters are the second model's"
            continue
        low, high = torch.minimum(first[key], second[key]), torch.maximum(first[key], second[key])
        assert ((low - 1e-6 <= m) & (m <= high + 1e-6)).all(), key
        if not torch.equal(first[key], second[key]):
            differ += 1
            assert not torch.equal(m, first[key]) and not torch.equal(m, second[key]), key
    assert differ > 10, "two seeds give two different models"


def test_the_weight_is_the_second_models_share():
    first = {"w": torch.zeros(3), "n": torch.tensor(1)}
    second = {"w": torch.ones(3), "n": torch.tensor(7)}
    mixed = average_state(first, second, 0.25)
    assert torch.allclose(mixed["w"], torch.full((3,), 0.25)) and mixed["n"].item() == 7
    with pytest.raises(InputError, match="different networks"):
        average_state(first, {"w": torch.ones(4), "n": torch.tensor(7)}, 0.5)


def test_different_networks_and_bad_weights_are_refused(models, tmp_path):
    a, _ = models
    other = write_model(tmp_path / "r18", 3, encoder="resnet18")
    with pytest.raises(InputError, match=r"different networks .*mobilenet_v2.*resnet18"):
        average_models(a, other)
    for weight in (0, 1, 1.5):
        with pytest.raises(InputError, match="must lie in"):
            average_models(a, a, weight)


def test_the_record_says_what_was_averaged(models, tmp_path):
    a, b = models
    _, cfg = average_models(a, b, weight=0.35)
    assert cfg.training["averaged_with"] == {
        "model": str(a),
        "share": 0.65,
        "training": {"seed": 1},  # not b's parent, so its own history is kept
    }
    assert cfg.metrics == {}, "the second model's scores are not the average's"
    tuned = write_model(tmp_path / "tuned", 4, training={"seed": 4, "parent": {"seed": 1}})
    _, cfg = average_models(a, tuned)
    assert cfg.training["averaged_with"] == {"model": str(a), "share": 0.5}, "parent: no copy"


def test_write_average_keeps_the_second_runs_config(models, tmp_path):
    a, _ = models
    run = write_run(tmp_path / "run", 2, {"seed": 2, "lr": 1e-4})
    model_dir, metrics = write_average(a, run / "model", tmp_path / "soup", weight=0.5)
    assert model_dir == tmp_path / "soup" / "model" and metrics == {}
    saved = json.loads((model_dir / "config.json").read_text())
    assert saved["training"]["averaged_with"]["share"] == 0.5
    assert json.loads((tmp_path / "soup" / "run_config.json").read_text())["train"]["lr"] == 1e-4
    load_model(model_dir)  # whole and loadable
