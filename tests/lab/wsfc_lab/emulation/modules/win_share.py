"""ansible.windows.win_share: an SMB share of a folder on the node, and its permissions.

Follows win_share.ps1 (ansible.windows 3.3.0, a Legacy module): name, state
present|absent, path, description, list (folder enumeration Unrestricted, else
AccessBased), full/change/read/deny (comma-separated accounts), rule_action set|add,
caching_mode, encrypt, scope_name. `actions` lists the cmdlets run, in the module's
words. A new share starts as New-SmbShare leaves it (Everyone: Read); with rule_action
set, access entries not asked for are revoked, and a right that implies another (Full
over Change over Read) drops the lesser one from the lists. Accounts are resolved as
Ansible.ModuleUtils.SID's Convert-ToSID does, a SID string first
(_windows_security.sid_account), then a name (_windows_security.resolve_account); an
unknown one fails. A cmdlet is
listed in `actions` once it ran (in check mode: without running), as the module lists it;
New-SmbShare for a name that another caller shared after this run's Get-SmbShare fails
as Windows refuses a duplicate share name, with no share taken over.

The share goes into the world's share table (state.add_share / remove_share), so
\\\\<node>\\<name> resolves; its permissions are kept on the share record
(`permissions`) where the ACL check (world/acl.py) reads them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from wsfc_lab.emulation.framework.basic import EmulatedModule, UnhandledModuleException
from wsfc_lab.emulation.framework.registry import emulates
from wsfc_lab.emulation.modules._windows_files import full_name, not_emulated
from wsfc_lab.emulation.modules._windows_security import (
    NotEmulatedSid,
    resolve_account,
    sid_account,
)

if TYPE_CHECKING:
    from wsfc_lab.world.state import LabState

SPEC = {
    "options": {
        "name": {"type": "str", "required": True},
        "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
        "rule_action": {"type": "str", "default": "set", "choices": ["set", "add"]},
        "path": {"type": "path"},
        "description": {"type": "str", "default": ""},
        "scope_name": {"type": "str"},
        "list": {"type": "bool", "default": False},
        "read": {"type": "str", "default": ""},
        "change": {"type": "str", "default": ""},
        "full": {"type": "str", "default": ""},
        "deny": {"type": "str", "default": ""},
        "caching_mode": {
            "type": "str",
            "default": "Manual",
            "choices": ["BranchCache", "Documents", "Manual", "None", "Programs", "Unknown"],
        },
        "encrypt": {"type": "bool", "default": False},
    },
    "supports_check_mode": True,
}

# Get-SmbShare's values for a share the lab description made (no record of its own).
SHARE_DEFAULTS: dict[str, Any] = {
    "description": "",
    "folder_enumeration_mode": "Unrestricted",
    "caching_mode": "Manual",
    "encrypt": False,
    "scope_name": "*",
}
# New-SmbShare without access parameters grants Everyone read access.
NEW_SHARE_PERMISSIONS = [{"account": "Everyone", "right": "Read", "type": "Allow"}]
# A share from the lab description behaves as if Everyone had full access.
OPEN_SHARE_PERMISSIONS = [{"account": "Everyone", "right": "Full", "type": "Allow"}]

ShareChange = Callable[["LabState", str], None]

# NetShareAdd's description of NERR_DuplicateShare; the text New-SmbShare shows is
# *unconfirmed* (docs/windows-behaviour.md#smb-share).
DUPLICATE_SHARE_MESSAGE = "The share name is already in use on this server."

# Windows Server 2012 (6.2) brought the SmbShare cmdlets.
SMB_CMDLETS_VERSION = (6, 2)


class _Share:
    """The share record of this node, changed through world operations (not in check mode)."""

    def __init__(self, module: EmulatedModule, name: str) -> None:
        self.module = module
        self.name = name

    def get(self) -> dict[str, Any] | None:
        with self.module.world.transaction() as state:
            host = state.host_name(self.module.node) or self.module.node
            found = state.shares.get(host, {}).get(self.name.lower())
            return None if found is None else {**SHARE_DEFAULTS, **found}

    def run(self, action: str, change: ShareChange | None = None) -> None:
        """Run the cmdlet (an operation, then the change), then record it in `actions`, as
        win_share.ps1 does: a cmdlet that fails is not listed. In check mode only recorded."""
        if not self.module.check_mode:
            self.module.world.operation(self.module.node, action.split()[0])
            if change is not None:
                with self.module.world.transaction() as state:
                    change(state, state.host_name(self.module.node) or self.module.node)
        self.module.result["actions"].append(action)
        self.module.result["changed"] = True

    def update(self, **values: object) -> ShareChange:
        def change(state: LabState, host: str) -> None:
            state.shares[host][self.name.lower()].update(values)

        return change


def _accounts(module: EmulatedModule, text: str) -> list[str]:
    """NormalizeAccounts: each account (Convert-ToSID: a SID string, else a name) resolved to
    its NTAccount form; unknown ones fail."""
    names: list[str] = []
    with module.world.transaction() as state:
        for item in (part.strip() for part in text.strip().split(",") if text.strip()):
            # Convert-ToSID takes the text as a SID string first, then as a name.
            try:
                account = sid_account(item) or resolve_account(state, module.node, item)
            except NotEmulatedSid:
                not_emulated(module, "a share permission", f"the SID {item}")
            if account is None:
                module.fail_json(
                    f"{item} is not a valid user or group on the host machine or domain"
                )
            names.append(account)
    return names


def _check_cmdlets(module: EmulatedModule) -> None:
    version = module.world.node_facts(module.node)["os_version"]
    if tuple(int(part) for part in version.split(".")[:2]) < SMB_CMDLETS_VERSION:
        module.fail_json(
            "The current host does not support the -SmbShare cmdlets required by this "
            "module. Please run on Server 2012 or Windows 8 and later"
        )


def _present(module: EmulatedModule, share: _Share, found: dict[str, Any] | None) -> None:
    params = module.params
    path: str | None = params["path"]
    if not path:
        module.fail_json("missing required arguments: path")
    real = module.world.resolve_path(module.node, path)
    if not real.exists():
        module.fail_json(f"{path} directory does not exist on the host")
    path = full_name(path, real)
    name = share.name

    def create(state: LabState, host: str) -> None:
        # The server refuses a second share of a name in use (NERR_DuplicateShare,
        # docs/windows-behaviour.md#smb-share), checked here under the lab's lock: two
        # runs that both found no share a moment ago cannot both create it. New-SmbShare's
        # error is terminating under the module's ErrorActionPreference Stop.
        if name.lower() in state.shares.get(host, {}):
            raise UnhandledModuleException(DUPLICATE_SHARE_MESSAGE)
        state.add_share(host, name, path)
        state.shares[host][name.lower()]["permissions"] = list(NEW_SHARE_PERMISSIONS)

    if found is None:
        share.run(f"New-SmbShare -Name {name} -Path {path}", create)
        if module.check_mode:
            return
        found = share.get()
        assert found is not None
    if str(found["path"]).lower() != path.lower():
        share.run(f"Remove-SmbShare -Force -Name {name}")
        share.run(f"New-SmbShare -Name {name} -Path {path}", create)
        found = share.get() or found

    folder_enumeration = "Unrestricted" if params["list"] else "AccessBased"
    settings = (
        ("Description", "description", params["description"]),
        ("FolderEnumerationMode", "folder_enumeration_mode", folder_enumeration),
        ("CachingMode", "caching_mode", params["caching_mode"]),
        ("EncryptData", "encrypt", params["encrypt"]),
    )
    for cmdlet_name, key, wanted in settings:
        if found[key] != wanted:
            share.run(
                f"Set-SmbShare -Force -Name {name} -{cmdlet_name} {wanted}",
                share.update(**{key: wanted}),
            )
    scope = params["scope_name"]
    if scope and found["scope_name"] != scope:
        share.run(f"Set-SmbShare -Force -Name {name} -ScopeName {scope}",
                  share.update(scope_name=scope))  # fmt: skip
    _permissions(module, share, found)


def _permissions(module: EmulatedModule, share: _Share, found: dict[str, Any]) -> None:
    name = share.name
    wanted = {
        right: _accounts(module, module.params[option])
        for right, option in (("Read", "read"), ("Change", "change"), ("Full", "full"))
    }
    deny = _accounts(module, module.params["deny"])
    # Rights that imply others: full over change and read, change over read.
    for user in wanted["Full"]:
        wanted["Change"] = [u for u in wanted["Change"] if u != user]
        wanted["Read"] = [u for u in wanted["Read"] if u != user]
    for user in wanted["Change"]:
        wanted["Read"] = [u for u in wanted["Read"] if u != user]

    current = found.get("permissions")
    current = list(OPEN_SHARE_PERMISSIONS if current is None else current)

    def without(account: str, kind: str) -> ShareChange:
        def change(state: LabState, host: str) -> None:
            record = state.shares[host][name.lower()]
            entries = record.get("permissions")
            entries = list(OPEN_SHARE_PERMISSIONS if entries is None else entries)
            record["permissions"] = [
                e for e in entries if not (e["account"] == account and e["type"] == kind)
            ]

        return change

    def granting(account: str, right: str, kind: str) -> ShareChange:
        def change(state: LabState, host: str) -> None:
            record = state.shares[host][name.lower()]
            entries = record.get("permissions")
            entries = list(OPEN_SHARE_PERMISSIONS if entries is None else entries)
            entries = [e for e in entries if not (e["account"] == account and e["type"] == kind)]
            record["permissions"] = [*entries, {"account": account, "right": right, "type": kind}]

        return change

    for entry in current:
        account, right, kind = entry["account"], entry["right"], entry["type"]
        if kind == "Deny":
            if (
                module.params["rule_action"] == "set"
                and account not in deny
                and not (account == "Everyone" and len(current) == 1)
            ):
                share.run(f"Unblock-SmbShareAccess -Force -Name {name} -AccountName {account}",
                          without(account, "Deny"))  # fmt: skip
            elif account in deny:
                deny.remove(account)
        elif account in wanted[right]:
            wanted[right].remove(account)
        elif module.params["rule_action"] == "set":
            share.run(f"Revoke-SmbShareAccess -Force -Name {name} -AccountName {account}",
                      without(account, "Allow"))  # fmt: skip

    for right in ("Read", "Change", "Full"):
        for account in wanted[right]:
            share.run(
                f"Grant-SmbShareAccess -Force -Name {name} -AccountName {account} "
                f"-AccessRight {right}",
                granting(account, right, "Allow"),
            )
    for account in deny:
        share.run(f"Block-SmbShareAccess -Force -Name {name} -AccountName {account}",
                  granting(account, "Full", "Deny"))  # fmt: skip


@emulates("ansible.windows.win_share", spec=SPEC, returns={"actions"})
def win_share(module: EmulatedModule) -> None:
    module.result["actions"] = []
    _check_cmdlets(module)
    share = _Share(module, module.params["name"])
    found = share.get()
    if module.params["state"] == "absent":
        if found is not None:
            name = share.name
            share.run(
                f"Remove-SmbShare -Force -Name {name}",
                lambda state, host: state.remove_share(host, name),
            )
        return
    _present(module, share, found)
