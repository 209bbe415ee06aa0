"""restore_procedure's controller side: it reads what the role registered on every host of
the play by name, decides once, and refuses a phase called without what it needs."""

from __future__ import annotations

import typing as t

import pytest
from action_harness import make_action
from ansible.errors import AnsibleActionFail
from ansible_collections.wsfc.clusterdb.plugins.action.restore_procedure import ActionModule

HOSTS = ["NODE1", "NODE2"]
STATES = [{"name": "NODE1", "state": "Up"}, {"name": "NODE2", "state": "Up"}]


def facts(name: str) -> dict[str, t.Any]:
    return {
        "node_name": name,
        "cluster": {"name": "CLU01", "id": "6f1c"},
        "cluster_service": {"installed": True, "state": "running"},
        "nodes": STATES,
        "core_group_owner": "NODE2",
        "configuration_version": {"paxos_tag": "2:2:57"},
    }


def run(args: dict[str, t.Any], hostvars: dict[str, dict[str, t.Any]]) -> dict[str, t.Any]:
    action = make_action(ActionModule, "restore_procedure", args)
    task_vars = {"ansible_play_hosts_all": HOSTS, "hostvars": hostvars}
    return action.run(task_vars=task_vars)


def test_preflight_reads_each_hosts_registered_facts_and_the_restoring_hosts_listing():
    listing = {
        "backup_path": "\\\\fs01\\b\\CLU01",
        "sets": [],
        "newest_complete": {"name": "20261122T020304Z_clusterdb_e2s41", "path": "p"},
    }
    hostvars = {
        "NODE1": {"facts": facts("NODE1")},
        "NODE2": {"facts": facts("NODE2"), "listed": {"results": [listing]}},
    }
    args = {
        "phase": "preflight",
        "results": "facts",
        "listing": "listed",
        "backup_path": "\\\\fs01\\b",
    }
    found = run(dict(args), hostvars)["preflight"]
    assert (found["restoring_host"], found["problems"]) == ("NODE2", [])
    assert found["set"]["name"] == "20261122T020304Z_clusterdb_e2s41"
    # NODE1's listing is never read: only the restoring host lists the sets.
    hostvars["NODE1"]["listed"] = {"results": [dict(listing, newest_complete=None)]}
    again = run(dict(args), hostvars)["preflight"]  # a task of its own: fresh arguments
    assert again["set"] == found["set"]


def test_preflight_reads_the_listings_named_in_the_order_of_the_locations():
    set_name = "20261122T020304Z_clusterdb_e2s41"
    folder = {"backup_path": "\\\\fs01\\b\\CLU01", "sets": [], "newest_complete": None}
    location = {
        "backup_path": "\\\\fs01\\b",
        "sets": [],
        "newest_complete": {"name": set_name, "path": "\\\\fs01\\b\\" + set_name},
    }
    hostvars = {
        "NODE1": {"facts": facts("NODE1")},
        "NODE2": {"facts": facts("NODE2"), "in_folder": folder, "in_location": location},
    }
    args = {"phase": "preflight", "results": "facts", "backup_path": "\\\\fs01\\b"}
    first = run(dict(args, listing=["in_folder"]), hostvars)["preflight"]
    assert (first["set"], first["next_location"]) == (None, "\\\\fs01\\b")
    found = run(dict(args, listing=["in_folder", "in_location"]), hostvars)["preflight"]
    assert (found["set"]["name"], found["next_location"], found["problems"]) == (
        set_name,
        None,
        [],
    )


def test_a_host_without_the_registered_variable_counts_as_returning_nothing():
    found = run(
        {"phase": "preflight", "results": "facts"},
        {"NODE1": {"facts": facts("NODE1")}, "NODE2": {}},
    )["preflight"]
    node2 = next(n for n in found["nodes"] if n["name"] == "NODE2")
    assert (node2["reachable"], node2["error"]) == (False, "NODE2 returned nothing")


def test_a_record_adds_itself_to_the_records_it_was_given():
    plan = {
        "steps": [{"kind": "stop", "nodes": ["NODE2"], "hosts": ["NODE2"]}],
        "hosts": {"stop": ["NODE2"]},
        "node_hosts": {"NODE1": "NODE1", "NODE2": "NODE2"},
    }
    earlier = {"step": "safety_backup", "finished": "2026-11-22T02:00:01", "nodes": {}}
    result = run(
        {
            "phase": "record",
            "plan": plan,
            "step": "stop",
            "results": "stopped",
            "records": [earlier],
        },
        {"NODE1": {"stopped": {"skipped": True}}, "NODE2": {"stopped": {"changed": True}}},
    )
    assert result["record"]["changed_nodes"] == ["NODE2"]
    assert result["record"]["started"] == "2026-11-22T02:00:01"
    assert [r["step"] for r in result["records"]] == ["safety_backup", "stop"]


@pytest.mark.parametrize(
    ("args", "missing"),
    [
        ({"phase": "preflight"}, "results"),
        ({"phase": "plan"}, "preflight"),
        ({"phase": "record", "plan": {"steps": []}}, "step, results"),
    ],
)
def test_a_phase_without_what_it_needs_is_refused(args: dict[str, t.Any], missing: str):
    with pytest.raises(AnsibleActionFail, match=f"needs {missing}"):
        run(args, {})
