"""The .NET file operations the collection's PowerShell uses ([System.IO.File],
[System.IO.Directory], SHA-256 over a stream), as they behave on Windows (fact path-rules):
ACLs apply to the caller (world/acl.py), disk_full to writes, faults to each operation.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

from wsfc_lab.windows.host import PowerShellHost
from wsfc_lab.windows.system_files import is_system_path, system_file
from wsfc_lab.world import WindowsError, acl
from wsfc_lab.world.backup_media import write_charged

OPERATION_MKDIR = "Directory.CreateDirectory"
OPERATION_WRITE = "File.WriteAllText"
OPERATION_MOVE = "Directory.Move"
OPERATION_COPY = "File.Copy"
OPERATION_DELETE = "File.Delete"
OPERATION_HASH = "Get-FileHash"
ERROR_SHARING_VIOLATION = 32


def _existing_ancestor(real: Path) -> Path:
    while not real.exists() and real.parent != real:
        real = real.parent
    return real


def create_directory(host: PowerShellHost, windows_path: str) -> None:
    """[IO.Directory]::CreateDirectory: parents too; write access needed."""
    host.operation(OPERATION_MKDIR)
    with host.world.transaction() as state:
        real = state.resolve_path(host.node, windows_path)
        acl.require(
            state, _existing_ancestor(real), acl.principals_of(host.user), "write", windows_path
        )
    real.mkdir(parents=True, exist_ok=True)


def write_all_text(host: PowerShellHost, windows_path: str, text: str) -> None:
    """[IO.File]::WriteAllText with UTF-8 without BOM (disk_full and ACLs apply)."""
    host.operation(OPERATION_WRITE)
    with host.world.transaction() as state:
        real = state.resolve_path(host.node, windows_path)
        acl.require(state, real.parent, acl.principals_of(host.user), "write", windows_path)
    write_charged(host.world, host.node, windows_path, text.encode("utf-8"))


def move_directory(host: PowerShellHost, source: str, destination: str) -> None:
    """[IO.Directory]::Move: a rename within one volume or share."""
    host.operation(OPERATION_MOVE)
    with host.world.transaction() as state:
        real_source = state.resolve_path(host.node, source)
        real_destination = state.resolve_path(host.node, destination)
        acl.require(state, real_source.parent, acl.principals_of(host.user), "write", source)
    real_source.rename(real_destination)


def copy_file(host: PowerShellHost, source: str, destination: str) -> None:
    """[IO.File]::Copy(source, destination): a system file the world implies is copied with
    its content; the running Cluster service holds CLUSDB open (sharing violation)."""
    host.operation(OPERATION_COPY)
    with host.world.transaction() as state:
        if is_system_path(source):
            record = state.node(host.node)
            if record["service"]["state"] == "running":
                raise WindowsError(
                    ERROR_SHARING_VIOLATION,
                    f"The process cannot access the file '{source}' because it is being "
                    "used by another process.",
                )
            data = system_file(state, host.node, source)
            if data is None:
                raise WindowsError(2, f"Could not find file '{source}'.")
        else:
            data = state.resolve_path(host.node, source).read_bytes()
    write_charged(host.world, host.node, destination, data)


def delete_file(host: PowerShellHost, windows_path: str) -> None:
    """[IO.File]::Delete: no error when the file does not exist."""
    host.operation(OPERATION_DELETE)
    with host.world.transaction() as state:
        real = state.resolve_path(host.node, windows_path)
    if real.is_file():
        real.unlink()


def read_all_text(host: PowerShellHost, windows_path: str) -> str:
    """[IO.File]::ReadAllText: a byte order mark is detected, else UTF-8."""
    with host.world.transaction() as state:
        real = state.resolve_path(host.node, windows_path)
    data = real.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    return data.decode("utf-8", errors="replace")


def file_sha256(host: PowerShellHost, windows_path: str) -> str:
    """Get-WsfcFileSha256: SHA-256 over the file, lower-case hex."""
    host.operation(OPERATION_HASH)
    with host.world.transaction() as state:
        real = state.resolve_path(host.node, windows_path)
    digest = hashlib.sha256()
    with real.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def round_trip_utc(value: datetime) -> str:
    """DateTime.ToString('o') of a DateTime of kind Utc (fact file-last-write-time): seven
    fractional digits and a Z; the lab's times carry microseconds, so the last digit is 0."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"
