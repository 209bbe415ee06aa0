"""The lab's wbadmin (world/wbadmin.py): its effects, and its text as the collection's parser
(plugins/plugin_utils/_wbadmin.py) reads it."""

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._wbadmin import (
    parse_get_items_applications,
    parse_get_versions,
    parse_run_output,
    version_created_since,
)
from wsfc_lab.spec import load_spec, parse_spec
from wsfc_lab.world import World, acl, faults
from wsfc_lab.world.backup_media import read_vss_catalog
from wsfc_lab.world.wbadmin import run_wbadmin

ROOT = Path(__file__).resolve().parents[3]
THREE_NODE = ROOT / "tests" / "lab" / "examples" / "three-node.yml"
TARGET = "\\\\FS01\\clusterbackups"


@pytest.fixture
def world(tmp_path):
    return World.create(tmp_path / "lab", load_spec(THREE_NODE))


def wbadmin(world, *arguments, node="NODE1", user="Administrator"):
    output = run_wbadmin(world, node, user, list(arguments))
    return output, parse_run_output(output.text, "", output.exit_code)


def backup(world, target=TARGET, node="NODE1", user="Administrator"):
    args = ("start", "systemstatebackup", f"-backupTarget:{target}", "-quiet")
    return wbadmin(world, *args, node=node, user=user)


def test_a_backup_succeeds_and_get_versions_lists_it(world):
    started = datetime.now(UTC)
    output, run = backup(world)
    assert output.exit_code == 0 and run.succeeded, output.text
    assert run.error_text is None and run.log_files
    listing = run_wbadmin(
        world, "NODE1", "Administrator", ["get", "versions", f"-backupTarget:{TARGET}"]
    )
    versions = parse_get_versions(listing.text)
    (catalog,) = read_vss_catalog(world, "NODE1", TARGET)
    assert [v.version_id for v in versions] == [catalog.version_id]
    assert "Application(s)" in versions[0].can_recover
    assert versions[0].snapshot_id == catalog.snapshot_id
    assert version_created_since(versions, started) == versions[0]


def test_get_versions_without_a_target_lists_the_nodes_own_backups(world):
    backup(world)
    own = parse_get_versions(run_wbadmin(world, "NODE1", "Administrator", ["get", "versions"]).text)
    other = parse_get_versions(
        run_wbadmin(world, "NODE2", "Administrator", ["get", "versions"]).text
    )
    assert len(own) == 1 and other == ()


def test_get_items_lists_the_cluster_application(world):
    backup(world)
    (version,) = read_vss_catalog(world, "NODE1", TARGET)
    arguments = ["get", "items", f"-version:{version.version_id}", f"-backupTarget:{TARGET}"]
    items = run_wbadmin(world, "NODE1", "Administrator", arguments)
    assert "Cluster" in parse_get_items_applications(items.text)


def test_a_full_disk_is_read_as_112(world):
    with world.transaction() as state:
        faults.add_disk_full(state, "FS01", "C:\\Shares\\clusterbackups", 10_000)
    _output, run = backup(world)
    assert not run.succeeded and run.win32_code == 112
    assert read_vss_catalog(world, "NODE1", TARGET) == []


def test_an_injected_failure_is_read_with_its_code(world):
    with world.transaction() as state:
        faults.add_failure(state, "NODE1", "wbadmin start systemstatebackup", 1722, count=1)
    _output, run = backup(world)
    assert not run.succeeded and run.win32_code == 1722
    _output, again = backup(world)
    assert again.succeeded


def test_a_share_the_computer_account_may_not_write_is_access_denied(world):
    with world.transaction() as state:
        acl.set_acl(state, "FS01", "C:\\Shares\\clusterbackups", [
            {"principal": "Administrator", "access": "modify"},
            {"principal": "Everyone", "access": "read"},
        ])  # fmt: skip
    _output, run = backup(world)
    assert run.win32_code == 5


def test_a_missing_share_is_reported(world):
    _output, run = backup(world, target="\\\\FS01\\nosuchshare")
    assert not run.succeeded and run.win32_code == 67


def test_a_node_without_quorum_cannot_back_up(world):
    with world.transaction() as state:
        state.cluster.stop_service("NODE2", check_quorum=False)
        state.cluster.stop_service("NODE3", check_quorum=False)
        state.witness["online"] = False
        state.cluster.reconcile()
    _output, run = backup(world)
    assert not run.succeeded and run.win32_code == 5925


def test_a_node_whose_cluster_service_is_stopped_cannot_back_up(world):
    with world.transaction() as state:
        state.cluster.stop_service("NODE1", check_quorum=False)
    _output, run = backup(world)
    assert not run.succeeded and run.win32_code == 1062


def test_a_second_backup_while_one_runs_fails_with_5949(world):
    with world.transaction() as state:
        state.latencies["backup"] = 1.5
    first: dict = {}
    thread = threading.Thread(target=lambda: first.update(run=backup(world)[1]))
    thread.start()
    try:
        deadline = datetime.now(UTC).timestamp() + 5
        while not world.peek().get("extensions", {}).get("wbadmin", {}).get("running"):
            assert datetime.now(UTC).timestamp() < deadline
        _output, second = backup(world, node="NODE2")
    finally:
        thread.join()
    assert not second.succeeded and second.win32_code == 5949
    assert first["run"].succeeded
    assert not world.peek()["extensions"]["wbadmin"].get("running")


def test_without_the_feature_wbadmin_is_not_there(tmp_path):
    spec = parse_spec({
        "cluster": "c", "network": "127.0.74.0", "witness": {"type": "none"},
        "nodes": [{"name": "N1", "release": "2022", "windows_server_backup": False}],
    })  # fmt: skip
    world = World.create(tmp_path / "lab", spec)
    output, run = wbadmin(world, "get", "versions", node="N1")
    assert output.exit_code != 0 and run.feature_missing


def test_a_unc_target_needs_2008_r2(tmp_path):
    spec = parse_spec({
        "cluster": "c", "network": "127.0.74.0", "witness": {"type": "none"},
        "nodes": [{"name": "N1", "release": "2008"}],
    })  # fmt: skip
    world = World.create(tmp_path / "lab", spec)
    world.resolve_path("N1", "C:\\b").mkdir()
    _output, unc = backup(world, target="\\\\N1\\C$\\b", node="N1")
    assert not unc.succeeded
    _output, volume = backup(world, target="C:", node="N1")
    assert volume.succeeded


def test_without_quiet_it_asks_and_nobody_answers(world):
    _output, run = wbadmin(world, "start", "systemstatebackup", f"-backupTarget:{TARGET}")
    assert not run.succeeded
    assert read_vss_catalog(world, "NODE1", TARGET) == []
