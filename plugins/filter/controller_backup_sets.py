# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller_backup_sets filter: backup_set_info for a folder on the controller."""

from __future__ import annotations

DOCUMENTATION = r"""
---
name: controller_backup_sets
short_description: List and verify the backup sets in a folder on the controller
version_added: 0.1.0
description:
  - What M(wsfc.clusterdb.backup_set_info) does on a node, for a folder on the Ansible
    controller (the copy the C(wsfc.clusterdb.backup) role keeps there). Reads every
    directory directly under the input folder, hashes every file (SHA-256), and verifies
    each set against its manifest with the same code and rules as
    M(wsfc.clusterdb.backup_set_info), so a set copied to the controller is judged exactly
    as the one on the node.
  - Read only. Filters run on the controller, so this one reads the controller's files.
options:
  _input:
    description: The folder on the controller that holds the sets.
    type: path
    required: true
  cluster_name:
    description: Report only the sets whose manifest names this cluster (ignoring case).
    type: str
  hash_files:
    description:
      - Hash every file and check it against the manifest. Without it only the marker, the
        manifest and the file sizes are checked, and every set is reported with
        C(verified) false - enough to know whether a set is there, without reading it all.
    type: bool
    default: true
author:
  - wsfc.clusterdb maintainers (@wsfc-clusterdb)
"""

EXAMPLES = r"""
- name: Verify the controller's copies of one cluster's sets
  ansible.builtin.set_fact:
    controller_sets: "{{ '/srv/clusterbackups/CLU01' | wsfc.clusterdb.controller_backup_sets }}"

- name: Fail unless the newest copy is complete
  ansible.builtin.assert:
    that: controller_sets.newest_complete is not none
"""

RETURN = r"""
_value:
  description:
    - The report of M(wsfc.clusterdb.backup_set_info) for the folder - C(backup_path),
      C(exists), C(sets) (each with C(name), C(path) on the controller, C(kind),
      C(status), C(verified), C(problems), C(message), C(cluster), C(created) ...),
      C(newest_complete), C(other_directories) and C(rejected) (with O(cluster_name)).
  type: dict
"""

import hashlib
import os
import typing as t
from pathlib import Path

from ansible.errors import AnsibleFilterError
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._backup_set_report import (
    report_backup_sets,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._manifest import (
    COMPLETION_MARKER_NAME,
    MANIFEST_NAME,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._paths import LOCAL, BackupPath

_CHUNK = 1024 * 1024


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _listing(directory: Path, hash_files: bool = True) -> dict[str, t.Any]:
    """One directory as the node lists it (docs/internals.md, "The set listing")."""
    files = [
        {
            # Relative with backslashes, as a Windows node reports it.
            "path": str(path.relative_to(directory)).replace(os.sep, "\\"),
            "size": path.stat().st_size,
            "sha256": _sha256(path) if hash_files else None,
        }
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    ]
    manifest = directory / MANIFEST_NAME
    return {
        "name": directory.name,
        "marker_present": (directory / COMPLETION_MARKER_NAME).is_file(),
        "manifest_text": manifest.read_text(encoding="utf-8") if manifest.is_file() else None,
        "files": files,
    }


def controller_backup_sets(
    folder: str, cluster_name: str | None = None, hash_files: bool = True
) -> dict[str, t.Any]:
    root = Path(os.path.expanduser(str(folder)))
    if root.exists() and not root.is_dir():
        raise AnsibleFilterError(f"{root} is a file, not a folder of backup sets")
    listing = (
        [_listing(d, bool(hash_files)) for d in sorted(root.iterdir()) if d.is_dir()]
        if root.is_dir()
        else []
    )
    # report_backup_sets names each set below a BackupPath; the controller's folder is
    # posix, so the paths are replaced with the real ones afterwards.
    placeholder = BackupPath(LOCAL, "C:\\controller", "C:", None, None, ("controller",))
    report = report_backup_sets(placeholder, listing, verify=True, cluster_name=cluster_name)
    sets = [{**s, "path": str(root / s["name"])} for s in report.sets]
    newest = report.newest_complete
    return {
        "backup_path": str(root),
        "exists": root.is_dir(),
        "sets": sets,
        "newest_complete": {**newest, "path": str(root / newest["name"])} if newest else None,
        "other_directories": report.other_directories,
        "rejected": [{**s, "path": str(root / s["name"])} for s in report.rejected],
    }


class FilterModule:
    def filters(self) -> dict[str, t.Callable[..., t.Any]]:
        return {"controller_backup_sets": controller_backup_sets}
