# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The decisions the cluster_backup action plugin takes from the module's raw results.

Each function reads the raw result of one phase (docs/internals.md, "cluster_backup";
plugins/modules/cluster_backup.py documents the keys) and either returns what the next step
needs or raises :class:`BackupBlocked` with an operator-facing message: the cause, the fix,
and the Windows error code when there is one (plugin_utils._errors explains the codes).
"""

from __future__ import annotations

import typing as t
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._errors import (
    BACKUP,
    ERROR_CLUSTER_DATABASE_SEQMISMATCH,
    ERROR_CLUSTER_NO_QUORUM,
    ERROR_CLUSTER_NODE_DOWN,
    ERROR_CLUSTER_NODE_NOT_FOUND,
    ERROR_DATABASE_BACKUP_CORRUPT,
    ERROR_DIRECTORY,
    ERROR_SERVICE_DOES_NOT_EXIST,
    ERROR_SERVICE_NOT_ACTIVE,
    WINDOWS_SERVER_BACKUP_MISSING,
    ErrorExplanation,
    explain_condition,
    explain_win32_error,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._manifest import (
    SetVerification,
    verify_backup_set,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._paths import (
    BackupPath,
    validate_backup_path,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._paxos import (
    PaxosTag,
    PaxosTagError,
    parse_paxos_tag,
    version_range,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._refusal import PolicyRefusal
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._routes import VSS
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._signing import (
    VERIFIED,
    TrustedKey,
    check_signature,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._wbadmin import (
    WbadminParseError,
    parse_get_versions,
    parse_run_output,
    version_created_since,
)

RawResult = dict[str, t.Any]

# docs/windows-behaviour.md#win32-error-codes: "The system cannot find the path specified."
ERROR_PATH_NOT_FOUND = 3
# The names of codes a folder that cannot be listed may give that plugin_utils._errors does
# not explain for a backup (the same page).
_FOLDER_ERROR_NAMES = {
    2: "ERROR_FILE_NOT_FOUND",
    ERROR_PATH_NOT_FOUND: "ERROR_PATH_NOT_FOUND",
    53: "ERROR_BAD_NETPATH",
    67: "ERROR_BAD_NET_NAME",
}


class BackupBlocked(Exception):
    """The backup cannot go on; ``message`` says why and what to do."""

    def __init__(
        self,
        message: str,
        *,
        error_code: int | None = None,
        explanation: ErrorExplanation | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.error_code = error_code
        self.explanation = explanation

    @classmethod
    def from_explanation(cls, explanation: ErrorExplanation, detail: str = "") -> BackupBlocked:
        message = explanation.message
        if detail:
            message = f"{message} Detail from the node: {detail}"
        return cls(message, error_code=explanation.code, explanation=explanation)


@dataclass(frozen=True)
class UpToDateSet:
    """The newest complete, verified set, which already holds the current configuration."""

    name: str
    verification: SetVerification


# What a node that stops answering during each phase may have left behind.
_LOST_DURING: dict[str, str] = {
    "inspect": "nothing had been written yet",
    "backup": (
        "the backup may have left a staging directory unfinished_<set name> in {path}, "
        "which is never taken for a set (retention removes it once older than "
        "backup_leftover_age)"
    ),
    "finalize": (
        "the new set may be unfinished in {path} (a directory without its completion "
        "marker is never taken for a set); the earlier sets are whole"
    ),
}


def explain_module_failure(
    raw: RawResult, *, path: str, node: str | None, phase: str | None = None
) -> BackupBlocked:
    """A failed module run (any phase) as a BackupBlocked naming cause and fix."""
    detail = str(raw.get("msg") or "").strip()
    if raw.get("unreachable"):
        # A crash, a network cut or a reply slower than the connection's timeout: the
        # node's own state is unknown, so say what may be left and how to go on.
        left = _LOST_DURING.get(phase or "", "what it wrote is unknown").format(path=path)
        return BackupBlocked(
            f"The backup failed: {node or 'the node'} stopped answering during the "
            f"{phase or 'module'} phase ({detail or 'unreachable'}); {left}. Check that the "
            "node is running and reachable (wsfc.clusterdb.cluster_info), then run the "
            "backup again."
        )
    if raw.get("condition") == WINDOWS_SERVER_BACKUP_MISSING:
        return BackupBlocked.from_explanation(
            explain_condition(WINDOWS_SERVER_BACKUP_MISSING, BACKUP, path=path, node=node), detail
        )
    code = raw.get("error_code")
    if isinstance(code, int) and not isinstance(code, bool):
        return BackupBlocked.from_explanation(
            explain_win32_error(code, BACKUP, path=path, node=node), detail
        )
    return BackupBlocked(f"The backup failed on {node or 'the node'}: {detail or 'no message'}")


def check_path_is_directory(inspect: RawResult, path: str) -> None:
    """A backup path that names an existing file: ERROR_DIRECTORY (267)."""
    info = inspect.get("path_info") or {}
    if info.get("exists") and not info.get("is_directory"):
        raise BackupBlocked.from_explanation(
            explain_win32_error(ERROR_DIRECTORY, BACKUP, path=path, node=inspect.get("node_name"))
        )


def check_cluster_can_back_up(inspect: RawResult, path: str) -> None:
    """Backing up needs a running cluster with quorum
    (docs/windows-behaviour.md#windows-server-backup-feature); the collection also asks
    this node to be Up in it."""
    node = inspect.get("node_name")
    service = inspect.get("cluster_service") or {}

    def blocked(code: int, detail: str = "") -> BackupBlocked:
        return BackupBlocked.from_explanation(
            explain_win32_error(code, BACKUP, path=path, node=node), detail
        )

    if not service.get("installed"):
        raise blocked(ERROR_SERVICE_DOES_NOT_EXIST)
    if service.get("state") != "running":
        raise blocked(ERROR_SERVICE_NOT_ACTIVE, f"ClusSvc is {service.get('state')}")
    if inspect.get("cluster") is None:
        # The service runs but the cluster cannot be opened: without a code of its own this
        # is a cluster without quorum (the service waits for it and refuses connections).
        error = inspect.get("cluster_error") or {}
        code = error.get("code")
        if not isinstance(code, int) or isinstance(code, bool):
            code = ERROR_CLUSTER_NO_QUORUM
        raise blocked(code, str(error.get("message") or ""))
    state = node_state(inspect)
    if state is None:
        raise blocked(ERROR_CLUSTER_NODE_NOT_FOUND, f"{node} is not in Get-ClusterNode's list")
    if state == "Down":
        raise blocked(ERROR_CLUSTER_NODE_DOWN)
    if state != "Up":
        raise BackupBlocked(
            f"The backup failed: {node} is {state} in the cluster, and the backup runs only "
            "on a node that is Up. Resume the node (Resume-ClusterNode) or wait until it has "
            "joined, or run the backup on a node that is Up."
        )


def node_state(inspect: RawResult) -> str | None:
    """This node's state as Get-ClusterNode reports it; None when it is not listed."""
    name = str(inspect.get("node_name") or "").casefold()
    for node in inspect.get("nodes") or []:
        if str(node.get("name") or "").casefold() == name:
            return str(node.get("state"))
    return None


def node_accounts(inspect: RawResult, netbios_domain: str = "") -> list[str]:
    """The computer accounts of the cluster's nodes, ``DOMAIN\\NODE$``: the accounts wbadmin
    writes to a share as, which the ACL of a folder the backup creates names.

    The domain is ``netbios_domain`` when given, else the first label of the cluster's DNS
    domain in upper case (the NetBIOS name is usually that label; an operator whose domain
    differs says so). Without a domain (a workgroup cluster) there are no such accounts.
    """
    domain = netbios_domain.strip()
    if not domain:
        dns = str((inspect.get("cluster") or {}).get("domain") or "").strip()
        domain = dns.split(".", 1)[0].upper()
    if not domain:
        return []
    names = [str(n.get("name") or "").strip() for n in inspect.get("nodes") or []]
    return [f"{domain}\\{name}$" for name in names if name]


def current_configuration_version(inspect: RawResult) -> PaxosTag:
    """The configuration version the running cluster holds now."""
    raw_tag = (inspect.get("configuration_version") or {}).get("paxos_tag")
    if raw_tag is None:
        raise BackupBlocked(
            f"The backup failed: the configuration version (HKLM\\Cluster\\PaxosTag) could "
            f"not be read on {inspect.get('node_name') or 'the node'}, although the cluster "
            "runs. Check that the Cluster service is fully started (Get-ClusterNode) and run "
            "the task again."
        )
    try:
        return parse_paxos_tag(raw_tag)
    except PaxosTagError as err:
        raise BackupBlocked(f"The backup failed: the node reported a PaxosTag that {err}") from err


def newest_hashed_set(sets: list[RawResult]) -> RawResult | None:
    """The set the node hashed for ``hash_sets=newest``: the greatest name with a marker."""
    hashed = [s for s in sets if s.get("marker_present") and s.get("files") is not None]
    return max(hashed, key=lambda s: str(s.get("name"))) if hashed else None


def find_up_to_date_set(
    inspect: RawResult, tag: PaxosTag, signed_by: TrustedKey | None = None
) -> UpToDateSet | None:
    """The newest set, when it is complete, verified (every hash checked), of this cluster,
    and holds configuration version ``tag``; otherwise None (a backup is needed).

    With ``signed_by`` (the backup signs its sets) the set must also carry a signature by
    that key that verifies: an unsigned or forged newest set does not stop a signed one
    from being written.

    A set during whose backup the configuration changed holds some version of its range,
    which one is not known, so it never holds ``tag``: the next run backs up again.
    """
    newest = newest_hashed_set(list(inspect.get("sets") or []))
    if newest is None:
        return None
    verification = verify_backup_set(
        marker_present=bool(newest.get("marker_present")),
        manifest_text=newest.get("manifest_text"),
        files=newest.get("files"),
        set_name=str(newest.get("name")),
    )
    manifest = verification.manifest
    if not verification.is_complete or not verification.hashes_checked or manifest is None:
        return None
    cluster = inspect.get("cluster") or {}
    if str(manifest.cluster.id).casefold() != str(cluster.get("id") or "").casefold():
        return None
    if manifest.configuration_version.moved or manifest.configuration_version != tag:
        return None
    if signed_by is not None:
        check = check_signature(
            newest.get("manifest_text"), newest.get("signature_text"), (signed_by,)
        )
        if check.status != VERIFIED:
            return None
    return UpToDateSet(str(newest["name"]), verification)


def backed_up_version(backup: RawResult) -> PaxosTag:
    """The configuration version the backup holds, from the PaxosTag read just before and
    just after the route ran: that tag when both agree; else the VersionRange of both.

    The sequence moves with every configuration change (docs/windows-behaviour.md#paxos-tag)
    and a backup is not instantaneous, so a change during the backup is ordinary: the set
    is complete and is recorded with the range. A tag read after that is older than the one
    read before is no change the set could hold (no range spans it), so it is refused
    (5083).
    """
    try:
        before = parse_paxos_tag(backup.get("paxos_tag_before"))
        after = parse_paxos_tag(backup.get("paxos_tag"))
    except PaxosTagError as err:
        raise BackupBlocked(
            f"The backup failed: the configuration version could not be read around the "
            f"backup ({err}). Run the task again."
        ) from err
    try:
        return version_range(before, after)
    except PaxosTagError as err:
        raise BackupBlocked.from_explanation(
            explain_win32_error(ERROR_CLUSTER_DATABASE_SEQMISMATCH, BACKUP),
            f"PaxosTag {before.raw} before the backup, {after.raw} after it",
        ) from err


def check_route_result(route: str, backup: RawResult, *, path: str, node: str | None) -> str | None:
    """Raise BackupBlocked when the route failed; return wbadmin's version identifier
    for the vss route (None for clusapi)."""
    code = backup.get("route_exit_code")
    if route != VSS:
        if code != 0:
            if not isinstance(code, int) or isinstance(code, bool):
                raise BackupBlocked(f"The backup failed: the cluster API returned {code!r}.")
            raise BackupBlocked.from_explanation(
                explain_win32_error(code, BACKUP, path=path, node=node)
            )
        return None
    output = str(backup.get("route_output") or "")
    run = parse_run_output(output, "", code if isinstance(code, int) else None)
    if run.feature_missing:
        raise BackupBlocked.from_explanation(
            explain_condition(WINDOWS_SERVER_BACKUP_MISSING, BACKUP, path=path, node=node)
        )
    if not run.succeeded:
        failing = run.win32_code if run.win32_code is not None else run.hresult
        if failing is not None:
            raise BackupBlocked.from_explanation(
                explain_win32_error(failing, BACKUP, path=path, node=node),
                f"wbadmin said: {run.error_text}",
            )
        logs = f" Its logs: {', '.join(run.log_files)}." if run.log_files else ""
        raise BackupBlocked(
            f"The backup failed: wbadmin exited with code {code} and said: {run.error_text}."
            f"{logs} Fix what it names (the Windows Server Backup event log, "
            "Microsoft-Windows-Backup, has the detail) and run the task again."
        )
    if run.version_id:
        return run.version_id
    return _version_from_listing(backup)


def _version_from_listing(backup: RawResult) -> str:
    try:
        versions = parse_get_versions(str(backup.get("versions_output") or ""))
    except WbadminParseError as err:
        raise BackupBlocked(
            f"The backup ran, but wbadmin's list of versions could not be read: {err}."
        ) from err
    started = _parse_utc(backup.get("route_started"))
    found = version_created_since(versions, started) if started else None
    if found is None and versions and started is None:
        found = versions[-1]
    if found is None:
        raise BackupBlocked.from_explanation(
            explain_win32_error(ERROR_DATABASE_BACKUP_CORRUPT, BACKUP),
            "wbadmin reported success, but lists no backup version at the target made by this run",
        )
    return found.version_id


def _parse_utc(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def validate_copies(values: Sequence[object], primary: BackupPath) -> list[BackupPath]:
    """The folders of ``copies``, each checked as ``path`` is, in their normalised form.

    A folder named twice, or the primary folder among them, is refused: its entry would
    say nothing of another copy. Windows names ignore letter case
    (docs/windows-behaviour.md#path-rules), so neither does the comparison.
    """
    seen = {primary.path.casefold(): "path"}
    folders = []
    for index, value in enumerate(values):
        option = f"copies[{index}]"
        folder = validate_backup_path(value, option=option)
        earlier = seen.get(folder.path.casefold())
        if earlier is not None:
            raise PolicyRefusal(
                f"{option} {folder.path} is the same folder as {earlier}.",
                "List each folder that keeps copies once in copies, and not the folder "
                "given as path.",
            )
        seen[folder.path.casefold()] = option
        folders.append(folder)
    return folders


def copies_report(inspect: RawResult, set_name: str | None) -> list[dict[str, t.Any]]:
    """For each folder of ``copies`` (the inspect phase's raw ``copies``, in their order):
    ``path``, ``has_set`` (whether it holds a set named ``set_name`` with its completion
    marker and manifest; False when ``set_name`` is None), and ``error_code`` and
    ``message`` when the folder could not be listed.

    Only names are compared, nothing is hashed: the report says where the set is missing,
    not that a copy is whole (backup_set_info verifies that).
    """
    wanted = (set_name or "").casefold()
    report = []
    for raw in inspect.get("copies") or []:
        path = str(raw.get("path") or "")
        entry: dict[str, t.Any] = {"path": path, "has_set": False}
        problem = _copy_problem(raw, path, inspect.get("node_name"))
        if problem is not None:
            entry["error_code"], entry["message"] = problem
        elif wanted:
            names = raw.get("sets") or []
            entry["has_set"] = any(str(name).casefold() == wanted for name in names)
        report.append(entry)
    return report


def _copy_problem(raw: RawResult, path: str, node: object) -> tuple[int | None, str] | None:
    """Why a folder of ``copies`` could not be listed, as (code, message); None when it was."""
    where = node or "the node"
    code = raw.get("error_code")
    detail = str(raw.get("message") or "").strip()
    if detail or code is not None:
        win32 = code if isinstance(code, int) and not isinstance(code, bool) else None
        label = "no Windows error code"
        if win32 is not None:
            name = _FOLDER_ERROR_NAMES.get(win32) or explain_win32_error(win32, BACKUP).name
            label = f"Windows error {win32}, {name}"
        return win32, (
            f"{path} could not be read from {where} ({label}): {detail or 'no message'}. "
            "Whether it holds the set is not known; let the account the task runs as read "
            "the folder, then run the task again."
        )
    if not raw.get("exists"):
        return ERROR_PATH_NOT_FOUND, (
            f"{path} does not exist or cannot be reached from {where} (Windows error "
            f"{ERROR_PATH_NOT_FOUND}, ERROR_PATH_NOT_FOUND), so it holds no copy of the set. "
            "Create the folder (or make its share reachable) and copy the set there."
        )
    if not raw.get("is_directory"):
        return ERROR_DIRECTORY, (
            f"{path} names a file, not a folder (Windows error {ERROR_DIRECTORY}, "
            "ERROR_DIRECTORY). Give the folder that keeps the copies in copies."
        )
    return None
