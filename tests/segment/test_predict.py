import subprocess
import sys

import cv2
import numpy as np
import pytest
import torch
from PIL import Image

from speedlines.segment.model import ModelConfig, build_model, save_model


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    cfg = ModelConfig(encoder="resnet18", input_size=64, view="tile")
    torch.manual_seed(0)
    directory = tmp_path_factory.mktemp("m") / "model"
    save_model(directory, build_model(cfg).eval(), cfg)
    return directory


def cli(*args):
    cmd = [sys.executable, "-m", "speedlines", *map(str, args)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300)


def _inputs(folder):
    folder.mkdir()
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 255, (70, 130, 3), dtype=np.uint8)
    Image.fromarray(rgb).save(folder / "colour.png")
    Image.fromarray(rgb[..., 0]).save(folder / "grey.png")
    Image.fromarray(np.dstack([rgb, np.full((70, 130), 128, np.uint8)])).save(folder / "rgba.png")
    Image.fromarray(rgb[..., 1].astype(np.uint16) * 257).save(folder / "deep.png")
    Image.fromarray(rgb).convert("P").save(folder / "palette.png")
    Image.fromarray(rgb[:40, : 300 // 5]).save(folder / "small.jpg")
    return folder


def test_masks_at_the_inputs_own_size_for_every_mode(model_dir, tmp_path):
    src = _inputs(tmp_path / "in")
    out = tmp_path / "out"
    p = cli("predict", src, "--out", out, "--model", model_dir, "--prob", "--overlay")
    assert p.returncode == 0, p.stderr
    for name in ("colour", "grey", "rgba", "deep", "palette"):
        mask = cv2.imread(str(out / f"{name}.mask.png"), cv2.IMREAD_UNCHANGED)
        assert mask.shape == (70, 130) and mask.dtype == np.uint8
        assert set(np.unique(mask)) <= {0, 255}
        assert cv2.imread(str(out / f"{name}.prob.png"), cv2.IMREAD_UNCHANGED).shape == (70, 130)
        assert cv2.imread(str(out / f"{name}.overlay.png")).shape == (70, 130, 3)
    assert cv2.imread(str(out / "small.mask.png"), cv2.IMREAD_UNCHANGED).shape == (40, 60)


def test_threshold_changes_the_mask_consistently_with_the_probability(model_dir, tmp_path):
    src = _inputs(tmp_path / "in")
    for t in ("0.2", "0.8"):
        assert cli("predict", src / "colour.png", "--out", tmp_path / t, "--model", model_dir,
                   "--threshold", t, "--prob").returncode == 0  # fmt: skip
    prob = cv2.imread(str(tmp_path / "0.2" / "colour.prob.png"), cv2.IMREAD_UNCHANGED) / 255
    for t in (0.2, 0.8):
        mask = cv2.imread(str(tmp_path / str(t) / "colour.mask.png"), cv2.IMREAD_UNCHANGED)
        agree = (mask > 0) == (prob > t)
        assert agree.mean() > 0.99  # up to rounding of the 8-bit probability


def test_bad_files_are_reported_and_the_rest_processed(model_dir, tmp_path):
    src = _inputs(tmp_path / "in")
    (src / "corrupt.png").write_bytes(b"\x89PNG broken")
    (src / "empty.png").write_bytes(b"")
    out = tmp_path / "out"
    p = cli("predict", src, tmp_path / "missing.png", "--out", out, "--model", model_dir)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert "3 of 9 input(s) could not be read" in p.stderr
    assert (out / "colour.mask.png").is_file()
    assert not (out / "corrupt.mask.png").exists() and not (out / "empty.mask.png").exists()
    assert not [f for f in out.iterdir() if f.name.startswith(".")], "no temporary files left"


def test_bad_usage(model_dir, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    p = cli("predict", empty, "--out", tmp_path / "o", "--model", model_dir)
    assert p.returncode == 2 and "no images in this folder" in p.stderr
    p = cli("predict", empty, "--out", tmp_path / "o", "--model", tmp_path)
    assert p.returncode == 2
    img = _inputs(tmp_path / "in") / "colour.png"
    p = cli("predict", img, "--out", tmp_path / "o", "--model", model_dir, "--threshold", "2")
    assert p.returncode == 2 and "threshold must lie in (0, 1)" in p.stderr
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "config.json").write_text(
        (model_dir / "config.json").read_text().replace("resnet18", "efficientnet-b0")
    )
    (foreign / "model.safetensors").write_bytes((model_dir / "model.safetensors").read_bytes())
    p = cli("predict", img, "--out", tmp_path / "o2", "--model", foreign)
    assert p.returncode == 2 and "do not match" in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1
    # brackets in a message (paths, library errors) are text, never console markup
    odd = tmp_path / "maps [/old]" / "missing.png"
    p = cli("predict", odd, "--out", tmp_path / "o3", "--model", model_dir)
    lines = p.stderr.strip().splitlines()
    assert p.returncode == 2 and lines[0] == f"error: {odd}: no such file", p.stderr
    assert "Traceback" not in p.stderr


def test_predict_never_writes_over_an_input(tmp_path):
    from speedlines.batch import collect_inputs
    from speedlines.segment.ink import InkMask
    from speedlines.segment.predict import predict_files

    folder = tmp_path / "maps"
    folder.mkdir()
    image = np.full((40, 60, 3), 255, np.uint8)
    image[20, 5:50] = 0
    cv2.imwrite(str(folder / "map.png"), image)
    cv2.imwrite(str(folder / "map.mask.png"), image)
    before = (folder / "map.mask.png").read_bytes()
    outcomes = predict_files(InkMask(), collect_inputs([folder]), folder, overlay=True)
    errors = {o.source.name: o.error for o in outcomes}
    assert "would overwrite the input" in errors["map.png"]
    assert (folder / "map.mask.png").read_bytes() == before
    assert not (folder / "map.overlay.png").exists(), "none of map.png's set is written"
    assert errors["map.mask.png"] is None and (folder / "map.mask.mask.png").is_file()
