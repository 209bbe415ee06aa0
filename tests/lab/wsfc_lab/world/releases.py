"""Windows Server releases a lab node can run: product name and version number.

The version numbers are the public build numbers of each release's general availability
(RTM; 2008 shipped as 6.0.6001 with Service Pack 1 level code). The lab uses them only to
answer what the operating system is; the routes that depend on the release follow
docs/windows-behaviour.md#clusapi-backup-restore (clusapi only on 2003) and
#windows-server-backup-feature (wbadmin from 2008).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WindowsRelease:
    release: str
    os_name: str
    os_version: str

    @property
    def has_vss_cluster_writer(self) -> bool:
        # docs/windows-behaviour.md#windows-server-backup-feature: the Cluster Database VSS writer
        # is in the
        # box from Windows Server 2008.
        return self.release != "2003"


RELEASES: dict[str, WindowsRelease] = {
    r.release: r
    for r in (
        WindowsRelease("2003", "Microsoft Windows Server 2003 Enterprise Edition", "5.2.3790"),
        WindowsRelease("2008", "Microsoft Windows Server 2008 Enterprise", "6.0.6001"),
        WindowsRelease("2008R2", "Microsoft Windows Server 2008 R2 Enterprise", "6.1.7601"),
        WindowsRelease("2012", "Microsoft Windows Server 2012 Datacenter", "6.2.9200"),
        WindowsRelease("2012R2", "Microsoft Windows Server 2012 R2 Datacenter", "6.3.9600"),
        WindowsRelease("2016", "Microsoft Windows Server 2016 Datacenter", "10.0.14393"),
        WindowsRelease("2019", "Microsoft Windows Server 2019 Datacenter", "10.0.17763"),
        WindowsRelease("2022", "Microsoft Windows Server 2022 Datacenter", "10.0.20348"),
        WindowsRelease("2025", "Microsoft Windows Server 2025 Datacenter", "10.0.26100"),
    )
}


def release_named(value: object) -> WindowsRelease | None:
    """The release for a spelling such as 2022, "2012 R2" or "2012r2"; None if unknown."""
    key = str(value).replace(" ", "").upper()
    return RELEASES.get(key)
