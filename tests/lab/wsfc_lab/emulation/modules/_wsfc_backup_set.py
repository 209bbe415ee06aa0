"""Port of plugins/module_utils/WsfcBackupSet.psm1 over the lab's Windows surface: the backup
set listing shared by cluster_backup, cluster_restore and backup_set_info (docs/internals.md,
"The set listing"). Raw facts only; the controller decides."""

from __future__ import annotations

from typing import Any

from wsfc_lab.windows import dotnet
from wsfc_lab.windows.errors import PowerShellError
from wsfc_lab.windows.host import PowerShellHost
from wsfc_lab.world import WindowsError

PORT_OF = "plugins/module_utils/WsfcBackupSet.psm1"

MANIFEST_FILE_NAME = "manifest.json"
MARKER_FILE_NAME = "backup.complete"
SIGNATURE_FILE_NAME = "manifest.sig"


def get_backup_set_file_name() -> dict[str, str]:
    return {
        "manifest": MANIFEST_FILE_NAME,
        "marker": MARKER_FILE_NAME,
        "signature": SIGNATURE_FILE_NAME,
    }


def get_file_sha256(host: PowerShellHost, literal_path: str) -> str:
    return dotnet.file_sha256(host, literal_path)


def ordinal(text: str) -> list[int]:
    """[string]::CompareOrdinal order: by UTF-16 code units."""
    data = text.encode("utf-16-be")
    return [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2)]


def get_directory_file(
    host: PowerShellHost, literal_path: str, *, hash_files: bool
) -> list[dict[str, Any]]:
    root = str(
        host.invoke("Get-Item", LiteralPath=literal_path, Force=True, ErrorAction="Stop").FullName
    ).rstrip("\\")
    files = host.invoke(
        "Get-ChildItem",
        LiteralPath=literal_path,
        Recurse=True,
        File=True,
        Force=True,
        ErrorAction="Stop",
    )
    entries = []
    for file in files:
        entry: dict[str, Any] = {
            "path": str(file.FullName)[len(root) :].lstrip("\\"),
            "size": int(file.Length),
            "last_write_utc": dotnet.round_trip_utc(file.LastWriteTimeUtc),
            "sha256": None,
        }
        if hash_files:
            entry["sha256"] = get_file_sha256(host, file.FullName)
        entries.append(entry)
    entries.sort(key=lambda e: ordinal(e["path"]))
    return entries


def get_backup_path_info(host: PowerShellHost, literal_path: str) -> dict[str, bool]:
    return {
        "exists": bool(host.invoke("Test-Path", LiteralPath=literal_path)),
        "is_directory": bool(
            host.invoke("Test-Path", LiteralPath=literal_path, PathType="Container")
        ),
    }


def get_backup_set_listing(
    host: PowerShellHost, literal_path: str, hash_sets: str = "none"
) -> list[dict[str, Any]]:
    if hash_sets not in ("all", "newest", "none"):
        raise ValueError("HashSets: ValidateSet all, newest, none")
    if not host.invoke("Test-Path", LiteralPath=literal_path, PathType="Container"):
        return []
    directories = host.invoke(
        "Get-ChildItem", LiteralPath=literal_path, Directory=True, Force=True, ErrorAction="Stop"
    )
    sets = []
    for directory in directories:
        marker_path = f"{directory.FullName}\\{MARKER_FILE_NAME}"
        manifest_path = f"{directory.FullName}\\{MANIFEST_FILE_NAME}"
        manifest_text = None
        if host.invoke("Test-Path", LiteralPath=manifest_path, PathType="Leaf"):
            manifest_text = dotnet.read_all_text(host, manifest_path)
        signature_path = f"{directory.FullName}\\{SIGNATURE_FILE_NAME}"
        signature_text = None
        if host.invoke("Test-Path", LiteralPath=signature_path, PathType="Leaf"):
            signature_text = dotnet.read_all_text(host, signature_path)
        sets.append(
            {
                "name": directory.Name,
                "full_name": directory.FullName,
                "marker_present": bool(
                    host.invoke("Test-Path", LiteralPath=marker_path, PathType="Leaf")
                ),
                "manifest_text": manifest_text,
                "signature_text": signature_text,
                "files": None,
            }
        )
    sets.sort(key=lambda s: ordinal(s["name"]))
    to_hash: list[dict[str, Any]] = []
    if hash_sets == "all":
        to_hash = sets
    elif hash_sets == "newest":
        to_hash = [s for s in sets if s["marker_present"]][-1:]
    for entry in to_hash:
        entry["files"] = get_directory_file(host, entry["full_name"], hash_files=True)
    return [
        {
            "name": s["name"],
            "marker_present": s["marker_present"],
            "manifest_text": s["manifest_text"],
            "signature_text": s["signature_text"],
            "files": s["files"],
        }
        for s in sets
    ]


def get_win32_error_code(error: Exception) -> int | None:
    """Get-WsfcWin32ErrorCode: the Win32 code of a failed file operation, or None."""
    if isinstance(error, PowerShellError | WindowsError):
        return error.code
    return None
