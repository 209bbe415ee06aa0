"""wsfc.clusterdb.backup_folders: port of plugins/modules/backup_folders.ps1 over the lab's
Windows surface.

First every folder and the folder it is made in (Test-Path -LiteralPath [-PathType
Container]; [IO.Path]::GetDirectoryName) and every account (a SID string as
SecurityIdentifier(String) takes it, by _windows_security.sid_account; any other name by
NTAccount.Translate, as _windows_security.resolve_account resolves it), failing with 267 or
1332 before anything changes. Then per folder: [IO.Directory]::CreateDirectory when it is
missing, GetAccessControl (the world's ACL of the path, world/acl.py, read access needed),
each rule added (merged into an explicit rule of the same account, type and flags, as
win_acl's emulation does) or removed when exactly present, inheritance off without copying
(SetAccessRuleProtection($true, $false)), and SetAccessControl when anything changed. As in
win_acl's emulation, writing the ACL is not checked against the caller's rights.

Fault operations (docs/lab.md, Faults): "Directory.CreateDirectory",
"Directory.GetAccessControl", "Directory.SetAccessControl".
"""

from __future__ import annotations

from typing import Any

from wsfc_lab.emulation.framework.basic import EmulatedModule
from wsfc_lab.emulation.framework.registry import emulates
from wsfc_lab.emulation.modules._windows_files import not_emulated
from wsfc_lab.emulation.modules._windows_security import (
    FILE_SYSTEM_RIGHTS,
    NotEmulatedSid,
    add_rule,
    allow_rule,
    directory_name,
    exact_rule,
    resolve_account,
    sid_account,
)
from wsfc_lab.emulation.modules._wsfc_backup_set import get_win32_error_code
from wsfc_lab.windows import dotnet
from wsfc_lab.windows.errors import PowerShellError
from wsfc_lab.windows.host import PowerShellHost
from wsfc_lab.world import WindowsError, acl

PORT_OF = "plugins/modules/backup_folders.ps1"

_RULE = {
    "account": {"type": "str", "required": True},
    "rights": {"type": "str", "required": True, "choices": ["FullControl", "Modify"]},
    "state": {"type": "str", "default": "present", "choices": ["absent", "present"]},
}
SPEC = {
    "options": {
        "folders": {
            "type": "list",
            "elements": "dict",
            "required": True,
            "options": {
                "path": {"type": "str", "required": True},
                "access": {"type": "list", "elements": "dict", "default": [], "options": _RULE},
            },
        },
    },
    "supports_check_mode": True,
}

RETURNS = {"node_name", "folders", "not_directories", "unresolved_accounts", "error_code"}

ERROR_DIRECTORY = 267
ERROR_NONE_MAPPED = 1332
OPERATION_GET_ACL = "Directory.GetAccessControl"
OPERATION_SET_ACL = "Directory.SetAccessControl"


def _is_file(host: PowerShellHost, path: str) -> bool:
    return bool(host.invoke("Test-Path", LiteralPath=path)) and not host.invoke(
        "Test-Path", LiteralPath=path, PathType="Container"
    )


def _resolve(module: EmulatedModule, account: str) -> str | None:
    """The account's name in the world's ACLs: a SID string (starting with S-1-) as
    SecurityIdentifier(String) takes it, else NTAccount.Translate; None when it does not
    resolve (a name without a SID, a SID string that is not well formed)."""
    if account.upper().startswith("S-1-"):
        try:
            return sid_account(account)
        except NotEmulatedSid:
            not_emulated(module, "an access rule", f"the SID {account}")
    with module.world.transaction() as state:
        return resolve_account(state, module.node, account)


def _look_first(module: EmulatedModule, host: PowerShellHost) -> dict[str, str]:
    """The accounts' names as they resolve; fails with 267 or 1332 before any change."""
    accounts: dict[str, str] = {}
    for folder in module.params["folders"]:
        for candidate in (directory_name(folder["path"]), folder["path"]):
            if candidate and _is_file(host, candidate):
                module.result["not_directories"].append(candidate)
        for rule in folder["access"]:
            if rule["account"] in accounts:
                continue
            resolved = _resolve(module, rule["account"])
            if resolved is None:
                module.result["unresolved_accounts"].append(rule["account"])
            else:
                accounts[rule["account"]] = resolved
    if module.result["not_directories"]:
        module.result["error_code"] = ERROR_DIRECTORY
        module.fail_json(
            "A folder cannot be made where a file is: "
            + ", ".join(module.result["not_directories"])
        )
    if module.result["unresolved_accounts"]:
        module.result["error_code"] = ERROR_NONE_MAPPED
        module.fail_json(
            "No security identifier for: " + ", ".join(module.result["unresolved_accounts"])
        )
    return accounts


def _prepare(
    module: EmulatedModule, host: PowerShellHost, folder: dict[str, Any], accounts: dict[str, str]
) -> dict[str, Any]:
    path: str = folder["path"]
    report: dict[str, Any] = {
        "path": path,
        "created": False,
        "protected_before": False,
        "rules_added": [],
        "rules_removed": [],
        "changed": False,
    }
    module.result["folders"].append(report)
    if not host.invoke("Test-Path", LiteralPath=path, PathType="Container"):
        report["created"] = True
        if not module.check_mode:
            dotnet.create_directory(host, path)
    current: dict[str, Any] | None = None
    entries: list[dict[str, Any]] = []
    if not (report["created"] and module.check_mode):
        host.operation(OPERATION_GET_ACL)
        with module.world.transaction() as state:
            real = state.resolve_path(module.node, path)
            acl.require(state, real, acl.principals_of(module.user), "read", path)
            current = acl.get_acl(state, module.node, path) or {}
        entries = [dict(e) for e in current.get("entries", [])]
        report["protected_before"] = bool(current.get("protected"))
    for rule in folder["access"]:
        wanted = allow_rule(accounts[rule["account"]], FILE_SYSTEM_RIGHTS[rule["rights"]])
        found = current is not None and any(exact_rule(e, wanted) for e in entries)
        text = f"{rule['account']}: {rule['rights']}"
        if rule["state"] == "present" and not found:
            report["rules_added"].append(text)
            add_rule(entries, wanted)
        elif rule["state"] == "absent" and found:
            report["rules_removed"].append(text)
            entries = [e for e in entries if not exact_rule(e, wanted)]
    protect = not report["protected_before"]
    report["changed"] = bool(
        report["created"] or protect or report["rules_added"] or report["rules_removed"]
    )
    if report["changed"] and current is not None and not module.check_mode:
        host.operation(OPERATION_SET_ACL)
        with module.world.transaction() as state:
            acl.set_acl(
                state,
                module.node,
                path,
                entries,
                protected=True,
                owner=current.get("owner"),
                volume_defaults=bool(current.get(acl.VOLUME_DEFAULTS, not current)),
            )
    return report


@emulates("wsfc.clusterdb.backup_folders", spec=SPEC, returns=RETURNS)
def backup_folders(module: EmulatedModule) -> None:
    host = PowerShellHost(module.world, module.node, module.user)  # type: ignore[arg-type]
    module.result.update(
        changed=False,
        node_name=host.computer_name,
        folders=[],
        not_directories=[],
        unresolved_accounts=[],
        error_code=None,
    )
    accounts = _look_first(module, host)
    for folder in module.params["folders"]:
        try:
            report = _prepare(module, host, folder, accounts)
        except (PowerShellError, WindowsError) as error:
            module.result["error_code"] = get_win32_error_code(error)
            module.fail_json(f"Failed to prepare the folder '{folder['path']}': {error}")
        if report["changed"]:
            module.result["changed"] = True
