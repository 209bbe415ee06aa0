"""The authoritative restore of the cluster database: what it does to the world.

Both routes end the same way; they differ in what they check and stop first. Everything
here follows docs/windows-behaviour.md (the "facts page": #clusapi-backup-restore,
#wbadmin-start-recovery):

- Both routes need the Cluster service installed on the restoring node (#wbadmin-start-recovery;
  ERROR_SERVICE_DOES_NOT_EXIST, 1060, otherwise).
- vss, `wbadmin start recovery -itemtype:app -items:cluster` (#wbadmin-start-recovery): the command
  stops
  the Cluster service on the other nodes in the cluster view (every other node whose machine
  runs and whose service runs, Joining ones included) and restores; it has no force switch.
- clusapi, RestoreClusterDatabase(path, bForce, quorum drive) (#clusapi-backup-restore): answers
  ERROR_CALL_NOT_IMPLEMENTED (120) on every node but a Windows Server 2003 one. Without
  force it refuses with ERROR_CLUSTER_NODE_UP (5056) while another node is active and with
  ERROR_QUORUM_DISK_NOT_FOUND (5086) while the quorum disk's partition count or offsets
  differ from the backup's (signature and drive letter need not match). With force it
  stops the other nodes' service and rewrites the quorum disk's signature and drive letter
  to the backed-up values. A quorum drive letter names a replacement quorum disk: that
  disk becomes the quorum disk and its layout is not compared.
- The restored copy replaces the restoring node's copy (CLUSDB, which can be replaced only
  while the node's own service is stopped: the restore stops it when it still runs, as it
  need not run there, #wbadmin-start-recovery) and is given a new epoch,
  newer than every copy in the cluster, so that it wins: the restoring node forms the
  cluster with it when started first, and the other nodes take it as they join (join sync,
  world/cluster.py). The witness learns the new tag (see `_tell_the_witness`), so a node
  with an older copy started first does not form the cluster (event 1561) unless forced.
  The restoring node's service is left stopped: the module's documentation says to start
  it first, then the others.
- Cluster disks other than the quorum disk that were added or changed since the backup stay
  offline after the restore (#clusapi-backup-restore): a changed disk resource comes back Offline
  in the
  restored copy; an added one is not in the restored copy at all (its disk is not online in
  the cluster). Both are listed in the node's restore record.

Crash semantics (docs/lab.md, faults: a node crash kills the node process). The restore
runs in steps, each its own transaction: begin (a record `in_progress` with the process
id), stop the services, wait the route's latency, then complete in one transaction
(copy, epoch, disks, record `completed`). A node killed before the last step leaves: the
services the restore stopped stopped, its own copy unchanged (the old configuration, old
tag), and the record `in_progress` with a dead process, which `restore_status` reports as
`interrupted`. Nothing half-written exists, because state.json is replaced atomically. The
restore did not happen: run it again; started as they are, the nodes form the cluster
with the old configuration.

State: the node extension `restore` of the restoring node: status (in_progress, failed,
completed), route, pid, started, and when completed paxos_tag, stopped_nodes,
offline_disks, quorum_disk.
"""

from __future__ import annotations

import copy
import os
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from wsfc_lab.world.liveness import process_alive
from wsfc_lab.world.paxos import newest
from wsfc_lab.world.windows_errors import (
    ERROR_CALL_NOT_IMPLEMENTED,
    ERROR_CLUSTER_NODE_UP,
    ERROR_QUORUM_DISK_NOT_FOUND,
    ERROR_SERVICE_DOES_NOT_EXIST,
    WindowsError,
)

if TYPE_CHECKING:
    from wsfc_lab.world.backup_media import Snapshot
    from wsfc_lab.world.state import LabState

EXTENSION = "restore"
VSS = "vss"
CLUSAPI = "clusapi"
IN_PROGRESS, FAILED, COMPLETED, INTERRUPTED = "in_progress", "failed", "completed", "interrupted"
DISK_RESOURCE_TYPE = "physical disk"
# Fields of a disk resource that are its configuration (state and owner change at run time).
_RUNTIME_FIELDS = frozenset({"state", "owner_node"})


@dataclass(frozen=True)
class RestoreOutcome:
    """What a completed restore did."""

    paxos_tag: str
    stopped_nodes: tuple[str, ...]
    offline_disks: tuple[str, ...]
    quorum_disk: str | None


# -- checks ------------------------------------------------------------------------------------


def require_service_installed(state: LabState, node: str) -> None:
    """Both routes restore into the Cluster service's database (#cluster-database)."""
    record = state.node(node)
    if not record["service"]["installed"]:
        raise WindowsError(
            ERROR_SERVICE_DOES_NOT_EXIST,
            f"The Cluster service is not installed on {record['name']}",
        )


def require_clusapi_restore(state: LabState, node: str) -> None:
    """RestoreClusterDatabase does nothing but answer 120 after Windows Server 2003."""
    record = state.node(node)
    if record["os_release"] != "2003":
        raise WindowsError(
            ERROR_CALL_NOT_IMPLEMENTED,
            f"RestoreClusterDatabase is not implemented on {record['os_name']}",
        )


def nodes_to_stop(state: LabState, node: str) -> list[str]:
    """The other nodes in the cluster view whose Cluster service runs."""
    node = state.node_name(node)
    cluster = state.cluster
    return [n for n in cluster.active_nodes() if n != node]


def quorum_disk_name(state: LabState, quorum_drive: str | None) -> str | None:
    """The quorum disk the restore uses: the disk named by the drive letter of a replacement
    (5086 when no disk has it), else the current witness disk (None without a disk witness)."""
    if quorum_drive:
        letter = quorum_drive.strip().rstrip(":").upper()
        for name, disk in state.disks.items():
            if str(disk["drive_letter"]).upper() == letter:
                return name
        raise WindowsError(
            ERROR_QUORUM_DISK_NOT_FOUND, f"No cluster disk has the drive letter {quorum_drive}"
        )
    if state.witness["type"] == "disk":
        return state.witness["disk"]
    return None


def layout(disk: dict[str, Any]) -> tuple[int, tuple[int, ...]]:
    """What a restore without force compares: the partition count and offsets."""
    offsets = tuple(int(p["offset"]) for p in disk["partitions"])
    return len(offsets), offsets


def check_without_force(
    state: LabState, node: str, snapshot: Snapshot, quorum_drive: str | None
) -> None:
    """RestoreClusterDatabase with bForce FALSE: 5056, then 5086 (#clusapi-backup-restore)."""
    active = nodes_to_stop(state, node)
    if active:
        raise WindowsError(
            ERROR_CLUSTER_NODE_UP,
            "The Cluster service is running on other nodes of the cluster: " + ", ".join(active),
        )
    backed_up = snapshot.quorum_disk()
    current = quorum_disk_name(state, quorum_drive)
    if backed_up is None or quorum_drive:
        return
    if current is None:
        raise WindowsError(
            ERROR_QUORUM_DISK_NOT_FOUND, "The cluster has no quorum disk; the backup has one"
        )
    if layout(state.disks[current]) != layout(backed_up):
        count, offsets = layout(state.disks[current])
        was_count, was_offsets = layout(backed_up)
        raise WindowsError(
            ERROR_QUORUM_DISK_NOT_FOUND,
            f"The quorum disk {current} has {count} partition(s) at {list(offsets)}; the "
            f"backup's had {was_count} at {list(was_offsets)}",
        )


# -- steps -------------------------------------------------------------------------------------


def begin(state: LabState, node: str, route: str) -> None:
    """Record the restore as running in this process (see the crash semantics above)."""
    state.node_extension(node, EXTENSION).clear()
    state.node_extension(node, EXTENSION).update(
        status=IN_PROGRESS, route=route, pid=os.getpid(), started=time.time(), stopped_nodes=[]
    )


def service_runs(state: LabState, node: str) -> bool:
    """Whether ClusSvc runs on `node` (its machine up and the service started)."""
    node = state.node_name(node)
    return state.cluster.machine_running(node) and state.cluster.service_running(node)


def stop_service_for_restore(state: LabState, node: str, restoring: str) -> bool:
    """Stop ClusSvc on `node` as the restore does, through the service control manager
    (no quorum check); False when it was not running. Recorded in the restoring node's
    record."""
    if not service_runs(state, node):
        return False
    node = state.node_name(node)
    state.cluster.stop_service(node, check_quorum=False)
    record = state.node_extension(restoring, EXTENSION)
    if node != state.node_name(restoring):
        record.setdefault("stopped_nodes", []).append(node)
    return True


def fail(state: LabState, node: str, error: WindowsError) -> None:
    """The route failed: the record says so (what it stopped stays recorded)."""
    record = state.node_extension(node, EXTENSION)
    record.update(status=FAILED, error={"code": error.code, "message": error.message})


def complete(
    state: LabState,
    node: str,
    snapshot: Snapshot,
    *,
    rewrite_quorum_disk: bool = False,
    quorum_drive: str | None = None,
) -> RestoreOutcome:
    """Put the restored copy in place with a new epoch, in one transaction."""
    node = state.node_name(node)
    cluster = state.cluster
    if cluster.service_running(node):
        cluster.stop_service(node, check_quorum=False)
    quorum_disk = quorum_disk_name(state, quorum_drive)
    if quorum_drive and quorum_disk and state.witness["type"] == "disk":
        # The replacement becomes the witness disk.
        state.witness["disk"] = quorum_disk
        state.witness["resource"] = quorum_disk
    offline, added = disks_changed_since(state, snapshot, quorum_disk)
    database = snapshot.database()
    for name in offline:
        database["objects"]["resources"][name]["state"] = "Offline"
    cluster.replace_node_database(node, database)
    tag = cluster.make_authoritative(node)
    _tell_the_witness(state, node, tag)
    backed_up_quorum = snapshot.quorum_disk()
    if rewrite_quorum_disk and quorum_disk and backed_up_quorum:
        disk = state.disks[quorum_disk]
        disk["signature"] = backed_up_quorum["signature"]
        disk["drive_letter"] = backed_up_quorum["drive_letter"]
    record = state.node_extension(node, EXTENSION)
    stopped = tuple(record.get("stopped_nodes", []))
    offline_disks = tuple(sorted(offline + added))
    record.update(
        status=COMPLETED,
        paxos_tag=tag,
        offline_disks=list(offline_disks),
        quorum_disk=quorum_disk,
        finished=time.time(),
    )
    cluster.reconcile()
    return RestoreOutcome(tag, stopped, offline_disks, quorum_disk)


def _tell_the_witness(state: LabState, node: str, tag: str) -> None:
    """The witness learns the restored copy is the latest, so that a node with an older copy
    does not form the cluster before the restoring node (event 1561, world/cluster.py).
    *Unconfirmed* on the facts page (a lab choice): a disk witness gets the restored copy
    (0.Cluster is a copy of the database, #cluster-database); a file share witness remembers the
    tag, as world/cluster.py lets it."""
    witness = state.witness
    if witness["type"] == "none":
        return
    if witness["type"] == "disk" and witness.get("database") is not None:
        witness["database"] = copy.deepcopy(state.node(node)["database"])
    witness["paxos_tag"] = tag


# -- facts -------------------------------------------------------------------------------------


def disks_changed_since(
    state: LabState, snapshot: Snapshot, quorum_disk: str | None
) -> tuple[list[str], list[str]]:
    """Disk resources other than the quorum disk that changed since the backup (in both the
    latest configuration and the backup) and those added since (in the latest only).

    The latest configuration is the newest copy any node or the disk witness holds; a disk
    changed when its resource's configuration or its physical layout (signature,
    partitions) differs from the backup's."""
    latest = _latest_objects(state)
    if latest is None:
        return [], []
    skip = {(quorum_disk or "").upper(), str(snapshot.witness.get("disk") or "").upper()}
    backed_up = snapshot.objects["resources"]
    changed: list[str] = []
    added: list[str] = []
    for name, resource in latest["resources"].items():
        if str(resource.get("type", "")).lower() != DISK_RESOURCE_TYPE or name.upper() in skip:
            continue
        old = _find(backed_up, name)
        if old is None:
            added.append(name)
        elif _configuration(old) != _configuration(resource) or _disk_changed(
            state, snapshot, name
        ):
            changed.append(name)
    return sorted(changed), sorted(added)


def restore_status(state: LabState, node: str) -> str | None:
    """The last restore on `node`: in_progress, interrupted (its process died before it
    completed), failed, completed; None when the node never ran one."""
    record = state.node_extension(node, EXTENSION)
    status = record.get("status")
    if status != IN_PROGRESS:
        return status
    pid = int(record["pid"])
    alive = state.cluster.machine_running(node) and (pid == os.getpid() or _pid_alive(pid, state))
    return IN_PROGRESS if alive else INTERRUPTED


def _pid_alive(pid: int, state: LabState) -> bool:
    """A node process (supervised lab), or any process (a world used directly)."""
    if state.data.get("supervised"):
        return process_alive(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _latest_objects(state: LabState) -> dict[str, Any] | None:
    copies = [state.node(n)["database"] for n in state.node_names()]
    copies.append(state.witness.get("database"))
    copies = [c for c in copies if c]
    tag = newest([c["paxos_tag"] for c in copies])
    for database in copies:
        if database["paxos_tag"] == tag:
            return copy.deepcopy(database["objects"])
    return None


def _find(table: dict[str, Any], name: str) -> dict[str, Any] | None:
    for key, value in table.items():
        if key.upper() == name.upper():
            return value
    return None


def _configuration(resource: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in resource.items() if k not in _RUNTIME_FIELDS}


def _disk_changed(state: LabState, snapshot: Snapshot, name: str) -> bool:
    now = _find(state.disks, name)
    then = _find(snapshot.disks, name)
    if now is None or then is None:
        return now is not then
    return (now["signature"], layout(now)) != (then["signature"], layout(then))
