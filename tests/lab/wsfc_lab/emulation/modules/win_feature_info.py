"""ansible.windows.win_feature_info: the Windows features of a lab node.

Follows win_feature_info.ps1 (ansible.windows 3.3.0): option name (default '*', wildcards
as Get-WindowsFeature -Name takes them); `exists` and `features` with the keys the module
returns for each. The lab knows the features in the node's record (Failover-Clustering,
Windows-Server-Backup: installed or not); the other keys carry what Get-WindowsFeature
shows for those two on Windows Server.
"""

from __future__ import annotations

import fnmatch
from typing import Any

from wsfc_lab.emulation.framework.basic import EmulatedModule
from wsfc_lab.emulation.framework.registry import emulates

SPEC = {
    "options": {"name": {"type": "str", "default": "*"}},
    "supports_check_mode": True,
}

FEATURES: dict[str, dict[str, Any]] = {
    "Failover-Clustering": {
        "display_name": "Failover Clustering",
        "description": (
            "Failover Clustering allows multiple servers to work together to provide high "
            "availability of server roles."
        ),
        "path": "Failover Clustering",
        "system_service": ["clussvc"],
    },
    "Windows-Server-Backup": {
        "display_name": "Windows Server Backup",
        "description": (
            "Windows Server Backup allows you to back up and recover your operating system, "
            "applications and data."
        ),
        "path": "Windows Server Backup",
        "system_service": [],
    },
}


def _feature(name: str, installed: bool) -> dict[str, Any]:
    known = FEATURES.get(name, {"display_name": name, "description": "", "path": name,
                                "system_service": []})  # fmt: skip
    return {
        "name": name,
        "display_name": known["display_name"],
        "description": known["description"],
        "installed": installed,
        "install_state": "Installed" if installed else "Available",
        "feature_type": "Feature",
        "path": known["path"],
        "depth": 1,
        "depends_on": [],
        "parent": None,
        "server_component_descriptor": None,
        "sub_features": [],
        "system_service": known["system_service"],
        "best_practices_model_id": None,
        "event_query": None,
        "post_configuration_needed": False,
        "additional_info": {},
    }


@emulates("ansible.windows.win_feature_info", spec=SPEC, returns={"exists", "features"})
def win_feature_info(module: EmulatedModule) -> None:
    pattern = module.params["name"].lower()
    module.world.operation(module.node, "Get-WindowsFeature")
    with module.world.transaction() as state:
        features = dict(state.node(module.node)["features"])
    found = [
        _feature(name, bool(installed))
        for name, installed in sorted(features.items())
        if fnmatch.fnmatchcase(name.lower(), pattern)
    ]
    module.result["features"] = found
    module.result["exists"] = bool(found)
