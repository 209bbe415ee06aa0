# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The backup sets in a folder on the controller, judged as backup_set_info judges a node's.

The backup role keeps a copy of each set on the controller. Its files are listed here in
the shape a node's module returns (docs/internals.md, "The set listing") and reported by
the same code (plugin_utils._backup_set_report), so a copy on the controller is judged
exactly as the set on the node. Only the paths differ: they are the controller's own.
"""

from __future__ import annotations

import hashlib
import os
import typing as t
from pathlib import Path

from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._backup_set_report import (
    report_backup_sets,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._manifest import (
    COMPLETION_MARKER_NAME,
    MANIFEST_NAME,
    SIGNATURE_NAME,
)

_CHUNK = 1024 * 1024


class ControllerFolderError(ValueError):
    """The folder cannot hold sets (it is a file)."""


class ControllerFolder:
    """A folder of sets on the controller; a set's path is the controller's path of it."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def child(self, name: str) -> str:
        return str(self.root / name)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _listing(directory: Path, hash_files: bool) -> dict[str, t.Any]:
    """One directory as a node lists it; file paths relative, with backslashes."""
    files = [
        {
            "path": str(path.relative_to(directory)).replace(os.sep, "\\"),
            "size": path.stat().st_size,
            "sha256": _sha256(path) if hash_files else None,
        }
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    ]
    manifest = directory / MANIFEST_NAME
    signature = directory / SIGNATURE_NAME
    return {
        "name": directory.name,
        "marker_present": (directory / COMPLETION_MARKER_NAME).is_file(),
        "manifest_text": manifest.read_text(encoding="utf-8") if manifest.is_file() else None,
        "signature_text": signature.read_text(encoding="utf-8") if signature.is_file() else None,
        "files": files,
    }


def controller_backup_sets(
    folder: str, cluster_name: str | None = None, hash_files: bool = True
) -> dict[str, t.Any]:
    """backup_set_info's report for ``folder`` on the controller (``~`` expanded).

    Without ``hash_files`` only the marker, the manifest and the sizes are checked, and
    every set is reported with ``verified`` false.
    """
    root = Path(os.path.expanduser(str(folder)))
    if root.exists() and not root.is_dir():
        raise ControllerFolderError(f"{root} is a file, not a folder of backup sets")
    listing = (
        [_listing(d, bool(hash_files)) for d in sorted(root.iterdir()) if d.is_dir()]
        if root.is_dir()
        else []
    )
    report = report_backup_sets(
        ControllerFolder(root), listing, verify=True, cluster_name=cluster_name
    )
    return {
        "backup_path": str(root),
        "exists": root.is_dir(),
        "sets": report.sets,
        "newest_complete": report.newest_complete,
        "other_directories": report.other_directories,
        "rejected": report.rejected,
    }
