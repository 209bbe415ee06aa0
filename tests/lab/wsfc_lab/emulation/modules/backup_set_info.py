"""wsfc.clusterdb.backup_set_info: port of plugins/modules/backup_set_info.ps1 over the lab's
Windows surface: node_name, path_info and the set listing (_wsfc_backup_set), every set hashed
when `verify` is true. Read only; verification is the controller's work."""

from __future__ import annotations

from wsfc_lab.emulation.framework.basic import EmulatedModule
from wsfc_lab.emulation.framework.registry import emulates
from wsfc_lab.emulation.modules import _wsfc_backup_set as backup_set
from wsfc_lab.windows.errors import PowerShellError
from wsfc_lab.windows.host import PowerShellHost
from wsfc_lab.world import WindowsError

PORT_OF = "plugins/modules/backup_set_info.ps1"

SPEC = {
    "options": {
        "path": {"type": "str", "required": True},
        "verify": {"type": "bool", "default": True},
        "cluster_name": {"type": "str"},
    },
    "supports_check_mode": True,
}

RETURNS = {"node_name", "path_info", "sets", "error_code"}


@emulates("wsfc.clusterdb.backup_set_info", spec=SPEC, returns=RETURNS)
def backup_set_info(module: EmulatedModule) -> None:
    host = PowerShellHost(module.world, module.node, module.user)  # type: ignore[arg-type]
    path = module.params["path"]
    hash_sets = "all" if module.params["verify"] else "none"
    module.result["changed"] = False
    module.result["node_name"] = host.computer_name
    try:
        module.result["path_info"] = backup_set.get_backup_path_info(host, path)
        module.result["sets"] = backup_set.get_backup_set_listing(host, path, hash_sets)
    except (PowerShellError, WindowsError) as error:
        module.result["error_code"] = backup_set.get_win32_error_code(error)
        module.fail_json(f"Failed to list the backup sets under '{path}': {error}")
