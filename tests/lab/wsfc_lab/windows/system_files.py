"""Files Windows itself keeps on a node, as the lab's world implies them.

- `%SystemRoot%\\Cluster\\CLUSDB`: this node's copy of the cluster database (fact
  cluster-database), present while the node holds a copy. Its bytes are the lab's own: a
  JSON document of the values the ports read from the hive (PaxosTag, ClusterName, the node
  names), so that a copy of the file loaded with reg load reads as the original would.
- `%SystemRoot%\\System32\\wbadmin.exe`: present with the Windows Server Backup feature on
  2008 and later (fact windows-server-backup-feature).
- `%SystemRoot%\\System32\\clusapi.dll`: present with the Failover Clustering feature (fact
  clusapi-backup-restore).
"""

from __future__ import annotations

import json
from typing import Any

from wsfc_lab.world import LabState
from wsfc_lab.world.wbadmin import is_installed

CLUSDB = "c:\\windows\\cluster\\clusdb"
WBADMIN = "c:\\windows\\system32\\wbadmin.exe"
CLUSAPI = "c:\\windows\\system32\\clusapi.dll"


def system_file(state: LabState, node: str, windows_path: str) -> bytes | None:
    """The content of a system file the world implies, None when there is none at the path
    (the path is then an ordinary one of the node's file system)."""
    key = windows_path.replace("/", "\\").rstrip("\\").lower()
    record = state.node(node)
    if key == CLUSDB:
        return clusdb_bytes(state, node) if record["database"] is not None else None
    if key == WBADMIN:
        return b"MZ wbadmin" if is_installed(state, node) else None
    if key == CLUSAPI:
        return b"MZ clusapi" if record["features"].get("Failover-Clustering") else None
    return None


def is_system_path(windows_path: str) -> bool:
    return windows_path.replace("/", "\\").rstrip("\\").lower() in (CLUSDB, WBADMIN, CLUSAPI)


def hive_values(state: LabState, node: str) -> dict[str, Any]:
    """The values of this node's copy of the database that the ports read (fact
    cluster-database; ClusterName and Nodes\\<id>\\NodeName are *unconfirmed* there)."""
    database = state.node(node)["database"]
    return {
        "PaxosTag": database["paxos_tag"],
        "ClusterName": state.data["cluster"]["name"],
        "Nodes": {str(state.node(n)["id"]): state.node(n)["name"] for n in state.node_names()},
    }


def clusdb_bytes(state: LabState, node: str) -> bytes:
    return json.dumps(hive_values(state, node), sort_keys=True).encode("utf-8")
