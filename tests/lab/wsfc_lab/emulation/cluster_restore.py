"""wsfc.clusterdb.cluster_restore: one phase of a restore per run, as cluster_restore.ps1 does it.

Step for step with plugins/modules/cluster_restore.ps1 (docs/internals.md,
"cluster_restore"), with the result keys it sets in the shapes its documentation gives
(plugins/modules/cluster_restore.py); the action plugin decides everything:
- inspect (read only): this node's facts and the cluster's (emulation/cluster_facts.py,
  with the configuration), this node's local copy of the database, the Cluster service on
  every other node (names from the running cluster, else from the local copy), and the set
  at `path` (emulation/backup_set_listing.py): the location's listing narrowed to the set,
  its files hashed; or, when `path` is no set, the names of the complete sets under it;
- restore: the route the controller resolved. vss runs
  `wbadmin start recovery -version:<v> -itemtype:app -items:cluster -backupTarget:<t>
  [-machine:<m>] -quiet` (world/wbadmin_recovery.py, through wbadmin's dispatcher); clusapi
  calls RestoreClusterDatabase(path, force, quorum drive) (same file). Then the local copy's
  PaxosTag, this node's service and the named nodes' services are read again.
Check mode: phase restore reports the command it would run and stops.

The restore's rules (windows-cluster-facts.md sections 1 and 2) are world/restore.py's.

Fault operations (docs/lab.md, Faults): "Get-CimInstance Win32_OperatingSystem",
"Get-Cluster", "Get-ItemProperty HKLM:\\Cluster" (the local copy), "Get-Service ClusSvc"
(on each other node, the node asked), "Get-ChildItem" and "Get-FileHash" (the listing),
and the route's: "Stop-Service ClusSvc" (each node the route stops, latency service_stop),
"wbadmin start recovery" and "RestoreClusterDatabase" (latency class restore).
"""

from __future__ import annotations

from typing import Any

from wsfc_lab.emulation.backup_set_listing import (
    list_backup_sets,
    list_directory_files,
    path_info,
)
from wsfc_lab.emulation.basic import EmulatedModule
from wsfc_lab.emulation.cluster_facts import cluster_fact, hive_paxos_tag, local_facts
from wsfc_lab.emulation.registry import emulates
from wsfc_lab.world import LabState, WindowsError, World
from wsfc_lab.world import wbadmin_recovery as recovery
from wsfc_lab.world.wbadmin import WBADMIN_PATH, is_installed, run_wbadmin

SPEC = {
    "options": {
        "path": {"type": "str", "required": True},
        "force": {"type": "bool", "default": False},
        "quorum_drive": {"type": "str"},
        "route": {"type": "str", "default": "auto", "choices": ["auto", "vss", "clusapi"]},
        "phase": {"type": "str", "default": "inspect", "choices": ["inspect", "restore"]},
        "wbadmin_version": {"type": "str"},
        "wbadmin_target": {"type": "str"},
        "wbadmin_machine": {"type": "str"},
        "other_nodes": {"type": "list", "elements": "str", "default": []},
    },
    "supports_check_mode": True,
}

RETURNS = {
    "phase",
    "node_name",
    "cluster_service",
    "os",
    "backup_tools",
    "configuration_version",
    "cluster",
    "nodes",
    "core_group_owner",
    "quorum",
    "configuration",
    "cluster_error",
    "local_database",
    "node_list_source",
    "node_services",
    "path_info",
    "child_sets",
    "set",
    "route",
    "route_command",
    "route_exit_code",
    "route_output",
    "paxos_tag",
    "condition",
    "error_code",
}

OPERATION_OS = "Get-CimInstance Win32_OperatingSystem"
OPERATION_LOCAL_COPY = "Get-ItemProperty HKLM:\\Cluster"
OPERATION_NODE_SERVICE = "Get-Service ClusSvc"
CLUSAPI_RESTORE_COMMAND = "ClusterDatabase.Restore"


@emulates("wsfc.clusterdb.cluster_restore", spec=SPEC, returns=RETURNS)
def cluster_restore(module: EmulatedModule) -> None:
    world, node, result = _world(module), module.node, module.result
    phase = module.params["phase"]
    with world.transaction() as state:
        result.update(changed=False, phase=phase, node_name=state.node(node)["name"])
        result["cluster_service"] = local_facts(state, node)["cluster_service"]
    if phase == "inspect":
        _inspect(module)
    else:
        _restore(module)


# -- inspect ---------------------------------------------------------------------------------


def _inspect(module: EmulatedModule) -> None:
    world, node, result = _world(module), module.node, module.result
    world.operation(node, OPERATION_OS)
    with world.transaction() as state:
        local = local_facts(state, node)
        paxos_tag = hive_paxos_tag(state, node)
    result["os"] = local["os"]
    result["backup_tools"] = local["backup_tools"]
    result["configuration_version"] = {
        "paxos_tag": paxos_tag,
        "source": "cluster" if paxos_tag is not None else "none",
    }
    facts: dict[str, Any] = {
        "cluster": None,
        "nodes": [],
        "core_group_owner": None,
        "quorum": None,
        "configuration": None,
        "cluster_error": None,
    }
    if result["cluster_service"]["installed"]:
        facts.update(cluster_fact(world, node, True))
    result.update(facts)
    local_database = _local_database(module)
    result["local_database"] = local_database
    if facts["nodes"]:
        source, names = "cluster", [n["name"] for n in facts["nodes"]]
    elif local_database["nodes"]:
        source, names = "local_database", list(local_database["nodes"])
    else:
        source, names = "none", []
    result["node_list_source"] = source
    result["node_services"] = _node_services(module, names)

    result["set"] = None
    result["child_sets"] = None
    path = module.params["path"]
    try:
        result["path_info"] = path_info(world, node, path)
        if result["path_info"]["is_directory"]:
            _read_set(module, path)
    except WindowsError as error:
        result["error_code"] = error.code
        module.fail_json(f"Failed to read the backup set '{path}': {error.message}")


def _read_set(module: EmulatedModule, path: str) -> None:
    """The location's listing narrowed to the set, then its files hashed; the complete sets
    under `path` when it is not a set itself."""
    world, node, result = _world(module), module.node, module.result
    location, set_name = _directory_name(path), _file_name(path)
    entry = None
    for item in list_backup_sets(world, node, module.user, location, "none"):
        if item["name"] == set_name:
            entry = item
    if entry is not None:
        entry["files"] = list_directory_files(world, node, module.user, path, hash_files=True)
        result["set"] = entry
    if entry is None or (not entry["marker_present"] and entry["manifest_text"] is None):
        children = list_backup_sets(world, node, module.user, path, "none")
        result["child_sets"] = [c["name"] for c in children if c["marker_present"]]


def _local_database(module: EmulatedModule) -> dict[str, Any]:
    """This node's copy (CLUSDB): from the loaded hive while ClusSvc runs, else the file.
    The lab's copies record the cluster's name and nodes as the world knows them."""
    world, node = _world(module), module.node
    world.operation(node, OPERATION_LOCAL_COPY)
    with world.transaction() as state:
        record = state.node(node)
        database = record["database"]
        if database is None:
            return {
                "present": False,
                "source": "none",
                "paxos_tag": None,
                "cluster_name": None,
                "nodes": [],
            }
        loaded = record["service"]["installed"] and record["service"]["state"] == "running"
        return {
            "present": True,
            "source": "cluster" if loaded else "local_copy",
            "paxos_tag": database["paxos_tag"],
            "cluster_name": state.data["cluster"]["name"],
            "nodes": state.node_names(),
        }


def _node_services(module: EmulatedModule, names: list[str]) -> list[dict[str, Any]]:
    """Get-Service -ComputerName <node> -Name ClusSvc for each other node."""
    world, node = _world(module), module.node
    with world.transaction() as state:
        this = state.node(node)["name"]
    services = []
    for name in names:
        if name == this:
            continue
        entry: dict[str, Any] = {"name": name, "state": None, "error": None}
        try:
            world.operation(name, OPERATION_NODE_SERVICE)
            with world.transaction() as state:
                entry["state"] = _remote_service_state(state, name)
        except WindowsError as error:
            entry["error"] = error.message
        services.append(entry)
    return services


def _remote_service_state(state: LabState, name: str) -> str:
    if not state.cluster.machine_running(name):
        raise WindowsError(1722, f"Cannot open Service Control Manager on computer '{name}'.")
    service = state.node(name)["service"]
    if not service["installed"]:
        raise WindowsError(1060, "Cannot find any service with service name 'ClusSvc'.")
    return str(service["state"])


# -- restore ---------------------------------------------------------------------------------


def _restore(module: EmulatedModule) -> None:
    world, node, result, params = _world(module), module.node, module.result, module.params
    route = params["route"]
    if route == "auto":
        module.fail_json(
            "phase=restore needs route vss or clusapi; the action plugin resolves auto."
        )
    result.update(
        route=route,
        route_command=None,
        route_exit_code=None,
        route_output=None,
        paxos_tag=None,
        node_services=[],
        error_code=None,
    )
    if route == "vss":
        if not params["wbadmin_version"] or not params["wbadmin_target"]:
            module.fail_json(
                "phase=restore with route=vss needs wbadmin_version and wbadmin_target."
            )
        arguments = [
            "start",
            "recovery",
            "-version:" + params["wbadmin_version"],
            "-itemtype:app",
            "-items:cluster",
            "-backupTarget:" + params["wbadmin_target"],
        ]
        if params["wbadmin_machine"]:
            arguments.append("-machine:" + params["wbadmin_machine"])
        arguments.append("-quiet")
        result["route_command"] = [WBADMIN_PATH, *arguments]
        if module.check_mode:
            result["changed"] = True
            module.exit_json()
        with world.transaction() as state:
            installed = is_installed(state, node)
        if not installed:
            result["condition"] = "windows_server_backup_missing"
            module.fail_json(f"wbadmin.exe was not found at '{WBADMIN_PATH}'.")
        run = run_wbadmin(world, node, module.user, arguments)
        result["route_exit_code"] = run.exit_code
        result["route_output"] = run.text
    else:
        quorum_drive = params["quorum_drive"] or ""
        # [string]$true is "True" in PowerShell.
        force_text = "True" if params["force"] else "False"
        result["route_command"] = [
            CLUSAPI_RESTORE_COMMAND,
            params["path"],
            force_text,
            quorum_drive,
        ]
        if module.check_mode:
            result["changed"] = True
            module.exit_json()
        result["route_exit_code"] = recovery.restore_cluster_database(
            world, node, params["path"], params["force"], quorum_drive
        )
        result["route_output"] = ""
    result["changed"] = True
    result["paxos_tag"] = _local_database(module)["paxos_tag"]
    with world.transaction() as state:
        result["cluster_service"] = local_facts(state, node)["cluster_service"]
    result["node_services"] = _node_services(module, list(params["other_nodes"]))


# -- helpers ---------------------------------------------------------------------------------


def _directory_name(path: str) -> str:
    """[System.IO.Path]::GetDirectoryName of a set's path: what precedes the last separator
    (a drive root keeps its separator)."""
    head = path.rpartition("\\")[0]
    if len(head) == 2 and head[1] == ":":
        return head + "\\"
    return head


def _file_name(path: str) -> str:
    """[System.IO.Path]::GetFileName: what follows the last separator."""
    return path.rpartition("\\")[2]


def _world(module: EmulatedModule) -> World:
    world = module.world
    if not isinstance(world, World):
        raise TypeError("the restore emulation needs the lab's World")
    return world
