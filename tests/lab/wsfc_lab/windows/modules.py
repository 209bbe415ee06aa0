"""Modules and features: Get-Module, Import-Module, Get-Command, Get-WindowsFeature
(facts failoverclusters-module, get-windowsfeature).

The FailoverClusters module comes with the Failover Clustering feature's management tools;
the lab installs both together (the `Failover-Clustering` feature of a node)."""

from __future__ import annotations

from wsfc_lab.windows.errors import LabSurfaceError, PowerShellError
from wsfc_lab.windows.host import PowerShellHost
from wsfc_lab.windows.objects import PSObject
from wsfc_lab.windows.surface import command


def _has_failover_clusters(host: PowerShellHost) -> bool:
    with host.world.transaction() as state:
        return bool(state.node(host.node)["features"].get("Failover-Clustering"))


@command("Get-Module", fact="failoverclusters-module", parameters={"ListAvailable", "Name"})
def get_module(host: PowerShellHost, Name: str, ListAvailable: bool = False) -> list[PSObject]:
    if Name.lower() != "failoverclusters":
        raise LabSurfaceError(f"the lab knows the FailoverClusters module only, not {Name}")
    if not _has_failover_clusters(host):
        return []
    return [PSObject("System.Management.Automation.PSModuleInfo", {"Name": "FailoverClusters"})]


@command("Import-Module", fact="failoverclusters-module", parameters={"Name"})
def import_module(host: PowerShellHost, Name: str) -> None:
    if Name.lower() != "failoverclusters":
        raise LabSurfaceError(f"the lab knows the FailoverClusters module only, not {Name}")
    if not _has_failover_clusters(host):
        raise PowerShellError(
            None,
            f"The specified module '{Name}' was not loaded because no valid module file was "
            "found in any module directory.",
        )


@command("Get-Command", fact="get-windowsfeature", parameters={"Name"})
def get_command(host: PowerShellHost, Name: str) -> PSObject | None:
    # Every lab node runs Windows Server, whose ServerManager module has Get-WindowsFeature.
    if Name.lower() != "get-windowsfeature":
        raise LabSurfaceError(
            f"the lab answers Get-Command for Get-WindowsFeature only, not {Name}"
        )
    return PSObject("System.Management.Automation.CmdletInfo", {"Name": "Get-WindowsFeature"})


@command("Get-WindowsFeature", fact="get-windowsfeature", parameters={"Name"})
def get_windows_feature(host: PowerShellHost, Name: str) -> PSObject:
    host.operation("Get-WindowsFeature")
    with host.world.transaction() as state:
        installed = bool(state.node(host.node)["features"].get(Name))
    return PSObject(
        "Microsoft.Windows.ServerManager.Commands.Feature", {"Name": Name, "Installed": installed}
    )
