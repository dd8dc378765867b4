"""A bad input, a failed write or a long name costs one image, never the batch or a partial
set of files."""

import os
import resource
import signal
from pathlib import Path

import pytest

from tests.cli import cli, error_lines, write_calibration, write_map


@pytest.fixture
def maps(tmp_path):
    folder = tmp_path / "maps"
    folder.mkdir()
    write_map(folder / "a.png")
    write_map(folder / "b.png")
    return folder, write_calibration(tmp_path / "cal.json")


def _file_size_limit(limit):
    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an error from write(), not a kill
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_a_full_disk_leaves_no_partial_set_and_every_image_is_reported(maps, tmp_path):
    folder, cal = maps
    out = tmp_path / "out"
    # Larger than each image's CSV (~3 kB), smaller than its JSON (~19 kB): the set fails midway.
    p = cli("digitize", folder, "--calibration", cal, "--out", out, "--method", "ink",
            preexec_fn=_file_size_limit(8000))  # fmt: skip
    assert p.returncode == 2, p.stderr
    lines = error_lines(p.stderr)
    assert any("a.png" in line and "File too large" in line for line in lines), p.stderr
    assert any("b.png" in line and "File too large" in line for line in lines), p.stderr
    assert list(out.iterdir()) == [], "no partial set, no temporary folder"


def test_the_tmp_name_is_short_enough_for_long_legal_names(maps, tmp_path):
    folder, cal = maps
    long_name = "m" * 241 + ".png"  # 245 characters; NAME.overlay.png is 253
    write_map(folder / long_name)
    out = tmp_path / "out"
    p = cli("digitize", folder, "--calibration", cal, "--out", out, "--method", "ink")
    assert p.returncode == 0, p.stderr
    assert (out / ("m" * 241 + ".overlay.png")).is_file()
    assert len(list(out.iterdir())) == 9


@pytest.mark.skipif(not Path("/proc/self/mem").is_file(), reason="needs Linux /proc")
def test_unreadable_files_and_an_empty_folder_do_not_stop_the_batch(maps, tmp_path):
    folder, cal = maps
    # Reading /proc/self/mem from offset 0 fails (EIO) even for root, where chmod 000 does not.
    (folder / "0-unreadable.png").symlink_to("/proc/self/mem")
    (folder / "1-dangling.png").symlink_to(tmp_path / "nowhere.png")
    empty = tmp_path / "empty"
    empty.mkdir()
    out = tmp_path / "out"
    p = cli("digitize", empty, folder, "--calibration", cal, "--out", out, "--method", "ink")
    assert p.returncode == 2, p.stderr
    lines = error_lines(p.stderr)
    assert f"error: {empty}: no images in this folder" in lines
    assert any("0-unreadable.png" in line for line in lines)
    assert any("1-dangling.png" in line for line in lines)
    assert "3 of 5 input(s) could not be digitized" in p.stderr
    assert "Traceback" not in p.stderr and "Error:" not in p.stderr
    assert sorted(f.name for f in out.iterdir()) == [
        f"{n}.{ext}" for n in "ab" for ext in ("csv", "json", "overlay.png")
    ]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_a_file_without_read_permission_is_reported(maps, tmp_path):
    folder, cal = maps
    (folder / "a.png").chmod(0)
    p = cli("digitize", folder, "--calibration", cal, "--out", tmp_path / "o", "--method", "ink")
    assert p.returncode == 2 and "a.png" in p.stderr and (tmp_path / "o" / "b.csv").is_file()


def test_outputs_never_replace_an_input(maps):
    folder, cal = maps
    decoy = folder / "a.overlay.png"
    write_map(decoy)
    before = decoy.read_bytes()
    p = cli("digitize", folder, "--calibration", cal, "--out", folder, "--method", "ink")
    assert p.returncode == 2, p.stderr
    assert decoy.read_bytes() == before
    assert any("would overwrite the input" in line and "a.png" in line for line in
               error_lines(p.stderr)), p.stderr  # fmt: skip
    assert not (folder / "a.csv").exists(), "none of a.png's set is written"
    assert (folder / "b.csv").is_file()


@pytest.mark.parametrize("out", ["", "{file}/sub", "{file}"])
def test_an_unusable_out_is_one_line(maps, tmp_path, out, monkeypatch):
    folder, cal = maps
    monkeypatch.chdir(tmp_path)
    out = out.format(file=cal)
    p = cli("digitize", folder, "--calibration", cal, "--out", out, "--method", "ink")
    assert p.returncode == 2, p.stderr
    assert len(p.stderr.strip().splitlines()) == 1 and "Error" not in p.stderr, p.stderr
    assert not (tmp_path / "a.csv").exists()


def test_noise_is_no_speedlines_for_the_ink_method(tmp_path):
    import cv2
    import numpy as np

    noise = np.random.default_rng(1).integers(0, 256, (140, 240, 3), dtype=np.uint8)
    cv2.imwrite(str(tmp_path / "noise.png"), noise)
    p = cli("digitize", tmp_path / "noise.png", "--x-axis", "0:0,200:2", "--y-axis",
            "140:1,0:4", "--out", tmp_path / "o", "--method", "ink")  # fmt: skip
    assert p.returncode == 2 and "no speedline found" in p.stderr, p.stderr
    assert not list((tmp_path / "o").iterdir())
