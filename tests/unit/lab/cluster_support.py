"""A small cluster's world, for the tests of the lab's cluster rules and of the cluster
modules' emulations: nodes n1..nN of one release, the quorum disk Cluster Disk 1 (Q:), a
file server fs1 sharing w, and the witness asked for. Each test module numbers its own
cluster (clu<N> on 127.0.<N>.0), as the labs it stands for would be apart."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from wsfc_lab.spec import parse_spec
from wsfc_lab.world import World

QUORUM_DISK = {"name": "Cluster Disk 1", "signature": "1A2B3C4D", "drive_letter": "Q",
               "partitions": [{"offset": 1048576, "size": 1073741824}]}  # fmt: skip
WITNESSES = {
    "disk": {"type": "disk", "disk": "Cluster Disk 1"},
    "file_share": {"type": "file_share", "path": "\\\\fs1\\w"},
    "none": {"type": "none"},
}


def cluster_world(
    tmp_path: Path,
    number: int,
    *,
    nodes: int = 3,
    release: str = "2022",
    witness: str = "disk",
    disks: Sequence[dict[str, Any]] = (QUORUM_DISK,),
    file_server: bool = True,
) -> World:
    """The world of cluster clu<number>; Windows Server Backup on every node but a 2003's."""
    data: dict[str, Any] = {
        "cluster": f"clu{number}",
        "network": f"127.0.{number}.0",
        "credentials": {"password": "pw"},
        "nodes": [
            {"name": f"n{i}", "release": release, "windows_server_backup": release != "2003"}
            for i in range(1, nodes + 1)
        ],
        "disks": list(disks),
        "witness": WITNESSES[witness],
    }
    if file_server:
        data["file_servers"] = [{"name": "fs1", "shares": [{"name": "w"}]}]
    return World.create(tmp_path / "lab", parse_spec(data))
