# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``-backupTarget`` that makes wbadmin write a backup into one given directory.

``wbadmin start systemstatebackup -backupTarget:`` takes a volume (a drive letter or
``\\\\?\\Volume{GUID}``) or, from Windows Server 2008 R2, a shared folder
``\\\\servername\\sharedFolder\\`` (docs/windows-behaviour.md#wbadmin-backup-target). A volume
target (``D:``) makes wbadmin write under ``D:\\WindowsImageBackup`` at the root of the
volume, not into the directory the operator named, so a local backup path is reached through
the node's administrative share of its drive instead: ``D:\\Backups\\x`` on node NODE1 is
``\\\\NODE1\\D$\\Backups\\x`` (the ``D$`` shares exist unless ``AutoShareServer`` is 0:
docs/windows-behaviour.md#admin-shares). A UNC backup path is used as it is. Either way the
target is a UNC path, so route resolution is asked with ``unc_target=True``.

*Unconfirmed* (docs/windows-behaviour.md#wbadmin-backup-target), and relied on for every
local backup path of the vss route:
- that wbadmin accepts a loopback UNC path, a share of the very node it runs on, as a system
  state target: Microsoft documents only ``\\\\servername\\sharedFolder\\`` and says
  nothing of the local computer's own shares (``wbadmin start backup`` calls its UNC target
  "a remote shared folder"); public write-ups show ``start backup``, not
  ``start systemstatebackup``, writing through a machine's own ``C$``;
- whether the critical-volume block of KB 944530 (no system state backup on a volume that
  holds system state files, unless ``AllowSSBToAnyVolume`` = 1; documented for Windows
  Server 2008 to 2012 R2) also applies when such a volume (``C:``) is reached through that
  UNC path, and whether it still exists on later releases.
"""

from __future__ import annotations

import re

from ansible_collections.wsfc.clusterdb.plugins.plugin_utils.paths import BackupPath
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils.refusal import PolicyRefusal

# A computer name as the node reports it ($env:COMPUTERNAME): NetBIOS, at most 15 characters;
# DNS names are accepted too, since a UNC server may be either.
_NODE_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$")


def wbadmin_target_for(backup_path: BackupPath, node_name: str, directory_name: str) -> str:
    """The UNC path through which wbadmin on ``node_name`` writes into
    ``backup_path``\\``directory_name``."""
    if backup_path.is_unc:
        return backup_path.child(directory_name)
    if not isinstance(node_name, str) or not _NODE_NAME.match(node_name):
        raise PolicyRefusal(
            f"The node reported the name {node_name!r}, which cannot be used in a UNC path.",
            "Check the node's computer name (hostname on the node).",
        )
    # Validates directory_name as a path component the same way every other name is.
    backup_path.child(directory_name)
    if not backup_path.drive:
        raise ValueError(f"{backup_path.path!r} is neither a UNC path nor on a drive")
    # *Unconfirmed*: that wbadmin takes this loopback UNC path of its own node (see above).
    admin_share = backup_path.drive[0].upper() + "$"
    return "\\\\" + "\\".join([node_name, admin_share, *backup_path.components, directory_name])
