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

from ansible_collections.wsfc.clusterdb.plugins.plugin_utils import _controller_crypto as crypto
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._backup_set_report import (
    report_backup_sets,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._manifest import (
    COMPLETION_MARKER_NAME,
    MANIFEST_NAME,
    SIGNATURE_NAME,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._signing import TrustedKey

# A set whose files are encrypted, judged without the key: nothing can be verified.
ENCRYPTED = "encrypted"

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


def _sealed_listing(directory: Path, key: bytes, hash_files: bool) -> dict[str, t.Any]:
    """An encrypted set listed as its plain files would be: every file is decrypted (in
    memory, chunk by chunk) to hash it. A file that does not decrypt is listed with no
    hash, so that the set does not verify, and named in ``decryption_problems``."""
    name = directory.name
    files, texts, problems = [], {}, []
    for path in sorted(directory.rglob("*")):
        if not path.is_file():
            continue
        relative = crypto.plain_relative(path, directory)
        try:
            if relative in (MANIFEST_NAME, SIGNATURE_NAME):
                texts[relative] = crypto.decrypted_text(key, path, name, relative)
                size = len(texts[relative].encode("utf-8"))
                digest = hashlib.sha256(texts[relative].encode("utf-8")).hexdigest()
            elif hash_files or relative == COMPLETION_MARKER_NAME:
                size, digest = crypto.decrypted_digest(key, path, name, relative)
            else:
                size, digest = _plain_size(path), ""
        except crypto.DecryptionError as error:
            problems.append(str(error))
            size, digest = -1, "does-not-decrypt"
        files.append({"path": relative, "size": size, "sha256": digest if hash_files else None})
    marker = next((f for f in files if f["path"] == COMPLETION_MARKER_NAME), None)
    return {
        "name": name,
        "marker_present": marker is not None and marker["size"] >= 0,
        "manifest_text": texts.get(MANIFEST_NAME),
        "signature_text": texts.get(SIGNATURE_NAME),
        "files": files,
        "decryption_problems": problems,
    }


def _plain_size(sealed: Path) -> int:
    """The plain size of a sealed file, from its length (each chunk adds a tag)."""
    body = sealed.stat().st_size - crypto.HEADER_SIZE
    chunks = max(1, -(-body // (crypto.CHUNK + crypto.TAG_SIZE)))
    return body - chunks * crypto.TAG_SIZE


def _encrypted_entry(root: Path, directory: Path) -> dict[str, t.Any]:
    """An encrypted set judged without the key: there, but nothing verified."""
    return {
        "name": directory.name,
        "path": str(root / directory.name),
        "kind": "set",
        "status": ENCRYPTED,
        "verified": False,
        "encrypted": True,
        "problems": [],
        "message": (
            f"{directory.name} is an encrypted controller copy and no encryption key was "
            "given, so it was not verified: give the key it was encrypted with "
            "(backup_controller_encryption_key, restore_controller_encryption_key, or the "
            "lookup's encryption_key)."
        ),
        "cluster": None,
        "created": None,
        "signature": None,
    }


def _with_decryption_problems(
    described: dict[str, t.Any], problems: list[str], encrypted: bool
) -> dict[str, t.Any]:
    described = {**described, "encrypted": encrypted}
    if problems:
        described.update(
            status="corrupt",
            verified=False,
            problems=[
                *described.get("problems", []),
                *({"status": "corrupt", "text": p, "file": None} for p in problems),
            ],
            message=(
                f"The encrypted controller copy {described['name']} does not verify: "
                + "; ".join(problems)
                + ". Restore another set, or take a new backup."
            ),
        )
    return described


def controller_backup_sets(
    folder: str,
    cluster_name: str | None = None,
    hash_files: bool = True,
    *,
    encryption_key: bytes | None = None,
    trusted_keys: tuple[TrustedKey, ...] = (),
    require_signature: bool = False,
) -> dict[str, t.Any]:
    """backup_set_info's report for ``folder`` on the controller (``~`` expanded).

    Without ``hash_files`` only the marker, the manifest and the sizes are checked, and
    every set is reported with ``verified`` false. An encrypted set (every file sealed,
    plugin_utils._controller_crypto) is decrypted with ``encryption_key`` and judged as
    its plain files; without the key it is reported with status ``encrypted``, unverified.
    Every set says whether it is ``encrypted``.
    """
    root = Path(os.path.expanduser(str(folder)))
    if root.exists() and not root.is_dir():
        raise ControllerFolderError(f"{root} is a file, not a folder of backup sets")
    directories = sorted(d for d in root.iterdir() if d.is_dir()) if root.is_dir() else []
    listing, locked, sealed = [], [], set()
    for directory in directories:
        if not crypto.is_encrypted_set(directory):
            listing.append(_listing(directory, bool(hash_files)))
        elif encryption_key is None:
            locked.append(_encrypted_entry(root, directory))
        else:
            sealed.add(directory.name)
            listing.append(_sealed_listing(directory, encryption_key, bool(hash_files)))
    problems = {e["name"]: e.pop("decryption_problems", []) for e in listing}
    report = report_backup_sets(
        ControllerFolder(root),
        listing,
        verify=True,
        cluster_name=cluster_name,
        trusted_keys=trusted_keys,
        require_signature=require_signature,
    )
    sets = [
        _with_decryption_problems(s, problems.get(s["name"], []), s["name"] in sealed)
        for s in report.sets
    ]
    complete = [s for s in sets if s["status"] == "complete"]
    newest = max(complete, key=lambda s: (s["created"] or "", s["name"])) if complete else None
    return {
        "backup_path": str(root),
        "exists": root.is_dir(),
        "sets": sorted(sets + locked, key=lambda s: str(s["name"])),
        "newest_complete": dict(newest) if newest else None,
        "other_directories": report.other_directories,
        "rejected": [
            _with_decryption_problems(r, problems.get(r["name"], []), r["name"] in sealed)
            for r in report.rejected
        ],
        "encrypted_without_key": [e["name"] for e in locked],
    }
