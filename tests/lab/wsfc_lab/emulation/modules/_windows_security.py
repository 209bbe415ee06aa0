"""Accounts and FileSystemRights as win_acl, win_acl_inheritance and win_share see them.

- resolve_account: Convert-ToSID then Translate([NTAccount]) on a lab host: the
  well-known and built-in accounts, the host's local Administrator and Guest, and the
  domain's groups, Administrator, computer accounts (hosts and the cluster name object)
  and the accounts the world extension `accounts` lists. Anything else does not
  resolve, as an unknown name fails on Windows.
- parse_rights / rights_names: [System.Security.AccessControl.FileSystemRights] from and
  to text, as .NET converts it.
- create_protected_directory: [System.IO.Directory]::CreateDirectory(path, DirectorySecurity)
  with the rules cluster_backup.ps1's New-WsfcProtectedDirectory builds (its port).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from wsfc_lab.windows import dotnet
from wsfc_lab.windows.errors import PowerShellError
from wsfc_lab.world import acl

if TYPE_CHECKING:
    from wsfc_lab.windows.host import PowerShellHost
    from wsfc_lab.world.state import LabState

# System.Security.AccessControl.FileSystemRights (winnt.h values), largest first.
FILE_SYSTEM_RIGHTS: dict[str, int] = {
    "FullControl": 0x1F01FF,
    "Modify": 0x301BF,
    "ReadAndExecute": 0x200A9,
    "Read": 0x20089,
    "Write": 0x116,
    "Synchronize": 0x100000,
    "TakeOwnership": 0x80000,
    "ChangePermissions": 0x40000,
    "ReadPermissions": 0x20000,
    "Delete": 0x10000,
    "WriteAttributes": 0x100,
    "ReadAttributes": 0x80,
    "DeleteSubdirectoriesAndFiles": 0x40,
    "ExecuteFile": 0x20,
    "Traverse": 0x20,
    "WriteExtendedAttributes": 0x10,
    "ReadExtendedAttributes": 0x8,
    "AppendData": 0x4,
    "CreateDirectories": 0x4,
    "WriteData": 0x2,
    "CreateFiles": 0x2,
    "ReadData": 0x1,
    "ListDirectory": 0x1,
}
SYNCHRONIZE = FILE_SYSTEM_RIGHTS["Synchronize"]
FULL_CONTROL = FILE_SYSTEM_RIGHTS["FullControl"]
INHERITANCE_FLAGS = ("ContainerInherit", "ObjectInherit")

WELL_KNOWN_ACCOUNTS: dict[str, str] = {
    "everyone": "Everyone",
    "creator owner": "CREATOR OWNER",
    "administrators": "BUILTIN\\Administrators",
    "users": "BUILTIN\\Users",
    "backup operators": "BUILTIN\\Backup Operators",
    "system": "NT AUTHORITY\\SYSTEM",
    "localsystem": "NT AUTHORITY\\SYSTEM",
    "authenticated users": "NT AUTHORITY\\Authenticated Users",
    "network service": "NT AUTHORITY\\NETWORK SERVICE",
    "local service": "NT AUTHORITY\\LOCAL SERVICE",
}
# The well-known SIDs the lab's accounts have (docs/windows-behaviour.md#ntfs-acl, the
# Well-known SIDs page), by their SDDL string: what SecurityIdentifier(String) names.
WELL_KNOWN_SIDS: dict[str, str] = {
    "S-1-1-0": "Everyone",
    "S-1-3-0": "CREATOR OWNER",
    "S-1-5-11": "NT AUTHORITY\\Authenticated Users",
    "S-1-5-18": "NT AUTHORITY\\SYSTEM",
    "S-1-5-19": "NT AUTHORITY\\LOCAL SERVICE",
    "S-1-5-20": "NT AUTHORITY\\NETWORK SERVICE",
    "S-1-5-32-544": "BUILTIN\\Administrators",
    "S-1-5-32-545": "BUILTIN\\Users",
    "S-1-5-32-551": "BUILTIN\\Backup Operators",
}
SID_STRING = re.compile(r"^S-1-[0-9]+(-[0-9]+)*$", re.IGNORECASE)
LOCAL_ACCOUNTS = ("Administrator", "Guest")
DOMAIN_GROUPS = ("Domain Admins", "Domain Users", "Domain Computers")
# A world extension a test or a lab description may fill: domain account -> its groups.
ACCOUNTS_EXTENSION = "accounts"


def _enum_error(text: str, name: str, enum: str, names: list[str]) -> ValueError:
    return ValueError(
        f'Cannot convert value "{text}" to type "System.Security.AccessControl.{enum}". '
        f'Error: "Unable to match the identifier name {name} to a valid enumerator name. '
        f'Specify one of the following enumerator names and try again: {", ".join(names)}"'
    )


def parse_rights(text: str) -> int:
    """[FileSystemRights]"<text>": names joined by commas, or a number."""
    text = text.strip()
    if re.fullmatch(r"\d+", text):
        return int(text)
    folded = {name.lower(): value for name, value in FILE_SYSTEM_RIGHTS.items()}
    mask = 0
    for name in (part.strip() for part in text.split(",")):
        if name.lower() not in folded:
            raise _enum_error(text, name, "FileSystemRights", list(FILE_SYSTEM_RIGHTS))
        mask |= folded[name.lower()]
    return mask


def rule_rights(mask: int, rule_type: str) -> int:
    """What a FileSystemAccessRule stores: .NET adds Synchronize to an allow rule and
    takes it from a deny rule other than FullControl (FileSystemAccessRule's constructor,
    .NET reference source)."""
    if rule_type == "allow":
        return mask | SYNCHRONIZE
    return mask if mask == FULL_CONTROL else mask & ~SYNCHRONIZE


def rights_names(mask: int) -> str:
    """FileSystemRights.ToString(): the largest named values first."""
    names: list[str] = []
    rest = mask
    aliases = ("Traverse", "CreateDirectories", "CreateFiles", "ListDirectory")
    for name, value in FILE_SYSTEM_RIGHTS.items():
        if rest and rest & value == value and name not in aliases:
            names.append(name)
            rest &= ~value
    return ", ".join(names) if not rest else str(mask)


def parse_inheritance(text: str) -> str:
    """[InheritanceFlags]"<text>" in its canonical spelling ("None" for neither)."""
    flags = [part.strip().lower() for part in text.split(",") if part.strip()]
    for flag in flags:
        if flag not in ("containerinherit", "objectinherit", "none"):
            raise _enum_error(text, flag, "InheritanceFlags", [*INHERITANCE_FLAGS, "None"])
    chosen = [name for name in INHERITANCE_FLAGS if name.lower() in flags]
    return ", ".join(chosen) or "None"


def access_level(mask: int) -> str:
    """The coarse level world/acl.py keeps beside the mask: full, modify or read."""
    if mask & FULL_CONTROL == FULL_CONTROL:
        return acl.FULL
    if mask & FILE_SYSTEM_RIGHTS["WriteData"]:
        return acl.MODIFY
    return acl.READ


def netbios_domain(state: LabState) -> str:
    return str(state.data["cluster"]["domain"]).split(".", maxsplit=1)[0].upper()


def _domain_accounts(state: LabState) -> list[str]:
    domain = netbios_domain(state)
    names = [f"{domain}\\{group}" for group in DOMAIN_GROUPS]
    names.append(f"{domain}\\Administrator")
    names += [f"{domain}\\{host}$" for host in state.data["hosts"]]
    names.append(f"{domain}\\{state.data['cluster']['name']}$")
    extra = state.extension(ACCOUNTS_EXTENSION)
    names += [name if "\\" in name else f"{domain}\\{name}" for name in extra]
    return names


def resolve_account(state: LabState, node: str, name: str) -> str | None:
    """The NTAccount form of `name` as `node` resolves it, or None when it cannot."""
    text = name.strip()
    if "@" in text and "\\" not in text:
        account, _at, domain = text.partition("@")
        text = f"{domain.split('.')[0]}\\{account}"
    host = (state.host_name(node) or node).upper()
    domain = netbios_domain(state)
    prefix, _backslash, account = text.rpartition("\\")
    prefix = prefix.upper()
    if prefix in ("", "BUILTIN", "NT AUTHORITY") and account.lower() in WELL_KNOWN_ACCOUNTS:
        return WELL_KNOWN_ACCOUNTS[account.lower()]
    local = {a.lower(): a for a in LOCAL_ACCOUNTS}
    if prefix in ("", ".", host) and account.lower() in local:
        return f"{host}\\{local[account.lower()]}"
    if prefix in ("", domain):
        for candidate in _domain_accounts(state):
            if candidate.split("\\", 1)[1].lower() == account.lower():
                return candidate
    return None


def sid_account(text: str) -> str | None:
    """The account a SID string names (SecurityIdentifier(String), no name lookup), by
    WELL_KNOWN_SIDS; None when `text` is not a well-formed SID string. A well-formed SID the
    lab has no account for raises NotEmulatedSid: the lab cannot know whose it is."""
    if not SID_STRING.match(text.strip()):
        return None
    sid = text.strip().upper()
    if sid not in WELL_KNOWN_SIDS:
        raise NotEmulatedSid(sid)
    return WELL_KNOWN_SIDS[sid]


class NotEmulatedSid(Exception):
    """A well-formed SID that is none of the lab's well-known accounts."""


# What .NET throws when an NTAccount of a rule does not translate to a SID as the security
# descriptor is written (IdentityNotMappedException, no Win32 code).
IDENTITY_NOT_MAPPED = "Some or all identity references could not be translated."
CONTAINER_AND_OBJECT = "ContainerInherit, ObjectInherit"


def create_protected_directory(host: PowerShellHost, windows_path: str, writers: list[str]) -> None:
    """New-WsfcProtectedDirectory: the parent created plainly, then the directory with an
    ACL of its own, protected (SetAccessRuleProtection($true, $false)): FullControl for
    S-1-5-32-544 and S-1-5-18, Modify for each writer, ContainerInherit, ObjectInherit,
    propagation None (docs/windows-behaviour.md#ntfs-acl, #directory-security)."""
    parent = directory_name(windows_path)
    if parent:
        dotnet.create_directory(host, parent)
    host.operation(dotnet.OPERATION_MKDIR)
    with host.world.transaction() as state:
        entries = [
            allow_rule("BUILTIN\\Administrators", FULL_CONTROL),
            allow_rule("NT AUTHORITY\\SYSTEM", FULL_CONTROL),
        ]
        for writer in writers:
            account = resolve_account(state, host.node, writer)
            if account is None:
                raise PowerShellError(None, IDENTITY_NOT_MAPPED)
            entries.append(allow_rule(account, FILE_SYSTEM_RIGHTS["Modify"]))
        real = state.resolve_path(host.node, windows_path)
        existing = real
        while not existing.exists() and existing.parent != existing:
            existing = existing.parent
        acl.require(state, existing, acl.principals_of(host.user), "write", windows_path)
        real.mkdir(parents=True, exist_ok=True)
        acl.set_acl(state, host.node, windows_path, entries, protected=True)


def allow_rule(principal: str, rights: int) -> dict[str, Any]:
    """A FileSystemAccessRule as the modules build one: allow, the rights as .NET stores
    them (Synchronize added), inherited by subfolders and files, propagation None."""
    mask = rule_rights(rights, "allow")
    return {
        "principal": principal,
        "access": access_level(mask),
        "type": "allow",
        "rights": mask,
        "inherit": CONTAINER_AND_OBJECT,
        "propagation": "None",
    }


def same_rule(entry: dict[str, Any], wanted: dict[str, Any]) -> bool:
    """Whether an explicit rule has the wanted rule's account, type, inheritance and
    propagation (its rights aside): the rule an added one merges into, as ObjectSecurity
    merges them, and what win_acl and backup_folders compare before the rights."""
    return (
        entry["principal"].lower() == wanted["principal"].lower()
        and entry["type"] == wanted["type"]
        and entry.get("inherit", CONTAINER_AND_OBJECT) == wanted["inherit"]
        and entry.get("propagation", "None") == wanted["propagation"]
    )


def exact_rule(entry: dict[str, Any], wanted: dict[str, Any]) -> bool:
    """same_rule with the same rights as well: the rule win_acl and backup_folders find
    present, and remove."""
    return same_rule(entry, wanted) and acl.entry_mask(entry) == wanted["rights"]


def add_rule(entries: list[dict[str, Any]], wanted: dict[str, Any]) -> None:
    """AddAccessRule: the wanted rule's rights merged into the explicit rule of the same
    account, type and flags (same_rule), else the rule appended."""
    merged = next((e for e in entries if same_rule(e, wanted)), None)
    if merged is None:
        entries.append(wanted)
    else:
        merged["rights"] = acl.entry_mask(merged) | wanted["rights"]
        merged["access"] = access_level(merged["rights"])


def directory_name(windows_path: str) -> str:
    """[System.IO.Path]::GetDirectoryName: the path without its last component; empty for
    a root (C:\\, \\\\server\\share)."""
    text = windows_path.rstrip("\\")
    if text.startswith("\\\\"):
        parts = text[2:].split("\\")
        return "" if len(parts) <= 2 else "\\\\" + "\\".join(parts[:-1])
    head, _separator, tail = text.rpartition("\\")
    if not tail or not head:
        return ""
    return head + "\\" if head.endswith(":") else head
