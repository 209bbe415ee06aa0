"""wsfc.clusterdb.cluster_backup: port of plugins/modules/cluster_backup.ps1 over the lab's
Windows surface, phase for phase (docs/internals.md, "cluster_backup"; the phase is the
internal option _phase, and the other options the action plugin sets between phases start
with an underscore too):
- inspect: the node's facts (_wsfc_cluster_facts), the set listing (_wsfc_backup_set), and
  for each folder of `copies` the names of the sets it holds (marker and manifest), a
  folder that is missing or cannot be read reported in its entry;
- backup: the path must not be a file (267); a path that does not exist is created with
  an ACL of its own when _home_writers names accounts (New-WsfcProtectedDirectory); the
  staging directory must not exist
  (183); it is created, then the route runs into it: wbadmin with the target the controller gave,
  then `get versions` and `get items` for each version found; or ClusterDatabase.Backup;
  then PaxosTag again and the files written, hashed;
- finalize: manifest.json, then manifest.sig when the controller gave _signature, then
  backup.complete, then the rename.
Check mode stops each phase before it writes anything.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from wsfc_lab.emulation.framework.basic import EmulatedModule
from wsfc_lab.emulation.framework.registry import emulates
from wsfc_lab.emulation.modules import _wsfc_backup_set as backup_set
from wsfc_lab.emulation.modules import _wsfc_cluster_facts as facts
from wsfc_lab.emulation.modules._windows_security import create_protected_directory
from wsfc_lab.emulation.modules._wsfc_native import WBADMIN_EXE, invoke_native_command
from wsfc_lab.windows import clusapi, dotnet
from wsfc_lab.windows.errors import PowerShellError
from wsfc_lab.windows.host import PowerShellHost
from wsfc_lab.world import WindowsError

PORT_OF = "plugins/modules/cluster_backup.ps1"

SPEC = {
    "options": {
        "path": {"type": "str", "required": True},
        "route": {"type": "str", "default": "auto", "choices": ["auto", "vss", "clusapi"]},
        "copies": {"type": "list", "elements": "str", "default": []},
        "_phase": {
            "type": "str",
            "default": "inspect",
            "choices": ["inspect", "backup", "finalize"],
        },
        "_include_configuration": {"type": "bool", "default": True},
        "_hash_sets": {"type": "str", "default": "newest", "choices": ["all", "newest", "none"]},
        "_staging_name": {"type": "str"},
        "_wbadmin_target": {"type": "str"},
        "_set_name": {"type": "str"},
        "_manifest": {"type": "str"},
        "_signature": {"type": "str"},
        "_home_writers": {"type": "list", "elements": "str", "default": []},
    },
    "required_if": [
        ["_phase", "backup", ["_staging_name"]],
        ["_phase", "finalize", ["_staging_name", "_set_name", "_manifest"]],
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
    "copies",
    "staging_path",
    "route",
    "route_exit_code",
    "route_output",
    "route_started",
    "route_command",
    "versions_output",
    "items_outputs",
    "paxos_tag_before",
    "paxos_tag",
    "files",
    "condition",
    "set_path",
    "error_code",
    "home_created",
}

ERROR_ALREADY_EXISTS = 183
ERROR_PATH_NOT_FOUND = 3
ERROR_DIRECTORY = 267
_VERSION_ID = re.compile(r"(?<!\d)\d{2}/\d{2}/\d{4}-\d{2}:\d{2}(?!\d)")


@emulates("wsfc.clusterdb.cluster_backup", spec=SPEC, returns=RETURNS)
def cluster_backup(module: EmulatedModule) -> None:
    host = PowerShellHost(module.world, module.node, module.user)  # type: ignore[arg-type]
    path = module.params["path"]
    phase = module.params["_phase"]
    result = module.result
    result["changed"] = False
    result["phase"] = phase
    if phase == "inspect":
        _inspect(module, host, path)
        return
    staging = combine(path, module.params["_staging_name"])
    result["staging_path"] = staging
    if phase == "backup":
        _backup(module, host, path, staging)
    else:
        _finalize(module, host, path, staging)


def _file_error(module: EmulatedModule, message: str, error: Exception) -> None:
    """Exit-WsfcFileError: the Win32 code in error_code, the exception's message after ours."""
    module.result["error_code"] = backup_set.get_win32_error_code(error)
    module.fail_json(f"{message}: {getattr(error, 'message', error)}")


def _assert_path_is_not_file(module: EmulatedModule, host: PowerShellHost, path: str) -> None:
    if host.invoke("Test-Path", LiteralPath=path) and not host.invoke(
        "Test-Path", LiteralPath=path, PathType="Container"
    ):
        module.result["error_code"] = ERROR_DIRECTORY
        module.fail_json(f"The backup path '{path}' names a file, not a directory.")


def _inspect(module: EmulatedModule, host: PowerShellHost, path: str) -> None:
    result = module.result
    result["node_name"] = host.computer_name
    result["os"] = facts.get_os_fact(host)
    result["backup_tools"] = facts.get_backup_tool_fact(host)
    result["cluster_service"] = facts.get_cluster_service_fact(host)
    result["configuration_version"] = facts.get_configuration_version_fact(host)
    result.update(
        facts.get_installed_cluster_fact(
            host, result["cluster_service"], module.params["_include_configuration"]
        )
    )
    try:
        result["path_info"] = backup_set.get_backup_path_info(host, path)
        result["sets"] = backup_set.get_backup_set_listing(host, path, module.params["_hash_sets"])
    except (PowerShellError, WindowsError) as error:
        _file_error(module, f"Failed to list the backup sets under '{path}'", error)
    result["copies"] = [_copy_listing(host, copy_path) for copy_path in module.params["copies"]]


def _copy_listing(host: PowerShellHost, copy_path: str) -> dict[str, Any]:
    """One folder of `copies`: the names of its sets, or why it could not be listed."""
    copy: dict[str, Any] = {
        "path": copy_path,
        "exists": False,
        "is_directory": False,
        "sets": None,
        "error_code": None,
        "message": None,
    }
    try:
        info = backup_set.get_backup_path_info(host, copy_path)
        copy["exists"], copy["is_directory"] = info["exists"], info["is_directory"]
        if info["is_directory"]:
            listing = backup_set.get_backup_set_listing(host, copy_path, "none")
            copy["sets"] = [
                s["name"] for s in listing if s["marker_present"] and s["manifest_text"] is not None
            ]
    except (PowerShellError, WindowsError) as error:
        copy["error_code"] = backup_set.get_win32_error_code(error)
        copy["message"] = str(getattr(error, "message", error))
    return copy


def _backup(module: EmulatedModule, host: PowerShellHost, path: str, staging: str) -> None:
    result, params = module.result, module.params
    route = params["route"]
    if route == "auto":
        module.fail_json(
            "_phase=backup needs route vss or clusapi; the action plugin resolves auto."
        )
    if route == "vss" and not params["_wbadmin_target"]:
        module.fail_json("_phase=backup with route=vss needs _wbadmin_target.")
    _assert_path_is_not_file(module, host, path)
    result.update(
        route=route, route_exit_code=None, route_output=None, route_started=None,
        versions_output=None, items_outputs={}, paxos_tag_before=facts.get_paxos_tag(host),
        paxos_tag=None, files=[],
    )  # fmt: skip
    if module.check_mode:
        result["changed"] = True
        module.exit_json()
    result["home_created"] = False
    writers = list(params["_home_writers"] or [])
    if writers and not host.invoke("Test-Path", LiteralPath=path):
        try:
            create_protected_directory(host, path, writers)
        except (PowerShellError, WindowsError) as error:
            _file_error(module, f"Failed to create the backup path '{path}'", error)
        result["home_created"] = True
        result["changed"] = True
    if host.invoke("Test-Path", LiteralPath=staging):
        result["error_code"] = ERROR_ALREADY_EXISTS
        module.fail_json(f"The staging directory '{staging}' exists already.")
    try:
        dotnet.create_directory(host, staging)
    except (PowerShellError, WindowsError) as error:
        _file_error(module, f"Failed to create the staging directory '{staging}'", error)
    result["changed"] = True
    result["route_started"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    if route == "vss":
        if not host.invoke("Test-Path", LiteralPath=WBADMIN_EXE, PathType="Leaf"):
            result["condition"] = "windows_server_backup_missing"
            module.fail_json(f"wbadmin.exe was not found at '{WBADMIN_EXE}'.")
        target = params["_wbadmin_target"]
        arguments = ["start", "systemstatebackup", f"-backupTarget:{target}", "-quiet"]
        result["route_command"] = [WBADMIN_EXE, *arguments]
        run = invoke_native_command(
            host.native(
                WBADMIN_EXE, ["start", "systemstatebackup", f"-backupTarget:{target}", "-quiet"]
            )
        )
        result["route_exit_code"] = run["exit_code"]
        result["route_output"] = run["output"]
        machine = host.computer_name
        result["versions_output"] = invoke_native_command(
            host.native(
                WBADMIN_EXE, ["get", "versions", f"-backupTarget:{target}", f"-machine:{machine}"]
            )
        )["output"]
        items_outputs: dict[str, str] = {}
        for version_id in _VERSION_ID.findall(str(result["versions_output"] or "")):
            if version_id in items_outputs:
                continue
            items_outputs[version_id] = invoke_native_command(
                host.native(
                    WBADMIN_EXE,
                    [
                        "get",
                        "items",
                        f"-version:{version_id}",
                        f"-backupTarget:{target}",
                        f"-machine:{machine}",
                    ],
                )
            )["output"]
        result["items_outputs"] = items_outputs
    else:
        result["route_command"] = ["ClusterDatabase.Backup", "", staging]
        result["route_exit_code"] = clusapi.backup(host, "", staging)
        result["route_output"] = ""

    result["paxos_tag"] = facts.get_paxos_tag(host)
    try:
        result["files"] = backup_set.get_directory_file(host, staging, hash_files=True)
    except (PowerShellError, WindowsError) as error:
        _file_error(module, f"Failed to list what the backup wrote to '{staging}'", error)


def _finalize(module: EmulatedModule, host: PowerShellHost, path: str, staging: str) -> None:
    result, params = module.result, module.params
    names = backup_set.get_backup_set_file_name()
    set_path = combine(path, params["_set_name"])
    result["set_path"] = set_path
    if module.check_mode:
        result["changed"] = True
        module.exit_json()
    if not host.invoke("Test-Path", LiteralPath=staging, PathType="Container"):
        result["error_code"] = ERROR_PATH_NOT_FOUND
        module.fail_json(f"The staging directory '{staging}' does not exist.")
    if host.invoke("Test-Path", LiteralPath=set_path):
        result["error_code"] = ERROR_ALREADY_EXISTS
        module.fail_json(f"The set directory '{set_path}' exists already.")
    try:
        dotnet.write_all_text(host, combine(staging, names["manifest"]), params["_manifest"])
        result["changed"] = True
        if params["_signature"]:
            dotnet.write_all_text(host, combine(staging, names["signature"]), params["_signature"])
        dotnet.write_all_text(host, combine(staging, names["marker"]), "")
        dotnet.move_directory(host, staging, set_path)
    except (PowerShellError, WindowsError) as error:
        _file_error(module, f"Failed to finish the set '{set_path}'", error)


def combine(path: str, name: str) -> str:
    """[IO.Path]::Combine(path, name) for a relative `name`: one separator between them."""
    if path.endswith(("\\", "/", ":")):
        return path + name
    return f"{path}\\{name}"
