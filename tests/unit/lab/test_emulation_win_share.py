"""ansible.windows.win_share's emulation: the share table, permissions, idempotence."""

import pytest
from win_support import failed, make_world, ok, real, write
from wsfc_lab.world import WindowsError


@pytest.fixture
def world(tmp_path):
    lab = make_world(tmp_path)
    real(lab, "C:\\Backups").mkdir()
    return lab


def shares_of(world, host="N1"):
    with world.transaction() as state:
        return dict(state.shares.get(host, {}))


def test_a_new_share_resolves_and_a_second_run_changes_nothing(world):
    result = ok(world, "win_share", name="ClusterBackup", path="C:\\backups",
                full="Administrators", description="temporary")  # fmt: skip
    assert result["changed"] is True
    assert result["actions"][0] == "New-SmbShare -Name ClusterBackup -Path C:\\Backups"
    grant = (
        "Grant-SmbShareAccess -Force -Name ClusterBackup -AccountName BUILTIN\\Administrators"
        " -AccessRight Full"
    )
    assert grant in result["actions"]
    # New-SmbShare's Everyone read entry is revoked: full was the only right asked for.
    assert (
        "Revoke-SmbShareAccess -Force -Name ClusterBackup -AccountName Everyone"
        in (result["actions"])
    )
    record = shares_of(world)["clusterbackup"]
    assert record["permissions"] == [
        {"account": "BUILTIN\\Administrators", "right": "Full", "type": "Allow"}
    ]
    write(world, "C:\\Backups\\x.txt", b"seen")
    assert real(world, "\\\\N1\\clusterbackup\\x.txt", node="N2").read_bytes() == b"seen"
    again = ok(world, "win_share", name="ClusterBackup", path="C:\\Backups",
               full="Administrators", description="temporary")  # fmt: skip
    assert again == {**again, "changed": False, "actions": []}


def test_check_mode_creates_nothing(world):
    result = ok(world, "win_share", name="s", path="C:\\Backups", _ansible_check_mode=True)
    assert result["changed"] is True and result["actions"] == [
        "New-SmbShare -Name s -Path C:\\Backups"
    ]
    assert shares_of(world) == {}


def test_absent_removes_the_share_and_the_unc_path_stops_resolving(world):
    ok(world, "win_share", name="tmp", path="C:\\Backups")
    assert ok(world, "win_share", name="tmp", state="absent")["actions"] == [
        "Remove-SmbShare -Force -Name tmp"
    ]
    with pytest.raises(WindowsError) as error:
        real(world, "\\\\N1\\tmp\\x")
    assert error.value.code == 67  # ERROR_BAD_NET_NAME
    assert ok(world, "win_share", name="tmp", state="absent")["changed"] is False
    assert real(world, "C:\\Backups").is_dir()  # the folder stays


def test_rights_that_imply_others_and_rule_action_add(world):
    ok(world, "win_share", name="s", path="C:\\Backups", full="Administrators",
       change="Administrators,CORP\\Domain Admins", read="Everyone")  # fmt: skip
    permissions = {p["account"]: p["right"] for p in shares_of(world)["s"]["permissions"]}
    assert permissions == {
        "BUILTIN\\Administrators": "Full",
        "CORP\\Domain Admins": "Change",
        "Everyone": "Read",
    }
    added = ok(world, "win_share", name="s", path="C:\\Backups", rule_action="add",
               deny="Guest")  # fmt: skip
    assert added["actions"] == ["Block-SmbShareAccess -Force -Name s -AccountName N1\\Guest"]
    assert len(shares_of(world)["s"]["permissions"]) == 4


def test_settings_are_changed_one_cmdlet_each(world):
    ok(world, "win_share", name="s", path="C:\\Backups")
    result = ok(world, "win_share", name="s", path="C:\\Backups", caching_mode="None",
                list=True, encrypt=True)  # fmt: skip
    assert result["actions"] == [
        "Set-SmbShare -Force -Name s -FolderEnumerationMode Unrestricted",
        "Set-SmbShare -Force -Name s -CachingMode None",
        "Set-SmbShare -Force -Name s -EncryptData True",
    ]


def test_errors_name_the_problem(world):
    assert failed(world, "win_share", name="s", path="C:\\Missing")["msg"] == (
        "C:\\Missing directory does not exist on the host"
    )
    assert failed(world, "win_share", name="s", path="C:\\Backups", full="nobody")["msg"] == (
        "nobody is not a valid user or group on the host machine or domain"
    )
    assert (
        "value of caching_mode must be one of"
        in failed(world, "win_share", name="s", path="C:\\Backups", caching_mode="Always")["msg"]
    )


def test_an_account_given_as_a_sid_is_taken_as_convert_to_sid_takes_it(world):
    result = ok(world, "win_share", name="s", path="C:\\Backups", full="S-1-5-32-544")
    # NormalizeAccounts turns the SID into the account's name for the cmdlets.
    assert (
        "Grant-SmbShareAccess -Force -Name s -AccountName BUILTIN\\Administrators -AccessRight Full"
        in result["actions"]
    )
    assert shares_of(world)["s"]["permissions"] == [
        {"account": "BUILTIN\\Administrators", "right": "Full", "type": "Allow"}
    ]
    # A SID the lab has no account for is not guessed at.
    result = failed(world, "win_share", name="t", path="C:\\Backups", full="S-1-5-21-1-2-3-1001")
    assert "the lab does not emulate" in result["msg"]
