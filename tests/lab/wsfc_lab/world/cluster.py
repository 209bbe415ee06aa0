"""The failover cluster's rules: node states, quorum, database copies, join sync.

Everything here follows docs/windows-behaviour.md (the "facts page": #join-sync,
#forcequorum, #quorum-majority, #stop-clusternode, #node-states):
- Node states Up / Down / Paused / Joining (CLUSTER_NODE_STATE, #node-states). A node whose
  machine is down (process dead, powered off) or whose Cluster service (ClusSvc) is
  stopped is Down to the others. A node whose service runs while no cluster is formed
  (no quorum, or a stale copy) is shown as Joining: its service keeps trying to join.
- Quorum: every node has one vote and a witness (disk or file share) one more; the
  cluster is formed while the running nodes and the witness hold a majority of the
  votes. The page names node majority plus witness only; dynamic quorum is not modelled.
- Each node keeps its own copy of the database (CLUSDB) with a PaxosTag; a disk witness
  keeps a copy too (0.Cluster) and "nodes and the disk witness compare tags to find the
  latest copy" (#join-sync). The cluster forms from the newest copy it can see.
- A node whose copy is older than the newest it can see does not form the cluster and
  logs event 1561 ("start the node with the latest copy first", #cluster-events). A file share
  witness holds no copy (#cluster-database); the lab lets it remember the newest tag, which is how
  a lone stale node learns that its copy is old (*unconfirmed* on the facts page).
- Join sync: a node that starts while the cluster is formed takes the cluster's copy.
- Start-ClusterNode -ForceQuorum makes the node's copy authoritative and replicates it (a
  stale copy forced this way loses changes); -PreventQuorum starts a node that may join
  but never forms a cluster of its own (#start-clusternode).
- Stop-ClusterNode is refused when it would take the cluster below quorum (#stop-clusternode).
  The page names no error code for that refusal; the lab uses ERROR_CLUSTER_NO_QUORUM.
- A configuration change applies to the formed cluster's copies (members and disk
  witness) and bumps the sequence of the PaxosTag (NextEpoch:LastUpdateEpoch:Sequence,
  world/paxos.py).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from wsfc_lab.world.configuration import ConfigChange, apply_change
from wsfc_lab.world.liveness import node_running
from wsfc_lab.world.paxos import PaxosTag, newest
from wsfc_lab.world.state_view import StateView
from wsfc_lab.world.windows_errors import (
    ERROR_CLUSTER_NO_QUORUM,
    ERROR_SERVICE_NOT_ACTIVE,
    RPC_S_SERVER_UNAVAILABLE,
    WindowsError,
)

EVENT_STALE_COPY = 1561  # docs/windows-behaviour.md#cluster-events

UP, DOWN, PAUSED, JOINING = "Up", "Down", "Paused", "Joining"


class Cluster:
    """The cluster rules over one transaction's state."""

    def __init__(self, state: StateView) -> None:
        self.state = state
        self.record: dict[str, Any] = state.data["cluster"]

    # -- facts ---------------------------------------------------------------------------

    def machine_running(self, node: str) -> bool:
        return node_running(self.state.node(node), bool(self.state.data.get("supervised")))

    def service_running(self, node: str) -> bool:
        return self.state.node(node)["service"]["state"] == "running"

    def active_nodes(self) -> list[str]:
        """Nodes whose machine and Cluster service both run."""
        return [
            n
            for n in self.state.node_names()
            if self.machine_running(n) and self.service_running(n)
        ]

    def total_votes(self) -> int:
        witness = 1 if self.state.witness["type"] != "none" else 0
        return len(self.state.node_names()) + witness

    def majority(self) -> int:
        return self.total_votes() // 2 + 1

    def witness_vote(self) -> int:
        witness = self.state.witness
        return 1 if witness["type"] != "none" and witness.get("online", True) else 0

    def votes_present(self, active: list[str] | None = None) -> int:
        """Votes of the running nodes, plus the witness when a running node arbitrates it."""
        active = self.active_nodes() if active is None else active
        return len(active) + (self.witness_vote() if active else 0)

    @property
    def formed(self) -> bool:
        return bool(self.record["formed"])

    @property
    def forced(self) -> bool:
        """Formed by ForceQuorum without a majority of votes."""
        return bool(self.record["forced"])

    @property
    def tag(self) -> str | None:
        """The PaxosTag of the formed cluster's copy; None while not formed."""
        return self.record["tag"] if self.formed else None

    def members(self) -> list[str]:
        if not self.formed:
            return []
        return [n for n in self.active_nodes() if self.paxos_tag(n) == self.record["tag"]]

    def node_state(self, node: str) -> str:
        node = self.state.node_name(node)
        if not self.machine_running(node) or not self.service_running(node):
            return DOWN
        if node in self.members():
            return PAUSED if self.state.node(node)["paused"] else UP
        return JOINING

    def paxos_tag(self, node: str) -> str | None:
        database = self.state.node(node)["database"]
        return database["paxos_tag"] if database else None

    def witness_tag(self) -> str | None:
        witness = self.state.witness
        if witness["type"] == "none" or not witness.get("online", True):
            return None
        if witness.get("database"):
            return witness["database"]["paxos_tag"]
        return witness.get("paxos_tag")

    def cluster_copy(self) -> dict[str, Any] | None:
        """The formed cluster's database copy (read it; change it through the methods)."""
        for node in self.members():
            return self.state.node(node)["database"]
        return None

    # -- transitions -----------------------------------------------------------------------

    def reconcile(self, *, log_stale: bool = True) -> None:
        """Bring formation, membership and copies in line with which nodes now run.

        Called at the start of every transaction, so a node process that died or came
        back since the last one is seen as the other nodes would see it.
        """
        active = self.active_nodes()
        if self.formed:
            self._keep_or_lose_quorum(active)
        if not self.formed:
            self._try_to_form(active, log_stale)
        if self.formed:
            self._sync_active_nodes(active)
            self._update_witness()
            self._move_witness_disk(active)

    def start_service(
        self, node: str, *, force_quorum: bool = False, prevent_quorum: bool = False
    ) -> str:
        """Start ClusSvc on `node` (Start-ClusterNode); returns the node's state after."""
        if force_quorum and prevent_quorum:
            raise ValueError("ForceQuorum and PreventQuorum exclude each other")
        node = self.state.node_name(node)
        self._require_machine(node)
        record = self.state.node(node)
        record["service"]["state"] = "running"
        record["prevent_quorum"] = prevent_quorum
        self.reconcile(log_stale=not force_quorum)
        if force_quorum and not self.formed:
            # Joins a cluster that runs; otherwise forms one from this node's copy.
            tag = self.make_authoritative(node)
            self.record.update(formed=True, forced=True, tag=tag)
            self.reconcile()
        return self.node_state(node)

    def stop_service(self, node: str, *, check_quorum: bool = True) -> None:
        """Stop ClusSvc on `node`.

        check_quorum=True is Stop-ClusterNode, refused when the cluster would lose quorum;
        False is the service control manager (net stop clussvc), which does not ask.
        """
        node = self.state.node_name(node)
        self._require_machine(node)
        if not self.service_running(node):
            raise WindowsError(
                ERROR_SERVICE_NOT_ACTIVE, f"The Cluster service on {node} is not started"
            )
        if check_quorum and node in self.members() and not self.forced:
            remaining = [n for n in self.active_nodes() if n != node]
            if self.votes_present(remaining) < self.majority():
                raise WindowsError(
                    ERROR_CLUSTER_NO_QUORUM,
                    f"Stopping the Cluster service on {node} would leave the cluster "
                    f"{self.votes_present(remaining)} of {self.total_votes()} votes, "
                    f"below quorum ({self.majority()})",
                )
        record = self.state.node(node)
        record["service"]["state"] = "stopped"
        record["paused"] = False
        record["prevent_quorum"] = False
        self.reconcile()

    def set_paused(self, node: str, paused: bool) -> None:
        """Suspend-ClusterNode / Resume-ClusterNode: a paused member stays in the cluster."""
        node = self.state.node_name(node)
        self._require_member(node)
        self.state.node(node)["paused"] = paused

    def change_configuration(
        self, node: str, change: ConfigChange | Callable[[dict[str, Any]], None]
    ) -> str:
        """Apply a change made on `node` to the cluster's copies; returns the new PaxosTag."""
        node = self.state.node_name(node)
        self._require_member(node)
        current = self.state.node(node)["database"]
        objects = copy.deepcopy(current["objects"])
        if isinstance(change, ConfigChange):
            apply_change(objects, change)
        else:
            change(objects)
        tag = str(PaxosTag.parse(current["paxos_tag"]).next_sequence())
        database = {"paxos_tag": tag, "objects": objects}
        for member in self.members():
            self.state.node(member)["database"] = copy.deepcopy(database)
        self.record["tag"] = tag
        self._update_witness()
        return tag

    def make_authoritative(self, node: str) -> str:
        """Give `node`'s copy a tag newer than every other copy (a forced or restored copy).

        ForceQuorum (#forcequorum) and, later, the authoritative restore both make
        one node's copy the one the others take; the new epoch, written with a time stamp
        (docs/windows-behaviour.md#paxos-tag), is what makes it win.
        """
        node = self.state.node_name(node)
        database = self.state.node(node)["database"]
        if database is None:
            raise WindowsError(ERROR_SERVICE_NOT_ACTIVE, f"{node} holds no cluster database")
        others = [PaxosTag.parse(t) for t in self._all_tags() if t]
        tag = str(PaxosTag.parse(database["paxos_tag"]).next_epoch_tag(others))
        database["paxos_tag"] = tag
        return tag

    def replace_node_database(self, node: str, database: dict[str, Any] | None) -> None:
        """Put a copy in place on a node whose service is stopped (restore, eviction)."""
        node = self.state.node_name(node)
        self.state.node(node)["database"] = copy.deepcopy(database)

    # -- internals -------------------------------------------------------------------------

    def _all_tags(self) -> list[str | None]:
        tags = [self.paxos_tag(n) for n in self.state.node_names()]
        witness = self.state.witness
        if witness.get("database"):
            tags.append(witness["database"]["paxos_tag"])
        tags.append(witness.get("paxos_tag"))
        return tags

    def _require_machine(self, node: str) -> None:
        if not self.machine_running(node):
            raise WindowsError(RPC_S_SERVER_UNAVAILABLE, f"The node {node} does not answer")

    def _require_member(self, node: str) -> None:
        self._require_machine(node)
        if not self.service_running(node):
            raise WindowsError(
                ERROR_SERVICE_NOT_ACTIVE, f"The Cluster service on {node} is not running"
            )
        if node not in self.members():
            raise WindowsError(
                ERROR_CLUSTER_NO_QUORUM, f"{node} is not part of a running cluster (no quorum)"
            )

    def _keep_or_lose_quorum(self, active: list[str]) -> None:
        holders = [n for n in active if self.paxos_tag(n) == self.record["tag"]]
        votes = self.votes_present(active)
        if not holders or (votes < self.majority() and not self.forced):
            self.record.update(formed=False, forced=False, tag=None)
        elif self.forced and votes >= self.majority():
            self.record["forced"] = False

    def _try_to_form(self, active: list[str], log_stale: bool) -> None:
        if not active or self.votes_present(active) < self.majority():
            return
        candidates = [n for n in active if not self.state.node(n)["prevent_quorum"]]
        if not candidates:
            return
        latest = newest([self.paxos_tag(n) for n in active] + [self.witness_tag()])
        holders = [n for n in candidates if self.paxos_tag(n) == latest]
        witness_db = self.state.witness.get("database")
        if holders:
            source = self.state.node(holders[0])["database"]
        elif witness_db and witness_db["paxos_tag"] == latest and self.state.witness["online"]:
            source = witness_db
        else:
            for node in candidates if log_stale else []:
                self._log_stale(node, latest)
            return
        for node in candidates:
            if self.paxos_tag(node) != latest:
                self.state.node(node)["database"] = copy.deepcopy(source)
        self.record.update(formed=True, forced=False, tag=latest)

    def _sync_active_nodes(self, active: list[str]) -> None:
        source = next(
            self.state.node(n)["database"]
            for n in active
            if self.paxos_tag(n) == self.record["tag"]
        )
        for node in active:
            if self.paxos_tag(node) != self.record["tag"]:
                self.state.node(node)["database"] = copy.deepcopy(source)

    def _update_witness(self) -> None:
        witness = self.state.witness
        copy_now = self.cluster_copy()
        if copy_now is None or witness["type"] == "none" or not witness.get("online", True):
            return
        # Only when it differs: a new copy put into the state, even an equal one, costs the
        # store a serialisation and a parse (world/store.py).
        if witness["type"] == "disk" and witness.get("database") != copy_now:
            witness["database"] = copy.deepcopy(copy_now)
        witness["paxos_tag"] = copy_now["paxos_tag"]

    def _move_witness_disk(self, active: list[str]) -> None:
        """The witness disk fails over to a running member when its owner goes down."""
        name = self.state.witness.get("disk")
        members = self.members()
        if not name or not members:
            return
        disk = self.state.disks[name]
        if disk["owner_node"] not in members:
            disk["owner_node"] = members[0]
        self._keep_witness_group_with_its_disk(disk["owner_node"])

    def _keep_witness_group_with_its_disk(self, owner: str) -> None:
        """The witness disk is a resource of its group (the core cluster group): a group's
        resources are online on the group's owner, so the group and its resources move with
        the disk (docs/windows-behaviour.md#get-clustergroup, #get-clusterresource). Who owns
        a group is not a configuration change: the copies keep their tag."""
        resource_name = self.state.witness.get("resource")
        for node in self.state.node_names():
            database = self.state.node(node)["database"]
            objects = (database or {}).get("objects") or {}
            resource = objects.get("resources", {}).get(resource_name or "")
            group = objects.get("groups", {}).get(resource["group"]) if resource else None
            if group is None or group["owner_node"] == owner:
                continue
            group["owner_node"] = owner
            for member in objects["resources"].values():
                if member["group"] == resource["group"]:
                    member["owner_node"] = owner

    def _log_stale(self, node: str, latest: str | None) -> None:
        message = (
            f"The Cluster service on {node} holds configuration {self.paxos_tag(node)}, older "
            f"than {latest}; it will not form the cluster. Start the node with the latest "
            "copy first, or start this node with ForceQuorum to make its copy authoritative."
        )
        previous = self.state.events(EVENT_STALE_COPY, node)
        if not previous or previous[-1]["message"] != message:
            self.state.log_event(node, EVENT_STALE_COPY, message)
