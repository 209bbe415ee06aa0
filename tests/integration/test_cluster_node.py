"""cluster_node through ansible-playbook against running labs (WinRM, the module's emulation)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from playbook import AnsibleRun, run_playbook
from wsfc_lab.lab import Lab
from wsfc_lab.world import ConfigChange
from wsfc_lab.world.cluster import EVENT_STALE_COPY

TASK = "Cluster service"


def run_node_task(
    lab: Lab, tmp_path: Path, host: str, check: bool = False, **options: Any
) -> AnsibleRun:
    """One cluster_node task on one host of the lab."""
    playbook = tmp_path / f"cluster_node_{time.monotonic_ns()}.yml"
    play = {
        "name": "cluster_node",
        "hosts": host,
        "gather_facts": False,
        "tasks": [{"name": TASK, "wsfc.clusterdb.cluster_node": options}],
    }
    playbook.write_text(yaml.safe_dump([play], sort_keys=False), encoding="utf-8")
    return run_playbook(playbook, lab.inventory_path, check=check)


def node_states(lab: Lab) -> dict[str, str]:
    return {n["name"]: n["state"] for n in lab.status()["nodes"]}


def test_stop_then_a_second_stop_changes_nothing(three_node_lab: Lab, tmp_path: Path) -> None:
    first = run_node_task(three_node_lab, tmp_path, "NODE3", state="stopped")
    record = first.of(TASK, "NODE3")
    assert (first.rc, record.status) == (0, "ok"), first.output
    assert record.result["changed"] is True
    assert record.result["node_state"] == "Down"
    assert record.result["service_state_after"] == "stopped"
    assert node_states(three_node_lab) == {"NODE1": "Up", "NODE2": "Up", "NODE3": "Down"}

    second = run_node_task(three_node_lab, tmp_path, "NODE3", state="stopped")
    assert second.rc == 0, second.output
    assert second.of(TASK, "NODE3").result["changed"] is False


def test_start_waits_until_the_node_is_up_and_it_took_the_cluster_copy(
    three_node_lab: Lab, tmp_path: Path
) -> None:
    three_node_lab.service("NODE3", "stop")
    tag = three_node_lab.change(ConfigChange("group", "set", "Reporting", {"owner_node": "NODE1"}))
    run = run_node_task(three_node_lab, tmp_path, "NODE3", state="started", timeout=30)
    result = run.of(TASK, "NODE3").result
    assert run.rc == 0, run.output
    assert result["changed"] is True
    assert (result["node_state_before"], result["node_state"]) == ("Down", "Up")
    status = {n["name"]: n for n in three_node_lab.status()["nodes"]}
    assert status["NODE3"]["paxos_tag"] == tag
    again = run_node_task(three_node_lab, tmp_path, "NODE3", state="started")
    assert again.of(TASK, "NODE3").result["changed"] is False


def test_check_mode_reports_a_change_and_touches_no_node(
    three_node_lab: Lab, tmp_path: Path
) -> None:
    before = three_node_lab.world.read().data
    run = run_node_task(three_node_lab, tmp_path, "NODE2", check=True, state="stopped")
    result = run.of(TASK, "NODE2").result
    assert run.rc == 0, run.output
    assert result["changed"] is True
    assert result["node_state"] == "Up"
    after = three_node_lab.world.read().data
    assert after["nodes"] == before["nodes"]
    assert after["cluster"] == before["cluster"]


def test_a_stop_below_quorum_is_refused_with_the_operators_options(
    three_node_lab: Lab, tmp_path: Path
) -> None:
    three_node_lab.service("NODE3", "stop")
    run = run_node_task(three_node_lab, tmp_path, "NODE2", state="stopped")
    record = run.of(TASK, "NODE2")
    assert run.rc != 0
    assert record.status == "failed"
    assert record.result["error_code"] == 5925
    assert record.result["error"]["name"] == "ERROR_CLUSTER_NO_QUORUM"
    assert record.result["changed"] is False
    assert node_states(three_node_lab)["NODE2"] == "Up"


def stale_two_node_lab(start_lab: Callable[..., Lab]) -> Lab:
    """NODE2 of a file share witness cluster missed a change; then NODE1 went down too."""
    lab = start_lab("two-node-file-share-witness")
    lab.service("NODE2", "stop")
    lab.change(ConfigChange("group", "set", "Reporting", {"owner_node": "NODE1"}))
    with lab.world.transaction() as state:
        state.cluster.stop_service("NODE1", check_quorum=False)  # net stop clussvc
    return lab


def test_a_stale_node_times_out_then_force_quorum_forms_the_cluster(
    start_lab: Callable[..., Lab], tmp_path: Path
) -> None:
    lab = stale_two_node_lab(start_lab)
    started = time.monotonic()
    timed_out = run_node_task(lab, tmp_path, "NODE2", state="started", timeout=2)
    result = timed_out.of(TASK, "NODE2").result
    assert timed_out.rc != 0
    assert time.monotonic() - started >= 2
    assert result["timed_out"] is True
    assert result["error"]["name"] == "TIMEOUT"
    assert node_states(lab)["NODE2"] == "Joining"
    assert lab.world.read().events(EVENT_STALE_COPY, "NODE2")

    # The service already runs, so force_quorum needs a stop first (it applies on a start).
    run_node_task(lab, tmp_path, "NODE2", state="stopped")
    forced = run_node_task(lab, tmp_path, "NODE2", state="started", force_quorum=True)
    result = forced.of(TASK, "NODE2").result
    assert forced.rc == 0, forced.output
    assert result["node_state"] == "Up"
    joined = run_node_task(lab, tmp_path, "NODE1", state="started", prevent_quorum=True)
    assert joined.of(TASK, "NODE1").result["node_state"] == "Up"
    status = lab.status()
    assert status["cluster"]["formed"] is True
    assert len({n["paxos_tag"] for n in status["nodes"]}) == 1


def test_without_wait_the_task_returns_before_the_node_is_up(
    start_lab: Callable[..., Lab], tmp_path: Path
) -> None:
    lab = stale_two_node_lab(start_lab)
    run = run_node_task(lab, tmp_path, "NODE2", state="started", wait=False)
    result = run.of(TASK, "NODE2").result
    assert run.rc == 0, run.output
    assert result["changed"] is True
    assert result["timed_out"] is False
    assert result["elapsed"] < 2
    assert node_states(lab)["NODE2"] == "Joining"
