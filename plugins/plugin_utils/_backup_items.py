# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Whether a new system state backup holds the cluster database, before its set is sealed.

Microsoft's authoritative-restore steps check with ``wbadmin get items`` that the version
holds the cluster registry information as a component before ``wbadmin start recovery
-itemtype:app -items:cluster`` (docs/windows-behaviour.md#wbadmin-get-items and
docs/windows-behaviour.md#wbadmin-start-recovery). A backup that lacks it would be sealed
complete and fail only at restore, so it is refused before the finalize phase: the staging
directory stays unfinished, as after every other refusal that follows the backup phase.

The backup phase returns ``items_outputs``: for every version identifier the ``get versions``
output at the staging target shows, the raw text of ``wbadmin get items -version:<id>
-backupTarget:<target> -machine:<node>``. The parsing is plugin_utils._wbadmin's.
"""

from __future__ import annotations

import typing as t

from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._backup_decisions import (
    BackupBlocked,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._wbadmin import (
    error_lines,
    lists_cluster_application,
    parse_get_items_applications,
)


def check_version_holds_cluster(
    backup: dict[str, t.Any],
    version_id: str,
    *,
    node: str | None,
    staging_path: str | None,
) -> None:
    """Raise BackupBlocked unless ``wbadmin get items`` of ``version_id`` lists Cluster."""
    where = node or "the node"
    left = f" The unfinished set is left in {staging_path}." if staging_path else ""
    outputs = backup.get("items_outputs")
    text = outputs.get(version_id) if isinstance(outputs, dict) else None
    if not isinstance(text, str):
        raise BackupBlocked(
            f"The backup cannot be sealed: the backup phase on {where} returned no "
            f"'wbadmin get items' listing for the new version {version_id}, so nothing shows "
            f"that it holds the cluster database.{left} Run the task again; if it fails the "
            f"same way, run 'wbadmin get items -version:{version_id}' with the staging "
            "directory as -backupTarget on the node and check that it lists the Cluster "
            "application."
        )
    if lists_cluster_application(text):
        return
    errors = error_lines(text)
    if errors:
        said = f"wbadmin get items failed: {' '.join(errors)}"
    else:
        found = parse_get_items_applications(text)
        said = "it lists " + (", ".join(found) if found else "no application")
    raise BackupBlocked(
        f"The backup cannot be sealed: the system state backup wbadmin made on {where} "
        f"(version {version_id}) does not hold the Cluster application ({said}), so it "
        f"could not restore the cluster database.{left} Check on {where} that the Cluster "
        "service is running and the node is Up in the cluster (the Windows Server Backup "
        "event log, Microsoft-Windows-Backup, has the detail of the backup), then run the "
        "task again."
    )
