# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The backup set manifest: its format, how it is built and read, and how a set is verified.

A set directory holds the files the route wrote, ``manifest.json`` and the completion marker
``backup.complete``. The rule: the manifest is written after every file of the set, and
the marker (empty) after the manifest, last; the directory is then renamed from its staging
name. A set without the marker was never finished and is incomplete, whatever else it holds.

The manifest is JSON with a ``format`` name and an integer ``schema_version``; a reader
refuses a newer schema than it knows. It records the cluster (name and id), the source
node, the route, the configuration version (the PaxosTag read when the backup began, with
its parsed parts) and the tag read when it ended (``configuration_version_after``; it
differs when the configuration changed during the backup, and the set then holds one of
the versions between the two), the quorum and witness disk layout, the configuration
objects with their fingerprint, every file of the set (relative path, size, SHA-256), the
creation time (UTC) and, for the vss route, wbadmin's version identifier.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._configuration import (
    normalize_configuration,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._paths import quoted
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._paxos import (
    PaxosTag,
    PaxosTagError,
    parse_paxos_tag,
    version_range,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._routes import CLUSAPI, ROUTES, VSS
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._set_naming import parse_set_name
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._wbadmin import (
    WbadminParseError,
    parse_version_id,
)

MANIFEST_FORMAT = "wsfc.clusterdb/backup-set"
SCHEMA_VERSION = 1
MANIFEST_NAME = "manifest.json"
COMPLETION_MARKER_NAME = "backup.complete"
# The manifest's signature (plugin_utils._signing), when the backup signed it.
SIGNATURE_NAME = "manifest.sig"
_BOOKKEEPING = (MANIFEST_NAME, COMPLETION_MARKER_NAME, SIGNATURE_NAME)

COMPLETE = "complete"
INCOMPLETE = "incomplete"
CORRUPT = "corrupt"

WITNESS_TYPES = ("disk", "file_share", "cloud", "none")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


class ManifestError(ValueError):
    """A manifest that cannot be built or read; the text names the field."""


@dataclass(frozen=True)
class ClusterIdentity:
    name: str
    id: str


@dataclass(frozen=True)
class Partition:
    """One partition of the witness disk. ``offset`` and ``size`` are bytes from
    ``Get-Partition`` on the disk's owner; ``total_size_mb`` is ``MSCluster_DiskPartition``'s
    TotalSize (docs/windows-behaviour.md#mscluster-diskpartition, which has no offset). Either
    may be None: the offsets are read on the owner node only (#get-partition)."""

    number: int
    offset: int | None
    size: int | None = None
    total_size_mb: int | None = None


@dataclass(frozen=True)
class QuorumLayout:
    """The quorum configuration and, for a disk witness, the disk's partition layout."""

    quorum_type: str | None
    witness_type: str
    witness_resource: str | None = None
    drive_letter: str | None = None
    signature: str | None = None
    partitions: tuple[Partition, ...] = ()
    id_type: str | None = None
    gpt_guid: str | None = None

    @property
    def partition_count(self) -> int:
        return len(self.partitions)

    def _ordered(self) -> tuple[Partition, ...]:
        return tuple(sorted(self.partitions, key=lambda p: p.number))

    @classmethod
    def from_quorum_facts(cls, quorum: dict | None) -> QuorumLayout:
        """From ``cluster_info``'s ``quorum`` fact (None: no quorum information)."""
        quorum = quorum or {}
        witness = quorum.get("witness") or {}
        disk = witness.get("disk") or {}
        partitions = tuple(
            Partition(
                number=int(p.get("number", n + 1)),
                offset=_int_or_none(p.get("offset")),
                size=_int_or_none(p.get("size")),
                total_size_mb=_int_or_none(p.get("total_size_mb")),
            )
            for n, p in enumerate(disk.get("partitions") or [])
        )
        return cls(
            quorum_type=quorum.get("type"),
            witness_type=str(witness.get("type") or "none"),
            witness_resource=witness.get("resource"),
            drive_letter=disk.get("drive_letter"),
            signature=disk.get("signature"),
            partitions=partitions,
            id_type=disk.get("id_type"),
            gpt_guid=disk.get("gpt_guid"),
        )

    def layout_differences(self, current: QuorumLayout) -> tuple[str, ...]:
        """How ``current`` differs from this (the backup's) disk layout, in the terms that
        make a restore without force refuse (ERROR_QUORUM_DISK_NOT_FOUND, 5086): the number
        of partitions and their offsets. Signature and drive letter need not match
        (docs/windows-behaviour.md#clusapi-backup-restore). Empty when they agree or the backup
        had no disk witness."""
        if self.witness_type != "disk":
            return ()
        if current.witness_type != "disk":
            return (f"the backup had a disk witness; the cluster now has {current.witness_type}",)
        differences = []
        if self.partition_count != current.partition_count:
            differences.append(
                f"partition count: backup {self.partition_count}, now {current.partition_count}"
            )
            return tuple(differences)
        # Partition by partition: byte offsets and sizes where both sides read them (on the
        # disk's owner), else the sizes in MB that every node reads.
        for was, now in zip(self._ordered(), current._ordered(), strict=True):
            if was.offset is not None and now.offset is not None and was.offset != now.offset:
                differences.append(
                    f"partition offsets: partition {was.number} backup {was.offset}, "
                    f"now {now.offset}"
                )
            if was.size is not None and now.size is not None:
                if was.size != now.size:
                    differences.append(
                        f"partition sizes: partition {was.number} backup {was.size} bytes, "
                        f"now {now.size} bytes"
                    )
            elif (
                was.total_size_mb is not None
                and now.total_size_mb is not None
                and was.total_size_mb != now.total_size_mb
            ):
                differences.append(
                    f"partition sizes: partition {was.number} backup {was.total_size_mb} MB, "
                    f"now {now.total_size_mb} MB"
                )
        return tuple(differences)


def _int_or_none(value: object) -> int | None:
    return None if value is None else int(value)  # type: ignore[call-overload]


@dataclass(frozen=True)
class FileEntry:
    """A file of the set: path relative to the set directory (``/`` separated), size, SHA-256."""

    path: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    """A set's manifest. ``configuration_version`` is the version the set holds: a single
    tag, or a VersionRange (``moved``) when the configuration changed during the backup."""

    cluster: ClusterIdentity
    source_node: str
    route: str
    created: datetime
    configuration_version: PaxosTag
    quorum: QuorumLayout
    configuration: dict
    configuration_fingerprint: str
    files: tuple[FileEntry, ...]
    wbadmin_version: str | None = None
    schema_version: int = SCHEMA_VERSION


@dataclass(frozen=True)
class ListedFile:
    """A file found in a set directory; ``sha256`` is None when it was not hashed."""

    path: str
    size: int
    sha256: str | None = None


@dataclass(frozen=True)
class SetProblem:
    status: str
    text: str
    file: str | None = None


@dataclass(frozen=True)
class SetVerification:
    """The verdict on one set. ``hashes_checked`` is False when no hashes were listed."""

    status: str
    problems: tuple[SetProblem, ...]
    manifest: Manifest | None
    hashes_checked: bool
    unexpected_files: tuple[str, ...] = ()

    @property
    def is_complete(self) -> bool:
        return self.status == COMPLETE

    @property
    def message(self) -> str:
        if not self.problems:
            checked = "sizes and SHA-256 checked" if self.hashes_checked else "hashes not checked"
            return f"The set is complete ({checked})."
        return f"The set is {self.status}: " + "; ".join(p.text for p in self.problems) + "."


def build_manifest(
    *,
    cluster: dict,
    source_node: str,
    route: str,
    paxos_tag: str | PaxosTag,
    quorum: dict | QuorumLayout | None,
    configuration: dict | None,
    files: Iterable[dict | FileEntry | ListedFile],
    created: datetime,
    wbadmin_version: str | None = None,
) -> Manifest:
    """Build a manifest from the raw facts the backup phase returned.

    ``paxos_tag`` is the configuration version the set holds: a tag, or the VersionRange
    of the tags read before and after the backup (plugin_utils._paxos.version_range).
    """
    try:
        tag = paxos_tag if isinstance(paxos_tag, PaxosTag) else parse_paxos_tag(paxos_tag)
    except PaxosTagError as err:
        raise ManifestError(f"configuration_version: {err}") from err
    if created.tzinfo is None or created.utcoffset() is None:
        raise ManifestError("created: must be timezone-aware")
    canonical = normalize_configuration(configuration)
    entries = []
    for n, item in enumerate(files):
        if isinstance(item, (FileEntry, ListedFile)):
            item = {"path": item.path, "size": item.size, "sha256": item.sha256}
        entries.append(_file_entry(item, f"files[{n}]"))
    manifest = Manifest(
        cluster=_cluster(cluster, "cluster"),
        source_node=_text(source_node, "source_node"),
        route=route,
        created=created.astimezone(UTC).replace(microsecond=0),
        configuration_version=tag,
        quorum=quorum
        if isinstance(quorum, QuorumLayout)
        else QuorumLayout.from_quorum_facts(quorum),
        configuration=canonical.as_facts(),
        configuration_fingerprint=canonical.fingerprint,
        files=tuple(entries),
        wbadmin_version=wbadmin_version,
    )
    _check_route(manifest.route, manifest.wbadmin_version)
    _check_file_names(manifest.files)
    return manifest


def manifest_to_json(manifest: Manifest) -> str:
    """The manifest's text as written to ``manifest.json``."""
    tag = manifest.configuration_version
    quorum = manifest.quorum
    document = {
        "format": MANIFEST_FORMAT,
        "schema_version": manifest.schema_version,
        "cluster": {"name": manifest.cluster.name, "id": manifest.cluster.id},
        "source_node": manifest.source_node,
        "route": manifest.route,
        "created": manifest.created.astimezone(UTC).strftime(_TIME_FORMAT),
        # The range's ends each in the single-tag form; *_after equals the first for a set
        # whose configuration did not move.
        "configuration_version": tag.first.tag_facts(),
        "configuration_version_after": tag.last.tag_facts(),
        "quorum": {
            "type": quorum.quorum_type,
            "witness_type": quorum.witness_type,
            "witness_resource": quorum.witness_resource,
            "drive_letter": quorum.drive_letter,
            "signature": quorum.signature,
            "id_type": quorum.id_type,
            "gpt_guid": quorum.gpt_guid,
            "partition_count": quorum.partition_count,
            "partitions": [
                {
                    "number": p.number,
                    "offset": p.offset,
                    "size": p.size,
                    "total_size_mb": p.total_size_mb,
                }
                for p in quorum.partitions
            ],
        },
        "wbadmin_version": manifest.wbadmin_version,
        "configuration_fingerprint": manifest.configuration_fingerprint,
        "configuration": manifest.configuration,
        "files": [{"path": f.path, "size": f.size, "sha256": f.sha256} for f in manifest.files],
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def parse_manifest(text: str) -> Manifest:
    """Read a manifest; raise ManifestError naming the first thing wrong."""
    try:
        document = json.loads(text)
    except (TypeError, ValueError) as err:
        raise ManifestError(f"{MANIFEST_NAME} is not valid JSON: {err}") from err
    if not isinstance(document, dict):
        raise ManifestError(f"{MANIFEST_NAME} must hold a JSON object")
    if document.get("format") != MANIFEST_FORMAT:
        found = document.get("format")
        raise ManifestError(f"format: expected {MANIFEST_FORMAT!r}, found {found!r}")
    version = document.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ManifestError(f"schema_version: expected a positive integer, found {version!r}")
    if version > SCHEMA_VERSION:
        raise ManifestError(
            f"schema_version {version} is newer than this collection reads ({SCHEMA_VERSION}); "
            "upgrade wsfc.clusterdb to read this set"
        )
    before = _version(document, "configuration_version")
    after = _version(document, "configuration_version_after")
    try:
        tag = version_range(before, after)
    except PaxosTagError as err:
        raise ManifestError(f"configuration_version_after: {err}") from err
    created_text = _text(document.get("created"), "created")
    try:
        created = datetime.strptime(created_text, _TIME_FORMAT).replace(tzinfo=UTC)
    except ValueError as err:
        raise ManifestError(
            f"created: expected a UTC time as YYYY-MM-DDTHH:MM:SSZ, found {created_text!r}"
        ) from err
    configuration = _mapping(document, "configuration")
    try:
        canonical = normalize_configuration(configuration)
    except ValueError as err:
        raise ManifestError(f"configuration: {err}") from err
    if document.get("configuration_fingerprint") != canonical.fingerprint:
        raise ManifestError(
            "configuration_fingerprint does not match the configuration objects "
            "(the manifest was changed after it was written)"
        )
    files_doc = document.get("files")
    if not isinstance(files_doc, list):
        raise ManifestError("files: expected a list")
    manifest = Manifest(
        cluster=_cluster(_mapping(document, "cluster"), "cluster"),
        source_node=_text(document.get("source_node"), "source_node"),
        route=_text(document.get("route"), "route"),
        created=created,
        configuration_version=tag,
        quorum=_quorum(_mapping(document, "quorum")),
        configuration=canonical.as_facts(),
        configuration_fingerprint=canonical.fingerprint,
        files=tuple(_file_entry(item, f"files[{n}]") for n, item in enumerate(files_doc)),
        wbadmin_version=document.get("wbadmin_version"),
        schema_version=version,
    )
    _check_route(manifest.route, manifest.wbadmin_version)
    _check_file_names(manifest.files)
    return manifest


def verify_backup_set(
    *,
    marker_present: bool,
    manifest_text: str | None,
    files: Iterable[dict | ListedFile] | None,
    set_name: str | None = None,
) -> SetVerification:
    """Verify a set from the listing the node returned.

    ``files`` lists what is in the set directory (relative path, size, and SHA-256 when it
    was hashed); None when the node did not list it. Outcomes:
    - incomplete: the completion marker or the manifest is missing, or a file the manifest
      lists is missing;
    - corrupt: the manifest is unreadable, or a file's size or SHA-256 differs (the file is
      named), or the set's name and its manifest disagree on the configuration version;
    - complete otherwise. Corrupt outranks incomplete when both apply.
    """
    problems: list[SetProblem] = []
    if not marker_present:
        problems.append(
            SetProblem(
                INCOMPLETE,
                f"the completion marker {COMPLETION_MARKER_NAME} is missing (the backup that "
                "wrote the set did not finish)",
            )
        )
    manifest: Manifest | None = None
    if manifest_text is None:
        problems.append(SetProblem(INCOMPLETE, f"{MANIFEST_NAME} is missing"))
    else:
        try:
            manifest = parse_manifest(manifest_text)
        except ManifestError as err:
            problems.append(SetProblem(CORRUPT, f"{MANIFEST_NAME} cannot be read: {err}"))

    if manifest is not None and set_name is not None:
        parsed = parse_set_name(set_name)
        if parsed is not None and not parsed.holds_version(manifest.configuration_version):
            problems.append(
                SetProblem(
                    CORRUPT,
                    f"the set's name {set_name} does not match the configuration version "
                    f"{manifest.configuration_version.version} in its manifest",
                )
            )

    hashes_checked = False
    unexpected: tuple[str, ...] = ()
    if manifest is not None and files is not None:
        listed = _listing(files)
        hashes_checked = True
        for entry in manifest.files:
            found = listed.pop(entry.path.casefold(), None)
            if found is None:
                problems.append(SetProblem(INCOMPLETE, f"{entry.path} is missing", entry.path))
            elif found.size != entry.size:
                problems.append(
                    SetProblem(
                        CORRUPT,
                        f"{entry.path} has {found.size} bytes, the manifest says {entry.size}",
                        entry.path,
                    )
                )
            elif found.sha256 is None:
                hashes_checked = False
            elif found.sha256.lower() != entry.sha256:
                problems.append(
                    SetProblem(
                        CORRUPT,
                        f"{entry.path} does not have the SHA-256 the manifest records",
                        entry.path,
                    )
                )
        # Files the manifest does not list do not spoil the set (an editor's or Explorer's
        # leftovers): reported, not counted against it.
        unexpected = tuple(sorted(f.path for f in listed.values()))

    statuses = {p.status for p in problems}
    status = CORRUPT if CORRUPT in statuses else INCOMPLETE if statuses else COMPLETE
    return SetVerification(status, tuple(problems), manifest, hashes_checked, unexpected)


def normalize_relative_path(path: str, where: str = "path") -> str:
    """A set-relative path with ``/`` separators; refuses absolute paths and ``..``."""
    if not isinstance(path, str) or not path:
        raise ManifestError(f"{where}: expected a relative file path, found {quoted(path)}")
    text = path.replace("\\", "/")
    parts = text.split("/")
    if text.startswith("/") or ":" in text or any(p in ("", ".", "..") for p in parts):
        raise ManifestError(f"{where}: {quoted(path)} is not a plain path relative to the set")
    return text


def _listing(files: Iterable[dict | ListedFile]) -> dict[str, ListedFile]:
    listed: dict[str, ListedFile] = {}
    for item in files:
        if isinstance(item, dict):
            item = ListedFile(
                path=item["path"], size=int(item["size"]), sha256=item.get("sha256") or None
            )
        path = normalize_relative_path(item.path, "listing")
        if path.casefold() in _BOOKKEEPING:
            continue
        listed[path.casefold()] = ListedFile(path, item.size, item.sha256)
    return listed


def _file_entry(item: object, where: str) -> FileEntry:
    if not isinstance(item, dict):
        raise ManifestError(f"{where}: expected an object with path, size and sha256")
    path = normalize_relative_path(item.get("path"), f"{where}.path")
    size = item.get("size")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise ManifestError(f"{where}.size: expected a byte count, found {size!r}")
    digest = item.get("sha256")
    if not isinstance(digest, str) or not _SHA256.match(digest.lower()):
        raise ManifestError(f"{where}.sha256: expected 64 hexadecimal digits, found {digest!r}")
    return FileEntry(path, size, digest.lower())


def _check_file_names(files: tuple[FileEntry, ...]) -> None:
    seen: set[str] = set()
    for entry in files:
        key = entry.path.casefold()
        if key in _BOOKKEEPING:
            raise ManifestError(f"files: {entry.path} is reserved for the set's own bookkeeping")
        if key in seen:
            raise ManifestError(f"files: {entry.path} is listed twice")
        seen.add(key)


def _check_route(route: str, wbadmin_version: object) -> None:
    if route not in ROUTES:
        raise ManifestError(f"route: expected one of {', '.join(ROUTES)}, found {route!r}")
    if route == VSS:
        if not isinstance(wbadmin_version, str):
            raise ManifestError("wbadmin_version: a vss set must record wbadmin's version id")
        try:
            parse_version_id(wbadmin_version)
        except WbadminParseError as err:
            raise ManifestError(f"wbadmin_version: {err}") from err
    elif route == CLUSAPI and wbadmin_version is not None:
        raise ManifestError("wbadmin_version: only a vss set has one")


def _cluster(value: object, where: str) -> ClusterIdentity:
    if not isinstance(value, dict):
        raise ManifestError(f"{where}: expected an object with name and id")
    return ClusterIdentity(
        name=_text(value.get("name"), f"{where}.name"), id=_text(value.get("id"), f"{where}.id")
    )


def _quorum(value: dict) -> QuorumLayout:
    witness_type = value.get("witness_type")
    if witness_type not in WITNESS_TYPES:
        raise ManifestError(
            f"quorum.witness_type: expected one of {', '.join(WITNESS_TYPES)}, "
            f"found {witness_type!r}"
        )
    partitions_doc = value.get("partitions")
    if not isinstance(partitions_doc, list):
        raise ManifestError("quorum.partitions: expected a list")
    partitions = []
    for n, item in enumerate(partitions_doc):
        if not isinstance(item, dict) or not all(
            item.get(key) is None or isinstance(item.get(key), int)
            for key in ("offset", "size", "total_size_mb")
        ):
            raise ManifestError(
                f"quorum.partitions[{n}]: expected an object with whole-number offset, size "
                "and total_size_mb (or null)"
            )
        number = int(item.get("number", n + 1))
        partitions.append(
            Partition(number, item.get("offset"), item.get("size"), item.get("total_size_mb"))
        )
    if value.get("partition_count") != len(partitions):
        raise ManifestError("quorum.partition_count does not match the partitions listed")
    return QuorumLayout(
        quorum_type=value.get("type"),
        witness_type=witness_type,
        witness_resource=value.get("witness_resource"),
        drive_letter=value.get("drive_letter"),
        signature=value.get("signature"),
        partitions=tuple(partitions),
        id_type=value.get("id_type"),
        gpt_guid=value.get("gpt_guid"),
    )


def _version(document: dict, key: str) -> PaxosTag:
    tag_doc = _mapping(document, key)
    try:
        tag = parse_paxos_tag(_text(tag_doc.get("paxos_tag"), f"{key}.paxos_tag"))
    except PaxosTagError as err:
        raise ManifestError(f"{key}.paxos_tag: {err}") from err
    if tag_doc != tag.tag_facts():
        raise ManifestError(f"{key}: its parts do not match the PaxosTag {tag.raw!r}")
    return tag


def _mapping(document: dict, key: str) -> dict:
    value = document.get(key)
    if not isinstance(value, dict):
        raise ManifestError(f"{key}: expected an object, found {value!r}")
    return value


def _text(value: object, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise ManifestError(f"{where}: expected non-empty text, found {value!r}")
    return value
