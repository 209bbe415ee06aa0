"""The lab's emulation of wsfc.clusterdb.cluster_info against the simulated world."""

from pathlib import Path

import pytest
import yaml
from wsfc_lab.emulation import lookup
from wsfc_lab.emulation.framework.invocation import invoke
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
    # NODE2 does not own the witness disk: MSCluster_DiskPartition has no offsets and
    # Get-Partition is asked on the owner only (docs/windows-behaviour.md#get-partition).
    assert witness["owner_node"] == "NODE1"
    assert witness["disk"]["offsets_read"] is False
    assert [
        (p["offset"], p["size"], p["total_size_mb"]) for p in witness["disk"]["partitions"]
    ] == [(None, None, 511)]
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


def test_the_owner_of_the_witness_disk_reads_the_byte_offsets(world):
    disk = run(world, node="NODE1")["quorum"]["witness"]["disk"]
    assert disk["offsets_read"] is True
    assert disk["id_type"] == "mbr" and disk["gpt_guid"] is None
    assert [(p["number"], p["offset"], p["size"]) for p in disk["partitions"]] == [
        (1, 1048576, 535822336)
    ]


GPT_ID = "6f4e2b1a-93c2-4d0e-8a51-0c3b9e7d2f10"


def gpt_world(tmp_path, witness_signature):
    """The three-node example with a GPT witness disk and a GPT data disk listed first:
    a lookup by signature alone (0 or null for both) would find the wrong disk."""
    data = yaml.safe_load(EXAMPLE.read_text())
    data_disk = {
        "name": "Data GPT",
        "signature": "0a1b2c3d-0000-4000-8000-000000000001",
        "drive_letter": "S",
        "owner": "NODE2",
        "partitions": [{"offset": 16777216, "size": 1073741824}],
    }
    witness_disk = {
        "name": "Cluster Disk 1",
        "signature": witness_signature,
        "drive_letter": "Q",
        "partitions": [
            {"offset": 17825792, "size": 535822336},
            {"offset": 553648128, "size": 104857600},
        ],
    }
    data["disks"] = [data_disk, witness_disk]
    data["witness"] = {"type": "disk", "disk": "Cluster Disk 1"}
    spec_file = tmp_path / "gpt.yml"
    spec_file.write_text(yaml.safe_dump(data))
    return World.create(tmp_path / "lab", load_spec(spec_file))


def test_a_gpt_witness_is_found_by_its_guid_with_its_real_layout(tmp_path):
    world = gpt_world(tmp_path, GPT_ID)
    disk = run(world, node="NODE1")["quorum"]["witness"]["disk"]
    assert disk["id_type"] == "gpt"
    assert disk["gpt_guid"] == GPT_ID and disk["signature"] is None
    assert disk["drive_letter"] == "Q:"
    assert [(p["offset"], p["size"]) for p in disk["partitions"]] == [
        (17825792, 535822336),
        (553648128, 104857600),
    ]


def test_a_stopped_node_reads_a_copy_of_its_database_and_leaves_no_hive_loaded(world):
    with world.transaction() as state:
        state.cluster.stop_service("NODE3")
        tag = state.node("NODE3")["database"]["paxos_tag"]
    result = run(world, node="NODE3")
    assert result["configuration_version"] == {"paxos_tag": tag, "source": "local_copy"}
    state = world.read()
    assert state.node_extension("NODE3", "registry_hives") == {}
    temp = state.resolve_path("NODE3", "C:\\Windows\\Temp")
    assert not temp.exists() or not any(temp.iterdir())


def test_a_failed_unload_is_reported_with_the_key_to_unload(world):
    with world.transaction() as state:
        state.cluster.stop_service("NODE3")
        faults.add_failure(state, "NODE3", "reg unload", 5, count=1)
    result = run(world, node="NODE3")
    assert result["configuration_version"]["source"] == "local_copy"
    assert any("reg unload HKLM\\WSFC_CLUSDB_" in w for w in result["warnings"])
    # The hive stays loaded, as on Windows, until someone unloads it.
    assert len(world.read().node_extension("NODE3", "registry_hives")) == 1


def test_the_running_database_file_is_never_loaded(world):
    """With the service running the hive is read in place; reg load of the live CLUSDB, which
    the service holds open, is refused by the lab as Windows refuses a file in use."""
    from wsfc_lab.windows.host import PowerShellHost

    host = PowerShellHost(world, "NODE1", "Administrator")
    run_ = host.native(
        "C:\\Windows\\System32\\reg.exe", ["load", "HKLM\\X", "C:\\Windows\\Cluster\\CLUSDB"]
    )
    assert run_.exit_code == 1 and run_.output.startswith("ERROR:")
