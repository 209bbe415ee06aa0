"""`wbadmin start recovery -itemtype:app -items:cluster` on a lab node, and RestoreClusterDatabase.

The two routes of the authoritative restore (windows-cluster-facts.md sections 1 and 2);
their effect on the world is world/restore.py, the backups they read are
world/backup_media.py's (docs/lab.md, Contract 4).

wbadmin (registered with wbadmin.py's dispatcher, so `run_wbadmin` runs it):
    wbadmin start recovery -version:<MM/DD/YYYY-HH:MM> -itemtype:app -items:cluster
        -backupTarget:<t> [-machine:<node>] -quiet
The lab recovers only the Cluster application; any other -itemtype/-items fails with a
message that says so. Without -quiet wbadmin asks for a confirmation that a remote session
cannot give. The output wording is *assumed*, as in wbadmin.py: an `ERROR - ` line with the
HRESULT (0x8007xxxx) on failure, "successfully completed" on success.

Order of a recovery, and where faults and latency apply:
1. read the version's snapshot at the target (a missing version or changed bytes fail
   here: nothing has been stopped);
2. check the Cluster service is installed here, record the restore as in progress;
3. stop ClusSvc on every other node in the cluster view, each through the operation
   "Stop-Service ClusSvc" on that node (latency class service_stop; a `fail` fault there
   fails the recovery with the nodes stopped so far left stopped), then on this node;
4. the operation "wbadmin start recovery" on this node (latency class restore; a `fail`
   fault fails it here, after the stops, as a failed route that stopped nodes does); a node
   killed during this latency leaves the restore interrupted (world/restore.py);
5. put the restored copy in place (world/restore.py `complete`).

RestoreClusterDatabase (`restore_cluster_database`) runs the same steps with the operation
"RestoreClusterDatabase" (latency class restore) in step 4, after its own refusals
(120 after 2003; without force 5056 and 5086) and with the quorum disk rewritten (force).
"""

from __future__ import annotations

from datetime import UTC, datetime

from wsfc_lab.world import restore
from wsfc_lab.world.backup_media import Snapshot, read_clusapi_snapshot, read_vss_snapshot
from wsfc_lab.world.errors import WindowsError
from wsfc_lab.world.wbadmin import (
    BANNER,
    WbadminCall,
    WbadminOutput,
    error_line,
    failure,
    wbadmin_command,
)
from wsfc_lab.world.world import World

RECOVERY_OPERATION = "wbadmin start recovery"
CLUSAPI_OPERATION = "RestoreClusterDatabase"
STOP_OPERATION = "Stop-Service ClusSvc"
ERROR_SUCCESS = 0


@wbadmin_command("start", "recovery")
def start_recovery(call: WbadminCall) -> WbadminOutput:
    options = call.options
    version = options.get("version")
    target = options.get("backuptarget")
    if not version:
        return failure(["ERROR - The -version option is required."])
    if (
        options.get("itemtype", "").lower() != "app"
        or options.get("items", "").lower() != "cluster"
    ):
        return failure(
            [
                "ERROR - The lab's wbadmin recovers only the cluster database "
                "(-itemtype:app -items:cluster)."
            ]
        )
    if not target:
        return failure(["ERROR - The -backupTarget option is required by the lab's wbadmin."])
    if "quiet" not in call.switches:
        return failure(
            [
                "Do you want to continue with the recovery operation?",
                "[Y] Yes [N] No N",
                "",
                "The operation was canceled by the user.",
            ]
        )
    lines = ["Retrieving volume information..."]
    try:
        snapshot = read_vss_snapshot(call.world, call.node, target, version, options.get("machine"))
    except WindowsError as error:
        return failure([*lines, error_line(error)])
    lines += [
        f"You have chosen to recover the application Cluster from the backup of "
        f"{snapshot.node} taken at {_shown(snapshot.created)}.",
        "The Cluster service will be stopped on the other nodes of the cluster.",
    ]
    try:
        outcome = run_restore(call.world, call.node, snapshot, restore.VSS)
    except WindowsError as error:
        return failure([*lines, error_line(error)])
    stopped = ", ".join(outcome.stopped_nodes) or "none"
    lines += [
        f"Stopped the Cluster service on: {stopped}.",
        "Starting application recovery...",
        "The recovery operation successfully completed.",
        "The cluster database of this node was restored. Start the Cluster service on this "
        "node first, then on the other nodes.",
    ]
    return WbadminOutput(0, (*BANNER, *lines))


def restore_cluster_database(
    world: World, node: str, path: str, force: bool, quorum_drive: str
) -> int:
    """RestoreClusterDatabase(path, bForce, quorum drive letter): the Win32 code it returns."""
    drive = quorum_drive or None
    try:
        with world.transaction() as state:
            restore.require_clusapi_restore(state, node)
        snapshot = read_clusapi_snapshot(world, node, path)
        with world.transaction() as state:
            if not force:
                restore.check_without_force(state, node, snapshot, drive)
        run_restore(world, node, snapshot, restore.CLUSAPI, force=force, quorum_drive=drive)
    except WindowsError as error:
        return error.code
    return ERROR_SUCCESS


def run_restore(
    world: World,
    node: str,
    snapshot: Snapshot,
    route: str,
    *,
    force: bool = False,
    quorum_drive: str | None = None,
) -> restore.RestoreOutcome:
    """Steps 2 to 5 above; WindowsError when a step fails (the record says failed)."""
    with world.transaction() as state:
        restore.require_service_installed(state, node)
        restore.begin(state, node, route)
        others = restore.nodes_to_stop(state, node)
    try:
        for other in [*others, node]:
            world.operation(other, STOP_OPERATION)
            with world.transaction() as state:
                restore.stop_service_for_restore(state, other, node)
        world.operation(node, RECOVERY_OPERATION if route == restore.VSS else CLUSAPI_OPERATION)
    except WindowsError as error:
        with world.transaction() as state:
            restore.fail(state, node, error)
        raise
    with world.transaction() as state:
        return restore.complete(
            state, node, snapshot, rewrite_quorum_disk=force, quorum_drive=quorum_drive
        )


def _shown(created: str) -> str:
    moment = datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    hour = moment.hour % 12 or 12
    suffix = "AM" if moment.hour < 12 else "PM"
    return f"{moment.month}/{moment.day}/{moment.year} {hour}:{moment.minute:02d} {suffix}"
