"""CIM classes through Get-CimInstance and Get-CimAssociatedInstance.

Only the classes and properties the facts page documents (facts win32-operatingsystem,
win32-service, mscluster-disk, mscluster-diskpartition). MSCluster_DiskPartition has no
offset: a port that reads one gets None, as the module gets $null.
"""

from __future__ import annotations

import re
from typing import Any

from wsfc_lab.windows.errors import LabSurfaceError, PowerShellError
from wsfc_lab.windows.host import PowerShellHost
from wsfc_lab.windows.objects import PSObject
from wsfc_lab.windows.surface import cim_class, command
from wsfc_lab.world import LabState

CIMV2 = "root/cimv2"
MSCLUSTER = "root/MSCluster"
MEGABYTE = 1024 * 1024

cim_class(CIMV2, "Win32_OperatingSystem", fact="win32-operatingsystem")
cim_class(CIMV2, "Win32_Service", fact="win32-service")
cim_class(MSCLUSTER, "MSCluster_Disk", fact="mscluster-disk")
cim_class(MSCLUSTER, "MSCluster_DiskPartition", fact="mscluster-diskpartition")

# Win32_Service.State and StartMode as Windows spells them (fact win32-service), from the
# lab's lower-case service record.
SERVICE_STATES = {
    "running": "Running",
    "stopped": "Stopped",
    "start_pending": "Start Pending",
    "stop_pending": "Stop Pending",
    "paused": "Paused",
}
START_MODES = {"auto": "Auto", "manual": "Manual", "disabled": "Disabled"}
_NAME_FILTER = re.compile(r"^\s*Name\s*=\s*'([^']*)'\s*$", re.IGNORECASE)


def _namespace(value: str | None) -> str:
    text = (value or CIMV2).replace("\\", "/")
    for known in (CIMV2, MSCLUSTER):
        if text.lower() == known.lower():
            return known
    raise LabSurfaceError(f"the lab does not emulate the CIM namespace {value}")


def _operating_system(state: LabState, node: str) -> list[PSObject]:
    record = state.node(node)
    return [
        PSObject(
            "Win32_OperatingSystem", {"Caption": record["os_name"], "Version": record["os_version"]}
        )
    ]


def _services(state: LabState, node: str) -> list[PSObject]:
    service = state.node(node)["service"]
    if not service["installed"]:
        return []
    return [
        PSObject(
            "Win32_Service",
            {
                "Name": "ClusSvc",
                "State": SERVICE_STATES[str(service["state"])],
                "StartMode": START_MODES.get(str(service["start_mode"]), "Manual"),
            },
        )
    ]


def _cluster_disks(state: LabState, node: str) -> list[PSObject]:
    if state.cluster.cluster_copy() is None:
        raise PowerShellError(1722, "The RPC server is unavailable.")
    disks = []
    for disk in state.disks.values():
        signature = str(disk["signature"])
        gpt = len(signature) != 8
        disks.append(
            PSObject(
                "MSCluster_Disk",
                {
                    "Name": disk["name"],
                    "Id": signature.lower() if gpt else signature,
                    "Number": disk["number"],
                    # Not populated for a GPT disk (fact mscluster-disk): read as $null.
                    "Signature": None if gpt else int(signature, 16),
                    "GptGuid": "{" + signature.lower() + "}" if gpt else None,
                },
            )
        )
    return disks


_CLASSES = {
    (CIMV2, "win32_operatingsystem"): _operating_system,
    (CIMV2, "win32_service"): _services,
    (MSCLUSTER, "mscluster_disk"): _cluster_disks,
}


@command(
    "Get-CimInstance",
    fact="get-ciminstance",
    parameters={"ClassName", "Namespace", "Filter", "Property"},
)
def get_cim_instance(
    host: PowerShellHost,
    ClassName: str,
    Namespace: str | None = None,
    Filter: str | None = None,
    Property: list[str] | None = None,
) -> list[PSObject]:
    namespace = _namespace(Namespace)
    reader = _CLASSES.get((namespace, ClassName.lower()))
    if reader is None:
        raise LabSurfaceError(f"the lab does not emulate the CIM class {namespace}:{ClassName}")
    host.operation(f"Get-CimInstance {ClassName}")
    with host.world.transaction() as state:
        instances = reader(state, host.node)
    if Filter is not None:
        match = _NAME_FILTER.match(Filter)
        if match is None:
            raise LabSurfaceError(f"the lab reads CIM filters of the form Name='x', not {Filter}")
        instances = [i for i in instances if str(i.Name).lower() == match.group(1).lower()]
    return instances


@command(
    "Get-CimAssociatedInstance",
    fact="get-cimassociatedinstance",
    parameters={"InputObject", "ResultClassName"},
)
def get_cim_associated_instance(
    host: PowerShellHost,
    InputObject: PSObject,
    ResultClassName: str,
) -> list[PSObject]:
    if InputObject.type_name != "MSCluster_Disk" or ResultClassName != "MSCluster_DiskPartition":
        raise LabSurfaceError(
            f"the lab associates MSCluster_Disk with MSCluster_DiskPartition only, not "
            f"{InputObject.type_name} with {ResultClassName}"
        )
    host.operation("Get-CimAssociatedInstance MSCluster_DiskPartition")
    with host.world.transaction() as state:
        disk = next(d for d in state.disks.values() if d["name"] == InputObject.Name)
        return [_partition(disk, p) for p in disk["partitions"]]


def _partition(disk: dict[str, Any], partition: dict[str, Any]) -> PSObject:
    # The lab's disks have one lettered partition, the first (its spec has one letter).
    letter = f"{disk['drive_letter']}:" if partition["number"] == 1 else ""
    return PSObject(
        "MSCluster_DiskPartition",
        {
            "Path": letter,
            "PartitionNumber": partition["number"],
            "TotalSize": int(partition["size"]) // MEGABYTE,
            "FreeSpace": int(partition["size"]) // MEGABYTE,
            "FileSystem": "NTFS",
            "VolumeLabel": "",
            "VolumeGuid": None,
        },
    )
