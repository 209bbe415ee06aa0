"""wsfc.clusterdb.cluster_restore: port of plugins/modules/cluster_restore.ps1 over the lab's
Windows surface, phase for phase (docs/internals.md, "cluster_restore"):
- inspect (read only): this node's facts and the cluster's, this node's local copy of the
  database, the Cluster service on every other node (names from the running cluster, else
  from the local copy), and the set at `path`: the location's listing narrowed to the set,
  its files hashed; or, when `path` is no set, the names of the complete sets under it;
- restore: first what the controller decided on is read again (this node's name, the set's
  files unhashed, the named nodes' services) and the phase fails, the route not run, when it
  differs from what the controller gives; then the route the controller resolved:
  `wbadmin start recovery ...` through the native wrapper, or ClusterDatabase.Restore; then
  the local copy's PaxosTag, this node's service and the named nodes' services are read
  again.
Check mode: phase restore reports the command it would run and stops. The restore's rules
are the world's (world/restore.py, world/wbadmin_recovery.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from wsfc_lab.emulation.framework.basic import EmulatedModule
from wsfc_lab.emulation.framework.registry import emulates
from wsfc_lab.emulation.modules import _wsfc_backup_set as backup_set
from wsfc_lab.emulation.modules import _wsfc_cluster_facts as facts
from wsfc_lab.emulation.modules._wsfc_native import WBADMIN_EXE, invoke_native_command
from wsfc_lab.windows import clusapi
from wsfc_lab.windows.errors import PowerShellError
from wsfc_lab.windows.host import PowerShellHost
from wsfc_lab.world import WindowsError

PORT_OF = "plugins/modules/cluster_restore.ps1"

SPEC = {
    "options": {
        "path": {"type": "str", "required": True},
        "force": {"type": "bool", "default": False},
        "quorum_drive": {"type": "str"},
        "route": {"type": "str", "default": "auto", "choices": ["auto", "vss", "clusapi"]},
        # Internal, set by the action plugin (the .ps1's leading-underscore options).
        "_phase": {"type": "str", "default": "inspect", "choices": ["inspect", "restore"]},
        "_wbadmin_version": {"type": "str"},
        "_wbadmin_target": {"type": "str"},
        "_wbadmin_machine": {"type": "str"},
        "_other_nodes": {"type": "list", "elements": "str", "default": []},
        "_hash_set": {"type": "bool", "default": True},
        "_checked_node": {"type": "str"},
        "_checked_files": {"type": "list", "elements": "dict"},
        "_must_be_stopped": {"type": "list", "elements": "str", "default": []},
        "_must_answer": {"type": "list", "elements": "str", "default": []},
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
    "node_services_before",
    "set_files",
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

CLUSAPI_RESTORE_COMMAND = "ClusterDatabase.Restore"


def get_node_service_fact(host: PowerShellHost, node_names: list[str]) -> list[dict[str, Any]]:
    services = []
    this = host.computer_name
    for name in node_names:
        if name == this:
            continue
        entry: dict[str, Any] = {"name": name, "state": None, "error": None}
        try:
            service = host.invoke(
                "Get-Service", ComputerName=name, Name="ClusSvc", ErrorAction="Stop"
            )
            # ServiceControllerStatus names (StopPending) in Win32_Service's form (stop_pending).
            entry["state"] = re.sub(r"(?<=[a-z])([A-Z])", r"_\1", str(service.Status)).lower()
        except PowerShellError as error:
            entry["error"] = error.message
        services.append(entry)
    return services


def get_known_node_name(
    cluster_facts: dict[str, Any], local_database: dict[str, Any]
) -> dict[str, Any]:
    if cluster_facts["nodes"]:
        return {"source": "cluster", "names": [n["name"] for n in cluster_facts["nodes"]]}
    if local_database["nodes"]:
        return {"source": "local_database", "names": list(local_database["nodes"])}
    return {"source": "none", "names": []}


@emulates("wsfc.clusterdb.cluster_restore", spec=SPEC, returns=RETURNS)
def cluster_restore(module: EmulatedModule) -> None:
    host = PowerShellHost(module.world, module.node, module.user)  # type: ignore[arg-type]
    result = module.result
    result["changed"] = False
    result["phase"] = module.params["_phase"]
    result["node_name"] = host.computer_name
    result["cluster_service"] = facts.get_cluster_service_fact(host)
    if module.params["_phase"] == "inspect":
        _inspect(module, host)
    else:
        _restore(module, host)


def _inspect(module: EmulatedModule, host: PowerShellHost) -> None:
    result, path = module.result, module.params["path"]
    result["os"] = facts.get_os_fact(host)
    result["backup_tools"] = facts.get_backup_tool_fact(host)
    result["configuration_version"] = facts.get_configuration_version_fact(host)
    cluster_facts = facts.get_installed_cluster_fact(host, result["cluster_service"], True)
    result.update(cluster_facts)
    local_database = facts.get_local_database_fact(host)
    for warning in local_database["warnings"]:
        module.warn(warning)
    result["local_database"] = local_database
    known = get_known_node_name(cluster_facts, local_database)
    result["node_list_source"] = known["source"]
    result["node_services"] = get_node_service_fact(host, known["names"])

    result["set"] = None
    result["child_sets"] = None
    try:
        result["path_info"] = backup_set.get_backup_path_info(host, path)
        if result["path_info"]["is_directory"]:
            location, set_name = _directory_name(path), path.rpartition("\\")[2]
            entry = None
            for item in backup_set.get_backup_set_listing(host, location, "none"):
                if item["name"] == set_name:
                    entry = item
            if entry is not None:
                entry["files"] = backup_set.get_directory_file(
                    host, path, hash_files=module.params["_hash_set"]
                )
                result["set"] = entry
            if entry is None or (not entry["marker_present"] and entry["manifest_text"] is None):
                children = backup_set.get_backup_set_listing(host, path, "none")
                result["child_sets"] = [c["name"] for c in children if c["marker_present"]]
    except (PowerShellError, WindowsError) as error:
        result["error_code"] = backup_set.get_win32_error_code(error)
        module.fail_json(f"Failed to read the backup set '{path}': {error}")


def _restore(module: EmulatedModule, host: PowerShellHost) -> None:
    result, params = module.result, module.params
    route = params["route"]
    if route == "auto":
        module.fail_json(
            "_phase=restore needs route vss or clusapi; the action plugin resolves auto."
        )
    result.update(
        route=route, route_command=None, route_exit_code=None, route_output=None,
        paxos_tag=None, node_services=[], node_services_before=[], set_files=None,
        error_code=None,
    )  # fmt: skip
    _check_decided_facts(module, host)
    if route == "vss":
        if not params["_wbadmin_version"] or not params["_wbadmin_target"]:
            module.fail_json(
                "_phase=restore with route=vss needs _wbadmin_version and _wbadmin_target."
            )
        arguments = [
            "start",
            "recovery",
            "-version:" + params["_wbadmin_version"],
            "-itemType:App",
            "-items:cluster",
            "-backupTarget:" + params["_wbadmin_target"],
        ]
        if params["_wbadmin_machine"]:
            arguments.append("-machine:" + params["_wbadmin_machine"])
        arguments.append("-quiet")
        result["route_command"] = [WBADMIN_EXE, *arguments]
        if module.check_mode:
            result["changed"] = True
            module.exit_json()
        if not host.invoke("Test-Path", LiteralPath=WBADMIN_EXE, PathType="Leaf"):
            result["condition"] = "windows_server_backup_missing"
            module.fail_json(f"wbadmin.exe was not found at '{WBADMIN_EXE}'.")
        run = invoke_native_command(host.native(WBADMIN_EXE, arguments))
        result["route_exit_code"] = run["exit_code"]
        result["route_output"] = run["output"]
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
        result["route_exit_code"] = clusapi.restore(
            host, params["path"], params["force"], quorum_drive
        )
        result["route_output"] = ""
    result["changed"] = True

    local_after = facts.get_local_database_fact(host)
    for warning in local_after["warnings"]:
        module.warn(warning)
    result["paxos_tag"] = local_after["paxos_tag"]
    result["cluster_service"] = facts.get_cluster_service_fact(host)
    result["node_services"] = get_node_service_fact(host, list(params["_other_nodes"]))


def format_file_listing(files: list[dict[str, Any]]) -> str:
    """Format-WsfcFileListing: one line per file (path, size, last-write time), in order; -f
    formats $null as empty text."""

    def text(value: object) -> str:
        return "" if value is None else str(value)

    return "\n".join(
        "|".join(text(e.get(key)) for key in ("path", "size", "last_write_utc")) for e in files
    )


def _check_decided_facts(module: EmulatedModule, host: PowerShellHost) -> None:
    """The .ps1's reading again, before the route, of what the controller decided on."""
    result, params = module.result, module.params
    checked_node = params["_checked_node"]
    # PowerShell's -ne compares strings without case.
    if checked_node and checked_node.casefold() != host.computer_name.casefold():
        result["condition"] = "other_node"
        module.fail_json(
            f"The controller decided this restore on the facts of '{checked_node}', not of "
            f"'{host.computer_name}'; the route did not run."
        )
    result["node_services_before"] = get_node_service_fact(host, list(params["_other_nodes"]))
    if params["_checked_files"] is not None:
        path = params["path"]
        try:
            result["set_files"] = backup_set.get_directory_file(host, path, hash_files=False)
        except (PowerShellError, WindowsError) as error:
            result["error_code"] = backup_set.get_win32_error_code(error)
            module.fail_json(f"Failed to read the backup set '{path}': {error}")
        if format_file_listing(result["set_files"]) != format_file_listing(
            params["_checked_files"]
        ):
            result["condition"] = "set_changed"
            module.fail_json(
                f"The backup set '{path}' is not as the controller verified it; the route did "
                "not run."
            )
    services = result["node_services_before"]
    unanswered = _named_in(services, params["_must_answer"], lambda state: state is None)
    if unanswered:
        result["condition"] = "node_unreachable"
        module.fail_json(
            f"The Cluster service could not be read on {', '.join(unanswered)}; the route did "
            "not run."
        )
    # A service that did not answer (state $null) is not counted.
    running = _named_in(
        services, params["_must_be_stopped"], lambda state: state not in (None, "stopped")
    )
    if running:
        result["condition"] = "node_running"
        module.fail_json(
            f"The Cluster service is not stopped on {', '.join(running)}; the route did not run."
        )


def _named_in(
    services: list[dict[str, Any]], names: list[str], matches: Callable[[object], bool]
) -> list[str]:
    """The services of ``names`` (-contains: without case) whose state ``matches``."""
    named = {name.casefold() for name in names}
    return [
        str(entry["name"])
        for entry in services
        if str(entry["name"]).casefold() in named and matches(entry["state"])
    ]


def _directory_name(path: str) -> str:
    """[System.IO.Path]::GetDirectoryName of a set's path (a drive root keeps its separator)."""
    head = path.rpartition("\\")[0]
    if len(head) == 2 and head[1] == ":":
        return head + "\\"
    return head
