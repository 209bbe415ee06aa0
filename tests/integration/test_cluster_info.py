"""cluster_info through ansible-playbook on a 3-node lab, and how lab faults show in Ansible."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from playbook import run_adhoc, run_playbook
from wsfc_lab.lab import Lab

PLAYBOOK = Path(__file__).parent / "playbooks" / "cluster_info.yml"
NODES = {"NODE1", "NODE2", "NODE3"}
TASK = "Read cluster facts"


def test_every_node_reports_the_cluster(three_node_lab: Lab) -> None:
    run = run_playbook(PLAYBOOK, three_node_lab.inventory_path)
    assert run.rc == 0, run.output
    results = {host: record.result for host, record in run.on_hosts(TASK).items()}
    assert set(results) == NODES
    for host, facts in results.items():
        assert facts["changed"] is False
        assert facts["node_name"] == host
        assert facts["cluster"]["name"] == "CLU01"
        assert {n["name"]: n["state"] for n in facts["nodes"]} == dict.fromkeys(NODES, "Up")
        assert facts["cluster_service"]["state"] == "running"
        assert facts["node_cluster_state"] == "Running"
        witness = facts["quorum"]["witness"]
        assert witness["type"] == "disk"
        # The byte offsets are read on the disk's owner only (Get-Partition); every node
        # reads the partitions' sizes in MB from MSCluster_DiskPartition.
        owner = witness["owner_node"] == host
        assert [(p["offset"], p["total_size_mb"]) for p in witness["disk"]["partitions"]] == [
            (1048576 if owner else None, 511)
        ]
        assert facts["backup_routes"]["auto"] == "vss"
        assert "clusapi" in facts["backup_routes"]["reasons"]
        version = facts["configuration_version"]
        assert version["source"] == "cluster"
        assert version["sequence"] is not None
        groups = {g["name"] for g in facts["configuration"]["groups"]}
        assert "FileServer-01" in groups
    # Every node reads the same cluster database: one version, one fingerprint.
    assert len({f["configuration_version"]["paxos_tag"] for f in results.values()}) == 1
    assert len({f["configuration_fingerprint"] for f in results.values()}) == 1


def test_check_mode_reports_the_same_facts(three_node_lab: Lab) -> None:
    normal = run_playbook(PLAYBOOK, three_node_lab.inventory_path)
    checked = run_playbook(PLAYBOOK, three_node_lab.inventory_path, check=True)
    assert checked.rc == 0, checked.output
    for host in NODES:
        before = normal.of(TASK, host).result
        after = checked.of(TASK, host).result
        assert after["changed"] is False
        assert after["nodes"] == before["nodes"]
        assert after["configuration_fingerprint"] == before["configuration_fingerprint"]


def test_a_configuration_change_shows_in_the_version_and_fingerprint(three_node_lab: Lab) -> None:
    before = run_playbook(PLAYBOOK, three_node_lab.inventory_path).of(TASK, "NODE2").result
    result = _cli(three_node_lab, "change", "group", "set", "Reporting", "--owner", "NODE2")
    assert result.returncode == 0, result.stderr
    after = run_playbook(PLAYBOOK, three_node_lab.inventory_path).of(TASK, "NODE2").result
    assert after["configuration_version"]["sequence"] > before["configuration_version"]["sequence"]
    assert after["configuration_fingerprint"] != before["configuration_fingerprint"]
    assert "Reporting" in {g["name"] for g in after["configuration"]["groups"]}


def test_a_killed_node_is_unreachable_and_comes_back_with_its_state(three_node_lab: Lab) -> None:
    three_node_lab.kill_node("NODE3")
    run = run_playbook(PLAYBOOK, three_node_lab.inventory_path)
    assert run.statuses(TASK) == {"NODE1": "ok", "NODE2": "ok", "NODE3": "unreachable"}
    seen_by_node1 = {n["name"]: n["state"] for n in run.of(TASK, "NODE1").result["nodes"]}
    assert seen_by_node1["NODE3"] == "Down"

    three_node_lab.start_node("NODE3")
    run = run_playbook(PLAYBOOK, three_node_lab.inventory_path)
    assert run.rc == 0, run.output
    node3 = run.of(TASK, "NODE3").result
    assert node3["cluster_service"]["state"] == "running"
    assert {n["name"]: n["state"] for n in node3["nodes"]}["NODE3"] == "Up"


def test_an_unreachable_fault_shows_as_unreachable(three_node_lab: Lab) -> None:
    three_node_lab.inject("unreachable", "NODE2")
    run = run_playbook(PLAYBOOK, three_node_lab.inventory_path)
    assert run.statuses(TASK)["NODE2"] == "unreachable"
    assert run.statuses(TASK)["NODE1"] == "ok"
    three_node_lab.clear_faults(["unreachable"])
    assert run_playbook(PLAYBOOK, three_node_lab.inventory_path).rc == 0


def test_an_injected_windows_error_fails_the_task_as_an_unhandled_exception(
    three_node_lab: Lab,
) -> None:
    """cluster_info.ps1 does not catch a failing Get-CimInstance: the module ends with
    module_wrapper's unhandled exception, naming Windows's message."""
    three_node_lab.inject(
        "fail", "NODE1", operation="Get-CimInstance Win32_OperatingSystem", code=5
    )
    run = run_playbook(PLAYBOOK, three_node_lab.inventory_path)
    record = run.of(TASK, "NODE1")
    assert record.status == "failed"
    assert "Unhandled exception while executing module" in record.result["msg"]
    assert "denied" in record.result["msg"].lower()
    assert run.statuses(TASK)["NODE2"] == "ok"


def test_an_unemulated_module_fails_loudly_naming_it(three_node_lab: Lab) -> None:
    run = run_adhoc(
        "NODE1", "ansible.windows.win_hostname", three_node_lab.inventory_path, args="name=OTHER"
    )
    assert run.rc != 0
    record = run.of("ansible.windows.win_hostname", "NODE1")
    assert record.status == "failed"
    assert "does not emulate" in record.result["msg"]
    assert "ansible.windows.win_hostname" in record.result["msg"]


def test_win_ping_answers_on_every_node(three_node_lab: Lab) -> None:
    run = run_adhoc("all", "ansible.windows.win_ping", three_node_lab.inventory_path)
    assert run.rc == 0, run.output
    pings = {host: r.result["ping"] for host, r in run.on_hosts("ansible.windows.win_ping").items()}
    assert pings == dict.fromkeys(NODES, "pong")


def _cli(lab: Lab, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wsfc_lab.cli", *args, "-d", str(lab.lab_dir)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
