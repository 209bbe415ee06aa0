"""The FailoverClusters cmdlets, over the world's cluster.

Objects and properties as Microsoft documents them (docs/windows-behaviour.md, the fact named
on each command); enum values are given as the names `[string]` turns them into. An owner
node is a ClusterNode object whose ToString() is its name.

The lab's rule for reaching the cluster (kept from the lab's first version): the cluster's
cmdlets answer while the cluster is formed on some node; otherwise Get-Cluster fails with a
message and no Win32 code the lab can vouch for.
"""

from __future__ import annotations

import time
from typing import Any

from wsfc_lab.windows.errors import LabSurfaceError, PowerShellError
from wsfc_lab.windows.host import PowerShellHost
from wsfc_lab.windows.objects import PSObject
from wsfc_lab.windows.surface import command
from wsfc_lab.world import ConfigChange, LabState

T_CLUSTER = "Microsoft.FailoverClusters.PowerShell.Cluster"
T_NODE = "Microsoft.FailoverClusters.PowerShell.ClusterNode"
T_GROUP = "Microsoft.FailoverClusters.PowerShell.ClusterGroup"
T_RESOURCE = "Microsoft.FailoverClusters.PowerShell.ClusterResource"
T_RESOURCE_TYPE = "Microsoft.FailoverClusters.PowerShell.ClusterResourceType"
T_PARAMETER = "Microsoft.FailoverClusters.PowerShell.ClusterParameter"
T_QUORUM = "Microsoft.FailoverClusters.PowerShell.ClusterQuorumSettings"
T_OWNERS = "Microsoft.FailoverClusters.PowerShell.ClusterOwnerNodeList"
T_DEPENDENCY = "Microsoft.FailoverClusters.PowerShell.ClusterResourceDependency"
T_NETWORK = "Microsoft.FailoverClusters.PowerShell.ClusterNetwork"

# Get-ClusterQuorum's QuorumType by the lab's witness kind (fact get-clusterquorum).
QUORUM_TYPES = {
    "none": "NodeMajority",
    "disk": "NodeAndDiskMajority",
    "file_share": "NodeAndFileShareMajority",
}
# How long the lab lets Start-ClusterNode without -Wait wait before it fails loudly.
UNBOUNDED_WAIT_SECONDS = 20.0
NO_CLUSTER_MESSAGE = "The cluster service is not running on any node that could form the cluster."


def _objects(state: LabState) -> dict[str, Any]:
    database = state.cluster.cluster_copy()
    if database is None:
        raise PowerShellError(None, NO_CLUSTER_MESSAGE)
    return database["objects"]


def _node(state: LabState, name: str | None) -> PSObject | None:
    if not name:
        return None
    record = state.node(name)
    return PSObject(
        T_NODE,
        {"Name": record["name"], "Id": record["id"], "State": state.cluster.node_state(name)},
        text=record["name"],
    )


def _group_type(group: dict[str, Any]) -> str:
    # The lab's groups carry only "is_core_group" (IsCoreGroup, documented in the cmdlet's
    # sample); Windows types its storage group AvailableStorage and the core cluster group
    # Cluster (GroupType: *unconfirmed*, fact get-clustergroup).
    if group["name"] == "Available Storage":
        return "AvailableStorage"
    return "Cluster" if group.get("is_core_group") else "Unknown"


def _group(state: LabState, group: dict[str, Any]) -> PSObject:
    return PSObject(
        T_GROUP,
        {
            "Name": group["name"],
            "State": group["state"],
            "OwnerNode": _node(state, group["owner_node"]),
            "IsCoreGroup": bool(group.get("is_core_group")),
            "GroupType": _group_type(group),
        },
        text=group["name"],
    )


def _resource(state: LabState, objects: dict[str, Any], resource: dict[str, Any]) -> PSObject:
    group = objects["groups"].get(resource["group"])
    return PSObject(
        T_RESOURCE,
        {
            "Name": resource["name"],
            "ResourceType": PSObject(
                T_RESOURCE_TYPE, {"Name": resource["type"]}, text=resource["type"]
            ),
            "OwnerGroup": _group(state, group) if group else None,
            "State": resource["state"],
            "OwnerNode": _node(state, resource["owner_node"]),
        },
        text=resource["name"],
    )


def _find(table: dict[str, Any], name: str) -> dict[str, Any] | None:
    for key, value in table.items():
        if key.lower() == name.lower():
            return value
    return None


@command("Get-Cluster", fact="get-cluster", parameters={"Name"})
def get_cluster(host: PowerShellHost, Name: str | None = None) -> PSObject:
    host.operation("Get-Cluster")
    with host.world.transaction() as state:
        _objects(state)
        record = state.data["cluster"]
        return PSObject(
            T_CLUSTER,
            {"Name": record["name"], "Id": record["id"], "Domain": record["domain"]},
            text=record["name"],
        )


@command("Get-ClusterNode", fact="get-clusternode", parameters={"Name", "Cluster", "InputObject"})
def get_cluster_node(
    host: PowerShellHost,
    Name: str | None = None,
    Cluster: str | None = None,
    InputObject: PSObject | None = None,
) -> Any:  # noqa: ANN401
    host.operation("Get-ClusterNode")
    with host.world.transaction() as state:
        _objects(state)
        if Name is not None:
            return _node(state, state.node_name(Name))
        return [_node(state, name) for name in state.node_names()]


@command("Get-ClusterQuorum", fact="get-clusterquorum", parameters={"InputObject"})
def get_cluster_quorum(host: PowerShellHost, InputObject: PSObject) -> PSObject:
    host.operation("Get-ClusterQuorum")
    with host.world.transaction() as state:
        objects = _objects(state)
        witness = state.witness
        resource = _find(objects["resources"], witness["resource"] or "")
        return PSObject(
            T_QUORUM,
            {
                "Cluster": InputObject,
                "QuorumResource": _resource(state, objects, resource) if resource else None,
                "QuorumType": QUORUM_TYPES[witness["type"]],
            },
        )


@command("Get-ClusterGroup", fact="get-clustergroup", parameters={"InputObject", "Name"})
def get_cluster_group(
    host: PowerShellHost,
    InputObject: PSObject | None = None,
    Name: str | None = None,
) -> list[PSObject]:
    host.operation("Get-ClusterGroup")
    with host.world.transaction() as state:
        objects = _objects(state)
        groups = [_group(state, g) for g in objects["groups"].values()]
    return [g for g in groups if Name is None or str(g.Name).lower() == Name.lower()]


@command("Get-ClusterResource", fact="get-clusterresource", parameters={"InputObject", "Name"})
def get_cluster_resource(
    host: PowerShellHost,
    InputObject: PSObject | None = None,
    Name: str | None = None,
) -> list[PSObject]:
    host.operation("Get-ClusterResource")
    with host.world.transaction() as state:
        objects = _objects(state)
        resources = [_resource(state, objects, r) for r in objects["resources"].values()]
    return [r for r in resources if Name is None or str(r.Name).lower() == Name.lower()]


def _disk_private_properties(state: LabState, resource_name: str) -> dict[str, Any]:
    """A Physical Disk resource's disk identity (fact physical-disk-parameters): an MBR disk
    has its signature and DiskIdType 0; a GPT disk DiskIdType 1, its GUID in DiskIdGuid and
    a DiskSignature of 0."""
    disk = _find(state.disks, resource_name)
    if disk is None:
        return {}
    signature = str(disk["signature"])
    if len(signature) == 8:
        return {"DiskIdType": 0, "DiskSignature": int(signature, 16), "DiskIdGuid": None}
    return {"DiskIdType": 1, "DiskSignature": 0, "DiskIdGuid": "{" + signature.lower() + "}"}


@command("Get-ClusterParameter", fact="get-clusterparameter", parameters={"InputObject", "Name"})
def get_cluster_parameter(
    host: PowerShellHost,
    InputObject: PSObject,
    Name: str | None = None,
) -> Any:  # noqa: ANN401
    host.operation("Get-ClusterParameter")
    with host.world.transaction() as state:
        objects = _objects(state)
        resource = _find(objects["resources"], str(InputObject.Name))
        if resource is None:
            raise PowerShellError(5007, f"The cluster resource '{InputObject.Name}' was not found.")
        values = dict(resource["parameters"])
        if resource["type"] == "Physical Disk":
            values.update(_disk_private_properties(state, resource["name"]))
    parameters = [
        PSObject(T_PARAMETER, {"ClusterObject": InputObject, "Name": key, "Value": value})
        for key, value in values.items()
    ]
    if Name is None:
        return parameters
    for parameter in parameters:
        if str(parameter.Name).lower() == Name.lower():
            return parameter
    # Asking for a parameter the object does not have is an error (ErrorAction decides).
    raise PowerShellError(None, f"The parameter '{Name}' does not exist on the cluster object.")


@command("Get-ClusterOwnerNode", fact="get-clusterownernode", parameters={"InputObject"})
def get_cluster_owner_node(host: PowerShellHost, InputObject: PSObject) -> PSObject:
    host.operation("Get-ClusterOwnerNode")
    with host.world.transaction() as state:
        objects = _objects(state)
        if InputObject.type_name == T_GROUP:
            names = _find(objects["groups"], str(InputObject.Name))["preferred_owners"]  # type: ignore[index]
        else:
            names = _find(objects["resources"], str(InputObject.Name))["possible_owners"]  # type: ignore[index]
        owners = [_node(state, n) for n in names]
    return PSObject(T_OWNERS, {"ClusterObject": InputObject, "OwnerNodes": owners})


@command(
    "Get-ClusterResourceDependency",
    fact="get-clusterresourcedependency",
    parameters={"InputObject"},
)
def get_cluster_resource_dependency(host: PowerShellHost, InputObject: PSObject) -> PSObject:
    host.operation("Get-ClusterResourceDependency")
    with host.world.transaction() as state:
        resource = _find(_objects(state)["resources"], str(InputObject.Name))
        dependencies = resource["dependencies"] if resource else []
    # An AND of every dependency, "[A] and [B]"; "" for none (fact
    # get-clusterresourcedependency).
    expression = " and ".join(f"[{d}]" for d in dependencies)
    return PSObject(T_DEPENDENCY, {"Resource": InputObject, "DependencyExpression": expression})


@command("Get-ClusterNetwork", fact="get-clusternetwork", parameters={"InputObject"})
def get_cluster_network(
    host: PowerShellHost, InputObject: PSObject | None = None
) -> list[PSObject]:
    host.operation("Get-ClusterNetwork")
    with host.world.transaction() as state:
        networks = list(_objects(state)["networks"].values())
    return [
        PSObject(
            T_NETWORK,
            {
                "Name": n["name"],
                "Role": n["role"],
                "Address": n["address"],
                "AddressMask": n["address_mask"],
                "State": n["state"],
            },
            text=n["name"],
        )
        for n in networks
    ]


@command(
    "Start-ClusterNode",
    fact="start-clusternode",
    parameters={"Name", "ForceQuorum", "PreventQuorum", "Wait"},
)
def start_cluster_node(
    host: PowerShellHost,
    Name: str,
    ForceQuorum: bool = False,
    PreventQuorum: bool = False,
    Wait: int | None = None,
) -> PSObject | None:
    if ForceQuorum and PreventQuorum:
        # Parameter binding fails before the cmdlet does anything (no Win32 code): the
        # module reports the exception's HResult, COR_E_SYSTEM for a binding failure
        # (*unconfirmed*: fact start-clusternode names the parameter sets only).
        raise PowerShellError(
            -2146233087, "Parameter set cannot be resolved using the specified named parameters."
        )
    host.operation("Start-ClusterNode")
    with host.world.transaction() as state:
        node = state.node_name(Name)
        state.cluster.start_service(node, force_quorum=ForceQuorum, prevent_quorum=PreventQuorum)
    if Wait is None:
        # Without -Wait the cmdlet waits for the start to complete, with no limit of its own
        # (fact start-clusternode): a node that cannot join (a stale copy, event 1561) keeps
        # it waiting, and a module's own timeout never applies. The lab waits as long as
        # UNBOUNDED_WAIT_SECONDS and then fails loudly rather than hang a test.
        deadline = time.monotonic() + UNBOUNDED_WAIT_SECONDS
        while time.monotonic() < deadline:
            with host.world.transaction() as state:
                if state.cluster.node_state(node) in ("Up", "Paused"):
                    return None
            time.sleep(0.2)
        raise LabSurfaceError(
            f"Start-ClusterNode -Name {Name} without -Wait is still waiting after "
            f"{UNBOUNDED_WAIT_SECONDS} s: on Windows it would wait without limit"
        )
    # -Wait 0 returns once the start is initiated; the module polls the node's state.
    return None


@command("Stop-ClusterNode", fact="stop-clusternode", parameters={"Name"})
def stop_cluster_node(host: PowerShellHost, Name: str) -> None:
    host.operation("Stop-ClusterNode")
    with host.world.transaction() as state:
        # Refused below quorum (fact stop-clusternode), in world/cluster.py.
        state.cluster.stop_service(state.node_name(Name), check_quorum=True)


# -- changes an administrator makes (fact add-clustergroup, remove-clustergroup) --------------
# The collection never changes a cluster's configuration itself; these two are what an
# administrator's ansible.windows.win_powershell task runs (the validation kit adds and
# removes a throwaway group, which a restore must undo).


@command("Add-ClusterGroup", fact="add-clustergroup", parameters={"Name"})
def add_cluster_group(host: PowerShellHost, Name: str) -> PSObject:
    host.operation("Add-ClusterGroup")
    with host.world.transaction() as state:
        objects = _objects(state)
        if _find(objects["groups"], Name) is not None:
            # Microsoft documents no outcome for a name in use: fail loudly, never guess.
            raise LabSurfaceError(f"Add-ClusterGroup -Name {Name}: a group of that name exists")
        node = state.node_name(host.node)
        # An empty group: its state and owner are *unconfirmed* (fact add-clustergroup); the
        # lab makes it Offline, owned by the node the cmdlet ran on.
        state.cluster.change_configuration(
            node,
            ConfigChange("group", "set", Name, {"state": "Offline", "owner_node": node}),
        )
        return _group(state, _find(_objects(state)["groups"], Name))  # type: ignore[arg-type]


@command(
    "Remove-ClusterGroup",
    fact="remove-clustergroup",
    parameters={"Name", "Force", "RemoveResources"},
)
def remove_cluster_group(
    host: PowerShellHost, Name: str, Force: bool = False, RemoveResources: bool = False
) -> None:
    if not Force:
        # Without -Force the cmdlet asks for confirmation (fact remove-clustergroup); a module
        # run has no one to answer, and what Windows then does is not documented.
        raise LabSurfaceError("Remove-ClusterGroup without -Force asks for confirmation")
    host.operation("Remove-ClusterGroup")
    with host.world.transaction() as state:
        objects = _objects(state)
        group = _find(objects["groups"], Name)
        if group is None or group.get("is_core_group"):
            # Neither is documented (a missing group, the cluster's own group).
            raise LabSurfaceError(
                f"Remove-ClusterGroup -Name {Name}: no such group or the core one"
            )
        members = [r for r in objects["resources"].values() if r["group"].lower() == Name.lower()]
        if members and not RemoveResources:
            # "remove the resources first, or specify the RemoveResources parameter"; the
            # error Windows gives otherwise is not documented.
            raise LabSurfaceError(f"Remove-ClusterGroup -Name {Name}: the group holds resources")
        state.cluster.change_configuration(
            state.node_name(host.node),
            ConfigChange("group", "remove", group["name"], {"remove_resources": RemoveResources}),
        )
