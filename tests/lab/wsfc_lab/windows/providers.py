"""The FileSystem and Registry providers' cmdlets: Test-Path, Get-Item, Get-ChildItem,
Get-ItemProperty (facts powershell-literalpath, cluster-database, path-rules).

Paths come as -LiteralPath only, as the project's PowerShell rules require. File system
paths resolve through the world (wsfc_lab.world.paths) and need read access (world/acl.py);
registry paths are `HKLM:\\Cluster` (the running cluster's hive, loaded while ClusSvc runs on
this node) and `Registry::HKLM\\<key>` for a hive this run loaded with reg load.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from wsfc_lab.windows.errors import LabSurfaceError, PowerShellError
from wsfc_lab.windows.host import PowerShellHost
from wsfc_lab.windows.objects import PSObject
from wsfc_lab.windows.surface import command, registry_value
from wsfc_lab.windows.system_files import hive_values, is_system_path, system_file
from wsfc_lab.world import WindowsError, acl

CLUSTER_HIVE = "HKLM:\\Cluster"
LIST_OPERATION = "Get-ChildItem"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

registry_value(CLUSTER_HIVE, "PaxosTag", fact="paxos-tag")
registry_value(CLUSTER_HIVE, "ClusterName", fact="cluster-database")
registry_value(CLUSTER_HIVE + "\\Nodes\\*", "NodeName", fact="cluster-database")
# The same values in a copy of CLUSDB loaded under a temporary key (fact reg-load-unload).
LOADED_COPY = "Registry::HKLM\\WSFC_CLUSDB_*"
registry_value(LOADED_COPY, "PaxosTag", fact="paxos-tag")
registry_value(LOADED_COPY, "ClusterName", fact="cluster-database")
registry_value(LOADED_COPY + "\\Nodes\\*", "NodeName", fact="cluster-database")


# -- registry -------------------------------------------------------------------------------


def _is_registry(path: str) -> bool:
    lowered = path.lower()
    return lowered.startswith(("hklm:", "registry::"))


def _hive(host: PowerShellHost, path: str) -> tuple[dict[str, Any] | None, list[str]]:
    """The values of the hive a registry path lies in (None: no such key) and the subkey
    components below the hive's root."""
    lowered = path.lower()
    if lowered.startswith("hklm:\\cluster"):
        rest = path[len("HKLM:\\Cluster") :]
        with host.world.transaction() as state:
            record = state.node(host.node)
            loaded = record["service"]["state"] == "running" and record["database"] is not None
            values = hive_values(state, host.node) if loaded else None
        return values, [p for p in rest.split("\\") if p]
    if lowered.startswith("registry::hklm\\"):
        parts = path[len("Registry::HKLM\\") :].split("\\")
        for key, values in host.loaded_hives.items():
            if key.lower() == ("HKLM\\" + parts[0]).lower():
                return values, [p for p in parts[1:] if p]
        return None, []
    raise LabSurfaceError(f"the lab's registry has no key {path}")


def _registry_key(host: PowerShellHost, path: str) -> dict[str, Any] | None:
    """The key's values (a dict), or None when the key does not exist."""
    values, below = _hive(host, path)
    if values is None:
        return None
    if not below:
        return {k: v for k, v in values.items() if k != "Nodes"}
    if below[0].lower() == "nodes":
        if len(below) == 1:
            return {}
        name = values["Nodes"].get(below[1])
        return {"NodeName": name} if name is not None and len(below) == 2 else None
    return None


def _registry_children(host: PowerShellHost, path: str) -> list[PSObject]:
    values, below = _hive(host, path)
    if values is None or [b.lower() for b in below] != ["nodes"]:
        return []
    return [
        PSObject(
            "Microsoft.Win32.RegistryKey",
            {"PSChildName": node_id, "PSPath": f"{path}\\{node_id}", "Name": node_id},
            text=node_id,
        )
        for node_id in values["Nodes"]
    ]


# -- file system ----------------------------------------------------------------------------


def _resolve(host: PowerShellHost, path: str) -> Path | None:
    try:
        return host.world.resolve_path(host.node, path)
    except WindowsError:
        return None


def _file_object(real: Path, windows_path: str) -> PSObject:
    is_dir = real.is_dir()
    stat = real.stat()
    return PSObject(
        "System.IO.DirectoryInfo" if is_dir else "System.IO.FileInfo",
        {
            "Name": real.name,
            "FullName": windows_path.rstrip("\\") if len(windows_path) > 3 else windows_path,
            "Length": None if is_dir else stat.st_size,
            # fact file-last-write-time: a DateTime of kind Utc (the port formats it).
            "LastWriteTimeUtc": _EPOCH + timedelta(microseconds=stat.st_mtime_ns // 1000),
            "PSIsContainer": is_dir,
        },
        text=windows_path,
    )


def _require_read(host: PowerShellHost, real: Path, windows_path: str) -> None:
    with host.world.transaction() as state:
        acl.require(state, real, acl.principals_of(host.user), "read", windows_path)


# -- cmdlets --------------------------------------------------------------------------------


@command("Test-Path", fact="powershell-literalpath", parameters={"LiteralPath", "PathType"})
def test_path(host: PowerShellHost, LiteralPath: str, PathType: str = "Any") -> bool:
    kind = PathType.lower()
    if _is_registry(LiteralPath):
        return kind != "leaf" and _registry_key(host, LiteralPath) is not None
    if is_system_path(LiteralPath):
        with host.world.transaction() as state:
            present = system_file(state, host.node, LiteralPath) is not None
        return present and kind != "container"
    real = _resolve(host, LiteralPath)
    if real is None or not real.exists():
        return False
    if kind == "container":
        return real.is_dir()
    if kind == "leaf":
        return not real.is_dir()
    return True


@command("Get-Item", fact="powershell-literalpath", parameters={"LiteralPath", "Force"})
def get_item(host: PowerShellHost, LiteralPath: str, Force: bool = False) -> PSObject:
    real = _resolve(host, LiteralPath)
    if real is None or not real.exists():
        raise PowerShellError(3, f"Cannot find path '{LiteralPath}' because it does not exist.")
    return _file_object(real, LiteralPath)


@command(
    "Get-ChildItem",
    fact="powershell-literalpath",
    parameters={"LiteralPath", "Recurse", "File", "Directory", "Force"},
)
def get_child_item(
    host: PowerShellHost,
    LiteralPath: str,
    Recurse: bool = False,
    File: bool = False,
    Directory: bool = False,
    Force: bool = False,
) -> list[PSObject]:
    if _is_registry(LiteralPath):
        return _registry_children(host, LiteralPath)
    real = _resolve(host, LiteralPath)
    if real is None or not real.exists():
        raise PowerShellError(3, f"Cannot find path '{LiteralPath}' because it does not exist.")
    found: list[PSObject] = []
    pending = [(real, LiteralPath.rstrip("\\"))]
    while pending:
        directory, windows_directory = pending.pop(0)
        host.operation(LIST_OPERATION)
        _require_read(host, directory, windows_directory)
        for entry in sorted(directory.iterdir()):
            windows_entry = f"{windows_directory}\\{entry.name}"
            if entry.is_dir():
                if Recurse:
                    pending.append((entry, windows_entry))
                if not File:
                    found.append(_file_object(entry, windows_entry))
            elif not Directory:
                found.append(_file_object(entry, windows_entry))
    return found


@command("Get-ItemProperty", fact="cluster-database", parameters={"LiteralPath", "Name"})
def get_item_property(
    host: PowerShellHost,
    LiteralPath: str,
    Name: str | None = None,
) -> PSObject:
    if not _is_registry(LiteralPath):
        raise LabSurfaceError("the ports read item properties of registry keys only")
    host.operation(f"Get-ItemProperty {LiteralPath}")
    values = _registry_key(host, LiteralPath)
    if values is None:
        raise PowerShellError(2, f"Cannot find path '{LiteralPath}' because it does not exist.")
    if Name is not None:
        if Name not in values:
            raise PowerShellError(None, f"Property {Name} does not exist at path {LiteralPath}.")
        values = {Name: values[Name]}
    return PSObject("System.Management.Automation.PSCustomObject", values)


def registry_snapshot(text: str) -> dict[str, Any]:
    """The values reg load reads from a copy of CLUSDB (system_files.clusdb_bytes)."""
    return dict(json.loads(text))
