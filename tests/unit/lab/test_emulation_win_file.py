"""ansible.windows.win_file's emulation: directories, touch, absent, check mode, errors."""

import pytest
from win_support import failed, make_world, ok, real, write


@pytest.fixture
def world(tmp_path):
    return make_world(tmp_path)


def test_directory_is_created_with_its_parents_then_unchanged(world):
    assert ok(world, "win_file", path="C:\\Backups\\a\\b", state="directory")["changed"] is True
    assert real(world, "C:\\Backups\\a\\b").is_dir()
    assert ok(world, "win_file", path="C:\\backups\\A\\B", state="directory")["changed"] is False


def test_check_mode_reports_the_change_and_creates_nothing(world):
    result = ok(world, "win_file", path="C:\\New", state="directory", _ansible_check_mode=True)
    assert result["changed"] is True
    assert not real(world, "C:\\New").exists()


def test_touch_creates_an_empty_file_and_always_reports_a_change(world):
    real(world, "C:\\T").mkdir()
    assert ok(world, "win_file", path="C:\\T\\f.txt", state="touch")["changed"] is True
    assert real(world, "C:\\T\\f.txt").read_bytes() == b""
    assert ok(world, "win_file", path="C:\\T\\f.txt", state="touch")["changed"] is True


def test_touch_without_the_folder_fails(world):
    result = failed(world, "win_file", path="C:\\Missing\\f.txt", state="touch")
    assert "Could not find a part of the path" in result["msg"]


def test_absent_removes_a_tree_once(world):
    write(world, "C:\\Old\\x\\y.bin")
    assert ok(world, "win_file", path="C:\\Old", state="absent")["changed"] is True
    assert not real(world, "C:\\Old").exists()
    assert ok(world, "win_file", path="C:\\Old", state="absent")["changed"] is False


def test_absent_in_check_mode_keeps_the_file(world):
    path = write(world, "C:\\Keep\\f")
    result = ok(world, "win_file", path="C:\\Keep\\f", state="absent", _ansible_check_mode=True)
    assert result["changed"] is True
    assert path.exists()


def test_a_file_where_a_directory_is_wanted_fails_and_the_other_way_round(world):
    write(world, "C:\\F\\file")
    assert failed(world, "win_file", path="C:\\F\\file", state="directory")["msg"] == (
        "path C:\\F\\file is not a directory"
    )
    result = failed(world, "win_file", path="C:\\F", state="file")
    assert result["msg"] == "path C:\\F is not a file"


def test_state_file_never_creates(world):
    result = failed(world, "win_file", path="C:\\nothing.txt", state="file")
    assert result["msg"] == "path C:\\nothing.txt will not be created"
    write(world, "C:\\there.txt")
    assert ok(world, "win_file", path="C:\\there.txt", state="file")["changed"] is False


def test_aliases_dest_and_name_and_unc_paths(world):
    ok(world, "win_file", dest="\\\\FS01\\backups\\set1", state="directory")
    assert real(world, "C:\\Shares\\backups\\set1", node="FS01").is_dir()
    ok(world, "win_file", name="\\\\FS01\\backups\\set1", state="absent")
    assert not real(world, "C:\\Shares\\backups\\set1", node="FS01").exists()


def test_an_injected_failure_of_new_item_is_the_modules_failure(world):
    with world.transaction() as state:
        from wsfc_lab.world import faults

        faults.add_failure(state, "N1", "New-Item", 5, count=1)
    result = failed(world, "win_file", path="C:\\Denied", state="directory")
    assert result["error_code"] == 5
    assert not real(world, "C:\\Denied").exists()


def test_unknown_state_is_refused_by_the_spec(world):
    result = failed(world, "win_file", path="C:\\x", state="link")
    assert "value of state must be one of" in result["msg"]
