"""The lab description: a small YAML file that says which cluster the lab simulates.

`load_spec(path)` reads and validates it; `parse_spec(data)` validates an already loaded
mapping. Every error is a `SpecError` that names the offending field, e.g.
`nodes[1].release: unknown Windows Server release '2030' (known: 2003, ...)`.
See tests/lab/examples/three-node.yml for a commented example.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from wsfc_lab.world.releases import RELEASES, WindowsRelease, release_named
from wsfc_lab.world.wbadmin import DISPLAY_LANGUAGES

DEFAULT_HTTP_PORT = 5985
DEFAULT_HTTPS_PORT = 5986
DEFAULT_USERNAME = "Administrator"
DEFAULT_PASSWORD = "Lab-Passw0rd!"  # a lab secret only: the lab listens on loopback
FIRST_NODE_HOST = 11  # nodes get <base>.11, .12, ...
FIRST_FILE_SERVER_HOST = 31  # file share servers get <base>.31, .32, ...
WITNESS_TYPES = ("disk", "file_share", "none")
# NetBIOS computer names: at most 15 characters, letters, digits and hyphens.
_COMPUTER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,14}$")
_SHARE_NAME = re.compile(r"^[^\\/:*?\"<>|]{1,80}$")
_LOCAL_PATH = re.compile(r"^[A-Za-z]:\\")
# A node's display language, as a language tag (en-US, de-DE). The lab's wbadmin prints its
# English text for en-* and its own stand-in wording for the other languages it knows
# (world/wbadmin.py, DISPLAY_LANGUAGES): Windows' real translations are not reproduced.
_LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
DEFAULT_DISPLAY_LANGUAGE = "en-US"


class SpecError(ValueError):
    """A lab description is invalid; the message starts with the field's path."""

    def __init__(self, field_path: str, problem: str) -> None:
        super().__init__(f"{field_path}: {problem}")
        self.field_path = field_path
        self.problem = problem


@dataclass(frozen=True)
class NodeSpec:
    name: str
    release: WindowsRelease
    address: str
    windows_server_backup: bool = True
    volumes: tuple[str, ...] = ("C",)
    display_language: str = DEFAULT_DISPLAY_LANGUAGE


@dataclass(frozen=True)
class PartitionSpec:
    offset: int
    size: int


@dataclass(frozen=True)
class DiskSpec:
    name: str
    signature: str
    drive_letter: str
    partitions: tuple[PartitionSpec, ...]
    owner: str


@dataclass(frozen=True)
class WitnessSpec:
    type: str  # one of WITNESS_TYPES
    disk: str | None = None  # the DiskSpec name of a disk witness
    path: str | None = None  # the UNC path of a file share witness


@dataclass(frozen=True)
class ShareSpec:
    name: str
    path: str  # a local path on the server, e.g. C:\Shares\backups


@dataclass(frozen=True)
class FileServerSpec:
    name: str
    address: str
    shares: tuple[ShareSpec, ...]


@dataclass(frozen=True)
class GroupSpec:
    name: str
    owner_node: str
    preferred_owners: tuple[str, ...] = ()
    is_core_group: bool = False
    state: str = "Online"


@dataclass(frozen=True)
class ResourceSpec:
    name: str
    type: str
    group: str
    parameters: dict[str, Any] = field(default_factory=dict)
    dependencies: tuple[str, ...] = ()
    possible_owners: tuple[str, ...] = ()
    state: str = "Online"


@dataclass(frozen=True)
class NetworkSpec:
    name: str
    role: str
    address: str
    address_mask: str
    state: str = "Up"


@dataclass(frozen=True)
class LabSpec:
    cluster: str
    domain: str
    network: str
    http_port: int
    https_port: int
    username: str
    password: str
    nodes: tuple[NodeSpec, ...]
    witness: WitnessSpec
    disks: tuple[DiskSpec, ...]
    file_servers: tuple[FileServerSpec, ...]
    groups: tuple[GroupSpec, ...]
    resources: tuple[ResourceSpec, ...]
    networks: tuple[NetworkSpec, ...]
    latencies: dict[str, float]

    def node(self, name: str) -> NodeSpec:
        for node in self.nodes:
            if node.name.upper() == name.upper():
                return node
        raise KeyError(name)


def load_spec(path: str | Path) -> LabSpec:
    """Read and validate a lab description file."""
    text = Path(path).read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise SpecError(str(path), f"not valid YAML: {error}") from error
    return parse_spec(data)


def parse_spec(data: object) -> LabSpec:
    """Validate a loaded lab description and fill in the defaults."""
    top = _mapping(data, "(top level)")
    _no_unknown_keys(
        top,
        "(top level)",
        {
            "cluster", "domain", "network", "ports", "credentials", "nodes", "witness",
            "disks", "file_servers", "configuration", "latencies",
        },
    )  # fmt: skip
    cluster = _computer_name(_required(top, "cluster", "(top level)"), "cluster")
    domain = _string(top.get("domain", "lab.local"), "domain")
    network = _network_base(top.get("network", "127.0.5.0"))
    http_port, https_port = _ports(top.get("ports", {}))
    username, password = _credentials(top.get("credentials", {}))
    nodes = _nodes(_required(top, "nodes", "(top level)"), network)
    node_names = {n.name.upper() for n in nodes}
    disks = _disks(top.get("disks", []), node_names, nodes[0].name)
    file_servers = _file_servers(top.get("file_servers", []), network, node_names)
    witness = _witness(top.get("witness", {"type": "none"}), disks, file_servers)
    groups, resources, networks = _configuration(top.get("configuration", {}), nodes)
    latencies = _latencies(top.get("latencies", {}))
    return LabSpec(
        cluster=cluster,
        domain=domain,
        network=network,
        http_port=http_port,
        https_port=https_port,
        username=username,
        password=password,
        nodes=nodes,
        witness=witness,
        disks=disks,
        file_servers=file_servers,
        groups=groups,
        resources=resources,
        networks=networks,
        latencies=latencies,
    )


# -- sections ---------------------------------------------------------------------------


def _network_base(value: object) -> str:
    text = _string(value, "network")
    try:
        base = ipaddress.IPv4Address(text)
    except ValueError as error:
        raise SpecError("network", f"not an IPv4 address: {text!r}") from error
    if not base.is_loopback:
        raise SpecError("network", f"{text} is not a loopback address (127.0.0.0/8)")
    if text.rsplit(".", maxsplit=1)[-1] != "0":
        raise SpecError("network", f"the base must end in .0 (nodes get .11, .12, ...): {text}")
    return text


def _ports(value: object) -> tuple[int, int]:
    ports = _mapping(value, "ports")
    _no_unknown_keys(ports, "ports", {"http", "https"})
    http = _port(ports.get("http", DEFAULT_HTTP_PORT), "ports.http")
    https = _port(ports.get("https", DEFAULT_HTTPS_PORT), "ports.https")
    if http == https:
        raise SpecError("ports", f"http and https must differ (both {http})")
    return http, https


def _credentials(value: object) -> tuple[str, str]:
    creds = _mapping(value, "credentials")
    _no_unknown_keys(creds, "credentials", {"username", "password"})
    username = _string(creds.get("username", DEFAULT_USERNAME), "credentials.username")
    password = _string(creds.get("password", DEFAULT_PASSWORD), "credentials.password")
    if not password:
        raise SpecError("credentials.password", "must not be empty")
    return username, password


def _nodes(value: object, network: str) -> tuple[NodeSpec, ...]:
    items = _list(value, "nodes")
    if not items:
        raise SpecError("nodes", "a cluster needs at least one node")
    if len(items) > FIRST_FILE_SERVER_HOST - FIRST_NODE_HOST:
        raise SpecError("nodes", f"at most {FIRST_FILE_SERVER_HOST - FIRST_NODE_HOST} nodes")
    nodes: list[NodeSpec] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        where = f"nodes[{index}]"
        entry = _mapping(item, where)
        _no_unknown_keys(
            entry,
            where,
            {"name", "release", "windows_server_backup", "volumes", "display_language"},
        )
        name = _computer_name(_required(entry, "name", where), f"{where}.name")
        if name.upper() in seen:
            raise SpecError(f"{where}.name", f"duplicate node name {name!r}")
        seen.add(name.upper())
        raw_release = _required(entry, "release", where)
        release = release_named(raw_release)
        if release is None:
            known = ", ".join(RELEASES)
            raise SpecError(
                f"{where}.release",
                f"unknown Windows Server release {raw_release!r} (known: {known})",
            )
        backup = _bool(entry.get("windows_server_backup", True), f"{where}.windows_server_backup")
        if backup and not release.has_vss_cluster_writer:
            raise SpecError(
                f"{where}.windows_server_backup",
                "the Windows Server Backup feature does not exist on Windows Server 2003",
            )
        volumes = _volumes(entry.get("volumes", ["C"]), f"{where}.volumes")
        language = _display_language(
            entry.get("display_language", DEFAULT_DISPLAY_LANGUAGE), f"{where}.display_language"
        )
        address = _host_address(network, FIRST_NODE_HOST + index)
        nodes.append(NodeSpec(name, release, address, backup, volumes, language))
    return tuple(nodes)


def _display_language(value: object, where: str) -> str:
    tag = _string(value, where)
    if not _LANGUAGE_TAG.match(tag):
        raise SpecError(where, f"{tag!r} is not a language tag such as en-US or de-DE")
    if tag.split("-", maxsplit=1)[0].lower() not in DISPLAY_LANGUAGES:
        known = ", ".join(f"{code}-*" for code in DISPLAY_LANGUAGES)
        raise SpecError(where, f"the lab's wbadmin has no wording for {tag!r} (known: {known})")
    return tag


def _volumes(value: object, where: str) -> tuple[str, ...]:
    letters = [_drive_letter(v, f"{where}[{i}]") for i, v in enumerate(_list(value, where))]
    if "C" not in letters:
        letters.insert(0, "C")
    return tuple(dict.fromkeys(letters))


def _disks(value: object, node_names: set[str], first_node: str) -> tuple[DiskSpec, ...]:
    disks: list[DiskSpec] = []
    for index, item in enumerate(_list(value, "disks")):
        where = f"disks[{index}]"
        entry = _mapping(item, where)
        _no_unknown_keys(entry, where, {"name", "signature", "drive_letter", "partitions", "owner"})
        name = _string(_required(entry, "name", where), f"{where}.name")
        signature = _string(_required(entry, "signature", where), f"{where}.signature").upper()
        if not re.fullmatch(r"[0-9A-F]{8}|[0-9A-F-]{36}", signature):
            raise SpecError(
                f"{where}.signature", f"an 8-digit MBR signature or a GPT id: {signature!r}"
            )
        letter = _drive_letter(_required(entry, "drive_letter", where), f"{where}.drive_letter")
        if letter == "C":
            raise SpecError(f"{where}.drive_letter", "C: is each node's system volume")
        partitions = _partitions(_required(entry, "partitions", where), f"{where}.partitions")
        owner = _string(entry.get("owner", first_node), f"{where}.owner")
        if owner.upper() not in node_names:
            raise SpecError(f"{where}.owner", f"not a node of the cluster: {owner!r}")
        if any(d.name.upper() == name.upper() for d in disks):
            raise SpecError(f"{where}.name", f"duplicate disk name {name!r}")
        if any(d.drive_letter == letter for d in disks):
            raise SpecError(f"{where}.drive_letter", f"drive letter {letter}: used twice")
        disks.append(DiskSpec(name, signature, letter, partitions, owner.upper()))
    return tuple(disks)


def _partitions(value: object, where: str) -> tuple[PartitionSpec, ...]:
    items = _list(value, where)
    if not items:
        raise SpecError(where, "a disk needs at least one partition")
    partitions: list[PartitionSpec] = []
    end = 0
    for index, item in enumerate(items):
        entry = _mapping(item, f"{where}[{index}]")
        _no_unknown_keys(entry, f"{where}[{index}]", {"offset", "size"})
        offset = _int(_required(entry, "offset", f"{where}[{index}]"), f"{where}[{index}].offset")
        size = _int(_required(entry, "size", f"{where}[{index}]"), f"{where}[{index}].size")
        if offset < end or size <= 0:
            raise SpecError(f"{where}[{index}]", "partitions must be positive and not overlap")
        end = offset + size
        partitions.append(PartitionSpec(offset, size))
    return tuple(partitions)


def _file_servers(value: object, network: str, node_names: set[str]) -> tuple[FileServerSpec, ...]:
    servers: list[FileServerSpec] = []
    for index, item in enumerate(_list(value, "file_servers")):
        where = f"file_servers[{index}]"
        entry = _mapping(item, where)
        _no_unknown_keys(entry, where, {"name", "shares"})
        name = _computer_name(_required(entry, "name", where), f"{where}.name")
        if name.upper() in node_names or any(s.name.upper() == name.upper() for s in servers):
            raise SpecError(f"{where}.name", f"the name {name!r} is already taken")
        shares: list[ShareSpec] = []
        for share_index, share_item in enumerate(_list(entry.get("shares", []), where)):
            share_where = f"{where}.shares[{share_index}]"
            share = _mapping(share_item, share_where)
            _no_unknown_keys(share, share_where, {"name", "path"})
            share_name = _string(_required(share, "name", share_where), f"{share_where}.name")
            if not _SHARE_NAME.match(share_name) or share_name.endswith("$"):
                raise SpecError(f"{share_where}.name", f"not a share name: {share_name!r}")
            path = _string(share.get("path", f"C:\\Shares\\{share_name}"), f"{share_where}.path")
            if not _LOCAL_PATH.match(path):
                raise SpecError(f"{share_where}.path", f"a local path like C:\\x: {path!r}")
            shares.append(ShareSpec(share_name, path))
        address = _host_address(network, FIRST_FILE_SERVER_HOST + index)
        servers.append(FileServerSpec(name.upper(), address, tuple(shares)))
    return tuple(servers)


def _witness(
    value: object, disks: tuple[DiskSpec, ...], servers: tuple[FileServerSpec, ...]
) -> WitnessSpec:
    entry = _mapping(value, "witness")
    _no_unknown_keys(entry, "witness", {"type", "disk", "path"})
    kind = _string(entry.get("type", "none"), "witness.type")
    if kind not in WITNESS_TYPES:
        raise SpecError("witness.type", f"one of {', '.join(WITNESS_TYPES)}, not {kind!r}")
    if kind == "disk":
        default = disks[0].name if disks else None
        name = entry.get("disk", default)
        if name is None:
            raise SpecError("witness.disk", "a disk witness needs a disk (see `disks`)")
        match = [d for d in disks if d.name.upper() == str(name).upper()]
        if not match:
            raise SpecError("witness.disk", f"no disk named {name!r} in `disks`")
        return WitnessSpec("disk", disk=match[0].name)
    if kind == "file_share":
        path = _string(_required(entry, "path", "witness"), "witness.path")
        parts = path.lstrip("\\").split("\\")
        if not path.startswith("\\\\") or len(parts) < 2:
            raise SpecError("witness.path", f"a UNC path like \\\\fs01\\witness: {path!r}")
        server = [s for s in servers if s.name.upper() == parts[0].upper()]
        if not server or not any(sh.name.upper() == parts[1].upper() for sh in server[0].shares):
            raise SpecError("witness.path", f"no such share among `file_servers`: {path}")
        return WitnessSpec("file_share", path=path)
    return WitnessSpec("none")


def _configuration(
    value: object, nodes: tuple[NodeSpec, ...]
) -> tuple[tuple[GroupSpec, ...], tuple[ResourceSpec, ...], tuple[NetworkSpec, ...]]:
    entry = _mapping(value, "configuration")
    _no_unknown_keys(entry, "configuration", {"groups", "resources", "networks"})
    node_names = {n.name.upper(): n.name for n in nodes}
    groups: list[GroupSpec] = []
    for index, item in enumerate(_list(entry.get("groups", []), "configuration.groups")):
        where = f"configuration.groups[{index}]"
        group = _mapping(item, where)
        _no_unknown_keys(
            group, where, {"name", "owner_node", "preferred_owners", "is_core_group", "state"}
        )
        name = _string(_required(group, "name", where), f"{where}.name")
        if any(g.name.upper() == name.upper() for g in groups):
            raise SpecError(f"{where}.name", f"duplicate group {name!r}")
        owner = _node_ref(group.get("owner_node", nodes[0].name), node_names, f"{where}.owner_node")
        preferred = tuple(
            _node_ref(v, node_names, f"{where}.preferred_owners[{i}]")
            for i, v in enumerate(_list(group.get("preferred_owners", []), where))
        )
        core = _bool(group.get("is_core_group", False), f"{where}.is_core_group")
        state = _string(group.get("state", "Online"), f"{where}.state")
        groups.append(GroupSpec(name, owner, preferred, core, state))
    resources: list[ResourceSpec] = []
    for index, item in enumerate(_list(entry.get("resources", []), "configuration.resources")):
        where = f"configuration.resources[{index}]"
        res = _mapping(item, where)
        _no_unknown_keys(
            res,
            where,
            {"name", "type", "group", "parameters", "dependencies", "possible_owners", "state"},
        )
        name = _string(_required(res, "name", where), f"{where}.name")
        if any(r.name.upper() == name.upper() for r in resources):
            raise SpecError(f"{where}.name", f"duplicate resource {name!r}")
        group_name = _string(_required(res, "group", where), f"{where}.group")
        if not any(g.name.upper() == group_name.upper() for g in groups):
            raise SpecError(f"{where}.group", f"no group named {group_name!r}")
        parameters = dict(_mapping(res.get("parameters", {}), f"{where}.parameters"))
        dependencies = tuple(
            _string(v, f"{where}.dependencies[{i}]")
            for i, v in enumerate(_list(res.get("dependencies", []), f"{where}.dependencies"))
        )
        owners = tuple(
            _node_ref(v, node_names, f"{where}.possible_owners[{i}]")
            for i, v in enumerate(_list(res.get("possible_owners", []), where))
        ) or tuple(n.name for n in nodes)
        resources.append(
            ResourceSpec(
                name=name,
                type=_string(_required(res, "type", where), f"{where}.type"),
                group=group_name,
                parameters=parameters,
                dependencies=dependencies,
                possible_owners=owners,
                state=_string(res.get("state", "Online"), f"{where}.state"),
            )
        )
    names = {r.name.upper() for r in resources}
    for index, res in enumerate(resources):
        for dep_index, dep in enumerate(res.dependencies):
            if dep.upper() not in names:
                raise SpecError(
                    f"configuration.resources[{index}].dependencies[{dep_index}]",
                    f"no resource named {dep!r}",
                )
    networks: list[NetworkSpec] = []
    for index, item in enumerate(_list(entry.get("networks", []), "configuration.networks")):
        where = f"configuration.networks[{index}]"
        net = _mapping(item, where)
        _no_unknown_keys(net, where, {"name", "role", "address", "address_mask", "state"})
        networks.append(
            NetworkSpec(
                name=_string(_required(net, "name", where), f"{where}.name"),
                role=_string(net.get("role", "ClusterAndClient"), f"{where}.role"),
                address=_string(_required(net, "address", where), f"{where}.address"),
                address_mask=_string(net.get("address_mask", "255.255.255.0"), where),
                state=_string(net.get("state", "Up"), f"{where}.state"),
            )
        )
    return tuple(groups), tuple(resources), tuple(networks)


def _latencies(value: object) -> dict[str, float]:
    entry = _mapping(value, "latencies")
    result: dict[str, float] = {}
    for key, seconds in entry.items():
        result[str(key)] = _seconds(seconds, f"latencies.{key}")
    return result


# -- scalar helpers ---------------------------------------------------------------------


def _host_address(network: str, host: int) -> str:
    return str(ipaddress.IPv4Address(network) + host)


def _mapping(value: object, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise SpecError(where, f"expected a mapping, got {type(value).__name__}")
    return {str(k): v for k, v in value.items()}


def _list(value: object, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise SpecError(where, f"expected a list, got {type(value).__name__}")
    return value


def _required(entry: dict[str, Any], key: str, where: str) -> object:
    if key not in entry or entry[key] is None:
        prefix = "" if where == "(top level)" else f"{where}."
        raise SpecError(f"{prefix}{key}", "is required")
    return entry[key]


def _no_unknown_keys(entry: dict[str, Any], where: str, allowed: set[str]) -> None:
    unknown = sorted(set(entry) - allowed)
    if unknown:
        prefix = "" if where == "(top level)" else f"{where}."
        raise SpecError(
            f"{prefix}{unknown[0]}", f"unknown field (allowed: {', '.join(sorted(allowed))})"
        )


def _string(value: object, where: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise SpecError(where, f"expected a string, got {type(value).__name__}")
    return str(value)


def _bool(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise SpecError(where, f"expected true or false, got {value!r}")
    return value


def _int(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise SpecError(where, f"expected a non-negative integer, got {value!r}")
    return value


def _seconds(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise SpecError(where, f"expected a non-negative number of seconds, got {value!r}")
    return float(value)


def _port(value: object, where: str) -> int:
    port = _int(value, where)
    if not 1 <= port <= 65535:
        raise SpecError(where, f"not a TCP port: {port}")
    return port


def _computer_name(value: object, where: str) -> str:
    name = _string(value, where)
    if not _COMPUTER_NAME.match(name):
        raise SpecError(where, f"not a computer name (1-15 letters, digits, '-'): {name!r}")
    return name.upper()


def _drive_letter(value: object, where: str) -> str:
    text = _string(value, where).rstrip(":").upper()
    if not re.fullmatch(r"[A-Z]", text):
        raise SpecError(where, f"a drive letter like Q or Q:, not {value!r}")
    return text


def _node_ref(value: object, node_names: dict[str, str], where: str) -> str:
    name = _string(value, where)
    if name.upper() not in node_names:
        raise SpecError(where, f"not a node of the cluster: {name!r}")
    return node_names[name.upper()]
