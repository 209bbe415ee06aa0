"""ansible.windows.win_copy's emulation: remote copies, query, single and explode modes."""

import base64
import hashlib
import io
import zipfile

import pytest
from win_support import failed, make_world, ok, real, write
from wsfc_lab.world import faults


@pytest.fixture
def world(tmp_path):
    return make_world(tmp_path)


def remote(world, src, dest, **extra):
    return ok(world, "win_copy", src=src, dest=dest, _copy_mode="remote", remote_src=True, **extra)


def test_a_file_into_a_folder_path_ending_in_a_separator(world):
    write(world, "C:\\Backups\\db.vhdx", b"abc")
    result = remote(world, "C:\\Backups\\db.vhdx", "\\\\FS01\\backups\\set1\\")
    assert result["changed"] is True
    assert result["operation"] == "file_copy"
    assert result["dest"] == "\\\\FS01\\backups\\set1\\db.vhdx"
    assert result["original_basename"] == "db.vhdx"
    assert result["checksum"] == hashlib.sha1(b"abc").hexdigest()
    assert result["size"] == 3
    copied = real(world, "C:\\Shares\\backups\\set1\\db.vhdx", node="FS01")
    assert copied.read_bytes() == b"abc"
    # The same bytes again: nothing to do.
    assert remote(world, "C:\\Backups\\db.vhdx", "\\\\FS01\\backups\\set1\\")["changed"] is False


def test_a_changed_file_is_replaced_unless_force_is_false(world):
    write(world, "C:\\a.txt", b"new")
    write(world, "C:\\b.txt", b"old")
    assert remote(world, "C:\\a.txt", "C:\\b.txt", force=False)["changed"] is False
    assert real(world, "C:\\b.txt").read_bytes() == b"old"
    result = remote(world, "C:\\a.txt", "C:\\b.txt", _ansible_diff=True)
    assert result["changed"] is True
    assert result["diff"]["prepared"] == "-C:\\b.txt\n+C:\\b.txt\n"
    assert real(world, "C:\\b.txt").read_bytes() == b"new"


def test_a_file_to_a_missing_folder_without_separator_fails(world):
    write(world, "C:\\a.txt")
    result = failed(world, "win_copy", src="C:\\a.txt", dest="C:\\No\\b.txt", _copy_mode="remote")
    assert result["msg"] == "Destination directory 'C:\\No' does not exist"


def test_a_folder_goes_under_dest_and_its_contents_with_a_trailing_separator(world):
    write(world, "C:\\Set\\a.bin", b"1")
    write(world, "C:\\Set\\sub\\b.bin", b"22")
    result = remote(world, "C:\\Set", "C:\\Copy1")
    assert result["operation"] == "folder_copy" and result["dest"] == "C:\\Copy1\\Set"
    assert result["size"] == 3
    assert real(world, "C:\\Copy1\\Set\\sub\\b.bin").read_bytes() == b"22"
    remote(world, "C:\\Set\\", "C:\\Copy2")
    assert real(world, "C:\\Copy2\\a.bin").read_bytes() == b"1"
    assert real(world, "C:\\Copy2\\sub\\b.bin").exists()
    assert remote(world, "C:\\Set", "C:\\Copy1")["changed"] is False


def test_check_mode_changes_nothing_and_reports_the_change(world):
    write(world, "C:\\Set\\a.bin")
    result = remote(world, "C:\\Set", "C:\\Copy", _ansible_check_mode=True)
    assert result["changed"] is True and result["size"] is None
    assert not real(world, "C:\\Copy").exists()


def test_a_missing_source_fails(world):
    result = failed(world, "win_copy", src="C:\\none", dest="C:\\x", _copy_mode="remote")
    assert result["msg"] == "Cannot copy src file: 'C:\\none' as it does not exist"


def test_disk_full_on_the_share_fails_the_copy(world):
    write(world, "C:\\big.bin", b"x" * 100)
    with world.transaction() as state:
        faults.add_disk_full(state, "FS01", "C:\\Shares\\backups", budget=10)
    result = failed(world, "win_copy", src="C:\\big.bin", dest="\\\\FS01\\backups\\",
                    _copy_mode="remote")  # fmt: skip
    assert result["error_code"] == 112


def test_backup_is_not_emulated_and_says_so(world):
    write(world, "C:\\a.txt", b"1")
    write(world, "C:\\b.txt", b"2")
    result = failed(world, "win_copy", src="C:\\a.txt", dest="C:\\b.txt", _copy_mode="remote",
                    backup=True)  # fmt: skip
    assert result["msg"] == "the lab does not emulate win_copy with backup: true"


def test_query_lists_what_the_controller_must_send(world):
    write(world, "C:\\Dest\\same.txt", b"same")
    files = [
        {"src": "/ctl/same.txt", "dest": "same.txt", "checksum": hashlib.sha1(b"same").hexdigest()},
        {"src": "/ctl/new.txt", "dest": "new.txt", "checksum": "0" * 40},
    ]
    directories = [{"src": "/ctl/d", "dest": "d"}]
    result = ok(world, "win_copy", dest="C:\\Dest", _copy_mode="query", files=files,
                directories=directories, symlinks=[])  # fmt: skip
    assert [f["dest"] for f in result["files"]] == ["new.txt"]
    assert result["directories"] == directories and result["symlinks"] == []


def test_single_moves_the_uploaded_file_into_a_folder(world):
    write(world, "C:\\Users\\Administrator\\AppData\\Local\\Temp\\t\\source", b"payload")
    real(world, "C:\\Dest").mkdir()
    ok(world, "win_copy", src="C:\\Users\\Administrator\\AppData\\Local\\Temp\\t\\source",
       dest="C:\\Dest", _copy_mode="single", _original_basename="report.json")  # fmt: skip
    assert real(world, "C:\\Dest\\report.json").read_bytes() == b"payload"


def test_explode_unpacks_the_actions_zip(world):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(base64.b64encode(b"sub").decode() + "/", b"")
        archive.writestr(base64.b64encode(b"sub/one.txt").decode(), b"1")
        archive.writestr(base64.b64encode(b"two.txt").decode(), b"22")
    write(world, "C:\\Temp\\source.zip", buffer.getvalue())
    ok(world, "win_copy", src="C:\\Temp\\source.zip", dest="C:\\Out\\", _copy_mode="explode")
    assert real(world, "C:\\Out\\sub\\one.txt").read_bytes() == b"1"
    assert real(world, "C:\\Out\\two.txt").read_bytes() == b"22"
