import pytest

from speedlines import formats
from speedlines.errors import InputError


def test_the_current_and_older_versions_are_read():
    assert formats.check_format("speedlines-model/1", "speedlines-model/1", "m.json") == 1
    assert formats.check_format("speedlines-model/2", "speedlines-model/3", "m.json") == 2


def test_a_missing_tag_is_the_current_version_unless_required():
    assert formats.check_format(None, "speedlines-sample/1", "meta/0.json") == 1
    with pytest.raises(
        InputError, match=r"r\.json: no format tag; expected speedlines-digitized/1"
    ):
        formats.check_format(None, formats.DIGITIZED, "r.json", required=True)


def test_a_newer_version_is_refused_with_one_clear_line():
    with pytest.raises(InputError) as err:
        formats.check_format("speedlines-model/9", formats.MODEL, "model.json")
    assert str(err.value) == (
        "model.json: format speedlines-model/9 is newer than this speedlines understands "
        "(speedlines-model/1)"
    )


@pytest.mark.parametrize(
    "tag", ["speedlines-sample/1", "speedlines-model/", "speedlines-model/1.1", 1, ["x"]]
)
def test_another_kind_or_a_malformed_tag_is_refused(tag):
    with pytest.raises(InputError, match=r"m\.json: format .* is not speedlines-model/N"):
        formats.check_format(tag, formats.MODEL, "m.json")


def test_version_zero_is_not_a_version():
    with pytest.raises(InputError, match="is not a version of speedlines-model"):
        formats.check_format("speedlines-model/0", formats.MODEL, "m.json")


def test_read_json_errors_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="model config not found"):
        formats.read_json(tmp_path / "none.json", "model config")
    (tmp_path / "bad.json").write_text('{"a": ')
    with pytest.raises(InputError, match=r"bad.json: not a x: invalid JSON \(.*, column 7\)"):
        formats.read_json(tmp_path / "bad.json", "x")
    (tmp_path / "ok.json").write_text('{"a": 1}')
    assert formats.read_json(tmp_path / "ok.json", "x") == {"a": 1}


def test_read_text_refuses_what_is_not_a_regular_file_without_reading_it(tmp_path):
    import os

    os.mkfifo(tmp_path / "pipe.json")  # opening it for reading would wait for a writer
    (tmp_path / "zero.json").symlink_to("/dev/zero")  # would read forever
    for name, kind in (("pipe.json", "FIFO"), ("zero.json", "character device")):
        with pytest.raises(InputError, match=rf"{name}: .*{kind}.*not a regular file"):
            formats.read_json(tmp_path / name, "calibration file")
    with pytest.raises(InputError, match="folder, not a regular file"):
        formats.read_text(tmp_path, "x")


def test_read_text_has_a_size_limit(tmp_path):
    (tmp_path / "big.json").write_text(" " * 1001 + "{}")
    with pytest.raises(InputError, match=r"big\.json is larger than the limit of 1,000 bytes"):
        formats.read_json(tmp_path / "big.json", "x", max_bytes=1000)
    assert formats.read_json(tmp_path / "big.json", "x", max_bytes=2000) == {}


def test_a_byte_order_mark_is_accepted(tmp_path):
    (tmp_path / "bom.json").write_bytes(b"\xef\xbb\xbf" + b'{"a": 1}')
    assert formats.read_json(tmp_path / "bom.json", "x") == {"a": 1}


@pytest.mark.parametrize(
    ("text", "why"),
    [("[" * 100_000, "nested too deeply"), ("9" * 5000, "5000 digits"), ("9" * 400, "400 digits")],
)
def test_hostile_json_is_an_input_error(tmp_path, text, why):
    (tmp_path / "bad.json").write_text(text)
    with pytest.raises(InputError, match=rf"bad.json: not a model config: .*{why}") as e:
        formats.read_json(tmp_path / "bad.json", "model config")
    assert "\n" not in str(e.value)
