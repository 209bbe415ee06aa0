# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The restore_recovery filter: plugin_utils._restore_plan.plan_recovery for the role's rescue.

When a step fails the role reads every node again and asks this filter what to do: which
hosts to start again, in which order, and what to tell the operator about each node.
The policy (what is safe to restart after which step, what to run next) is plan_recovery's.
"""

from __future__ import annotations

DOCUMENTATION = r"""
---
name: restore_recovery
short_description: How the restore role brings the cluster back after a failed step
version_added: 0.1.0
description:
  - Takes the M(wsfc.clusterdb.cluster_info) result of every host read after a step of the
    restore failed, the plan from P(wsfc.clusterdb.restore_plan#filter) and the failed
    step, and returns the recovery - the hosts whose Cluster service is started again
    (RV(_value.first_hosts), then RV(_value.then_hosts)) - and the operator's report - what
    happened, each node's state and what to run next.
  - After a failure before any node was stopped nothing is started. After the stop or
    the restore failed, the nodes this run stopped are started again with the
    configuration they held, then the restoring node. After the restoring node did not
    come Up, the others stay stopped (started, they would undo the restore). After the
    other nodes did not start, they are started again.
options:
  _input:
    description: Inventory host to its M(wsfc.clusterdb.cluster_info) result.
    type: dict
    required: true
  plan:
    description: The result of P(wsfc.clusterdb.restore_plan#filter).
    type: dict
    required: true
  records:
    description: The records (P(wsfc.clusterdb.restore_step#filter)) of the steps that
      ran. The failed step is the last one recorded as failed, else the first step of the
      plan that has no record (it failed before it could be recorded).
    type: list
    elements: dict
    required: true
  safety_backup_set:
    description: The path of the safety backup set, empty when none was taken.
    type: str
    default: ""
  cause:
    description: What failed, as the failed step's record says it.
    type: str
    default: ""
  recovery:
    description: Records (P(wsfc.clusterdb.restore_step#filter)) of the recovery's own
      starts, once they ran; they are reported.
    type: list
    elements: dict
    default: []
author:
  - wsfc.clusterdb maintainers (@wsfc-clusterdb)
"""

EXAMPLES = r"""
- name: Plan the recovery
  ansible.builtin.set_fact:
    recovery: >-
      {{ observed | wsfc.clusterdb.restore_recovery(plan, records) }}
  run_once: true
"""

RETURN = r"""
_value:
  description: The recovery and the report.
  type: dict
  contains:
    failed_step:
      description: The step that failed.
      type: str
    first_hosts:
      description: Hosts whose Cluster service is started first.
      type: list
      elements: str
    then_hosts:
      description: Hosts started after those.
      type: list
      elements: str
    nodes:
      description: Each node with C(name), C(host), C(state) and C(next_step).
      type: list
      elements: dict
    report:
      description: The operator's text - what happened, what recovery did, and per node its
        state and what to run next.
      type: str
"""

import typing as t
from collections.abc import Mapping

from ansible.errors import AnsibleFilterError
from ansible_collections.wsfc.clusterdb.plugins.filter.restore_plan import plan_from_data
from ansible_collections.wsfc.clusterdb.plugins.filter.restore_preflight import (
    node_observation,
    read_nodes,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._restore_plan import (
    PREFLIGHT,
    STOP_OTHERS,
    plan_recovery,
)

# plan_recovery starts nodes in at most two rounds: the nodes this run stopped, then the
# restoring node (after a failed restore, so that it joins their running cluster).
_ROUNDS = 2


def _recovery_lines(records: list[Mapping[str, t.Any]]) -> list[str]:
    lines = []
    for record in records:
        for name, node in (record.get("nodes") or {}).items():
            if node["status"] in ("changed", "ok"):
                lines.append(f"Recovery started the Cluster service on {name}.")
            elif node["status"] != "skipped":
                detail = f": {node['message']}" if node.get("message") else ""
                lines.append(f"Recovery could not start {name} ({node['status']}{detail}).")
    return lines


def failed_step_of(plan: Mapping[str, t.Any], records: list[Mapping[str, t.Any]]) -> str:
    """The last step recorded as failed, else the first step of the plan without a record
    (the preflight is never recorded: it ran before the procedure)."""
    failed = [r["step"] for r in records if r.get("failed")]
    if failed:
        return str(failed[-1])
    done = {r["step"] for r in records}
    pending = [s["kind"] for s in plan["steps"] if s["kind"] != PREFLIGHT and s["kind"] not in done]
    return pending[0] if pending else str(plan["steps"][-1]["kind"])


def stopped_by_run(records: list[Mapping[str, t.Any]]) -> list[str]:
    """The nodes the stop step stopped (none before it ran)."""
    return [n for r in records if r["step"] == STOP_OTHERS for n in r.get("changed_nodes") or []]


def restore_recovery(
    observations_by_host: Mapping[str, t.Any],
    plan: Mapping[str, t.Any],
    records: list[Mapping[str, t.Any]],
    safety_backup_set: str = "",
    cause: str = "",
    recovery: list[Mapping[str, t.Any]] | None = None,
) -> dict[str, t.Any]:
    restore = plan_from_data(plan)
    records = list(records or [])
    failed_step = failed_step_of(plan, records)
    observed = {n.name: node_observation(n) for n in read_nodes(observations_by_host)}
    recovered = plan_recovery(
        restore,
        failed_step,
        observed,
        stopped_by_run=stopped_by_run(records),
        safety_backup_set=safety_backup_set or None,
    )
    if len(recovered.actions) > _ROUNDS:
        raise AnsibleFilterError("the recovery has more rounds than the role runs")
    hosts_by_node = plan.get("node_hosts") or {}

    def hosts(nodes: tuple[str, ...]) -> list[str]:
        return [h for h in (hosts_by_node.get(n) for n in nodes) if h]

    rounds = [hosts(action.nodes) for action in recovered.actions] + [[]] * _ROUNDS
    nodes = [
        {
            "name": advice.name,
            "host": hosts_by_node.get(advice.name),
            "state": advice.state,
            "next_step": advice.next_step,
        }
        for advice in recovered.nodes
    ]
    lines = [f"The restore failed at step {failed_step}."]
    if cause:
        lines.append(f"Cause: {cause}")
    lines.append(recovered.summary)
    lines += _recovery_lines(list(recovery or []))
    lines.append("Each node now, and what to run next:")
    lines += [f"- {advice.text}" for advice in recovered.nodes]
    return {
        "failed_step": failed_step,
        "summary": recovered.summary,
        "actions": [
            {
                "kind": a.kind,
                "nodes": list(a.nodes),
                "hosts": hosts(a.nodes),
                "description": a.description,
            }
            for a in recovered.actions
        ],
        "first_hosts": rounds[0],
        "then_hosts": rounds[1],
        "nodes": nodes,
        "report": "\n".join(lines),
    }


class FilterModule:
    def filters(self) -> dict[str, t.Callable[..., t.Any]]:
        return {"restore_recovery": restore_recovery}
