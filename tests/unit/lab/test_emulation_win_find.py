"""ansible.windows.win_find's emulation: recursion, depth, types, patterns, checksums."""

import hashlib

import pytest
from win_support import failed, make_world, ok, write


@pytest.fixture
def world(tmp_path):
    write(tmp := make_world(tmp_path), "C:\\B\\set1\\manifest.json", b"{}")
    write(tmp, "C:\\B\\set1\\data\\db.vhdx", b"vhdx")
    write(tmp, "C:\\B\\set2\\manifest.json", b"{ }")
    write(tmp, "C:\\B\\readme.txt", b"hello")
    return tmp


def paths(result):
    return [f["path"] for f in result["files"]]


def test_default_is_files_directly_under_the_path(world):
    result = ok(world, "win_find", paths=["C:\\B"])
    assert paths(result) == ["C:\\B\\readme.txt"]
    assert result["examined"] == 3 and result["matched"] == 1
    file = result["files"][0]
    assert file["checksum"] == hashlib.sha1(b"hello").hexdigest() and file["size"] == 5
    assert file["isreg"] is True and file["extension"] == ".txt"


def test_recurse_with_patterns_finds_every_manifest_sorted(world):
    result = ok(world, "win_find", paths=["C:\\B"], recurse=True, patterns=["MANIFEST.*"],
                get_checksum=False)  # fmt: skip
    assert paths(result) == ["C:\\B\\set1\\manifest.json", "C:\\B\\set2\\manifest.json"]
    assert all(f["checksum"] is None for f in result["files"])


def test_directories_and_depth(world):
    top = ok(world, "win_find", paths=["C:\\B"], recurse=True, depth=1, file_type="directory")
    assert paths(top) == ["C:\\B\\set1", "C:\\B\\set2"]
    assert top["files"][0]["isdir"] is True and top["files"][0]["size"] is None
    deeper = ok(world, "win_find", paths=["C:\\B"], recurse=True, file_type="directory")
    assert paths(deeper) == ["C:\\B\\set1", "C:\\B\\set1\\data", "C:\\B\\set2"]


def test_regex_size_and_sha256(world):
    result = ok(world, "win_find", paths=["C:\\B"], recurse=True, use_regex=True,
                regexp=[r"\.vhdx$"], size="2", checksum_algorithm="sha256")  # fmt: skip
    assert paths(result) == ["C:\\B\\set1\\data\\db.vhdx"]
    assert result["files"][0]["checksum"] == hashlib.sha256(b"vhdx").hexdigest()
    assert ok(world, "win_find", paths=["C:\\B"], recurse=True, size="1k")["matched"] == 0


def test_age_filters_old_and_new(world):
    assert ok(world, "win_find", paths=["C:\\B"], age="-1h")["matched"] == 1  # newer than 1h
    assert ok(world, "win_find", paths=["C:\\B"], age="1d")["matched"] == 0  # older than 1d
    assert failed(world, "win_find", paths=["C:\\B"], age="soon")["msg"] == (
        "Invalid age pattern specified"
    )


def test_a_missing_path_and_a_file_path_are_skipped_with_a_warning(world):
    result = ok(world, "win_find", paths=["C:\\Nope", "C:\\B\\readme.txt"])
    assert result["files"] == [] and result["examined"] == 0
    assert result["warnings"] == [
        "Argument path 'C:\\Nope' does not exist or is not accessible, skipping",
        "Argument path 'C:\\B\\readme.txt' is a file not a directory, skipping",
    ]


def test_a_unc_path_lists_the_share(world):
    write(world, "C:\\Shares\\backups\\s\\m.json", node="FS01")
    result = ok(world, "win_find", paths=["\\\\FS01\\backups"], recurse=True)
    assert paths(result) == ["\\\\FS01\\backups\\s\\m.json"]
