"""wsfc.clusterdb.cluster_node: port of plugins/modules/cluster_node.ps1 over the lab's
Windows surface: read ClusSvc (Win32_Service), the cluster's name and this node's state,
Start-ClusterNode -Wait 0 [-ForceQuorum] [-PreventQuorum] or Stop-ClusterNode, then poll
once a second until the node is Up or Paused (started) or the service stopped (stopped).

Fault operations (docs/lab.md, Faults): "Get-CimInstance Win32_Service", "Get-Cluster",
"Get-ClusterNode", "Start-ClusterNode" (latency class service_start) and "Stop-ClusterNode"
(service_stop).
"""

from __future__ import annotations

import time

from wsfc_lab.emulation.framework.basic import EmulatedModule
from wsfc_lab.emulation.framework.registry import emulates
from wsfc_lab.windows.errors import PowerShellError
from wsfc_lab.windows.host import PowerShellHost
from wsfc_lab.windows.objects import as_list

PORT_OF = "plugins/modules/cluster_node.ps1"

SPEC = {
    "options": {
        "state": {"type": "str", "required": True, "choices": ["started", "stopped"]},
        "force_quorum": {"type": "bool", "default": False},
        "prevent_quorum": {"type": "bool", "default": False},
        "wait": {"type": "bool", "default": True},
        "timeout": {"type": "int", "default": 300},
    },
    "supports_check_mode": True,
}

RETURNS = {
    "node_name",
    "cluster_name",
    "node_state_before",
    "node_state_after",
    "service_state_before",
    "service_state_after",
    "timed_out",
    "error_code",
    "elapsed",
}

# The module sleeps a second between two looks at the node's state.
POLL_SECONDS = 1.0
ERROR_SERVICE_DOES_NOT_EXIST = 1060


def get_win32_code(error: PowerShellError) -> int | None:
    """Get-Win32Code: a Win32Exception's NativeErrorCode, else the exception's HResult."""
    return error.code if error.code is not None else error.hresult


def get_service_state(host: PowerShellHost) -> str | None:
    services = as_list(
        host.invoke("Get-CimInstance", ClassName="Win32_Service", Filter="Name='ClusSvc'")
    )
    if not services:
        return None
    return str(services[0].State).lower().replace(" ", "_")


def get_node_state(host: PowerShellHost, cluster_name: str | None) -> str | None:
    try:
        return str(
            host.invoke("Get-ClusterNode", Name=host.computer_name, ErrorAction="Stop").State
        )
    except PowerShellError:
        if not cluster_name:
            return None
    try:
        return str(
            host.invoke(
                "Get-ClusterNode", Cluster=cluster_name, Name=host.computer_name, ErrorAction="Stop"
            ).State
        )
    except PowerShellError:
        return None


@emulates("wsfc.clusterdb.cluster_node", spec=SPEC, returns=RETURNS)
def cluster_node(module: EmulatedModule) -> None:
    host = PowerShellHost(module.world, module.node, module.user)  # type: ignore[arg-type]
    params, result = module.params, module.result
    state, wait, timeout = params["state"], params["wait"], params["timeout"]
    started_at = time.monotonic()

    def elapsed() -> float:
        return round(time.monotonic() - started_at, 3)

    result.update(
        node_name=host.computer_name, cluster_name=None, node_state_before=None,
        node_state_after=None, service_state_before=None, service_state_after=None,
        timed_out=False, error_code=None, elapsed=0.0,
    )  # fmt: skip
    service_before = get_service_state(host)
    result["service_state_before"] = result["service_state_after"] = service_before
    if service_before is None:
        result["error_code"] = ERROR_SERVICE_DOES_NOT_EXIST
        result["elapsed"] = elapsed()
        module.fail_json(f"The Cluster service (ClusSvc) does not exist on {host.computer_name}")
    host.invoke("Import-Module", Name="FailoverClusters", ErrorAction="SilentlyContinue")
    try:
        result["cluster_name"] = str(host.invoke("Get-Cluster", ErrorAction="Stop").Name)
    except PowerShellError:
        result["cluster_name"] = None
    node_before = get_node_state(host, result["cluster_name"])
    result["node_state_before"] = result["node_state_after"] = node_before

    wanted = "running" if state == "started" else "stopped"
    needs_change = service_before != wanted
    result["changed"] = needs_change
    if module.check_mode:
        module.exit_json(elapsed=elapsed())

    if needs_change:
        try:
            if state == "started":
                # The .ps1 splats @{ Name; Wait = 0; ErrorAction }, adding the switches
                # that are set: a switch given as False is one not given.
                host.invoke(
                    "Start-ClusterNode",
                    Name=host.computer_name,
                    Wait=0,
                    ForceQuorum=params["force_quorum"],
                    PreventQuorum=params["prevent_quorum"],
                    ErrorAction="Stop",
                )
            else:
                host.invoke("Stop-ClusterNode", Name=host.computer_name, ErrorAction="Stop")
        except PowerShellError as error:
            result["changed"] = False
            result["error_code"] = get_win32_code(error)
            result["service_state_after"] = get_service_state(host)
            result["node_state_after"] = get_node_state(host, result["cluster_name"])
            result["elapsed"] = elapsed()
            verb = "Start-ClusterNode" if state == "started" else "Stop-ClusterNode"
            module.fail_json(f"{verb} failed on {host.computer_name}: {error.message}")

    def reached() -> bool:
        if state == "started":
            return get_node_state(host, result["cluster_name"]) in ("Up", "Paused")
        return get_service_state(host) == "stopped"

    if wait:
        deadline = time.monotonic() + timeout
        while not reached():
            if time.monotonic() >= deadline:
                result["timed_out"] = True
                break
            time.sleep(POLL_SECONDS)

    result["service_state_after"] = get_service_state(host)
    result["node_state_after"] = get_node_state(host, result["cluster_name"])
    module.exit_json(elapsed=elapsed())
