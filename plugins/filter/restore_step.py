# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The restore_step filter: one step of the restore role as it happened on each node.

Every step of the role runs its task on the step's hosts with errors and unreachable hosts
kept in the registered results, so that no host leaves the others behind; this filter
then says whether the step failed anywhere (the role fails the whole play into its rescue
when it did) and keeps the per-node outcome for the summary's timeline. For the wait
step the outcome is plugin_utils._restore_plan.converged over what every node reports.
"""

from __future__ import annotations

DOCUMENTATION = r"""
---
name: restore_step
short_description: The outcome of one step of the restore role, per node
version_added: 0.1.0
description:
  - Takes the registered results of one step's task on every host of the play, the plan
    from P(wsfc.clusterdb.restore_plan#filter) and the step's kind, and returns whether the
    step failed, on which nodes, and each node's outcome (V(changed), V(ok), V(failed),
    V(unreachable)).
  - For the V(wait_up) step the results are M(wsfc.clusterdb.cluster_info) results; the
    step fails unless every node it waits for is Up, all with the same configuration
    version, not older than the backup's.
options:
  _input:
    description: Inventory host to the step task's registered result.
    type: dict
    required: true
  plan:
    description: The result of P(wsfc.clusterdb.restore_plan#filter).
    type: dict
    required: true
  step:
    description: The step's kind, one of V(safety_backup), V(stop_others), V(restore),
      V(start_restoring), V(start_others), V(wait_up), or V(recovery) with O(hosts).
    type: str
    required: true
  after:
    description: The records of the steps before this one; the step started when the
      last of them finished.
    type: list
    elements: dict
    default: []
  started:
    description: When the step started (ISO 8601), for the timeline, when O(after) is empty.
    type: str
    default: ""
  finished:
    description: When it finished (ISO 8601).
    type: str
    default: ""
  hosts:
    description: The hosts to read, instead of the plan's hosts of O(step).
    type: list
    elements: str
author:
  - wsfc.clusterdb maintainers (@wsfc-clusterdb)
"""

EXAMPLES = r"""
- name: Record the stop step after the earlier ones
  ansible.builtin.set_fact:
    records: "{{ records + [record] }}"
  vars:
    record: >-
      {{ dict(ansible_play_hosts_all | zip(ansible_play_hosts_all
         | map('extract', hostvars, 'stop_result')))
         | wsfc.clusterdb.restore_step(plan, 'stop_others', after=records,
           finished=now(utc=true).isoformat()) }}
  run_once: true
"""

RETURN = r"""
_value:
  description: The step's record.
  type: dict
  contains:
    step:
      description: The step's kind.
      type: str
    failed:
      description: Whether the step failed on any of its nodes.
      type: bool
    message:
      description: What failed, one line per node; empty when nothing did.
      type: str
    nodes:
      description: Node name to C(host), C(status), C(changed), C(message), C(elapsed).
      type: dict
    changed_nodes:
      description: The nodes the step changed.
      type: list
      elements: str
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
    WAIT_UP,
    converged,
)

CHANGED = "changed"
OK = "ok"
FAILED = "failed"
UNREACHABLE = "unreachable"
SKIPPED = "skipped"


def outcome(result: object) -> str:
    if not isinstance(result, Mapping):
        return SKIPPED
    if result.get("unreachable"):
        return UNREACHABLE
    if result.get("failed"):
        return FAILED
    if result.get("skipped"):
        return SKIPPED
    return CHANGED if result.get("changed") else OK


def _first_line(text: object) -> str:
    lines = str(text or "").strip().splitlines()
    return lines[0] if lines else ""


def restore_step(
    results_by_host: Mapping[str, t.Any],
    plan: Mapping[str, t.Any],
    step: str,
    started: str = "",
    finished: str = "",
    hosts: list[str] | None = None,
    after: list[Mapping[str, t.Any]] | None = None,
) -> dict[str, t.Any]:
    if not isinstance(results_by_host, Mapping):
        raise AnsibleFilterError("expected a mapping of inventory host to registered result")
    step_hosts = (
        list(hosts) if hosts is not None else list((plan.get("hosts") or {}).get(step) or [])
    )
    names = {h: n for n, h in (plan.get("node_hosts") or {}).items() if h}
    nodes: dict[str, dict[str, t.Any]] = {}
    problems = []
    for host in step_hosts:
        result = results_by_host.get(host)
        status = outcome(result)
        message = _first_line(result.get("msg")) if isinstance(result, Mapping) else ""
        elapsed = result.get("elapsed") if isinstance(result, Mapping) else None
        name = names.get(host, host)
        nodes[name] = {
            "host": host,
            "status": status,
            "changed": status == CHANGED,
            "message": message,
            "elapsed": elapsed if isinstance(elapsed, (int, float)) else None,
        }
        if status in (FAILED, UNREACHABLE):
            problems.append(f"{name}: {status}" + (f": {message}" if message else ""))
    if step == WAIT_UP and not problems:
        observed = {
            n.name: node_observation(n)
            for n in read_nodes({h: results_by_host.get(h) for h in step_hosts})
            if n.host
        }
        why = converged(plan_from_data(plan), observed)[1]
        problems.extend(why)
        for name, node in nodes.items():
            seen = observed.get(name)
            if seen is not None and seen.paxos_tag is not None:
                node["message"] = f"{seen.state}, configuration version {seen.paxos_tag.version}"
    if after:
        started = str(after[-1].get("finished") or started)
    return {
        "step": step,
        "started": started,
        "finished": finished,
        "failed": bool(problems),
        "message": "\n".join(problems),
        "nodes": nodes,
        "changed_nodes": [n for n, v in nodes.items() if v["changed"]],
    }


class FilterModule:
    def filters(self) -> dict[str, t.Callable[..., t.Any]]:
        return {"restore_step": restore_step}
