"""wsfc.clusterdb.cluster_backup: one phase of a backup per run, as cluster_backup.ps1 does it.

Step for step with plugins/modules/cluster_backup.ps1 (docs/internals.md, "cluster_backup"),
with the result keys it sets and its documentation's shapes (plugins/modules/cluster_backup.py):
- inspect: the node's facts (emulation/cluster_facts.py, as cluster_info), cluster_error
  when the cluster cannot be reached, the owner of the core group, and the set listing
  (emulation/backup_set_listing.py);
- backup: the path must not be a file (267), the staging directory must not exist (183);
  it is created, then the route runs into it: wbadmin (world/wbadmin.py) with the target the
  controller gave, then `wbadmin get versions` at that target; or BackupClusterDatabase
  (below); then PaxosTag again and the files written, hashed;
- finalize: manifest.json (UTF-8, no BOM), then backup.complete, then the rename.
Check mode stops each phase before it writes anything.

BackupClusterDatabase (windows-cluster-facts.md §1): OpenCluster(NULL) first (RPC server
unavailable, 1722, while this node's Cluster service is stopped; ERROR_CLUSTER_NO_QUORUM
without quorum: both *unconfirmed* on the facts page); then 120 on Windows Server 2008 and
later (MS-CMRP opnum 104); on 2003 a path that names a file gives 267, and otherwise the
documented file set is written (world/backup_media.py). The path is written by the node
that owns the quorum resource ("must be visible at least to the node that owns the quorum
resource"): a local path on another node lands on the owner's disk.

Fault operations (docs/lab.md, Faults): "Get-CimInstance Win32_OperatingSystem",
"Get-Cluster", "Get-ChildItem", "Get-FileHash" (the listing), "Directory.CreateDirectory",
"File.WriteAllText", "Directory.Move" (the set's files), "wbadmin start systemstatebackup"
(latency class backup), "wbadmin get versions", "OpenCluster", "BackupClusterDatabase"
(latency class backup).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from wsfc_lab.emulation.backup_set_listing import (
    MANIFEST_FILE_NAME,
    MARKER_FILE_NAME,
    list_backup_sets,
    list_directory_files,
    path_info,
    resolve_or_none,
)
from wsfc_lab.emulation.basic import EmulatedModule
from wsfc_lab.emulation.cluster_facts import cluster_fact, hive_paxos_tag, local_facts
from wsfc_lab.emulation.registry import emulates
from wsfc_lab.world import LabState, WindowsError, World, acl
from wsfc_lab.world.backup_media import take_snapshot, write_charged, write_clusapi_backup
from wsfc_lab.world.errors import (
    ERROR_CALL_NOT_IMPLEMENTED,
    ERROR_CLUSTER_NO_QUORUM,
    ERROR_DIRECTORY,
    ERROR_PATH_NOT_FOUND,
    RPC_S_SERVER_UNAVAILABLE,
)
from wsfc_lab.world.wbadmin import WBADMIN_PATH, is_installed, run_wbadmin

SPEC = {
    "options": {
        "path": {"type": "str", "required": True},
        "route": {"type": "str", "default": "auto", "choices": ["auto", "vss", "clusapi"]},
        "phase": {
            "type": "str",
            "default": "inspect",
            "choices": ["inspect", "backup", "finalize"],
        },
        "include_configuration": {"type": "bool", "default": True},
        "hash_sets": {"type": "str", "default": "newest", "choices": ["all", "newest", "none"]},
        "staging_name": {"type": "str"},
        "wbadmin_target": {"type": "str"},
        "set_name": {"type": "str"},
        "manifest": {"type": "str"},
    },
    "required_if": [
        ["phase", "backup", ["staging_name"]],
        ["phase", "finalize", ["staging_name", "set_name", "manifest"]],
    ],
    "supports_check_mode": True,
}

RETURNS = {
    "phase",
    "node_name",
    "os",
    "backup_tools",
    "cluster_service",
    "configuration_version",
    "cluster",
    "nodes",
    "core_group_owner",
    "quorum",
    "configuration",
    "cluster_error",
    "path_info",
    "sets",
    "staging_path",
    "route",
    "route_exit_code",
    "route_output",
    "route_started",
    "route_command",
    "versions_output",
    "paxos_tag_before",
    "paxos_tag",
    "files",
    "condition",
    "set_path",
    "error_code",
}

ERROR_ALREADY_EXISTS = 183  # winerror.h; the module's own code for an existing directory
OPERATION_OS = "Get-CimInstance Win32_OperatingSystem"
OPERATION_CLUSTER = "Get-Cluster"
OPERATION_MKDIR = "Directory.CreateDirectory"
OPERATION_WRITE = "File.WriteAllText"
OPERATION_MOVE = "Directory.Move"
OPERATION_OPEN_CLUSTER = "OpenCluster"
OPERATION_CLUSAPI_BACKUP = "BackupClusterDatabase"


@emulates("wsfc.clusterdb.cluster_backup", spec=SPEC, returns=RETURNS)
def cluster_backup(module: EmulatedModule) -> None:
    phase = module.params["phase"]
    module.result["changed"] = False
    module.result["phase"] = phase
    if phase == "inspect":
        _inspect(module)
        return
    path = module.params["path"]
    staging = combine(path, module.params["staging_name"])
    module.result["staging_path"] = staging
    if phase == "backup":
        _backup(module, path, staging)
    else:
        _finalize(module, path, staging)


# -- inspect ---------------------------------------------------------------------------------


def _inspect(module: EmulatedModule) -> None:
    world, node, result = _world(module), module.node, module.result
    world.operation(node, OPERATION_OS)
    with world.transaction() as state:
        local = local_facts(state, node)
        paxos_tag = hive_paxos_tag(state, node)
    for key in ("node_name", "os", "backup_tools", "cluster_service"):
        result[key] = local[key]
    result["configuration_version"] = {
        "paxos_tag": paxos_tag,
        "source": "cluster" if paxos_tag is not None else "none",
    }
    result.update(
        cluster=None, nodes=[], core_group_owner=None, quorum=None, configuration=None,
        cluster_error=None,
    )  # fmt: skip
    if local["cluster_service"]["installed"]:
        result.update(cluster_fact(world, node, module.params["include_configuration"]))
    path = module.params["path"]
    try:
        result["path_info"] = path_info(world, node, path)
        result["sets"] = list_backup_sets(
            world, node, module.user, path, module.params["hash_sets"]
        )
    except WindowsError as error:
        _file_error(module, f"Failed to list the backup sets under '{path}'", error)


# -- backup ----------------------------------------------------------------------------------


def _backup(module: EmulatedModule, path: str, staging: str) -> None:
    world, node, result, params = _world(module), module.node, module.result, module.params
    route = params["route"]
    if route == "auto":
        module.fail_json(
            "phase=backup needs route vss or clusapi; the action plugin resolves auto."
        )
    if route == "vss" and not params["wbadmin_target"]:
        module.fail_json("phase=backup with route=vss needs wbadmin_target.")
    info = path_info(world, node, path)
    if info["exists"] and not info["is_directory"]:
        result["error_code"] = ERROR_DIRECTORY
        module.fail_json(f"The backup path '{path}' names a file, not a directory.")
    with world.transaction() as state:
        paxos_before = hive_paxos_tag(state, node)
    result.update(
        route=route, route_exit_code=None, route_output=None, route_started=None,
        versions_output=None, paxos_tag_before=paxos_before, paxos_tag=None, files=[],
    )  # fmt: skip
    if module.check_mode:
        result["changed"] = True
        module.exit_json()
    if path_info(world, node, staging)["exists"]:
        result["error_code"] = ERROR_ALREADY_EXISTS
        module.fail_json(f"The staging directory '{staging}' exists already.")
    try:
        create_directory(world, node, module.user, staging)
    except WindowsError as error:
        _file_error(module, f"Failed to create the staging directory '{staging}'", error)
    result["changed"] = True
    result["route_started"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if route == "vss":
        _run_vss(module, params["wbadmin_target"])
    else:
        result["route_command"] = ["ClusterDatabase.Backup", "", staging]
        result["route_exit_code"] = backup_cluster_database(world, node, staging)
        result["route_output"] = ""
    with world.transaction() as state:
        result["paxos_tag"] = hive_paxos_tag(state, node)
    try:
        result["files"] = list_directory_files(world, node, module.user, staging, hash_files=True)
    except WindowsError as error:
        _file_error(module, f"Failed to list what the backup wrote to '{staging}'", error)


def _run_vss(module: EmulatedModule, target: str) -> None:
    world, node, result = _world(module), module.node, module.result
    with world.transaction() as state:
        installed = is_installed(state, node)
    if not installed:
        result["condition"] = "windows_server_backup_missing"
        module.fail_json(f"wbadmin.exe was not found at '{WBADMIN_PATH}'.")
    arguments = ["start", "systemstatebackup", f"-backupTarget:{target}", "-quiet"]
    result["route_command"] = [WBADMIN_PATH, *arguments]
    run = run_wbadmin(world, node, module.user, arguments)
    result["route_exit_code"] = run.exit_code
    result["route_output"] = run.text
    versions = run_wbadmin(world, node, module.user, ["get", "versions", f"-backupTarget:{target}"])
    result["versions_output"] = versions.text


def backup_cluster_database(world: World, node: str, path: str) -> int:
    """ClusterDatabase.Backup('', path): OpenCluster(NULL) then BackupClusterDatabase; the raw
    Win32 code (0 on success)."""
    try:
        world.operation(node, OPERATION_OPEN_CLUSTER)
        with world.transaction() as state:
            name = state.node_name(node)
            record = state.node(name)
            if record["service"]["state"] != "running":
                return RPC_S_SERVER_UNAVAILABLE
            cluster = state.cluster
            if cluster.cluster_copy() is None:
                return ERROR_CLUSTER_NO_QUORUM
            if record["os_release"] != "2003":
                return ERROR_CALL_NOT_IMPLEMENTED  # §1: does nothing on 2008 and later
            owner = _quorum_owner(state) or name
            snapshot = take_snapshot(state, owner)
        world.operation(node, OPERATION_CLUSAPI_BACKUP)
        # The owner writes: a local path names a directory on the owner's disk.
        real = world.resolve_path(owner, path)
        if real.exists() and not real.is_dir():
            return ERROR_DIRECTORY
        if not real.is_dir():
            return ERROR_PATH_NOT_FOUND
        write_clusapi_backup(world, owner, path, snapshot)
    except WindowsError as error:
        return error.code
    return 0


def _quorum_owner(state: LabState) -> str | None:
    """The node that owns the quorum resource: the witness disk's owner, else the owner of
    the core cluster group (a node majority cluster has no quorum disk)."""
    witness = state.witness
    if witness["type"] == "disk" and witness.get("disk"):
        return state.disks[witness["disk"]]["owner_node"]
    database = state.cluster.cluster_copy()
    for group in database["objects"]["groups"].values() if database else []:
        if group.get("is_core_group"):
            return group["owner_node"]
    return None


# -- finalize --------------------------------------------------------------------------------


def _finalize(module: EmulatedModule, path: str, staging: str) -> None:
    world, node, result, params = _world(module), module.node, module.result, module.params
    set_path = combine(path, params["set_name"])
    result["set_path"] = set_path
    if module.check_mode:
        result["changed"] = True
        module.exit_json()
    real_staging = resolve_or_none(world, node, staging)
    if real_staging is None or not real_staging.is_dir():
        result["error_code"] = ERROR_PATH_NOT_FOUND
        module.fail_json(f"The staging directory '{staging}' does not exist.")
    if path_info(world, node, set_path)["exists"]:
        result["error_code"] = ERROR_ALREADY_EXISTS
        module.fail_json(f"The set directory '{set_path}' exists already.")
    try:
        write_text(
            world, node, module.user, combine(staging, MANIFEST_FILE_NAME), params["manifest"]
        )
        result["changed"] = True
        write_text(world, node, module.user, combine(staging, MARKER_FILE_NAME), "")
        move_directory(world, node, module.user, staging, set_path)
    except WindowsError as error:
        _file_error(module, f"Failed to finish the set '{set_path}'", error)


# -- file operations as .NET performs them ----------------------------------------------------


def create_directory(world: World, node: str, user: str, windows_path: str) -> None:
    """[IO.Directory]::CreateDirectory: parents too; write access needed."""
    world.operation(node, OPERATION_MKDIR)
    with world.transaction() as state:
        real = state.resolve_path(node, windows_path)
        acl.require(state, _existing_ancestor(real), acl.principals_of(user), "write", windows_path)
    real.mkdir(parents=True, exist_ok=True)


def write_text(world: World, node: str, user: str, windows_path: str, text: str) -> None:
    """[IO.File]::WriteAllText with UTF-8 without BOM (disk_full and ACLs apply)."""
    world.operation(node, OPERATION_WRITE)
    with world.transaction() as state:
        real = state.resolve_path(node, windows_path)
        acl.require(state, real.parent, acl.principals_of(user), "write", windows_path)
    write_charged(world, node, windows_path, text.encode("utf-8"))


def move_directory(world: World, node: str, user: str, source: str, destination: str) -> None:
    """[IO.Directory]::Move: a rename within one volume or share."""
    world.operation(node, OPERATION_MOVE)
    with world.transaction() as state:
        real_source = state.resolve_path(node, source)
        real_destination = state.resolve_path(node, destination)
        acl.require(state, real_source.parent, acl.principals_of(user), "write", source)
    real_source.rename(real_destination)


def combine(path: str, name: str) -> str:
    """[IO.Path]::Combine(path, name) for a relative `name`: one separator between them."""
    if path.endswith(("\\", "/", ":")):
        return path + name
    return f"{path}\\{name}"


def _existing_ancestor(real: Path) -> Path:
    while not real.exists() and real.parent != real:
        real = real.parent
    return real


def _file_error(module: EmulatedModule, message: str, error: WindowsError) -> None:
    """Exit-WsfcFileError: the Win32 code in error_code, the exception's message after ours."""
    module.result["error_code"] = error.code
    module.fail_json(f"{message}: {error.message}")


def _world(module: EmulatedModule) -> World:
    world = module.world
    if not isinstance(world, World):
        raise TypeError("the backup emulations need the lab's World")
    return world
