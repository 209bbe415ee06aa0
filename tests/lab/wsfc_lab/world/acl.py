"""Directory ACLs in the lab: who may read and who may write under a path.

The state keeps them in the lab-wide extension `acl` (LabState.extension("acl")), keyed by
the real path below the lab directory (posix, lower case, since Windows paths match
case-insensitively), so that a local path and the UNC paths that reach the same directory
(`C:\\Shares\\x` on FS01, `\\\\FS01\\share\\x`, `\\\\FS01\\C$\\Shares\\x`) share one ACL:

    extensions.acl["fs/fs01/c/shares/locked"] = {
        "path": "C:\\Shares\\locked",        # as it was set, for status displays
        "host": "FS01",
        "entries": [{"principal": "Everyone", "access": "read", "type": "allow"},
                    {"principal": "CORP\\backup", "access": "modify", "type": "allow"}],
    }

`access` is `read`, `modify` (read and write) or `full`; `type` is `allow` or `deny`.
An ACL is inherited by everything below its directory. The rule, a small part of Windows'
(no ordering of explicit before inherited entries, no owner rights):
- with no ACL on the path or above it, every access is allowed (the lab's accounts are
  administrators of every host);
- otherwise a deny entry that matches one of the caller's principals, anywhere on the way
  up, refuses, and else an allow entry must match: ERROR_ACCESS_DENIED (5) when none does.

Principals match case-insensitively, with or without the domain (`CORP\\bob` matches an
entry `bob`), and `Everyone` matches every caller. The ansible.windows win_acl emulation
writes these entries; the backup emulations check them.

What the ansible.windows emulations (win_acl, win_acl_inheritance, win_share) add, all
optional, so that an ACL set with `set_acl` alone keeps the rule above:
- on an ACL: `owner` (an account name) and `protected` (inheritance disabled: the ACLs
  above no longer apply below it);
- on an entry: `rights` (a FileSystemRights mask, which then decides instead of `access`:
  read needs ReadData, write needs WriteData), `inherit` ("ContainerInherit,
  ObjectInherit" by default; "None" = this folder or file only; one flag = folders or
  files below only) and `propagation` ("None", "InheritOnly": not this folder itself,
  "NoPropagateInherit": one level below only);
- group membership: the Administrator accounts are in BUILTIN\\Administrators and Domain
  Admins, every account in Users and Authenticated Users (GROUPS_OF_EVERY_ACCOUNT);
- share permissions on the share record (state.shares[host][name]["permissions"]:
  [{account, right Full|Change|Read, type Allow|Deny}], set by win_share; none recorded =
  Everyone Full): `require` with a UNC path checks them as well, as the SMB server does.

`check_path_access(state, node, windows_path, user, right)` is the one call an emulation
needs: World.check_access wraps it in a transaction.

The second hop (docs/windows-behaviour.md#second-hop): a module run happens in a logon
session (`Logon`), and a session without credentials for other computers (NTLM, Kerberos
without delegation, no become) cannot open a share of another host: resolving such a
UNC path gives ERROR_ACCESS_DENIED (5) before any ACL is looked at (world/paths.py). The
World of a module run carries its Logon (`World.with_logon`); without one (the lab's own
calls, unit tests) every path resolves as before.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wsfc_lab.world.windows_errors import ERROR_ACCESS_DENIED, WindowsError

if TYPE_CHECKING:
    from wsfc_lab.world.state import LabState

EXTENSION = "acl"
READ, MODIFY, FULL = "read", "modify", "full"
ACCESS_LEVELS = (READ, MODIFY, FULL)
ALLOW, DENY = "allow", "deny"
EVERYONE = "Everyone"
# FileSystemRights masks (winnt.h): what each access level grants, and the bit each
# requested right needs (ReadData, WriteData). With these masks the rule above holds: a
# deny of read or more refuses reading, a deny of modify or full refuses both.
_ACCESS_MASKS: dict[str, int] = {READ: 0x20089, MODIFY: 0x301BF, FULL: 0x1F01FF}
_RIGHT_BITS: dict[str, int] = {READ: 0x1, "write": 0x2}


@dataclass(frozen=True)
class Logon:
    """The logon session a module runs in on `node`, as far as other computers see it.

    `network_credentials`: whether its programs can authenticate to another computer.
    `description` says how the session came to be, for the access-denied message (such
    as "a WinRM session (NTLM), without become").
    """

    node: str
    network_credentials: bool
    description: str


def set_acl(
    state: LabState,
    host: str,
    windows_path: str,
    entries: Iterable[dict],
    *,
    protected: bool = False,
    owner: str | None = None,
    volume_defaults: bool = False,
) -> None:
    """Give the directory behind `windows_path` (seen from `host`) exactly these entries."""
    checked = [_checked_entry(entry) for entry in entries]
    real = state.resolve_path(host, windows_path)
    record: dict[str, Any] = {
        "path": windows_path,
        "host": state.host_name(host) or host,
        "entries": checked,
    }
    if protected:
        record["protected"] = True
    if owner is not None:
        record["owner"] = owner
    if volume_defaults:
        record[VOLUME_DEFAULTS] = True
    state.extension(EXTENSION)[_key(state, real)] = record


def get_acl(state: LabState, host: str, windows_path: str) -> dict[str, Any] | None:
    """The ACL set on exactly this path (not inherited), or None."""
    real = state.resolve_path(host, windows_path)
    return state.extension(EXTENSION).get(_key(state, real))


def clear_acls_below(state: LabState, host: str, windows_path: str) -> None:
    """Forget the ACLs of a deleted item and of everything that was below it."""
    table = state.extension(EXTENSION)
    key = _key(state, state.resolve_path(host, windows_path))
    for stored in [k for k in table if k == key or k.startswith(key + "/")]:
        del table[stored]


def principals_of(user: str, computer_account: str | None = None) -> tuple[str, ...]:
    """The principals a caller acts as: the user and, for a program that reaches a share
    as the machine (wbadmin), the computer account `DOMAIN\\NODE$`."""
    return (user,) + ((computer_account,) if computer_account else ())


def allowed(state: LabState, real_path: Path, principals: Iterable[str], right: str) -> bool:
    """Whether every one of `principals` may `right` ("read" or "write") at `real_path`."""
    wanted = _RIGHT_BITS[right]
    entries = applicable_entries(state, real_path)
    if entries is None:
        return True
    for principal in principals:
        matching = [e for e in entries if _matches(e, principal)]
        if any(e["type"] == DENY and entry_mask(e) & wanted for e in matching):
            return False
        granted = 0
        for entry in matching:
            if entry["type"] == ALLOW:
                granted |= entry_mask(entry)
        if granted & wanted != wanted:
            return False
    return True


def applicable_entries(state: LabState, real_path: Path) -> list[dict[str, Any]] | None:
    """The entries that apply at `real_path`, from its own ACL and those above it (up to
    and including a protected one), by their inherit and propagation flags; None when no
    ACL is set on the path or above it."""
    acls = _acls_above(state, real_path)
    if not acls:
        return None
    target = (state.lab_dir / real_path).resolve() if not real_path.is_absolute() else real_path
    is_dir = target.resolve().is_dir()
    entries: list[dict[str, Any]] = []
    for levels_up, acl in acls:
        for entry in acl["entries"]:
            if _applies(entry, levels_up, is_dir):
                entries.append(entry)
        if acl.get("protected"):
            return entries
    if all(acl.get(VOLUME_DEFAULTS) for _path, acl in acls):
        entries += [e for e in DEFAULT_VOLUME_ENTRIES if _applies(e, 2, is_dir)]
    return entries


def inherited_entries(state: LabState, real_path: Path) -> list[dict[str, Any]]:
    """The entries an item inherits (what SetAccessRuleProtection(true, true) copies into
    its own ACL): those of the ACLs above it that reach it, up to a protected one, and the
    volume's defaults under Windows-style ACLs."""
    is_dir = real_path.resolve().is_dir()
    above = [(level, acl) for level, acl in _acls_above(state, real_path) if level > 0]
    entries: list[dict[str, Any]] = []
    for levels_up, acl in above:
        entries += [dict(e) for e in acl["entries"] if _applies(e, levels_up, is_dir)]
        if acl.get("protected"):
            return entries
    if all(acl.get(VOLUME_DEFAULTS) for _path, acl in above):
        entries += [dict(e) for e in DEFAULT_VOLUME_ENTRIES if _applies(e, 2, is_dir)]
    return entries


def _applies(entry: dict[str, Any], levels_up: int, is_dir: bool) -> bool:
    inherit = str(entry.get("inherit", "ContainerInherit, ObjectInherit"))
    propagation = str(entry.get("propagation", "None"))
    if levels_up == 0:
        return propagation != "InheritOnly"
    if propagation == "NoPropagateInherit" and levels_up > 1:
        return False
    # Folders below take ContainerInherit entries, files ObjectInherit ones (a folder
    # passes ObjectInherit-only entries on to its files as inherit-only).
    return ("ContainerInherit" if is_dir else "ObjectInherit") in inherit


def entry_mask(entry: dict[str, Any]) -> int:
    """The FileSystemRights an entry grants or denies."""
    if "rights" in entry:
        return int(entry["rights"])
    return _ACCESS_MASKS[entry["access"]]


def require(
    state: LabState, real_path: Path, principals: Iterable[str], right: str, windows_path: str
) -> None:
    """Raise ERROR_ACCESS_DENIED (5) unless `principals` may `right` at the path."""
    principals = list(principals)
    if not allowed(state, real_path, principals, right) or not share_allows(
        state, windows_path, principals, right
    ):
        raise WindowsError(ERROR_ACCESS_DENIED, f"Access to the path '{windows_path}' is denied.")


def check_path_access(state: LabState, node: str, windows_path: str, user: str,
                      right: str) -> None:  # fmt: skip
    """Raise ERROR_ACCESS_DENIED (5) unless `user`, running a program on `node`, may
    `right` ("read" or "write") at `windows_path` (local or UNC): share permissions and
    the ACLs. A path that does not exist yet is checked at its nearest existing parent."""
    real = state.resolve_path(node, windows_path)
    existing = real
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    require(state, existing, principals_of(user), right, windows_path)


def _acls_above(state: LabState, real_path: Path) -> list[tuple[int, dict[str, Any]]]:
    """The ACLs on the path and above it, nearest first, each with how far up it is."""
    table = state.data.get("extensions", {}).get(EXTENSION, {})
    if not table:
        return []
    relative = real_path.resolve().relative_to(state.lab_dir)
    keys = [relative, *relative.parents]
    return [
        (level, table[key])
        for level, key in enumerate(str(p).lower() for p in keys)
        if isinstance(table.get(key), dict) and "entries" in table[key]
    ]


# -- Windows-style ACLs (win_acl, win_acl_inheritance) ------------------------------------

# An ACL with this key set true follows Windows: unless it (or one between it and the
# volume root) is protected, the volume root's default ACL is inherited too, so that
# adding a rule for one account does not take the administrators' access away. An ACL
# without it (set_acl's own) keeps the rule at the top of this page.
VOLUME_DEFAULTS = "volume_defaults"


def _default_entry(principal: str, access: str, rights: int, inherit: str, propagation: str
                   ) -> dict[str, Any]:  # fmt: skip
    return {"principal": principal, "access": access, "type": ALLOW, "rights": rights,
            "inherit": inherit, "propagation": propagation}  # fmt: skip


# The ACL of a Windows Server system drive (icacls C:\\): administrators and SYSTEM full
# control, users read and may create folders and files below (Synchronize included, as
# allow rules carry it).
DEFAULT_VOLUME_ENTRIES: tuple[dict[str, Any], ...] = (
    _default_entry(
        "BUILTIN\\Administrators", FULL, 0x1F01FF, "ContainerInherit, ObjectInherit", "None"
    ),
    _default_entry(
        "NT AUTHORITY\\SYSTEM", FULL, 0x1F01FF, "ContainerInherit, ObjectInherit", "None"
    ),
    _default_entry("BUILTIN\\Users", READ, 0x1200A9, "ContainerInherit, ObjectInherit", "None"),
    _default_entry("BUILTIN\\Users", READ, 0x100004, "ContainerInherit", "None"),
    _default_entry("BUILTIN\\Users", MODIFY, 0x100002, "ContainerInherit", "InheritOnly"),
)


# -- share permissions (win_share) ---------------------------------------------------------

# Get-SmbShareAccess rights and the requests each allows.
SHARE_RIGHTS: dict[str, frozenset[str]] = {
    "Full": frozenset({READ, "write"}),
    "Change": frozenset({READ, "write"}),
    "Read": frozenset({READ}),
}


def share_of(state: LabState, windows_path: str) -> dict[str, Any] | None:
    """The share record a UNC path goes through (None for a local or administrative path)."""
    text = windows_path.replace("/", "\\")
    if not text.startswith("\\\\"):
        return None
    parts = text[2:].split("\\")
    host = state.host_name(parts[0]) if parts else None
    if host is None or len(parts) < 2:
        return None
    return state.shares.get(host, {}).get(parts[1].lower())


def share_allows(state: LabState, windows_path: str, principals: Iterable[str], right: str) -> bool:
    """The SMB server's check: a deny entry of the caller wins; else an allow entry must
    give the right. A share without recorded permissions lets everyone in."""
    share = share_of(state, windows_path)
    permissions = None if share is None else share.get("permissions")
    if permissions is None:
        return True
    for principal in principals:
        matching = [p for p in permissions if _matches({"principal": p["account"]}, principal)]
        if any(p["type"] == "Deny" for p in matching):
            return False
        if not any(right in SHARE_RIGHTS[p["right"]] for p in matching if p["type"] == "Allow"):
            return False
    return True


def _key(state: LabState, real_path: Path) -> str:
    return str(real_path.resolve().relative_to(state.lab_dir)).lower()


def _matches(entry: dict[str, Any], principal: str) -> bool:
    wanted = entry["principal"].casefold()
    if wanted == EVERYONE.casefold():
        return True
    for given in (principal.casefold(), *(g.casefold() for g in groups_of(principal))):
        if wanted in (given, given.split("\\")[-1]) or wanted.split("\\")[-1] == given:
            return True
    return False


# Every account's token carries these groups; the Administrator accounts (local and the
# domain's) carry the administrators groups too. Computer accounts (NAME$) are domain
# computers, not users.
GROUPS_OF_EVERY_ACCOUNT = ("NT AUTHORITY\\Authenticated Users", "BUILTIN\\Users")
ADMINISTRATOR_GROUPS = ("BUILTIN\\Administrators", "Domain Admins")


def groups_of(principal: str) -> tuple[str, ...]:
    account = principal.split("\\")[-1].split("@")[0]
    if account.endswith("$"):
        return ("NT AUTHORITY\\Authenticated Users", "Domain Computers")
    if account.casefold() == "administrator":
        return GROUPS_OF_EVERY_ACCOUNT + ADMINISTRATOR_GROUPS
    return GROUPS_OF_EVERY_ACCOUNT


def _checked_entry(entry: dict) -> dict[str, Any]:
    access = str(entry.get("access", "")).lower()
    kind = str(entry.get("type", ALLOW)).lower()
    principal = str(entry.get("principal", ""))
    if access not in ACCESS_LEVELS:
        raise ValueError(f"access must be one of {', '.join(ACCESS_LEVELS)}, not {access!r}")
    if kind not in (ALLOW, DENY):
        raise ValueError(f"type must be allow or deny, not {kind!r}")
    if not principal:
        raise ValueError("an ACL entry needs a principal")
    checked: dict[str, Any] = {"principal": principal, "access": access, "type": kind}
    for optional in ("rights", "inherit", "propagation"):
        if optional in entry:
            checked[optional] = (
                int(entry["rights"]) if optional == "rights" else str(entry[optional])
            )
    return checked
