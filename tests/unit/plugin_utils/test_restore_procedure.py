"""plugin_utils._restore_procedure, the restore role's decisions, on the per-host results
Ansible registers (cluster_info, backup_set_info, cluster_restore)."""

from __future__ import annotations

import typing as t

import pytest
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._restore_plan import RestorePlan
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._restore_procedure import (
    plan,
    record_step,
    recovery,
    summary,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._restore_procedure import (
    preflight as procedure_preflight,
)


def restore_preflight(results, listings, **options):
    """preflight() as the action plugin calls it: the restoring host's listing, if any."""
    first = procedure_preflight(results, **options)
    host = first["restoring_host"]
    if not listings or host is None:
        return first
    return procedure_preflight(results, listings.get(host), **options)


def restore_plan(found, restore_check=None, **options):
    return plan(found, restore_check, **options)


def restore_step(results, data, step, **options):
    return record_step(results, data, step, **options)


def restore_recovery(observed, data, records, safety_backup_set="", **options):
    kept = list(records)
    if safety_backup_set:
        # The safety backup's record keeps its module result (record_step).
        kept.insert(
            0,
            {
                "step": "safety_backup",
                "nodes": {
                    "NODE1": {
                        "status": "changed",
                        "result": {"changed": True, "set_path": safety_backup_set},
                    }
                },
            },
        )
    return recovery(observed, data, kept, **options)


def restore_summary(data, records=None):
    return summary(data, records)


plan_from_data = RestorePlan.from_data

CLUSTER = {"name": "CLU01", "id": "6f1c3c9b", "domain": "corp.example.com"}
TAG = "2:2:57"
BACKUP_TAG = "2:2:41"
SET = {
    "name": "20261122T020304Z_clusterdb_e2s41",
    "path": "\\\\fs01\\b\\CLU01\\20261122T020304Z_clusterdb_e2s41",
    "kind": "set",
    "status": "complete",
    "cluster": {"name": "CLU01", "id": "6f1c3c9b"},
    "configuration_version": {"paxos_tag": BACKUP_TAG, "epoch": 2, "sequence": 41},
    "created": "2026-11-22T02:03:04Z",
}


def info(
    name: str,
    states: dict[str, str],
    *,
    service: str = "running",
    tag: str | None = TAG,
    owner: str = "NODE1",
) -> dict[str, t.Any]:
    """A cluster_info result as node `name` registers it."""
    return {
        "changed": False,
        "node_name": name,
        "cluster": CLUSTER,
        "cluster_service": {"installed": True, "state": service, "start_mode": "auto"},
        "nodes": [{"name": n, "id": str(i), "state": s} for i, (n, s) in enumerate(states.items())],
        "quorum": {"type": "NodeAndDiskMajority", "witness": {"type": "disk", "owner_node": owner}},
        "core_group_owner": owner,
        "configuration_version": {"paxos_tag": tag},
    }


UP3 = {"NODE1": "Up", "NODE2": "Up", "NODE3": "Up"}
UNREACHABLE = {"unreachable": True, "msg": "connection refused", "changed": False}


def facts(**overrides: dict[str, t.Any]) -> dict[str, dict[str, t.Any]]:
    results = {n: info(n, UP3) for n in UP3}
    results.update(overrides)
    return results


def listing(*sets: dict[str, t.Any], path: str = "\\\\fs01\\b\\CLU01") -> dict[str, t.Any]:
    complete = [s for s in sets if s["status"] == "complete"]
    return {
        "backup_path": path,
        "exists": True,
        "sets": list(sets),
        "newest_complete": complete[-1] if complete else None,
    }


def check(**overrides: t.Any) -> dict[str, t.Any]:
    """The restoring node's cluster_restore result in check mode: it would restore."""
    result = {
        "changed": True,
        "failed": False,
        "configuration_version": {"before": TAG, "after": TAG, "backup": BACKUP_TAG},
        "configuration_fingerprint": {"current": "aaa", "backup": "bbb"},
        "configuration_changes": [{"kind": "resource", "name": "IP", "change": "changed"}],
    }
    result.update(overrides)
    return result


def preflight(results: dict[str, t.Any], **options: t.Any) -> dict[str, t.Any]:
    first = restore_preflight(results, {}, backup_path="\\\\fs01\\b", **options)
    host = first["restoring_host"]
    if host is None:
        return first
    listed = {"results": [listing(SET), listing(path="\\\\fs01\\b")]}
    return restore_preflight(results, {host: listed}, backup_path="\\\\fs01\\b", **options)


def test_preflight_chooses_the_core_group_owner_and_the_newest_set_in_the_cluster_folder():
    found = preflight(facts(NODE1=info("NODE1", UP3, owner="NODE2")), restoring_node="")
    assert found["problems"] == []
    assert (found["restoring_node"], found["restoring_host"]) == ("NODE2", "NODE2")
    assert "core cluster group" in found["choice_reason"]
    assert found["set_locations"] == ["\\\\fs01\\b\\CLU01", "\\\\fs01\\b"]
    assert found["set"]["name"] == SET["name"]


def test_preflight_matches_an_unreachable_host_to_its_node_in_the_clusters_view():
    found = preflight(facts(NODE3=UNREACHABLE))
    node3 = next(n for n in found["nodes"] if n["name"] == "NODE3")
    assert (node3["host"], node3["reachable"], node3["state"]) == ("NODE3", False, "Up")
    assert "connection refused" in node3["error"]


def test_preflight_names_a_missing_set():
    found = preflight(facts(), set_name="20200101T000000Z_clusterdb_e1s1")
    assert found["set"] is None
    assert "no set named 20200101T000000Z_clusterdb_e1s1" in found["problems"][0]


LOCATION = "\\\\fs01\\b"
CLUSTER_FOLDER = "\\\\fs01\\b\\CLU01"


def picked(results: dict[str, t.Any], *listed: dict[str, t.Any], **options: t.Any) -> dict:
    """preflight() after the restoring host listed ``listed``, one per location in order."""
    host = restore_preflight(results, {}, backup_path=LOCATION)["restoring_host"]
    listing = listed[0] if len(listed) == 1 else {"results": list(listed)}
    return restore_preflight(results, {host: listing}, backup_path=LOCATION, **options)


def test_preflight_lists_the_clusters_folder_first_and_the_location_only_without_the_set_there():
    first = restore_preflight(facts(), {}, backup_path=LOCATION)
    assert first["next_location"] == CLUSTER_FOLDER
    found = picked(facts(), listing(SET))
    assert (found["set"]["name"], found["next_location"]) == (SET["name"], None)
    assert found["problems"] == []
    # Not in the cluster's folder: nothing is decided, the location itself is listed next.
    empty = picked(facts(), listing())
    assert (empty["set"], empty["next_location"], empty["problems"]) == (None, LOCATION, [])
    in_location = {**SET, "path": LOCATION + "\\" + SET["name"]}
    both = picked(facts(), listing(), listing(in_location, path=LOCATION))
    assert (both["set"]["path"], both["next_location"]) == (in_location["path"], None)
    neither = picked(facts(), listing(), listing(path=LOCATION))
    assert neither["set"] is None and neither["next_location"] is None
    assert (
        "no complete backup set of this cluster under " + CLUSTER_FOLDER + ", " + LOCATION
        in (neither["problems"][0])
    )


def test_preflight_lists_no_further_when_the_named_set_is_refused_in_the_clusters_folder():
    refused = listing()
    refused["rejected"] = [{"name": SET["name"], "reason": "foreign", "message": "Not CLU01's."}]
    found = picked(facts(), refused, set_name=SET["name"])
    assert found["next_location"] is None
    assert "cannot be restored: Not CLU01's." in found["problems"][0]


def test_preflight_reads_a_listing_the_role_skipped_past_the_last_location_as_none():
    # Without a cluster name there is one location; the role's second listing is skipped.
    results = {n: {**info(n, UP3), "cluster": None} for n in UP3}
    host = restore_preflight(results, {}, backup_path=LOCATION)["restoring_host"]
    skipped = {"skipped": True, "changed": False}
    listed = {"results": [listing(path=LOCATION), skipped]}
    found = restore_preflight(results, {host: listed}, backup_path=LOCATION)
    assert found["set_locations"] == [LOCATION]
    assert found["problems"][0].endswith("take a backup first (wsfc.clusterdb.backup).")


def test_the_set_every_node_runs_needs_no_check_and_the_plan_finds_nothing_to_restore():
    at_backup = {n: info(n, UP3, tag=BACKUP_TAG) for n in UP3}
    found = picked(at_backup, listing(SET))
    assert found["runs_set"] is True
    plan = restore_plan(found, restore_check={"skipped": True}, force=True)
    assert plan["already_current"] is True
    assert plan["steps"] == [] and plan["refusals"] == []
    # One node elsewhere, one node Down, or the set not complete: the check runs.
    moved = dict(at_backup, NODE3=info("NODE3", UP3, tag=TAG))
    assert picked(moved, listing(SET))["runs_set"] is False
    down = {n: info(n, dict(UP3, NODE3="Down"), tag=BACKUP_TAG) for n in UP3}
    assert picked(down, listing(SET))["runs_set"] is False
    incomplete = {**SET, "status": "incomplete"}
    assert picked(at_backup, listing(incomplete), set_name=SET["name"])["runs_set"] is False
    assert picked(facts(), listing(SET))["runs_set"] is False


def test_plan_stops_the_running_others_in_parallel_and_starts_the_restoring_node_first():
    plan = restore_plan(preflight(facts()), restore_check=check(), force=True)
    assert plan["refusals"] == []
    assert [s["kind"] for s in plan["steps"]] == [
        "preflight",
        "safety_backup",
        "stop",
        "restore",
        "start_restoring",
        "start_others",
        "wait_up",
    ]
    assert plan["hosts"]["stop"] == ["NODE2", "NODE3"]
    assert plan["hosts"]["restore"] == plan["hosts"]["start_restoring"] == ["NODE1"]
    assert plan["safety_backup_path"] == "\\\\fs01\\b\\CLU01\\pre_restore"
    assert "NODE2, NODE3" in plan["consent_prompt"]
    assert plan_from_data(plan).expected_version.version == "2:41"


def test_plan_without_force_refuses_5056_and_keeps_the_checks_5086_text():
    refused = check(
        failed=True,
        error_code=5056,
        error={"name": "ERROR_CLUSTER_NODE_UP"},
        msg="The restore failed: ... (Windows error 5056). Detail: ... (Windows error 5086)",
    )
    plan = restore_plan(preflight(facts()), restore_check=refused, force=False)
    assert plan["steps"] == []
    assert [r["code"] for r in plan["refusals"]] == [5056]
    assert "5086" in plan["message"]
    assert plan["message"].startswith("The restore was refused; no node was changed.")


def test_plan_refuses_while_an_unreachable_node_may_still_run_the_cluster():
    plan = restore_plan(preflight(facts(NODE3=UNREACHABLE)), restore_check=check(), force=True)
    assert plan["steps"] == []
    assert any("NODE3 cannot be reached" in r["message"] for r in plan["refusals"])


def test_plan_is_already_current_when_every_node_runs_the_sets_configuration():
    current = check(changed=False, configuration_fingerprint={"current": "b", "backup": "b"})
    plan = restore_plan(preflight(facts()), restore_check=current, force=True)
    assert plan["already_current"] is True
    assert plan["steps"] == [] and plan["refusals"] == []


def test_plan_never_takes_a_set_whose_tag_moved_during_its_backup_for_current():
    # The set holds one of the versions from BACKUP_TAG to TAG (backup_set_info reports the
    # second as paxos_tag_after): equal fingerprints do not make the cluster run it.
    version = {**SET["configuration_version"], "paxos_tag_after": TAG}
    ranged = {**SET, "configuration_version": version}
    host = preflight(facts())["restoring_host"]
    listed = {"results": [listing(ranged), listing(path="\\\\fs01\\b")]}
    found = restore_preflight(facts(), {host: listed}, backup_path="\\\\fs01\\b")
    assert found["set"]["configuration_version"]["paxos_tag_after"] == TAG
    current = check(changed=False, configuration_fingerprint={"current": "b", "backup": "b"})
    plan = restore_plan(found, restore_check=current, force=True)
    assert plan["already_current"] is False
    assert plan["refusals"] == [] and plan["steps"]


def step_results(**by_host: dict[str, t.Any]) -> dict[str, t.Any]:
    return {h: by_host.get(h, {"skipped": True}) for h in UP3}


def test_a_step_fails_when_one_node_is_unreachable_and_names_it():
    plan = restore_plan(preflight(facts()), restore_check=check(), force=True)
    record = restore_step(step_results(NODE2={"changed": True}, NODE3=UNREACHABLE), plan, "stop")
    assert record["failed"] is True
    assert record["message"] == "NODE3: unreachable: connection refused"
    assert record["changed_nodes"] == ["NODE2"]


def test_the_wait_fails_until_every_node_runs_one_version_not_older_than_the_backups():
    plan = restore_plan(preflight(facts()), restore_check=check(), force=True)
    restored = "3:3:1"
    settled = {n: info(n, UP3, tag=restored) for n in UP3}
    assert restore_step(settled, plan, "wait_up")["failed"] is False
    lagging = dict(settled, NODE3=info("NODE3", UP3, tag=BACKUP_TAG.replace("2:41", "2:40")))
    record = restore_step(lagging, plan, "wait_up")
    assert record["failed"] is True
    assert "older than the backup's" in record["message"]


def test_recovery_after_a_failed_restore_starts_the_stopped_nodes_then_the_restoring_node():
    plan = restore_plan(preflight(facts()), restore_check=check(), force=True)
    stop = restore_step(
        step_results(NODE2={"changed": True}, NODE3={"changed": True}), plan, "stop"
    )
    failed = restore_step(
        step_results(NODE1={"failed": True, "msg": "Windows error 5086"}), plan, "restore"
    )
    down = {"NODE1": "Down", "NODE2": "Down", "NODE3": "Down"}
    observed = {
        "NODE1": info("NODE1", down, service="stopped"),
        "NODE2": info("NODE2", down, service="stopped"),
        "NODE3": info("NODE3", down, service="stopped"),
    }
    recovery = restore_recovery(
        observed, plan, [stop, failed], safety_backup_set="\\\\fs01\\b\\CLU01\\pre_restore\\x"
    )
    assert recovery["failed_step"] == "restore"
    assert (recovery["first_hosts"], recovery["then_hosts"]) == (["NODE2", "NODE3"], ["NODE1"])
    assert "pre_restore\\x" in recovery["report"]


def test_recovery_names_the_step_that_failed_before_it_was_recorded():
    plan = restore_plan(preflight(facts()), restore_check=check(), force=True)
    recovery = restore_recovery(facts(), plan, [])
    assert recovery["failed_step"] == "safety_backup"
    assert recovery["first_hosts"] == recovery["then_hosts"] == []


def test_the_summary_keeps_a_timeline_per_node_in_step_order():
    plan = restore_plan(preflight(facts()), restore_check=check(), force=True)
    stop = restore_step(
        step_results(NODE2={"changed": True, "elapsed": 2.0}, NODE3={"changed": True}),
        plan,
        "stop",
        started="2026-11-22T02:00:00",
        finished="2026-11-22T02:00:03",
    )
    summary = restore_summary(plan, [stop])
    assert list(summary["timeline"]) == ["NODE2", "NODE3"]
    assert "    02:00:00-02:00:03 stop: changed, 2.0s on the node" in summary["lines"]
    assert summary["changed"] is True


def test_a_plan_that_is_not_one_is_refused():
    with pytest.raises(ValueError, match="restore plan"):
        plan_from_data({"restoring_node": "NODE1"})


def test_a_refusal_by_the_check_reads_as_a_refusal_with_one_period_per_sentence():
    refused = check(
        failed=True,
        error_code=5087,
        error={"name": "ERROR_DATABASE_BACKUP_CORRUPT"},
        msg="The restore failed: the set is corrupt.. (Windows error 5087). Restore another set..",
    )
    message = restore_plan(preflight(facts()), restore_check=refused, force=True)["message"]
    assert "The restore failed" not in message
    assert "The restoring node's check refused the set: the set is corrupt." in message
    assert ".." not in message


def test_a_safety_backup_that_failed_is_never_reported_as_taken():
    data = restore_plan(preflight(facts()), restore_check=check(), force=True)
    failed = {
        "step": "safety_backup",
        "failed": True,
        "nodes": {
            "NODE1": {
                "status": "failed",
                "result": {"failed": True, "set_path": "\\\\fs01\\b\\CLU01\\pre_restore\\x"},
            }
        },
    }
    lines = summary(data, [failed])["lines"]
    assert "Safety backup: not taken (the run stopped before it)." in lines
    report = recovery(facts(), data, [failed])["report"]
    assert "pre_restore" not in report


def test_a_step_that_failed_while_the_restore_took_effect_is_reported_as_taken_effect():
    data = restore_plan(preflight(facts()), restore_check=check(), force=True)
    slow = {"step": "start_others", "failed": True, "nodes": {}}
    restored = {n: {**info(n, UP3), "configuration_fingerprint": "bbb"} for n in UP3}
    recovered = recovery(restored, data, [slow])
    assert recovered["first_hosts"] == recovered["then_hosts"] == []
    assert "the restore took effect" in recovered["report"]
    assert "did not complete" not in recovered["report"]
    assert all(n["next_step"] == "nothing" for n in recovered["nodes"])
    # The configuration from before the run (another fingerprint) is no such thing.
    old = {n: {**info(n, UP3), "configuration_fingerprint": "aaa"} for n in UP3}
    assert "took effect" not in recovery(old, data, [slow])["report"]


def test_with_the_cluster_down_the_inventorys_cluster_name_finds_the_role_s_folder():
    down = {"NODE1": "Down", "NODE2": "Down", "NODE3": "Down"}
    stopped = {
        n: {
            **info(n, down, service="stopped"),
            "cluster": None,
            "nodes": [],
            "core_group_owner": None,
        }
        for n in UP3
    }
    unnamed = restore_preflight(stopped, {}, backup_path="\\\\fs01\\b")
    assert unnamed["set_locations"] == ["\\\\fs01\\b"]
    named = restore_preflight(stopped, {}, backup_path="\\\\fs01\\b", cluster_name="CLU01")
    assert named["set_locations"] == ["\\\\fs01\\b\\CLU01", "\\\\fs01\\b"]
    assert named["problems"] == []


def test_a_running_cluster_of_another_name_than_the_inventorys_is_a_problem():
    found = restore_preflight(facts(), {}, backup_path="\\\\fs01\\b", cluster_name="CLU02")
    assert any("cluster CLU02" in p and "run cluster CLU01" in p for p in found["problems"])


def test_a_node_whose_facts_could_not_be_read_is_not_reported_out_of_reach():
    failed = {"failed": True, "msg": "Access is denied.", "changed": False}
    data = restore_plan(preflight(facts()), restore_check=check(), force=True)
    wait = {"step": "wait_up", "failed": True, "nodes": {}}
    report = recovery(facts(NODE3=failed), data, [wait])["report"]
    unread = "its facts could not be read: NODE3 did not answer: Access is denied."
    assert f"- NODE3: state unknown ({unread})" in report
    assert "NODE3: cannot be reached" not in report


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("foreign", "Set X belongs to cluster CLU02 (id 1), not to CLU01."),
        ("corrupt", "Set X is corrupt: manifest.json is not JSON."),
    ],
)
def test_a_named_set_left_out_as_foreign_or_corrupt_is_reported_as_such(reason, message):
    name = "20261122T020304Z_clusterdb_e2s41"
    listed = dict(listing(), rejected=[{"name": name, "reason": reason, "message": message}])
    results = facts()
    host = restore_preflight(results, {}, backup_path="\\\\fs01\\b")["restoring_host"]
    found = restore_preflight(
        results, {host: {"results": [listed]}}, backup_path="\\\\fs01\\b", set_name=name
    )
    assert found["set"] is None
    assert (
        f"the set {name} under \\\\fs01\\b\\CLU01 cannot be restored: {message}"
        in (found["problems"][0])
    )
    assert "no set named" not in found["problems"][0]


# What ansible-core 2.19 registers when an until/retries loop runs out on a result that has
# no msg of its own.
ANSIBLE_PLACEHOLDER = "Task failed: Action failed: Unknown error."


def test_a_wait_read_marked_failed_by_an_until_loop_is_judged_as_the_nodes_answer():
    plan = restore_plan(preflight(facts()), restore_check=check(), force=True)
    restored = "3:3:1"
    down = {"NODE1": "Up", "NODE2": "Up", "NODE3": "Down"}
    ran_out = {
        **info("NODE3", down, service="stopped", tag=restored),
        "failed": True,
        "attempts": 5,
        "msg": ANSIBLE_PLACEHOLDER,
    }
    results = {n: info(n, down, tag=restored) for n in ("NODE1", "NODE2")} | {"NODE3": ran_out}
    record = restore_step(results, plan, "wait_up")
    assert record["failed"] is True
    assert record["message"] == (
        "Not every node was Up with the restored configuration after reading each node up to "
        "5 time(s): NODE3 is Down."
    )
    assert "Unknown error" not in record["message"] + record["next_step"]
    assert "wsfc.clusterdb.cluster_node state=started on NODE3" in record["next_step"]
    assert record["nodes"]["NODE3"]["status"] == "ok"
    # Every node Up: the same placeholder is no failure at all.
    up = {**info("NODE3", UP3, tag=restored), "failed": True, "attempts": 5}
    settled = {n: info(n, UP3, tag=restored) for n in ("NODE1", "NODE2")} | {"NODE3": up}
    assert restore_step(settled, plan, "wait_up")["failed"] is False


def test_a_wait_read_that_failed_names_the_error_and_is_not_called_out_of_reach():
    plan = restore_plan(preflight(facts()), restore_check=check(), force=True)
    denied = {"failed": True, "msg": "Get-ClusterNode: Access is denied.", "changed": False}
    results = {n: info(n, UP3, tag="3:3:1") for n in ("NODE1", "NODE2")} | {"NODE3": denied}
    record = restore_step(results, plan, "wait_up")
    assert "the facts of NODE3 could not be read" in record["message"]
    assert "Access is denied." in record["message"]
    assert "cannot be reached" not in record["message"]
    assert "bring it back on the network" not in record["next_step"]
    assert "wsfc.clusterdb.cluster_info on NODE3" in record["next_step"]


@pytest.mark.parametrize("msg", [None, "", ANSIBLE_PLACEHOLDER, "Action failed."])
def test_a_failed_result_without_a_message_of_its_own_says_so(msg):
    plan = restore_plan(preflight(facts()), restore_check=check(), force=True)
    failed = {"failed": True, "changed": False} | ({} if msg is None else {"msg": msg})
    record = restore_step(step_results(NODE2={"changed": True}, NODE3=failed), plan, "stop")
    assert record["message"] == "NODE3: failed: the task failed and its result carries no message"
    assert record["next_step"].startswith("Next: the recovery reads every node")
    ok = restore_step(step_results(NODE2={"changed": True}, NODE3={"changed": True}), plan, "stop")
    assert (ok["failed"], ok["message"], ok["next_step"]) == (False, "", "")


def test_a_restore_that_took_effect_after_a_reported_failure_is_completed_in_the_report():
    data = restore_plan(preflight(facts()), restore_check=check(), force=True)
    wait = {"step": "wait_up", "failed": True, "nodes": {}}
    restored = {n: {**info(n, UP3), "configuration_fingerprint": "bbb"} for n in UP3}
    late = recovery(restored, data, [wait], cause="NODE3 is Down")
    assert late["completed"] is True
    lines = summary(data, [wait], late)["lines"]
    assert (
        "Step wait_up reported a failure, but every node was then read Up with the restored "
        "configuration: the restore took effect, nothing to run." in lines
    )
    assert "What step wait_up reported: NODE3 is Down" in lines
    assert summary(data, [wait], late)["completed_after_failure"] is True
    # A recovery that did not find the restore in effect is no completion.
    old = {n: {**info(n, UP3), "configuration_fingerprint": "aaa"} for n in UP3}
    not_late = recovery(old, data, [wait])
    assert not_late["completed"] is False
    assert summary(data, [wait], not_late)["completed_after_failure"] is False
    assert summary(data, [wait])["completed_after_failure"] is False


def test_the_report_says_how_the_signature_was_checked_and_names_newer_forged_sets():
    first = restore_preflight(facts(), {}, backup_path="\\\\fs01\\b")
    verified = {"status": "verified", "key_fingerprint": "ab" * 32, "checked": True}
    newer = {**SET, "name": "20261123T020304Z_clusterdb_e2s42", "reason": "forged"}
    listed = {**listing({**SET, "signature": verified}), "rejected": [newer]}
    found = restore_preflight(
        facts(), {first["restoring_host"]: {"results": [listed]}}, backup_path="\\\\fs01\\b"
    )
    lines = restore_summary(restore_plan(found, restore_check=check(), force=True))["lines"]
    assert f"Signature: verified, signed by trusted key {'ab' * 32}." in lines
    assert any(
        line.startswith("Newer sets left out on their signature")
        and "20261123T020304Z_clusterdb_e2s42 (forged)" in line
        for line in lines
    )
    unsigned = restore_summary(restore_plan(preflight(facts()), restore_check=check(), force=True))
    assert any(line.startswith("Signature: not checked") for line in unsigned["lines"])
