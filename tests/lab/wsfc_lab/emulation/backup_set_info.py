"""wsfc.clusterdb.backup_set_info: the raw listing of the backup sets under a path.

As plugins/modules/backup_set_info.ps1: node_name, path_info and the set listing
(emulation/backup_set_listing.py), every set hashed when `verify` is true and none when it
is false; `cluster_name` is accepted and not used (the controller filters). Read only, so
check mode runs the same listing. A listing that fails (access denied, a fault on
"Get-ChildItem" or "Get-FileHash") fails the module with the Win32 code in error_code.
Verification against the manifests is the controller's work (plugins/action/backup_set_info.py).
"""

from __future__ import annotations

from wsfc_lab.emulation.backup_set_listing import list_backup_sets, path_info
from wsfc_lab.emulation.basic import EmulatedModule
from wsfc_lab.emulation.registry import emulates
from wsfc_lab.world import WindowsError, World

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
    world = module.world
    if not isinstance(world, World):
        raise TypeError("the backup emulations need the lab's World")
    path = module.params["path"]
    hash_sets = "all" if module.params["verify"] else "none"
    module.result["changed"] = False
    with world.transaction() as state:
        module.result["node_name"] = state.node(module.node)["name"]
    try:
        module.result["path_info"] = path_info(world, module.node, path)
        module.result["sets"] = list_backup_sets(world, module.node, module.user, path, hash_sets)
    except WindowsError as error:
        module.result["error_code"] = error.code
        module.fail_json(f"Failed to list the backup sets under '{path}': {error.message}")
