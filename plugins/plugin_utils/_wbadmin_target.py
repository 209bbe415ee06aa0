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

So the collection does not rely on them by default: ``check_remote_target`` refuses a vss
target whose server is this node or another node of the cluster (a local path reached
through the admin share, or a UNC path to a node) unless the operator opts in
(``loopback_target`` on the modules, ``backup_loopback_target`` /
``restore_loopback_target`` on the roles) after validating it on their own cluster.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._paths import BackupPath
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._refusal import PolicyRefusal

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


# Where the page says what is and is not documented about such a target.
LOOPBACK_FACTS = "docs/windows-behaviour.md#wbadmin-backup-target"
# The module option and the role variables that opt in to a loopback target.
MODULE_OPT_IN = "loopback_target"
BACKUP_ROLE_OPT_IN = "backup_loopback_target"
RESTORE_ROLE_OPT_IN = "restore_loopback_target"
# Names every Windows computer answers for itself whatever it is called; the node's own name
# and the cluster's node names are the others.
_THIS_COMPUTER = frozenset({"localhost", "127.0.0.1"})


def _host_label(server: str) -> str:
    """The computer name a UNC server names: the first DNS label of an FQDN, upper case.

    ``NODE2`` and ``node2.corp.example`` are the same computer for this check; computer
    names ignore case (docs/windows-behaviour.md#names-case). An IPv4 address is kept whole.
    """
    name = server.strip().rstrip(".")
    if re.fullmatch(r"[0-9.]+", name):
        return name
    return name.split(".", 1)[0].upper()


def node_names(nodes: Iterable[object]) -> list[str]:
    """The node names of the inspect facts' ``nodes`` (dicts with ``name``, or names)."""
    names = []
    for node in nodes or ():
        name = node.get("name") if isinstance(node, dict) else node
        if isinstance(name, str) and name:
            names.append(name)
    return names


def loopback_server(
    backup_path: BackupPath, node_name: object, cluster_nodes: Iterable[object] = ()
) -> str | None:
    """The computer of this cluster that a vss target for ``backup_path`` is on, or None.

    A local path is reached through this node's admin share (``wbadmin_target_for``), so it
    is always this node; a UNC path is a node's when its server is this node or a cluster
    node by NetBIOS name or FQDN (case ignored), or ``localhost``.
    """
    if not backup_path.is_unc:
        return str(node_name) if node_name else "this node"
    server = backup_path.server or ""
    label = _host_label(server)
    if server.strip().lower() in _THIS_COMPUTER or label.startswith("127."):
        return server
    own = [str(node_name)] if isinstance(node_name, str) and node_name else []
    for name in own + node_names(cluster_nodes):
        if _host_label(name) == label:
            return server
    return None


def loopback_refusal(
    path: str, server: str, role_opt_in: str = BACKUP_ROLE_OPT_IN
) -> PolicyRefusal:
    """The refusal of a vss target ``path`` that is on ``server``, a node of the cluster."""
    return PolicyRefusal(
        f"The backup location {path} would be given to wbadmin as a share on {server}, a node"
        " of this cluster, but wbadmin's backup target must be a shared folder on another"
        ' computer (\\\\servername\\sharedFolder\\, "a remote shared folder"): whether'
        " wbadmin start systemstatebackup accepts a share of the node it runs on (a loopback UNC"
        " path, such as its own D$), and whether a critical volume may then hold the system"
        f" state, is not documented ({LOOPBACK_FACTS}).",
        "Use a share on a file server, e.g. backup_path=\\\\fs01\\clusterbackups; or, once the"
        " loopback target is validated on your own cluster, set"
        f" {MODULE_OPT_IN}=true on the module ({role_opt_in}: true on the role).",
    )


def check_remote_target(
    backup_path: BackupPath,
    *,
    node_name: object,
    cluster_nodes: Iterable[object] = (),
    loopback_target: bool = False,
    role_opt_in: str = BACKUP_ROLE_OPT_IN,
) -> None:
    """Refuse a vss target on a node of the cluster unless ``loopback_target`` allows it.

    Only for the vss route: the clusapi route (Windows Server 2003) writes no wbadmin target.
    """
    if loopback_target:
        return
    server = loopback_server(backup_path, node_name, cluster_nodes)
    if server is not None:
        raise loopback_refusal(backup_path.path, server, role_opt_in)


def check_local_path(
    backup_path: BackupPath,
    *,
    route: str,
    loopback_target: bool = False,
    role_opt_in: str = BACKUP_ROLE_OPT_IN,
) -> None:
    """Before any module run: a local path with route vss is always a loopback target.

    With route auto the route is known only after inspect; ``check_remote_target`` decides
    then, still before anything is written.
    """
    if route == "vss" and not backup_path.is_unc and not loopback_target:
        raise loopback_refusal(backup_path.path, "this node", role_opt_in)


def check_temporary_share(*, route: str, loopback_target: bool = False) -> None:
    """The backup role's temporary share is a share on the backup node itself.

    With route vss, or auto (vss on every version but Windows Server 2003), wbadmin would
    write through it as a loopback target: refused before any node is touched unless
    ``backup_loopback_target`` is set. Route clusapi writes no wbadmin target.
    """
    if route == "clusapi" or loopback_target:
        return
    raise PolicyRefusal(
        f"backup_temporary_share=true with backup_route={route} makes wbadmin write through a"
        " share on the backup node itself, but wbadmin's backup target must be a shared folder"
        " on another computer: whether wbadmin start systemstatebackup accepts a share of the"
        " node it runs on is not documented"
        f" ({LOOPBACK_FACTS}).",
        "Back up to a share on a file server instead (backup_path=\\\\fs01\\clusterbackups and"
        " backup_temporary_share=false); set backup_route=clusapi for a Windows Server 2003"
        f" cluster; or, once the loopback target is validated on your own cluster, set"
        f" {BACKUP_ROLE_OPT_IN}: true.",
    )
