"""Get-Service -ComputerName: a node's service control manager, asked from another node
(fact get-service): Status is a ServiceControllerStatus name."""

from __future__ import annotations

from wsfc_lab.windows.errors import PowerShellError
from wsfc_lab.windows.host import PowerShellHost
from wsfc_lab.windows.objects import PSObject
from wsfc_lab.windows.surface import command
from wsfc_lab.world import WindowsError

STATUS = {
    "running": "Running",
    "stopped": "Stopped",
    "start_pending": "StartPending",
    "stop_pending": "StopPending",
    "paused": "Paused",
}


@command("Get-Service", fact="get-service", parameters={"ComputerName", "Name"})
def get_service(host: PowerShellHost, Name: str, ComputerName: str | None = None) -> PSObject:
    with host.world.transaction() as state:
        target = state.node_name(ComputerName) if ComputerName else host.node
    try:
        host.world.operation(target, f"Get-Service {Name}")
    except WindowsError as error:
        raise PowerShellError(error.code, error.message) from error
    with host.world.transaction() as state:
        if not state.cluster.machine_running(target):
            raise PowerShellError(
                1722, f"Cannot open Service Control Manager on computer '{ComputerName}'."
            )
        service = state.node(target)["service"]
        if Name.lower() != "clussvc" or not service["installed"]:
            raise PowerShellError(1060, f"Cannot find any service with service name '{Name}'.")
        return PSObject(
            "System.ServiceProcess.ServiceController",
            {"Name": "ClusSvc", "Status": STATUS[str(service["state"])], "MachineName": target},
            text="System.ServiceProcess.ServiceController",
        )
