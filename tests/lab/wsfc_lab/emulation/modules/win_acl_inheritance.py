"""ansible.windows.win_acl_inheritance: turn inheritance of a path's ACL off or on.

Follows win_acl_inheritance.ps1 (ansible.windows 3.3.0): path (environment variables
expanded), state absent (inheritance disabled, the default) or present, reorganize.
Disabling with reorganize keeps the inherited rules as explicit ones
(SetAccessRuleProtection($true, $true)); without it they are dropped. Enabling with
reorganize removes explicit rules that duplicate inherited ones. The diff holds the state
before and after; check mode changes nothing.

The world's ACL of the path (world/acl.py) keeps `protected`; the inherited rules come from
acl.inherited_entries (the ACLs above, and the volume's defaults for Windows-style ACLs).
"""

from __future__ import annotations

from typing import Any

from wsfc_lab.emulation.framework.basic import EmulatedModule
from wsfc_lab.emulation.framework.node_environment import expand_environment_variables
from wsfc_lab.emulation.framework.registry import emulates
from wsfc_lab.world import acl

SPEC = {
    "options": {
        "path": {"type": "str", "required": True},
        "reorganize": {"type": "bool", "default": False},
        "state": {"type": "str", "default": "absent", "choices": ["absent", "present"]},
    },
    "supports_check_mode": True,
}


def _same(entry: dict[str, Any], other: dict[str, Any]) -> bool:
    """Every property but IsInherited (Remove-AclExplicitDuplicate)."""
    return (
        entry["principal"].lower() == other["principal"].lower()
        and entry["type"] == other["type"]
        and acl.entry_mask(entry) == acl.entry_mask(other)
        and entry.get("inherit", "ContainerInherit, ObjectInherit")
        == other.get("inherit", "ContainerInherit, ObjectInherit")
        and entry.get("propagation", "None") == other.get("propagation", "None")
    )


@emulates("ansible.windows.win_acl_inheritance", spec=SPEC)
def win_acl_inheritance(module: EmulatedModule) -> None:
    path: str = module.params["path"]
    if not path.startswith("\\\\?\\"):
        path = expand_environment_variables(path, module.environment)
    wanted: str = module.params["state"]
    reorganize: bool = module.params["reorganize"]
    real = module.world.resolve_path(module.node, path)
    if not real.exists():
        module.fail_json(f"{path} does not exist")

    module.world.operation(module.node, "Get-Acl")
    with module.world.transaction() as state:
        current = acl.get_acl(state, module.node, path) or {}
        before = "absent" if current.get("protected") else "present"
        module.diff["before"] = {"state": before}
        module.diff["after"] = {"state": before}
        if before == wanted:
            return
        entries = [dict(e) for e in current.get("entries", [])]
        inherited = acl.inherited_entries(state, real)
        if wanted == "absent" and reorganize:
            entries += [e for e in inherited if not any(_same(e, x) for x in entries)]
        elif wanted == "present" and reorganize:
            entries = [e for e in entries if not any(_same(e, i) for i in inherited)]
        module.result["changed"] = True
        module.diff["after"] = {"state": wanted}
        if module.check_mode:
            return
        acl.set_acl(
            state,
            module.node,
            path,
            entries,
            protected=wanted == "absent",
            owner=current.get("owner"),
            volume_defaults=bool(current.get(acl.VOLUME_DEFAULTS, not current)),
        )
