# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A restore decided on its check-mode run's facts, and what its restore phase reads again.

The restore role checks the set on the restoring node (cluster_restore in check mode),
asks for consent, takes the safety backup and stops the nodes; the run that restores then
takes that check's result (the ``checked`` option) and makes the same decisions on the same
facts instead of inspecting the node again: one module run for the restore step.

What the check read and a later step may change is read again by the ``restore`` phase
itself, immediately before its route (docs/internals.md, "cluster_restore"): this node's
name, the set's files (listed, not hashed), and the Cluster service of the other nodes. The
controller gives what it decided on (:func:`decided_facts`); the phase runs the route only
when the node reads the same, and otherwise fails with a ``condition`` that
:func:`explain_guard_failure` words.
"""

from __future__ import annotations

import typing as t
from collections.abc import Mapping

from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._errors import (
    ERROR_CLUSTER_NODE_UP,
    ERROR_DATABASE_BACKUP_CORRUPT,
    RESTORE,
    ErrorExplanation,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._refusal import PolicyRefusal
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._restore_decisions import (
    OtherNodes,
    RawResult,
    RestoreBlocked,
    SetLocation,
    explained,
    set_changes_since,
)

# The options whose values the check's decisions depend on: a checked run is taken only
# from a check asked the same (its result's decided_with).
DECIDING_OPTIONS = (
    "path",
    "force",
    "quorum_drive",
    "route",
    "loopback_target",
    "trusted_keys",
    "require_signature",
)

# The restore phase's conditions when what it read again differs (cluster_restore.ps1).
OTHER_NODE = "other_node"
SET_CHANGED = "set_changed"
NODE_RUNNING = "node_running"
NODE_UNREACHABLE = "node_unreachable"

_LISTING_KEYS = ("path", "size", "last_write_utc")

_FIX = (
    "Register the check-mode run of this restore on this host (the same options) and pass "
    "it whole as checked, or leave checked out so that the task inspects the node itself."
)


def checked_inspect(checked: Mapping[str, t.Any], options: Mapping[str, t.Any]) -> RawResult:
    """The inspect of ``checked``, a check-mode run's registered result, to decide on.

    ``options``: this run's values of DECIDING_OPTIONS as the module is given them. Refused
    (no module run) unless ``checked`` is a check that succeeded, ran the inspect phase
    only, was asked the same, and hashed the set's files.
    """
    if checked.get("skipped"):
        raise PolicyRefusal("checked is the result of a task that was skipped.", _FIX)
    if checked.get("failed") or checked.get("unreachable"):
        reason = str(checked.get("msg") or "no message").strip()
        raise PolicyRefusal(f"checked is the result of a run that failed ({reason}).", _FIX)
    phases = checked.get("phases")
    inspect = (checked.get("phase_results") or {}).get("inspect")
    if phases != ["inspect"] or not isinstance(inspect, Mapping):
        ran = ", ".join(str(p) for p in phases or []) or "none"
        raise PolicyRefusal(
            "checked is not the result of a check-mode run of wsfc.clusterdb.cluster_restore "
            f"that inspected the node (the phases it ran: {ran}).",
            _FIX,
        )
    asked = checked.get("decided_with")
    if not isinstance(asked, Mapping):
        raise PolicyRefusal(
            "checked shows no options to compare with this run's (no decided_with).", _FIX
        )
    differing = [
        f"{name} was {asked.get(name)!r}, here {options.get(name)!r}"
        for name in DECIDING_OPTIONS
        if asked.get(name) != options.get(name)
    ]
    if differing:
        raise PolicyRefusal(
            "checked is the result of a check asked otherwise: " + "; ".join(differing) + ".",
            _FIX,
        )
    files = ((inspect.get("set") or {}).get("files")) or []
    if any(not entry.get("sha256") for entry in files):
        raise PolicyRefusal(
            "checked listed the set without hashing its files (the check was given "
            "verified_files).",
            _FIX,
        )
    return dict(inspect)


def decided_facts(inspect: RawResult, before: OtherNodes, *, force: bool) -> dict[str, t.Any]:
    """The restore phase's options that give it what the controller decided on: this node,
    the set's listing, the other nodes that answered (one that no longer answers may still
    run the cluster, unseen), and the other nodes whose service must not run: those that did
    not answer (left alone as Down, so no step stops them; the phase counts one only if it
    now answers in a state other than stopped), and without force every other node (one
    that ran was refused)."""
    listed = (inspect.get("set") or {}).get("files") or []
    return {
        "_checked_node": inspect.get("node_name"),
        "_checked_files": [{key: entry.get(key) for key in _LISTING_KEYS} for entry in listed],
        "_must_be_stopped": list(before.unanswered if force else before.names),
        "_must_answer": list(before.running + before.stopped),
    }


def explain_guard_failure(
    raw: RawResult, decided: Mapping[str, t.Any], target: SetLocation
) -> RestoreBlocked | None:
    """The operator's message when the restore phase found the node other than decided
    (its ``condition``), with nothing stopped; None for any other failure."""
    condition = raw.get("condition")
    node = raw.get("node_name")
    if condition == OTHER_NODE:
        return RestoreBlocked(
            ErrorExplanation(
                RESTORE,
                None,
                "CHECKED_ON_ANOTHER_NODE",
                f"checked holds the facts of {decided.get('_checked_node')}, and this task ran "
                f"on {node or 'another node'}; the route did not run",
                _FIX,
            )
        )
    if condition == SET_CHANGED:
        changes = set_changes_since(raw.get("set_files") or [], decided["_checked_files"])
        return RestoreBlocked(
            explained(
                ERROR_DATABASE_BACKUP_CORRUPT,
                path=target.path.path,
                node=node,
                cause_detail="the set changed since it was verified ("
                + ("; ".join(changes) or "its listing differs")
                + "); nothing was stopped; run the restore again so that it is verified "
                "afresh",
            )
        )
    if condition == NODE_UNREACHABLE:
        unanswered = _nodes_read(raw, decided, "_must_answer", lambda state: state is None)
        return RestoreBlocked(
            ErrorExplanation(
                RESTORE,
                None,
                "NODE_UNREACHABLE",
                f"{unanswered} answered when the restore was decided and cannot be reached "
                "now, so its Cluster service may still be running; the route did not run",
                f"Bring {unanswered} back on the network, or shut it down (the cluster then "
                "reports it Down), and run the restore again.",
            )
        )
    if condition == NODE_RUNNING:
        running = _nodes_read(
            raw, decided, "_must_be_stopped", lambda state: state not in (None, "stopped")
        )
        return RestoreBlocked(
            explained(
                ERROR_CLUSTER_NODE_UP,
                path=target.path.path,
                node=node,
                cause_detail=f"the Cluster service runs on {running}, which the restore was "
                "decided to leave stopped (without force) or alone (Down, not answering); the "
                "route did not run",
            )
        )
    return None


def _nodes_read(
    raw: RawResult,
    decided: Mapping[str, t.Any],
    option: str,
    matches: t.Callable[[object], bool],
) -> str:
    """The nodes of ``option`` whose service the phase read before the route in a state that
    ``matches``, named (names compared without case, as PowerShell's -contains)."""
    named = {str(name).casefold() for name in decided.get(option, [])}
    found = [
        str(entry.get("name"))
        for entry in raw.get("node_services_before") or []
        if str(entry.get("name")).casefold() in named and matches(entry.get("state"))
    ]
    return ", ".join(found) or "another node"
