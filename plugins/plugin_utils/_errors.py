# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a Windows error code means for a backup or a restore, and what the operator can do.

The PowerShell modules return the raw code (a Win32 code, or an HRESULT from wbadmin); the
action plugins turn it into an explanation with :func:`explain_win32_error`. Conditions
that have no code (the Windows Server Backup feature missing) have a name of their own and
go through :func:`explain_condition`.

Codes and names: mingw-w64 ``winerror.h`` (``docs/windows-behaviour.md#win32-error-codes``);
ERROR_DISK_FULL (112) from the same header.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

BACKUP = "backup"
RESTORE = "restore"
# The restore's safety backup is a backup (cluster_backup) whose way out differs: another
# folder for it is the restore's option restore_safety_backup_path.
SAFETY_BACKUP = "safety backup"
OPERATIONS = (BACKUP, RESTORE, SAFETY_BACKUP)

# A condition without a Win32 code: wbadmin is absent because the feature is not installed.
WINDOWS_SERVER_BACKUP_MISSING = "windows_server_backup_missing"

ERROR_ACCESS_DENIED = 5
ERROR_DISK_FULL = 112
ERROR_ALREADY_EXISTS = 183
ERROR_CALL_NOT_IMPLEMENTED = 120
ERROR_DIRECTORY = 267
ERROR_SERVICE_DOES_NOT_EXIST = 1060
ERROR_SERVICE_NOT_ACTIVE = 1062
ERROR_NONE_MAPPED = 1332
RPC_S_SERVER_UNAVAILABLE = 1722
ERROR_QUORUM_OWNER_ALIVE = 5034
ERROR_NODE_NOT_AVAILABLE = 5036
ERROR_CLUSTER_NODE_NOT_FOUND = 5042
ERROR_CLUSTER_NODE_DOWN = 5050
ERROR_CLUSTER_NODE_UP = 5056
ERROR_CLUSTER_DATABASE_SEQMISMATCH = 5083
ERROR_QUORUM_DISK_NOT_FOUND = 5086
ERROR_DATABASE_BACKUP_CORRUPT = 5087
ERROR_CLUSTER_NO_QUORUM = 5925
ERROR_CLUSTER_NOT_INSTALLED = 5932
ERROR_CLUSTER_BACKUP_IN_PROGRESS = 5949

# HRESULT_FROM_WIN32 puts a Win32 code in facility 7 with the failure bit set.
_FACILITY_WIN32 = 7


@dataclass(frozen=True)
class ErrorExplanation:
    """A failure explained: its cause, the fix, and when there are several ways out, options.

    ``retryable`` says whether running the same task again later may succeed without the
    operator changing anything (a busy or briefly unreachable cluster).
    """

    operation: str
    code: int | None
    name: str
    cause: str
    fix: str
    options: tuple[str, ...] = ()
    retryable: bool = False

    @property
    def message(self) -> str:
        """One operator-facing text: what failed, why, and what to do."""
        label = f"Windows error {self.code}, {self.name}" if self.code is not None else self.name
        text = f"The {self.operation} failed: {self.cause} ({label}). {self.fix}"
        if self.options:
            numbered = " ".join(f"({n}) {option}" for n, option in enumerate(self.options, 1))
            text = f"{text} Options: {numbered}"
        return text

    def as_result(self) -> dict[str, object]:
        """The explanation as module result keys."""
        return {
            "code": self.code,
            "name": self.name,
            "cause": self.cause,
            "fix": self.fix,
            "options": list(self.options),
            "retryable": self.retryable,
            "message": self.message,
        }


@dataclass(frozen=True)
class ExplanationEntry:
    """One code's explanation before it is given the place: {path} and {node} in the texts
    stand for the backup path or set and the node that ran the operation."""

    name: str
    cause: str
    fix: str
    options: tuple[str, ...] = ()
    retryable: bool = False


# Texts use {path} (the backup path or set), {node} (the node that ran the operation).
_COMMON: dict[int, ExplanationEntry] = {
    ERROR_CALL_NOT_IMPLEMENTED: ExplanationEntry(
        "ERROR_CALL_NOT_IMPLEMENTED",
        "{node} runs Windows Server 2008 or later, where the legacy cluster API backup and "
        "restore calls do nothing and always answer 120",
        "Use route=vss (Windows Server Backup), the supported route on this version, or "
        "route=auto, which picks it.",
    ),
    ERROR_DIRECTORY: ExplanationEntry(
        "ERROR_DIRECTORY",
        "{path} names a file, not a directory",
        "Give the path of a directory (the sets are created inside it), or remove or "
        "rename the file that has that name.",
    ),
    ERROR_SERVICE_DOES_NOT_EXIST: ExplanationEntry(
        "ERROR_SERVICE_DOES_NOT_EXIST",
        "the Cluster service (ClusSvc) does not exist on {node}",
        "Install the Failover Clustering feature on this node and join it to the cluster, "
        "or run the task on a node that is a cluster member.",
    ),
    RPC_S_SERVER_UNAVAILABLE: ExplanationEntry(
        "RPC_S_SERVER_UNAVAILABLE",
        "the Cluster service on {node} or the cluster it contacted did not answer",
        "Check that the node is running and reachable (firewall rules for RPC), then "
        "run the task again.",
        retryable=True,
    ),
    ERROR_CLUSTER_NODE_NOT_FOUND: ExplanationEntry(
        "ERROR_CLUSTER_NODE_NOT_FOUND",
        "a node named in the operation is not a member of the cluster",
        "Check the node names in the inventory against Get-ClusterNode.",
    ),
    ERROR_CLUSTER_NOT_INSTALLED: ExplanationEntry(
        "ERROR_CLUSTER_NOT_INSTALLED",
        "{node} is not part of a failover cluster (clustering is not installed or not configured)",
        "Run the task against a cluster node; install the Failover Clustering feature "
        "and join the node first if it should be one.",
    ),
    ERROR_CLUSTER_BACKUP_IN_PROGRESS: ExplanationEntry(
        "ERROR_CLUSTER_BACKUP_IN_PROGRESS",
        "another backup of the cluster is running",
        "Wait until it finishes (wbadmin get status shows it), then run the task again.",
        retryable=True,
    ),
    ERROR_DISK_FULL: ExplanationEntry(
        "ERROR_DISK_FULL",
        "the volume or share holding {path} ran out of space",
        "Free space there (retention removes old sets: lower the number kept), or choose "
        "another backup_path.",
    ),
}

_BACKUP: dict[int, ExplanationEntry] = {
    # backup_folders: {path} is the accounts of the folders' ACL that did not resolve.
    ERROR_NONE_MAPPED: ExplanationEntry(
        "ERROR_NONE_MAPPED",
        "{node} found no security identifier for {path}, named in the ACL of the backup folders",
        "Name accounts {node} can resolve: the nodes' computer accounts are DOMAIN\\NODE$, "
        "with the NetBIOS name of the cluster's domain (set backup_node_account_domain when "
        "it differs from the first label of the DNS name).",
    ),
    ERROR_ACCESS_DENIED: ExplanationEntry(
        "ERROR_ACCESS_DENIED",
        "the account that ran the backup on {node} may not write to {path} or may not "
        "back up the cluster",
        "Run as a cluster administrator (become: true, become_method: runas) and give that "
        "account, and for a share the node's computer account, write access to the path.",
    ),
    ERROR_SERVICE_NOT_ACTIVE: ExplanationEntry(
        "ERROR_SERVICE_NOT_ACTIVE",
        "the Cluster service is not running on {node}",
        "Back up from a node where the Cluster service runs, or start it "
        "(wsfc.clusterdb.cluster_node state=started) and run the task again.",
    ),
    ERROR_QUORUM_OWNER_ALIVE: ExplanationEntry(
        "ERROR_QUORUM_OWNER_ALIVE",
        "the node that owns the quorum resource is alive but the backup could not use it",
        "Run the backup on the node that owns the quorum resource (Get-ClusterQuorum), "
        "or move the core cluster group to {node}.",
        retryable=True,
    ),
    ERROR_NODE_NOT_AVAILABLE: ExplanationEntry(
        "ERROR_NODE_NOT_AVAILABLE",
        "the node that has to take part in the backup is not available",
        "Make sure the node that owns the quorum resource is Up, then run the task again.",
        retryable=True,
    ),
    ERROR_CLUSTER_NODE_DOWN: ExplanationEntry(
        "ERROR_CLUSTER_NODE_DOWN",
        "{node} is down in the cluster",
        "Start the Cluster service on the node, or back up from a node that is Up.",
    ),
    ERROR_CLUSTER_NODE_UP: ExplanationEntry(
        "ERROR_CLUSTER_NODE_UP",
        "the cluster refused the backup because of the state of its nodes",
        "Check Get-ClusterNode and run the task again once the nodes are settled.",
        retryable=True,
    ),
    ERROR_CLUSTER_DATABASE_SEQMISMATCH: ExplanationEntry(
        "ERROR_CLUSTER_DATABASE_SEQMISMATCH",
        "the configuration version read after the backup is older than the one read before "
        "it (the node's copy of the database went back, as after a restore or a forced "
        "start elsewhere)",
        "Check which node holds the newest copy (cluster_info on every node), then run the "
        "backup again.",
        retryable=True,
    ),
    ERROR_QUORUM_DISK_NOT_FOUND: ExplanationEntry(
        "ERROR_QUORUM_DISK_NOT_FOUND",
        "the quorum or witness disk could not be found",
        "Check that the witness disk is online (Get-ClusterQuorum) and run the task again.",
    ),
    ERROR_DATABASE_BACKUP_CORRUPT: ExplanationEntry(
        "ERROR_DATABASE_BACKUP_CORRUPT",
        "the backup written to {path} could not be read back whole",
        "Run the backup again; if it fails the same way, check the storage behind the path.",
    ),
    # The module returns 183 only for a directory it was about to create: the staging
    # directory of a new set, or the set directory its staging directory is renamed to.
    # Both names are new when the backup inspects the folder, so a directory of that name
    # appearing before the write is another backup of the same cluster, into the same
    # folder, that chose the same name in the same second.
    ERROR_ALREADY_EXISTS: ExplanationEntry(
        "ERROR_ALREADY_EXISTS",
        "another backup of this cluster into {path} is running at the same time: it "
        "created the directory this backup had just named for its new set (both runs "
        "took the same configuration version in the same second)",
        "Nothing of the other backup was touched and the earlier sets are whole. Let the "
        "other run finish, then run this backup again: it finds the other run's set "
        "current, or writes a set of its own. Run one backup of a cluster at a time "
        "(one play per cluster, or a scheduler that does not start a run while the last "
        "one is going).",
        retryable=True,
    ),
    ERROR_CLUSTER_NO_QUORUM: ExplanationEntry(
        "ERROR_CLUSTER_NO_QUORUM",
        "the cluster has no quorum, and backing up the configuration needs a running "
        "cluster with quorum",
        "Bring enough nodes (and the witness) online for the cluster to have quorum, then "
        "run the task again.",
    ),
}

_RESTORE: dict[int, ExplanationEntry] = {
    ERROR_ACCESS_DENIED: ExplanationEntry(
        "ERROR_ACCESS_DENIED",
        "the account that ran the restore on {node} may not read {path} or may not "
        "control the Cluster service",
        "Run as a local and cluster administrator (become: true, become_method: runas) "
        "and give that account, and for a share the node's computer account, read access.",
    ),
    ERROR_SERVICE_NOT_ACTIVE: ExplanationEntry(
        "ERROR_SERVICE_NOT_ACTIVE",
        "the Cluster service was not running where the restore needed it",
        "Check the Cluster service state on every node (wsfc.clusterdb.cluster_info) and "
        "run the restore again.",
    ),
    ERROR_QUORUM_OWNER_ALIVE: ExplanationEntry(
        "ERROR_QUORUM_OWNER_ALIVE",
        "the node that owns the quorum resource is still running the cluster",
        "Stop the Cluster service on the other nodes first.",
        options=(
            "stop the Cluster service on every other node and run the restore again",
            "run the restore again with force=true, which stops the other nodes itself",
        ),
    ),
    ERROR_NODE_NOT_AVAILABLE: ExplanationEntry(
        "ERROR_NODE_NOT_AVAILABLE",
        "a node the restore needed was not available",
        "Check the state of every node and run the restore again.",
        retryable=True,
    ),
    ERROR_CLUSTER_NODE_DOWN: ExplanationEntry(
        "ERROR_CLUSTER_NODE_DOWN",
        "{node} is down in the cluster",
        "Start the node's Cluster service after the restore has finished on the restoring "
        "node; it takes the restored configuration as it joins.",
    ),
    ERROR_CLUSTER_NODE_UP: ExplanationEntry(
        "ERROR_CLUSTER_NODE_UP",
        "the Cluster service is still running on another node, and a restore without "
        "force refuses to overwrite a configuration that a running node uses",
        "Choose one of the options.",
        # Stop-ClusterNode refuses the stop that would leave the cluster below quorum
        # (docs/windows-behaviour.md#stop-clusternode), so on three nodes or more the other
        # nodes cannot all be stopped with cluster_node; the service control manager stops
        # any of them.
        options=(
            "stop the Cluster service on every other node through the service control "
            "manager (ansible.windows.win_service name=ClusSvc state=stopped, or net stop "
            "clussvc on each), then run the restore again; the wsfc.clusterdb.restore "
            "playbook does all of it, and starts the nodes again after the restore",
            "run the restore again with force=true, which stops the other nodes itself",
        ),
    ),
    ERROR_CLUSTER_DATABASE_SEQMISMATCH: ExplanationEntry(
        "ERROR_CLUSTER_DATABASE_SEQMISMATCH",
        "the configuration version of the database does not match what the cluster "
        "expected (a node holds a different copy)",
        "Start the node that holds the newest copy first, or restore again so that every "
        "node takes the restored copy as it joins.",
    ),
    ERROR_QUORUM_DISK_NOT_FOUND: ExplanationEntry(
        "ERROR_QUORUM_DISK_NOT_FOUND",
        "the quorum disk's partition layout (number of partitions and their offsets) "
        "differs from the one recorded in the backup",
        "Choose one of the options.",
        options=(
            "partition the quorum disk as it was at the time of the backup and run the "
            "restore again",
            "run the restore again with force=true, which rewrites the quorum disk's "
            "signature and drive letter to the backed-up values",
            "if the quorum disk was replaced since the backup, give its drive letter as "
            "quorum_drive (for example Q:)",
        ),
    ),
    ERROR_DATABASE_BACKUP_CORRUPT: ExplanationEntry(
        "ERROR_DATABASE_BACKUP_CORRUPT",
        "the backup set at {path} is incomplete or corrupt",
        "Restore from another set (wsfc.clusterdb.backup_set_info lists the sets and "
        "verifies them); this one cannot be used.",
    ),
    ERROR_CLUSTER_NO_QUORUM: ExplanationEntry(
        "ERROR_CLUSTER_NO_QUORUM",
        "the restored node could not form a cluster with quorum",
        "Start the restoring node with force quorum (wsfc.clusterdb.cluster_node "
        "force_quorum=true) and then the other nodes, or bring the witness online.",
    ),
}

# The restore's safety backup: what differs from a backup. It goes to pre_restore beside
# the set being restored unless restore_safety_backup_path names another folder, so that
# option is the way out when the default folder cannot take it.
_SAFETY_BACKUP: dict[int, ExplanationEntry] = {
    ERROR_ACCESS_DENIED: ExplanationEntry(
        "ERROR_ACCESS_DENIED",
        "the safety backup of the running configuration may not be written to {path} by "
        "{node} (the account that runs it, or the node's computer account that wbadmin "
        "writes to a share as, has no write access there)",
        "Nothing was stopped or restored. Choose one of the options.",
        options=(
            "set restore_safety_backup_path to a folder on a share the cluster's nodes may "
            "write to (the backup role's primary folder after a backup without the "
            "temporary share is one), and run the restore again",
            "give the cluster's nodes' computer accounts (DOMAIN\\NODE$) Modify on {path} "
            "(the backup role's tasks_from protect_set_home does that, leaving the folder to "
            "Administrators, SYSTEM and the nodes), and run the restore again",
        ),
    ),
    ERROR_DISK_FULL: ExplanationEntry(
        "ERROR_DISK_FULL",
        "the volume or share holding {path} ran out of space for the safety backup",
        "Nothing was stopped or restored. Free space there, or set "
        "restore_safety_backup_path to a folder with room for one more set, and run the "
        "restore again.",
    ),
}

_CONDITIONS: dict[str, ExplanationEntry] = {
    WINDOWS_SERVER_BACKUP_MISSING: ExplanationEntry(
        "WINDOWS_SERVER_BACKUP_MISSING",
        "the Windows Server Backup feature (wbadmin) is not installed on {node}, and the "
        "vss route needs it",
        "Install it (Install-WindowsFeature Windows-Server-Backup, or the "
        "ansible.windows.win_feature module) and run the task again.",
    ),
}


def explain_win32_error(
    code: int, operation: str, *, path: str | None = None, node: str | None = None
) -> ErrorExplanation:
    """Explain a Win32 code (or an HRESULT that wraps one) for a backup or a restore."""
    _check_operation(operation)
    win32 = win32_code_from_hresult(code)
    if win32 is not None:
        code = win32
    entry = _tables(operation).get(code)
    if entry is None:
        return ErrorExplanation(
            operation=operation,
            code=code,
            name="unknown error",
            cause=f"Windows reported error {code} (0x{code & 0xFFFFFFFF:08X})",
            fix=f"Look the code up with `net helpmsg {code}` on the node and check the "
            "Windows event logs (FailoverClustering, Backup).",
        )
    return explanation_of(entry, operation, code, path, node)


def explain_condition(
    condition: str, operation: str, *, path: str | None = None, node: str | None = None
) -> ErrorExplanation:
    """Explain a named condition that has no Win32 code."""
    _check_operation(operation)
    entry = _CONDITIONS.get(condition)
    if entry is None:
        raise ValueError(f"unknown condition {condition!r}; known: {sorted(_CONDITIONS)}")
    return explanation_of(entry, operation, None, path, node)


def win32_code_from_hresult(value: int) -> int | None:
    """The Win32 code inside an HRESULT of facility 7 (0x8007xxxx), else None."""
    value &= 0xFFFFFFFF
    if value & 0x80000000 and (value >> 16) & 0x7FF == _FACILITY_WIN32:
        return value & 0xFFFF
    return None


def safety_backup_failure_message(result: Mapping[str, object]) -> str:
    """The message for a failed safety backup, from the cluster_backup task result.

    A failure with a Win32 code is explained for the safety backup (whose way out is
    restore_safety_backup_path); any other keeps the module's own message, which already
    names cause and fix.
    """
    code = result.get("error_code")
    message = str(result.get("msg") or "").strip()
    if not isinstance(code, int) or isinstance(code, bool):
        return message or "The safety backup failed without a message."
    path = result.get("backup_path")
    node = result.get("node_name")
    explanation = explain_win32_error(
        code,
        SAFETY_BACKUP,
        path=str(path) if path else None,
        node=str(node) if node else None,
    )
    if not message:
        return explanation.message
    lead = explanation.message.rstrip()
    return f"{lead}{'' if lead.endswith('.') else '.'} What the backup reported: {message}"


def _tables(operation: str) -> dict[int, ExplanationEntry]:
    """Every entry for an operation: its own first, then the common ones; the safety
    backup takes the backup's and puts its own ways out over them."""
    if operation == RESTORE:
        return {**_COMMON, **_RESTORE}
    if operation == SAFETY_BACKUP:
        return {**_COMMON, **_BACKUP, **_SAFETY_BACKUP}
    return {**_COMMON, **_BACKUP}


def explanation_of(
    entry: ExplanationEntry,
    operation: str,
    code: int | None,
    path: str | None = None,
    node: str | None = None,
) -> ErrorExplanation:
    """The entry's explanation for that operation, its texts given the path and the node."""
    values = {"path": path or "the backup path", "node": node or "the node"}
    return ErrorExplanation(
        operation=operation,
        code=code,
        name=entry.name,
        cause=entry.cause.format(**values),
        fix=entry.fix.format(**values),
        options=tuple(option.format(**values) for option in entry.options),
        retryable=entry.retryable,
    )


def _check_operation(operation: str) -> None:
    if operation not in OPERATIONS:
        raise ValueError(f"operation must be one of {OPERATIONS}, not {operation!r}")
