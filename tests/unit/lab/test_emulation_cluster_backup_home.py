"""The lab's cluster_backup emulation creating the folder that holds the sets: an ACL of
its own for the accounts the controller names, as New-WsfcProtectedDirectory builds it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from wsfc_lab.emulation import lookup
from wsfc_lab.emulation.framework.invocation import invoke
from wsfc_lab.emulation.modules._windows_security import IDENTITY_NOT_MAPPED
from wsfc_lab.spec import load_spec
from wsfc_lab.world import World, acl

ROOT = Path(__file__).resolve().parents[3]
THREE_NODE = ROOT / "tests" / "lab" / "examples" / "three-node.yml"
HOME = "\\\\FS01\\clusterbackups\\CLU01\\pre_restore"
WRITERS = ["CORP\\NODE1$", "CORP\\NODE2$", "CORP\\NODE3$"]


@pytest.fixture
def world(tmp_path: Path) -> World:
    return World.create(tmp_path / "lab", load_spec(THREE_NODE))


def back_up(world: World, path: str, **extra: Any) -> dict[str, Any]:
    staging = "unfinished_20261122T020304Z_clusterdb_e1s1"
    arguments = {
        "path": path,
        "_phase": "backup",
        "route": "vss",
        "_staging_name": staging,
        "_wbadmin_target": path + "\\" + staging,
        **extra,
    }
    return invoke(
        lookup("wsfc.clusterdb.cluster_backup"), arguments, world=world, node="NODE1"
    ).result


def test_a_new_home_gets_an_acl_of_its_own_and_wbadmin_writes_into_it(world: World) -> None:
    result = back_up(world, HOME, _home_writers=WRITERS)
    assert not result.get("failed"), result
    assert result["home_created"] is True and result["route_exit_code"] == 0
    with world.transaction() as state:
        record = acl.get_acl(state, "NODE1", HOME)
        parent = acl.get_acl(state, "NODE1", "\\\\FS01\\clusterbackups\\CLU01")
    assert record is not None and record["protected"] is True
    assert [(e["principal"], e["access"]) for e in record["entries"]] == [
        ("BUILTIN\\Administrators", "full"),
        ("NT AUTHORITY\\SYSTEM", "full"),
        ("CORP\\NODE1$", "modify"),
        ("CORP\\NODE2$", "modify"),
        ("CORP\\NODE3$", "modify"),
    ]
    assert parent is None  # the parent was created plainly, with nothing of its own
    # Nobody else may read it: an ordinary domain account is refused.
    with world.transaction() as state, pytest.raises(Exception, match="denied"):
        acl.check_path_access(state, "NODE1", HOME, "CORP\\alice", "read")


def test_an_existing_home_keeps_its_acl(world: World) -> None:
    world.resolve_path("FS01", "C:\\Shares\\clusterbackups\\CLU01\\pre_restore").mkdir(parents=True)
    result = back_up(world, HOME, _home_writers=WRITERS)
    assert result["home_created"] is False and result["route_exit_code"] == 0
    with world.transaction() as state:
        assert acl.get_acl(state, "NODE1", HOME) is None


def test_without_writers_the_new_home_is_created_plainly(world: World) -> None:
    result = back_up(world, HOME)
    assert result["home_created"] is False and result["route_exit_code"] == 0
    with world.transaction() as state:
        assert acl.get_acl(state, "NODE1", HOME) is None


def test_an_account_that_does_not_resolve_fails_before_anything_is_written(world: World) -> None:
    result = back_up(world, HOME, _home_writers=["NOSUCH\\NODE9$"])
    assert result["failed"] is True
    assert IDENTITY_NOT_MAPPED in result["msg"]
    assert "Failed to create the backup path" in result["msg"]
    assert not world.resolve_path("NODE1", HOME).exists()
