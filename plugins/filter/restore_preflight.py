# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The restore_preflight filter: what every node said, the restoring node, the set.

The restore role reads M(cluster_info) and M(backup_set_info) on every host of the play;
this filter turns those per-host results into node facts (plugin_utils._restore_plan's
terms), chooses the restoring node with ``choose_restoring_node`` and picks the set.
``read_nodes`` is shared with the other restore_* filters, which read the same facts again
while the restore runs.
"""

from __future__ import annotations

DOCUMENTATION = r"""
---
name: restore_preflight
short_description: Node facts, restoring node and backup set for the restore role
version_added: 0.1.0
description:
  - Takes the M(wsfc.clusterdb.cluster_info) result of every host of the play (a mapping of
    inventory host to registered result, unreachable hosts included) and returns each
    node's reachability, cluster state, Cluster service state, core group ownership and
    configuration version, in the cluster's node order.
  - Chooses the restoring node with the collection's rule (the owner of the core cluster
    group, else the first node by name that is Up, else the first reachable node), or
    checks the node the operator named.
  - Names where to look for the sets (RV(_value.set_locations) - the cluster's folder under
    O(backup_path), where the backup role writes, then O(backup_path) itself), and picks
    the set from the M(wsfc.clusterdb.backup_set_info) results of the restoring host for
    those locations - the set named in O(set_name), else the newest complete set of the
    first location that has one.
  - Cluster nodes that no host of the play answers for are listed as unreachable, so that
    the plan refuses a restore while such a node may still run the cluster.
  - Never fails; what stops the restore is listed in RV(_value.problems).
options:
  _input:
    description: Inventory host to its registered M(wsfc.clusterdb.cluster_info) result.
    type: dict
    required: true
  listings:
    description:
      - Inventory host to its registered M(wsfc.clusterdb.backup_set_info) result (one
        result, or a loop's over RV(_value.set_locations)).
      - Empty on the first call, which chooses the restoring node only.
    type: dict
    required: true
  backup_path:
    description: The location the operator gave.
    type: str
    default: ""
  restoring_node:
    description: The node (or inventory host) the operator named to restore on; empty to
      let the rule choose.
    type: str
    default: ""
  set_name:
    description: The name of the set to restore; empty for the newest complete set.
    type: str
    default: ""
author:
  - wsfc.clusterdb maintainers (@wsfc-clusterdb)
"""

EXAMPLES = r"""
- name: Choose the restoring node and the set
  ansible.builtin.set_fact:
    preflight: >-
      {{ dict(ansible_play_hosts_all | zip(ansible_play_hosts_all
         | map('extract', hostvars, 'facts')))
         | wsfc.clusterdb.restore_preflight(listings=listings_by_host) }}
  run_once: true
"""

RETURN = r"""
_value:
  description: The preflight's findings.
  type: dict
  contains:
    nodes:
      description: Every node with C(name), C(host) (V(null) when no host of the play is
        that node), C(reachable), C(state), C(service_state), C(owns_core_group),
        C(paxos_tag), C(cluster) and C(error).
      type: list
      elements: dict
    cluster:
      description: The cluster the reachable nodes belong to (C(name), C(id)), V(null) when
        none could tell.
      type: dict
    restoring_node:
      description: The node chosen to restore on, V(null) when none could be chosen.
      type: str
    restoring_host:
      description: Its inventory host.
      type: str
    choice_reason:
      description: Why that node.
      type: str
    set:
      description: The set to restore (C(name), C(path), C(status), C(cluster),
        C(configuration_version), C(created), C(source_node)), V(null) when none was found.
      type: dict
    set_locations:
      description: The directories to list for sets, in order.
      type: list
      elements: str
    problems:
      description: Why the restore cannot go ahead, one text each; empty when it can.
      type: list
      elements: str
"""

import typing as t
from collections.abc import Mapping
from dataclasses import dataclass

from ansible.errors import AnsibleFilterError
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._paxos import (
    PaxosTag,
    PaxosTagError,
    parse_paxos_tag,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._refusal import PolicyRefusal
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._restore_plan import (
    NodeFacts,
    NodeObservation,
    choose_restoring_node,
)

_DOWN = "Down"
_UNKNOWN = "Unknown"
_STOPPED = "stopped"


@dataclass(frozen=True)
class ObservedNode:
    """One node as the play saw it: from its own host, or from the cluster's view."""

    name: str
    host: str | None
    reachable: bool
    state: str
    service_state: str
    owns_core_group: bool
    paxos_tag: str | None
    cluster: dict[str, t.Any] | None
    error: str | None

    def as_data(self) -> dict[str, t.Any]:
        return {
            "name": self.name,
            "host": self.host,
            "reachable": self.reachable,
            "state": self.state,
            "service_state": self.service_state,
            "owns_core_group": self.owns_core_group,
            "paxos_tag": self.paxos_tag,
            "cluster": self.cluster,
            "error": self.error,
        }


def _short(name: str) -> str:
    return name.split(".")[0].casefold()


def _answered(result: object) -> bool:
    return (
        isinstance(result, Mapping)
        and not result.get("unreachable")
        and not result.get("failed")
        and not result.get("skipped")
        and bool(result.get("node_name"))
    )


def _failure_text(host: str, result: object) -> str:
    if not isinstance(result, Mapping):
        return f"{host} returned nothing"
    if result.get("skipped"):
        return f"{host} was not asked"
    what = "cannot be reached" if result.get("unreachable") else "did not answer"
    detail = str(result.get("msg") or "").strip().splitlines()
    return f"{host} {what}" + (f": {detail[0]}" if detail else "")


def read_nodes(results_by_host: Mapping[str, t.Any]) -> list[ObservedNode]:
    """The nodes of the cluster from cluster_info results, one per node, by name.

    A node's cluster state comes from the cluster's view (the ``nodes`` list any reachable
    host returned; hosts are read in name order, the first view wins), its service state
    and configuration version from its own host. A host that did not answer is matched to
    a node of that view by its short name.
    """
    if not isinstance(results_by_host, Mapping):
        raise AnsibleFilterError("expected a mapping of inventory host to cluster_info result")
    hosts = sorted(results_by_host, key=str.casefold)
    answered = {h: results_by_host[h] for h in hosts if _answered(results_by_host[h])}

    view: dict[str, tuple[str, str]] = {}
    witness_owner = ""
    for result in answered.values():
        listed = result.get("nodes") or []
        if listed and not view:
            view = {_short(str(n["name"])): (str(n["name"]), str(n["state"])) for n in listed}
        owner = ((result.get("quorum") or {}).get("witness") or {}).get("owner_node")
        if owner and not witness_owner:
            witness_owner = _short(str(owner))

    nodes: dict[str, ObservedNode] = {}
    for host in hosts:
        result = results_by_host[host]
        if host in answered:
            name = str(result["node_name"])
            service = str((result.get("cluster_service") or {}).get("state") or "unknown")
            seen = view.get(_short(name))
            state = seen[1] if seen else (_DOWN if service == _STOPPED else _UNKNOWN)
            tag = (result.get("configuration_version") or {}).get("paxos_tag")
            nodes[_short(name)] = ObservedNode(
                name=name,
                host=host,
                reachable=True,
                state=state,
                service_state=service,
                owns_core_group=_short(name) == witness_owner,
                paxos_tag=str(tag) if tag else None,
                cluster=result.get("cluster"),
                error=None,
            )
            continue
        seen = view.get(_short(host))
        nodes[_short(host)] = ObservedNode(
            name=seen[0] if seen else host.split(".")[0],
            host=host,
            reachable=False,
            state=seen[1] if seen else _UNKNOWN,
            service_state="unknown",
            owns_core_group=_short(host) == witness_owner,
            paxos_tag=None,
            cluster=None,
            error=_failure_text(host, result),
        )
    for key, (name, state) in view.items():
        if key not in nodes:
            nodes[key] = ObservedNode(
                name=name,
                host=None,
                reachable=False,
                state=state,
                service_state="unknown",
                owns_core_group=key == witness_owner,
                paxos_tag=None,
                cluster=None,
                error=f"{name} is a node of the cluster but no host of the play",
            )
    return sorted(nodes.values(), key=lambda n: n.name.casefold())


def parse_tag(raw: object) -> PaxosTag | None:
    if not raw:
        return None
    try:
        return parse_paxos_tag(raw)
    except PaxosTagError:
        return None


def node_facts(node: ObservedNode | Mapping[str, t.Any]) -> NodeFacts:
    data = node.as_data() if isinstance(node, ObservedNode) else node
    return NodeFacts(
        name=str(data["name"]),
        reachable=bool(data["reachable"]),
        state=str(data["state"]),
        service_state=str(data["service_state"]),
        owns_core_group=bool(data["owns_core_group"]),
        paxos_tag=parse_tag(data.get("paxos_tag")),
    )


def node_observation(node: ObservedNode | Mapping[str, t.Any]) -> NodeObservation:
    data = node.as_data() if isinstance(node, ObservedNode) else node
    return NodeObservation(
        name=str(data["name"]),
        reachable=bool(data["reachable"]),
        service_state=str(data["service_state"]),
        state=str(data["state"]),
        paxos_tag=parse_tag(data.get("paxos_tag")),
    )


def _cluster_of(nodes: list[ObservedNode]) -> dict[str, t.Any] | None:
    """The cluster most reachable nodes name (a tie: the first by node name)."""
    counts: dict[str, int] = {}
    first: dict[str, dict[str, t.Any]] = {}
    for node in nodes:
        if node.cluster and node.cluster.get("id"):
            key = str(node.cluster["id"]).casefold()
            counts[key] = counts.get(key, 0) + 1
            first.setdefault(key, node.cluster)
    if not counts:
        return None
    best = first[max(counts, key=lambda key: counts[key])]
    return {"name": best.get("name"), "id": best.get("id")}


def _membership_problems(nodes: list[ObservedNode], cluster: dict | None) -> list[str]:
    problems = []
    for node in nodes:
        if cluster and node.cluster and node.cluster.get("id"):
            if str(node.cluster["id"]).casefold() != str(cluster["id"]).casefold():
                problems.append(
                    f"{node.host} belongs to cluster {node.cluster.get('name')} "
                    f"(id {node.cluster['id']}), not to {cluster['name']} like the other "
                    "hosts: restore one cluster at a time (limit the play to its nodes)."
                )
    return problems


def set_locations(backup_path: str, cluster: Mapping[str, t.Any] | None) -> list[str]:
    """Where to look for the sets: the cluster's own folder under the location (where the
    backup role writes), then the location itself (where cluster_backup writes when a task
    names it)."""
    location = str(backup_path or "")
    if not location:
        return []
    name = (cluster or {}).get("name")
    separator = "/" if "/" in location and "\\" not in location else "\\"
    folder = location.rstrip("\\/") + separator + str(name) if name else None
    return [folder, location] if folder else [location]


def _listing_failure(listing: Mapping[str, t.Any]) -> str | None:
    if listing.get("skipped"):
        return f"{listing.get('item', 'the location')} was not listed"
    if listing.get("failed") or listing.get("unreachable"):
        return (
            f"{listing.get('backup_path') or listing.get('item')} could not be listed on the "
            "restoring node: " + str(listing.get("msg") or "no message").strip()
        )
    return None


def _sets_of(listing: Mapping[str, t.Any]) -> list[dict[str, t.Any]]:
    return [dict(s) for s in listing.get("sets") or [] if s.get("kind", "set") == "set"]


def _set_entry(listed: object, set_name: str) -> tuple[dict[str, t.Any] | None, str | None]:
    """The set to restore from the restoring host's backup_set_info results (one per
    location, in order: the first location that has it wins), or why there is none."""
    if not isinstance(listed, Mapping):
        return None, "the backup location was not listed on the restoring node"
    listings = listed.get("results") if "results" in listed else [listed]
    failures, seen = [], []
    for listing in listings or []:
        failure = _listing_failure(listing)
        if failure:
            failures.append(failure)
            continue
        path = listing.get("backup_path")
        sets = _sets_of(listing)
        seen += [f"{path}: {s['name']} ({s.get('status')})" for s in sets]
        if set_name:
            entry = next(
                (s for s in sets if str(s["name"]).casefold() == set_name.casefold()), None
            )
            if entry is not None:
                return entry, None
        elif listing.get("newest_complete"):
            return dict(listing["newest_complete"]), None
    where = ", ".join(str(x.get("backup_path") or x.get("item")) for x in listings or [])
    found = "; ".join(seen) or "none"
    if set_name:
        problem = (
            f"no set named {set_name} under {where} (sets found: {found}); name one of them "
            "as restore_set, or leave it empty for the newest complete set."
        )
    else:
        problem = (
            f"no complete backup set of this cluster under {where} (sets found: {found}). "
            "Check backup_path, or take a backup first (wsfc.clusterdb.backup)."
        )
    if failures:
        problem += " " + " ".join(failures)
    return None, problem


def _set_summary(entry: dict[str, t.Any]) -> dict[str, t.Any]:
    return {
        key: entry.get(key)
        for key in (
            "name",
            "path",
            "status",
            "cluster",
            "configuration_version",
            "created",
            "source_node",
            "route",
        )
    }


def restore_preflight(
    results_by_host: Mapping[str, t.Any],
    listings: Mapping[str, t.Any],
    restoring_node: str = "",
    set_name: str = "",
    backup_path: str = "",
) -> dict[str, t.Any]:
    nodes = read_nodes(results_by_host)
    cluster = _cluster_of(nodes)
    problems = _membership_problems(nodes, cluster)
    findings: dict[str, t.Any] = {
        "nodes": [n.as_data() for n in nodes],
        "cluster": cluster,
        "restoring_node": None,
        "restoring_host": None,
        "choice_reason": None,
        "set": None,
        "set_locations": set_locations(backup_path, cluster),
        "problems": problems,
    }
    requested = str(restoring_node or "").strip()
    if requested:
        # The operator may name an inventory host as well as a node.
        by_host = next((n for n in nodes if n.host and _short(n.host) == _short(requested)), None)
        requested = by_host.name if by_host else requested
    try:
        choice = choose_restoring_node([node_facts(n) for n in nodes], requested or None)
    except PolicyRefusal as refusal:
        problems.append(str(refusal))
        return findings
    chosen = next(n for n in nodes if n.name == choice.name)
    if chosen.host is None:
        problems.append(
            f"{chosen.name} cannot restore: no host of the play is that node. Add it to the "
            "inventory (or the play's hosts) or name another restoring node."
        )
        return findings
    findings.update(
        restoring_node=chosen.name, restoring_host=chosen.host, choice_reason=choice.reason
    )
    if not listings:
        return findings  # the first call: the set is picked once the locations are listed
    entry, problem = _set_entry(listings.get(chosen.host), str(set_name or "").strip())
    if problem:
        problems.append(f"No backup set to restore: {problem}")
    else:
        findings["set"] = _set_summary(t.cast(dict, entry))
    return findings


class FilterModule:
    def filters(self) -> dict[str, t.Callable[..., t.Any]]:
        return {"restore_preflight": restore_preflight}
