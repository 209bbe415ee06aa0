"""The backup role applied by a play, on a 3-node lab: failures, controller copy, retention."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

from backup_runs import apply_role, change_configuration, dir_names, folder, summary
from labs import example
from playbook import AnsibleRun
from wsfc_lab.execution.execution_log import read_executions
from wsfc_lab.lab import Lab

PRIMARY = r"\\fs01\clusterbackups"
LOCAL = r"C:\LocalBackups"
SHARE = "WsfcClusterBackup$"
NODES = ("NODE1", "NODE2", "NODE3")


def test_the_temporary_share_is_removed_when_the_backup_fails(
    three_node_lab: Lab, tmp_path: Path
) -> None:
    for node in NODES:
        three_node_lab.inject("fail", node, operation="wbadmin start systemstatebackup", code=112)
    run = apply_role(
        three_node_lab,
        tmp_path,
        backup_path=PRIMARY,
        backup_temporary_share=True,
        # The temporary share is on the backup node: a loopback wbadmin target.
        backup_loopback_target=True,
    )

    assert run.rc != 0
    failure = next(r for r in run.records if r.task.endswith("Fail with what went wrong"))
    assert failure.status == "failed"
    message = failure.result["msg"]
    assert "The backup of cluster CLU01 did not complete" in message
    assert "Back up the cluster database failed" in message
    assert f"the temporary share {SHARE} was removed" in message
    # The share was made, then removed on the way out.
    assert run.of("wsfc.clusterdb.backup : Share the folder with the cluster's nodes only",
                  failure.host).status == "ok"  # fmt: skip
    shares = three_node_lab.world.peek()["shares"]
    assert all(SHARE.lower() not in by_host for by_host in shares.values())
    # Nothing that looks like a set reached the primary folder.
    assert dir_names(three_node_lab, PRIMARY + r"\CLU01") == []


def test_the_temporary_share_without_the_opt_in_is_refused_before_any_node_is_touched(
    three_node_lab: Lab, tmp_path: Path
) -> None:
    run = apply_role(three_node_lab, tmp_path, backup_path=PRIMARY, backup_temporary_share=True)

    assert run.rc != 0
    refusals = run.on_hosts(
        "wsfc.clusterdb.backup : Check that this host names its cluster and can reach the backup"
        " locations"
    )
    assert sorted(h for h, r in refusals.items() if r.status == "failed") == list(NODES)
    message = next(iter(refusals.values())).result["msg"]
    assert "backup_loopback_target: true" in message
    assert "not documented" in message
    # No module ran on any node, and no share or folder was made.
    log = three_node_lab.lab_dir / "executions.jsonl"
    assert not log.exists() or read_executions(three_node_lab.lab_dir) == []
    shares = three_node_lab.world.peek()["shares"]
    assert all(SHARE.lower() not in by_host for by_host in shares.values())
    assert dir_names(three_node_lab, PRIMARY + r"\CLU01") == []


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_controller_copy_matches_the_manifest(three_node_lab: Lab, tmp_path: Path) -> None:
    controller = tmp_path / "controller"
    run = apply_role(
        three_node_lab, tmp_path, backup_path=PRIMARY, backup_controller_dir=str(controller)
    )
    assert run.rc == 0, run.output
    outcome = summary(run)
    assert outcome["controller"]["set_status"] == "complete"
    assert outcome["controller"]["verified"] is True

    copy = controller / "CLU01" / outcome["set_name"]
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    assert (copy / "backup.complete").is_file()
    assert manifest["files"], "the manifest lists the set's files"
    for entry in manifest["files"]:
        copied = copy / entry["path"]
        assert copied.stat().st_size == entry["size"]
        assert _sha256(copied) == entry["sha256"]
    assert (controller / "CLU01").stat().st_mode & 0o077 == 0  # the owner's only


def test_retention_keeps_the_newest_sets_and_clears_old_leftovers(
    three_node_lab: Lab, tmp_path: Path
) -> None:
    primary = folder(three_node_lab, PRIMARY + r"\CLU01")
    written = []
    for run_number in range(3):
        if run_number:
            change_configuration(three_node_lab, f"10.0.0.{60 + run_number}")
        if run_number == 2:
            # An interrupted backup long ago, and one that may still be running.
            (primary / "unfinished_20200101T000000Z_clusterdb_e1s1").mkdir()
            (primary / "unfinished_29991231T000000Z_clusterdb_e1s1").mkdir()
        run = apply_role(three_node_lab, tmp_path, backup_path=PRIMARY, backup_retention_keep=2)
        assert run.rc == 0, run.output
        written.append(summary(run)["set_name"])

    assert len(set(written)) == 3
    # The two newest complete sets are kept, the oldest removed; the old leftover is
    # gone, the young one kept.
    assert dir_names(three_node_lab, PRIMARY + r"\CLU01") == sorted(
        [*written[1:], "unfinished_29991231T000000Z_clusterdb_e1s1"]
    )


def test_a_copy_that_fails_never_replaces_the_last_good_set(
    three_node_lab: Lab, tmp_path: Path
) -> None:
    role_vars = {"backup_path": PRIMARY, "backup_destinations": [LOCAL], "backup_retention_keep": 1}
    first = apply_role(three_node_lab, tmp_path, **role_vars)
    assert first.rc == 0, first.output
    good = summary(first)
    node = good["backed_up_on"]
    local = folder(three_node_lab, LOCAL + r"\CLU01", node)
    assert dir_names(three_node_lab, LOCAL + r"\CLU01", node) == [good["set_name"]]

    change_configuration(three_node_lab, "10.0.0.77")
    three_node_lab.inject("disk_full", node, path=LOCAL, budget=0)
    failed = apply_role(three_node_lab, tmp_path, **role_vars)

    assert failed.rc != 0
    failure = next(r for r in failed.records if r.task.endswith("Fail with what went wrong"))
    assert "Copy the set to every other destination failed" in failure.result["msg"]
    # keep=1, yet the local destination still holds its last complete set, and no part of
    # the new one; the primary folder has both (retention did not run).
    assert dir_names(three_node_lab, LOCAL + r"\CLU01", node) == [good["set_name"]]
    assert (local / good["set_name"] / "backup.complete").is_file()
    assert len(dir_names(three_node_lab, PRIMARY + r"\CLU01")) == 2


PROBE = "wsfc.clusterdb.backup : Check whether the newest set holds the current configuration"


def _tried(run: AnsibleRun) -> list[tuple[str, str]]:
    return [(r.host, r.status) for r in run.records if r.task == PROBE and r.status != "skipped"]


def test_an_unreachable_first_node_hands_the_check_to_the_next(
    three_node_lab: Lab, tmp_path: Path
) -> None:
    three_node_lab.inject("unreachable", "NODE1")
    run = apply_role(three_node_lab, tmp_path, backup_path=PRIMARY)
    assert run.rc == 0, run.output
    outcome = summary(run)
    assert outcome["checked_on"] == "NODE2"
    assert outcome["written"] is True
    assert outcome["backed_up_on"] in ("NODE2", "NODE3")
    assert _tried(run) == [("NODE1", "unreachable"), ("NODE2", "ok")]


def test_the_check_tries_as_many_nodes_as_backup_node_attempts_says(
    start_lab: Callable[..., Lab], tmp_path: Path
) -> None:
    spec = example("three-node")
    spec["nodes"] = [*spec["nodes"], {"name": "NODE4", "release": "2022"}]
    lab = start_lab(spec)
    for node in ("NODE1", "NODE2", "NODE3"):
        lab.inject("unreachable", node)

    # Two attempts: NODE1 and NODE2 are tried, and the run says that no node could check.
    refused = apply_role(lab, tmp_path, backup_path=PRIMARY, backup_node_attempts=2)
    assert refused.rc != 0
    assert _tried(refused) == [("NODE1", "unreachable"), ("NODE2", "unreachable")]
    assert "No node of cluster CLU01 could check or take its backup" in refused.output

    # Four: the fourth node checks and backs up (the attempts are not capped at three).
    run = apply_role(lab, tmp_path, backup_path=PRIMARY, backup_node_attempts=4)
    assert run.rc == 0, run.output
    assert _tried(run) == [
        ("NODE1", "unreachable"),
        ("NODE2", "unreachable"),
        ("NODE3", "unreachable"),
        ("NODE4", "ok"),
    ]
    assert summary(run)["checked_on"] == "NODE4" and summary(run)["written"] is True


def test_refreshing_copies_fills_a_new_destination_without_a_new_set(
    three_node_lab: Lab, tmp_path: Path
) -> None:
    first = apply_role(three_node_lab, tmp_path, backup_path=PRIMARY)
    assert first.rc == 0, first.output
    set_name = summary(first)["set_name"]

    offsite = r"\\fs01\clusterbackups\offsite"
    refreshed = apply_role(
        three_node_lab,
        tmp_path,
        backup_path=PRIMARY,
        backup_destinations=[offsite],
        backup_refresh_copies=True,
        backup_temporary_share=True,
        backup_loopback_target=True,
    )
    assert refreshed.rc == 0, refreshed.output
    outcome = summary(refreshed)
    assert outcome["written"] is False
    assert [(d["set_status"], d["verified"]) for d in outcome["destinations"]] == [
        ("complete", True),
        ("complete", True),
    ]
    assert dir_names(three_node_lab, offsite + r"\CLU01") == [set_name]
    assert dir_names(three_node_lab, PRIMARY + r"\CLU01") == [set_name]
    # No share was needed, since nothing was backed up.
    assert not any(r.task.endswith("Share the folder with the cluster's nodes only")
                   and r.status == "ok" for r in refreshed.records)  # fmt: skip
