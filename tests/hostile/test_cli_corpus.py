"""The hostile-input corpus against the CLI: no traceback, exit 0 or 2 as each case expects, a
refusal is an ``error:`` line naming the problem, no partial output set, no hang.

Cases run in this process (fast: ``speedlines.cli.main`` with a patched argv); those that may
hang, read without end or exhaust memory run in a subprocess with a time and memory limit.
"""

import sys
import time
import traceback

import pytest

from speedlines.cli import main
from tests.hostile import corpus

CASES = corpus.cases(heavy=False)
TIMEOUT = 60.0  # seconds: a healthy run takes a few (the first model run also exports ONNX)


def run_in_process(argv, folder, capsys, monkeypatch) -> corpus.Run:
    monkeypatch.chdir(folder)
    monkeypatch.setattr(sys, "argv", ["speedlines", *argv])
    capsys.readouterr()
    start = time.monotonic()
    extra = ""
    try:
        main()
        rc = 0
    except SystemExit as exc:
        rc = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        rc, extra = 1, traceback.format_exc()
    seconds = time.monotonic() - start
    captured = capsys.readouterr()
    return corpus.Run(rc, captured.out, captured.err + extra, seconds)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input(case, tmp_path, capsys, monkeypatch):
    if case.skip:
        pytest.skip(case.skip)
    folder = tmp_path / "case"
    folder.mkdir()
    try:
        argv = case.setup(folder)
        before = corpus.snapshot(folder)
        if case.isolate or case.fsize:
            run = corpus.run_subprocess(case, folder, argv, TIMEOUT)
        else:
            run = run_in_process(argv, folder, capsys, monkeypatch)
            if run.seconds > TIMEOUT:
                run.rc = None
    finally:
        corpus.release(folder)
    verdict = corpus.judge(case, argv, folder, run, before)
    assert verdict.ok, f"{case.id}: {'; '.join(verdict.problems)}\n{run.err[-2000:]}"


def test_the_corpus_covers_every_family_and_both_outcomes():
    families = {c.family for c in CASES}
    assert {"images", "calibration", "options", "batch", "model", "serve"} <= families
    assert {c.expect for c in CASES} >= {(0,), (2,)}
    assert len({c.id for c in corpus.cases()}) == len(corpus.cases()), "case names are unique"


def test_the_judge_catches_what_it_must(tmp_path):
    """The invariants are not vacuous: a traceback, exit 1, a partial set, a hang, a raw
    exception name and an overwritten input are each caught."""
    case = corpus.Case("t", "t", lambda f: [], (2,), mention=("cal.json",))
    argv = ["digitize", "map.png", "--out", "out"]
    (tmp_path / "map.png").write_bytes(b"x")
    before = corpus.snapshot(tmp_path)
    good = corpus.Run(2, "", "error: cal.json: not valid JSON\n", 0.1)
    assert corpus.judge(case, argv, tmp_path, good, before).ok
    for run, kind in (
        (corpus.Run(1, "", "Traceback (most recent call last):\n", 0.1), "traceback"),
        (corpus.Run(1, "", "error: MemoryError: \n", 0.1), "exit-1"),
        (corpus.Run(None, "", "", 30.0), "hang"),
        (corpus.Run(2, "", "error: OverflowError: int too large (cal.json)\n", 0.1), "refused"),
    ):
        verdict = corpus.judge(case, argv, tmp_path, run, before)
        assert verdict.kind == kind and not verdict.ok
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "map.csv").write_text("line,speed,x,y\n")
    (tmp_path / "map.png").write_bytes(b"y")
    verdict = corpus.judge(case, argv, tmp_path, good, before)
    assert verdict.kind == "partial"
    assert any("overwritten" in p for p in verdict.problems)
