# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller's side of ``cluster_node``: option checks and what a failure means.

The module starts or stops the Cluster service and reports raw states, the raw Win32 code of
a refused ``Start-ClusterNode`` / ``Stop-ClusterNode`` and whether its wait ran out. This
file decides which option sets are refused before the node is contacted, the node's state
at the end, and the message an operator reads.

``docs/windows-behaviour.md#stop-clusternode``: ``Stop-ClusterNode`` is refused when it would
take the cluster below quorum; ``-ForceQuorum`` makes this node's copy authoritative (a stale
copy forced this way loses changes); ``-PreventQuorum`` starts a node that may not form a
cluster of its own; event 1561 is a node with a stale copy refusing to form the cluster.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass

from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._errors import (
    ERROR_ACCESS_DENIED,
    ERROR_CLUSTER_DATABASE_SEQMISMATCH,
    ERROR_CLUSTER_NO_QUORUM,
    ERROR_CLUSTER_NODE_NOT_FOUND,
    ERROR_QUORUM_OWNER_ALIVE,
    ERROR_SERVICE_DOES_NOT_EXIST,
    RPC_S_SERVER_UNAVAILABLE,
    ErrorExplanation,
    ExplanationEntry,
    explanation_of,
    win32_code_from_hresult,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._refusal import PolicyRefusal

STARTED = "started"
STOPPED = "stopped"
STATES = (STARTED, STOPPED)
DEFAULT_TIMEOUT = 300
TIMEOUT_NAME = "TIMEOUT"

# The Cluster service's state as the module reports it (Win32_Service, lower case).
_SERVICE_STOPPED = "stopped"


@dataclass(frozen=True)
class NodeOptions:
    """``cluster_node``'s options after the controller's checks."""

    state: str
    force_quorum: bool
    prevent_quorum: bool
    wait: bool
    timeout: int

    def module_args(self) -> dict[str, t.Any]:
        return {
            "state": self.state,
            "force_quorum": self.force_quorum,
            "prevent_quorum": self.prevent_quorum,
            "wait": self.wait,
            "timeout": self.timeout,
        }


def check_node_options(
    state: str, force_quorum: bool, prevent_quorum: bool, wait: bool, timeout: int
) -> NodeOptions:
    """Refuse the combinations the cmdlets would reject or ignore (types are checked first)."""
    if state not in STATES:
        raise PolicyRefusal(
            f"state {state!r} is not known.", f"Set state to one of {', '.join(STATES)}."
        )
    if force_quorum and prevent_quorum:
        raise PolicyRefusal(
            "force_quorum and prevent_quorum are both set: one lets this node form the "
            "cluster on its own, the other forbids it.",
            "Use force_quorum on the node whose copy of the database must win (the one a "
            "restore ran on) and prevent_quorum on the nodes that join it afterwards.",
        )
    if state == STOPPED and (force_quorum or prevent_quorum):
        chosen = "force_quorum" if force_quorum else "prevent_quorum"
        raise PolicyRefusal(
            f"{chosen} applies when the Cluster service starts, and state is stopped.",
            f"Remove {chosen}, or set state=started.",
        )
    if timeout < 1:
        raise PolicyRefusal(
            f"timeout is {timeout} seconds.",
            f"Give at least 1 second (the default is {DEFAULT_TIMEOUT}).",
        )
    return NodeOptions(state, force_quorum, prevent_quorum, wait, timeout)


def final_node_state(raw: dict[str, t.Any]) -> str:
    """The node's state at the end of the task, from the module's raw result.

    The cluster's own answer when it gave one; a node whose service is stopped and that no
    node of the cluster could report on is Down (no cluster runs there to say otherwise).
    """
    reported = raw.get("node_state_after")
    if reported:
        return str(reported)
    if raw.get("service_state_after") == _SERVICE_STOPPED:
        return "Down"
    return "Unknown"


_STOP: dict[int, ExplanationEntry] = {
    # Which code Stop-ClusterNode gives for "would lose quorum" is *unconfirmed* (the
    # facts page, docs/windows-behaviour.md#stop-clusternode, says only that it is refused);
    # the lab answers 5925.
    ERROR_CLUSTER_NO_QUORUM: ExplanationEntry(
        "ERROR_CLUSTER_NO_QUORUM",
        "the cluster refused to stop {node}: without it the cluster would lose quorum",
        "Choose one of the options.",
        options=(
            "stop the whole cluster at once with Stop-Cluster when every node should stop",
            "bring another node (or the witness) online first, then stop this one",
            "for a restore, run wsfc.clusterdb.cluster_restore with force=true, which stops "
            "the other nodes itself",
        ),
    ),
    ERROR_QUORUM_OWNER_ALIVE: ExplanationEntry(
        "ERROR_QUORUM_OWNER_ALIVE",
        "the cluster refused to stop {node} while it owns the quorum resource",
        "Move the core cluster group to another node (Move-ClusterGroup 'Cluster Group'), "
        "then stop this node.",
    ),
}

_START: dict[int, ExplanationEntry] = {
    ERROR_CLUSTER_NO_QUORUM: ExplanationEntry(
        "ERROR_CLUSTER_NO_QUORUM",
        "{node} could not form or join a cluster with quorum",
        "Choose one of the options.",
        options=(
            "start more nodes (or bring the witness online) so that the cluster has quorum",
            "start the node that holds the newest configuration with force_quorum=true, "
            "then the others with prevent_quorum=true",
        ),
    ),
    ERROR_CLUSTER_DATABASE_SEQMISMATCH: ExplanationEntry(
        "ERROR_CLUSTER_DATABASE_SEQMISMATCH",
        "{node} holds an older copy of the cluster database than another node (event 1561: "
        "a node with a stale copy does not form the cluster)",
        "Choose one of the options.",
        options=(
            "start the node that holds the newest copy first, then this one: it takes that "
            "copy as it joins",
            "start this node with force_quorum=true only if its copy must win: the changes "
            "made since it was stopped are lost",
        ),
    ),
}

_ANY: dict[int, ExplanationEntry] = {
    ERROR_SERVICE_DOES_NOT_EXIST: ExplanationEntry(
        "ERROR_SERVICE_DOES_NOT_EXIST",
        "the Cluster service (ClusSvc) does not exist on {node}",
        "Install the Failover Clustering feature and join the node to the cluster, or run "
        "the task on a cluster node.",
    ),
    ERROR_ACCESS_DENIED: ExplanationEntry(
        "ERROR_ACCESS_DENIED",
        "the account running the task on {node} may not control the Cluster service",
        "Run as a cluster administrator (become: true, become_method: runas, or CredSSP).",
    ),
    RPC_S_SERVER_UNAVAILABLE: ExplanationEntry(
        "RPC_S_SERVER_UNAVAILABLE",
        "the Cluster service on {node} did not answer",
        "Check that the node is running and reachable, then run the task again.",
        retryable=True,
    ),
    ERROR_CLUSTER_NODE_NOT_FOUND: ExplanationEntry(
        "ERROR_CLUSTER_NODE_NOT_FOUND",
        "{node} is not a member of the cluster",
        "Run the task on a cluster node (Get-ClusterNode lists them).",
    ),
}


def _operation(state: str, node: str) -> str:
    verb = "start" if state == STARTED else "stop"
    return f"{verb} of the Cluster service on {node}"


def explain_node_failure(code: int, state: str, node: str | None) -> ErrorExplanation:
    """Explain the Win32 code (or HRESULT) of a refused Start-/Stop-ClusterNode."""
    name = node or "the node"
    win32 = win32_code_from_hresult(code)
    if win32 is not None:
        code = win32
    table = _START if state == STARTED else _STOP
    entry = table.get(code) or _ANY.get(code)
    if entry is None:
        entry = ExplanationEntry(
            "unknown error",
            f"Windows reported error {code} (0x{code & 0xFFFFFFFF:08X}) on {{node}}",
            f"Look the code up with `net helpmsg {code}` on the node and read the "
            "FailoverClustering event log.",
        )
    return explanation_of(entry, _operation(state, name), code, node=name)


def explain_node_timeout(
    state: str, node: str | None, timeout: int, node_state: str
) -> ErrorExplanation:
    """Explain a wait that ran out before the node reached the requested state."""
    name = node or "the node"
    wanted = "Up" if state == STARTED else "Down (its Cluster service stopped)"
    if state == STARTED:
        fix = (
            "Read the FailoverClustering event log on the node (event 1561 means another "
            "node holds a newer copy: start that one first), or raise timeout."
        )
    else:
        fix = "Check what keeps the Cluster service running (Get-Service ClusSvc) or raise timeout."
    return ErrorExplanation(
        operation=_operation(state, name),
        code=None,
        name=TIMEOUT_NAME,
        cause=f"{name} was not {wanted} after {timeout} seconds; it is {node_state}",
        fix=fix,
        retryable=True,
    )
