import numpy as np
import torch

from speedlines.segment.model import ModelConfig
from speedlines.training.augment import augment, tile_view
from speedlines.training.config import TrainConfig
from speedlines.training.data import SpeedlineDataModule
from tests.training.lines import write_set


def test_folder_split_items_and_sizes(tmp_path):
    root = write_set(tmp_path / "d", 20)
    cfg = TrainConfig(data=str(root), img_size=64, batch_size=4, val_fraction=0.25)
    dm = SpeedlineDataModule(cfg, ModelConfig(input_size=64))
    dm.setup("fit")
    assert len(dm.train_ds) == 15 and len(dm.val_ds) == 5
    assert not set(dm.train_ds.indices) & set(dm.val_ds.indices)
    item = dm.train_ds[0]
    assert item["image"].shape == (3, 64, 64) and item["image"].dtype == torch.float32
    assert item["mask"].shape == (1, 64, 64) and set(item["mask"].unique().tolist()) <= {0.0, 1.0}
    assert item["case"].item() in (0.0, 1.0)
    torch.manual_seed(0)
    first, again = dm.train_ds[0]["image"], dm.train_ds[0]["image"]
    assert not torch.equal(first, again), "a fresh augmentation each time an image is drawn"
    torch.manual_seed(0)
    assert torch.equal(dm.train_ds[0]["image"], first), "and the same ones for the same seed"
    val = dm.val_ds[0]
    assert torch.equal(val["image"], dm.val_ds[0]["image"]), "validation is not augmented"


def test_augmentation_is_reproducible_from_its_seed():
    rng = np.random.default_rng(0)
    image = rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)
    mask = rng.random((64, 64)) > 0.9
    a = [augment(image, mask, 64, seed=s) for s in (3, 3, 4)]
    assert np.array_equal(a[0][0], a[1][0]) and np.array_equal(a[0][1], a[1][1])
    assert not np.array_equal(a[0][0], a[2][0])


def test_tile_view_pads_small_images_and_crops_large_ones():
    image = np.full((40, 50, 3), 200, np.uint8)
    mask = np.zeros((40, 50), bool)
    mask[20, :] = True
    im, m = tile_view(image, mask, 64, 1.0, None)
    assert im.shape == (64, 64, 3) and m.shape == (64, 64) and m[20, :50].all()
    big = np.full((300, 400, 3), 200, np.uint8)
    im, m = tile_view(big, np.zeros((300, 400), bool), 64, 1.0, np.random.default_rng(1))
    assert im.shape == (64, 64, 3)


def test_generated_stream_is_fresh_every_epoch_and_reproducible():
    from speedlines.training.data import GeneratedStream, ViewMaker

    cfg = TrainConfig(style="crop", train_size=2, img_size=64)
    make = ViewMaker(cfg, ModelConfig(input_size=64), train=True)
    epoch0 = [b["image"] for b in GeneratedStream(cfg, make, 64, epoch=0)]
    again = [b["image"] for b in GeneratedStream(cfg, make, 64, epoch=0)]
    epoch1 = [b["image"] for b in GeneratedStream(cfg, make, 64, epoch=1)]
    assert len(epoch0) == 2 and all(torch.equal(a, b) for a, b in zip(epoch0, again))
    assert not torch.equal(epoch0[0], epoch1[0])


def _orientation(mask: np.ndarray) -> str:
    rows, cols = np.nonzero(mask)
    return "flat" if np.ptp(cols) > np.ptp(rows) else "steep"


def test_upright_augmentation_never_turns_the_map():
    # A flat line high in the window: turned or flipped views make it steep or move it down.
    image = np.full((64, 64, 3), 255, np.uint8)
    mask = np.zeros((64, 64), bool)
    mask[12:14, 8:56] = True
    image[mask] = 0
    seeds = range(40)
    research = [augment(image, mask, 64, seed=s) for s in seeds]
    upright = [augment(image, mask, 64, seed=s, upright=True) for s in seeds]
    assert any(_orientation(m) == "steep" for _, m in research if m.any()), "research turns"
    kept = [m for _, m in upright if m.any()]
    assert len(kept) >= 30
    assert all(_orientation(m) == "flat" for m in kept)
    assert all(np.nonzero(m)[0].mean() < 32 for m in kept), "never flipped upside down"
    assert all(i.shape == (64, 64, 3) for i, _ in upright)


def test_the_data_module_describes_its_data_and_hands_out_full_items(tmp_path):
    root = write_set(tmp_path / "d", 10)
    cfg = TrainConfig(data=str(root), img_size=64, batch_size=4, val_fraction=0.2)
    dm = SpeedlineDataModule(cfg, ModelConfig(input_size=64))
    assert dm.description == str(root)
    val = list(dm.validation_items())
    assert [i.id for i in val] == [str(k) for k in dm.val_ds.indices] and len(val) == 2
    assert val[0].image.shape == (64, 64, 3) and val[0].mask.dtype == bool
    batches = list(dm.recalibration_batches())
    assert sum(len(b["image"]) for b in batches) == 8, "every training image, once"
    generated = SpeedlineDataModule(
        TrainConfig(style="crop", case="simple", val_size=2, train_size=3, img_size=64),
        ModelConfig(input_size=64),
    )
    assert generated.description == "generated crop/simple"
    assert [i.meta["case"] for i in generated.validation_items()] == ["simple", "simple"]
    assert sum(len(b["image"]) for b in generated.recalibration_batches()) == 3
