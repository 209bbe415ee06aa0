"""The lab's state: a JSON document (state.json) and a typed view over it.

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
"""

from __future__ import annotations

import copy
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wsfc_lab.world.configuration import empty_objects, find_key
from wsfc_lab.world.errors import ERROR_CLUSTER_NODE_NOT_FOUND, WindowsError
from wsfc_lab.world.paxos import PaxosTag

if TYPE_CHECKING:
    from wsfc_lab.spec import LabSpec
    from wsfc_lab.world.acl import Logon
    from wsfc_lab.world.cluster import Cluster

SCHEMA = 1
MAX_EVENTS = 500


class LabState:
    """The state inside one transaction. Change `data` or use the helpers; saved on exit."""

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
        key = find_key(self.data["nodes"], name.split(".")[0])
        if key is None:
            raise WindowsError(ERROR_CLUSTER_NODE_NOT_FOUND, f"The node {name} was not found")
        return key

    def node(self, name: str) -> dict[str, Any]:
        return self.data["nodes"][self.node_name(name)]

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

    @property
    def cluster(self) -> Cluster:
        from wsfc_lab.world.cluster import Cluster

        return Cluster(self)

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

    def resolve_path(self, node: str, windows_path: str) -> Path:
        from wsfc_lab.world.paths import resolve_path

        return resolve_path(self, node, windows_path)

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


def initial_state(spec: LabSpec) -> dict[str, Any]:
    """The state of a freshly built lab: every node up, every copy at the same version."""
    objects = _initial_objects(spec)
    tag = str(PaxosTag.first())
    database = {"paxos_tag": tag, "objects": objects}
    nodes: dict[str, Any] = {}
    for number, node in enumerate(spec.nodes, start=1):
        nodes[node.name] = {
            "name": node.name,
            "id": str(number),
            "address": node.address,
            "os_release": node.release.release,
            "os_name": node.release.os_name,
            "os_version": node.release.os_version,
            "features": {
                "Failover-Clustering": True,
                "Windows-Server-Backup": node.windows_server_backup,
            },
            "volumes": list(node.volumes),
            "display_language": node.display_language,
            "power": "on",
            "process": {"pid": None},
            "service": {"installed": True, "state": "running", "start_mode": "auto"},
            "paused": False,
            "prevent_quorum": False,
            "database": copy.deepcopy(database),
            "extensions": {},
        }
    disks = {
        disk.name: {
            "name": disk.name,
            "number": number,
            "signature": disk.signature,
            "drive_letter": disk.drive_letter,
            "partitions": [
                {"number": index, "offset": p.offset, "size": p.size}
                for index, p in enumerate(disk.partitions, start=1)
            ],
            "owner_node": disk.owner,
        }
        for number, disk in enumerate(spec.disks, start=1)
    }
    hosts = {n.name: {"kind": "node", "address": n.address} for n in spec.nodes}
    hosts.update({s.name: {"kind": "file_server", "address": s.address} for s in spec.file_servers})
    shares = {
        server.name: {
            share.name.lower(): {"name": share.name, "path": share.path, "temporary": False}
            for share in server.shares
        }
        for server in spec.file_servers
    }
    return {
        "schema": SCHEMA,
        "supervised": False,
        "cluster": {
            "name": spec.cluster,
            "id": str(uuid.uuid4()),
            "domain": spec.domain,
            "network": spec.network,
            "formed": False,
            "forced": False,
            "tag": None,
        },
        "ports": {"http": spec.http_port, "https": spec.https_port},
        "credentials": {"username": spec.username, "password": spec.password},
        "nodes": nodes,
        "witness": _initial_witness(spec, database),
        "disks": disks,
        "hosts": hosts,
        "shares": shares,
        "faults": {},
        "latencies": dict(spec.latencies),
        "events": [],
        "extensions": {},
    }


def _initial_witness(spec: LabSpec, database: dict[str, Any]) -> dict[str, Any]:
    witness = spec.witness
    return {
        "type": witness.type,
        "resource": {"disk": witness.disk, "file_share": "File Share Witness"}.get(witness.type),
        "disk": witness.disk,
        "path": witness.path,
        "online": witness.type != "none",
        # docs/windows-behaviour.md#cluster-database: a disk witness holds a copy of the database
        # (0.Cluster); a file share witness does not.
        "database": copy.deepcopy(database) if witness.type == "disk" else None,
        "paxos_tag": database["paxos_tag"] if witness.type != "none" else None,
    }


def _initial_objects(spec: LabSpec) -> dict[str, Any]:
    """The spec's objects, after the core groups every failover cluster has."""
    objects = empty_objects()
    first = spec.nodes[0].name
    all_nodes = [n.name for n in spec.nodes]
    if not any(g.is_core_group for g in spec.groups):
        _add_group(objects, "Cluster Group", first, core=True)
        _add_resource(objects, "Cluster Name", "Network Name", "Cluster Group", all_nodes,
                      {"Name": spec.cluster, "DnsName": spec.cluster.lower()})  # fmt: skip
        witness_disk = spec.witness.disk
        if witness_disk:
            _add_resource(objects, witness_disk, "Physical Disk", "Cluster Group", all_nodes, {})
        elif spec.witness.type == "file_share":
            _add_resource(objects, "File Share Witness", "File Share Witness", "Cluster Group",
                          all_nodes, {"SharePath": spec.witness.path})  # fmt: skip
        others = [d for d in spec.disks if d.name != witness_disk]
        if others:
            _add_group(objects, "Available Storage", first, core=True)
            for disk in others:
                _add_resource(objects, disk.name, "Physical Disk", "Available Storage",
                              all_nodes, {})  # fmt: skip
    for group in spec.groups:
        _add_group(objects, group.name, group.owner_node, core=group.is_core_group,
                   preferred=list(group.preferred_owners), state=group.state)  # fmt: skip
    for res in spec.resources:
        _add_resource(objects, res.name, res.type, res.group, list(res.possible_owners),
                      dict(res.parameters), list(res.dependencies), res.state)  # fmt: skip
    for net in spec.networks:
        objects["networks"][net.name] = {
            "name": net.name,
            "role": net.role,
            "address": net.address,
            "address_mask": net.address_mask,
            "state": net.state,
        }
    return objects


def _add_group(
    objects: dict[str, Any],
    name: str,
    owner: str,
    core: bool,
    preferred: list[str] | None = None,
    state: str = "Online",
) -> None:
    objects["groups"][name] = {
        "name": name,
        "state": state,
        "owner_node": owner,
        "preferred_owners": preferred or [],
        "is_core_group": core,
    }


def _add_resource(
    objects: dict[str, Any],
    name: str,
    kind: str,
    group: str,
    owners: list[str],
    parameters: dict[str, Any],
    dependencies: list[str] | None = None,
    state: str = "Online",
) -> None:
    group_key = find_key(objects["groups"], group) or group
    objects["resources"][name] = {
        "name": name,
        "type": kind,
        "group": group_key,
        "state": state,
        "owner_node": objects["groups"][group_key]["owner_node"],
        "parameters": parameters,
        "dependencies": dependencies or [],
        "possible_owners": owners,
    }
