"""wsfc.clusterdb.cluster_node: start or stop the Cluster service on this node, and wait.

Does what plugins/modules/cluster_node.ps1 does, step for step, with the result keys it
sets (the action plugin adds node_state and error on the controller):
- reads ClusSvc (Win32_Service); a node without it fails with ERROR_SERVICE_DOES_NOT_EXIST;
- reads the cluster's name (Get-Cluster) and this node's state (Get-ClusterNode); both
  are null when no node runs the cluster (the lab's rule, as in cluster_info);
- changes only when the service is not already in the requested state; check mode stops
  before any change;
- Start-ClusterNode [-ForceQuorum] [-PreventQuorum] / Stop-ClusterNode; a refused cmdlet
  (Stop-ClusterNode below quorum: 5925 in the lab, world/cluster.py) fails with its code;
- waits, polling once a second as the module does, until the node is Up or Paused
  (started) or the service is stopped (stopped); a wait that runs out sets timed_out.

The rules of the cluster itself (quorum, stale copies and event 1561, ForceQuorum making a
copy authoritative) are the world's: windows-cluster-facts.md section 2, world/cluster.py.

Fault operations (docs/lab.md, Faults): "Get-CimInstance Win32_Service", "Get-Cluster",
"Get-ClusterNode", "Start-ClusterNode" (latency class service_start) and
"Stop-ClusterNode" (service_stop).
"""

from __future__ import annotations

import time

from wsfc_lab.emulation.basic import EmulatedModule
from wsfc_lab.emulation.registry import emulates
from wsfc_lab.world import PAUSED, UP, WindowsError
from wsfc_lab.world.errors import ERROR_SERVICE_DOES_NOT_EXIST

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
OPERATION_SERVICE = "Get-CimInstance Win32_Service"
OPERATION_CLUSTER = "Get-Cluster"
OPERATION_NODE = "Get-ClusterNode"
OPERATION_START = "Start-ClusterNode"
OPERATION_STOP = "Stop-ClusterNode"
# Start-ClusterNode -ForceQuorum -PreventQuorum fails to bind its parameters; the exception
# carries no Win32 code, so the module reports its HResult. *Assumed*: 0x80131501
# (COR_E_SYSTEM, which RuntimeException and ParameterBindingException keep), as an Int32.
PARAMETER_BINDING_HRESULT = -2146233087


class ParameterSetError(Exception):
    """The cmdlet refused its parameters before doing anything."""


@emulates("wsfc.clusterdb.cluster_node", spec=SPEC, returns=RETURNS)
def cluster_node(module: EmulatedModule) -> None:
    started_at = time.monotonic()
    params = module.params
    node = module.node
    result = module.result
    with module.world.transaction() as state:
        node_name = state.node(node)["name"]
    result.update(
        node_name=node_name,
        cluster_name=None,
        node_state_before=None,
        node_state_after=None,
        service_state_before=None,
        service_state_after=None,
        timed_out=False,
        error_code=None,
        elapsed=0.0,
    )

    def elapsed() -> float:
        return round(time.monotonic() - started_at, 3)

    service_before = service_state(module)
    result["service_state_before"] = result["service_state_after"] = service_before
    if service_before is None:
        module.fail_json(
            f"The Cluster service (ClusSvc) does not exist on {node_name}",
            error_code=ERROR_SERVICE_DOES_NOT_EXIST,
            elapsed=elapsed(),
        )
    result["cluster_name"] = cluster_name(module)
    result["node_state_before"] = result["node_state_after"] = node_state(module)

    wanted = "running" if params["state"] == "started" else "stopped"
    needs_change = service_before != wanted
    result["changed"] = needs_change
    if module.check_mode:
        module.exit_json(elapsed=elapsed())

    if needs_change:
        try:
            change_service(module)
        except ParameterSetError as error:
            module.fail_json(
                f"{OPERATION_START} failed on {node_name}: {error}",
                changed=False,
                error_code=PARAMETER_BINDING_HRESULT,
                elapsed=elapsed(),
            )
        except WindowsError as error:
            verb = OPERATION_START if params["state"] == "started" else OPERATION_STOP
            module.fail_json(
                f"{verb} failed on {node_name}: {error.message}",
                changed=False,
                error_code=error.code,
                service_state_after=service_state(module),
                node_state_after=node_state(module),
                elapsed=elapsed(),
            )

    if params["wait"]:
        deadline = time.monotonic() + params["timeout"]
        while not reached(module):
            if time.monotonic() >= deadline:
                result["timed_out"] = True
                break
            time.sleep(POLL_SECONDS)

    result["service_state_after"] = service_state(module)
    result["node_state_after"] = node_state(module)
    module.exit_json(elapsed=elapsed())


def service_state(module: EmulatedModule) -> str | None:
    """ClusSvc as Win32_Service reports it (running, stopped), None when not installed."""
    module.world.operation(module.node, OPERATION_SERVICE)
    with module.world.transaction() as state:
        service = state.node(module.node)["service"]
        return str(service["state"]) if service["installed"] else None


def cluster_name(module: EmulatedModule) -> str | None:
    """Get-Cluster's name; None when it fails (no node runs the cluster, or a fault)."""
    try:
        module.world.operation(module.node, OPERATION_CLUSTER)
    except WindowsError:
        return None
    with module.world.transaction() as state:
        return str(state.data["cluster"]["name"]) if state.cluster.formed else None


def node_state(module: EmulatedModule) -> str | None:
    """Get-ClusterNode's state of this node; None when the cluster cannot be asked."""
    try:
        module.world.operation(module.node, OPERATION_NODE)
    except WindowsError:
        return None
    with module.world.transaction() as state:
        cluster = state.cluster
        return cluster.node_state(module.node) if cluster.formed else None


def change_service(module: EmulatedModule) -> None:
    """Start-ClusterNode or Stop-ClusterNode: the fault and latency first, then the rules."""
    params = module.params
    if params["state"] == "started":
        if params["force_quorum"] and params["prevent_quorum"]:
            raise ParameterSetError(
                "Parameter set cannot be resolved using the specified named parameters."
            )
        module.world.operation(module.node, OPERATION_START)
        with module.world.transaction() as state:
            state.cluster.start_service(
                module.node,
                force_quorum=params["force_quorum"],
                prevent_quorum=params["prevent_quorum"],
            )
    else:
        module.world.operation(module.node, OPERATION_STOP)
        with module.world.transaction() as state:
            # Refused below quorum (windows-cluster-facts.md section 2, Stop-ClusterNode).
            state.cluster.stop_service(module.node, check_quorum=True)


def reached(module: EmulatedModule) -> bool:
    """Started: a running member, Up or Paused by an operator. Stopped: the service is."""
    if module.params["state"] == "started":
        return node_state(module) in (UP, PAUSED)
    return service_state(module) == "stopped"
