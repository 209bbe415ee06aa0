"""wsfc.clusterdb.cluster_info: raw cluster facts from one node, read from the world.

Returns the keys plugins/modules/cluster_info.ps1 sets, in the shapes its documentation
(plugins/modules/cluster_info.py, RETURN) gives; backup_routes, node_cluster_state,
configuration_fingerprint and the PaxosTag's epoch/sequence are added on the controller
and are not returned here. The facts follow windows-cluster-facts.md:
- the Cluster service is ClusSvc; the local copy is %SystemRoot%\\Cluster\\CLUSDB, loaded as
  HKLM\\Cluster while the service runs, so the PaxosTag comes from the running cluster's
  hive then and from the local file otherwise (section 2);
- the cluster-wide facts (Get-Cluster and friends) are readable while any node runs the
  cluster; otherwise they stay null and the module warns, as the PowerShell module does;
- node states are CLUSTER_NODE_STATE names (section 1); a disk witness reports its
  partition layout (count and offsets) and signature (section 1, restore checks).
"""

from __future__ import annotations

from wsfc_lab.emulation.basic import EmulatedModule
from wsfc_lab.emulation.cluster_facts import cluster_facts, local_facts
from wsfc_lab.emulation.registry import emulates
from wsfc_lab.world import WindowsError

SPEC = {
    "options": {
        "include_configuration": {"type": "bool", "default": True},
    },
    "supports_check_mode": True,
}

RETURNS = {
    "node_name",
    "cluster",
    "cluster_service",
    "cluster_database_present",
    "nodes",
    "quorum",
    "configuration_version",
    "os",
    "backup_tools",
    "configuration",
}


@emulates("wsfc.clusterdb.cluster_info", spec=SPEC, returns=RETURNS)
def cluster_info(module: EmulatedModule) -> None:
    world = module.world
    node = module.node
    result = module.result
    world.operation(node, "Get-CimInstance Win32_OperatingSystem")
    with world.transaction() as state:
        result.update(local_facts(state, node))
    try:
        world.operation(node, "Get-Cluster")
        with world.transaction() as state:
            facts = cluster_facts(state, module.params["include_configuration"])
    except WindowsError as error:
        module.warn(f"The cluster could not be reached from this node: {error.message}")
        return
    if facts is None:
        module.warn(
            "The cluster could not be reached from this node: the cluster service is not "
            "running on any node that could form the cluster"
        )
        return
    result.update(facts)
