import pytest
import torch

from speedlines.segment.model import ModelConfig, build_model
from speedlines.training.config import TrainConfig
from speedlines.training.losses import LOSSES, build_loss
from speedlines.training.task import (
    STALE_LIMIT,
    recalibrate_batch_norm,
    set_bn_momentum,
    stale_share,
)


def test_recalibration_fixes_stale_efficientnet_statistics():
    torch.manual_seed(0)
    model = build_model(ModelConfig(encoder="efficientnet-b0", input_size=64))
    bn = next(m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d))
    assert bn.momentum == pytest.approx(0.01), "the trap: smp's EfficientNet keeps 1 % per step"
    batch = {"image": torch.randn(8, 3, 64, 64) * 3 + 2}
    seen = []
    bn.register_forward_hook(lambda _m, inp, _out: seen.append(inp[0].detach()))
    model.train()
    with torch.no_grad():
        for _ in range(5):  # a short training: running statistics barely move
            model(batch["image"])
    model.eval()
    assert (bn.running_mean - seen[-1].mean((0, 2, 3))).abs().max() > 0.1, "stale statistics"
    with torch.no_grad():
        stale = model(batch["image"])
    assert recalibrate_batch_norm(model, [batch]) == 1
    assert not model.training and bn.momentum == pytest.approx(0.01), "mode and momentum kept"
    x = seen[-1]  # the input of the first norm layer during recalibration
    assert torch.allclose(bn.running_mean, x.mean((0, 2, 3)), atol=1e-4)
    assert torch.allclose(bn.running_var, x.var((0, 2, 3), unbiased=True), rtol=1e-3)
    with torch.no_grad():
        fixed = model(batch["image"])
    assert not torch.allclose(fixed, stale, atol=1e-3)


def test_stale_share_decides_when_recalibration_is_needed():
    model = build_model(ModelConfig(encoder="efficientnet-b0", input_size=64))
    assert stale_share(model, 0) == 1.0
    assert stale_share(model, 100) == pytest.approx(0.99**100)  # smp's 0.01: still stale
    assert stale_share(model, 100) > STALE_LIMIT
    set_bn_momentum(model, 0.1)
    assert stale_share(model, 100) == pytest.approx(0.9**100)  # a real training: fresh
    assert stale_share(model, 100) < STALE_LIMIT
    set_bn_momentum(model, None)  # cumulative averages carry nothing from before
    assert stale_share(model, 1) == 0.0
    assert stale_share(torch.nn.Conv2d(3, 3, 1), 5) == 0.0


def test_set_bn_momentum():
    model = build_model(ModelConfig(encoder="efficientnet-b0"))
    set_bn_momentum(model, 0.1)
    norms = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    assert norms and all(m.momentum == 0.1 for m in norms)


@pytest.mark.parametrize("name", list(LOSSES))
def test_losses_prefer_the_right_answer(name):
    loss = build_loss(name)
    target = torch.zeros(2, 1, 16, 16)
    target[:, :, 8, :] = 1
    good, bad = target * 20 - 10, -(target * 20 - 10)
    assert loss(good, target) < loss(bad, target)


def test_progressive_sizes_share_the_epochs():
    cfg = TrainConfig(epochs=6, img_size=128, progressive=[64, 96])
    assert [cfg.size_for_epoch(e) for e in range(8)] == [64, 64, 96, 96, 128, 128, 128, 128]
    assert TrainConfig(epochs=3, img_size=64).size_for_epoch(2) == 64
