from speedlines.atomic_io import write_bytes


def test_a_name_of_the_longest_legal_length_is_written(tmp_path):
    path = tmp_path / ("n" * 251 + ".csv")  # 255 characters, the usual file-name limit
    write_bytes(path, b"x")
    assert path.read_bytes() == b"x" and [p.name for p in tmp_path.iterdir()] == [path.name]
