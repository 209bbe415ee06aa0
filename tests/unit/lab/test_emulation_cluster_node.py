"""The lab's emulation of wsfc.clusterdb.cluster_node, run directly against a world."""

import time
from pathlib import Path

import pytest
import yaml
from cluster_support import cluster_world
from wsfc_lab.emulation import lookup
from wsfc_lab.emulation.framework.invocation import invoke
from wsfc_lab.world import DOWN, JOINING, PAUSED, UP, ConfigChange, PaxosTag, faults
from wsfc_lab.world.cluster import EVENT_STALE_COPY
from wsfc_lab.world.windows_errors import ERROR_ACCESS_DENIED, ERROR_CLUSTER_NO_QUORUM

ROOT = Path(__file__).resolve().parents[3]
MODULE_DOC = ROOT / "plugins" / "modules" / "cluster_node.py"
FQCN = "wsfc.clusterdb.cluster_node"


def make_world(tmp_path, nodes=3, witness="disk"):
    return cluster_world(tmp_path, 81, nodes=nodes, witness=witness)


def run(world, node="N1", check_mode=False, **arguments):
    if check_mode:
        arguments["_ansible_check_mode"] = True
    outcome = invoke(lookup(FQCN), arguments, world=world, node=node)
    return outcome.result


def node_state(world, node):
    with world.transaction() as state:
        return state.cluster.node_state(node)


def documented_module_keys():
    namespace = {}
    exec(compile(MODULE_DOC.read_text(), str(MODULE_DOC), "exec"), namespace)
    doc = yaml.safe_load(namespace["RETURN"])
    return {k for k, v in doc.items() if "added on the controller" not in str(v["description"])}


def make_stale_node(world):
    """N2 of a two-node file share witness cluster misses a change and is then alone."""
    with world.transaction() as state:
        state.cluster.stop_service("N2")
        change = ConfigChange("parameter", "set", "Cluster Name", {"name": "Note", "value": 1})
        state.cluster.change_configuration("N1", change)
        state.cluster.stop_service("N1", check_quorum=False)  # net stop clussvc
        return state.cluster.paxos_tag("N2")


def test_returns_the_documented_keys_of_the_module(tmp_path):
    world = make_world(tmp_path)
    result = run(world, state="started")
    assert set(result) - {"invocation"} == documented_module_keys()


def test_stops_the_service_and_waits_until_the_node_is_down(tmp_path):
    world = make_world(tmp_path)
    result = run(world, node="N3", state="stopped")
    assert result["changed"] is True
    assert (result["service_state_before"], result["service_state_after"]) == (
        "running",
        "stopped",
    )
    assert (result["node_state_before"], result["node_state_after"]) == (UP, DOWN)
    assert result["cluster_name"] == "CLU81"
    assert result["timed_out"] is False
    assert result["error_code"] is None
    assert node_state(world, "N3") == DOWN


def test_a_second_run_changes_nothing(tmp_path):
    world = make_world(tmp_path)
    run(world, node="N3", state="stopped")
    again = run(world, node="N3", state="stopped")
    assert again["changed"] is False
    assert again["service_state_before"] == again["service_state_after"] == "stopped"
    started = run(world, node="N2", state="started")
    assert started["changed"] is False
    assert started["node_state_after"] == UP


def test_starts_a_stopped_node_which_joins_and_takes_the_cluster_copy(tmp_path):
    world = make_world(tmp_path)
    run(world, node="N3", state="stopped")
    with world.transaction() as state:
        change = ConfigChange("parameter", "set", "Cluster Name", {"name": "Note", "value": 2})
        tag = state.cluster.change_configuration("N1", change)
    result = run(world, node="N3", state="started")
    assert result["changed"] is True
    assert (result["node_state_before"], result["node_state_after"]) == (DOWN, UP)
    with world.transaction() as state:
        assert state.cluster.paxos_tag("N3") == tag


def test_check_mode_reports_the_change_and_touches_nothing(tmp_path):
    world = make_world(tmp_path)
    before = world.read().data
    result = run(world, node="N2", check_mode=True, state="stopped")
    assert result["changed"] is True
    assert result["node_state_after"] == result["node_state_before"] == UP
    assert result["service_state_after"] == "running"
    assert world.read().data == before


def test_stop_below_quorum_is_refused_with_5925(tmp_path):
    world = make_world(tmp_path)  # 3 nodes + disk witness: 3 of 4 votes needed
    run(world, node="N3", state="stopped")
    result = run(world, node="N2", state="stopped")
    assert result["failed"] is True
    assert result["changed"] is False
    assert result["error_code"] == ERROR_CLUSTER_NO_QUORUM
    assert result["msg"].startswith("Stop-ClusterNode failed on N2: ")
    assert result["service_state_after"] == "running"
    assert node_state(world, "N2") == UP


def test_a_stale_node_does_not_form_the_cluster_and_the_wait_times_out(tmp_path):
    world = make_world(tmp_path, nodes=2, witness="file_share")
    make_stale_node(world)
    started = time.monotonic()
    result = run(world, node="N2", state="started", timeout=1)
    assert time.monotonic() - started >= 1
    assert result["changed"] is True
    assert result["timed_out"] is True
    assert result["service_state_after"] == "running"
    assert result["node_state_after"] is None  # no cluster to ask
    assert node_state(world, "N2") == JOINING
    assert world.read().events(EVENT_STALE_COPY, "N2")


def test_force_quorum_forms_the_cluster_from_a_stale_copy_which_wins(tmp_path):
    world = make_world(tmp_path, nodes=2, witness="file_share")
    stale = make_stale_node(world)
    result = run(world, node="N2", state="started", force_quorum=True, timeout=5)
    assert result["timed_out"] is False
    assert result["node_state_after"] == UP
    with world.transaction() as state:
        forced = state.cluster.paxos_tag("N2")
        assert PaxosTag.parse(forced).key > PaxosTag.parse(stale).key
        assert PaxosTag.parse(forced).epoch.stamp is not None  # the forced form
        parameters = state.node("N2")["database"]["objects"]["resources"]["Cluster Name"]
        assert "Note" not in parameters["parameters"]
    joined = run(world, node="N1", state="started")
    assert joined["node_state_after"] == UP
    with world.transaction() as state:
        assert state.cluster.paxos_tag("N1") == forced  # the newer copy lost its change


def test_prevent_quorum_starts_a_node_that_does_not_form_a_cluster(tmp_path):
    world = make_world(tmp_path, nodes=2, witness="file_share")
    with world.transaction() as state:
        state.cluster.stop_service("N2")
        state.cluster.stop_service("N1", check_quorum=False)
    result = run(world, node="N1", state="started", prevent_quorum=True, wait=False)
    assert result["changed"] is True
    assert result["timed_out"] is False
    assert node_state(world, "N1") == JOINING


def test_both_quorum_switches_fail_to_bind_and_change_nothing(tmp_path):
    world = make_world(tmp_path)
    run(world, node="N3", state="stopped")
    result = run(world, node="N3", state="started", force_quorum=True, prevent_quorum=True)
    assert result["failed"] is True
    assert result["error_code"] < 0  # an HResult, not a Win32 code
    assert node_state(world, "N3") == DOWN


def test_a_paused_node_counts_as_started(tmp_path):
    world = make_world(tmp_path)
    with world.transaction() as state:
        state.cluster.set_paused("N2", True)
    result = run(world, node="N2", state="started", timeout=1)
    assert result["changed"] is False
    assert result["timed_out"] is False
    assert result["node_state_after"] == PAUSED


def test_a_node_without_the_cluster_service_fails_with_1060(tmp_path):
    world = make_world(tmp_path)
    with world.transaction() as state:
        state.node("N3")["service"]["installed"] = False
    result = run(world, node="N3", state="started")
    assert result["failed"] is True
    assert result["error_code"] == 1060
    assert result["service_state_before"] is None


def test_an_injected_failure_of_the_cmdlet_is_reported_with_its_code(tmp_path):
    world = make_world(tmp_path)
    with world.transaction() as state:
        faults.add_failure(state, "N3", "Stop-ClusterNode", ERROR_ACCESS_DENIED, count=1)
    result = run(world, node="N3", state="stopped")
    assert result["failed"] is True
    assert result["error_code"] == ERROR_ACCESS_DENIED
    assert node_state(world, "N3") == UP
    assert run(world, node="N3", state="stopped")["changed"] is True


@pytest.mark.parametrize(("latency", "arguments"), [
    ("service_stop", {"state": "stopped"}),
    ("service_start", {"state": "started"}),
])  # fmt: skip
def test_the_service_latency_is_spent_in_the_cmdlet(tmp_path, latency, arguments):
    world = make_world(tmp_path)
    if arguments["state"] == "started":
        run(world, node="N3", state="stopped")
    with world.transaction() as state:
        state.latencies[latency] = 0.4
    result = run(world, node="N3", **arguments)
    assert result["changed"] is True
    assert result["elapsed"] >= 0.4


def test_start_cluster_node_without_wait_would_wait_without_limit(tmp_path, monkeypatch):
    """The surface's Start-ClusterNode without -Wait waits for the start, with no limit of its
    own (docs/windows-behaviour.md#start-clusternode): the module passes -Wait 0 so that its
    own timeout applies (the test above); here the cmdlet alone, on a node that cannot join."""
    from wsfc_lab.windows import cluster_cmdlets
    from wsfc_lab.windows.errors import LabSurfaceError
    from wsfc_lab.windows.host import PowerShellHost

    monkeypatch.setattr(cluster_cmdlets, "UNBOUNDED_WAIT_SECONDS", 0.5)
    world = make_world(tmp_path, nodes=2, witness="file_share")
    make_stale_node(world)
    host = PowerShellHost(world, "N2", "Administrator")
    with pytest.raises(LabSurfaceError, match="without -Wait"):
        host.invoke("Start-ClusterNode", Name="N2")
    started = time.monotonic()
    assert host.invoke("Start-ClusterNode", Name="N2", Wait=0) is None
    assert time.monotonic() - started < 0.5
