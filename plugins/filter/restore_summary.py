# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The restore_summary filter: what the restore role did, with a timeline per node."""

from __future__ import annotations

DOCUMENTATION = r"""
---
name: restore_summary
short_description: The restore role's report, with a timeline per node
version_added: 0.1.0
description:
  - Takes the plan from P(wsfc.clusterdb.restore_plan#filter) and the records of the steps
    that ran (P(wsfc.clusterdb.restore_step#filter)), and returns the report - the set
    restored, the restoring node and why, the safety backup, the configuration objects the
    restore changed, the disks left offline, and for each node the steps it went through
    with their outcome and times.
options:
  _input:
    description: The result of P(wsfc.clusterdb.restore_plan#filter).
    type: dict
    required: true
  records:
    description: The records of the steps that ran, in order.
    type: list
    elements: dict
    default: []
  safety_backup:
    description: The safety backup's M(wsfc.clusterdb.cluster_backup) result, empty when
      none ran.
    type: dict
    default: {}
  restore_result:
    description: The restoring node's M(wsfc.clusterdb.cluster_restore) result, empty when
      the restore did not run.
    type: dict
    default: {}
author:
  - wsfc.clusterdb maintainers (@wsfc-clusterdb)
"""

EXAMPLES = r"""
- name: Report
  ansible.builtin.debug:
    msg: "{{ (plan | wsfc.clusterdb.restore_summary(records)).lines }}"
  run_once: true
"""

RETURN = r"""
_value:
  description: The report.
  type: dict
  contains:
    lines:
      description: The report, one line each.
      type: list
      elements: str
    timeline:
      description: Node name to its steps in order, each with C(step), C(status),
        C(started), C(finished), C(elapsed) and C(message).
      type: dict
    changed:
      description: Whether any step changed a node.
      type: bool
    safety_backup_set:
      description: The path of the safety backup set, V(null) when none was taken.
      type: str
"""

import typing as t
from collections.abc import Mapping

from ansible.errors import AnsibleFilterError


def _clock(stamp: object) -> str:
    """HH:MM:SS of an ISO 8601 time, as the timeline shows it."""
    text = str(stamp or "")
    return text[11:19] if len(text) >= 19 else (text or "?")


def timeline(records: list[Mapping[str, t.Any]]) -> dict[str, list[dict[str, t.Any]]]:
    lines: dict[str, list[dict[str, t.Any]]] = {}
    for record in records:
        for name, node in (record.get("nodes") or {}).items():
            lines.setdefault(name, []).append(
                {
                    "step": record.get("step"),
                    "status": node.get("status"),
                    "started": record.get("started"),
                    "finished": record.get("finished"),
                    "elapsed": node.get("elapsed"),
                    "message": node.get("message") or "",
                }
            )
    return dict(sorted(lines.items(), key=lambda item: item[0].casefold()))


def _entry_text(entry: Mapping[str, t.Any]) -> str:
    span = f"{_clock(entry['started'])}-{_clock(entry['finished'])}"
    elapsed = f", {entry['elapsed']:.1f}s on the node" if entry.get("elapsed") is not None else ""
    message = f" ({entry['message']})" if entry.get("message") else ""
    return f"{span} {entry['step']}: {entry['status']}{elapsed}{message}"


def restore_summary(
    plan: Mapping[str, t.Any],
    records: list[Mapping[str, t.Any]] | None = None,
    safety_backup: Mapping[str, t.Any] | None = None,
    restore_result: Mapping[str, t.Any] | None = None,
) -> dict[str, t.Any]:
    if not isinstance(plan, Mapping) or "steps" not in plan:
        raise AnsibleFilterError("expected the result of wsfc.clusterdb.restore_plan")
    records = list(records or [])
    chosen = plan.get("set") or {}
    version = (chosen.get("configuration_version") or {}).get("paxos_tag")
    cluster = (plan.get("cluster") or {}).get("name")
    safety = dict(safety_backup or {})
    safety_set = safety.get("set_path") if not safety.get("skipped") else None
    restored = dict(restore_result or {})
    changed = any(r.get("changed_nodes") for r in records)

    lines = [
        f"Cluster {cluster}, backup set {chosen.get('name')} (configuration version {version})."
    ]
    if plan.get("already_current"):
        lines.append(
            "The cluster already runs this set's configuration on every node: nothing was "
            "restored and no node was stopped."
        )
    else:
        lines.append(f"Restoring node: {plan.get('restoring_node')} ({plan.get('choice_reason')}).")
        if safety_set:
            lines.append(f"Safety backup of the configuration before the restore: {safety_set}")
        elif plan.get("hosts", {}).get("safety_backup"):
            lines.append("Safety backup: not taken (the run stopped before it).")
        else:
            lines.append("Safety backup: none (no node was Up to take it).")
        # The preflight's check read the running cluster; once the other nodes are stopped
        # the restoring node cannot read it, and the restore's own list shows every object.
        changes = plan.get("configuration_changes") or restored.get("configuration_changes") or []
        lines.append(f"Configuration objects restored: {len(changes)}.")
        for change in changes:
            lines.append(f"  {change.get('change')} {change.get('kind')} {change.get('name')}")
        offline = restored.get("offline_disks") or []
        if offline:
            lines.append(
                "Disks left offline (added or changed since the backup; bring them online and "
                "check them): " + ", ".join(offline)
            )
    lines += [f"Note: {note}" for note in plan.get("notes") or []]
    nodes = timeline(records)
    if nodes:
        lines.append("Timeline (UTC):")
        for name, entries in nodes.items():
            lines.append(f"  {name}:")
            lines += [f"    {_entry_text(entry)}" for entry in entries]
    return {
        "lines": lines,
        "timeline": nodes,
        "changed": changed,
        "safety_backup_set": safety_set,
    }


class FilterModule:
    def filters(self) -> dict[str, t.Callable[..., t.Any]]:
        return {"restore_summary": restore_summary}
