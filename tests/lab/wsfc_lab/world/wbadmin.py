"""wbadmin.exe on a lab node: what it does to the world and the text it prints.

Commands (docs/windows-behaviour.md#wbadmin-start-systemstatebackup,
docs/windows-behaviour.md#wbadmin-get-versions, docs/windows-behaviour.md#wbadmin-get-items):
    wbadmin start systemstatebackup -backupTarget:<volume or \\\\server\\share> -quiet
    wbadmin get versions [-backupTarget:<t>] [-machine:<node>]
    wbadmin get items -version:<MM/DD/YYYY-HH:MM> [-backupTarget:<t>] [-machine:<node>]
Other verbs register themselves with `@wbadmin_command(verb, noun)` from their own file
(the restore side adds `start recovery`), and `run_wbadmin` dispatches to them.

Rules the lab applies: wbadmin exists only with the Windows-Server-Backup feature on Windows
Server 2008 or later; a UNC target needs 2008 R2 or later
(docs/windows-behaviour.md#wbadmin-backup-target); backing up needs a running cluster with
quorum, this node a member of it (docs/windows-behaviour.md#windows-server-backup-feature).
Lab choices, *unconfirmed*: the Win32 code a refused backup reports (ERROR_SERVICE_NOT_ACTIVE
1062 when this node's Cluster service is stopped, ERROR_CLUSTER_NO_QUORUM 5925 without
quorum); one system state backup at a time per cluster, a second one failing with
ERROR_CLUSTER_BACKUP_IN_PROGRESS (5949); the writing program reaches a UNC target as both
the user and the node's computer account (the module's notes ask write access for both).

The text: Microsoft shows none of wbadmin's output. The English wording (WORDING["en"]) is
the shape public transcripts show where they show it: the banner, `Key: value` blocks for
`get versions`, `Application = ` / `Component = ` blocks for `get items`, an `ERROR - ` line
on failure. The rest is the lab's own and marked so in WORDING: the start messages, the
refusals, the component name of Cluster. The exit codes are the lab's too (Microsoft
documents none: docs/windows-behaviour.md#wbadmin-exit-codes): 0 on success, 1 on failure.

Display language: a node of the lab description may have `display_language` (a tag such as
de-DE; world state `display_language`). Whether Windows' wbadmin follows it is not documented
(docs/windows-behaviour.md#wbadmin-output-language); the lab assumes the worst case, every
label and message translated, so that the collection is tested to rely on none of them.
For a non-English language the lab prints its own stand-in wording (WORDING["de"]): made up
for the lab, it is not Windows' translation and must not be taken for it. What stays as it
is in every language: version identifiers (MM/DD/YYYY-HH:MM), paths, GUIDs, application and
component names, HRESULTs and exit codes; the Win32 message inside an error line stays the
lab's English one (world/windows_errors.py).

Times: version identifiers are UTC, and "Backup time" is the node's local time, which is UTC
in the lab (*unconfirmed*: docs/windows-behaviour.md#wbadmin-version-identifier).

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
from wsfc_lab.world.liveness import process_alive
from wsfc_lab.world.state import LabState
from wsfc_lab.world.windows_errors import (
    ERROR_CLUSTER_BACKUP_IN_PROGRESS,
    ERROR_CLUSTER_NO_QUORUM,
    ERROR_PATH_NOT_FOUND,
    ERROR_SERVICE_NOT_ACTIVE,
    WindowsError,
    system_message,
)
from wsfc_lab.world.world import World

WBADMIN_PATH = "C:\\Windows\\system32\\wbadmin.exe"
EXTENSION = "wbadmin"
BACKUP_OPERATION = "wbadmin start systemstatebackup"
VERSIONS_OPERATION = "wbadmin get versions"
ITEMS_OPERATION = "wbadmin get items"
EXIT_FAILED = 1  # *assumed*: wbadmin's exit code on a failure; the parser reads the text

# What the lab's wbadmin prints, by the language part of the node's display language. "en":
# the banner, the `get versions` keys and the `get items` labels have the shape of public
# transcripts; every other line is the lab's own wording. "de": the lab's stand-in for a
# non-English display language, its own invention throughout (not Windows' translation).
WORDING: dict[str, dict[str, str]] = {
    "en": {
        "banner": "wbadmin 1.0 - Backup command-line tool",
        "copyright": "(C) Copyright Microsoft Corporation. All rights reserved.",
        "error": "ERROR - {text}",
        "incomplete": "The command is incomplete: wbadmin <verb> <noun> [options].",
        "unknown_command": "'{command}' is not a recognized command.",
        "target_required": "The -backupTarget option is required for a system state backup.",
        "confirm_backup": "Do you want to start the backup operation?",
        "confirm_recovery": "Do you want to continue with the recovery operation?",
        "answer_no": "[Y] Yes [N] No N",
        "canceled": "The operation was canceled by the user.",
        "ssb_starting": "Starting System State Backup [{time}]",
        "retrieving": "Retrieving volume information...",
        "ssb_plan": (
            "This will back up the system state from volume(s) Local Disk (C:) to {target}."
        ),
        "ssb_running": "Starting a backup of the system state...",
        "shadow_copy": "Creating a shadow copy of the volumes specified for backup...",
        "ssb_done": "The system state backup successfully completed [{time}].",
        "log_header": "Log of files successfully backed up:",
        "backup_failed": (
            "The backup operation that started at '{started}' has failed with following "
            "error code '{hresult}' ({text}). Please rerun backup once issue is resolved."
        ),
        "failed_code": "{text} ({hresult})",
        "no_backups": "No backups were found.",
        "backup_time": "Backup time: {time}",
        "backup_location": "Backup location: {location}",
        "share_location": "Network Share labeled {target}",
        "disk_location": "Fixed Disk labeled {target}",
        "version_identifier": "Version identifier: {version}",
        "can_recover": "Can recover: Application(s), System State",
        "snapshot_id": "Snapshot ID: {snapshot}",
        "version_required": "The -version option is required.",
        "version_not_found": "The backup version {version} was not found.",
        "application": "Application = {name}",
        "component": "Component = {name}",
        "only_cluster": (
            "The lab's wbadmin recovers only the cluster database (-itemtype:app -items:cluster)."
        ),
        "recovery_target_required": "The -backupTarget option is required by the lab's wbadmin.",
        "machine_required": "The -machine option is required when -backupTarget is given.",
        "recover_from": (
            "You have chosen to recover the application Cluster from the backup of {node} "
            "taken at {time}."
        ),
        "stop_others": "The Cluster service will be stopped on the other nodes of the cluster.",
        "stopped": "Stopped the Cluster service on: {nodes}.",
        "none": "none",
        "app_recovery": "Starting application recovery...",
        "recovery_done": "The recovery operation successfully completed.",
        "start_first": (
            "The cluster database of this node was restored. Start the Cluster service on "
            "this node first, then on the other nodes."
        ),
    },
    "de": {
        "banner": "wbadmin 1.0 - Sicherungsbefehlszeilenprogramm",
        "copyright": "(C) Copyright Microsoft Corporation. Alle Rechte vorbehalten.",
        "error": "FEHLER - {text}",
        "incomplete": "Der Befehl ist unvollständig: wbadmin <Verb> <Nomen> [Optionen].",
        "unknown_command": "'{command}' ist kein bekannter Befehl.",
        "target_required": "Für eine Systemstatussicherung ist -backupTarget erforderlich.",
        "confirm_backup": "Möchten Sie den Sicherungsvorgang starten?",
        "confirm_recovery": "Möchten Sie mit der Wiederherstellung fortfahren?",
        "answer_no": "[J] Ja [N] Nein N",
        "canceled": "Der Vorgang wurde vom Benutzer abgebrochen.",
        "ssb_starting": "Systemstatussicherung wird gestartet [{time}]",
        "retrieving": "Volumeinformationen werden abgerufen...",
        "ssb_plan": "Der Systemstatus von Lokaler Datenträger (C:) wird in {target} gesichert.",
        "ssb_running": "Die Sicherung des Systemstatus wird gestartet...",
        "shadow_copy": "Schattenkopie der zu sichernden Volumes wird erstellt...",
        "ssb_done": "Die Systemstatussicherung wurde abgeschlossen [{time}].",
        "log_header": "Protokoll der gesicherten Dateien:",
        "backup_failed": (
            "Der um '{started}' gestartete Sicherungsvorgang ist mit dem Fehlercode "
            "'{hresult}' ({text}) fehlgeschlagen. Wiederholen Sie die Sicherung, sobald das "
            "Problem behoben ist."
        ),
        "failed_code": "{text} ({hresult})",
        "no_backups": "Es wurden keine Sicherungen gefunden.",
        "backup_time": "Sicherungszeitpunkt: {time}",
        "backup_location": "Sicherungsort: {location}",
        "share_location": "Netzwerkfreigabe {target}",
        "disk_location": "Festplatte {target}",
        "version_identifier": "Versionsbezeichner: {version}",
        "can_recover": "Wiederherstellbar: Anwendung(en), Systemstatus",
        "snapshot_id": "Momentaufnahme-ID: {snapshot}",
        "version_required": "Die Option -version ist erforderlich.",
        "version_not_found": "Die Sicherungsversion {version} wurde nicht gefunden.",
        "application": "Anwendung = {name}",
        "component": "Komponente = {name}",
        "only_cluster": (
            "Das wbadmin des Labors stellt nur die Clusterdatenbank wieder her "
            "(-itemtype:app -items:cluster)."
        ),
        "recovery_target_required": "Das wbadmin des Labors benötigt -backupTarget.",
        "machine_required": "Mit -backupTarget ist auch -machine erforderlich.",
        "recover_from": (
            "Die Anwendung Cluster wird aus der Sicherung von {node} vom {time} wiederhergestellt."
        ),
        "stop_others": "Der Clusterdienst wird auf den anderen Knoten des Clusters beendet.",
        "stopped": "Clusterdienst beendet auf: {nodes}.",
        "none": "keinem",
        "app_recovery": "Die Wiederherstellung der Anwendung wird gestartet...",
        "recovery_done": "Die Wiederherstellung wurde abgeschlossen.",
        "start_first": (
            "Die Clusterdatenbank dieses Knotens wurde wiederhergestellt. Starten Sie den "
            "Clusterdienst zuerst auf diesem Knoten, dann auf den anderen Knoten."
        ),
    },
}
# The languages a lab description may give a node (spec.py), by their language part.
DISPLAY_LANGUAGES = tuple(WORDING)
# The component wbadmin get items shows under each application: the lab's own names.
COMPONENTS = {"Cluster": "Cluster Database", "Registry": "Registry"}
# Not on the facts page (docs/windows-behaviour.md#win32-error-codes): the standard winerror.h
# value.
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
    language: str = "en"  # a key of WORDING: the node's display language

    def say(self, key: str, **values: object) -> str:
        """One line of output in the node's display language."""
        return say(self.language, key, **values)


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
    """wbadmin.exe exists: the Windows-Server-Backup feature on 2008 or later
    (docs/windows-behaviour.md#windows-server-backup-feature)."""
    record = state.node(node)
    return (
        bool(record["features"].get("Windows-Server-Backup")) and _version(record) >= _SERVER_2008
    )


def run_wbadmin(world: World, node: str, user: str, arguments: list[str]) -> WbadminOutput:
    """Run `wbadmin <arguments>` on `node` as `user`: its exit code and output lines."""
    with world.transaction() as state:
        installed = is_installed(state, node)
        language = display_language(state, node)
    if not installed:
        # What PowerShell says when the program is not there.
        return WbadminOutput(1, (
            f"& : The term '{WBADMIN_PATH}' is not recognized as the name of a cmdlet, "
            "function, script file, or operable program.",
        ))  # fmt: skip
    words = [a for a in arguments if not a.startswith(("-", "/"))]
    if len(words) < 2:
        return failure([say(language, "error", text=say(language, "incomplete"))], language)
    verb, noun = words[0].lower(), words[1].lower()
    handler = _COMMANDS.get((verb, noun))
    if handler is None:
        unknown = say(language, "unknown_command", command=f"{words[0]} {words[1]}")
        return failure([say(language, "error", text=unknown)], language)
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
    call = WbadminCall(world, node, user, verb, noun, options, frozenset(switches), language)
    return handler(call)


def display_language(state: LabState, node: str) -> str:
    """The key of WORDING for the node's display language (en when it has none)."""
    tag = str(state.node(node).get("display_language") or "en-US")
    language = tag.split("-", maxsplit=1)[0].lower()
    return language if language in WORDING else "en"


def say(language: str, key: str, **values: object) -> str:
    return WORDING[language][key].format(**values)


def banner(language: str = "en") -> tuple[str, ...]:
    return (say(language, "banner"), say(language, "copyright"), "")


def failure(lines: list[str], language: str = "en", exit_code: int = EXIT_FAILED) -> WbadminOutput:
    return WbadminOutput(exit_code, (*banner(language), *lines))


def error_line(error: WindowsError, started: datetime | None = None, language: str = "en") -> str:
    """The error line for a Win32 failure: its HRESULT (0x8007xxxx) and message."""
    hresult = f"0x{0x80070000 | (error.code & 0xFFFF):08X}"
    if started is None:
        text = say(language, "failed_code", text=error.message, hresult=hresult)
    else:
        text = say(
            language,
            "backup_failed",
            started=f"{started:%Y-%m-%dT%H:%M:%S}.000Z",
            hresult=hresult,
            text=system_message(error.code),
        )
    return say(language, "error", text=text)


# -- wbadmin start systemstatebackup ---------------------------------------------------------


@wbadmin_command("start", "systemstatebackup")
def start_systemstatebackup(call: WbadminCall) -> WbadminOutput:
    language = call.language
    target = call.options.get("backuptarget")
    if not target:
        return failure([call.say("error", text=call.say("target_required"))], language)
    if "quiet" not in call.switches:
        # Without -quiet wbadmin asks for a confirmation; a remote session has no one to answer.
        return failure([
            call.say("confirm_backup"),
            call.say("answer_no"),
            "",
            call.say("canceled"),
        ], language)  # fmt: skip
    started = datetime.now(UTC).replace(microsecond=0)
    lines = [
        call.say("ssb_starting", time=local_time(started, language)),
        call.say("retrieving"),
    ]
    try:
        _begin_backup(call, target, started)
    except WindowsError as error:
        return failure([*lines, error_line(error, started, language)], language)
    try:
        _run_backup(call, target, started)
    except WindowsError as error:
        return failure([*lines, error_line(error, started, language)], language)
    finally:
        _end_backup(call)
    return WbadminOutput(0, (
        *banner(language),
        *lines,
        call.say("ssb_plan", target=target),
        call.say("ssb_running"),
        call.say("shadow_copy"),
        call.say("ssb_done", time=local_time(datetime.now(UTC), language)),
        "",
        call.say("log_header"),
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
    language = call.language
    try:
        call.world.operation(call.node, VERSIONS_OPERATION)
        versions = _versions(call)
    except WindowsError as error:
        return failure([error_line(error, language=language)], language)
    if not versions:
        return WbadminOutput(0, (*banner(language), call.say("no_backups")))
    lines: list[str] = list(banner(language))
    for version in versions:
        lines += [
            call.say("backup_time", time=local_time(version.created, language)),
            call.say("backup_location", location=_location(version.target, language)),
            call.say("version_identifier", version=version.version_id),
            call.say("can_recover"),
            call.say("snapshot_id", snapshot=version.snapshot_id),
            "",
        ]
    return WbadminOutput(0, tuple(lines))


@wbadmin_command("get", "items")
def get_items(call: WbadminCall) -> WbadminOutput:
    """One block per application the version holds: `Application = <name>`, then
    `Component = <name>`, an empty line after each block (the shape of public transcripts;
    docs/windows-behaviour.md#wbadmin-get-items says Microsoft shows none)."""
    language = call.language
    wanted = call.options.get("version")
    if not wanted:
        return failure([call.say("error", text=call.say("version_required"))], language)
    try:
        call.world.operation(call.node, ITEMS_OPERATION)
        versions = [v for v in _versions(call) if v.version_id == wanted]
    except WindowsError as error:
        return failure([error_line(error, language=language)], language)
    if not versions:
        missing = call.say("version_not_found", version=wanted)
        return failure([call.say("error", text=missing)], language)
    lines = list(banner(language))
    for item in versions[-1].items:
        lines += [
            call.say("application", name=item),
            call.say("component", name=COMPONENTS.get(item, item)),
            "",
        ]
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


def _location(target: str, language: str) -> str:
    if target.startswith("\\\\"):
        return say(language, "share_location", target=target)
    return say(language, "disk_location", target=target.rstrip(chr(92)))


def local_time(moment: datetime, language: str = "en") -> str:
    """The node's local time (UTC in the lab) as wbadmin prints it: '11/22/2026 2:03 AM' in
    English (public transcripts), '22.11.2026 02:03' in the lab's German stand-in."""
    if language != "en":
        return f"{moment:%d.%m.%Y %H:%M}"
    hour = moment.hour % 12 or 12
    suffix = "AM" if moment.hour < 12 else "PM"
    return f"{moment.month}/{moment.day}/{moment.year} {hour}:{moment.minute:02d} {suffix}"


def _version(record: dict[str, Any]) -> tuple[int, int]:
    major, minor = record["os_version"].split(".")[:2]
    return int(major), int(minor)
