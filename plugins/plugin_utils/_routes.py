# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which backup route a node can use, from the raw facts ``cluster_info`` returns.

- ``vss``: Windows Server Backup (wbadmin), from Windows Server 2008 (6.0); needs the
  ``Windows-Server-Backup`` feature (docs/windows-behaviour.md#windows-server-backup-feature);
  a UNC backup target works from Windows Server 2008 R2 (6.1)
  (docs/windows-behaviour.md#wbadmin-backup-target).
- ``clusapi``: BackupClusterDatabase / RestoreClusterDatabase, Windows Server 2003 (5.2)
  only; from 2008 on both answer ERROR_CALL_NOT_IMPLEMENTED (120)
  (docs/windows-behaviour.md#clusapi-backup-restore).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._errors import (
    BACKUP,
    ERROR_CALL_NOT_IMPLEMENTED,
    WINDOWS_SERVER_BACKUP_MISSING,
    explain_condition,
    explain_win32_error,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._refusal import PolicyRefusal

VSS = "vss"
CLUSAPI = "clusapi"
AUTO = "auto"
ROUTES = (VSS, CLUSAPI)
ROUTE_CHOICES = (AUTO, VSS, CLUSAPI)

_SERVER_2003 = (5, 2)
_SERVER_2008 = (6, 0)
_SERVER_2008_R2 = (6, 1)
_VERSION = re.compile(r"^\s*(\d+)\.(\d+)")


@dataclass(frozen=True)
class HostBackupFacts:
    """The raw facts the routes depend on (``cluster_info``'s ``os`` and ``backup_tools``)."""

    os_version: str
    windows_server_backup: bool
    wbadmin: bool
    clusapi: bool = True

    @classmethod
    def from_cluster_info(cls, facts: dict) -> HostBackupFacts:
        """Read them from a ``cluster_info`` (or inspect phase) result."""
        tools = facts.get("backup_tools") or {}
        return cls(
            os_version=str((facts.get("os") or {}).get("version") or ""),
            windows_server_backup=bool(tools.get("windows_server_backup")),
            wbadmin=bool(tools.get("wbadmin")),
            clusapi=bool(tools.get("clusapi", True)),
        )


@dataclass(frozen=True)
class RouteAvailability:
    """The routes this node can use, the one ``auto`` picks, and why the others are out."""

    available: tuple[str, ...]
    auto: str | None
    reasons: dict[str, str]

    def as_facts(self) -> dict[str, object]:
        """The ``backup_routes`` result of ``cluster_info``."""
        return {"available": list(self.available), "auto": self.auto, "reasons": dict(self.reasons)}


def os_version_tuple(os_version: str) -> tuple[int, int] | None:
    """(major, minor) from a version such as ``10.0.20348``; None when it cannot be read."""
    match = _VERSION.match(os_version or "")
    if not match:
        return None
    return int(match.group(1)), int(match.group(2))


def available_routes(facts: HostBackupFacts, *, unc_target: bool = False) -> RouteAvailability:
    """Decide which routes the node can use; ``unc_target`` when the backup path is UNC."""
    version = os_version_tuple(facts.os_version)
    reasons: dict[str, str] = {}
    available: list[str] = []

    if version is None:
        reasons[VSS] = reasons[CLUSAPI] = (
            f"the operating system version {facts.os_version!r} could not be read"
        )
        return RouteAvailability((), None, reasons)

    if version < _SERVER_2008:
        reasons[VSS] = "Windows Server Backup's cluster support needs Windows Server 2008 or later"
    elif not facts.windows_server_backup:
        reasons[VSS] = explain_condition(WINDOWS_SERVER_BACKUP_MISSING, BACKUP).cause
    elif not facts.wbadmin:
        reasons[VSS] = (
            "the Windows Server Backup feature is installed but wbadmin.exe was not found; "
            "repair the feature (remove and install Windows-Server-Backup)"
        )
    elif unc_target and version < _SERVER_2008_R2:
        reasons[VSS] = "wbadmin writes to a UNC target only from Windows Server 2008 R2"
    else:
        available.append(VSS)

    if version >= _SERVER_2008:
        reasons[CLUSAPI] = explain_win32_error(ERROR_CALL_NOT_IMPLEMENTED, BACKUP).cause
    elif version != _SERVER_2003:
        reasons[CLUSAPI] = "the legacy cluster API backup exists only on Windows Server 2003"
    elif not facts.clusapi:
        reasons[CLUSAPI] = "clusapi.dll was not found on the node"
    else:
        available.append(CLUSAPI)

    # vss first: it is the supported route wherever it exists.
    auto = available[0] if available else None
    return RouteAvailability(tuple(available), auto, reasons)


def resolve_route(
    requested: str, facts: HostBackupFacts, *, unc_target: bool = False, node: str | None = None
) -> str:
    """The route to run for ``requested`` (``auto``, ``vss`` or ``clusapi``).

    Raises PolicyRefusal when the node cannot use it, naming why and what to do.
    """
    if requested not in ROUTE_CHOICES:
        raise PolicyRefusal(
            f"route {requested!r} is not known.",
            f"Set route to one of {', '.join(ROUTE_CHOICES)}.",
        )
    routes = available_routes(facts, unc_target=unc_target)
    where = node or "the node"
    if requested == AUTO:
        if routes.auto is None:
            raise PolicyRefusal(
                f"No backup route is available on {where}: "
                + "; ".join(f"{route}: {why}" for route, why in sorted(routes.reasons.items()))
                + ".",
                _fix_for_no_route(facts),
            )
        return routes.auto
    if requested in routes.available:
        return requested
    other = [route for route in routes.available if route != requested]
    if other:
        fix = f"Use route={other[0]} (or route=auto), which {where} supports."
    else:
        fix = _fix_for_no_route(facts)
    raise PolicyRefusal(
        f"route={requested} cannot be used on {where}: {routes.reasons[requested]}.", fix
    )


def _fix_for_no_route(facts: HostBackupFacts) -> str:
    version = os_version_tuple(facts.os_version)
    if version is not None and version >= _SERVER_2008:
        if not facts.windows_server_backup:
            return (
                "Use route=vss, the supported route from Windows Server 2008 on. "
                + explain_condition(WINDOWS_SERVER_BACKUP_MISSING, BACKUP).fix
            )
        return "Use route=vss once the Windows Server Backup feature works on the node."
    return "Run the task on a node with Windows Server 2008 or later and Windows Server Backup."
