"""The cluster facts the lab's emulations report, built from the world.

Shared by the emulations of cluster_info, cluster_backup and cluster_restore, which return the
same facts under the same keys and in the same shapes (plugins/modules/cluster_info.py,
RETURN; plugins/module_utils/WsfcClusterFacts.psm1: `cluster_fact` is its Get-WsfcClusterFact,
`hive_paxos_tag` its Get-WsfcPaxosTag). Following windows-cluster-facts.md:
- the Cluster service is ClusSvc; the local copy is %SystemRoot%\\Cluster\\CLUSDB, loaded as
  HKLM\\Cluster while the service runs, so the PaxosTag comes from the running cluster's
  hive then and from the local file otherwise (section 2);
- node states are CLUSTER_NODE_STATE names (section 1); a disk witness reports its
  partition layout (count and offsets) and signature (section 1, restore checks).
"""

from __future__ import annotations

from typing import Any

from wsfc_lab.world import LabState, WindowsError, World

OPERATION_CLUSTER = "Get-Cluster"

QUORUM_TYPES = {
    "none": "NodeMajority",
    "disk": "NodeAndDiskMajority",
    "file_share": "NodeAndFileShareMajority",
}


def local_facts(state: LabState, node: str) -> dict[str, Any]:
    record = state.node(node)
    release = record["os_release"]
    backup_feature = bool(record["features"].get("Windows-Server-Backup"))
    service = record["service"]
    database = record["database"]
    if service["state"] == "running" and database is not None:
        version = {"paxos_tag": database["paxos_tag"], "source": "cluster"}
    elif database is not None:
        version = {"paxos_tag": database["paxos_tag"], "source": "local_copy"}
    else:
        version = {"paxos_tag": None, "source": "none"}
    return {
        "node_name": record["name"],
        "os": {"name": record["os_name"], "version": record["os_version"]},
        "backup_tools": {
            "windows_server_backup": backup_feature,
            # wbadmin.exe ships with the Windows Server Backup feature (2008 and later,
            # facts page section 2); clusapi.dll with every cluster node (section 1).
            "wbadmin": backup_feature and release != "2003",
            "clusapi": bool(record["features"].get("Failover-Clustering")),
        },
        "cluster_service": {
            "installed": bool(service["installed"]),
            "state": service["state"] if service["installed"] else None,
            "start_mode": service["start_mode"] if service["installed"] else None,
        },
        "cluster_database_present": database is not None,
        "configuration_version": version,
        "cluster": None,
        "nodes": [],
        "quorum": None,
        "configuration": None,
    }


def cluster_facts(state: LabState, include_configuration: bool) -> dict[str, Any] | None:
    cluster = state.cluster
    database = cluster.cluster_copy()
    if database is None:
        return None
    record = state.data["cluster"]
    facts: dict[str, Any] = {
        "cluster": {"name": record["name"], "id": record["id"], "domain": record["domain"]},
        "nodes": [
            {"name": name, "id": state.node(name)["id"], "state": cluster.node_state(name)}
            for name in state.node_names()
        ],
        "quorum": {
            "type": QUORUM_TYPES[state.witness["type"]],
            "witness": witness_facts(state, database["objects"]),
        },
    }
    if include_configuration:
        facts["configuration"] = configuration_facts(database["objects"])
    return facts


def witness_facts(state: LabState, objects: dict[str, Any]) -> dict[str, Any]:
    witness = state.witness
    facts: dict[str, Any] = {
        "type": witness["type"],
        "resource": witness["resource"],
        "owner_node": None,
        "path": None,
        "disk": None,
    }
    if witness["type"] == "disk":
        disk = state.disks[witness["disk"]]
        facts["owner_node"] = disk["owner_node"]
        facts["disk"] = {
            "number": disk["number"],
            "signature": disk_signature(disk["signature"]),
            "drive_letter": f"{disk['drive_letter']}:",
            "partitions": [dict(p) for p in disk["partitions"]],
        }
    elif witness["type"] == "file_share":
        facts["path"] = witness["path"]
        resource = objects["resources"].get(witness["resource"] or "")
        facts["owner_node"] = resource["owner_node"] if resource else None
    return facts


def disk_signature(signature: str) -> str:
    """MBR signatures print as '{0:X}' of the number (no leading zeros); GPT ids as stored."""
    if len(signature) == 8:
        return f"{int(signature, 16):X}"
    return signature


def configuration_facts(objects: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    resources = []
    for resource in objects["resources"].values():
        entry = dict(resource)
        entry["parameters"] = dict(resource["parameters"])
        # Get-ClusterResourceDependency reports an expression; the lab writes an AND of
        # every dependency, "[A] and [B]", and "" for none (the facts page is silent).
        entry["dependencies"] = " and ".join(f"[{d}]" for d in resource["dependencies"])
        entry["possible_owners"] = list(resource["possible_owners"])
        resources.append(entry)
    return {
        "groups": [
            dict(g, preferred_owners=list(g["preferred_owners"]))
            for g in objects["groups"].values()
        ],
        "resources": resources,
        "networks": [dict(n) for n in objects["networks"].values()],
    }


def cluster_fact(world: World, node: str, include_configuration: bool) -> dict[str, Any]:
    """Get-WsfcClusterFact: the cluster-wide facts, or cluster_error."""
    try:
        world.operation(node, OPERATION_CLUSTER)
    except WindowsError as error:
        return {"cluster_error": {"code": error.code, "message": error.message}}
    with world.transaction() as state:
        facts = cluster_facts(state, include_configuration)
        database = state.cluster.cluster_copy()
    if facts is None or database is None:
        # Get-Cluster's exception when no node runs the cluster carries no Win32 code the lab
        # can vouch for; the controller reads a null code as "no quorum".
        return {
            "cluster_error": {
                "code": None,
                "message": "The cluster service is not running on any node that could form "
                "the cluster.",
            }
        }
    core = [g for g in database["objects"]["groups"].values() if g.get("is_core_group")]
    facts["core_group_owner"] = core[0]["owner_node"] if core else None
    return facts


def hive_paxos_tag(state: LabState, node: str) -> str | None:
    """Get-WsfcPaxosTag: HKLM\\Cluster\\PaxosTag, loaded only while ClusSvc runs (§2)."""
    record = state.node(node)
    if record["service"]["state"] != "running" or record["database"] is None:
        return None
    return record["database"]["paxos_tag"]
