"""The lab's state: a JSON document (state.json) and the typed view over it (StateView).

Layout (schema 1), all plain JSON so that a node process killed at any moment leaves a
whole file behind (the store replaces it atomically):

  supervised  true when the Lab runs a process per node (liveness.py)
  cluster     name, id, domain, network; formed / forced / tag (see cluster.py)
  ports, credentials
  nodes       NAME -> id, address, os_*, features, volumes, display_language, power,
                      process.pid,
                      service {installed, state, start_mode}, paused, prevent_quorum,
                      database {paxos_tag, objects} (this node's copy, CLUSDB) or None,
                      extensions {} (per-node room for later subsystems)
  witness     type disk|file_share|none, resource, disk, path, online,
              database (disk witness copy, 0.Cluster) / paxos_tag (file share witness)
  disks       NAME -> number, signature, drive_letter, partitions, owner_node
  hosts       NAME -> kind node|file_server, address
  shares      HOST -> share name (lower case) -> name, path (local path on HOST), temporary
  faults      see faults.py
  latencies   operation or latency class -> seconds
  events      the cluster event log (id, node, message, time), newest last
  extensions  room for later subsystems, one key each: wbadmin's catalog, directory ACLs,
              backups in progress. They add their data with `LabState.extension(name)`
              without changing this layout.

The view knows the layout only; the cluster rules (cluster.py) and the path resolution
(paths.py) work on a StateView, and LabState (state.py) adds both to it, so that every
module of the world imports the view without importing the rules built on it.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wsfc_lab.world.configuration import find_key
from wsfc_lab.world.windows_errors import ERROR_CLUSTER_NODE_NOT_FOUND, WindowsError

if TYPE_CHECKING:
    from wsfc_lab.world.acl import Logon

MAX_EVENTS = 500


class StateView:
    """The state inside one transaction: `data` and typed helpers over it; saved on exit."""

    def __init__(self, data: dict[str, Any], lab_dir: Path, logon: Logon | None = None) -> None:
        self.data = data
        self.lab_dir = lab_dir
        # The logon session of the module run this transaction serves, if any: what a UNC
        # path may reach from it (world/acl.py, the second hop).
        self.logon = logon

    # -- nodes and hosts ---------------------------------------------------------------

    def node_names(self) -> list[str]:
        return list(self.data["nodes"])

    def node_name(self, name: str) -> str:
        """The node's canonical name; WindowsError 5042 for a name that is not a node."""
        nodes = self.data["nodes"]
        if name in nodes:
            # The canonical name itself, as the cluster rules pass it: node names are
            # unique whatever their case (spec.py), so no other key matches.
            return name
        key = find_key(nodes, name.split(".")[0])
        if key is None:
            raise WindowsError(ERROR_CLUSTER_NODE_NOT_FOUND, f"The node {name} was not found")
        return key

    def node(self, name: str) -> dict[str, Any]:
        nodes = self.data["nodes"]
        return nodes[name] if name in nodes else nodes[self.node_name(name)]

    def host_name(self, name_or_address: str) -> str | None:
        """The host (node or file server) known by a name, FQDN or address."""
        wanted = name_or_address.strip().upper()
        domain = self.data["cluster"]["domain"].upper()
        if wanted.endswith("." + domain):
            wanted = wanted[: -len(domain) - 1]
        for name, host in self.data["hosts"].items():
            if name.upper() == wanted or host["address"] == name_or_address.strip():
                return name
        return None

    # -- sections ----------------------------------------------------------------------

    @property
    def witness(self) -> dict[str, Any]:
        return self.data["witness"]

    @property
    def disks(self) -> dict[str, dict[str, Any]]:
        return self.data["disks"]

    @property
    def shares(self) -> dict[str, dict[str, dict[str, Any]]]:
        return self.data["shares"]

    @property
    def faults(self) -> dict[str, Any]:
        return self.data["faults"]

    @property
    def latencies(self) -> dict[str, float]:
        return self.data["latencies"]

    def extension(self, name: str) -> dict[str, Any]:
        """A lab-wide section owned by a later subsystem (created empty on first use)."""
        return self.data.setdefault("extensions", {}).setdefault(name, {})

    def node_extension(self, node: str, name: str) -> dict[str, Any]:
        """A per-node section owned by a later subsystem, e.g. wbadmin's catalog."""
        return self.node(node).setdefault("extensions", {}).setdefault(name, {})

    # -- shares and paths ----------------------------------------------------------------

    def add_share(self, host: str, name: str, local_path: str, temporary: bool = False) -> None:
        """Share `local_path` on `host` as \\\\host\\name (NetShareAdd)."""
        canonical = self.host_name(host)
        if canonical is None:
            raise WindowsError(ERROR_CLUSTER_NODE_NOT_FOUND, f"No host named {host}")
        self.shares.setdefault(canonical, {})[name.lower()] = {
            "name": name,
            "path": local_path,
            "temporary": temporary,
        }

    def remove_share(self, host: str, name: str) -> None:
        """Stop sharing \\\\host\\name (NetShareDel); the directory stays."""
        canonical = self.host_name(host) or host
        self.shares.get(canonical, {}).pop(name.lower(), None)

    # -- events ------------------------------------------------------------------------

    def log_event(self, node: str | None, event_id: int, message: str) -> None:
        events = self.data["events"]
        events.append({"id": event_id, "node": node, "message": message, "time": time.time()})
        del events[:-MAX_EVENTS]

    def events(self, event_id: int | None = None, node: str | None = None) -> list[dict]:
        return [
            e
            for e in self.data["events"]
            if (event_id is None or e["id"] == event_id) and (node is None or e["node"] == node)
        ]
