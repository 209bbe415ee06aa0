"""The backup_folders emulation (port of backup_folders.ps1): folders made, rules added or
removed as win_acl would, inheritance off, and nothing written when a folder or an account
is wrong."""

from __future__ import annotations

from typing import Any

import pytest
from win_support import failed, make_world, ok, real, write
from wsfc_lab.world import World, acl

MODULE = "wsfc.clusterdb.backup_folders"
PRIMARY = "\\\\FS01\\backups\\CLU91"
LOCAL = "C:\\Copies\\CLU91"
ADMINS = {"account": "BUILTIN\\Administrators", "rights": "FullControl"}
SYSTEM = {"account": "NT AUTHORITY\\SYSTEM", "rights": "FullControl"}
NODE1 = {"account": "CORP\\N1$", "rights": "Modify"}
FULL = 0x1F01FF
MODIFY_AND_SYNCHRONIZE = 0x301BF | 0x100000


@pytest.fixture
def world(tmp_path) -> World:
    lab = make_world(tmp_path)
    with lab.transaction() as state:
        state.extension("accounts")["CORP\\svc-backup"] = ["Domain Users"]
    return lab


def folders(world: World, spec: list[dict[str, Any]], check: bool = False) -> dict[str, Any]:
    extra = {"_ansible_check_mode": True} if check else {}
    return ok(world, MODULE, folders=spec, **extra)


def acl_of(world: World, path: str) -> dict[str, Any] | None:
    with world.transaction() as state:
        return acl.get_acl(state, "N1", path)


def rules(world: World, path: str) -> set[tuple[str, int]]:
    record = acl_of(world, path) or {}
    return {(e["principal"], acl.entry_mask(e)) for e in record.get("entries", [])}


def test_new_folders_get_only_their_rules_with_nothing_inherited(world: World) -> None:
    spec = [
        {"path": PRIMARY, "access": [ADMINS, SYSTEM, NODE1]},
        {"path": LOCAL, "access": [ADMINS, SYSTEM]},
    ]
    result = folders(world, spec)

    assert result["changed"] is True
    assert [f["created"] for f in result["folders"]] == [True, True]
    assert result["folders"][0]["rules_added"] == [
        "BUILTIN\\Administrators: FullControl",
        "NT AUTHORITY\\SYSTEM: FullControl",
        "CORP\\N1$: Modify",
    ]
    assert real(world, PRIMARY).is_dir() and real(world, LOCAL).is_dir()
    assert acl_of(world, PRIMARY)["protected"] is True
    assert rules(world, PRIMARY) == {
        ("BUILTIN\\Administrators", FULL),
        ("NT AUTHORITY\\SYSTEM", FULL),
        ("CORP\\N1$", MODIFY_AND_SYNCHRONIZE),
    }
    assert rules(world, LOCAL) == {
        ("BUILTIN\\Administrators", FULL),
        ("NT AUTHORITY\\SYSTEM", FULL),
    }
    # Only those: a domain user is refused in the folder, inherited rules no longer apply.
    with pytest.raises(Exception, match="denied"):
        world.check_access("N1", LOCAL + "\\x.bin", "CORP\\svc-backup", "read")


def test_a_second_run_changes_nothing(world: World) -> None:
    spec = [{"path": PRIMARY, "access": [ADMINS, SYSTEM, NODE1]}]
    folders(world, spec)
    again = folders(world, spec)
    assert again["changed"] is False
    assert again["folders"][0] == {
        "path": PRIMARY,
        "created": False,
        "protected_before": True,
        "rules_added": [],
        "rules_removed": [],
        "changed": False,
    }


def test_absent_takes_the_nodes_rule_away_and_leaves_the_rest(world: World) -> None:
    folders(world, [{"path": PRIMARY, "access": [ADMINS, SYSTEM, NODE1]}])
    result = folders(
        world, [{"path": PRIMARY, "access": [ADMINS, SYSTEM, dict(NODE1, state="absent")]}]
    )
    assert result["changed"] is True
    assert result["folders"][0]["rules_removed"] == ["CORP\\N1$: Modify"]
    assert rules(world, PRIMARY) == {
        ("BUILTIN\\Administrators", FULL),
        ("NT AUTHORITY\\SYSTEM", FULL),
    }
    assert (
        folders(world, [{"path": PRIMARY, "access": [dict(NODE1, state="absent")]}])["changed"]
        is False
    )


def test_an_existing_folder_keeps_the_rules_the_task_does_not_name(world: World) -> None:
    real(world, LOCAL).mkdir(parents=True)
    ok(world, "win_acl", path=LOCAL, user="svc-backup", rights="Read", type="allow")
    result = folders(world, [{"path": LOCAL, "access": [ADMINS, SYSTEM]}])
    assert result["folders"][0]["created"] is False
    assert result["folders"][0]["protected_before"] is False
    assert ("CORP\\svc-backup", 0x20089 | 0x100000) in rules(world, LOCAL)
    assert acl_of(world, LOCAL)["protected"] is True


def test_check_mode_reports_and_writes_nothing(world: World) -> None:
    result = folders(world, [{"path": PRIMARY, "access": [ADMINS, SYSTEM]}], check=True)
    assert result["changed"] is True
    assert result["folders"][0]["created"] is True
    assert result["folders"][0]["rules_added"] == [
        "BUILTIN\\Administrators: FullControl",
        "NT AUTHORITY\\SYSTEM: FullControl",
    ]
    assert not real(world, PRIMARY).exists()
    assert acl_of(world, PRIMARY) is None


def test_a_file_where_a_folder_is_to_be_fails_with_267_before_anything_is_made(
    world: World,
) -> None:
    write(world, "C:\\Copies")  # the location of the second folder is a file
    result = failed(
        world,
        MODULE,
        folders=[{"path": PRIMARY, "access": [ADMINS]}, {"path": LOCAL, "access": [ADMINS]}],
    )
    assert result["error_code"] == 267
    assert result["not_directories"] == ["C:\\Copies"]
    assert result["folders"] == []
    # The first folder, which could have been made, was not.
    assert not real(world, PRIMARY).exists()


def test_an_account_that_does_not_resolve_fails_with_1332_before_anything_is_made(
    world: World,
) -> None:
    result = failed(
        world,
        MODULE,
        folders=[
            {"path": PRIMARY, "access": [ADMINS, {"account": "CORP\\ghost$", "rights": "Modify"}]}
        ],
    )
    assert result["error_code"] == 1332
    assert result["unresolved_accounts"] == ["CORP\\ghost$"]
    assert not real(world, PRIMARY).exists()


def test_rights_outside_the_choices_fail_as_ansible_basic_does(world: World) -> None:
    result = failed(
        world,
        MODULE,
        folders=[{"path": PRIMARY, "access": [{"account": "Users", "rights": "Read"}]}],
    )
    assert "rights" in result["msg"] and "FullControl" in result["msg"]


def test_administrators_and_system_named_by_sid_are_the_same_rules_as_by_name(
    world: World,
) -> None:
    by_sid = [
        {"account": "S-1-5-32-544", "rights": "FullControl"},
        {"account": "S-1-5-18", "rights": "FullControl"},
    ]
    first = folders(world, [{"path": PRIMARY, "access": [*by_sid, NODE1]}])
    assert first["folders"][0]["rules_added"] == [
        "S-1-5-32-544: FullControl",
        "S-1-5-18: FullControl",
        "CORP\\N1$: Modify",
    ]
    # Read back, the ACL names the accounts (GetAccessControl translates the SIDs).
    assert rules(world, PRIMARY) == {
        ("BUILTIN\\Administrators", FULL),
        ("NT AUTHORITY\\SYSTEM", FULL),
        ("CORP\\N1$", MODIFY_AND_SYNCHRONIZE),
    }
    # The rules named by name are the very ones the SIDs made.
    again = folders(world, [{"path": PRIMARY, "access": [ADMINS, SYSTEM, NODE1]}])
    assert again["changed"] is False


def test_a_sid_string_that_is_not_well_formed_fails_with_1332_before_anything_is_made(
    world: World,
) -> None:
    result = failed(
        world,
        MODULE,
        folders=[{"path": PRIMARY, "access": [{"account": "S-1-5-32-x", "rights": "Modify"}]}],
    )
    assert result["error_code"] == 1332
    assert result["unresolved_accounts"] == ["S-1-5-32-x"]
    assert not real(world, PRIMARY).exists()


def test_a_sid_the_lab_has_no_account_for_fails_loudly(world: World) -> None:
    result = failed(
        world,
        MODULE,
        folders=[
            {"path": PRIMARY, "access": [{"account": "S-1-5-21-1-2-3-1001", "rights": "Modify"}]}
        ],
    )
    assert "the lab does not emulate" in result["msg"] and "S-1-5-21-1-2-3-1001" in result["msg"]
    assert not real(world, PRIMARY).exists()
