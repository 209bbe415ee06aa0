# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The nodes of a cluster as the collection decides from them: one typed model.

Two readings feed it: the M(cluster_info) result of every host of a play (the restore
role's preflight, its wait and its recovery; the backup role's choice of node), and the
inspect phase of M(cluster_restore), which reads the other nodes' Cluster service from the
node it runs on. Both become :class:`ClusterNode` here and nowhere else.

The core cluster group's owner has one rule, :func:`core_group_owner`: the node the
module reports as owning the group whose GroupType is Cluster
(docs/windows-behaviour.md#get-clustergroup; the GroupType value is *unconfirmed* there).
"""

from __future__ import annotations

import typing as t
from collections.abc import Mapping
from dataclasses import dataclass

from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._paxos import (
    PaxosTag,
    PaxosTagError,
    parse_paxos_tag,
)

UP = "Up"
DOWN = "Down"
UNKNOWN = "Unknown"
RUNNING = "running"
STOPPED = "stopped"


@dataclass(frozen=True)
class ClusterNode:
    """One node: ``state`` as the cluster reports it (Up, Down, Paused, Joining, Unknown),
    ``service_state`` the Cluster service as the node itself reports it (``running``,
    ``stopped``...), ``host`` the inventory host that is this node (None when no host of
    the play is), ``error`` why it could not be read."""

    name: str
    reachable: bool = True
    state: str = UNKNOWN
    service_state: str = "unknown"
    owns_core_group: bool = False
    paxos_tag: PaxosTag | None = None
    host: str | None = None
    cluster: Mapping[str, t.Any] | None = None
    error: str | None = None
    # The host answered, but reading it failed: not reachable for the plan (its state is
    # unknown), yet not to be reported as out of reach.
    read_failed: bool = False
    # False for a node of the cluster that no host of the play is (a --limit, a job slice,
    # an inventory without it): the play cannot stop, start or wait on it.
    in_play: bool = True

    @property
    def service_running(self) -> bool:
        return self.service_state == RUNNING

    @property
    def state_text(self) -> str:
        """The node's state as the operator's reports give it."""
        if self.read_failed:
            return f"state unknown (its facts could not be read: {self.error})"
        if not self.reachable:
            return "cannot be reached, state unknown"
        version = f", configuration version {self.paxos_tag.version}" if self.paxos_tag else ""
        return f"node {self.state}, Cluster service {self.service_state}{version}"

    def as_data(self) -> dict[str, t.Any]:
        return {
            "name": self.name,
            "host": self.host,
            "reachable": self.reachable,
            "state": self.state,
            "service_state": self.service_state,
            "owns_core_group": self.owns_core_group,
            "paxos_tag": self.paxos_tag.raw if self.paxos_tag else None,
            "cluster": dict(self.cluster) if self.cluster else None,
            "error": self.error,
            "read_failed": self.read_failed,
            "in_play": self.in_play,
        }

    @classmethod
    def from_data(cls, data: Mapping[str, t.Any]) -> ClusterNode:
        return cls(
            name=str(data["name"]),
            reachable=bool(data["reachable"]),
            state=str(data["state"]),
            service_state=str(data["service_state"]),
            owns_core_group=bool(data.get("owns_core_group")),
            paxos_tag=parse_tag(data.get("paxos_tag")),
            host=data.get("host"),
            cluster=data.get("cluster"),
            error=data.get("error"),
            read_failed=bool(data.get("read_failed")),
            in_play=bool(data.get("in_play", True)),
        )


def short_name(name: str) -> str:
    """A node or host name without its domain, case folded, for matching the two."""
    return name.split(".")[0].casefold()


def parse_tag(raw: object) -> PaxosTag | None:
    """A PaxosTag, None when there is none or it cannot be read."""
    if not raw:
        return None
    try:
        return parse_paxos_tag(raw)
    except PaxosTagError:
        return None


def core_group_owner(result: Mapping[str, t.Any]) -> str | None:
    """The owner of the core cluster group as one node's module result reports it."""
    owner = result.get("core_group_owner")
    return str(owner) if owner else None


def answered(result: object) -> bool:
    """Whether a registered result is the node's own answer."""
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


def read_nodes(results_by_host: Mapping[str, t.Any]) -> list[ClusterNode]:
    """The nodes of the cluster from the cluster_info results of a play's hosts, by name.

    A node's cluster state comes from the cluster's view (the ``nodes`` list of the first
    host, by name, that answered with one), its service state and configuration version
    from its own host. A host that did not answer is matched to a node of that view by its
    short name; a node of the view that no host is stays in the list, unreachable.
    """
    hosts = sorted(results_by_host, key=str.casefold)
    replies = {h: results_by_host[h] for h in hosts if answered(results_by_host[h])}
    view: dict[str, tuple[str, str]] = {}
    owner = ""
    for result in replies.values():
        listed = result.get("nodes") or []
        if listed and not view:
            view = {short_name(str(n["name"])): (str(n["name"]), str(n["state"])) for n in listed}
        if not owner:
            owner = short_name(core_group_owner(result) or "")

    nodes: dict[str, ClusterNode] = {}
    for host in hosts:
        result = results_by_host[host]
        if host in replies:
            name = str(result["node_name"])
            service = str((result.get("cluster_service") or {}).get("state") or "unknown")
            seen = view.get(short_name(name))
            nodes[short_name(name)] = ClusterNode(
                name=name,
                host=host,
                reachable=True,
                state=seen[1] if seen else (DOWN if service == STOPPED else UNKNOWN),
                service_state=service,
                owns_core_group=short_name(name) == owner,
                paxos_tag=parse_tag((result.get("configuration_version") or {}).get("paxos_tag")),
                cluster=result.get("cluster"),
            )
            continue
        seen = view.get(short_name(host))
        nodes[short_name(host)] = ClusterNode(
            name=seen[0] if seen else host.split(".")[0],
            host=host,
            reachable=False,
            state=seen[1] if seen else UNKNOWN,
            owns_core_group=short_name(host) == owner,
            error=_failure_text(host, result),
            read_failed=isinstance(result, Mapping)
            and bool(result.get("failed"))
            and not result.get("unreachable"),
        )
    for key, (name, state) in view.items():
        if key not in nodes:
            nodes[key] = ClusterNode(
                name=name,
                reachable=False,
                state=state,
                owns_core_group=key == owner,
                error=f"{name} is a node of the cluster but no host of the play",
                in_play=False,
            )
    return sorted(nodes.values(), key=lambda n: n.name.casefold())


def inspect_nodes(inspect: Mapping[str, t.Any], paxos_tag: str | None) -> list[ClusterNode]:
    """This node and every other node a cluster_restore inspect read.

    A node whose Cluster service could not be read counts as unreachable; the cluster's
    view gives each node's state (Unknown when the cluster could not be reached; this node
    is Down when its own service is stopped). ``paxos_tag``: this node's configuration
    version (the running cluster's, else its copy of the database's).
    """
    this = str(inspect.get("node_name") or "")
    states = {
        short_name(str(n.get("name"))): str(n.get("state")) for n in inspect.get("nodes") or []
    }
    owner = short_name(core_group_owner(inspect) or "")
    own_service = str((inspect.get("cluster_service") or {}).get("state") or "unknown")
    nodes = [
        ClusterNode(
            name=this,
            reachable=True,
            state=states.get(short_name(this)) or (DOWN if own_service == STOPPED else UNKNOWN),
            service_state=own_service,
            owns_core_group=short_name(this) == owner,
            paxos_tag=parse_tag(paxos_tag),
        )
    ]
    for entry in inspect.get("node_services") or []:
        name = str(entry.get("name"))
        state = entry.get("state")
        nodes.append(
            ClusterNode(
                name=name,
                reachable=state is not None,
                state=states.get(short_name(name), UNKNOWN),
                service_state=str(state) if state is not None else "unknown",
                owns_core_group=short_name(name) == owner,
            )
        )
    return nodes
