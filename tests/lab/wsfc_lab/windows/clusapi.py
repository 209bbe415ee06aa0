"""The collection's C# util over clusapi.dll (plugins/module_utils/ClusApi.cs):
ClusterDatabase.Backup and ClusterDatabase.Restore, returning the raw Win32 code (fact
clusapi-backup-restore).

BackupClusterDatabase: OpenCluster(NULL) first (RPC server unavailable, 1722, while this
node's Cluster service is stopped; ERROR_CLUSTER_NO_QUORUM without quorum: both
*unconfirmed*); then 120 on Windows Server 2008 and later (MS-CMRP opnum 104); on 2003 a
path that names a file gives 267, and otherwise the documented file set is written
(world/backup_media.py). The path is written by the node that owns the quorum resource
("must be visible at least to the node that owns the quorum resource"): a local path on
another node lands on the owner's disk.
"""

from __future__ import annotations

from wsfc_lab.windows.host import PowerShellHost
from wsfc_lab.world import LabState, WindowsError
from wsfc_lab.world import wbadmin_recovery as recovery
from wsfc_lab.world.backup_media import take_snapshot, write_clusapi_backup
from wsfc_lab.world.windows_errors import (
    ERROR_CALL_NOT_IMPLEMENTED,
    ERROR_CLUSTER_NO_QUORUM,
    ERROR_DIRECTORY,
    ERROR_PATH_NOT_FOUND,
    RPC_S_SERVER_UNAVAILABLE,
)

OPERATION_OPEN_CLUSTER = "OpenCluster"
OPERATION_BACKUP = "BackupClusterDatabase"


def backup(host: PowerShellHost, cluster_name: str, path: str) -> int:
    """ClusterDatabase.Backup(cluster_name, path): OpenCluster then BackupClusterDatabase."""
    world, node = host.world, host.node
    try:
        world.operation(node, OPERATION_OPEN_CLUSTER)
        with world.transaction() as state:
            name = state.node_name(node)
            record = state.node(name)
            if record["service"]["state"] != "running":
                return RPC_S_SERVER_UNAVAILABLE
            if state.cluster.cluster_copy() is None:
                return ERROR_CLUSTER_NO_QUORUM
            if record["os_release"] != "2003":
                return ERROR_CALL_NOT_IMPLEMENTED
            owner = quorum_owner(state) or name
            snapshot = take_snapshot(state, owner)
        world.operation(node, OPERATION_BACKUP)
        real = world.resolve_path(owner, path)
        if real.exists() and not real.is_dir():
            return ERROR_DIRECTORY
        if not real.is_dir():
            return ERROR_PATH_NOT_FOUND
        write_clusapi_backup(world, owner, path, snapshot)
    except WindowsError as error:
        return error.code
    return 0


def restore(host: PowerShellHost, path: str, force: bool, quorum_drive: str) -> int:
    """ClusterDatabase.Restore(path, force, quorum drive): RestoreClusterDatabase."""
    return recovery.restore_cluster_database(host.world, host.node, path, force, quorum_drive)


def quorum_owner(state: LabState) -> str | None:
    """The node that owns the quorum resource: the witness disk's owner, else the owner of
    the core cluster group (a node majority cluster has no quorum disk)."""
    witness = state.witness
    if witness["type"] == "disk" and witness.get("disk"):
        return state.disks[witness["disk"]]["owner_node"]
    database = state.cluster.cluster_copy()
    for group in database["objects"]["groups"].values() if database else []:
        if group.get("is_core_group"):
            return group["owner_node"]
    return None
