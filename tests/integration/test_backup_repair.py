"""The backup role after a copy failed, and what it leaves and reports, on a 3-node lab:
a re-run brings the destinations to the newest set or says what to run, no staged set is
left on the node, the summary counts the sets retention kept, corrupt sets are named."""

from __future__ import annotations

import shutil
from pathlib import Path

from backup_runs import apply_role, change_configuration, dir_names, report, role_play, summary
from playbook import run_playbook
from wsfc_lab.lab import Lab

PRIMARY = r"\\fs01\clusterbackups"
LOCAL = r"C:\LocalBackups"
STAGING = r"C:\WsfcClusterBackup\CLU01"
RETENTION_NAMES = "wsfc.clusterdb.backup : Name the corrupt sets retention keeps"
NODES = ("NODE1", "NODE2", "NODE3")


def test_a_rerun_after_a_failed_copy_brings_the_destination_to_the_newest_set(
    three_node_lab: Lab, tmp_path: Path
) -> None:
    role_vars = {"backup_path": PRIMARY, "backup_destinations": [LOCAL]}
    first = apply_role(three_node_lab, tmp_path, **role_vars)
    assert first.rc == 0, first.output
    node = summary(first)["backed_up_on"]
    change_configuration(three_node_lab, "10.0.0.81")
    three_node_lab.inject("disk_full", node, path=LOCAL, budget=0)
    failed = apply_role(three_node_lab, tmp_path, **role_vars)
    assert failed.rc != 0
    newest = dir_names(three_node_lab, PRIMARY + r"\CLU01")[-1]
    assert newest not in dir_names(three_node_lab, LOCAL + r"\CLU01", node)

    three_node_lab.clear_faults(["disk_full"])
    # A check-mode run says where the set is missing, and copies nothing.
    checked = run_playbook(
        role_play(tmp_path, "check", **role_vars), three_node_lab.inventory_path, check=True
    )
    assert checked.rc == 0, checked.output
    assert summary(checked)["repaired"] == [LOCAL + r"\CLU01"]
    assert newest not in dir_names(three_node_lab, LOCAL + r"\CLU01", node)

    # A plain run finds the set missing there (in its one check) and copies it.
    again = apply_role(three_node_lab, tmp_path, **role_vars)
    assert again.rc == 0, again.output
    outcome = summary(again)
    assert outcome["written"] is False and outcome["set_name"] == newest
    assert newest in dir_names(three_node_lab, LOCAL + r"\CLU01", node)
    assert [(d["set_status"], d["verified"]) for d in outcome["destinations"]] == [
        ("complete", True),
        ("complete", True),
    ]
    assert any(
        f"Set {newest} was missing at {LOCAL}\\CLU01" in line and "this run copied it there" in line
        for line in report(again)
    ), report(again)

    # Then every destination holds it: the next run writes nothing and copies nothing.
    settled = apply_role(three_node_lab, tmp_path, **role_vars)
    assert settled.rc == 0, settled.output
    assert summary(settled)["repaired"] == [] and summary(settled)["destinations"] == []
    assert any("Every other destination holds set" in line for line in report(settled))


def test_a_controller_copy_that_is_missing_is_fetched_by_the_next_run(
    three_node_lab: Lab, tmp_path: Path
) -> None:
    controller = tmp_path / "controller"
    role_vars = {"backup_path": PRIMARY, "backup_controller_dir": str(controller)}
    first = apply_role(three_node_lab, tmp_path, **role_vars)
    assert first.rc == 0, first.output
    set_name = summary(first)["set_name"]
    # What a failed fetch leaves: the node's set current, the controller without it.
    shutil.rmtree(controller / "CLU01" / set_name)

    again = apply_role(three_node_lab, tmp_path, **role_vars)

    assert again.rc == 0, again.output
    outcome = summary(again)
    assert outcome["written"] is False
    assert outcome["controller"]["set_status"] == "complete"
    assert outcome["controller"]["verified"] is True
    assert (controller / "CLU01" / set_name / "backup.complete").is_file()


def test_a_failed_copy_through_the_temporary_share_leaves_no_staged_set(
    three_node_lab: Lab, tmp_path: Path
) -> None:
    for node in NODES:
        three_node_lab.inject("disk_full", node, path=LOCAL, budget=0)
    run = apply_role(
        three_node_lab,
        tmp_path,
        backup_path=PRIMARY,
        backup_destinations=[LOCAL],
        backup_temporary_share=True,
        backup_loopback_target=True,
    )

    assert run.rc != 0
    # The set was staged behind the share (the copy to the full destination came after),
    # and nothing of it is left on any node.
    staged = "wsfc.clusterdb.backup : Back up the cluster database"
    assert any(r.status == "ok" and r.result.get("changed") for r in run.on_hosts(staged).values())
    for node in NODES:
        assert dir_names(three_node_lab, STAGING, node) == [], node
    failure = next(r for r in run.records if r.task.endswith("Fail with what went wrong"))
    assert "Copy the set to every other destination failed there" in failure.result["msg"]
    assert "and so was the set staged on" in failure.result["msg"]


def test_the_summary_counts_the_sets_retention_kept(three_node_lab: Lab, tmp_path: Path) -> None:
    role_vars = {"backup_path": PRIMARY, "backup_retention_keep": 1}
    first = apply_role(three_node_lab, tmp_path, **role_vars)
    assert first.rc == 0, first.output
    change_configuration(three_node_lab, "10.0.0.82")

    second = apply_role(three_node_lab, tmp_path, **role_vars)

    assert second.rc == 0, second.output
    (destination,) = summary(second)["destinations"]
    assert dir_names(three_node_lab, PRIMARY + r"\CLU01") == [summary(second)["set_name"]]
    assert destination["complete_sets"] == 1
    assert [Path(p.replace("\\", "/")).name for p in destination["removed"]] == [
        summary(first)["set_name"]
    ]
    assert any("1 complete set(s) kept; retention removed" in line for line in report(second))


def test_a_corrupt_set_is_kept_and_named(three_node_lab: Lab, tmp_path: Path) -> None:
    role_vars = {"backup_path": PRIMARY, "backup_retention_keep": 1}
    first = apply_role(three_node_lab, tmp_path, **role_vars)
    assert first.rc == 0, first.output
    broken = summary(first)["set_name"]
    touched = three_node_lab.inject(
        "corrupt", "FS01", path=rf"C:\Shares\clusterbackups\CLU01\{broken}\WindowsImageBackup"
    )
    assert touched
    change_configuration(three_node_lab, "10.0.0.83")

    second = apply_role(three_node_lab, tmp_path, **role_vars)

    assert second.rc == 0, second.output
    (destination,) = summary(second)["destinations"]
    assert list(destination["corrupt"]) == [broken]
    assert "does not have the SHA-256 the manifest records" in destination["corrupt"][broken]
    # Kept (retention never deletes a corrupt set) and named by retention and the report.
    assert broken in dir_names(three_node_lab, PRIMARY + r"\CLU01")
    named = second.of(RETENTION_NAMES, summary(second)["checked_on"])
    assert broken in named.result["msg"] and "corrupt" in named.result["msg"]
    assert any(
        f"corrupt set(s) kept for you to look at: {broken}" in line for line in report(second)
    )
