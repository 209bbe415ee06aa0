"""cluster_restore through ansible-playbook on a 3-node lab: the authoritative restore.

Each test backs the cluster up with the cluster_backup module (its emulation writes the lab's
backup media, docs/lab.md Contract 4), changes the configuration, and restores.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from labs import example
from playbook import AnsibleRun, run_playbook
from wsfc_lab.execution.execution_log import read_executions
from wsfc_lab.lab import Lab
from wsfc_lab.world import ConfigChange, faults
from wsfc_lab.world import restore as restore_world

BACKUP_LOCATION = "\\\\FS01\\clusterbackups"
BACKUP = "Back up"
RESTORE = "Restore"
START = "Start"
FACTS = "Facts"
NODES = ("NODE1", "NODE2", "NODE3")
ADDED = ConfigChange("group", "set", "Reporting", {"owner_node": "NODE2"})
ADDED_LEGACY = ConfigChange("group", "set", "Reporting", {"owner_node": "OLD2"})
CHANGED = ConfigChange(
    "parameter", "set", "FileServer-01 IP", {"name": "Address", "value": "10.0.0.99"}
)


def play(lab: Lab, tmp_path: Path, hosts: str, tasks: list[dict[str, Any]], **options: Any):
    playbook = tmp_path / f"play_{time.monotonic_ns()}.yml"
    document = [{"name": "restore test", "hosts": hosts, "gather_facts": False, "tasks": tasks}]
    playbook.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return run_playbook(playbook, lab.inventory_path, **options)


def back_up(lab: Lab, tmp_path: Path, host: str = "NODE1") -> str:
    """A backup by `host` to the file server; the set's path."""
    run = play(lab, tmp_path, host, [
        {"name": BACKUP, "wsfc.clusterdb.cluster_backup": {"path": BACKUP_LOCATION}},
    ])  # fmt: skip
    assert run.rc == 0, run.output
    return str(run.of(BACKUP, host).result["set_path"])


def restore(
    lab: Lab, tmp_path: Path, set_path: str, host: str = "NODE1", **options: Any
) -> AnsibleRun:
    """One cluster_restore task on `host`; check and diff are ansible-playbook's options."""
    arguments = {
        "path": set_path,
        **{k: v for k, v in options.items() if k not in ("check", "diff")},
    }
    return play(
        lab, tmp_path, host,
        [{"name": RESTORE, "wsfc.clusterdb.cluster_restore": arguments}],
        check=options.get("check", False), diff=options.get("diff", False),
    )  # fmt: skip


def start_all(lab: Lab, tmp_path: Path) -> AnsibleRun:
    """The documented order: the restoring node first (it forms the cluster), then the others."""
    tasks = [
        {
            "name": START,
            "wsfc.clusterdb.cluster_node": {"state": "started", "force_quorum": True},
            "when": "inventory_hostname == 'NODE1'",
        },
        {
            "name": START + " others",
            "wsfc.clusterdb.cluster_node": {"state": "started", "timeout": 60},
            "when": "inventory_hostname != 'NODE1'",
        },
    ]
    document = [
        {"name": "first", "hosts": "NODE1", "gather_facts": False, "tasks": tasks[:1]},
        {"name": "others", "hosts": "NODE2:NODE3", "gather_facts": False, "tasks": tasks[1:]},
    ]
    playbook = tmp_path / f"start_{time.monotonic_ns()}.yml"
    playbook.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    run = run_playbook(playbook, lab.inventory_path)
    assert run.rc == 0, run.output
    return run


def facts(lab: Lab, tmp_path: Path) -> dict[str, dict[str, Any]]:
    run = play(lab, tmp_path, "all", [{"name": FACTS, "wsfc.clusterdb.cluster_info": {}}])
    assert run.rc == 0, run.output
    return {host: record.result for host, record in run.on_hosts(FACTS).items()}


def groups(result: dict[str, Any]) -> set[str]:
    return {g["name"] for g in result["configuration"]["groups"]}


def address(result: dict[str, Any]) -> str:
    resources = {r["name"]: r for r in result["configuration"]["resources"]}
    return str(resources["FileServer-01 IP"]["parameters"]["Address"])


def restore_runs(lab: Lab) -> list[dict[str, Any]]:
    """The cluster_restore runs the lab dispatched so far (its execution log)."""
    return [
        r for r in read_executions(lab.lab_dir) if r["module"] == "wsfc.clusterdb.cluster_restore"
    ]


def services(lab: Lab) -> dict[str, str]:
    return {n["name"]: n["service"] for n in lab.status()["nodes"]}


@pytest.fixture
def lab(three_node_lab: Lab) -> Lab:
    return three_node_lab


@pytest.fixture
def set_path(lab: Lab, tmp_path: Path) -> str:
    """NODE1's backup to the file server, taken before the configuration changed by ADDED."""
    path = back_up(lab, tmp_path)
    lab.change(ADDED)
    return path


def test_a_forced_restore_brings_the_configuration_back_on_every_node(
    lab: Lab, tmp_path: Path
) -> None:
    set_path = back_up(lab, tmp_path)
    before = facts(lab, tmp_path)["NODE1"]
    lab.change(ADDED)
    lab.change(CHANGED)
    changed = facts(lab, tmp_path)["NODE1"]
    assert "Reporting" in groups(changed) and address(changed) == "10.0.0.99"

    run = restore(lab, tmp_path, set_path, force=True)
    result = run.of(RESTORE, "NODE1").result
    assert run.rc == 0, run.output
    assert result["changed"] is True
    assert result["phases"] == ["inspect", "restore"]
    # The node was given each phase under the internal option (the lab logs `_phase`).
    assert [r["phase"] for r in restore_runs(lab)] == ["inspect", "restore"]
    assert sorted(result["stopped_nodes"]) == ["NODE2", "NODE3"]
    assert services(lab) == dict.fromkeys(NODES, "stopped")
    assert {c["name"] for c in result["configuration_changes"]} >= {"Reporting", "FileServer-01 IP"}

    start_all(lab, tmp_path)
    after = facts(lab, tmp_path)
    for host in NODES:
        assert {n["state"] for n in after[host]["nodes"]} == {"Up"}
        assert groups(after[host]) == groups(before)
        assert address(after[host]) == address(before)
        assert after[host]["configuration_fingerprint"] == before["configuration_fingerprint"]
    assert len({after[h]["configuration_version"]["paxos_tag"] for h in NODES}) == 1

    again = restore(lab, tmp_path, set_path, force=True)
    second = again.of(RESTORE, "NODE1").result
    assert again.rc == 0, again.output
    assert second["changed"] is False
    assert second["phases"] == ["inspect"]
    assert second["stopped_nodes"] == []
    assert services(lab) == dict.fromkeys(NODES, "running")


def test_check_mode_with_diff_shows_the_changes_and_touches_no_node(
    lab: Lab, set_path: str, tmp_path: Path
) -> None:
    world_before = lab.world.read().data
    run = restore(lab, tmp_path, set_path, force=True, check=True, diff=True)
    result = run.of(RESTORE, "NODE1").result
    assert run.rc == 0, run.output
    assert result["changed"] is True
    assert result["phases"] == ["inspect"]
    assert sorted(result["stopped_nodes"]) == ["NODE2", "NODE3"]
    assert "Reporting" in str(result["diff"])
    assert "Reporting" in run.output
    world_after = lab.world.read().data
    assert world_after["nodes"] == world_before["nodes"]
    assert world_after["cluster"] == world_before["cluster"]
    assert world_after["witness"] == world_before["witness"]
    # What the operator reads is at the top; the node's raw reading is under phase_results.
    assert sorted(result["phase_results"]) == ["inspect"]
    inspected = result["phase_results"]["inspect"]
    assert sorted(s["name"] for s in inspected["node_services"]) == ["NODE2", "NODE3"]
    assert inspected["set"]["marker_present"] is True
    assert "node_services" not in result and "local_database" not in result
    shown = result["invocation"]["module_args"]
    assert [key for key in shown if key.startswith("_")] == []
    assert shown["path"] == set_path and shown["force"] is True


def test_without_force_a_running_node_refuses_with_5056_and_nothing_stops(
    lab: Lab, set_path: str, tmp_path: Path
) -> None:
    run = restore(lab, tmp_path, set_path)
    record = run.of(RESTORE, "NODE1")
    assert run.rc != 0
    assert record.status == "failed"
    assert record.result["error_code"] == 5056
    assert record.result["error"]["name"] == "ERROR_CLUSTER_NODE_UP"
    assert record.result["phases"] == ["inspect"]
    status = lab.status()
    assert {n["state"] for n in status["nodes"]} == {"Up"}
    assert "Reporting" in groups(facts(lab, tmp_path)["NODE2"])


def test_without_force_a_changed_quorum_disk_layout_refuses_with_5086(
    lab: Lab, set_path: str, tmp_path: Path
) -> None:
    with lab.world.transaction() as state:
        disk = state.disks["Cluster Disk 1"]
        disk["partitions"].append({"number": 2, "offset": 600000000, "size": 1048576})
    run = restore(lab, tmp_path, set_path)
    result = run.of(RESTORE, "NODE1").result
    assert run.rc != 0
    # Both refusals are reported; the first one's code is the task's.
    assert result["error_code"] in (5056, 5086)
    assert "5086" in result["msg"] or "ERROR_QUORUM_DISK_NOT_FOUND" in result["msg"]
    assert {n["state"] for n in lab.status()["nodes"]} == {"Up"}


def test_an_internal_option_in_a_task_is_refused_before_any_module_run(
    lab: Lab, set_path: str, tmp_path: Path
) -> None:
    # The log is kept: the backup's runs are in it.
    assert any(r["module"].endswith("cluster_backup") for r in read_executions(lab.lab_dir))
    runs_before = restore_runs(lab)
    run = restore(lab, tmp_path, set_path, force=True, _phase="restore")
    record = run.of(RESTORE, "NODE1")
    assert run.rc != 0
    assert record.status == "failed"
    assert "_phase is an internal option" in record.result["msg"]
    # The lab logs every module run it dispatches: none of cluster_restore.
    assert restore_runs(lab) == runs_before
    assert services(lab) == dict.fromkeys(NODES, "running")
    assert "Reporting" in groups(facts(lab, tmp_path)["NODE1"])


def legacy_lab_with_disk_witness(start_lab: Callable[..., Lab]) -> Lab:
    """Three Windows Server 2003 nodes and a disk witness: the clusapi route."""
    description = example("legacy-2003")
    description["witness"] = {"type": "disk", "disk": "Quorum"}
    description["disks"] = [
        {"name": "Quorum", "signature": "0C0FFEE0", "drive_letter": "Q",
         "partitions": [{"offset": 32256, "size": 536870912}]},
    ]  # fmt: skip
    description["file_servers"] = [
        {"name": "FS01", "shares": [{"name": "clusterbackups", "path": "C:\\Shares\\b"}]}
    ]
    return start_lab(description)


def test_without_force_restore_cluster_database_refuses_a_changed_quorum_layout_with_5086(
    start_lab: Callable[..., Lab], tmp_path: Path
) -> None:
    # The other nodes are stopped, so the cluster cannot be read and the controller cannot
    # compare the layouts: RestoreClusterDatabase itself refuses
    # (docs/windows-behaviour.md#clusapi-backup-restore).
    lab = legacy_lab_with_disk_witness(start_lab)
    set_path = back_up(lab, tmp_path, host="OLD1")
    lab.change(ADDED_LEGACY)
    lab.service("OLD3", "stop")
    with lab.world.transaction() as state:
        state.cluster.stop_service("OLD2", check_quorum=False)
        state.disks["Quorum"]["partitions"][0]["offset"] = 1048576
    before = lab.world.read().data
    run = restore(lab, tmp_path, set_path, host="OLD1")
    result = run.of(RESTORE, "OLD1").result
    assert run.rc != 0
    assert result["route"] == "clusapi"
    assert result["phases"] == ["inspect", "restore"]
    assert result["phase_results"]["restore"]["route_exit_code"] == 5086
    assert result["error"]["name"] == "ERROR_QUORUM_DISK_NOT_FOUND"
    after = lab.world.read().data
    assert after["nodes"]["OLD1"]["database"] == before["nodes"]["OLD1"]["database"]
    assert after["nodes"]["OLD1"]["service"]["state"] == "running"

    forced = restore(lab, tmp_path, set_path, host="OLD1", force=True)
    assert forced.rc == 0, forced.output
    assert forced.of(RESTORE, "OLD1").result["phase_results"]["restore"]["route_exit_code"] == 0
    with lab.world.transaction() as state:
        disk = state.disks["Quorum"]
        assert (disk["signature"], disk["drive_letter"]) == ("0C0FFEE0", "Q")
        assert state.node("OLD1")["service"]["state"] == "stopped"


def test_a_corrupt_set_is_refused_before_any_node_is_stopped(
    lab: Lab, set_path: str, tmp_path: Path
) -> None:
    with lab.world.transaction() as state:
        touched = faults.corrupt(state, "NODE1", set_path + "\\WindowsImageBackup")
    assert touched
    run = restore(lab, tmp_path, set_path, force=True)
    result = run.of(RESTORE, "NODE1").result
    assert run.rc != 0
    assert result["error_code"] == 5087
    assert result["set"]["status"] == "corrupt"
    assert result["phases"] == ["inspect"]
    assert services(lab) == dict.fromkeys(NODES, "running")
    assert "Reporting" in groups(facts(lab, tmp_path)["NODE3"])


def verified_by_check(lab: Lab, tmp_path: Path, set_path: str) -> list[dict[str, Any]]:
    """The set's files as a check-mode restore hashed them (its set.files)."""
    check = restore(lab, tmp_path, set_path, force=True, check=True)
    assert check.rc == 0, check.output
    verified = check.of(RESTORE, "NODE1").result["set"]["files"]
    assert verified and all(len(entry["sha256"]) == 64 for entry in verified)
    return list(verified)


def test_a_set_the_check_verified_is_restored_without_hashing_it_again(
    lab: Lab, set_path: str, tmp_path: Path
) -> None:
    verified = verified_by_check(lab, tmp_path, set_path)
    # From now on every SHA-256 on NODE1 fails: a run that hashes the set cannot restore.
    lab.inject("fail", "NODE1", operation="Get-FileHash", code=5)
    hashing = restore(lab, tmp_path, set_path, force=True, check=True)
    assert hashing.rc != 0 and "set" in hashing.of(RESTORE, "NODE1").result["msg"]
    run = restore(lab, tmp_path, set_path, force=True, verified_files=verified)
    result = run.of(RESTORE, "NODE1").result
    assert run.rc == 0, run.output
    assert result["phases"] == ["inspect", "restore"]
    assert result["set"]["status"] == "complete" and result["set"]["hashes_checked"] is True
    inspected = result["phase_results"]["inspect"]["set"]["files"]
    assert [entry["sha256"] for entry in inspected] == [None] * len(verified)
    lab.clear_faults(["fail"])
    start_all(lab, tmp_path)
    assert "Reporting" not in groups(facts(lab, tmp_path)["NODE3"])


def test_a_set_rewritten_after_the_check_is_refused_before_any_node_is_stopped(
    lab: Lab, set_path: str, tmp_path: Path
) -> None:
    verified = verified_by_check(lab, tmp_path, set_path)
    with lab.world.transaction() as state:
        touched = faults.corrupt(state, "NODE1", set_path + "\\WindowsImageBackup")
    assert touched
    run = restore(lab, tmp_path, set_path, force=True, verified_files=verified)
    result = run.of(RESTORE, "NODE1").result
    assert run.rc != 0
    assert result["error_code"] == 5087
    assert "changed since it was verified" in result["msg"]
    assert "was rewritten" in result["msg"] and Path(touched[0]).name in result["msg"]
    assert result["phases"] == ["inspect"]
    assert services(lab) == dict.fromkeys(NODES, "running")


def test_the_restoring_node_killed_mid_restore_leaves_it_interrupted_and_a_rerun_completes(
    lab: Lab, set_path: str, tmp_path: Path
) -> None:
    tag_before = lab.world.read().node("NODE1")["database"]["paxos_tag"]
    lab.set_latency("restore", 60.0)
    runs: list[AnsibleRun] = []
    worker = threading.Thread(
        target=lambda: runs.append(restore(lab, tmp_path, set_path, force=True))
    )
    worker.start()
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with lab.world.transaction() as state:
                if restore_world.restore_status(state, "NODE1") == restore_world.IN_PROGRESS and (
                    state.node("NODE1")["service"]["state"] == "stopped"
                ):
                    break  # the services are stopped; the route waits its latency
            time.sleep(0.2)
        else:
            raise AssertionError("the restore never reached its route")
        lab.kill_node("NODE1")
    finally:
        worker.join(timeout=180)
    assert runs and runs[0].rc != 0
    with lab.world.transaction() as state:
        assert restore_world.restore_status(state, "NODE1") == restore_world.INTERRUPTED
        assert state.node("NODE1")["database"]["paxos_tag"] == tag_before
        assert {state.node(n)["service"]["state"] for n in ("NODE2", "NODE3")} == {"stopped"}

    lab.set_latency("restore", 0.0)
    lab.start_node("NODE1")
    with lab.world.transaction() as state:
        assert restore_world.restore_status(state, "NODE1") == restore_world.INTERRUPTED
    again = restore(lab, tmp_path, set_path, force=True)
    assert again.rc == 0, again.output
    with lab.world.transaction() as state:
        assert restore_world.restore_status(state, "NODE1") == restore_world.COMPLETED
    start_all(lab, tmp_path)
    assert "Reporting" not in groups(facts(lab, tmp_path)["NODE3"])


CHECK = "Check the restore"
STOP = "Stop the other nodes"


def check_task(set_path: str) -> dict[str, Any]:
    return {
        "name": CHECK,
        "wsfc.clusterdb.cluster_restore": {"path": set_path, "force": True},
        "check_mode": True,
        "register": "restore_check",
        "when": "inventory_hostname == 'NODE1'",
    }


def restore_checked_task(set_path: str, checked: str) -> dict[str, Any]:
    return {
        "name": RESTORE,
        "wsfc.clusterdb.cluster_restore": {"path": set_path, "force": True, "checked": checked},
        "when": "inventory_hostname == 'NODE1'",
    }


def test_a_restore_given_its_checks_result_is_one_module_run_after_the_nodes_were_stopped(
    lab: Lab, set_path: str, tmp_path: Path
) -> None:
    runs_before = len(restore_runs(lab))
    # As the restore role does: the check, the other nodes stopped, the restore.
    run = play(lab, tmp_path, "all", [
        check_task(set_path),
        {"name": STOP, "ansible.windows.win_service": {"name": "ClusSvc", "state": "stopped"},
         "when": "inventory_hostname != 'NODE1'"},
        restore_checked_task(set_path, "{{ restore_check }}"),
    ])  # fmt: skip
    assert run.rc == 0, run.output
    result = run.of(RESTORE, "NODE1").result
    assert result["phases"] == ["restore"] and result["module_runs"] == 1
    phases = [r["phase"] for r in restore_runs(lab)[runs_before:]]
    assert phases == ["inspect", "restore"]
    # NODE2 and NODE3 were stopped by the play's stop task, not by the route.
    assert result["stopped_nodes"] == []
    before = result["phase_results"]["restore"]["node_services_before"]
    assert {entry["state"] for entry in before} == {"stopped"}
    # Decided on the check's facts: the running cluster's configuration, read before the stop.
    check = run.of(CHECK, "NODE1").result
    assert result["configuration_version"]["before"] == check["configuration_version"]["before"]
    assert result["configuration_version"]["after"] != result["configuration_version"]["before"]
    assert [c["name"] for c in result["configuration_changes"]] == ["Reporting"]
    start_all(lab, tmp_path)
    assert "Reporting" not in groups(facts(lab, tmp_path)["NODE3"])


def test_a_set_rewritten_after_the_check_it_is_given_is_refused_with_nothing_stopped(
    lab: Lab, set_path: str, tmp_path: Path
) -> None:
    saved = tmp_path / "restore_check.json"
    first = play(lab, tmp_path, "NODE1", [
        check_task(set_path),
        {"name": "Keep the check", "ansible.builtin.copy": {
            "content": "{{ restore_check | to_json }}", "dest": str(saved)},
         "delegate_to": "localhost"},
    ])  # fmt: skip
    assert first.rc == 0, first.output
    with lab.world.transaction() as state:
        touched = faults.corrupt(state, "NODE1", set_path + "\\WindowsImageBackup")
    assert touched
    tag_before = lab.world.read().node("NODE1")["database"]["paxos_tag"]
    runs_before = len(restore_runs(lab))
    run = play(lab, tmp_path, "NODE1", [
        restore_checked_task(set_path, f"{{{{ lookup('file', '{saved}') | from_json }}}}"),
    ])  # fmt: skip
    result = run.of(RESTORE, "NODE1").result
    assert run.rc != 0
    assert result["error_code"] == 5087
    assert "changed since it was verified" in result["msg"]
    assert "nothing was stopped" in result["msg"]
    assert result["phases"] == ["restore"]
    assert result["phase_results"]["restore"]["condition"] == "set_changed"
    assert len(restore_runs(lab)) == runs_before + 1
    assert services(lab) == dict.fromkeys(NODES, "running")
    assert lab.world.read().node("NODE1")["database"]["paxos_tag"] == tag_before
