"""Every size and count has a limit, and bad values are one line and exit code 2."""

import resource

import pytest

from speedlines.batch import max_parallel
from speedlines.digitize.batch import MAX_BETAS, MAX_POINTS, DigitizeOptions
from speedlines.errors import InputError
from tests.cli import cli, error_lines, write_calibration, write_map


@pytest.fixture
def one_map(tmp_path):
    return write_map(tmp_path / "a.png"), write_calibration(tmp_path / "cal.json")


def test_points_and_betas_have_the_webs_limits():
    with pytest.raises(InputError, match=f"--points must be between 2 and {MAX_POINTS}"):
        DigitizeOptions(points=10_000_000)
    with pytest.raises(InputError, match=f"--betas must be between 2 and {MAX_BETAS}"):
        DigitizeOptions(betas=10_000_000)
    assert DigitizeOptions(points=MAX_POINTS, betas=MAX_BETAS).points == MAX_POINTS


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--points", str(MAX_POINTS + 1)], "--points must be between"),
        (["--betas", str(MAX_BETAS + 1)], "--betas must be between"),
        (["--points", "1"], "--points must be between"),
        (["--threads", "1000"], "--threads must be between 1 and"),
        (["--threads", "0"], "--threads must be between 1 and"),
    ],
)
def test_digitize_refuses_out_of_range_values(one_map, tmp_path, args, message):
    image, cal = one_map
    p = cli("digitize", image, "--calibration", cal, "--out", tmp_path / "o", "--method", "ink",
            *args)  # fmt: skip
    assert p.returncode == 2, p.stderr
    assert error_lines(p.stderr) == [p.stderr.strip()] and message in p.stderr


def test_predict_refuses_too_many_threads(one_map, tmp_path):
    p = cli("predict", one_map[0], "--out", tmp_path / "o", "--threads", max_parallel() + 1)
    assert p.returncode == 2 and "--threads must be between" in p.stderr, p.stderr


def _memory_limit():
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--count", "100000000"], "--count must be between 1 and"),
        (["--seed", "-1"], "--seed must be 0 or more"),
        (["--workers", "1000"], "--workers must be between 1 and"),
    ],
)
def test_generate_refuses_before_any_work(tmp_path, args, message):
    # Under a 2 GB address space the unbounded count ran out of memory (exit 1).
    p = cli("generate", tmp_path / "d", *args, preexec_fn=_memory_limit, timeout=60)
    assert p.returncode == 2, p.stderr
    assert error_lines(p.stderr) == [p.stderr.strip()] and message in p.stderr


def test_an_empty_generate_folder_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "keep.txt").write_text("")
    p = cli("generate", "", "--count", "1")
    assert p.returncode == 2 and "empty path" in p.stderr, p.stderr
