"""Backup path and quorum drive validation."""

from __future__ import annotations

import pytest
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._paths import (
    LOCAL,
    UNC,
    validate_backup_path,
    validate_quorum_drive,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._refusal import PolicyRefusal


def refusal_for(value: object) -> PolicyRefusal:
    with pytest.raises(PolicyRefusal) as caught:
        validate_backup_path(value)
    return caught.value


class TestAcceptedPaths:
    def test_local_path_is_split_into_drive_and_components(self) -> None:
        path = validate_backup_path(r"D:\Backups\cluster")
        assert path.kind == LOCAL
        assert path.path == r"D:\Backups\cluster"
        assert path.drive == "D:"
        assert path.components == ("Backups", "cluster")
        assert not path.is_unc

    def test_drive_letter_is_upper_cased(self) -> None:
        assert validate_backup_path(r"d:\backups").path == r"D:\backups"

    def test_one_trailing_backslash_is_dropped(self) -> None:
        assert validate_backup_path("D:\\Backups\\").path == r"D:\Backups"
        assert validate_backup_path("\\\\fs01\\share\\x\\").path == r"\\fs01\share\x"

    def test_drive_root_keeps_its_backslash(self) -> None:
        path = validate_backup_path("E:\\")
        assert path.path == "E:\\"
        assert path.components == ()

    def test_unc_path_names_server_and_share(self) -> None:
        path = validate_backup_path(r"\\fs01\clusterbackups\x")
        assert path.kind == UNC
        assert path.is_unc
        assert (path.server, path.share, path.components) == ("fs01", "clusterbackups", ("x",))
        assert path.drive is None

    def test_unc_share_root(self) -> None:
        path = validate_backup_path(r"\\fs01.corp.example\backups$")
        assert path.path == r"\\fs01.corp.example\backups$"
        assert path.components == ()

    def test_unc_with_ipv4_server(self) -> None:
        assert validate_backup_path(r"\\10.0.0.5\b").server == "10.0.0.5"

    def test_forward_slashes_are_normalised(self) -> None:
        assert validate_backup_path("D:/Backups/x/").path == r"D:\Backups\x"
        assert validate_backup_path("//fs01/share/x").path == r"\\fs01\share\x"

    @pytest.mark.parametrize(
        "value",
        [
            r"D:\O'Brien's backups",
            r"D:\a;b",
            r"D:\$(Remove-Item -Recurse x)",
            r"D:\tick`tock",
            r"D:\50% & more",
            r"D:\Sauvegardes\Grappe-été",
        ],
    )
    def test_shell_sensitive_characters_are_carried_as_data(self, value: str) -> None:
        # Legal in Windows names: the PowerShell side receives them as a parameter.
        assert validate_backup_path(value).path == value

    def test_child_joins_below_the_path(self) -> None:
        assert validate_backup_path("E:\\").child("set1") == r"E:\set1"
        assert validate_backup_path(r"\\fs\s\x").child("set1", "a.txt") == r"\\fs\s\x\set1\a.txt"

    def test_child_refuses_bad_names(self) -> None:
        with pytest.raises(PolicyRefusal):
            validate_backup_path(r"D:\x").child("a:b")
        with pytest.raises(PolicyRefusal):
            validate_backup_path(r"D:\x").child(r"a\b")


class TestRefusedPaths:
    @pytest.mark.parametrize("value", [None, ""])
    def test_empty(self, value: object) -> None:
        err = refusal_for(value)
        assert "empty" in err.problem
        assert "D:\\Backups" in err.fix

    def test_not_a_string(self) -> None:
        assert "must be a string" in refusal_for(5).problem

    @pytest.mark.parametrize("value", [r"backups\x", r".\backups", "backups"])
    def test_relative(self, value: str) -> None:
        err = refusal_for(value)
        assert "relative" in err.problem
        assert "absolute" in err.fix

    def test_root_relative_without_drive(self) -> None:
        assert "no drive letter" in refusal_for(r"\Backups").problem

    @pytest.mark.parametrize("value", ["C:", r"C:Backups"])
    def test_drive_without_backslash(self, value: str) -> None:
        err = refusal_for(value)
        assert "without a backslash" in err.problem
        assert "C:\\Backups" in err.fix

    @pytest.mark.parametrize("value", [r"1:\x", r"é:\x", r"::\x"])
    def test_bad_drive_letter(self, value: str) -> None:
        assert "not a drive" in refusal_for(value).problem

    @pytest.mark.parametrize("char", list('<>:"|?*'))
    def test_illegal_characters(self, char: str) -> None:
        err = refusal_for(f"D:\\Back{char}ups")
        assert repr(char) in err.problem
        assert repr(char) in err.fix

    @pytest.mark.parametrize("value", ["D:\\a\nb", "D:\\a\tb", "D:\\a\x00b", "D:\\a\x7fb"])
    def test_control_characters_are_refused_with_the_reason(self, value: str) -> None:
        err = refusal_for(value)
        assert "control character" in err.problem
        assert "does not allow" in err.problem

    @pytest.mark.parametrize("value", [r"D:\Backups \x", r"D:\Backups.\x", r"D:\Backups."])
    def test_trailing_space_or_dot_in_a_component(self, value: str) -> None:
        assert "ends with a space or a dot" in refusal_for(value).problem

    @pytest.mark.parametrize("value", [" D:\\Backups", "D:\\Backups "])
    def test_surrounding_white_space(self, value: str) -> None:
        assert "white space" in refusal_for(value).problem

    @pytest.mark.parametrize("value", [r"D:\x\..\y", r"D:\.\y"])
    def test_dot_components(self, value: str) -> None:
        assert "refers to another directory" in refusal_for(value).problem

    def test_doubled_backslash(self) -> None:
        assert "two backslashes" in refusal_for(r"D:\a\\b").problem

    @pytest.mark.parametrize("value", [r"\\fs01", "\\\\fs01\\", r"\\fs01\\share"])
    def test_unc_without_share(self, value: str) -> None:
        err = refusal_for(value)
        assert "no share" in err.problem
        assert r"\\fs01\<share>" in err.fix

    @pytest.mark.parametrize("value", ["\\\\", r"\\-bad-\s", r"\\fs_01\s", r"\\a b\s"])
    def test_unc_without_a_valid_server(self, value: str) -> None:
        assert "does not name a server" in refusal_for(value).problem

    def test_unc_share_with_illegal_characters(self) -> None:
        assert "cannot hold" in refusal_for(r"\\fs01\a+b\x").problem

    @pytest.mark.parametrize("value", [r"\\?\D:\Backups", r"\\.\PhysicalDrive0"])
    def test_device_and_extended_prefixes(self, value: str) -> None:
        assert "prefix" in refusal_for(value).problem

    @pytest.mark.parametrize(
        "value", [r"D:\CON", r"D:\x\nul", r"D:\NUL.txt", r"D:\com1", r"\\fs\s\LPT9", r"D:\aux .x"]
    )
    def test_reserved_device_names(self, value: str) -> None:
        assert "reserves for a device" in refusal_for(value).problem

    def test_names_close_to_device_names_are_fine(self) -> None:
        assert validate_backup_path(r"D:\CONSOLE\COM10\nullable").components == (
            "CONSOLE",
            "COM10",
            "nullable",
        )

    def test_component_too_long(self) -> None:
        assert "256 characters" in refusal_for("D:\\" + "a" * 256).problem

    def test_path_too_long(self) -> None:
        assert "characters long" in refusal_for("D:\\" + "\\".join(["a" * 200] * 170)).problem

    def test_option_name_appears_in_the_message(self) -> None:
        with pytest.raises(PolicyRefusal, match="dest"):
            validate_backup_path("x", option="dest")

    def test_message_holds_problem_and_fix(self) -> None:
        err = refusal_for("C:")
        assert str(err) == f"{err.problem} {err.fix}"


class TestQuorumDrive:
    @pytest.mark.parametrize(("value", "expected"), [("Q:", "Q:"), ("q:", "Q:"), ("a:", "A:")])
    def test_accepted_and_upper_cased(self, value: str, expected: str) -> None:
        assert validate_quorum_drive(value) == expected

    @pytest.mark.parametrize("value", [None, ""])
    def test_unset(self, value: object) -> None:
        assert validate_quorum_drive(value) is None

    @pytest.mark.parametrize("value", ["Q", "Q:\\", "QQ:", "1:", ":", " Q:", "é:", 5])
    def test_refused(self, value: object) -> None:
        with pytest.raises(PolicyRefusal) as caught:
            validate_quorum_drive(value)
        assert "Q:" in caught.value.fix


def test_a_refusal_quotes_the_path_as_typed_not_as_a_python_repr() -> None:
    with pytest.raises(PolicyRefusal) as refused:
        validate_backup_path("\\\\FS01", option="backup_path")
    # One backslash each, as the operator wrote \\FS01 (a repr would show \\\\FS01).
    assert "backup_path '\\\\FS01' does not name a server" in str(refused.value) or (
        "backup_path '\\\\FS01' names the server FS01 but no share" in str(refused.value)
    )
    assert "\\\\\\\\" not in str(refused.value)
    # A control character stays visible as the escape that made it.
    with pytest.raises(PolicyRefusal, match=r"control character '\\n'"):
        validate_backup_path("C:\\Back\nups", option="backup_path")
