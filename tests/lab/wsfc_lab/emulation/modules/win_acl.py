"""ansible.windows.win_acl: add or remove one access rule on a file or folder.

Follows win_acl.ps1 (ansible.windows 3.3.0, a Legacy module without check mode): path,
user, rights (FileSystemRights names, comma-separated), type allow|deny, state
present|absent, inherit (default "ContainerInherit, ObjectInherit" on a folder, always
"None" on a file), propagation None|InheritOnly|NoPropagateInherit, follow. A rule
"exists" when an explicit rule has the same account, rights (as the .NET rule stores
them: Synchronize added to allow rules), type and flags; adding one merges its rights
into an explicit rule with the same account, type and flags, as ObjectSecurity does.

The rules go to the world's ACL of the path (world/acl.py set_acl / get_acl; each entry
keeps the rights mask, inherit and propagation beside the coarse access level), where the
lab's access check reads them. An ACL win_acl starts is Windows-style (volume_defaults):
the rules inherited from the volume root (administrators, SYSTEM, users) still apply.
Registry and certificate paths are not emulated.
"""

from __future__ import annotations

import re
from typing import Any

from wsfc_lab.emulation.framework.basic import EmulatedModule
from wsfc_lab.emulation.framework.registry import emulates
from wsfc_lab.emulation.modules._windows_files import not_emulated
from wsfc_lab.emulation.modules._windows_security import (
    access_level,
    add_rule,
    exact_rule,
    parse_inheritance,
    parse_rights,
    resolve_account,
    rule_rights,
)
from wsfc_lab.world import acl

SPEC = {
    "options": {
        "path": {"type": "str", "required": True},
        "user": {"type": "str", "required": True},
        "rights": {"type": "str", "required": True},
        "type": {"type": "str", "required": True, "choices": ["allow", "deny"]},
        "state": {"type": "str", "default": "present", "choices": ["absent", "present"]},
        "inherit": {"type": "str"},
        "propagation": {
            "type": "str",
            "default": "None",
            "choices": ["InheritOnly", "None", "NoPropagateInherit"],
        },
        "follow": {"type": "bool", "default": False},
    },
    # Parse-Args without -supports_check_mode: the module is skipped in check mode.
    "supports_check_mode": False,
}
_PROVIDER_PATH = re.compile(r"^(HK[A-Z]+|Cert):", re.IGNORECASE)


def _rule(module: EmulatedModule, account: str, is_file: bool) -> dict[str, Any]:
    params = module.params
    inherit = "None" if is_file else (params["inherit"] or "ContainerInherit, ObjectInherit")
    rights = rule_rights(parse_rights(params["rights"]), params["type"])
    return {
        "principal": account,
        "access": access_level(rights),
        "type": params["type"],
        "rights": rights,
        "inherit": parse_inheritance(inherit),
        "propagation": params["propagation"],
    }


@emulates("ansible.windows.win_acl", spec=SPEC)
def win_acl(module: EmulatedModule) -> None:
    path: str = module.params["path"]
    user: str = module.params["user"]
    state_wanted: str = module.params["state"]
    if _PROVIDER_PATH.match(path):
        not_emulated(module, "win_acl", f"a registry or certificate path ({path})")
    real = module.world.resolve_path(module.node, path)
    if not real.exists():
        module.fail_json(f"{path} file or directory does not exist on the host")
    with module.world.transaction() as state:
        account = resolve_account(state, module.node, user)
    if account is None:
        module.fail_json(f"{user} is not a valid user or group on the host machine or domain")
    try:
        wanted = _rule(module, account, real.is_file())
    except ValueError as error:
        module.fail_json(
            f"an error occurred when attempting to {state_wanted} {module.params['rights']} "
            f"permission(s) on {path} for {user} - {error}"
        )

    module.world.operation(module.node, "Set-Acl")
    with module.world.transaction() as state:
        current = acl.get_acl(state, module.node, path) or {}
        entries: list[dict[str, Any]] = [dict(e) for e in current.get("entries", [])]
        exists = any(exact_rule(e, wanted) for e in entries)
        if state_wanted == "present" and not exists:
            add_rule(entries, wanted)
        elif state_wanted == "absent" and exists:
            entries = [e for e in entries if not exact_rule(e, wanted)]
        else:
            return
        acl.set_acl(
            state,
            module.node,
            path,
            entries,
            protected=bool(current.get("protected")),
            owner=current.get("owner"),
            # A new ACL is Windows-style: the volume's default ACL stays inherited.
            volume_defaults=bool(current.get(acl.VOLUME_DEFAULTS, not current)),
        )
    module.result["changed"] = True
