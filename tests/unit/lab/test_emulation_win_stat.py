"""ansible.windows.win_stat and slurp emulations: what fetch and the roles read."""

import base64
import hashlib

import pytest
from win_support import failed, make_world, ok, real, write


@pytest.fixture
def world(tmp_path):
    return make_world(tmp_path)


def test_a_missing_path_only_says_it_does_not_exist(world):
    assert ok(world, "win_stat", path="C:\\nope")["stat"] == {"exists": False}


def test_a_file_has_size_and_the_checksum_asked_for(world):
    data = b"cluster database snapshot"
    write(world, "C:\\Backups\\Set\\db.vhdx", data)
    stat = ok(world, "win_stat", path="c:\\backups\\set\\DB.VHDX")["stat"]
    assert stat["exists"] is True and stat["isreg"] is True and stat["isdir"] is False
    assert stat["size"] == len(data)
    assert stat["checksum"] == hashlib.sha1(data).hexdigest()
    # FullName carries the case of the file system, not of the question.
    assert stat["path"] == "C:\\Backups\\Set\\db.vhdx"
    assert stat["filename"] == "db.vhdx" and stat["extension"] == ".vhdx"
    sha256 = ok(world, "win_stat", path="C:\\Backups\\Set\\db.vhdx", checksum_algorithm="sha256")
    assert sha256["stat"]["checksum"] == hashlib.sha256(data).hexdigest()


def test_get_checksum_and_get_size_false_leave_the_keys_out(world):
    write(world, "C:\\f.bin")
    stat = ok(world, "win_stat", path="C:\\f.bin", get_checksum=False, get_size=False)["stat"]
    assert "checksum" not in stat and "size" not in stat


def test_a_directory_has_the_size_of_its_files_and_its_share(world):
    write(world, "C:\\Shares\\backups\\a\\1", b"12345", node="FS01")
    write(world, "C:\\Shares\\backups\\2", b"678", node="FS01")
    stat = ok(world, "win_stat", path="\\\\FS01\\backups")["stat"]
    assert stat["isdir"] is True and stat["size"] == 8 and "checksum" not in stat
    # Win32_Share answers on the file server itself.
    local = ok(world, "win_stat", path="C:\\Shares\\backups")  # on N1: no such folder
    assert local["stat"]["exists"] is False


def test_what_ansible_core_sends_for_fetch_is_accepted(world):
    # _execute_remote_stat: ignore_unknown_opts, follow, get_size False, sha1.
    write(world, "C:\\f.txt", b"x")
    stat = ok(
        world,
        "win_stat",
        path="C:\\f.txt",
        follow=True,
        get_checksum=True,
        get_size=False,
        checksum_algorithm="sha1",
        _ansible_ignore_unknown_opts=True,
        unknown_for_windows="yes",
    )["stat"]
    assert stat["checksum"] == hashlib.sha1(b"x").hexdigest()


def test_an_unknown_algorithm_is_refused(world):
    assert (
        "checksum_algorithm"
        in failed(world, "win_stat", path="C:\\", checksum_algorithm="crc")["msg"]
    )


def test_slurp_returns_base64_content(world):
    data = bytes(range(256))
    write(world, "C:\\bin.dat", data)
    result = ok(world, "ansible.windows.slurp", src="C:\\bin.dat")
    assert result["encoding"] == "base64"
    assert base64.b64decode(result["content"]) == data
    assert ok(world, "ansible.windows.slurp", path="C:\\bin.dat")["content"] == result["content"]


def test_slurp_of_a_directory_or_nothing_fails_as_slurp_ps1(world):
    real(world, "C:\\D").mkdir()
    assert failed(world, "ansible.windows.slurp", src="C:\\D")["msg"] == "Path C:\\D is a directory"
    assert failed(world, "ansible.windows.slurp", src="C:\\E")["msg"] == "Path C:\\E is not found"
