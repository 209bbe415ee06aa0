"""`wbadmin start recovery -itemtype:app -items:cluster` on a lab node, and RestoreClusterDatabase.

The two routes of the authoritative restore (docs/windows-behaviour.md#wbadmin-start-recovery,
docs/windows-behaviour.md#clusapi-backup-restore);
their effect on the world is world/restore.py, the backups they read are
world/backup_media.py's (docs/lab.md, Contract 4).

wbadmin (registered with wbadmin.py's dispatcher, so `run_wbadmin` runs it):
    wbadmin start recovery -version:<MM/DD/YYYY-HH:MM> -itemtype:app -items:cluster
        -backupTarget:<t> -machine:<node> -quiet
The lab recovers only the Cluster application; any other -itemtype/-items fails with a
message that says so. `-machine` must be given whenever `-backupTarget` is
(docs/windows-behaviour.md#wbadmin-start-recovery: "This parameter must be used when the
-backupTarget parameter is specified"); the lab refuses without it, before reading anything.
What Windows' wbadmin prints and returns then is not documented: the lab's refusal is an
error line and exit code 1 in its own words. Without -quiet wbadmin asks for a confirmation
that a remote session cannot give. The output wording is the lab's own, in the node's
display language (wbadmin.py, WORDING): an error line with the HRESULT (0x8007xxxx) on
failure.

Order of a recovery, and where faults and latency apply:
1. read the version's snapshot at the target (a missing version or changed bytes fail
   here: nothing has been stopped);
2. check the Cluster service is installed here, record the restore as in progress;
3. stop ClusSvc on every other node in the cluster view, each through the operation
   "Stop-Service ClusSvc" on that node (latency class service_stop; a `fail` fault there
   fails the recovery with the nodes stopped so far left stopped), then on this node when
   it runs there (it need not: the service need only be installed);
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
from wsfc_lab.world.wbadmin import (
    WbadminCall,
    WbadminOutput,
    banner,
    error_line,
    failure,
    local_time,
    wbadmin_command,
)
from wsfc_lab.world.windows_errors import WindowsError
from wsfc_lab.world.world import World

RECOVERY_OPERATION = "wbadmin start recovery"
CLUSAPI_OPERATION = "RestoreClusterDatabase"
STOP_OPERATION = "Stop-Service ClusSvc"
ERROR_SUCCESS = 0


@wbadmin_command("start", "recovery")
def start_recovery(call: WbadminCall) -> WbadminOutput:
    options = call.options
    language = call.language
    version = options.get("version")
    target = options.get("backuptarget")

    def refused(key: str) -> WbadminOutput:
        return failure([call.say("error", text=call.say(key))], language)

    if not version:
        return refused("version_required")
    if (
        options.get("itemtype", "").lower() != "app"
        or options.get("items", "").lower() != "cluster"
    ):
        return refused("only_cluster")
    if not target:
        return refused("recovery_target_required")
    if not options.get("machine"):
        return refused("machine_required")
    if "quiet" not in call.switches:
        return failure(
            [call.say("confirm_recovery"), call.say("answer_no"), "", call.say("canceled")],
            language,
        )
    lines = [call.say("retrieving")]
    try:
        snapshot = read_vss_snapshot(call.world, call.node, target, version, options["machine"])
    except WindowsError as error:
        return failure([*lines, error_line(error, language=language)], language)
    lines += [
        call.say("recover_from", node=snapshot.node, time=_shown(snapshot.created, language)),
        call.say("stop_others"),
    ]
    try:
        outcome = run_restore(call.world, call.node, snapshot, restore.VSS)
    except WindowsError as error:
        return failure([*lines, error_line(error, language=language)], language)
    stopped = ", ".join(outcome.stopped_nodes) or call.say("none")
    lines += [
        call.say("stopped", nodes=stopped),
        call.say("app_recovery"),
        call.say("recovery_done"),
        call.say("start_first"),
    ]
    return WbadminOutput(0, (*banner(language), *lines))


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
        # The service need only be installed on the node being restored, not running
        # (docs/windows-behaviour.md#wbadmin-start-recovery): one already stopped is not
        # stopped again.
        here = [node] if restore.service_runs(state, node) else []
    try:
        for other in [*others, *here]:
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


def _shown(created: str, language: str) -> str:
    moment = datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return local_time(moment, language)
