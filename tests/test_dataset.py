import json

import cv2
import numpy as np
import pytest

from speedlines.dataset import SpeedlineDataset
from speedlines.errors import InputError


def _pair(root, name, size=(64, 32)):
    (root / "image").mkdir(parents=True, exist_ok=True)
    (root / "label").mkdir(parents=True, exist_ok=True)
    img = np.full((size[1], size[0], 3), 255, np.uint8)
    label = np.full((size[1], size[0]), 255, np.uint8)
    label[10, 5:40] = 0
    img[10, 5:40] = 0
    cv2.imwrite(str(root / "image" / f"{name}.png"), img)
    cv2.imwrite(str(root / "label" / f"{name}.png"), label)


def test_reads_the_research_layout_without_metadata(tmp_path):
    for name in ("10", "2", "1"):
        _pair(tmp_path, name)
    ds = SpeedlineDataset(tmp_path)
    assert ds.ids == ["1", "2", "10"], "numeric order, as the research's N.png files"
    item = ds[0]
    assert item.meta is None and item.case == "unknown"
    assert item.mask.sum() == 35 and item.mask[10, 5]
    assert item.image.shape == (32, 64, 3)


def test_errors(tmp_path):
    with pytest.raises(InputError, match="image/ and label/"):
        SpeedlineDataset(tmp_path)
    _pair(tmp_path, "1")
    (tmp_path / "image" / "2.png").write_bytes((tmp_path / "image" / "1.png").read_bytes())
    with pytest.raises(InputError, match="without a partner"):
        SpeedlineDataset(tmp_path)


def test_several_folders_read_as_one(tmp_path):
    from speedlines.dataset import ConcatenatedDataset, open_datasets

    for name in ("0", "1"):
        _pair(tmp_path / "a", name)
    _pair(tmp_path / "b", "0", size=(40, 20))
    ds = open_datasets(f"{tmp_path / 'a'},{tmp_path / 'b'}")
    assert isinstance(ds, ConcatenatedDataset) and len(ds) == 3
    assert ds[2].image.shape == (20, 40, 3) and ds[1].image.shape == (32, 64, 3)
    with pytest.raises(IndexError):
        ds[3]
    assert isinstance(open_datasets(tmp_path / "a"), SpeedlineDataset)


def test_generator_files_are_checked_for_their_format(tmp_path):
    _pair(tmp_path, "0")
    _pair(tmp_path, "1")
    (tmp_path / "meta").mkdir()
    (tmp_path / "meta" / "0.json").write_text(json.dumps({"style": "crop", "case": "simple"}))
    new = {"format": "speedlines-sample/2", "style": "crop"}
    (tmp_path / "meta" / "1.json").write_text(json.dumps(new))
    (tmp_path / "manifest.json").write_text(json.dumps({"format": "speedlines-dataset/1"}))
    ds = SpeedlineDataset(tmp_path)
    assert ds[0].case == "simple", "untagged metadata (older data sets) reads as version 1"
    with pytest.raises(InputError, match=r"1\.json: format speedlines-sample/2 is newer than"):
        ds[1]
    (tmp_path / "manifest.json").write_text(json.dumps({"format": "speedlines-dataset/3"}))
    with pytest.raises(InputError, match=r"manifest\.json: format speedlines-dataset/3 is newer"):
        SpeedlineDataset(tmp_path)
    (tmp_path / "manifest.json").write_text("[]")
    with pytest.raises(InputError, match="expected a JSON object, got list"):
        SpeedlineDataset(tmp_path)
