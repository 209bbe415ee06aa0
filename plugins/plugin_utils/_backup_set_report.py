# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The report backup_set_info gives about the sets at a location.

Input: the raw set listing a module returns (docs/internals.md, "The set listing": name,
marker_present, manifest_text, files). Each directory is verified with
plugin_utils._manifest and described in operator terms: status (complete, incomplete,
corrupt) with the problems naming the failing file, and what the manifest says (cluster,
node, route, configuration version, creation time, file count and size).

Which directories are reported: set and staging directories (plugin_utils._set_naming), and
any other directory that holds a manifest or a completion marker (a set copied under
another name). Other directories are not ours and are only named in ``other_directories``.

With a cluster name, the sets that cannot be this cluster's are not in ``sets`` but in
``rejected``, each with why: ``foreign`` (its manifest names another cluster, which is
named) or its status (``corrupt``, ``incomplete``) when its manifest cannot be read, so it
cannot be attributed. A set asked for by name is then reported as what it is, not as absent.

Each set's ``signature`` is the verdict on its ``manifest.sig`` (plugin_utils._signing). With
trusted keys, a set whose signature does not verify is left out into ``rejected`` with
reason ``forged``; with signatures required, one that is not signed by a trusted key with
reason ``unsigned``. Their messages name the set, the key's fingerprint and what to do.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass, field

from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._manifest import (
    COMPLETE,
    SetVerification,
    verify_backup_set,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._set_naming import (
    OTHER_KIND,
    classify_directory,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._signing import (
    FORGED,
    UNSIGNED,
    TrustedKey,
    check_signature,
    signature_refusal,
)

_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


class SetFolder(t.Protocol):
    """Where the listed sets are: a node's folder (plugin_utils._paths.BackupPath) or one on
    the controller (plugin_utils._controller_sets); only the path of a set in it is read."""

    def child(self, name: str) -> str: ...


# Why a set is left out for a cluster name, when its manifest names another cluster.
FOREIGN = "foreign"


@dataclass(frozen=True)
class BackupSetReport:
    """``sets`` in name order; ``newest_complete`` one of them or None; ``rejected`` the sets
    left out for the cluster name, each with ``reason``."""

    sets: list[dict[str, t.Any]]
    newest_complete: dict[str, t.Any] | None
    other_directories: list[str]
    rejected: list[dict[str, t.Any]] = field(default_factory=list)


def report_backup_sets(
    backup_path: SetFolder,
    listing: list[dict[str, t.Any]],
    *,
    verify: bool,
    cluster_name: str | None = None,
    trusted_keys: tuple[TrustedKey, ...] = (),
    require_signature: bool = False,
) -> BackupSetReport:
    """Verify and describe every set in ``listing``.

    With ``verify`` the listing must carry every set's files (hashed); without it a set is
    judged on its marker and manifest only and reported with ``verified`` false.
    ``cluster_name`` keeps only the sets whose manifest names that cluster (ignoring case);
    a set whose manifest cannot be read cannot be attributed and is left out then.
    ``trusted_keys`` and ``require_signature``: a forged set, and with signatures required
    an unsigned one, is left out into ``rejected`` too (the module docs say which).
    """
    sets: list[dict[str, t.Any]] = []
    others: list[str] = []
    rejected: list[dict[str, t.Any]] = []
    for entry in sorted(listing, key=lambda e: str(e.get("name"))):
        name = str(entry.get("name"))
        kind = classify_directory(name)
        has_marker = bool(entry.get("marker_present"))
        if kind == OTHER_KIND and not has_marker and entry.get("manifest_text") is None:
            others.append(name)
            continue
        files = entry.get("files") if verify else None
        verification = verify_backup_set(
            marker_present=has_marker,
            manifest_text=entry.get("manifest_text"),
            files=files,
            set_name=name,
        )
        described = _describe(backup_path, name, kind, verification, files)
        signature = check_signature(
            entry.get("manifest_text"), entry.get("signature_text"), trusted_keys
        )
        described["signature"] = signature.as_result()
        if cluster_name is not None and not _of_cluster(verification, cluster_name):
            rejected.append(_rejection(described, cluster_name))
            continue
        refusal = signature_refusal(name, signature, required=require_signature)
        if refusal is not None:
            _code, cause, fix = refusal
            reason = FORGED if signature.status == FORGED else UNSIGNED
            message = f"{cause[:1].upper()}{cause[1:]}. {fix}"
            rejected.append({**described, "reason": reason, "message": message})
            continue
        sets.append(described)

    complete = [s for s in sets if s["status"] == COMPLETE]
    newest = max(complete, key=lambda s: (s["created"] or "", s["name"])) if complete else None
    return BackupSetReport(sets, dict(newest) if newest else None, others, rejected)


def _rejection(described: dict[str, t.Any], cluster_name: str) -> dict[str, t.Any]:
    """A set left out for ``cluster_name``: the set's description, with why."""
    name = described["name"]
    owner = described["cluster"]
    if owner is not None:
        reason = FOREIGN
        message = (
            f"Set {name} belongs to cluster {owner['name']} (id {owner['id']}), "
            f"not to {cluster_name}."
        )
    else:
        reason = described["status"]
        message = (
            f"Set {name} cannot be attributed to cluster {cluster_name}: {described['message']}"
        )
    return {**described, "reason": reason, "message": message}


def _of_cluster(verification: SetVerification, cluster_name: str) -> bool:
    manifest = verification.manifest
    return manifest is not None and manifest.cluster.name.casefold() == cluster_name.casefold()


def _describe(
    backup_path: SetFolder,
    name: str,
    kind: str,
    verification: SetVerification,
    files: list[dict[str, t.Any]] | None,
) -> dict[str, t.Any]:
    manifest = verification.manifest
    description: dict[str, t.Any] = {
        "name": name,
        "path": backup_path.child(name),
        "kind": kind,
        "status": verification.status,
        "verified": verification.hashes_checked,
        "problems": [
            {"status": p.status, "text": p.text, "file": p.file} for p in verification.problems
        ],
        "message": verification.message,
        "unexpected_files": list(verification.unexpected_files),
        "cluster": None,
        "source_node": None,
        "route": None,
        "configuration_version": None,
        "created": None,
        "wbadmin_version": None,
        "file_count": None,
        "size": None,
    }
    if manifest is not None:
        description.update(
            cluster={"name": manifest.cluster.name, "id": manifest.cluster.id},
            source_node=manifest.source_node,
            route=manifest.route,
            configuration_version=manifest.configuration_version.as_facts(),
            created=manifest.created.strftime(_TIME_FORMAT),
            wbadmin_version=manifest.wbadmin_version,
            file_count=len(manifest.files),
            size=sum(f.size for f in manifest.files),
        )
    elif files is not None:
        # No readable manifest: count what is there, so an operator sees what is left.
        description.update(file_count=len(files), size=sum(int(f.get("size") or 0) for f in files))
    return description
