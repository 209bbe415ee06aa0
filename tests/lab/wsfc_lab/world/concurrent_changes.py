"""Configuration changes an administrator makes while a Windows operation runs (a lab hook).

A system state backup is not instantaneous and the PaxosTag's sequence moves with every
configuration change (docs/windows-behaviour.md#paxos-tag), so an administrator's change
can land in the middle of one. Tests plan such changes here:

    with world.transaction() as state:
        plan_changes_during(state, "wbadmin start systemstatebackup", [ConfigChange(...)])

The next run of that operation on any node, once its latency has passed (for the system
state backup: after the shadow copy was taken, before the media are written), applies the
changes to the running cluster through Cluster.change_configuration, each bumping the
sequence as any change does. The plan is used up by that run; it lives in the state, so
every node process sees it.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from wsfc_lab.world.configuration import ConfigChange

if TYPE_CHECKING:
    from wsfc_lab.world.state import LabState

EXTENSION = "changes_during"
# The changes applied, with the tags they gave: what a test checks the hook by.
APPLIED = "applied"


def plan_changes_during(
    state: LabState, operation: str, changes: list[ConfigChange], *, node: str | None = None
) -> None:
    """The next run of `operation` sees `changes` made on `node` (any member by default)."""
    if not changes:
        raise ValueError("plan at least one change")
    state.extension(EXTENSION).setdefault("planned", []).append(
        {
            "operation": operation.lower(),
            "node": state.node_name(node) if node else None,
            "changes": [asdict(change) for change in changes],
        }
    )


def is_planned(state: LabState, operation: str) -> bool:
    # Read without state.extension, which would add an empty section to a state that a
    # check-mode run must leave as it was.
    section = state.data.get("extensions", {}).get(EXTENSION, {})
    return any(p["operation"] == operation.lower() for p in section.get("planned", []))


def apply_planned(state: LabState, operation: str) -> list[str]:
    """Make the changes planned for this run of `operation`; the new PaxosTags, in order.

    Nothing is changed (and the plan is dropped) when no cluster is formed: there is no
    one to change it.
    """
    section = state.extension(EXTENSION)
    planned: list[dict[str, Any]] = section.get("planned", [])
    entry = next((p for p in planned if p["operation"] == operation.lower()), None)
    if entry is None:
        return []
    planned.remove(entry)
    cluster = state.cluster
    members = cluster.members()
    if not members:
        return []
    node = entry["node"] if entry["node"] in members else members[0]
    tags = [
        cluster.change_configuration(node, ConfigChange(**change)) for change in entry["changes"]
    ]
    section.setdefault(APPLIED, []).append({"operation": entry["operation"], "tags": tags})
    return tags


def applied(state: LabState) -> list[dict[str, Any]]:
    """Every planned run that happened: its operation and the tags its changes gave."""
    return list(state.extension(EXTENSION).get(APPLIED, []))
