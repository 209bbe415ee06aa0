"""The emulated plugins/module_utils/WsfcBackupSet.psm1: the backup set listing.

Shared by the emulations of cluster_backup (phase inspect, and the file listing of phase
backup) and backup_set_info; the restore emulation may use it for its one set. Raw facts
only, in the shapes docs/internals.md ("The set listing") and the modules' RETURN give:
- `path_info`: Test-Path of the path, and whether it is a directory;
- `list_backup_sets`: one entry per directory directly under the path, sorted by name
  (ordinal), with name, marker_present, manifest_text and files when hashed;
- `list_directory_files`: every file below a directory, path relative with backslashes,
  size and SHA-256 (lower case), hidden files included, sorted ordinally.

Windows operations (each through `world.operation`, so faults and latency apply):
"Get-ChildItem" for each directory listing and "Get-FileHash" for each file hashed (the
module's Get-WsfcFileSha256, a .NET SHA-256 over the file). Access: listing needs read
access (world/acl.py); a denied listing raises ERROR_ACCESS_DENIED (5). Test-Path answers
False for a path it cannot resolve (an unknown share, a missing volume) instead of failing.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from wsfc_lab.world import WindowsError, World, acl

MANIFEST_FILE_NAME = "manifest.json"
MARKER_FILE_NAME = "backup.complete"
LIST_OPERATION = "Get-ChildItem"
HASH_OPERATION = "Get-FileHash"
HASH_SETS = ("all", "newest", "none")


def resolve_or_none(world: World, node: str, windows_path: str) -> Path | None:
    """The real path, or None where Test-Path would answer False for a path it cannot reach."""
    try:
        return world.resolve_path(node, windows_path)
    except WindowsError:
        return None


def path_info(world: World, node: str, windows_path: str) -> dict[str, bool]:
    """Get-WsfcBackupPathInfo: exists and is_directory."""
    real = resolve_or_none(world, node, windows_path)
    return {
        "exists": bool(real and real.exists()),
        "is_directory": bool(real and real.is_dir()),
    }


def list_backup_sets(
    world: World, node: str, user: str, windows_path: str, hash_sets: str
) -> list[dict[str, Any]]:
    """Get-WsfcBackupSetListing: the sets under the path; [] when it is not a directory."""
    if hash_sets not in HASH_SETS:
        raise ValueError(f"hash_sets must be one of {', '.join(HASH_SETS)}")
    real = resolve_or_none(world, node, windows_path)
    if real is None or not real.is_dir():
        return []
    directories = _list(world, node, user, real, windows_path, files=False)
    sets = []
    for directory in directories:
        manifest = _entry(directory, MANIFEST_FILE_NAME)
        marker = _entry(directory, MARKER_FILE_NAME)
        sets.append(
            {
                "name": directory.name,
                "marker_present": marker is not None and marker.is_file(),
                "manifest_text": _manifest_text(manifest),
                "files": None,
            }
        )
    sets.sort(key=lambda s: _ordinal(s["name"]))
    if hash_sets == "all":
        chosen = sets
    elif hash_sets == "newest":
        chosen = [s for s in sets if s["marker_present"]][-1:]
    else:
        chosen = []
    for entry in chosen:
        child = f"{windows_path.rstrip(chr(92))}\\{entry['name']}"
        entry["files"] = list_directory_files(world, node, user, child, hash_files=True)
    return sets


def list_directory_files(
    world: World, node: str, user: str, windows_path: str, *, hash_files: bool
) -> list[dict[str, Any]]:
    """Get-WsfcDirectoryFile: every file below the directory (WindowsError when it cannot
    be read: 2/3 when missing, 5 when access is denied)."""
    root = world.resolve_path(node, windows_path)
    if not root.is_dir():
        raise WindowsError(3, f"Could not find a part of the path '{windows_path}'.")
    files = []
    pending = [root]
    while pending:
        directory = pending.pop()
        for entry in _list(world, node, user, directory, windows_path, files=True):
            if entry.is_dir():
                pending.append(entry)
                continue
            relative = "\\".join(entry.relative_to(root).parts)
            digest = None
            if hash_files:
                world.operation(node, HASH_OPERATION)
                digest = _sha256(entry)
            files.append({"path": relative, "size": entry.stat().st_size, "sha256": digest})
    files.sort(key=lambda f: _ordinal(f["path"]))
    return files


def _list(
    world: World, node: str, user: str, real: Path, windows_path: str, *, files: bool
) -> list[Path]:
    """One Get-ChildItem -Force: the entries (directories only unless `files`)."""
    world.operation(node, LIST_OPERATION)
    with world.transaction() as state:
        acl.require(state, real, acl.principals_of(user), "read", windows_path)
    entries = sorted(real.iterdir())
    return entries if files else [e for e in entries if e.is_dir()]


def _entry(directory: Path, name: str) -> Path | None:
    """A child matched case-insensitively, as Windows matches names."""
    for child in directory.iterdir():
        if child.name.lower() == name.lower():
            return child
    return None


def _manifest_text(path: Path | None) -> str | None:
    """[IO.File]::ReadAllText: a byte order mark is detected, else UTF-8."""
    if path is None or not path.is_file():
        return None
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    return data.decode("utf-8", errors="replace")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _ordinal(text: str) -> list[int]:
    """[string]::CompareOrdinal order: by UTF-16 code units."""
    data = text.encode("utf-16-be")
    return [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2)]
