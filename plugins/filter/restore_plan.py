# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The restore_plan filter: plugin_utils._restore_plan.plan_restore for the restore role.

The role only wires: it reads the facts, hands them here, and runs the steps this plan
names on the hosts it names. The sequencing and the refusals are plan_restore's; this
file adds what only the role knows (inventory hosts, the set the preflight picked, the
restoring node's read-only restore check) and the plan's plain-data form, which the other
restore_* filters read back with ``plan_from_data``.
"""

from __future__ import annotations

DOCUMENTATION = r"""
---
name: restore_plan
short_description: The steps of a whole-cluster restore, or why it is refused
version_added: 0.1.0
description:
  - Takes the result of P(wsfc.clusterdb.restore_preflight#filter) and the read-only
    (check mode) M(wsfc.clusterdb.cluster_restore) result of the restoring node, and returns
    the restore's steps with the inventory hosts of each - preflight, safety backup, stop
    the Cluster service on the other nodes, restore, start the restoring node, start the
    others, wait until every node is Up with the restored configuration.
  - Refuses (RV(_value.refusals), no steps) when the preflight found a problem, when a
    node of the set's cluster may still run the cluster but cannot be reached, when a
    reachable node belongs to another cluster than the set's, and, without O(force), while
    another node's Cluster service runs (5056) or the quorum disk layout differs (5086),
    and when the restore check refused the set (5087 for an incomplete or corrupt set).
  - RV(_value.already_current) when every node is Up and runs the set's configuration -
    nothing to do, no node is stopped.
options:
  _input:
    description: The result of P(wsfc.clusterdb.restore_preflight#filter).
    type: dict
    required: true
  restore_check:
    description: The restoring host's M(wsfc.clusterdb.cluster_restore) result, run in
      check mode on the set the preflight picked; empty when it did not run.
    type: dict
    default: {}
  force:
    type: bool
    default: false
    description: The restore's O(wsfc.clusterdb.cluster_restore#module:force).
  quorum_drive:
    type: str
    default: ""
    description: The restore's O(wsfc.clusterdb.cluster_restore#module:quorum_drive).
  safety_backup:
    type: bool
    default: true
    description: Whether to back up the running configuration before anything stops.
  safety_backup_path:
    type: str
    default: ""
    description: Where the safety backup goes; empty for C(pre_restore) beside the set
      (in the directory that holds it), which is never among the sets a restore picks.
  backup_path:
    type: str
    default: ""
    description: The location the operator gave (used only when the set has no path).
author:
  - wsfc.clusterdb maintainers (@wsfc-clusterdb)
"""

EXAMPLES = r"""
- name: Plan the restore
  ansible.builtin.set_fact:
    plan: "{{ preflight | wsfc.clusterdb.restore_plan(restore_check=check, force=true) }}"
  run_once: true
"""

RETURN = r"""
_value:
  description: The plan as plain data.
  type: dict
  contains:
    steps:
      description: The steps in order, each with C(kind), C(nodes), C(hosts), C(parallel)
        and C(description).
      type: list
      elements: dict
    hosts:
      description: Step kind to the inventory hosts it runs on (every kind present, empty
        when the plan has no such step).
      type: dict
    refusals:
      description: Why the restore must not start, each with C(code), C(name), C(message).
      type: list
      elements: dict
    message:
      description: The refusals as one text naming what to do, empty when there are none.
      type: str
    already_current:
      description: Whether the cluster already runs the set's configuration.
      type: bool
    consent_prompt:
      description: What the restore does, for the operator's y/n prompt.
      type: str
"""

import typing as t
from collections.abc import Mapping

from ansible.errors import AnsibleFilterError
from ansible_collections.wsfc.clusterdb.plugins.filter.restore_preflight import (
    node_facts,
    parse_tag,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._paxos import (
    PaxosTag,
    parse_version_facts,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._refusal import PolicyRefusal
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._restore_plan import (
    STEP_ORDER,
    RestorePlan,
    RestoreStep,
    plan_restore,
)

SAFETY_DIRECTORY = "pre_restore"


def _refusal(code: int | None, name: str, message: str) -> dict[str, t.Any]:
    return {"code": code, "name": name, "message": message}


def safety_location(set_path: str, safety_backup_path: str) -> str:
    """Where the safety backup goes: the operator's path, else a directory of its own
    beside the set, never among the sets restored from, so that a later "newest complete
    set" is never the configuration from before a restore."""
    if safety_backup_path:
        return safety_backup_path
    separator = "/" if "/" in set_path and "\\" not in set_path else "\\"
    parent = set_path.rstrip("\\/").rsplit(separator, 1)[0]
    return parent + separator + SAFETY_DIRECTORY


def _check_refusal(check: Mapping[str, t.Any]) -> dict[str, t.Any] | None:
    if not check or check.get("skipped"):
        return None
    if check.get("unreachable"):
        return _refusal(
            None, "UNREACHABLE", f"The restoring node cannot be reached: {check.get('msg')}"
        )
    if not check.get("failed"):
        return None
    error = check.get("error") or {}
    return _refusal(
        check.get("error_code"),
        str(error.get("name") or "RESTORE_CHECK_FAILED"),
        str(check.get("msg") or error.get("message") or "the restore check failed"),
    )


def _backup_version(preflight: Mapping[str, t.Any], check: Mapping[str, t.Any]) -> PaxosTag | None:
    from_check = (check.get("configuration_version") or {}).get("backup") if check else None
    set_version = (preflight.get("set") or {}).get("configuration_version") or {}
    # The set's facts carry the range when the configuration changed during its backup
    # (paxos_tag_after): such a set is never taken for the running configuration.
    from_set = parse_version_facts(set_version)
    tag = parse_tag(from_check)
    if tag is None or (from_set is not None and from_set.first == tag):
        return from_set or tag
    return tag


def _other_cluster(preflight: Mapping[str, t.Any]) -> list[dict[str, t.Any]]:
    backed_up = (preflight.get("set") or {}).get("cluster") or {}
    if not backed_up.get("id"):
        return []
    refusals = []
    for node in preflight["nodes"]:
        cluster = node.get("cluster") or {}
        if cluster.get("id") and str(cluster["id"]).casefold() != str(backed_up["id"]).casefold():
            refusals.append(
                _refusal(
                    None,
                    "OTHER_CLUSTER",
                    f"{node['name']} is a node of cluster {cluster.get('name')} (id "
                    f"{cluster['id']}); the set was taken from {backed_up.get('name')} (id "
                    f"{backed_up['id']}). Restore a set of this cluster, or run the restore "
                    "against the nodes of the set's cluster.",
                )
            )
    return refusals


def plan_to_data(plan: RestorePlan, hosts_by_node: Mapping[str, str | None]) -> dict[str, t.Any]:
    """The plan as plain data, each step with its inventory hosts."""

    def hosts(nodes: tuple[str, ...]) -> list[str]:
        return [h for h in (hosts_by_node.get(n) for n in nodes) if h]

    steps = [
        {
            "kind": step.kind,
            "nodes": list(step.nodes),
            "hosts": hosts(step.nodes),
            "parallel": step.parallel,
            "description": step.description,
        }
        for step in plan.steps
    ]
    by_kind = {kind: [] for kind in STEP_ORDER}
    for step in steps:
        by_kind[step["kind"]] = step["hosts"]
    return {
        "restoring_node": plan.restoring_node,
        "restoring_host": hosts_by_node.get(plan.restoring_node or ""),
        "choice_reason": plan.choice_reason,
        "other_nodes": list(plan.other_nodes),
        "force": plan.force,
        "expected_version": plan.expected_version.raw,
        "steps": steps,
        "hosts": by_kind,
        "node_hosts": dict(hosts_by_node),
        "notes": list(plan.notes),
        "already_current": plan.already_current,
        "changes_anything": plan.changes_anything,
    }


def plan_from_data(data: Mapping[str, t.Any]) -> RestorePlan:
    """A plan written by plan_to_data, back as restore_plan's RestorePlan."""
    if not isinstance(data, Mapping) or "steps" not in data:
        raise AnsibleFilterError("expected the result of wsfc.clusterdb.restore_plan")
    version = parse_tag(data.get("expected_version"))
    if version is None:
        raise AnsibleFilterError("the plan has no configuration version to restore")
    return RestorePlan(
        restoring_node=data.get("restoring_node"),
        choice_reason=str(data.get("choice_reason") or ""),
        other_nodes=tuple(data.get("other_nodes") or ()),
        force=bool(data.get("force")),
        expected_version=version,
        steps=tuple(
            RestoreStep(s["kind"], tuple(s["nodes"]), bool(s["parallel"]), s["description"])
            for s in data["steps"]
        ),
        notes=tuple(data.get("notes") or ()),
        already_current=bool(data.get("already_current")),
    )


def _refused(
    preflight: Mapping[str, t.Any], refusals: list[dict[str, t.Any]], notes: list[str]
) -> dict[str, t.Any]:
    lines = ["The restore was refused; no node was changed."]
    lines += [f"- {r['message']}" for r in refusals]
    lines += [f"Note: {n}" for n in notes]
    return {
        "restoring_node": preflight.get("restoring_node"),
        "restoring_host": preflight.get("restoring_host"),
        "choice_reason": preflight.get("choice_reason"),
        "steps": [],
        "hosts": {kind: [] for kind in STEP_ORDER},
        "refusals": refusals,
        "notes": notes,
        "already_current": False,
        "changes_anything": False,
        "message": "\n".join(lines),
        "set": preflight.get("set"),
        "cluster": preflight.get("cluster"),
    }


def _consent_prompt(plan: dict[str, t.Any], check: Mapping[str, t.Any]) -> str:
    chosen = plan["set"] or {}
    version = (chosen.get("configuration_version") or {}).get("paxos_tag")
    changes = check.get("configuration_changes") or []
    stop = plan["hosts"]["stop_others"]
    lines = [
        f"Restore cluster {(plan['cluster'] or {}).get('name')} to backup set "
        f"{chosen.get('name')} (configuration version {version}, taken {chosen.get('created')}).",
        f"{len(changes)} configuration object(s) change; the running configuration is "
        f"backed up first to {plan['safety_backup_path']}."
        if plan["hosts"]["safety_backup"]
        else f"{len(changes)} configuration object(s) change; NO safety backup is taken.",
        f"The Cluster service stops on: {', '.join(stop) or 'no node (none runs it)'}.",
        f"{plan['restoring_host']} restores and starts first ({plan['choice_reason']}).",
        "Type y to restore, anything else to stop without changing anything",
    ]
    return "\n".join(lines)


def restore_plan(
    preflight: Mapping[str, t.Any],
    restore_check: Mapping[str, t.Any] | None = None,
    force: bool = False,
    quorum_drive: str = "",
    safety_backup: bool = True,
    safety_backup_path: str = "",
    backup_path: str = "",
) -> dict[str, t.Any]:
    if not isinstance(preflight, Mapping) or "nodes" not in preflight:
        raise AnsibleFilterError("expected the result of wsfc.clusterdb.restore_preflight")
    check = dict(restore_check or {})
    refusals = [_refusal(None, "PREFLIGHT", str(p)) for p in preflight.get("problems") or []]
    if preflight.get("restoring_node") is None or preflight.get("set") is None:
        return _refused(preflight, refusals, [])
    refusals += _other_cluster(preflight)
    version = _backup_version(preflight, check)
    checked = _check_refusal(check)
    if version is None:
        refusals.append(
            checked
            or _refusal(None, "NO_VERSION", "The set records no readable configuration version.")
        )
        return _refused(preflight, refusals, [])

    fingerprints = check.get("configuration_fingerprint") or {}
    try:
        plan = plan_restore(
            [node_facts(n) for n in preflight["nodes"]],
            backup_version=version,
            force=bool(force),
            restoring_node=preflight["restoring_node"],
            quorum_drive=quorum_drive or None,
            safety_backup=bool(safety_backup),
            running_fingerprint=fingerprints.get("current"),
            backup_fingerprint=fingerprints.get("backup"),
        )
    except PolicyRefusal as refusal:
        refusals.append(_refusal(None, "PREFLIGHT", str(refusal)))
        return _refused(preflight, refusals, [])
    # The restore check refuses what the restoring node sees (a corrupt set, 5056, 5086...)
    # in one message that names every refusal; the plan's refusal of the same code is left
    # out for it.
    repeated = checked["code"] if checked and checked["code"] is not None else object()
    refusals += [_refusal(r.code, r.name, r.message) for r in plan.refusals if r.code != repeated]
    if checked:
        refusals.append(checked)
    if refusals:
        return _refused(preflight, refusals, list(plan.notes))

    hosts_by_node = {n["name"]: n.get("host") for n in preflight["nodes"]}
    data = plan_to_data(plan, hosts_by_node)
    data.update(
        # plan_restore was handed the node the preflight chose; the reason is the preflight's.
        choice_reason=preflight.get("choice_reason") or plan.choice_reason,
        refusals=[],
        message="",
        set=preflight.get("set"),
        cluster=preflight.get("cluster"),
        quorum_drive=quorum_drive or None,
        safety_backup_path=safety_location(
            str((preflight.get("set") or {}).get("path") or backup_path or ""),
            str(safety_backup_path or ""),
        ),
        configuration_changes=check.get("configuration_changes") or [],
    )
    data["consent_prompt"] = _consent_prompt(data, check)
    return data


class FilterModule:
    def filters(self) -> dict[str, t.Callable[..., t.Any]]:
        return {"restore_plan": restore_plan}
