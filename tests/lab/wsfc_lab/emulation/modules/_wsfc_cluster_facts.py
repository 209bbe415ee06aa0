"""Port of plugins/module_utils/WsfcClusterFacts.psm1, function for function, over the lab's
Windows surface (wsfc_lab.windows). Names follow the PowerShell functions; every Windows
call is `host.invoke(...)` / `host.native(...)` as the .psm1 makes it (the Windows-call
contract compares the two)."""

from __future__ import annotations

import uuid
from typing import Any

from wsfc_lab.emulation.modules._wsfc_native import REG_EXE, invoke_native_command
from wsfc_lab.windows import dotnet
from wsfc_lab.windows.errors import PowerShellError
from wsfc_lab.windows.host import PowerShellHost
from wsfc_lab.windows.objects import PSObject, as_list

PORT_OF = "plugins/module_utils/WsfcClusterFacts.psm1"


def get_os_fact(host: PowerShellHost) -> dict[str, Any]:
    os = as_list(
        host.invoke(
            "Get-CimInstance", ClassName="Win32_OperatingSystem", Property=["Caption", "Version"]
        )
    )[0]
    return {"name": os.Caption, "version": os.Version}


def get_backup_tool_fact(host: PowerShellHost) -> dict[str, Any]:
    feature_installed = False
    if host.invoke("Get-Command", Name="Get-WindowsFeature", ErrorAction="SilentlyContinue"):
        feature = host.invoke(
            "Get-WindowsFeature", Name="Windows-Server-Backup", ErrorAction="SilentlyContinue"
        )
        feature_installed = bool(feature and feature.Installed)
    return {
        "windows_server_backup": feature_installed,
        "wbadmin": bool(host.invoke("Test-Path", LiteralPath=host.system32 + "\\wbadmin.exe")),
        "clusapi": bool(host.invoke("Test-Path", LiteralPath=host.system32 + "\\clusapi.dll")),
    }


def get_cluster_service_fact(host: PowerShellHost) -> dict[str, Any]:
    services = as_list(
        host.invoke("Get-CimInstance", ClassName="Win32_Service", Filter="Name='ClusSvc'")
    )
    service = services[0] if services else None
    return {
        "installed": bool(service),
        "state": str(service.State).lower().replace(" ", "_") if service else None,
        "start_mode": str(service.StartMode).lower() if service else None,
    }


def convert_to_paxos_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        return value.decode("utf-16-le").rstrip("\0")
    return str(as_list(value)[0])


def get_paxos_tag(host: PowerShellHost) -> str | None:
    if not host.invoke("Test-Path", LiteralPath="HKLM:\\Cluster"):
        return None
    values = host.invoke(
        "Get-ItemProperty",
        LiteralPath="HKLM:\\Cluster",
        Name="PaxosTag",
        ErrorAction="SilentlyContinue",
    )
    return convert_to_paxos_text(values.PaxosTag if values else None)


def _parameter_value(host: PowerShellHost, resource: PSObject, name: str) -> Any:  # noqa: ANN401
    parameter = host.invoke(
        "Get-ClusterParameter", InputObject=resource, Name=name, ErrorAction="SilentlyContinue"
    )
    return parameter.Value if parameter else None


def get_witness_disk_fact(host: PowerShellHost, resource: PSObject) -> dict[str, Any]:
    id_type = _parameter_value(host, resource, "DiskIdType")
    signature = _parameter_value(host, resource, "DiskSignature")
    gpt_id = _parameter_value(host, resource, "DiskIdGuid")
    cluster_disks = as_list(
        host.invoke("Get-CimInstance", Namespace="root\\MSCluster", ClassName="MSCluster_Disk")
    )
    disk = None
    if id_type == 1:
        wanted = str(gpt_id or "").strip("{}").lower()
        disk = next(
            (d for d in cluster_disks if str(d.GptGuid or "").strip("{}").lower() == wanted), None
        )
    elif signature is not None:
        disk = next((d for d in cluster_disks if str(d.Signature) == str(signature)), None)
    cluster_partitions: list[PSObject] = []
    disk_partitions: dict[int, PSObject] = {}
    if disk:
        cluster_partitions = as_list(
            host.invoke(
                "Get-CimAssociatedInstance",
                InputObject=disk,
                ResultClassName="MSCluster_DiskPartition",
            )
        )
        if str(resource.OwnerNode) == host.computer_name:
            for partition in as_list(
                host.invoke("Get-Partition", DiskNumber=disk.Number, ErrorAction="SilentlyContinue")
            ):
                disk_partitions[int(partition.PartitionNumber)] = partition
    partitions = []
    for partition in cluster_partitions:
        number = int(partition.PartitionNumber)
        on_disk = disk_partitions.get(number)
        partitions.append(
            {
                "number": number,
                "total_size_mb": int(partition.TotalSize),
                "offset": int(on_disk.Offset) if on_disk else None,
                "size": int(on_disk.Size) if on_disk else None,
            }
        )
    lettered = next((p for p in cluster_partitions if _is_drive(p.Path)), None)
    return {
        "number": int(disk.Number) if disk else None,
        "id_type": "gpt" if id_type == 1 else ("mbr" if id_type == 0 else None),
        "signature": f"{signature:X}" if id_type != 1 and signature is not None else None,
        "gpt_guid": str(gpt_id).strip("{}").lower() if id_type == 1 and gpt_id else None,
        "drive_letter": str(lettered.Path) if lettered else None,
        "offsets_read": len(disk_partitions) > 0,
        "partitions": partitions,
    }


def _is_drive(path: object) -> bool:
    text = str(path or "")
    return len(text) == 2 and text[0].isalpha() and text[1] == ":"


def get_local_database_fact(host: PowerShellHost) -> dict[str, Any]:
    clusdb = host.system_root + "\\Cluster\\CLUSDB"
    fact: dict[str, Any] = {
        "present": bool(host.invoke("Test-Path", LiteralPath=clusdb, PathType="Leaf")),
        "source": "none",
        "paxos_tag": None,
        "cluster_name": None,
        "nodes": [],
        "warnings": [],
    }
    warnings: list[str] = []
    root = None
    hive_key = None
    hive_copy = None
    if host.invoke("Test-Path", LiteralPath="HKLM:\\Cluster"):
        root = "HKLM:\\Cluster"
        fact["source"] = "cluster"
    elif fact["present"]:
        token = uuid.uuid4().hex
        hive_key = f"HKLM\\WSFC_CLUSDB_{token}"
        hive_copy = f"{host.temp}\\wsfc_clusdb_{token}.hiv"
        try:
            dotnet.copy_file(host, clusdb, hive_copy)
        except Exception as error:
            warnings.append(f"The local copy of the cluster database could not be read: {error}")
            hive_copy = None
        if hive_copy:
            load = invoke_native_command(host.native(REG_EXE, ["load", hive_key, hive_copy]))
            if load["exit_code"] == 0:
                root = f"Registry::{hive_key}"
                fact["source"] = "local_copy"
            else:
                warnings.append(f"reg load of a copy of '{clusdb}' failed: {load['output']}")
                hive_key = None
    if root:
        try:
            values = host.invoke(
                "Get-ItemProperty",
                LiteralPath=root,
                Name="PaxosTag",
                ErrorAction="SilentlyContinue",
            )
            fact["paxos_tag"] = convert_to_paxos_text(values.PaxosTag if values else None)
            values = host.invoke(
                "Get-ItemProperty",
                LiteralPath=root,
                Name="ClusterName",
                ErrorAction="SilentlyContinue",
            )
            fact["cluster_name"] = values.ClusterName if values else None
            nodes_key = root + "\\Nodes"
            names = []
            if host.invoke("Test-Path", LiteralPath=nodes_key):
                for node_key in as_list(
                    host.invoke(
                        "Get-ChildItem", LiteralPath=nodes_key, ErrorAction="SilentlyContinue"
                    )
                ):
                    value = host.invoke(
                        "Get-ItemProperty",
                        LiteralPath=node_key.PSPath,
                        Name="NodeName",
                        ErrorAction="SilentlyContinue",
                    )
                    if value and value.NodeName:
                        names.append(str(value.NodeName))
            fact["nodes"] = names
        finally:
            if hive_key:
                unload = invoke_native_command(host.native(REG_EXE, ["unload", hive_key]))
                if unload["exit_code"] != 0:
                    warnings.append(
                        f"reg unload of '{hive_key}' failed: {unload['output']} Unload it with: "
                        f"reg unload {hive_key}"
                    )
    if hive_copy:
        try:
            dotnet.delete_file(host, hive_copy)
        except Exception as error:
            warnings.append(f"The temporary copy '{hive_copy}' could not be deleted: {error}")
    fact["warnings"] = warnings
    return fact


def get_quorum_fact(host: PowerShellHost, cluster: PSObject) -> dict[str, Any]:
    quorum_info = host.invoke("Get-ClusterQuorum", InputObject=cluster)
    witness: dict[str, Any] = {
        "type": "none",
        "resource": None,
        "owner_node": None,
        "path": None,
        "disk": None,
    }
    resource = quorum_info.QuorumResource
    if resource:
        witness["resource"] = resource.Name
        witness["owner_node"] = str(resource.OwnerNode)
        resource_type = resource.ResourceType.Name
        if resource_type == "Physical Disk":
            witness["type"] = "disk"
            witness["disk"] = get_witness_disk_fact(host, resource)
        elif resource_type == "File Share Witness":
            witness["type"] = "file_share"
            witness["path"] = host.invoke(
                "Get-ClusterParameter", InputObject=resource, Name="SharePath"
            ).Value
        elif resource_type == "Cloud Witness":
            witness["type"] = "cloud"
    return {"type": str(quorum_info.QuorumType), "witness": witness}


def _owner_names(host: PowerShellHost, item: PSObject) -> list[str]:
    owners = host.invoke("Get-ClusterOwnerNode", InputObject=item)
    return [n.Name for n in as_list(owners.OwnerNodes)]


def get_configuration_fact(host: PowerShellHost, cluster: PSObject) -> dict[str, Any]:
    groups = []
    for group in as_list(host.invoke("Get-ClusterGroup", InputObject=cluster)):
        groups.append(
            {
                "name": group.Name,
                "state": str(group.State),
                "owner_node": str(group.OwnerNode),
                "preferred_owners": _owner_names(host, group),
                "is_core_group": bool(group.IsCoreGroup),
            }
        )
    resources = []
    for resource in as_list(host.invoke("Get-ClusterResource", InputObject=cluster)):
        parameters = {
            p.Name: p.Value
            for p in as_list(host.invoke("Get-ClusterParameter", InputObject=resource))
        }
        resources.append(
            {
                "name": resource.Name,
                "type": resource.ResourceType.Name,
                "group": resource.OwnerGroup.Name,
                "state": str(resource.State),
                "owner_node": str(resource.OwnerNode),
                "parameters": parameters,
                "dependencies": host.invoke(
                    "Get-ClusterResourceDependency", InputObject=resource
                ).DependencyExpression,
                "possible_owners": _owner_names(host, resource),
            }
        )
    networks = [
        {
            "name": n.Name,
            "role": str(n.Role),
            "address": n.Address,
            "address_mask": n.AddressMask,
            "state": str(n.State),
        }
        for n in as_list(host.invoke("Get-ClusterNetwork", InputObject=cluster))
    ]
    return {"groups": groups, "resources": resources, "networks": networks}


def no_cluster_fact() -> dict[str, Any]:
    """The cluster-wide facts while none is known: the `$facts` literal Get-WsfcClusterFact
    starts from, which cluster_backup.ps1 and cluster_restore.ps1 also report when the
    Cluster service is not installed."""
    return {
        "cluster": None,
        "nodes": [],
        "core_group_owner": None,
        "quorum": None,
        "configuration": None,
        "cluster_error": None,
    }


def get_cluster_fact(host: PowerShellHost, include_configuration: bool) -> dict[str, Any]:
    facts = no_cluster_fact()
    if not host.invoke("Get-Module", ListAvailable=True, Name="FailoverClusters"):
        facts["cluster_error"] = {
            "code": None,
            "message": "The FailoverClusters PowerShell module is not installed on this node.",
        }
        return facts
    host.invoke("Import-Module", Name="FailoverClusters")
    try:
        cluster = host.invoke("Get-Cluster", ErrorAction="Stop")
    except PowerShellError as error:
        facts["cluster_error"] = {"code": error.code, "message": error.message}
        return facts
    facts["cluster"] = {"name": cluster.Name, "id": str(cluster.Id), "domain": cluster.Domain}
    facts["nodes"] = [
        {"name": n.Name, "id": str(n.Id), "state": str(n.State)}
        for n in as_list(host.invoke("Get-ClusterNode", InputObject=cluster))
    ]
    core = next(
        (
            g
            for g in as_list(host.invoke("Get-ClusterGroup", InputObject=cluster))
            if g.GroupType == "Cluster"
        ),
        None,
    )
    if core:
        facts["core_group_owner"] = str(core.OwnerNode)
    facts["quorum"] = get_quorum_fact(host, cluster)
    if include_configuration:
        facts["configuration"] = get_configuration_fact(host, cluster)
    return facts


# -- The inspect steps cluster_backup.ps1 and cluster_restore.ps1 both write out -----------
# Not functions of the .psm1: both modules' ports call these instead of repeating the steps,
# which make the same calls in the same order as each .ps1.


def get_configuration_version_fact(host: PowerShellHost) -> dict[str, Any]:
    """The configuration version an inspect phase reports: the running cluster's PaxosTag,
    source none when it cannot be read."""
    paxos_tag = get_paxos_tag(host)
    return {"paxos_tag": paxos_tag, "source": "cluster" if paxos_tag is not None else "none"}


def get_installed_cluster_fact(
    host: PowerShellHost, cluster_service: dict[str, Any], include_configuration: bool
) -> dict[str, Any]:
    """Get-WsfcClusterFact's facts on a node whose Cluster service is installed; on any other
    node none, with no call made (there is no cluster to ask)."""
    if not cluster_service["installed"]:
        return no_cluster_fact()
    return get_cluster_fact(host, include_configuration)
