"""wsfc.clusterdb.cluster_info: port of plugins/modules/cluster_info.ps1 over the lab's
Windows surface (statement for statement; the facts come from _wsfc_cluster_facts, the port
of WsfcClusterFacts.psm1). backup_routes, node_cluster_state, configuration_fingerprint and
the PaxosTag's parsed parts are added on the controller and are not returned here."""

from __future__ import annotations

from wsfc_lab.emulation.framework.basic import EmulatedModule
from wsfc_lab.emulation.framework.registry import emulates
from wsfc_lab.emulation.modules import _wsfc_cluster_facts as facts
from wsfc_lab.windows.host import PowerShellHost

PORT_OF = "plugins/modules/cluster_info.ps1"

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
    "core_group_owner",
    "quorum",
    "configuration_version",
    "os",
    "backup_tools",
    "configuration",
}


@emulates("wsfc.clusterdb.cluster_info", spec=SPEC, returns=RETURNS)
def cluster_info(module: EmulatedModule) -> None:
    host = PowerShellHost(module.world, module.node, module.user)  # type: ignore[arg-type]
    result = module.result
    result["node_name"] = host.computer_name
    result["os"] = facts.get_os_fact(host)
    result["backup_tools"] = facts.get_backup_tool_fact(host)
    result["cluster_service"] = facts.get_cluster_service_fact(host)

    local_database = facts.get_local_database_fact(host)
    result["cluster_database_present"] = local_database["present"]
    for warning in local_database["warnings"]:
        module.warn(warning)
    result["configuration_version"] = {
        "paxos_tag": local_database["paxos_tag"],
        "source": local_database["source"] if local_database["paxos_tag"] is not None else "none",
    }

    result["cluster"] = None
    result["nodes"] = []
    result["core_group_owner"] = None
    result["quorum"] = None
    result["configuration"] = None
    if result["cluster_service"]["installed"]:
        cluster_facts = facts.get_cluster_fact(host, module.params["include_configuration"])
        if cluster_facts["cluster_error"]:
            module.warn(
                "The cluster could not be reached from this node: "
                f"{cluster_facts['cluster_error']['message']}"
            )
        result["cluster"] = cluster_facts["cluster"]
        result["nodes"] = cluster_facts["nodes"]
        result["core_group_owner"] = cluster_facts["core_group_owner"]
        result["quorum"] = cluster_facts["quorum"]
        result["configuration"] = cluster_facts["configuration"]
