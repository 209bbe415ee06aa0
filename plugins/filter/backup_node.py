# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The backup_node filter: which host of a cluster takes the backup."""

from __future__ import annotations

DOCUMENTATION = r"""
---
name: backup_node
short_description: Choose the node of a cluster that takes the backup
version_added: 0.1.0
description:
  - Takes the result of M(wsfc.clusterdb.cluster_info) read on one node of a cluster
    (with the configuration objects when O(group) is given), or the raw result of
    M(wsfc.clusterdb.cluster_backup)'s inspect phase
    (RV(wsfc.clusterdb.cluster_backup#module:phase_results.inspect)), which holds the same
    facts and is what the backup role passes; and the inventory hosts of that cluster that
    may run the backup. Returns the inventory host to back up on.
  - The choice is an Up node, preferring the owner of O(group), else of the core cluster
    group (RV(wsfc.clusterdb.cluster_info#module:core_group_owner), the node that holds
    the cluster name and, for a disk witness, the quorum resource; the legacy API wants the
    backup path visible to that node). Then the node the facts were read on, when it is
    Up. Then the first candidate that is Up.
  - An inventory host matches a node when its name, or the part before the first dot, is
    the node's name (ignoring case), or when O(node_names) maps it to that node.
  - Fails, naming every node's state, when no candidate is Up.
options:
  _input:
    description: The cluster_info result, or cluster_backup's raw inspect result (C(nodes),
      C(node_name), C(core_group_owner), C(configuration.groups)).
    type: dict
    required: true
  candidates:
    description: The inventory hosts of this cluster that may run the backup, in order of
      preference after the rules above.
    type: list
    elements: str
    required: true
  node_names:
    description: Inventory host to cluster node name, for hosts whose inventory name is not
      the node's name.
    type: dict
  group:
    description: The cluster group whose owner is preferred; empty or omitted for the core
      cluster group. Fails when the cluster has no group of that name.
    type: str
author:
  - wsfc.clusterdb maintainers (@wsfc-clusterdb)
"""

EXAMPLES = r"""
- name: Read the cluster's state and core group owner
  wsfc.clusterdb.cluster_info:
  register: facts

- name: Choose the backup node
  ansible.builtin.set_fact:
    chosen: "{{ facts | wsfc.clusterdb.backup_node(candidates=groups['clu01']) }}"
"""

RETURN = r"""
_value:
  description: The inventory host that takes the backup.
  type: str
"""

import typing as t

from ansible.errors import AnsibleFilterError

# plugin_utils is imported when the filter is called, not when this file is loaded: a
# lookup of any one filter of the collection loads every filter file, in every worker
# (docs/internals.md, "Filter files").

_UP = "up"


def backup_node(
    facts: dict[str, t.Any],
    candidates: list[str],
    node_names: dict[str, str] | None = None,
    group: str | None = None,
) -> str:
    from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._cluster_nodes import short_name

    if not isinstance(facts, dict):
        raise AnsibleFilterError("backup_node takes the result of wsfc.clusterdb.cluster_info")
    aliases = {host: short_name(name) for host, name in (node_names or {}).items()}
    node_of = {host: aliases.get(host, short_name(host)) for host in candidates}
    states = {short_name(str(n.get("name"))): str(n.get("state")) for n in facts.get("nodes") or []}

    def host_for(node: object) -> str | None:
        if not node:
            return None
        wanted = short_name(str(node))
        if states.get(wanted, "").casefold() != _UP:
            return None
        return next((h for h in candidates if node_of[h] == wanted), None)

    preferred = _preferred_owner(facts, group)
    for node in (preferred, facts.get("node_name")):
        chosen = host_for(node)
        if chosen is not None:
            return chosen
    for host in candidates:
        if states.get(node_of[host], "").casefold() == _UP:
            return host
    seen = ", ".join(f"{n.get('name')} {n.get('state')}" for n in facts.get("nodes") or [])
    raise AnsibleFilterError(
        f"No node of the cluster can take the backup: none of {', '.join(candidates)} is Up "
        f"(node states: {seen or 'unknown'}). Start the Cluster service on a node "
        "(wsfc.clusterdb.cluster_node) and run the backup again."
    )


def _preferred_owner(facts: dict[str, t.Any], group: str | None) -> object:
    """The owner of the named group, or of the core cluster group when none is named
    (the one rule: plugin_utils._cluster_nodes.core_group_owner)."""
    from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._cluster_nodes import (
        core_group_owner,
    )

    if not group:
        return core_group_owner(facts)
    groups = (facts.get("configuration") or {}).get("groups") or []
    for candidate in groups:
        if str(candidate.get("name")).casefold() == group.casefold():
            return candidate.get("owner_node")
    names = ", ".join(str(g.get("name")) for g in groups) or "none"
    raise AnsibleFilterError(
        f"The cluster has no group named {group!r} (its groups: {names}). Correct "
        "backup_cluster_group, or leave it empty for the core cluster group."
    )


class FilterModule:
    def filters(self) -> dict[str, t.Callable[..., t.Any]]:
        return {"backup_node": backup_node}
