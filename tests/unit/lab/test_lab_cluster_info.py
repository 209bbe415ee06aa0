"""The lab's emulation of wsfc.clusterdb.cluster_info against the simulated world."""

from pathlib import Path

import pytest
import yaml
from wsfc_lab.emulation import lookup
from wsfc_lab.emulation.invocation import invoke
from wsfc_lab.spec import load_spec
from wsfc_lab.world import ConfigChange, World, faults

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "tests" / "lab" / "examples" / "three-node.yml"
MODULE_DOC = ROOT / "plugins" / "modules" / "cluster_info.py"


def documented_returns():
    namespace = {}
    exec(compile(MODULE_DOC.read_text(), str(MODULE_DOC), "exec"), namespace)
    return yaml.safe_load(namespace["RETURN"])


def from_module(entry):
    """Documented keys the module itself returns (the controller adds the others)."""
    return "added on the controller" not in str(entry.get("description", ""))


def assert_matches_doc(value, doc, where):
    """Keys of `value` are the documented ones, recursively through `contains`."""
    if value is None or "contains" not in doc:
        return
    items = value if doc.get("type") == "list" else [value]
    for item in items:
        expected = {k for k, v in doc["contains"].items() if from_module(v)}
        assert set(item) == expected, where
        for key, sub in doc["contains"].items():
            if key in item:
                assert_matches_doc(item[key], sub, f"{where}.{key}")


@pytest.fixture
def world(tmp_path):
    return World.create(tmp_path / "lab", load_spec(EXAMPLE))


def run(world, node="NODE1", **arguments):
    outcome = invoke(lookup("wsfc.clusterdb.cluster_info"), arguments, world=world, node=node)
    return outcome.result


def test_returns_exactly_the_documented_keys_and_shapes(world):
    result = run(world)
    doc = documented_returns()
    module_keys = {k for k, v in doc.items() if from_module(v)}
    assert module_keys <= set(result)
    assert set(result) - module_keys <= {"changed", "invocation", "warnings"}
    for key in module_keys:
        assert_matches_doc(result[key], doc[key], key)


def test_reports_the_running_cluster(world):
    result = run(world, node="NODE2")
    assert result["node_name"] == "NODE2"
    assert result["cluster"]["name"] == "CLU01"
    assert [(n["name"], n["state"]) for n in result["nodes"]] == [
        ("NODE1", "Up"), ("NODE2", "Up"), ("NODE3", "Up"),
    ]  # fmt: skip
    assert result["cluster_service"] == {
        "installed": True,
        "state": "running",
        "start_mode": "auto",
    }
    assert result["configuration_version"]["source"] == "cluster"
    witness = result["quorum"]["witness"]
    assert result["quorum"]["type"] == "NodeAndDiskMajority"
    assert witness["disk"]["drive_letter"] == "Q:"
    assert witness["disk"]["signature"] == "5A3C91E2"
    assert [p["offset"] for p in witness["disk"]["partitions"]] == [1048576]
    resources = {r["name"]: r for r in result["configuration"]["resources"]}
    assert resources["FileServer-01"]["dependencies"] == "[FileServer-01 IP]"
    assert result["os"]["version"] == "10.0.20348"
    assert result["backup_tools"] == {
        "windows_server_backup": True,
        "wbadmin": True,
        "clusapi": True,
    }


def test_a_change_shows_in_the_version_and_the_objects(world):
    before = run(world)["configuration_version"]["paxos_tag"]
    with world.transaction() as state:
        tag = state.cluster.change_configuration(
            "NODE3",
            ConfigChange(
                "parameter", "set", "FileServer-01 IP", {"name": "Address", "value": "10.0.0.60"}
            ),
        )
    result = run(world)
    assert result["configuration_version"]["paxos_tag"] == tag != before
    resources = {r["name"]: r for r in result["configuration"]["resources"]}
    assert resources["FileServer-01 IP"]["parameters"]["Address"] == "10.0.0.60"
    assert run(world, include_configuration=False)["configuration"] is None


def test_a_stopped_node_reads_its_local_copy_and_the_cluster_through_the_others(world):
    with world.transaction() as state:
        state.cluster.stop_service("NODE3")
    result = run(world, node="NODE3")
    assert result["cluster_service"]["state"] == "stopped"
    assert result["configuration_version"]["source"] == "local_copy"
    assert {n["name"]: n["state"] for n in result["nodes"]}["NODE3"] == "Down"


def test_without_a_formed_cluster_the_cluster_facts_are_null_with_a_warning(world):
    with world.transaction() as state:
        for node in ("NODE2", "NODE3"):
            state.cluster.stop_service(node, check_quorum=False)
    result = run(world)
    assert result["cluster"] is None and result["nodes"] == [] and result["quorum"] is None
    assert result["configuration"] is None
    assert any("could not be reached" in w for w in result["warnings"])
    assert result["configuration_version"]["paxos_tag"]


def test_an_injected_failure_of_get_cluster_is_a_warning(world):
    with world.transaction() as state:
        faults.add_failure(state, "NODE1", "Get-Cluster", 1722, count=1)
    result = run(world)
    assert result["cluster"] is None
    assert result["warnings"]
    assert run(world)["cluster"]["name"] == "CLU01"
