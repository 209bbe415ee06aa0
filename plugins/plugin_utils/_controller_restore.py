# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller copy, sealed by the backup role and opened by the restore role.

``seal`` encrypts a set fetched to a temporary folder of the controller into the cluster's
folder of the controller copy. ``open_copy`` picks the set to restore from that folder
(the one named, else the newest complete set of the cluster), decrypts it when it is
encrypted into a temporary folder of the controller (mode 0700), and verifies what will be
sent - hashes, and the signature against the trusted keys - before anything is sent to a
node; a copy that does not verify is refused with a message that names the set and says
no node was touched. The staging folder on the restoring node gets a name of its own for
each run, so that removing it afterwards removes only what this run made.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
import typing as t
from datetime import UTC, datetime
from pathlib import Path

from ansible_collections.wsfc.clusterdb.plugins.plugin_utils import _controller_crypto as crypto
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._controller_sets import (
    controller_backup_sets,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._refusal import PolicyRefusal
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._signing import TrustedKey

STAGING_PREFIX = "wsfc-clusterdb-restore-"
_UNTOUCHED = "No node was touched."


def seal(key: bytes, plain_set: str, cluster_folder: str, set_name: str) -> dict[str, t.Any]:
    """The set in ``plain_set`` encrypted into ``<cluster_folder>/<set_name>``; a copy of
    that name already there is replaced only once the new one is whole."""
    folder = Path(os.path.expanduser(cluster_folder))
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = folder / set_name
    partial = folder / f".{set_name}.sealing-{secrets.token_hex(4)}"
    try:
        files = crypto.encrypt_set(key, Path(plain_set), partial, set_name)
        if target.exists():
            shutil.rmtree(target)
        partial.rename(target)
    finally:
        if partial.exists():
            shutil.rmtree(partial)
    return {"set_path": str(target), "files": len(files)}


def staging_folder(staging_path: str, now: datetime | None = None) -> str:
    """A folder of this run's own under the operator's staging path (never one that a
    run before made, so that removing it removes only what this run uploaded)."""
    moment = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    separator = "/" if "/" in staging_path and "\\" not in staging_path else "\\"
    name = f"{STAGING_PREFIX}{moment}-{secrets.token_hex(4)}"
    return staging_path.rstrip("\\/") + separator + name


def _pick(report: dict[str, t.Any], set_name: str, where: str) -> dict[str, t.Any]:
    """The set to restore from the lookup's report, or the refusal that names why not."""
    if report["encrypted_without_key"] and not set_name:
        raise PolicyRefusal(
            f"The controller copy under {where} holds encrypted sets "
            f"({', '.join(report['encrypted_without_key'])}) and no key was given.",
            f"Give restore_controller_encryption_key (from Ansible Vault). {_UNTOUCHED}",
        )
    every = report["sets"] + report["rejected"]
    if set_name:
        entry = next((s for s in every if str(s["name"]).casefold() == set_name.casefold()), None)
        if entry is None:
            found = ", ".join(str(s["name"]) for s in report["sets"]) or "none"
            raise PolicyRefusal(
                f"The controller copy under {where} has no set named {set_name} "
                f"(sets found: {found}).",
                f"Name one of them as restore_set, or leave it empty for the newest. {_UNTOUCHED}",
            )
    else:
        entry = report["newest_complete"]
        if entry is None:
            found = (
                "; ".join(f"{s['name']} ({s['status']}: {s.get('message')})" for s in every)
                or "none"
            )
            raise PolicyRefusal(
                f"The controller copy under {where} holds no complete, verified set of "
                f"this cluster (sets found: {found}).",
                "Nothing was sent to any node. Check restore_controller_dir, or name a set as "
                "restore_set. " + _UNTOUCHED,
            )
    if entry in report["rejected"] or entry.get("status") != "complete" or not entry["verified"]:
        message = str(entry.get("message") or entry.get("status"))
        raise PolicyRefusal(
            f"The controller copy of set {entry['name']} under {where} does not verify: {message}",
            f"Nothing was sent to any node. Restore another set (restore_set). {_UNTOUCHED}",
        )
    return entry


def open_copy(
    cluster_folder: str,
    cluster_name: str,
    *,
    set_name: str = "",
    key: bytes | None = None,
    trusted_keys: tuple[TrustedKey, ...] = (),
    require_signature: bool = False,
    staging_path: str,
    work_dir: str | None = None,
) -> dict[str, t.Any]:
    """The set to send, verified on the controller, and where it goes on the node.

    Returns ``set`` (the lookup's entry of it), ``source`` (the controller folder to
    upload: the copy itself, or its decrypted form in ``plain_copy``, a temporary folder
    to remove once uploaded), ``staging_folder``, ``backup_path`` (the location the rest
    of the restore reads: the staging folder) and ``staging_set_path``.
    Raises PolicyRefusal for a copy that does not verify (nothing is left behind then).
    """
    where = str(Path(os.path.expanduser(cluster_folder)))
    judged = dict(
        cluster_name=cluster_name or None,
        trusted_keys=trusted_keys,
        require_signature=require_signature,
    )
    report = controller_backup_sets(where, encryption_key=key, **judged)
    if not report["exists"]:
        raise PolicyRefusal(
            f"There is no controller copy of cluster {cluster_name} under {where}.",
            "Check restore_controller_dir (the backup role's backup_controller_dir). " + _UNTOUCHED,
        )
    entry = _pick(report, set_name, where)
    name, encrypted = str(entry["name"]), bool(entry.get("encrypted"))
    source, plain_copy = str(Path(where) / name), None
    if encrypted:
        plain_copy = tempfile.mkdtemp(prefix="wsfc-clusterdb-open-", dir=work_dir)
        try:
            crypto.decrypt_set(
                t.cast(bytes, key), Path(where) / name, Path(plain_copy) / name, name
            )
            # What is sent is judged again as it is, decrypted.
            opened = controller_backup_sets(plain_copy, **judged)
            entry = _pick(opened, name, where)
        except (crypto.DecryptionError, PolicyRefusal) as error:
            shutil.rmtree(plain_copy, ignore_errors=True)
            if isinstance(error, PolicyRefusal):
                raise
            raise PolicyRefusal(
                f"The controller copy of set {name} under {where} does not verify: {error}.",
                f"Nothing was sent to any node. Restore another set (restore_set). {_UNTOUCHED}",
            ) from None
        source = str(Path(plain_copy) / name)
    entry = {**entry, "encrypted": encrypted}
    folder = staging_folder(staging_path)
    separator = "/" if "/" in folder and "\\" not in folder else "\\"
    return {
        "set": {
            k: entry.get(k)
            for k in (
                "name",
                "status",
                "verified",
                "cluster",
                "created",
                "configuration_version",
                "signature",
                "encrypted",
            )
        },
        "source": source,
        "plain_copy": plain_copy,
        "staging_folder": folder,
        "backup_path": folder,
        "staging_set_path": separator.join([folder, str(cluster_name), name]),
    }
