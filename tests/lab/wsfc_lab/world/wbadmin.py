"""wbadmin.exe on a lab node: what it does to the world and the text it prints.

Commands (windows-cluster-facts.md §2, the wbadmin documentation):
    wbadmin start systemstatebackup -backupTarget:<volume or \\\\server\\share> -quiet
    wbadmin get versions [-backupTarget:<t>] [-machine:<node>]
    wbadmin get items -version:<MM/DD/YYYY-HH:MM> [-backupTarget:<t>] [-machine:<node>]
Other verbs register themselves with `@wbadmin_command(verb, noun)` from their own file
(the restore side adds `start recovery`), and `run_wbadmin` dispatches to them.

Rules the lab applies (facts page §2): wbadmin exists only with the Windows-Server-Backup
feature on Windows Server 2008 or later; a UNC target needs 2008 R2 or later; backing up
needs a running cluster with quorum, this node a member of it. Lab choices, *unconfirmed*
on the facts page: the Win32 code a refused backup reports (ERROR_SERVICE_NOT_ACTIVE 1062
when this node's Cluster service is stopped, ERROR_CLUSTER_NO_QUORUM 5925 without quorum);
one system state backup at a time per cluster, a second one failing with
ERROR_CLUSTER_BACKUP_IN_PROGRESS (5949); the writing program reaches a UNC target as both
the user and the node's computer account (the module's notes ask write access for both).

The wording of the output is *assumed* (the documentation shows the commands, not their
output); it is the English text plugins/plugin_utils/wbadmin.py parses: an `ERROR - ` line
with the HRESULT (0x8007xxxx for a Win32 code) on failure, "successfully completed" on
success, `Key: value` blocks for the versions. Times: version identifiers are UTC, and
"Backup time" is the node's local time, which is UTC in the lab.

State: the lab-wide extension `wbadmin` holds `running` (the backup in progress: node, pid,
target, started); the node extension `wbadmin` holds `versions`, the node's own catalog of
the backups it made (what `get versions` lists without -backupTarget).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from wsfc_lab.world import acl
from wsfc_lab.world.backup_media import (
    VssVersion,
    read_vss_catalog,
    take_snapshot,
    write_vss_backup,
)
from wsfc_lab.world.errors import (
    ERROR_CLUSTER_BACKUP_IN_PROGRESS,
    ERROR_CLUSTER_NO_QUORUM,
    ERROR_PATH_NOT_FOUND,
    ERROR_SERVICE_NOT_ACTIVE,
    WindowsError,
    system_message,
)
from wsfc_lab.world.liveness import process_alive
from wsfc_lab.world.state import LabState
from wsfc_lab.world.world import World

WBADMIN_PATH = "C:\\Windows\\system32\\wbadmin.exe"
EXTENSION = "wbadmin"
BACKUP_OPERATION = "wbadmin start systemstatebackup"
VERSIONS_OPERATION = "wbadmin get versions"
ITEMS_OPERATION = "wbadmin get items"
BANNER = (
    "wbadmin 1.0 - Backup command-line tool",
    "(C) Copyright Microsoft Corporation. All rights reserved.",
    "",
)
EXIT_FAILED = 1  # *assumed*: wbadmin's exit code on a failure; the parser reads the text
# Not on the reference page: the standard winerror.h value.
ERROR_NOT_SUPPORTED = 50
_SERVER_2008 = (6, 0)
_SERVER_2008_R2 = (6, 1)


@dataclass(frozen=True)
class WbadminCall:
    """One wbadmin command line on a node, by a user."""

    world: World
    node: str
    user: str
    verb: str
    noun: str
    options: dict[str, str] = field(default_factory=dict)  # lower-case name -> value
    switches: frozenset[str] = frozenset()  # lower-case names of -switch options


@dataclass(frozen=True)
class WbadminOutput:
    exit_code: int
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        """The lines as the module joins them (CR LF)."""
        return "\r\n".join(self.lines)


WbadminHandler = Callable[[WbadminCall], WbadminOutput]
_COMMANDS: dict[tuple[str, str], WbadminHandler] = {}


def wbadmin_command(verb: str, noun: str) -> Callable[[WbadminHandler], WbadminHandler]:
    """Register the handler of `wbadmin <verb> <noun>`."""

    def register(handler: WbadminHandler) -> WbadminHandler:
        _COMMANDS[(verb.lower(), noun.lower())] = handler
        return handler

    return register


def is_installed(state: LabState, node: str) -> bool:
    """wbadmin.exe exists: the Windows-Server-Backup feature on 2008 or later (§2)."""
    record = state.node(node)
    return (
        bool(record["features"].get("Windows-Server-Backup")) and _version(record) >= _SERVER_2008
    )


def run_wbadmin(world: World, node: str, user: str, arguments: list[str]) -> WbadminOutput:
    """Run `wbadmin <arguments>` on `node` as `user`: its exit code and output lines."""
    with world.transaction() as state:
        installed = is_installed(state, node)
    if not installed:
        # What PowerShell says when the program is not there.
        return WbadminOutput(1, (
            f"& : The term '{WBADMIN_PATH}' is not recognized as the name of a cmdlet, "
            "function, script file, or operable program.",
        ))  # fmt: skip
    words = [a for a in arguments if not a.startswith(("-", "/"))]
    if len(words) < 2:
        return failure(["ERROR - The command is incomplete: wbadmin <verb> <noun> [options]."])
    verb, noun = words[0].lower(), words[1].lower()
    handler = _COMMANDS.get((verb, noun))
    if handler is None:
        return failure([f"ERROR - '{words[0]} {words[1]}' is not a recognized command."])
    options: dict[str, str] = {}
    switches: set[str] = set()
    for argument in arguments:
        if not argument.startswith(("-", "/")):
            continue
        name, colon, value = argument[1:].partition(":")
        if colon:
            options[name.lower()] = value
        else:
            switches.add(name.lower())
    return handler(WbadminCall(world, node, user, verb, noun, options, frozenset(switches)))


def failure(lines: list[str], exit_code: int = EXIT_FAILED) -> WbadminOutput:
    return WbadminOutput(exit_code, (*BANNER, *lines))


def error_line(error: WindowsError, started: datetime | None = None) -> str:
    """The `ERROR - ` line for a Win32 failure: its HRESULT (0x8007xxxx) and message."""
    hresult = 0x80070000 | (error.code & 0xFFFF)
    text = system_message(error.code)
    if started is None:
        return f"ERROR - {error.message} (0x{hresult:08X})"
    return (
        f"ERROR - The backup operation that started at '{started:%Y-%m-%dT%H:%M:%S}.000Z' has "
        f"failed with following error code '0x{hresult:08X}' ({text}). "
        "Please rerun backup once issue is resolved."
    )


# -- wbadmin start systemstatebackup ---------------------------------------------------------


@wbadmin_command("start", "systemstatebackup")
def start_systemstatebackup(call: WbadminCall) -> WbadminOutput:
    target = call.options.get("backuptarget")
    if not target:
        return failure(["ERROR - The -backupTarget option is required for a system state backup."])
    if "quiet" not in call.switches:
        # Without -quiet wbadmin asks for a confirmation; a remote session has no one to answer.
        return failure([
            "Do you want to start the backup operation?",
            "[Y] Yes [N] No N",
            "",
            "The operation was canceled by the user.",
        ])  # fmt: skip
    started = datetime.now(UTC).replace(microsecond=0)
    lines = [
        f"Starting System State Backup [{_local_time(started)}]",
        "Retrieving volume information...",
    ]
    try:
        _begin_backup(call, target, started)
    except WindowsError as error:
        return failure([*lines, error_line(error, started)])
    try:
        _run_backup(call, target, started)
    except WindowsError as error:
        return failure([*lines, error_line(error, started)])
    finally:
        _end_backup(call)
    return WbadminOutput(0, (
        *BANNER,
        *lines,
        f"This will back up the system state from volume(s) Local Disk (C:) to {target}.",
        "Starting a backup of the system state...",
        "Creating a shadow copy of the volumes specified for backup...",
        f"The system state backup successfully completed [{_local_time(datetime.now(UTC))}].",
        "",
        "Log of files successfully backed up:",
        f"C:\\Windows\\Logs\\WindowsServerBackup\\Backup-{started:%d-%m-%Y_%H-%M-%S}.log",
    ))  # fmt: skip


def _begin_backup(call: WbadminCall, target: str, started: datetime) -> None:
    """Check what the backup needs and mark it running; WindowsError when it cannot start."""
    with call.world.transaction() as state:
        node = state.node_name(call.node)
        record = state.node(node)
        if target.startswith("\\\\") and _version(record) < _SERVER_2008_R2:
            raise WindowsError(
                ERROR_NOT_SUPPORTED,
                "A system state backup to a network share needs Windows Server 2008 R2 or later",
            )
        cluster = state.cluster
        if not cluster.service_running(node):
            raise WindowsError(
                ERROR_SERVICE_NOT_ACTIVE, f"The Cluster service on {node} is not running"
            )
        if node not in cluster.members():
            raise WindowsError(
                ERROR_CLUSTER_NO_QUORUM, f"{node} is not a member of a cluster with quorum"
            )
        running = running_backup(state)
        if running is not None:
            raise WindowsError(
                ERROR_CLUSTER_BACKUP_IN_PROGRESS,
                f"A backup started on {running['node']} at {running['started']} is in progress",
            )
        real = state.resolve_path(node, target)
        if not real.is_dir():
            raise WindowsError(ERROR_PATH_NOT_FOUND, f"The backup target {target} was not found")
        principals = acl.principals_of(call.user, computer_account(state, node))
        acl.require(state, real, principals, "write", target)
        state.extension(EXTENSION)["running"] = {
            "node": node,
            "pid": os.getpid(),
            "target": target,
            "started": started.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }


def _run_backup(call: WbadminCall, target: str, started: datetime) -> VssVersion:
    """Take the snapshot, wait the backup's latency (faults apply), write the media."""
    with call.world.transaction() as state:
        snapshot = take_snapshot(state, call.node, started)
    call.world.operation(call.node, BACKUP_OPERATION)
    version = write_vss_backup(call.world, call.node, target, snapshot, started)
    with call.world.transaction() as state:
        catalog = state.node_extension(call.node, EXTENSION).setdefault("versions", [])
        catalog[:] = [
            v for v in catalog if v["version_id"] != version.version_id or v["target"] != target
        ]
        catalog.append(
            {"version_id": version.version_id, "target": target, "backup_time": version.backup_time}
        )
    return version


def _end_backup(call: WbadminCall) -> None:
    with call.world.transaction() as state:
        running = state.extension(EXTENSION).get("running")
        if (
            running
            and running["node"] == state.node_name(call.node)
            and running["pid"] == os.getpid()
        ):
            state.extension(EXTENSION).pop("running", None)


def running_backup(state: LabState) -> dict[str, Any] | None:
    """The system state backup in progress in the cluster, if any; one left by a node process
    that died (a crash in the middle of a backup) no longer counts."""
    running = state.extension(EXTENSION).get("running")
    if not running:
        return None
    alive = state.cluster.machine_running(running["node"])
    if alive and state.data.get("supervised"):
        alive = running["pid"] == os.getpid() or process_alive(int(running["pid"]))
    if not alive:
        state.extension(EXTENSION).pop("running", None)
        return None
    return running


def computer_account(state: LabState, node: str) -> str:
    """The node's computer account, DOMAIN\\NODE$ (NetBIOS domain: the first DNS label)."""
    domain = state.data["cluster"]["domain"].split(".")[0].upper()
    return f"{domain}\\{state.node_name(node)}$"


# -- wbadmin get versions / get items ---------------------------------------------------------


@wbadmin_command("get", "versions")
def get_versions(call: WbadminCall) -> WbadminOutput:
    try:
        call.world.operation(call.node, VERSIONS_OPERATION)
        versions = _versions(call)
    except WindowsError as error:
        return failure([error_line(error)])
    if not versions:
        return WbadminOutput(0, (*BANNER, "No backups were found."))
    lines: list[str] = list(BANNER)
    for version in versions:
        lines += [
            f"Backup time: {_local_time(version.created)}",
            f"Backup location: {_location(version.target)}",
            f"Version identifier: {version.version_id}",
            "Can recover: Application(s), System State",
            f"Snapshot ID: {version.snapshot_id}",
            "",
        ]
    return WbadminOutput(0, tuple(lines))


@wbadmin_command("get", "items")
def get_items(call: WbadminCall) -> WbadminOutput:
    wanted = call.options.get("version")
    if not wanted:
        return failure(["ERROR - The -version option is required."])
    try:
        call.world.operation(call.node, ITEMS_OPERATION)
        versions = [v for v in _versions(call) if v.version_id == wanted]
    except WindowsError as error:
        return failure([error_line(error)])
    if not versions:
        return failure([f"ERROR - The backup version {wanted} was not found."])
    lines = list(BANNER)
    for item in versions[-1].items:
        component = (
            "Cluster Database (\\Cluster Database)" if item == "Cluster" else f"{item} (\\{item})"
        )
        lines += [f"Application = {item}", f"Component = {component}", ""]
    return WbadminOutput(0, tuple(lines))


def _versions(call: WbadminCall) -> list[VssVersion]:
    """The versions at -backupTarget (for -machine, default this node), or this node's own
    catalog without a target."""
    target = call.options.get("backuptarget")
    machine = call.options.get("machine")
    if target:
        with call.world.transaction() as state:
            real = state.resolve_path(call.node, target)
            acl.require(state, real, acl.principals_of(call.user), "read", target)
        return read_vss_catalog(call.world, call.node, target, machine)
    with call.world.transaction() as state:
        own = list(state.node_extension(call.node, EXTENSION).get("versions", []))
    found: list[VssVersion] = []
    for entry in own:
        if not call.world.resolve_path(call.node, entry["target"]).is_dir():
            continue  # the target was moved or removed since
        found += [
            v for v in read_vss_catalog(call.world, call.node, entry["target"], machine)
            if v.version_id == entry["version_id"] and v not in found
        ]  # fmt: skip
    return sorted(found, key=lambda v: v.backup_time)


def _location(target: str) -> str:
    if target.startswith("\\\\"):
        return f"Network Share labeled {target}"
    return f"Fixed Disk labeled {target.rstrip(chr(92))}"


def _local_time(moment: datetime) -> str:
    """'11/22/2026 2:03 AM': the node's local time (UTC in the lab), as wbadmin prints it."""
    hour = moment.hour % 12 or 12
    suffix = "AM" if moment.hour < 12 else "PM"
    return f"{moment.month}/{moment.day}/{moment.year} {hour}:{moment.minute:02d} {suffix}"


def _version(record: dict[str, Any]) -> tuple[int, int]:
    major, minor = record["os_version"].split(".")[:2]
    return int(major), int(minor)
