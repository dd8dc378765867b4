"""Bad input is exit 2 with one line; exit 1 is only for speedlines' own faults, said so."""

import pytest

import speedlines.cli


def _run_main(monkeypatch, capsys, exc):
    def app():
        raise exc

    monkeypatch.setattr(speedlines.cli, "app", app)
    with pytest.raises(SystemExit) as stop:
        speedlines.cli.main()
    return stop.value.code, capsys.readouterr().err


def test_an_unexpected_error_says_it_is_internal(monkeypatch, capsys):
    code, err = _run_main(monkeypatch, capsys, KeyError("boom"))
    assert code == 1 and "internal error" in err and "KeyError" in err
    code, err = _run_main(monkeypatch, capsys, MemoryError())
    assert code == 1 and "out of memory" in err
