import json
import subprocess
import sys

import numpy as np
import pytest

from speedlines.dataset import SpeedlineDataset
from speedlines.errors import InputError
from speedlines.synth.writer import generate_dataset


def _files(root):
    return {p.relative_to(root): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_layout_manifest_and_parallel_determinism(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    manifest = generate_dataset(a, 4, seed=9, style="crop", workers=1)
    generate_dataset(b, 4, seed=9, style="crop", workers=2)
    assert _files(a) == _files(b), "same seed must give the same bytes, whatever the workers"
    assert sorted(p.name for p in (a / "image").iterdir()) == [f"{i}.png" for i in range(4)]
    assert json.loads((a / "manifest.json").read_text()) == manifest
    assert [i["id"] for i in manifest["items"]] == [0, 1, 2, 3]
    assert not list(a.rglob("*.tmp")), "no temporary files left behind"
    ds = SpeedlineDataset(a)
    assert len(ds) == 4
    item = ds[2]
    assert item.mask.any() and item.meta["index"] == 2
    assert manifest["format"] == "speedlines-dataset/1"
    assert item.meta["format"] == "speedlines-sample/1"
    assert item.case in ("simple", "combined")


def test_label_files_follow_the_seed_convention(tmp_path):
    generate_dataset(tmp_path, 1, seed=1, style="crop")
    import cv2

    label = cv2.imread(str(tmp_path / "label" / "0.png"), cv2.IMREAD_UNCHANGED)
    assert label.dtype == np.uint8 and label.ndim == 2
    assert set(np.unique(label)) == {0, 255}
    assert (label == 0).mean() < 0.3, "0 = speedline, the minority"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"count": 0}, "--count"),
        ({"count": 1, "style": "poster"}, "--style"),
        ({"count": 1, "style": "chart,poster"}, "no style 'poster'"),
        ({"count": 1, "case": "odd"}, "--case"),
        ({"count": 1, "workers": 0}, "--workers"),
    ],
)
def test_bad_requests(tmp_path, kwargs, message):
    with pytest.raises(InputError, match=message):
        generate_dataset(tmp_path / "x", **kwargs)


def test_refuses_to_mix_with_existing_data_unless_forced(tmp_path):
    (tmp_path / "old.txt").write_text("keep")
    with pytest.raises(InputError, match="not empty"):
        generate_dataset(tmp_path, 1, style="crop")
    generate_dataset(tmp_path, 1, style="crop", force=True)
    assert (tmp_path / "manifest.json").is_file()


def _cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "speedlines", *args], capture_output=True, text=True
    )


def test_cli_generate_and_errors(tmp_path):
    r = _cli("generate", str(tmp_path / "d"), "--count", "2", "--style", "crop", "--seed", "4")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "d" / "manifest.json").is_file()
    r = _cli("generate", str(tmp_path / "d"), "--count", "2")
    assert r.returncode == 2 and "not empty" in r.stderr and "Traceback" not in r.stderr
    blocker = tmp_path / "file"
    blocker.write_text("")
    r = _cli("generate", str(blocker / "sub"), "--count", "1")
    assert r.returncode == 2 and "cannot write" in r.stderr and "Traceback" not in r.stderr
    r = _cli("generate", str(tmp_path / "e"), "--count", "-3")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    r = _cli("preview", str(tmp_path / "d"), "--out", str(tmp_path / "sheet.png"))
    assert r.returncode == 0 and (tmp_path / "sheet.png").stat().st_size > 1000
