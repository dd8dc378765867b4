"""Training and validation data: folders in the research layout, or a generated stream.

Items are dicts of tensors: ``image`` (3, S, S) normalised, ``mask`` (1, S, S) in {0, 1} and
``case`` (1 = combined, 0 = simple, -1 = unknown) for the optional classification head.
"""

from __future__ import annotations

from collections.abc import Iterator

import lightning.pytorch as pl
import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, IterableDataset, get_worker_info

from speedlines.dataset import Item, open_datasets
from speedlines.errors import InputError
from speedlines.segment.model import ModelConfig
from speedlines.segment.segmenter import normalize
from speedlines.training.augment import augment, resized_view, tile_view
from speedlines.training.config import GENERATED, TrainConfig

CASE_TARGET = {"simple": 0.0, "combined": 1.0}


def case_of(meta: dict | None) -> str:
    return (meta or {}).get("case", "unknown")


class ViewMaker:
    """Turns (image, mask, case) into a training or validation item at a given size."""

    def __init__(self, cfg: TrainConfig, model_cfg: ModelConfig, train: bool):
        self.cfg, self.model_cfg, self.train = cfg, model_cfg, train

    def __call__(self, image, mask, case: str, size: int, seed: int) -> dict:
        rng = np.random.default_rng(seed) if self.train else None
        if self.cfg.view == "resize":
            image, mask = resized_view(image, mask, size)
        else:
            image, mask = tile_view(image, mask, size, self.cfg.scale, rng)
        if self.train and self.cfg.augment != "none":
            image, mask = augment(image, mask, size, seed, upright=self.cfg.augment == "upright")
        return {
            "image": torch.from_numpy(normalize(image, self.model_cfg)),
            "mask": torch.from_numpy(mask[None].astype(np.float32)),
            "case": torch.tensor([CASE_TARGET.get(case, -1.0)]),
        }


class FolderData(Dataset):
    """Items of a data set folder; resized views are cached, as decoding dominates otherwise."""

    def __init__(self, ds, indices, make: ViewMaker, size: int):
        self.ds, self.indices, self.make, self.size = ds, list(indices), make, size
        self._cache: dict[tuple[int, int], tuple] = {}

    def __len__(self) -> int:
        return len(self.indices)

    def _source(self, i: int):
        key = (i, self.size)
        if key in self._cache:
            return self._cache[key]
        item = self.ds[self.indices[i]]
        source = (item.image, item.mask, case_of(item.meta))
        if self.make.cfg.view == "resize":  # full-size charts would not fit in memory
            source = (*resized_view(item.image, item.mask, self.size), source[2])
            self._cache[key] = source
        return source

    def originals(self) -> Iterator[Item]:
        """The items as the data set holds them (full images, not tensors)."""
        for i in self.indices:
            yield self.ds[i]

    def __getitem__(self, i: int) -> dict:
        image, mask, case = self._source(i)
        # Torch's generator is seeded per run and per loader worker by Lightning: a fresh
        # augmentation every epoch, and the same ones again for the same seed.
        seed = int(torch.randint(0, 2**31 - 1, (1,)).item())
        return self.make(image, mask, case, self.size, seed)


def _rank_and_world() -> tuple[int, int]:
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        return torch.distributed.get_rank(), torch.distributed.get_world_size()
    return 0, 1


class GeneratedStream(IterableDataset):
    """Fresh generated images every epoch, split across processes and loader workers."""

    def __init__(self, cfg: TrainConfig, make: ViewMaker, size: int, epoch: int):
        self.cfg, self.make, self.size, self.epoch = cfg, make, size, epoch

    def __len__(self) -> int:
        return self.cfg.train_size // _rank_and_world()[1]

    def __iter__(self):
        from speedlines.synth.sample import generate_sample

        rank, world = _rank_and_world()
        info = get_worker_info()
        wid, nw = (info.id, info.num_workers) if info else (0, 1)
        shard, shards = rank * nw + wid, world * nw
        stream_seed = self.cfg.seed * 1_000_003 + self.epoch
        for i in range(shard, len(self) * world, shards):
            s = generate_sample(stream_seed, i, self.cfg.style, self.cfg.case)
            seed = int(np.random.SeedSequence([stream_seed, i]).generate_state(1)[0])
            yield self.make(s.image, s.label, s.meta.get("case", "unknown"), self.size, seed)


class GeneratedSet(Dataset):
    """A fixed generated validation set, made once in memory from its own seed."""

    def __init__(self, cfg: TrainConfig, make: ViewMaker, size: int):
        from speedlines.synth.sample import generate_sample

        seed = cfg.seed * 1_000_003 + 999_983  # never a training stream seed
        self.make, self.size = make, size
        self.items = []
        for i in range(cfg.val_size):
            s = generate_sample(seed, i, cfg.style, cfg.case)
            self.items.append((s.image, s.label, s.meta.get("case", "unknown")))

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, i: int) -> dict:
        image, mask, case = self.items[i]
        return self.make(image, mask, case, self.size, i)

    def originals(self) -> Iterator[Item]:
        """The items as generated (full images, not tensors)."""
        for k, (image, mask, case) in enumerate(self.items):
            yield Item(str(k), image, mask, {"case": case})


class SpeedlineDataModule(pl.LightningDataModule):
    """Train/validation loaders; the training size follows the progressive-resizing plan."""

    def __init__(self, cfg: TrainConfig, model_cfg: ModelConfig):
        super().__init__()
        self.cfg, self.model_cfg = cfg, model_cfg
        self.train_ds = self.val_ds = None

    def setup(self, stage: str | None = None) -> None:
        if self.val_ds is not None:
            return
        cfg = self.cfg
        train_make = ViewMaker(cfg, self.model_cfg, train=True)
        val_make = ViewMaker(cfg, self.model_cfg, train=False)
        if cfg.data == GENERATED:
            self.train_ds = None  # built per epoch
            self.val_ds = GeneratedSet(cfg, val_make, cfg.img_size)
            return
        ds = open_datasets(cfg.data)
        if cfg.val_data:
            train_idx, val_ds, val_idx = range(len(ds)), open_datasets(cfg.val_data), None
        else:
            if len(ds) < 2:
                raise InputError(f"{cfg.data}: need at least 2 images to split off validation")
            order = np.random.default_rng(cfg.seed).permutation(len(ds))
            n_val = max(1, round(len(ds) * cfg.val_fraction))
            val_ds, val_idx, train_idx = ds, sorted(order[:n_val]), sorted(order[n_val:])
        self.train_ds = FolderData(ds, train_idx, train_make, cfg.img_size)
        val_idx = val_idx if val_idx is not None else range(len(val_ds))
        self.val_ds = FolderData(val_ds, val_idx, val_make, cfg.img_size)

    @property
    def description(self) -> str:
        """The training data in a few words, for the model's training record."""
        cfg = self.cfg
        return f"generated {cfg.style}/{cfg.case}" if cfg.data == GENERATED else cfg.data

    def validation_items(self) -> Iterator[Item]:
        """The validation items as full images, for the numpy evaluation of the model."""
        self.setup()
        return self.val_ds.originals()

    def recalibration_batches(self) -> DataLoader:
        """Un-augmented training views: the statistics the model will meet at inference."""
        self.setup()
        cfg = self.cfg
        make = ViewMaker(cfg, self.model_cfg, train=False)
        if self.train_ds is None:  # generated: the first epoch's stream, un-augmented
            stream = GeneratedStream(cfg, make, cfg.img_size, epoch=0)
            return DataLoader(stream, batch_size=cfg.batch_size)
        views = FolderData(self.train_ds.ds, self.train_ds.indices, make, cfg.img_size)
        return DataLoader(views, batch_size=cfg.batch_size, shuffle=True)

    def _loader(self, ds, shuffle: bool) -> DataLoader:
        return DataLoader(
            ds,
            batch_size=self.cfg.batch_size,
            shuffle=shuffle,
            num_workers=self.cfg.workers,
            drop_last=shuffle and len(ds) > self.cfg.batch_size,
        )

    def train_dataloader(self) -> DataLoader:
        epoch = self.trainer.current_epoch if self.trainer else 0
        size = self.cfg.size_for_epoch(epoch)
        if self.cfg.data == GENERATED:
            make = ViewMaker(self.cfg, self.model_cfg, train=True)
            return self._loader(GeneratedStream(self.cfg, make, size, epoch), shuffle=False)
        self.train_ds.size = size
        return self._loader(self.train_ds, shuffle=True)

    def val_dataloader(self) -> DataLoader:
        return self._loader(self.val_ds, shuffle=False)
