"""win_acl and win_acl_inheritance emulations, and the world enforcing what they set."""

import pytest
from win_support import failed, make_world, ok, real, run, write
from wsfc_lab.world import acl

BACKUPS = "C:\\Backups"


@pytest.fixture
def world(tmp_path):
    lab = make_world(tmp_path)
    real(lab, BACKUPS).mkdir()
    with lab.transaction() as state:
        state.extension("accounts")["CORP\\svc-backup"] = ["Domain Users"]
    return lab


def allowed(world, user, right, path=BACKUPS + "\\new.bin", node="N1"):
    try:
        world.check_access(node, path, user, right)
    except Exception as error:
        assert getattr(error, "code", None) == 5, error
        return False
    return True


def test_a_rule_is_added_once_and_removed_once(world):
    args = dict(path=BACKUPS, user="svc-backup", rights="Modify", type="allow")
    assert ok(world, "win_acl", **args)["changed"] is True
    assert ok(world, "win_acl", **args)["changed"] is False
    with world.transaction() as state:
        entries = acl.get_acl(state, "N1", BACKUPS)["entries"]
    assert entries == [
        {
            "principal": "CORP\\svc-backup",
            "access": "modify",
            "type": "allow",
            # Modify | Synchronize: .NET adds Synchronize to allow rules.
            "rights": 0x301BF | 0x100000,
            "inherit": "ContainerInherit, ObjectInherit",
            "propagation": "None",
        }
    ]
    assert ok(world, "win_acl", **args, state="absent")["changed"] is True
    assert ok(world, "win_acl", **args, state="absent")["changed"] is False


def test_win_acl_is_skipped_in_check_mode_as_a_module_without_it(world):
    result = ok(world, "win_acl", path=BACKUPS, user="Administrators", rights="Read",
                type="allow", _ansible_check_mode=True)  # fmt: skip
    assert result["skipped"] is True


def test_bad_input_fails_as_win_acl_ps1(world):
    missing = failed(world, "win_acl", path="C:\\none", user="Administrators", rights="Read",
                     type="allow")  # fmt: skip
    assert missing["msg"] == "C:\\none file or directory does not exist on the host"
    assert failed(world, "win_acl", path=BACKUPS, user="ghost", rights="Read",
                  type="allow")["msg"] == (
        "ghost is not a valid user or group on the host machine or domain"
    )  # fmt: skip
    bad = failed(world, "win_acl", path=BACKUPS, user="Users", rights="Everything", type="allow")
    assert bad["msg"].startswith(
        "an error occurred when attempting to present Everything permission(s) on C:\\Backups"
    )
    registry = failed(world, "win_acl", path="HKLM:\\Software", user="Users", rights="Read",
                      type="allow")  # fmt: skip
    assert registry["msg"].startswith("the lab does not emulate win_acl with")


def test_adding_a_rule_keeps_the_inherited_administrators_access(world):
    ok(world, "win_acl", path=BACKUPS, user="svc-backup", rights="Read", type="allow")
    assert allowed(world, "Administrator", "write")
    assert allowed(world, "CORP\\svc-backup", "read")


def test_a_deny_rule_refuses_the_write_with_access_denied(world):
    ok(world, "win_acl", path=BACKUPS, user="svc-backup", rights="Write", type="deny")
    assert not allowed(world, "CORP\\svc-backup", "write")
    assert allowed(world, "CORP\\svc-backup", "read")
    # win_copy as that user is refused by the world.
    write(world, "C:\\src.bin", b"x")
    outcome = run(world, "win_copy", as_user="CORP\\svc-backup", src="C:\\src.bin",
                  dest=BACKUPS + "\\", _copy_mode="remote")  # fmt: skip
    assert outcome.exit_code == 1 and outcome.result["error_code"] == 5
    assert not real(world, BACKUPS + "\\src.bin").exists()


def test_protecting_without_reorganize_leaves_only_the_explicit_rules(world):
    ok(world, "win_acl", path=BACKUPS, user="svc-backup", rights="FullControl", type="allow")
    result = ok(world, "win_acl_inheritance", path=BACKUPS, state="absent", _ansible_diff=True)
    assert result["changed"] is True
    assert result["diff"] == {"before": {"state": "present"}, "after": {"state": "absent"}}
    assert ok(world, "win_acl_inheritance", path=BACKUPS, state="absent")["changed"] is False
    assert allowed(world, "CORP\\svc-backup", "write")
    assert not allowed(world, "Administrator", "write")
    # Below the protected folder too, unless a subfolder says otherwise.
    assert not allowed(world, "Administrator", "read", BACKUPS + "\\set\\db.vhdx")


def test_protecting_with_reorganize_keeps_the_inherited_rules_as_explicit(world):
    ok(world, "win_acl_inheritance", path=BACKUPS, state="absent", reorganize=True)
    assert allowed(world, "Administrator", "write")
    ok(world, "win_acl", path=BACKUPS, user="Users", rights="ReadAndExecute", type="allow",
       state="absent")  # fmt: skip
    assert ok(world, "win_acl", path=BACKUPS, user="svc-backup", rights="Read", type="allow")
    assert allowed(world, "CORP\\svc-backup", "read")


def test_inheritance_back_on_with_reorganize_drops_duplicates(world):
    ok(world, "win_acl_inheritance", path=BACKUPS, state="absent", reorganize=True)
    with world.transaction() as state:
        copied = len(acl.get_acl(state, "N1", BACKUPS)["entries"])
    assert copied > 0
    check = ok(world, "win_acl_inheritance", path=BACKUPS, state="present", reorganize=True,
               _ansible_check_mode=True)  # fmt: skip
    assert check["changed"] is True
    with world.transaction() as state:
        assert acl.get_acl(state, "N1", BACKUPS)["protected"] is True  # check mode
    ok(world, "win_acl_inheritance", path=BACKUPS, state="present", reorganize=True)
    with world.transaction() as state:
        record = acl.get_acl(state, "N1", BACKUPS)
    assert record["entries"] == [] and not record.get("protected")


def test_share_permissions_apply_to_unc_writes(world):
    ok(world, "win_share", name="cb", path=BACKUPS, read="Everyone")
    assert allowed(world, "Administrator", "read", "\\\\N1\\cb\\x", node="N2")
    assert not allowed(world, "Administrator", "write", "\\\\N1\\cb\\x", node="N2")
    assert allowed(world, "Administrator", "write", BACKUPS + "\\x")  # locally: the ACL only
    ok(world, "win_share", name="cb", path=BACKUPS, change="Everyone")
    assert allowed(world, "Administrator", "write", "\\\\N1\\cb\\x", node="N2")


def test_the_backup_emulations_set_acl_rule_still_holds(world):
    # An ACL set by set_acl alone (no volume defaults) lets only its entries in.
    with world.transaction() as state:
        acl.set_acl(state, "N1", BACKUPS, [{"principal": "CORP\\svc-backup", "access": "modify"}])
    assert allowed(world, "CORP\\svc-backup", "write")
    assert not allowed(world, "Administrator", "write")


def test_the_stat_owner_comes_from_the_acl(world):
    assert ok(world, "win_stat", path=BACKUPS)["stat"]["owner"] == "BUILTIN\\Administrators"
    with world.transaction() as state:
        acl.set_acl(state, "N1", BACKUPS, [], owner="CORP\\svc-backup")
    assert ok(world, "win_stat", path=BACKUPS)["stat"]["owner"] == "CORP\\svc-backup"
