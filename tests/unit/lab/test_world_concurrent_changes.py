"""The lab hook that changes the configuration while a Windows operation runs
(world/concurrent_changes.py), seen through the lab's wbadmin."""

from pathlib import Path

import pytest
from wsfc_lab.spec import load_spec
from wsfc_lab.world import ConfigChange, PaxosTag, World
from wsfc_lab.world.backup_media import read_vss_catalog, read_vss_snapshot
from wsfc_lab.world.concurrent_changes import applied, is_planned, plan_changes_during
from wsfc_lab.world.wbadmin import BACKUP_OPERATION, run_wbadmin

ROOT = Path(__file__).resolve().parents[3]
THREE_NODE = ROOT / "tests" / "lab" / "examples" / "three-node.yml"
TARGET = "\\\\FS01\\clusterbackups"
MOVE = ConfigChange("group", "set", "FileServer-01", {"owner_node": "NODE2"})
BACK = ConfigChange("group", "set", "FileServer-01", {"owner_node": "NODE1"})


@pytest.fixture
def world(tmp_path):
    return World.create(tmp_path / "lab", load_spec(THREE_NODE))


def backup(world):
    arguments = ["start", "systemstatebackup", f"-backupTarget:{TARGET}", "-quiet"]
    output = run_wbadmin(world, "NODE1", "Administrator", arguments)
    assert output.exit_code == 0, output.text
    (version,) = read_vss_catalog(world, "NODE1", TARGET)
    return read_vss_snapshot(world, "NODE1", TARGET, version.version_id)


def cluster_tag(world):
    return world.read().cluster.tag


def sequence(tag):
    return PaxosTag.parse(tag).sequence


def test_changes_planned_for_the_backup_land_while_it_runs(world):
    before = cluster_tag(world)
    with world.transaction() as state:
        plan_changes_during(state, BACKUP_OPERATION, [MOVE, BACK])
    snapshot = backup(world)
    after = cluster_tag(world)
    # The shadow copy was taken before the changes: the set holds the version before.
    assert snapshot.paxos_tag == before
    assert sequence(after) == sequence(before) + 2
    state = world.read()
    assert applied(state) == [{"operation": BACKUP_OPERATION.lower(), "tags": [
        f"{before.rsplit(':', 1)[0]}:{sequence(before) + 1}", after]}]  # fmt: skip
    # Every member took the changes, as with any change.
    assert {state.cluster.paxos_tag(n) for n in state.node_names()} == {after}


def test_the_plan_is_used_up_by_one_run(world):
    with world.transaction() as state:
        plan_changes_during(state, BACKUP_OPERATION, [MOVE])
    backup(world)
    moved = cluster_tag(world)
    assert not is_planned(world.read(), BACKUP_OPERATION)
    backup(world)
    assert cluster_tag(world) == moved


def test_without_a_plan_a_backup_changes_nothing(world):
    before = cluster_tag(world)
    backup(world)
    assert cluster_tag(world) == before
    assert applied(world.read()) == []


def test_a_plan_for_another_operation_does_not_touch_the_backup(world):
    before = cluster_tag(world)
    with world.transaction() as state:
        plan_changes_during(state, "wbadmin start recovery", [MOVE])
    backup(world)
    assert cluster_tag(world) == before
    assert is_planned(world.read(), "wbadmin start recovery")


def test_an_empty_plan_is_refused(world):
    with world.transaction() as state, pytest.raises(ValueError):
        plan_changes_during(state, BACKUP_OPERATION, [])
