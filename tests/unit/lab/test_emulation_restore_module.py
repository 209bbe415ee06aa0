"""The lab's emulation of wsfc.clusterdb.cluster_restore, run directly against a world."""

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import yaml
from cluster_support import cluster_world
from wsfc_lab.emulation import lookup
from wsfc_lab.emulation.framework.invocation import invoke
from wsfc_lab.world import ConfigChange, faults
from wsfc_lab.world.backup_media import take_snapshot, write_vss_backup

ROOT = Path(__file__).resolve().parents[3]
MODULE_DOC = ROOT / "plugins" / "modules" / "cluster_restore.py"
FQCN = "wsfc.clusterdb.cluster_restore"
LOCATION = "C:\\Backups"
SET = "C:\\Backups\\20261122T020304Z_clusterdb_a"


def make_world(tmp_path, release="2022"):
    return cluster_world(tmp_path, 83, release=release, file_server=False)


def make_set(world):
    """A set as the backup leaves it: wbadmin's files, manifest.json, backup.complete."""
    with world.transaction() as state:
        snapshot = take_snapshot(state, "N1")
    version = write_vss_backup(world, "N1", SET, snapshot, datetime.now(UTC))
    root = world.resolve_path("N1", SET)
    (root / "manifest.json").write_text('{"format": "x"}', encoding="utf-8")
    (root / "backup.complete").write_bytes(b"")
    with world.transaction() as state:
        change = ConfigChange("parameter", "set", "Cluster Name", {"name": "Note", "value": 1})
        state.cluster.change_configuration("N1", change)
    return version.version_id


def run(world, node="N1", check_mode=False, **arguments):
    if check_mode:
        arguments["_ansible_check_mode"] = True
    return invoke(lookup(FQCN), arguments, world=world, node=node).result


def documented_keys(phase):
    """The raw keys RETURN documents for `phase`, under phase_results (the action plugin's)."""
    namespace = {}
    exec(compile(MODULE_DOC.read_text(), str(MODULE_DOC), "exec"), namespace)
    phases = yaml.safe_load(namespace["RETURN"])["phase_results"]["contains"]
    return set(phases[phase]["contains"])


def test_inspect_returns_the_modules_documented_keys(tmp_path):
    world = make_world(tmp_path)
    make_set(world)
    result = run(world, path=SET)
    module_keys = documented_keys("inspect") - {"error_code"}  # set when reading fails
    assert module_keys <= set(result) - {"invocation"}
    assert result["changed"] is False
    assert result["phase"] == "inspect"


def test_inspect_reads_the_cluster_the_other_nodes_and_the_set_hashed(tmp_path):
    world = make_world(tmp_path)
    make_set(world)
    result = run(world, path=SET)
    assert result["cluster"]["name"] == "CLU83"
    assert result["core_group_owner"] == "N1"
    assert result["quorum"]["witness"]["disk"]["partitions"][0]["offset"] == 1048576
    assert result["node_list_source"] == "cluster"
    assert result["node_services"] == [
        {"name": "N2", "state": "running", "error": None},
        {"name": "N3", "state": "running", "error": None},
    ]
    assert result["local_database"]["source"] == "cluster"
    assert result["path_info"] == {"exists": True, "is_directory": True}
    listed = result["set"]
    assert listed["name"] == "20261122T020304Z_clusterdb_a"
    assert listed["marker_present"] is True
    assert listed["manifest_text"] == '{"format": "x"}'
    root = world.resolve_path("N1", SET)
    for entry in listed["files"]:
        real = root.joinpath(*entry["path"].split("\\"))
        assert entry["sha256"] == hashlib.sha256(real.read_bytes()).hexdigest()
    assert any(f["path"].startswith("WindowsImageBackup\\N1\\") for f in listed["files"])
    assert result["child_sets"] is None


def test_inspect_of_a_location_names_its_complete_sets(tmp_path):
    world = make_world(tmp_path)
    make_set(world)
    result = run(world, path=LOCATION)
    # As the module does: the location is listed as an entry of its parent, no set.
    assert result["set"]["marker_present"] is False
    assert result["set"]["manifest_text"] is None
    assert result["child_sets"] == ["20261122T020304Z_clusterdb_a"]


def test_inspect_with_the_cluster_down_reads_the_local_copy(tmp_path):
    world = make_world(tmp_path)
    with world.transaction() as state:
        for node in ("N3", "N2", "N1"):
            state.cluster.stop_service(node, check_quorum=False)
        faults.set_crashed(state, "N3", True)
    result = run(world, path=SET)
    assert result["cluster"] is None
    assert result["cluster_error"]["message"]
    assert result["configuration_version"] == {"paxos_tag": None, "source": "none"}
    assert result["local_database"]["source"] == "local_copy"
    assert result["node_list_source"] == "local_database"
    states = {s["name"]: s["state"] for s in result["node_services"]}
    assert states == {"N2": "stopped", "N3": None}
    assert result["path_info"] == {"exists": False, "is_directory": False}


def test_inspect_on_a_node_without_the_cluster_service_asks_no_cluster(tmp_path):
    world = make_world(tmp_path)
    make_set(world)
    with world.transaction() as state:
        state.node("N1")["service"]["installed"] = False
    result = run(world, path=SET)
    assert result["cluster_service"]["installed"] is False
    # The other nodes still run the cluster: had this node asked it, it would have answered.
    none_known = {"cluster": None, "nodes": [], "core_group_owner": None, "quorum": None}
    assert {key: result[key] for key in none_known} == none_known
    assert result["configuration"] is None and result["cluster_error"] is None
    assert result["node_list_source"] == "local_database"


def test_restore_vss_runs_wbadmin_and_reads_the_states_again(tmp_path):
    world = make_world(tmp_path)
    version = make_set(world)
    result = run(
        world, path=SET, _phase="restore", route="vss", _wbadmin_version=version,
        _wbadmin_target=SET, _wbadmin_machine="N1", _other_nodes=["N2", "N3"],
    )  # fmt: skip
    assert result["changed"] is True
    assert result["route_command"][1:] == [
        "start", "recovery", f"-version:{version}", "-itemType:App", "-items:cluster",
        f"-backupTarget:{SET}", "-machine:N1", "-quiet",
    ]  # fmt: skip
    assert result["route_exit_code"] == 0, result["route_output"]
    assert "successfully completed" in result["route_output"]
    assert [s["state"] for s in result["node_services"]] == ["stopped", "stopped"]
    assert result["cluster_service"]["state"] == "stopped"
    with world.transaction() as state:
        assert result["paxos_tag"] == state.node("N1")["database"]["paxos_tag"]
        parameters = state.node("N1")["database"]["objects"]["resources"]["Cluster Name"]
        assert "Note" not in parameters["parameters"]


def test_restore_in_check_mode_names_the_command_and_touches_nothing(tmp_path):
    world = make_world(tmp_path)
    version = make_set(world)
    before = world.read().data
    result = run(
        world, check_mode=True, path=SET, _phase="restore", route="vss",
        _wbadmin_version=version, _wbadmin_target=SET, _other_nodes=["N2", "N3"],
    )  # fmt: skip
    assert result["changed"] is True
    assert result["route_exit_code"] is None
    assert world.read().data == before


def test_restore_clusapi_after_2003_returns_120_and_changes_no_node(tmp_path):
    world = make_world(tmp_path)
    make_set(world)
    result = run(world, path=SET, _phase="restore", route="clusapi", force=True)
    assert result["route_command"] == ["ClusterDatabase.Restore", SET, "True", ""]
    assert result["route_exit_code"] == 120
    assert result["route_output"] == ""
    with world.transaction() as state:
        assert {state.node(n)["service"]["state"] for n in state.node_names()} == {"running"}


def test_restore_without_wbadmin_reports_the_missing_feature(tmp_path):
    world = make_world(tmp_path)
    version = make_set(world)
    with world.transaction() as state:
        state.node("N1")["features"]["Windows-Server-Backup"] = False
    result = run(
        world, path=SET, _phase="restore", route="vss", _wbadmin_version=version,
        _wbadmin_target=SET,
    )  # fmt: skip
    assert result["failed"] is True
    assert result["condition"] == "windows_server_backup_missing"


def test_restore_needs_a_resolved_route(tmp_path):
    world = make_world(tmp_path)
    result = run(world, path=SET, _phase="restore")
    assert result["failed"] is True
    assert "route vss or clusapi" in result["msg"]


def restore_vss(world, version, **guards):
    return run(
        world, path=SET, _phase="restore", route="vss", _wbadmin_version=version,
        _wbadmin_target=SET, _wbadmin_machine="N1", _other_nodes=["N2", "N3"], **guards,
    )  # fmt: skip


def listed_unhashed(world):
    """The set's files as an inspect lists them for the controller (path, size, time)."""
    files = run(world, path=SET, _hash_set=False)["set"]["files"]
    return [{key: entry[key] for key in ("path", "size", "last_write_utc")} for entry in files]


def nothing_ran(world, before):
    """The route did not run: no service stopped and the database untouched."""
    with world.transaction() as state:
        assert {state.node(n)["service"]["state"] for n in state.node_names()} == {"running"}
        assert state.node("N1")["database"]["paxos_tag"] == before


def paxos_tag(world):
    with world.transaction() as state:
        return state.node("N1")["database"]["paxos_tag"]


def test_restore_reads_the_other_nodes_before_the_route_and_runs_it_when_as_decided(tmp_path):
    world = make_world(tmp_path)
    version = make_set(world)
    result = restore_vss(
        world, version, _checked_node="n1", _checked_files=listed_unhashed(world),
        _must_answer=["N2", "N3"],
    )  # fmt: skip
    assert result["route_exit_code"] == 0, result.get("msg")
    assert result["node_services_before"] == [
        {"name": "N2", "state": "running", "error": None},
        {"name": "N3", "state": "running", "error": None},
    ]
    assert result["set_files"] == [dict(e, sha256=None) for e in listed_unhashed(world)]
    assert [s["state"] for s in result["node_services"]] == ["stopped", "stopped"]


def test_restore_on_another_node_than_decided_does_not_run_the_route(tmp_path):
    world = make_world(tmp_path)
    version = make_set(world)
    before = paxos_tag(world)
    result = restore_vss(world, version, _checked_node="N2")
    assert result["failed"] is True
    assert result["condition"] == "other_node"
    nothing_ran(world, before)


def test_restore_of_a_set_rewritten_since_it_was_listed_does_not_run_the_route(tmp_path):
    world = make_world(tmp_path)
    version = make_set(world)
    listed = listed_unhashed(world)
    before = paxos_tag(world)
    (world.resolve_path("N1", SET) / "manifest.json").write_text('{"format": "y!"}')
    result = restore_vss(world, version, _checked_files=listed)
    assert result["failed"] is True
    assert result["condition"] == "set_changed"
    changed = {e["path"]: e for e in result["set_files"]}["manifest.json"]
    assert changed["size"] != {e["path"]: e for e in listed}["manifest.json"]["size"]
    nothing_ran(world, before)


def test_restore_with_a_node_that_must_be_stopped_running_does_not_run_the_route(tmp_path):
    world = make_world(tmp_path)
    version = make_set(world)
    before = paxos_tag(world)
    result = restore_vss(world, version, _must_be_stopped=["n3"])
    assert result["failed"] is True
    assert result["condition"] == "node_running"
    assert "not stopped on N3" in result["msg"]
    nothing_ran(world, before)


def test_restore_with_a_node_that_must_answer_gone_does_not_run_the_route(tmp_path):
    world = make_world(tmp_path)
    version = make_set(world)
    before = paxos_tag(world)
    with world.transaction() as state:
        faults.set_crashed(state, "N2")
    result = restore_vss(world, version, _must_answer=["N2", "N3"], _must_be_stopped=["N2"])
    assert result["failed"] is True
    assert result["condition"] == "node_unreachable"
    assert result["node_services_before"][0]["state"] is None
    with world.transaction() as state:
        assert state.node("N1")["database"]["paxos_tag"] == before
        assert state.node("N3")["service"]["state"] == "running"
