# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The decisions the cluster_restore action plugin takes from the module's raw results.

Each function reads the raw result of a phase (docs/internals.md, "cluster_restore";
plugins/modules/cluster_restore.py documents its keys under ``phase_results``) and returns
what the next step needs, or raises :class:`RestoreBlocked` with the operator's message:
what is wrong, and what to do (plugin_utils._errors words the Windows codes).

``docs/windows-behaviour.md#clusapi-backup-restore``: RestoreClusterDatabase (without force it
refuses while other nodes are active, 5056, and while the quorum disk's partition count or
offsets differ, 5086; signature and drive letter need not match; disks added or changed
since the backup stay offline); ``#wbadmin-start-recovery``: ``wbadmin start recovery -itemtype:app
-items:cluster``
(the authoritative restore; it stops the Cluster service on the other nodes itself).
"""

from __future__ import annotations

import dataclasses
import typing as t
from collections.abc import Mapping
from dataclasses import dataclass

from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._cluster_nodes import inspect_nodes
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._configuration import (
    Configuration,
    ConfigurationDiff,
    diff_configurations,
    disks_left_offline,
    normalize_configuration,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._errors import (
    ERROR_DATABASE_BACKUP_CORRUPT,
    ERROR_DIRECTORY,
    ERROR_SERVICE_DOES_NOT_EXIST,
    RESTORE,
    WINDOWS_SERVER_BACKUP_MISSING,
    ErrorExplanation,
    explain_condition,
    explain_win32_error,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._manifest import (
    Manifest,
    QuorumLayout,
    SetVerification,
    verify_backup_set,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._paths import (
    BackupPath,
    validate_backup_path,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._refusal import PolicyRefusal
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._restore_plan import (
    RestorePlan,
    plan_restore,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._routes import (
    AUTO,
    VSS,
    HostBackupFacts,
    resolve_route,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._signing import (
    UNSIGNED,
    VERIFIED,
    SignatureCheck,
    TrustedKey,
    check_signature,
    signature_refusal,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._wbadmin import parse_run_output
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._wbadmin_target import (
    wbadmin_target_for,
)

RawResult = dict[str, t.Any]

# winerror.h (mingw-w64): the set directory does not exist.
ERROR_PATH_NOT_FOUND = 3
# A Cluster service in any of these states still takes part in the cluster.
_STOPPED_SERVICE_STATES = frozenset({"stopped"})


class RestoreBlocked(Exception):
    """The restore cannot go on (or failed); ``explanation`` names cause and fix."""

    def __init__(self, explanation: ErrorExplanation, detail: str = "") -> None:
        message = explanation.message
        if detail:
            message = f"{message} Detail: {detail}"
        super().__init__(message)
        self.message = message
        self.explanation = explanation

    @property
    def error_code(self) -> int | None:
        return self.explanation.code


def explained(
    code: int, *, path: str | None, node: str | None, cause_detail: str = ""
) -> ErrorExplanation:
    """The restore's explanation of Windows error ``code``, its cause followed by a detail."""
    explanation = explain_win32_error(code, RESTORE, path=path, node=node)
    if cause_detail:
        explanation = dataclasses.replace(explanation, cause=f"{explanation.cause}: {cause_detail}")
    return explanation


def _without_code(
    name: str, cause: str, fix: str, options: tuple[str, ...] = ()
) -> ErrorExplanation:
    return ErrorExplanation(RESTORE, None, name, cause, fix, options)


@dataclass(frozen=True)
class SetLocation:
    """The set directory an operator named, and the location that holds it."""

    path: BackupPath
    location: BackupPath
    name: str


def check_set_path(value: object) -> SetLocation:
    """Validate ``path`` as the directory of one set (so below a drive root or a share)."""
    path = validate_backup_path(value, "path")
    if not path.components:
        raise PolicyRefusal(
            f"path {path.path} is the root of a drive or a share, which cannot be a set.",
            "Give the directory of one set, such as "
            f"{path.child('20261122T020304Z_clusterdb_e2s41')} "
            "(wsfc.clusterdb.backup_set_info lists the sets at a location).",
        )
    *parents, name = path.components
    if path.is_unc:
        location_text = "\\\\" + "\\".join([str(path.server), str(path.share), *parents])
    else:
        location_text = "\\".join([f"{path.drive}", *parents]) if parents else f"{path.drive}\\"
    return SetLocation(path, validate_backup_path(location_text), name)


def check_set_found(inspect: RawResult, target: SetLocation) -> None:
    """The path must exist and be a directory; a location of sets names its newest set."""
    node = inspect.get("node_name")
    info = inspect.get("path_info") or {}
    if not info.get("exists"):
        raise RestoreBlocked(
            ErrorExplanation(
                RESTORE,
                ERROR_PATH_NOT_FOUND,
                "ERROR_PATH_NOT_FOUND",
                f"there is no directory {target.path.path} as seen from {node or 'the node'}",
                "Check the path (wsfc.clusterdb.backup_set_info lists the sets at a "
                "location), and that the node's account can reach the share.",
            )
        )
    if not info.get("is_directory"):
        raise RestoreBlocked(explained(ERROR_DIRECTORY, path=target.path.path, node=node))
    children = sorted(inspect.get("child_sets") or [])
    if children:
        newest = target.path.child(children[-1])
        raise RestoreBlocked(
            _without_code(
                "NOT_A_SET",
                f"{target.path.path} holds {len(children)} backup set(s) but is not a set "
                "itself; a restore takes the directory of one set",
                f"Give path={newest} (the newest complete set there), or choose another "
                "with wsfc.clusterdb.backup_set_info.",
            )
        )


def verify_set(inspect: RawResult, target: SetLocation) -> SetVerification:
    """The verdict on the set inspect listed (every file hashed)."""
    listing = inspect.get("set") or {}
    verification = verify_backup_set(
        marker_present=bool(listing.get("marker_present")),
        manifest_text=listing.get("manifest_text"),
        files=listing.get("files"),
        set_name=target.name,
    )
    if verification.is_complete and not verification.hashes_checked:
        # The module hashes every file of the set; a listing without hashes is not a
        # verified set, and a restore takes only a verified one.
        verification = dataclasses.replace(verification, status="incomplete")
    return verification


# What identifies a file of the set as unchanged between two listings of one restore
# (docs/windows-behaviour.md#file-last-write-time): a rewritten file has a new last-write time.
_UNCHANGED_KEYS = ("size", "last_write_utc")


def _file_key(entry: Mapping[str, t.Any]) -> tuple[object, ...]:
    return tuple(entry.get(key) for key in _UNCHANGED_KEYS)


def set_changes_since(
    listed: list[Mapping[str, t.Any]], verified: list[Mapping[str, t.Any]]
) -> list[str]:
    """The files added, removed or rewritten (size or last-write time) since the verified
    listing, one phrase each; empty when the set is as it was verified."""
    now = {str(entry.get("path")): entry for entry in listed}
    before = {str(entry.get("path")): entry for entry in verified}
    changes = [f"{path} was added" for path in sorted(set(now) - set(before))]
    changes += [f"{path} was removed" for path in sorted(set(before) - set(now))]
    changes += [
        f"{path} was rewritten"
        for path in sorted(set(now) & set(before))
        if _file_key(now[path]) != _file_key(before[path])
    ]
    return changes


def with_verified_hashes(
    inspect: RawResult, verified: list[Mapping[str, t.Any]], target: SetLocation
) -> RawResult:
    """The inspect result with the SHA-256 of the verified listing filled in, when inspect
    listed the set unhashed (``_hash_set`` false) and every file is as it was verified; a
    set that changed since is refused as corrupt (5087) before any node is stopped."""
    listing = inspect.get("set")
    if not isinstance(listing, Mapping) or listing.get("files") is None:
        return inspect
    files = [t.cast(Mapping[str, t.Any], f) for f in listing["files"]]
    incomplete = [str(e.get("path")) for e in verified if not e.get("sha256")]
    changes = set_changes_since(files, verified)
    if incomplete:
        changes.append("the verified listing has no SHA-256 for " + ", ".join(incomplete))
    if changes:
        raise RestoreBlocked(
            explained(
                ERROR_DATABASE_BACKUP_CORRUPT,
                path=target.path.path,
                node=inspect.get("node_name"),
                cause_detail="the set changed since it was verified ("
                + "; ".join(changes)
                + "); run the restore again so that it is verified afresh",
            )
        )
    hashes = {str(entry.get("path")): entry.get("sha256") for entry in verified}
    hashed = [dict(entry, sha256=hashes[str(entry.get("path"))]) for entry in files]
    return dict(inspect, set=dict(listing, files=hashed))


def check_set_usable(
    verification: SetVerification, inspect: RawResult, target: SetLocation
) -> Manifest:
    """A set that is not complete, or whose files differ from its manifest, is refused with
    ERROR_DATABASE_BACKUP_CORRUPT (5087); returns the manifest of a usable one."""
    if not verification.is_complete or verification.manifest is None:
        detail = verification.message.rstrip(".")
        if verification.is_complete:
            detail = "the set's files were not hashed, so the set cannot be verified"
        raise RestoreBlocked(
            explained(
                ERROR_DATABASE_BACKUP_CORRUPT,
                path=target.path.path,
                node=inspect.get("node_name"),
                cause_detail=detail,
            )
        )
    return verification.manifest


def set_signature(inspect: RawResult, trusted: tuple[TrustedKey, ...]) -> SignatureCheck:
    """The verdict on the signature of the set inspect listed (plugin_utils._signing)."""
    listing = inspect.get("set") or {}
    return check_signature(listing.get("manifest_text"), listing.get("signature_text"), trusted)


def check_set_signature(check: SignatureCheck, target: SetLocation, *, required: bool) -> list[str]:
    """Refuses, before any node is stopped, a forged set (its signature does not verify, or
    its key is not trusted) and, when signatures are ``required``, an unsigned one;
    returns warnings. With trusted keys an unsigned set is restored with a warning; with
    none, nothing is checked (the restore role's report says the set is not verified)."""
    refusal = signature_refusal(target.name, check, required=required)
    if refusal is not None:
        name, cause, fix = refusal
        raise RestoreBlocked(_without_code(name, f"{cause} ({target.path.path})", fix))
    if check.checked and check.status != VERIFIED:
        what = "is not signed" if check.status == UNSIGNED else f"is not verified ({check.text})"
        return [
            f"Set {target.name} {what}: its origin cannot be checked. Restored because "
            "signed sets are not required; require them once every set is signed."
        ]
    return []


def check_same_cluster(inspect: RawResult, manifest: Manifest, force: bool) -> list[str]:
    """Refuse a set of another cluster; returns warnings.

    The running cluster's id decides; when the cluster cannot be reached, the name this
    node's copy of the database records. When neither is known the restore goes on only
    with force (the node may be in a cluster that lost its database).
    """
    node = inspect.get("node_name") or "the node"
    cluster = inspect.get("cluster") or {}
    backed_up = f"{manifest.cluster.name} (id {manifest.cluster.id})"
    fix = (
        f"Restore a set taken from this node's cluster, or run the restore on a node of "
        f"{manifest.cluster.name}."
    )
    if cluster.get("id"):
        if str(cluster["id"]).casefold() != manifest.cluster.id.casefold():
            here = f"{cluster.get('name')} (id {cluster['id']})"
            raise RestoreBlocked(
                _without_code(
                    "OTHER_CLUSTER",
                    f"the set was taken from cluster {backed_up}, and {node} belongs to "
                    f"cluster {here}",
                    fix + " A cluster built again under the same name is another cluster "
                    "(a new id): its configuration cannot come from the old one's backup.",
                )
            )
        return []
    local_name = (inspect.get("local_database") or {}).get("cluster_name")
    if local_name:
        if str(local_name).casefold() != manifest.cluster.name.casefold():
            raise RestoreBlocked(
                _without_code(
                    "OTHER_CLUSTER",
                    f"the set was taken from cluster {backed_up}, and {node}'s copy of the "
                    f"cluster database belongs to cluster {local_name}",
                    fix,
                )
            )
        return [
            f"The cluster could not be reached from {node}; its identity was checked by "
            f"name ({local_name}) from the node's copy of the database."
        ]
    if not force:
        raise RestoreBlocked(
            _without_code(
                "CLUSTER_UNKNOWN",
                f"{node} could not tell which cluster it belongs to (the cluster could not "
                "be reached and the node's copy of the database names none)",
                "Choose one of the options.",
                (
                    "start the Cluster service on a node of the cluster and run the restore "
                    "again, so that the set's cluster can be checked",
                    f"if {node} is a node of {manifest.cluster.name}, run the restore again "
                    "with force=true",
                ),
            )
        )
    return [
        f"{node} could not tell which cluster it belongs to; restoring the set of "
        f"{manifest.cluster.name} because force=true."
    ]


def check_service_installed(inspect: RawResult, target: SetLocation) -> None:
    """Both routes need the Cluster service installed on the restoring node
    (docs/windows-behaviour.md#wbadmin-start-recovery)."""
    if not (inspect.get("cluster_service") or {}).get("installed"):
        raise RestoreBlocked(
            explained(
                ERROR_SERVICE_DOES_NOT_EXIST, path=target.path.path, node=inspect.get("node_name")
            )
        )


def choose_route(requested: str, manifest: Manifest, inspect: RawResult) -> str:
    """The route that wrote the set, if the node can run it; ``requested`` must agree."""
    node = inspect.get("node_name") or "the node"
    if requested not in (AUTO, manifest.route):
        raise PolicyRefusal(
            f"route={requested} was asked for, but the set was written by the "
            f"{manifest.route} route, and a set is restored only by the route that wrote it.",
            f"Use route={manifest.route} or route=auto, or choose a set written by {requested}.",
        )
    # The vss target is always a UNC path (plugin_utils._wbadmin_target).
    return resolve_route(
        manifest.route,
        HostBackupFacts.from_cluster_info(inspect),
        unc_target=manifest.route == VSS,
        node=str(node),
    )


def current_configuration(inspect: RawResult) -> Configuration | None:
    """The running cluster's configuration objects, None when they could not be read."""
    raw = inspect.get("configuration")
    return None if raw is None else normalize_configuration(raw)


def current_paxos_tag(inspect: RawResult) -> str | None:
    """The running cluster's PaxosTag, else the one in this node's copy of the database."""
    running = (inspect.get("configuration_version") or {}).get("paxos_tag")
    if running:
        return str(running)
    local = (inspect.get("local_database") or {}).get("paxos_tag")
    return str(local) if local else None


@dataclass(frozen=True)
class OtherNodes:
    """The other nodes' Cluster service as inspect read it."""

    running: tuple[str, ...]
    stopped: tuple[str, ...]
    unanswered: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return self.running + self.stopped + self.unanswered


def other_nodes(inspect: RawResult) -> OtherNodes:
    running, stopped, unanswered = [], [], []
    for entry in inspect.get("node_services") or []:
        name = str(entry.get("name"))
        state = entry.get("state")
        if state is None:
            unanswered.append(name)
        elif state in _STOPPED_SERVICE_STATES:
            stopped.append(name)
        else:
            running.append(name)
    return OtherNodes(tuple(running), tuple(stopped), tuple(unanswered))


def quorum_differences(inspect: RawResult, manifest: Manifest) -> tuple[str, ...] | None:
    """How the quorum disk layout differs from the backup's; None when it could not be read."""
    if inspect.get("quorum") is None:
        return None if manifest.quorum.witness_type == "disk" else ()
    return manifest.quorum.layout_differences(QuorumLayout.from_quorum_facts(inspect["quorum"]))


def plan_on_this_node(
    inspect: RawResult, manifest: Manifest, *, force: bool, quorum_drive: str | None
) -> tuple[RestorePlan, list[str]]:
    """restore_plan's decision for a restore on this node: refusals (5056, 5086, a node
    that may still run the cluster), or nothing to do, or the steps; plus warnings."""
    warnings = []
    differences = quorum_differences(inspect, manifest)
    if differences is None:
        differences = ()
        if not quorum_drive:
            warnings.append(
                "The quorum disk's partition layout could not be read (the cluster could not "
                "be reached), so it was not compared with the backup's."
            )
    elif differences and force and not quorum_drive:
        warnings.append(
            "The quorum disk's layout differs from the backup's ("
            + "; ".join(differences)
            + "); force=true: the restore sets the quorum disk back to the backed-up values."
        )
    if (inspect.get("node_list_source") or "none") == "none":
        warnings.append(
            "No list of the cluster's nodes was found (the cluster is down and this node's "
            "copy of the database names none); the other nodes were not checked."
        )
    current = current_configuration(inspect)
    plan = plan_restore(
        inspect_nodes(inspect, current_paxos_tag(inspect)),
        backup_version=manifest.configuration_version,
        force=force,
        restoring_node=str(inspect.get("node_name") or ""),
        quorum_differences=differences,
        quorum_drive=quorum_drive,
        safety_backup=False,
        running_fingerprint=current.fingerprint if current is not None else None,
        backup_fingerprint=manifest.configuration_fingerprint,
    )
    return plan, warnings


def refusal_of(plan: RestorePlan) -> RestoreBlocked | None:
    """The plan's refusals as one RestoreBlocked (the first one's code), or None."""
    if not plan.refusals:
        return None
    first, *rest = plan.refusals
    return RestoreBlocked(first, " ".join(r.message for r in rest))


def configuration_changes(inspect: RawResult, manifest: Manifest) -> ConfigurationDiff:
    """The running cluster's objects against the set's (empty 'before' when unreadable)."""
    current = current_configuration(inspect) or Configuration(())
    backup = normalize_configuration(manifest.configuration)
    return diff_configurations(current, backup)


def offline_disks(inspect: RawResult, manifest: Manifest) -> list[str]:
    """Disks that stay offline after the restore (added or changed since the backup)."""
    current = current_configuration(inspect)
    if current is None:
        return []
    witness = ((inspect.get("quorum") or {}).get("witness") or {}).get("resource")
    backup = normalize_configuration(manifest.configuration)
    return list(disks_left_offline(current, backup, witness))


def wbadmin_arguments(
    inspect: RawResult, manifest: Manifest, target: SetLocation
) -> dict[str, str]:
    """The internal options of phase restore for the vss route: version, target, machine.

    ``-machine`` is always the node the set was taken on (the manifest's source node), this
    node included: ``wbadmin start recovery`` says it must be used whenever
    ``-backupTarget`` is (docs/windows-behaviour.md#wbadmin-start-recovery), and the restore
    always gives ``-backupTarget``.
    """
    node = str(inspect.get("node_name") or "")
    return {
        "_wbadmin_version": str(manifest.wbadmin_version),
        "_wbadmin_target": wbadmin_target_for(target.location, node, target.name),
        "_wbadmin_machine": manifest.source_node,
    }


def explain_phase_failure(raw: RawResult, target: SetLocation) -> RestoreBlocked:
    """A module run that failed (either phase) as the operator's message."""
    node = raw.get("node_name")
    detail = str(raw.get("msg") or "").strip()
    if raw.get("condition") == WINDOWS_SERVER_BACKUP_MISSING:
        return RestoreBlocked(
            explain_condition(
                WINDOWS_SERVER_BACKUP_MISSING, RESTORE, path=target.path.path, node=node
            ),
            detail,
        )
    code = raw.get("error_code")
    if isinstance(code, int) and not isinstance(code, bool):
        return RestoreBlocked(explained(code, path=target.path.path, node=node), detail)
    return RestoreBlocked(
        _without_code(
            "MODULE_FAILED",
            f"the module failed on {node or 'the node'}",
            "Read the detail below and the node's event logs, then run the task again.",
        ),
        detail or "no message",
    )


def check_route_result(route: str, raw: RawResult, target: SetLocation) -> None:
    """Raise RestoreBlocked unless the route reported success."""
    node = raw.get("node_name")
    exit_code = raw.get("route_exit_code")
    if route == VSS:
        run = parse_run_output(str(raw.get("route_output") or ""), "", exit_code)
        if run.succeeded:
            return
        if run.feature_missing:
            raise RestoreBlocked(
                explain_condition(
                    WINDOWS_SERVER_BACKUP_MISSING, RESTORE, path=target.path.path, node=node
                )
            )
        code = run.win32_code if run.win32_code is not None else run.hresult
        if code is None:
            code = exit_code if isinstance(exit_code, int) and exit_code != 0 else None
        detail = f"wbadmin said: {run.error_text}" if run.error_text else ""
        if code is None:
            raise RestoreBlocked(
                _without_code(
                    "WBADMIN_FAILED",
                    f"wbadmin start recovery did not report success on {node or 'the node'}",
                    "Read wbadmin's output (route_output) and its logs, fix the cause, and run "
                    "the restore again.",
                ),
                detail,
            )
        raise RestoreBlocked(explained(code, path=target.path.path, node=node), detail)
    if exit_code == 0:
        return
    if not isinstance(exit_code, int):
        raise RestoreBlocked(
            _without_code(
                "NO_RESULT",
                "RestoreClusterDatabase returned no result",
                "Run the restore again; if it fails the same way, check the node.",
            )
        )
    raise RestoreBlocked(explained(exit_code, path=target.path.path, node=node))


def stopped_by_restore(before: OtherNodes, after_services: list[dict]) -> list[str]:
    """The nodes whose Cluster service ran before the restore and is stopped after it."""
    after = {str(e.get("name")).casefold(): e.get("state") for e in after_services or []}
    return [
        name for name in before.running if after.get(name.casefold()) in _STOPPED_SERVICE_STATES
    ]
