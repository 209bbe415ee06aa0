"""What the lab's backups hold, on disk: the writers and the readers (docs/lab.md, Contract 4).

The backup emulations write through this module and the restore emulations read through
it; nothing else knows the layout. The bytes are the lab's own (Windows' formats are not
reproduced); the layout follows the documented one
(docs/windows-behaviour.md#clusapi-backup-restore, #wbadmin-backup-target):

VSS route (#wbadmin-start-systemstatebackup, `wbadmin start systemstatebackup -backupTarget:<t>`),
under the target:
    WindowsImageBackup\\<NODE>\\Backup <yyyy-mm-dd hhmmss>\\<guid>.vhdx   the snapshot
    WindowsImageBackup\\<NODE>\\Catalog\\BackupGlobalCatalog              the versions there
clusapi route (#clusapi-backup-restore, BackupClusterDatabase into a directory):
    chk????.tmp                       the snapshot
    quolog.log                        the quorum log
    <resource GUID>\\00000001.CPT      registry checkpoint of each resource
    <resource GUID>\\00000001.CPR      crypto checkpoint of each resource
    Clusbackup.dat                    the completion marker: 0 bytes, read-only (hidden on
                                      Windows; the lab keeps no hidden attribute), written last

Every file but the marker is a "media" file: a header line, a line with the SHA-256 of the
body, and the body (JSON, padded with zero bytes to a realistic size). A reader checks the
digest, so a file whose bytes were changed (the corrupt fault) is refused with
ERROR_DATABASE_BACKUP_CORRUPT (5087), as a restore from a damaged backup is.

Writes go through the world's disk_full accounting in chunks: a full disk leaves the
files written so far, the last one cut short, and never the catalog entry or marker that
would make the backup look complete (those are written last).
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import stat
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from wsfc_lab.world.state import LabState
from wsfc_lab.world.windows_errors import (
    ERROR_DATABASE_BACKUP_CORRUPT,
    ERROR_DIRECTORY,
    ERROR_FILE_NOT_FOUND,
    ERROR_PATH_NOT_FOUND,
    WindowsError,
)

MEDIA_MAGIC = b"WSFC-LAB-MEDIA 1"
WRITE_CHUNK = 16 * 1024
VHDX_MINIMUM_SIZE = 96 * 1024  # big enough that a disk_full budget can cut it in the middle
CHECKPOINT_NAME = "00000001"
CLUSAPI_MARKER = "Clusbackup.dat"
QUORUM_LOG = "quolog.log"
IMAGE_DIRECTORY = "WindowsImageBackup"
CATALOG_NAME = "BackupGlobalCatalog"
_CHK_NAME = re.compile(r"^chk[0-9A-Fa-f]{4}\.tmp$")
_VOLUME_TARGET = re.compile(r"^([A-Za-z]):\\?$")
# uuid5 namespace for the lab's resource checkpoint directories (any fixed UUID will do).
_CHECKPOINT_NAMESPACE = uuid.UUID("6b3c1f0e-9a52-4a3e-8f3b-2d0c5e7a1b44")


class MediaWorld(Protocol):
    """The part of wsfc_lab.world.World the media code uses."""

    def transaction(self) -> AbstractContextManager[LabState]: ...

    def resolve_path(self, node: str, windows_path: str) -> Path: ...

    def charge_write(self, node: str, windows_path: str, nbytes: int) -> Path: ...


class BackupMediaError(WindowsError):
    """A backup that cannot be read: missing, incomplete or corrupt."""


# -- the snapshot ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """A node's copy of the cluster database at backup time, with what a restore compares:
    the cluster's identity, the witness and the disk layouts
    (docs/windows-behaviour.md#clusapi-backup-restore:
    a restore without force compares the quorum disk's partition count and offsets)."""

    cluster: dict[str, Any]  # name, id, domain
    node: str
    paxos_tag: str
    objects: dict[str, Any]  # groups, resources, networks (world/configuration.py)
    witness: dict[str, Any]  # type, resource, disk, path (no database copy)
    disks: dict[str, Any]  # name -> number, signature, drive_letter, partitions, owner_node
    created: str  # UTC, YYYY-MM-DDTHH:MM:SSZ

    def database(self) -> dict[str, Any]:
        """The copy in the shape the world keeps (state.nodes[n].database)."""
        return {"paxos_tag": self.paxos_tag, "objects": copy.deepcopy(self.objects)}

    def quorum_disk(self) -> dict[str, Any] | None:
        name = self.witness.get("disk")
        return self.disks.get(name) if name else None

    def to_document(self) -> dict[str, Any]:
        return {
            "cluster": self.cluster,
            "node": self.node,
            "paxos_tag": self.paxos_tag,
            "objects": self.objects,
            "witness": self.witness,
            "disks": self.disks,
            "created": self.created,
        }

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> Snapshot:
        return cls(**{key: document[key] for key in cls.__dataclass_fields__})


def take_snapshot(state: LabState, node: str, when: datetime | None = None) -> Snapshot:
    """The snapshot of `node`'s database copy now (what the VSS writer or clusapi copies)."""
    record = state.node(node)
    database = record["database"]
    if database is None:
        raise WindowsError(ERROR_FILE_NOT_FOUND, f"{record['name']} holds no cluster database")
    cluster = state.data["cluster"]
    witness = {k: state.witness.get(k) for k in ("type", "resource", "disk", "path")}
    return Snapshot(
        cluster={"name": cluster["name"], "id": cluster["id"], "domain": cluster["domain"]},
        node=record["name"],
        paxos_tag=database["paxos_tag"],
        objects=copy.deepcopy(database["objects"]),
        witness=witness,
        disks=copy.deepcopy(state.disks),
        created=_utc_text(when or datetime.now(UTC)),
    )


# -- VSS route: wbadmin's target layout -------------------------------------------------------


@dataclass(frozen=True)
class VssVersion:
    """One entry of a target's BackupGlobalCatalog (what `wbadmin get versions` lists)."""

    version_id: str  # MM/DD/YYYY-HH:MM, UTC
    backup_time: str  # UTC, YYYY-MM-DDTHH:MM:SSZ
    machine: str
    target: str  # the -backupTarget the backup was written to
    directory: str  # "Backup yyyy-mm-dd hhmmss"
    vhdx: str  # "<guid>.vhdx"
    snapshot_id: str
    items: tuple[str, ...]  # the applications it can recover: ("Cluster", "Registry")

    @property
    def created(self) -> datetime:
        return datetime.strptime(self.backup_time, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def vss_version_id(moment: datetime) -> str:
    """wbadmin's version identifier (MM/DD/YYYY-HH:MM); the lab's clocks are UTC."""
    return moment.astimezone(UTC).strftime("%m/%d/%Y-%H:%M")


def vss_machine_directory(target: str, machine: str) -> str:
    """`<target>\\WindowsImageBackup\\<machine>` as a Windows path."""
    return _join(_target_root(target), IMAGE_DIRECTORY, machine)


def write_vss_backup(
    world: MediaWorld, node: str, target: str, snapshot: Snapshot, when: datetime
) -> VssVersion:
    """Write a system state backup of `node` to `target` (a volume `E:` or a UNC path):
    the snapshot first, then the catalog entry that makes it a version of the target.

    Raises WindowsError from the disk_full fault (112) with the snapshot cut short and the
    catalog unchanged, or from resolving the target (53, 67, 3).
    """
    moment = when.astimezone(UTC).replace(microsecond=0)
    machine_dir = vss_machine_directory(target, snapshot.node)
    version = VssVersion(
        version_id=vss_version_id(moment),
        backup_time=_utc_text(moment),
        machine=snapshot.node,
        target=target,
        directory=f"Backup {moment:%Y-%m-%d %H%M%S}",
        vhdx=f"{uuid.uuid4()}.vhdx",
        snapshot_id="{" + str(uuid.uuid4()) + "}",
        items=("Cluster", "Registry"),
    )
    vhdx = encode_media("vhdx", snapshot.to_document(), VHDX_MINIMUM_SIZE)
    write_charged(world, node, _join(machine_dir, version.directory, version.vhdx), vhdx)
    catalog = [
        v
        for v in _read_catalog(world, node, target, snapshot.node)
        if v.version_id != version.version_id
    ]
    document = {
        "machine": snapshot.node,
        "versions": [_version_doc(v) for v in [*catalog, version]],
    }
    write_charged(
        world, node, _join(machine_dir, "Catalog", CATALOG_NAME), encode_media("catalog", document)
    )
    return version


def read_vss_catalog(
    world: MediaWorld, node: str, target: str, machine: str | None = None
) -> list[VssVersion]:
    """The versions of `machine` (default: `node`) at `target`, oldest first; empty when the
    target holds none. BackupMediaError (5087) when the catalog is corrupt."""
    return sorted(_read_catalog(world, node, target, machine or _node_name(world, node)),
                  key=lambda v: v.backup_time)  # fmt: skip


def read_vss_snapshot(
    world: MediaWorld, node: str, target: str, version: str, machine: str | None = None
) -> Snapshot:
    """The snapshot of backup `version` (MM/DD/YYYY-HH:MM) of `machine` (default: `node`)
    at `target`, as `wbadmin start recovery -version:<v> -backupTarget:<t>` reads it.

    BackupMediaError: ERROR_FILE_NOT_FOUND (2) when the target has no such version or its
    snapshot file is gone; ERROR_DATABASE_BACKUP_CORRUPT (5087) when its bytes changed.
    """
    machine = machine or _node_name(world, node)
    for entry in read_vss_catalog(world, node, target, machine):
        if entry.version_id == version:
            path = _join(vss_machine_directory(target, machine), entry.directory, entry.vhdx)
            return Snapshot.from_document(read_media(world, node, path, "vhdx"))
    raise BackupMediaError(
        ERROR_FILE_NOT_FOUND, f"No backup version {version} of {machine} at {target}"
    )


# -- clusapi route: BackupClusterDatabase's file set -----------------------------------------


def clusapi_snapshot_name(paxos_tag: str) -> str:
    """chk????.tmp: four hexadecimal digits, from the tag's sequence (the lab's choice)."""
    sequence = int(paxos_tag.rsplit(":", 1)[-1])
    return f"chk{sequence & 0xFFFF:04X}.tmp"


def checkpoint_directory(cluster_id: str, resource: str) -> str:
    """The <resource GUID> directory name of a resource's checkpoints (stable per resource)."""
    return str(uuid.uuid5(_CHECKPOINT_NAMESPACE, f"{cluster_id}/{resource}"))


def write_clusapi_backup(world: MediaWorld, node: str, directory: str, snapshot: Snapshot) -> None:
    """Write the documented file set into `directory` (which exists), the marker last.

    A second backup to the same directory overwrites the first
    (docs/windows-behaviour.md#clusapi-backup-restore):
    its marker goes first, so an interrupted overwrite never looks complete. Raises
    WindowsError 112 (disk_full) with the files written so far left in place.
    """
    root = world.resolve_path(node, directory)
    marker = root / CLUSAPI_MARKER
    if marker.exists():
        marker.chmod(stat.S_IWUSR | stat.S_IRUSR)
        marker.unlink()
    for old in root.iterdir():
        if old.is_file() and _CHK_NAME.match(old.name):
            old.unlink()
    document = snapshot.to_document()
    write_charged(world, node, _join(directory, clusapi_snapshot_name(snapshot.paxos_tag)),
                  encode_media("clusapi-snapshot", document))  # fmt: skip
    log = {"paxos_tag": snapshot.paxos_tag, "node": snapshot.node, "created": snapshot.created}
    write_charged(world, node, _join(directory, QUORUM_LOG), encode_media("quorum-log", log))
    for name, resource in sorted(snapshot.objects.get("resources", {}).items()):
        folder = _join(directory, checkpoint_directory(snapshot.cluster["id"], name))
        registry = {"resource": name, "parameters": resource.get("parameters", {})}
        write_charged(world, node, _join(folder, CHECKPOINT_NAME + ".CPT"),
                      encode_media("registry-checkpoint", registry))  # fmt: skip
        crypto = {"resource": name, "key": hashlib.sha256(name.encode()).hexdigest()}
        write_charged(world, node, _join(folder, CHECKPOINT_NAME + ".CPR"),
                      encode_media("crypto-checkpoint", crypto))  # fmt: skip
    written = write_charged(world, node, _join(directory, CLUSAPI_MARKER), b"")
    written.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)  # read-only, as documented


def read_clusapi_snapshot(world: MediaWorld, node: str, path: str) -> Snapshot:
    """The snapshot in a clusapi backup directory, as RestoreClusterDatabase reads it.

    Every file of the set is checked. WindowsError ERROR_PATH_NOT_FOUND (3) when `path`
    does not exist, ERROR_DIRECTORY (267) when it names a file; BackupMediaError
    ERROR_DATABASE_BACKUP_CORRUPT (5087) when the marker, the snapshot or the quorum log is
    missing (an unfinished backup) or any file's bytes changed.
    """
    root = world.resolve_path(node, path)
    if not root.exists():
        raise WindowsError(ERROR_PATH_NOT_FOUND, f"The backup path '{path}' does not exist")
    if not root.is_dir():
        raise WindowsError(ERROR_DIRECTORY, f"The backup path '{path}' names a file")
    names = {entry.name.lower(): entry.name for entry in root.iterdir()}
    if CLUSAPI_MARKER.lower() not in names:
        raise BackupMediaError(
            ERROR_DATABASE_BACKUP_CORRUPT,
            f"{path} holds no {CLUSAPI_MARKER}: the backup did not finish",
        )
    snapshots = [name for name in names.values() if _CHK_NAME.match(name)]
    if len(snapshots) != 1 or QUORUM_LOG not in names:
        raise BackupMediaError(
            ERROR_DATABASE_BACKUP_CORRUPT,
            f"{path} does not hold one chk????.tmp and {QUORUM_LOG}",
        )
    snapshot = Snapshot.from_document(
        read_media(world, node, _join(path, snapshots[0]), "clusapi-snapshot")
    )
    read_media(world, node, _join(path, names[QUORUM_LOG]), "quorum-log")
    for checkpoint in sorted(p for p in root.rglob("*") if p.suffix.upper() in (".CPT", ".CPR")):
        relative = checkpoint.relative_to(root)
        kind = "registry-checkpoint" if checkpoint.suffix.upper() == ".CPT" else "crypto-checkpoint"
        read_media(world, node, _join(path, *relative.parts), kind)
    return snapshot


# -- media files -----------------------------------------------------------------------------


def encode_media(kind: str, document: dict[str, Any], minimum_size: int = 0) -> bytes:
    """A media file: header, SHA-256 of the body, the body (JSON padded with zero bytes)."""
    body = json.dumps(document, sort_keys=True).encode("utf-8") + b"\n"
    body += b"\0" * max(0, minimum_size - len(body))
    digest = hashlib.sha256(body).hexdigest().encode("ascii")
    return MEDIA_MAGIC + b" " + kind.encode("ascii") + b"\nsha256 " + digest + b"\n" + body


def decode_media(data: bytes, kind: str, where: str) -> dict[str, Any]:
    """The JSON body of a media file; BackupMediaError (5087) when it was changed."""
    try:
        header, digest_line, body = data.split(b"\n", 2)
    except ValueError:
        raise _corrupt(where, "it is cut short") from None
    if header != MEDIA_MAGIC + b" " + kind.encode("ascii"):
        raise _corrupt(where, "its header is not the lab's")
    if digest_line != b"sha256 " + hashlib.sha256(body).hexdigest().encode("ascii"):
        raise _corrupt(where, "its bytes do not match their checksum")
    try:
        document = json.loads(body.rstrip(b"\0").decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _corrupt(where, "its content cannot be read") from None
    if not isinstance(document, dict):
        raise _corrupt(where, "its content is not a document")
    return document


def read_media(world: MediaWorld, node: str, windows_path: str, kind: str) -> dict[str, Any]:
    real = world.resolve_path(node, windows_path)
    if not real.is_file():
        raise BackupMediaError(ERROR_FILE_NOT_FOUND, f"{windows_path} does not exist")
    return decode_media(real.read_bytes(), kind, windows_path)


def write_charged(world: MediaWorld, node: str, windows_path: str, data: bytes) -> Path:
    """Write a file chunk by chunk, each chunk charged against the disk_full budget first;
    when the budget runs out the file keeps what was written and WindowsError 112 rises."""
    real = world.resolve_path(node, windows_path)
    real.parent.mkdir(parents=True, exist_ok=True)
    with real.open("wb") as handle:
        for piece in _chunks(data):
            world.charge_write(node, windows_path, len(piece))
            handle.write(piece)
            handle.flush()
    return real


def _chunks(data: bytes) -> Iterator[bytes]:
    for offset in range(0, len(data), WRITE_CHUNK):
        yield data[offset : offset + WRITE_CHUNK]


def _corrupt(where: str, why: str) -> BackupMediaError:
    return BackupMediaError(
        ERROR_DATABASE_BACKUP_CORRUPT, f"The backup file {where} is corrupt: {why}"
    )


# -- helpers ---------------------------------------------------------------------------------


def _read_catalog(world: MediaWorld, node: str, target: str, machine: str) -> list[VssVersion]:
    path = _join(vss_machine_directory(target, machine), "Catalog", CATALOG_NAME)
    if not world.resolve_path(node, path).is_file():
        return []
    document = read_media(world, node, path, "catalog")
    return [_version_from_doc(entry) for entry in document.get("versions", [])]


def _version_doc(version: VssVersion) -> dict[str, Any]:
    document = {key: getattr(version, key) for key in VssVersion.__dataclass_fields__}
    document["items"] = list(version.items)
    return document


def _version_from_doc(document: dict[str, Any]) -> VssVersion:
    values = {key: document[key] for key in VssVersion.__dataclass_fields__}
    values["items"] = tuple(values["items"])
    return VssVersion(**values)


def _node_name(world: MediaWorld, node: str) -> str:
    with world.transaction() as state:
        return state.node_name(node)


def _target_root(target: str) -> str:
    volume = _VOLUME_TARGET.match(target)
    return f"{volume[1].upper()}:\\" if volume else target


def _join(base: str, *names: str) -> str:
    return "\\".join([base.rstrip("\\"), *names])


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
