"""Inspect results and set listings for the drift tests: a cluster, its sets, their files."""

from __future__ import annotations

import copy
import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._drift import DriftOptions
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._manifest import (
    build_manifest,
    manifest_to_json,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._paths import validate_backup_path
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._paxos import parse_paxos_tag
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._set_naming import make_set_name

from .samples import configuration

CLUSTER = {"name": "CLU01", "id": "0b7c-clu01", "domain": "corp.example.com"}
LOCATION = validate_backup_path(r"\\fs01\clusterbackups\CLU01")
NOW = datetime(2026, 11, 24, 12, 0, 0, tzinfo=UTC)
DATA = b"the cluster database, as the route wrote it"


def options(**overrides: Any) -> DriftOptions:
    values: dict[str, Any] = {
        "path": LOCATION,
        "set_name": None,
        "max_age": timedelta(days=2),
        "max_age_text": "2d",
        "now": NOW,
        "cluster_name": "CLU01",
    }
    values.update(overrides)
    return DriftOptions(**values)


def backup_set(
    created: datetime,
    config: dict | None = None,
    *,
    tag: str = "1:1:7",
    cluster: dict | None = None,
    hashed: bool = True,
    corrupt: bool = False,
) -> dict[str, Any]:
    """A listing entry of a set with one file; ``corrupt`` gives that file other bytes."""
    digest = hashlib.sha256(DATA).hexdigest()
    manifest = build_manifest(
        cluster=cluster or CLUSTER,
        source_node="NODE1",
        route="clusapi",
        paxos_tag=tag,
        quorum=None,
        configuration=config if config is not None else configuration(),
        files=[{"path": "clusdb", "size": len(DATA), "sha256": digest}],
        created=created,
    )
    listed = hashlib.sha256(b"x" * len(DATA)).hexdigest() if corrupt else digest
    return {
        "name": make_set_name(created, parse_paxos_tag(tag)).name,
        "marker_present": True,
        "manifest_text": manifest_to_json(manifest),
        "files": [{"path": "clusdb", "size": len(DATA), "sha256": listed}] if hashed else None,
    }


def inspect(
    sets: list[dict[str, Any]],
    config: dict | None = None,
    *,
    tag: str = "1:1:7",
) -> dict[str, Any]:
    """The raw result of cluster_backup's inspect on NODE1 of CLU01."""
    return {
        "node_name": "NODE1",
        "cluster_service": {"installed": True, "state": "running"},
        "configuration_version": {"paxos_tag": tag, "source": "cluster"},
        "cluster": dict(CLUSTER),
        "nodes": [{"name": "NODE1", "state": "Up"}, {"name": "NODE2", "state": "Up"}],
        "configuration": config if config is not None else configuration(),
        "cluster_error": None,
        "path_info": {"exists": True, "is_directory": True},
        "sets": sets,
    }


def changed_configuration(change: Any) -> dict:
    """samples.configuration() changed by ``change(config)``."""
    config = copy.deepcopy(configuration())
    change(config)
    return config


def resource(config: dict, name: str) -> dict:
    return next(r for r in config["resources"] if r["name"] == name)


def group(config: dict, name: str) -> dict:
    return next(g for g in config["groups"] if g["name"] == name)
