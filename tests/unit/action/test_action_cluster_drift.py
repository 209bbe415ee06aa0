"""The cluster_drift action plugin, with the node replaced by a scripted _execute_module.

The scripted node answers cluster_backup's inspect phase as plugins/modules/cluster_backup.py
documents it: the cluster with its configuration objects and the set listing, hashed as the
run's _hash_sets asks.
"""

from __future__ import annotations

import copy
import hashlib
import typing as t
from datetime import UTC, datetime, timedelta

import pytest
from action_harness import make_action
from ansible.errors import AnsibleConnectionFailure
from ansible_collections.wsfc.clusterdb.plugins.action.cluster_drift import ActionModule
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._manifest import (
    build_manifest,
    manifest_to_json,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._paxos import parse_paxos_tag
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._set_naming import make_set_name

NOW = datetime(2026, 11, 24, 12, 0, 0, tzinfo=UTC)
PATH = r"\\fs01\clusterbackups\CLU01"
CLUSTER = {"name": "CLU01", "id": "0b7c-clu01"}
DATA = b"cluster database"
CONFIGURATION = {
    "groups": [{"name": "SQL", "preferred_owners": ["N1", "N2"], "is_core_group": False,
                "state": "Online", "owner_node": "N1"}],
    "resources": [{"name": "SQL IP", "type": "IP Address", "group": "SQL", "state": "Online",
                   "owner_node": "N1", "parameters": {"Address": "10.0.0.60"},
                   "dependencies": "", "possible_owners": ["N1", "N2"]}],
    "networks": [],
}  # fmt: skip


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Node:
    """A cluster node as inspect reads it: the running configuration and the sets on disk."""

    def __init__(self) -> None:
        self.configuration = copy.deepcopy(CONFIGURATION)
        self.sets: list[dict[str, t.Any]] = []
        self.calls: list[dict[str, t.Any]] = []
        self.listing_error: int | None = None
        self.connection_error = False

    def add_set(self, age: timedelta, *, tag: str = "1:1:7", corrupt: bool = False) -> str:
        created = NOW - age
        manifest = build_manifest(
            cluster=CLUSTER, source_node="N1", route="clusapi", paxos_tag=tag, quorum=None,
            configuration=copy.deepcopy(self.configuration),
            files=[{"path": "clusdb", "size": len(DATA), "sha256": _digest(DATA)}],
            created=created,
        )  # fmt: skip
        name = make_set_name(created, parse_paxos_tag(tag)).name
        content = b"X" * len(DATA) if corrupt else DATA
        self.sets.append({"name": name, "text": manifest_to_json(manifest), "content": content})
        return name

    def __call__(self, module_name: str, module_args: dict, task_vars: dict) -> dict:
        self.calls.append({"module": module_name, **module_args})
        if self.connection_error:
            raise AnsibleConnectionFailure("connection refused")
        hashed = module_args["_hash_sets"]
        newest = max((s["name"] for s in self.sets), default=None)
        result: dict[str, t.Any] = {
            "changed": False,
            "node_name": "N1",
            "cluster_service": {"installed": True, "state": "running"},
            "configuration_version": {"paxos_tag": "1:1:7", "source": "cluster"},
            "cluster": dict(CLUSTER),
            "configuration": copy.deepcopy(self.configuration)
            if module_args["_include_configuration"]
            else None,
            "cluster_error": None,
        }
        if self.listing_error is not None:
            return {**result, "failed": True, "error_code": self.listing_error,
                    "msg": "Failed to list the backup sets: Access is denied."}  # fmt: skip
        result["path_info"] = {"exists": bool(self.sets), "is_directory": bool(self.sets)}
        result["sets"] = [
            {
                "name": s["name"],
                "marker_present": True,
                "manifest_text": s["text"],
                "files": [{"path": "clusdb", "size": len(s["content"]),
                           "sha256": hashlib.sha256(s["content"]).hexdigest()}]
                if hashed == "all" or (hashed == "newest" and s["name"] == newest)
                else None,
            }
            for s in self.sets
        ]  # fmt: skip
        return result


def _run(node: Node, check_mode: bool = False, **args: t.Any) -> dict[str, t.Any]:
    action = make_action(
        ActionModule, "cluster_drift", {"path": PATH, "cluster_name": "CLU01", **args}, node,
        check_mode=check_mode,
    )  # fmt: skip
    action.clock = lambda: NOW  # type: ignore[method-assign]
    return action.run(task_vars={"inventory_hostname": "N1", "inventory_file": "/srv/inv.yml"})


def test_one_read_only_inspect_answers_an_in_sync_cluster() -> None:
    node = Node()
    name = node.add_set(timedelta(hours=5))
    result = _run(node)
    assert result["state"] == "in_sync" and result["changed"] is False
    assert result["set"]["name"] == name and result["flagged"] is False
    assert (result["module_runs"], result["phases"]) == (1, ["inspect"])
    (call,) = node.calls
    assert call == {
        "module": "wsfc.clusterdb.cluster_backup",
        "path": PATH,
        "_phase": "inspect",
        "_include_configuration": True,
        "_hash_sets": "newest",
    }
    assert set(result["phase_results"]) == {"inspect"}
    assert "failed" not in result


@pytest.mark.parametrize("check_mode", [False, True])
def test_a_drifted_cluster_is_changed_in_check_mode_too(check_mode: bool) -> None:
    node = Node()
    node.add_set(timedelta(hours=5))
    node.configuration["resources"][0]["parameters"]["Address"] = "10.0.0.61"
    result = _run(node, check_mode=check_mode)
    assert result["state"] == "drifted" and result["changed"] is True
    (change,) = result["changes"]
    assert (change["name"], change["before"], change["after"]) == (
        "Address",
        "10.0.0.60",
        "10.0.0.61",
    )
    assert result["msg"].endswith("--limit N1"), result["msg"]
    assert "ansible-playbook -i /srv/inv.yml wsfc.clusterdb.backup" in result["next_command"]


def test_a_corrupt_newest_set_costs_a_second_listing_with_every_set_hashed() -> None:
    node = Node()
    older = node.add_set(timedelta(days=1), tag="1:1:5")
    newest = node.add_set(timedelta(hours=1), corrupt=True)
    result = _run(node)
    assert result["set"]["name"] == older
    assert [p["name"] for p in result["passed_over"]] == [newest]
    assert "corrupt_newest" in result["flags"]
    assert (result["module_runs"], result["phases"]) == (2, ["inspect", "inspect"])
    assert [(c["_hash_sets"], c["_include_configuration"]) for c in node.calls] == [
        ("newest", True),
        ("all", False),
    ]
    assert set(result["phase_results"]) == {"inspect", "inspect_all_sets"}


def test_a_named_set_is_found_and_verified_in_one_run() -> None:
    node = Node()
    older = node.add_set(timedelta(days=1), tag="1:1:5")
    node.add_set(timedelta(hours=1))
    result = _run(node, set=older)
    assert result["set"]["name"] == older and result["module_runs"] == 1
    assert node.calls[0]["_hash_sets"] == "all"


def test_a_location_that_cannot_be_listed_is_an_answer_not_a_failure() -> None:
    node = Node()
    node.listing_error = 5
    result = _run(node)
    assert "failed" not in result
    assert (result["state"], result["reason"]) == ("no_backup", "unreadable")
    assert "Windows error 5, ERROR_ACCESS_DENIED" in result["msg"]
    assert result["flagged"] is True and result["module_runs"] == 1


def test_an_unreachable_node_leaves_the_answer_to_another() -> None:
    node = Node()
    node.connection_error = True
    result = _run(node)
    assert result["unreachable"] is True and "failed" not in result
    assert "N1 cannot be reached" in result["msg"] and "state" not in result


def test_a_node_that_cannot_read_its_cluster_fails_the_task() -> None:
    node = Node()

    def down(module_name: str, module_args: dict, task_vars: dict) -> dict:
        node(module_name, module_args, task_vars)
        return {"changed": False, "node_name": "N1", "configuration": None,
                "cluster_error": "The Cluster service is not running.",
                "cluster_service": {"installed": True, "state": "stopped"}, "sets": [],
                "path_info": {"exists": False, "is_directory": False}}  # fmt: skip

    result = t.cast(dict, _run(down))  # type: ignore[arg-type]
    assert result["failed"] is True
    assert "N1 could not read its cluster's configuration" in result["msg"]


def test_bad_options_are_refused_before_any_module_run() -> None:
    node = Node()
    for args in ({"path": "relative\\dir"}, {"max_age": "soon"}, {"set": "..\\x"}):
        result = _run(node, **args)
        assert result["failed"] is True, args
        assert result["module_runs"] == 0
    assert node.calls == []
