"""cluster_info's controller side: the facts it derives from the node's raw result."""

from __future__ import annotations

import typing as t

import pytest
from action_harness import make_action
from ansible_collections.wsfc.clusterdb.plugins.action.cluster_info import ActionModule
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._cluster_facts import (
    derive_cluster_facts,
    node_cluster_state,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._configuration import (
    configuration_fingerprint,
)


def raw_facts(**overrides: t.Any) -> dict[str, t.Any]:
    """A raw result shaped as plugins/modules/cluster_info.py documents it."""
    facts: dict[str, t.Any] = {
        "changed": False,
        "node_name": "NODE1",
        "cluster": {"name": "CLU01", "id": "6f1c", "domain": "corp.example.com"},
        "cluster_service": {"installed": True, "state": "running", "start_mode": "auto"},
        "cluster_database_present": True,
        "nodes": [{"name": "NODE1", "id": "1", "state": "Up"}],
        "quorum": {"type": "NodeMajority", "witness": {"type": "none"}},
        "configuration_version": {"paxos_tag": "2:2:41", "source": "cluster"},
        "os": {"name": "Microsoft Windows Server 2022 Datacenter", "version": "10.0.20348"},
        "backup_tools": {"windows_server_backup": True, "wbadmin": True, "clusapi": True},
        "configuration": {
            "groups": [
                {
                    "name": "FS",
                    "state": "Online",
                    "owner_node": "NODE1",
                    "preferred_owners": [],
                    "is_core_group": False,
                }
            ],
            "resources": [],
            "networks": [],
        },
    }
    facts.update(overrides)
    return facts


@pytest.mark.parametrize(
    ("service", "database", "expected"),
    [
        ({"installed": False, "state": None}, False, "NotInstalled"),
        ({"installed": True, "state": "stopped"}, False, "NotConfigured"),
        ({"installed": True, "state": "stopped"}, True, "NotRunning"),
        ({"installed": True, "state": "start_pending"}, True, "NotRunning"),
        ({"installed": True, "state": "running"}, True, "Running"),
    ],
)
def test_node_cluster_state(service: dict, database: bool, expected: str) -> None:
    raw = raw_facts(cluster_service=service, cluster_database_present=database)
    assert node_cluster_state(raw) == expected


def test_version_is_parsed_into_epoch_and_sequence() -> None:
    version = derive_cluster_facts(raw_facts())["configuration_version"]
    assert (version["epoch"], version["sequence"]) == (2, 41)
    assert version["paxos_tag"] == "2:2:41"


def test_unreadable_or_missing_version_leaves_parts_empty() -> None:
    for tag in (None, "not a tag"):
        raw = raw_facts(configuration_version={"paxos_tag": tag, "source": "none"})
        version = derive_cluster_facts(raw)["configuration_version"]
        assert version["epoch"] is None and version["sequence"] is None


def test_routes_follow_the_operating_system() -> None:
    modern = derive_cluster_facts(raw_facts())["backup_routes"]
    assert modern["available"] == ["vss"] and modern["auto"] == "vss"
    legacy = derive_cluster_facts(
        raw_facts(os={"name": "Windows Server 2003", "version": "5.2.3790"})
    )
    assert legacy["backup_routes"]["auto"] == "clusapi"
    no_feature = raw_facts(backup_tools={"windows_server_backup": False, "wbadmin": False})
    routes = derive_cluster_facts(no_feature)["backup_routes"]
    assert routes["auto"] is None and "vss" in routes["reasons"]


def test_fingerprint_only_when_the_configuration_was_read() -> None:
    raw = raw_facts()
    assert derive_cluster_facts(raw)["configuration_fingerprint"] == configuration_fingerprint(
        raw["configuration"]
    )
    assert derive_cluster_facts(raw_facts(configuration=None))["configuration_fingerprint"] is None


def _run(raw: dict[str, t.Any], args: dict[str, t.Any] | None = None) -> tuple[dict, list]:
    calls: list[dict[str, t.Any]] = []

    def execute_module(module_name=None, module_args=None, task_vars=None, **_):
        calls.append({"module": module_name, "args": dict(module_args)})
        return dict(raw)

    action = make_action(ActionModule, "cluster_info", args or {}, execute_module)
    return action.run(task_vars={}), calls


def test_the_plugin_runs_the_module_once_and_adds_the_derived_keys() -> None:
    result, calls = _run(raw_facts(), {"include_configuration": True})
    assert calls == [
        {"module": "wsfc.clusterdb.cluster_info", "args": {"include_configuration": True}}
    ]
    assert result["changed"] is False
    assert result["node_cluster_state"] == "Running"
    assert result["backup_routes"]["auto"] == "vss"
    assert result["configuration_version"]["sequence"] == 41


def test_a_failed_module_run_is_passed_through_untouched() -> None:
    result, _module_calls = _run({"failed": True, "msg": "Access is denied.", "error_code": 5})
    assert result["failed"] is True and result["error_code"] == 5
    assert "backup_routes" not in result
