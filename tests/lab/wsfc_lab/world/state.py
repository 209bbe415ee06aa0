"""LabState, the state inside one transaction, and the state of a freshly built lab.

The layout of state.json (schema 1) and the typed view over it are state_view.py's;
LabState adds to that view what is built on it: the cluster rules (cluster.py) and the
resolution of Windows paths (paths.py).
"""

from __future__ import annotations

import copy
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wsfc_lab.world.cluster import Cluster
from wsfc_lab.world.configuration import empty_objects, find_key
from wsfc_lab.world.paths import resolve_path
from wsfc_lab.world.paxos import PaxosTag
from wsfc_lab.world.state_view import StateView

if TYPE_CHECKING:
    from wsfc_lab.spec import LabSpec

SCHEMA = 1


class LabState(StateView):
    """The state inside one transaction, with the cluster rules and the paths of its hosts."""

    @property
    def cluster(self) -> Cluster:
        return Cluster(self)

    def resolve_path(self, node: str, windows_path: str) -> Path:
        return resolve_path(self, node, windows_path)


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
