"""What the ansible.windows file modules share: Windows names of real items, file
attributes, checksums and the stat dictionary win_stat and win_find return.

A lab item is a real file or directory (docs/lab.md, Contract 3). Its attributes come from
what the host file system has: Directory for a directory, Archive for a file, ReadOnly
when the file has no write permission bit (os.chmod). Hidden, links and junctions do
not exist in the lab.
"""

from __future__ import annotations

import hashlib
import ntpath
import stat as stat_module
from pathlib import Path
from typing import Any, NoReturn

from wsfc_lab.emulation.framework.basic import EmulatedModule
from wsfc_lab.world import acl

CHECKSUM_ALGORITHMS = ("md5", "sha1", "sha256", "sha384", "sha512")
DEFAULT_OWNER = "BUILTIN\\Administrators"


def not_emulated(module: EmulatedModule, name: str, what: str) -> NoReturn:
    """Fail loudly for an option value the lab does not emulate."""
    module.fail_json(f"the lab does not emulate {name} with {what}")


def split_windows_path(path: str) -> tuple[str, list[str]]:
    """The root ("C:\\" or "\\\\server\\share\\") and the components below it, with '.'
    and '..' applied as [System.IO.Path]::GetFullPath does."""
    text = path.replace("/", "\\")
    if text.startswith("\\\\"):
        parts = text[2:].split("\\")
        root, rest = "\\\\" + "\\".join(parts[:2]) + "\\", parts[2:]
    else:
        drive, _colon, tail = text.partition(":")
        root, rest = drive.upper() + ":\\", tail.split("\\")
    components: list[str] = []
    for component in rest:
        if component in ("", "."):
            continue
        if component == "..":
            if components:
                components.pop()
            continue
        components.append(component)
    return root, components


def full_name(path: str, real: Path | None = None) -> str:
    """FileSystemInfo.FullName: the normalised path, with the case of the existing
    entries that `real` (the resolved item) has."""
    root, components = split_windows_path(path)
    if real is not None and components:
        names = list(real.parts[-len(components) :])
        if len(names) == len(components):
            components = [
                n if n.lower() == c.lower() else c for n, c in zip(names, components, strict=True)
            ]
    return root + "\\".join(components) if components else root


def leaf_name(path: str) -> str:
    _root, components = split_windows_path(path)
    return components[-1] if components else ""


def parent_path(path: str) -> str:
    """[System.IO.Path]::GetDirectoryName of a full path ('' for a root)."""
    root, components = split_windows_path(path)
    if not components:
        return ""
    return root + "\\".join(components[:-1]) if len(components) > 1 else root


def join_path(directory: str, child: str) -> str:
    """Join-Path: one backslash between the two."""
    return directory.rstrip("\\/") + "\\" + child.lstrip("\\/")


def has_trailing_separator(path: str) -> bool:
    return path.endswith(("\\", "/"))


def attributes(real: Path) -> list[str]:
    """[System.IO.FileAttributes] flags of an item, in the enum's order."""
    mode = real.stat().st_mode
    flags = []
    if not mode & stat_module.S_IWUSR:
        flags.append("ReadOnly")
    flags.append("Directory" if real.is_dir() else "Archive")
    return flags


def checksum(real: Path, algorithm: str) -> str:
    """Get-FileChecksum: the lower-case hex digest."""
    digest = hashlib.new(algorithm)
    with real.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def directory_size(real: Path) -> int:
    return sum(p.stat().st_size for p in real.rglob("*") if p.is_file())


def share_name_of(module: EmulatedModule, real: Path) -> str | None:
    """Win32_Share where Path = this directory, on this node."""
    with module.world.transaction() as state:
        host = state.host_name(module.node) or module.node
        for share in state.shares.get(host, {}).values():
            try:
                if state.resolve_path(host, share["path"]) == real:
                    return str(share["name"])
            except Exception:  # a share whose path no longer resolves is not this one
                continue
    return None


def owner_of(module: EmulatedModule, path: str) -> str:
    """GetAccessControl().Owner: the owner the ACL records, else the administrators group
    (what an administrator's new items get on Windows Server)."""
    with module.world.transaction() as state:
        found = acl.get_acl(state, module.node, path)
        return (found or {}).get("owner") or DEFAULT_OWNER


def timestamps(real: Path) -> dict[str, float]:
    info = real.stat()
    # Seconds since the epoch, as (New-TimeSpan -Start 1970-01-01 -End <time>).TotalSeconds.
    return {
        "creationtime": info.st_ctime,
        "lastaccesstime": info.st_atime,
        "lastwritetime": info.st_mtime,
    }


def item_info(module: EmulatedModule, path: str, real: Path) -> dict[str, Any]:
    """The keys win_stat and win_find share for an existing item."""
    flags = attributes(real)
    info: dict[str, Any] = {
        "exists": True,
        "attributes": ", ".join(flags),
        "isarchive": "Archive" in flags,
        "isdir": real.is_dir(),
        "ishidden": False,
        "isjunction": False,
        "islnk": False,
        "isreadonly": "ReadOnly" in flags,
        "isreg": real.is_file(),
        "isshared": False,
        "nlink": 1,
        "hlnk_targets": [],
        "path": full_name(path, real),
        "filename": real.name if leaf_name(path) else full_name(path, real),
        "owner": owner_of(module, path),
        **timestamps(real),
    }
    if real.is_dir():
        share = share_name_of(module, real)
        if share is not None:
            info["isshared"] = True
            info["sharename"] = share
    else:
        info["extension"] = ntpath.splitext(real.name)[1]
    return info
