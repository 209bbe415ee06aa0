# Copyright: (c) 2026, wsfc.clusterdb contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The facts cluster_info derives on the controller from what the node returned."""

from __future__ import annotations

import typing as t

from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._configuration import (
    configuration_fingerprint,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._paxos import (
    PaxosTagError,
    parse_paxos_tag,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._routes import (
    HostBackupFacts,
    available_routes,
)

# GetNodeClusterState's answers (the collection's names; docs/windows-behaviour.md#node-states).
NOT_INSTALLED = "NotInstalled"
NOT_CONFIGURED = "NotConfigured"
NOT_RUNNING = "NotRunning"
RUNNING = "Running"

# The parts of the PaxosTag added to the raw configuration_version (PaxosTag.tag_facts).
_TAG_PARTS = ("next_epoch", "next_epoch_time", "epoch", "epoch_time", "sequence")

# Keys cluster_info's action plugin adds to the module's raw result.
DERIVED_KEYS = frozenset({"backup_routes", "node_cluster_state", "configuration_fingerprint"})


def node_cluster_state(raw: dict[str, t.Any]) -> str:
    """GetNodeClusterState's answer from the raw service and database facts.

    No ClusSvc: the feature is not installed. A service but no local database copy: the
    node was never made a cluster member. Otherwise the service state decides.
    """
    service = raw.get("cluster_service") or {}
    if not service.get("installed"):
        return NOT_INSTALLED
    if not raw.get("cluster_database_present"):
        return NOT_CONFIGURED
    return RUNNING if service.get("state") == "running" else NOT_RUNNING


def configuration_version(raw: dict[str, t.Any]) -> dict[str, t.Any]:
    """The raw configuration version with the tag's parts parsed (None if unreadable)."""
    version = dict(raw.get("configuration_version") or {})
    version.setdefault("paxos_tag", None)
    version.setdefault("source", "none")
    try:
        tag = parse_paxos_tag(version["paxos_tag"]) if version["paxos_tag"] else None
    except PaxosTagError:
        tag = None
    parts = {k: v for k, v in tag.tag_facts().items() if k != "paxos_tag"} if tag else {}
    for key in _TAG_PARTS:
        version[key] = parts.get(key)
    return version


def derive_cluster_facts(raw: dict[str, t.Any]) -> dict[str, t.Any]:
    """The keys cluster_info adds or completes on the controller."""
    configuration = raw.get("configuration")
    return {
        "backup_routes": available_routes(HostBackupFacts.from_cluster_info(raw)).as_facts(),
        "node_cluster_state": node_cluster_state(raw),
        "configuration_fingerprint": (
            configuration_fingerprint(configuration) if configuration is not None else None
        ),
        "configuration_version": configuration_version(raw),
    }
