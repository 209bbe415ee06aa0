"""The backup role applied by a play, on a 3-node lab: failures, controller copy, retention."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from collections.abc import Callable

import yaml
from labs import example
from playbook import AnsibleRun, run_playbook
from wsfc_lab.execution.execution_log import read_executions
from wsfc_lab.lab import Lab
from wsfc_lab.world import ConfigChange

PRIMARY = r"\\fs01\clusterbackups"
LOCAL = r"C:\LocalBackups"
SUMMARY = "wsfc.clusterdb.backup : Gather the outcome of the cluster's backup"
SHARE = "WsfcClusterBackup$"
NODES = ("NODE1", "NODE2", "NODE3")


def _apply_role(lab: Lab, tmp_path: Path, **role_vars: Any) -> AnsibleRun:
    """A play over the lab's cluster group that applies the role with these variables."""
    play = [
        {
            "name": "Back up the cluster",
            "hosts": "clu01",
            "gather_facts": False,
            "roles": [{"role": "wsfc.clusterdb.backup", "vars": role_vars}],
        }
    ]
    path = tmp_path / "backup_role.yml"
    path.write_text(yaml.safe_dump(play), encoding="utf-8")
    return run_playbook(path, lab.inventory_path)


def _summary(run: AnsibleRun) -> dict[str, Any]:
    (record,) = [r for r in run.on_hosts(SUMMARY).values() if r.status == "ok"]
    return record.result["ansible_facts"]["backup_summary"]


def _folder(lab: Lab, windows_path: str, node: str = "NODE1") -> Path:
    return lab.world.resolve_path(node, windows_path)


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


def _change_configuration(lab: Lab, address: str) -> None:
    lab.change(
        ConfigChange("parameter", "set", "FileServer-01 IP", {"name": "Address", "value": address})
    )


def test_the_temporary_share_is_removed_when_the_backup_fails(
    three_node_lab: Lab, tmp_path: Path
) -> None:
    for node in NODES:
        three_node_lab.inject("fail", node, operation="wbadmin start systemstatebackup", code=112)
    run = _apply_role(
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
    assert _names(_folder(three_node_lab, PRIMARY + r"\CLU01")) == []


def test_the_temporary_share_without_the_opt_in_is_refused_before_any_node_is_touched(
    three_node_lab: Lab, tmp_path: Path
) -> None:
    run = _apply_role(three_node_lab, tmp_path, backup_path=PRIMARY, backup_temporary_share=True)

    assert run.rc != 0
    refusals = run.on_hosts(
        "wsfc.clusterdb.backup : Check that the temporary share may be wbadmin's target"
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
    assert _names(_folder(three_node_lab, PRIMARY + r"\CLU01")) == []


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_controller_copy_matches_the_manifest(three_node_lab: Lab, tmp_path: Path) -> None:
    controller = tmp_path / "controller"
    run = _apply_role(
        three_node_lab, tmp_path, backup_path=PRIMARY, backup_controller_dir=str(controller)
    )
    assert run.rc == 0, run.output
    summary = _summary(run)
    assert summary["controller"]["set_status"] == "complete"
    assert summary["controller"]["verified"] is True

    copy = controller / "CLU01" / summary["set_name"]
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
    primary = _folder(three_node_lab, PRIMARY + r"\CLU01")
    written = []
    for run_number in range(3):
        if run_number:
            _change_configuration(three_node_lab, f"10.0.0.{60 + run_number}")
        if run_number == 2:
            # An interrupted backup long ago, and one that may still be running.
            (primary / "unfinished_20200101T000000Z_clusterdb_e1s1").mkdir()
            (primary / "unfinished_29991231T000000Z_clusterdb_e1s1").mkdir()
        run = _apply_role(three_node_lab, tmp_path, backup_path=PRIMARY, backup_retention_keep=2)
        assert run.rc == 0, run.output
        written.append(_summary(run)["set_name"])

    assert len(set(written)) == 3
    # The two newest complete sets are kept, the oldest removed; the old leftover is
    # gone, the young one kept.
    assert _names(primary) == sorted([*written[1:], "unfinished_29991231T000000Z_clusterdb_e1s1"])


def test_a_copy_that_fails_never_replaces_the_last_good_set(
    three_node_lab: Lab, tmp_path: Path
) -> None:
    role_vars = {"backup_path": PRIMARY, "backup_destinations": [LOCAL], "backup_retention_keep": 1}
    first = _apply_role(three_node_lab, tmp_path, **role_vars)
    assert first.rc == 0, first.output
    good = _summary(first)
    node = good["backed_up_on"]
    local = _folder(three_node_lab, LOCAL + r"\CLU01", node)
    assert _names(local) == [good["set_name"]]

    _change_configuration(three_node_lab, "10.0.0.77")
    three_node_lab.inject("disk_full", node, path=LOCAL, budget=0)
    failed = _apply_role(three_node_lab, tmp_path, **role_vars)

    assert failed.rc != 0
    failure = next(r for r in failed.records if r.task.endswith("Fail with what went wrong"))
    assert "Copy the set to every other destination failed" in failure.result["msg"]
    # keep=1, yet the local destination still holds its last complete set, and no part of
    # the new one; the primary folder has both (retention did not run).
    assert _names(local) == [good["set_name"]]
    assert (local / good["set_name"] / "backup.complete").is_file()
    assert len(_names(_folder(three_node_lab, PRIMARY + r"\CLU01"))) == 2


def test_an_unreachable_first_node_hands_the_check_to_the_next(
    three_node_lab: Lab, tmp_path: Path
) -> None:
    three_node_lab.inject("unreachable", "NODE1")
    run = _apply_role(three_node_lab, tmp_path, backup_path=PRIMARY)
    assert run.rc == 0, run.output
    summary = _summary(run)
    assert summary["checked_on"] == "NODE2"
    assert summary["written"] is True
    assert summary["backed_up_on"] in ("NODE2", "NODE3")
    probe = "wsfc.clusterdb.backup : Check whether the newest set holds the current configuration"
    tried = [(r.host, r.status) for r in run.records if r.task == probe and r.status != "skipped"]
    assert tried == [("NODE1", "unreachable"), ("NODE2", "ok")]


PROBE = "wsfc.clusterdb.backup : Check whether the newest set holds the current configuration"


def _tried(run: AnsibleRun) -> list[tuple[str, str]]:
    return [(r.host, r.status) for r in run.records if r.task == PROBE and r.status != "skipped"]


def test_the_check_tries_as_many_nodes_as_backup_node_attempts_says(
    start_lab: Callable[..., Lab], tmp_path: Path
) -> None:
    spec = example("three-node")
    spec["nodes"] = [*spec["nodes"], {"name": "NODE4", "release": "2022"}]
    lab = start_lab(spec)
    for node in ("NODE1", "NODE2", "NODE3"):
        lab.inject("unreachable", node)

    # Two attempts: NODE1 and NODE2 are tried, and the run says that no node could check.
    refused = _apply_role(lab, tmp_path, backup_path=PRIMARY, backup_node_attempts=2)
    assert refused.rc != 0
    assert _tried(refused) == [("NODE1", "unreachable"), ("NODE2", "unreachable")]
    assert "No node of cluster CLU01 could check or take its backup" in refused.output

    # Four: the fourth node checks and backs up (the attempts are not capped at three).
    run = _apply_role(lab, tmp_path, backup_path=PRIMARY, backup_node_attempts=4)
    assert run.rc == 0, run.output
    assert _tried(run) == [
        ("NODE1", "unreachable"),
        ("NODE2", "unreachable"),
        ("NODE3", "unreachable"),
        ("NODE4", "ok"),
    ]
    assert _summary(run)["checked_on"] == "NODE4" and _summary(run)["written"] is True


def test_refreshing_copies_fills_a_new_destination_without_a_new_set(
    three_node_lab: Lab, tmp_path: Path
) -> None:
    first = _apply_role(three_node_lab, tmp_path, backup_path=PRIMARY)
    assert first.rc == 0, first.output
    set_name = _summary(first)["set_name"]

    offsite = r"\\fs01\clusterbackups\offsite"
    refreshed = _apply_role(
        three_node_lab,
        tmp_path,
        backup_path=PRIMARY,
        backup_destinations=[offsite],
        backup_refresh_copies=True,
        backup_temporary_share=True,
        backup_loopback_target=True,
    )
    assert refreshed.rc == 0, refreshed.output
    summary = _summary(refreshed)
    assert summary["written"] is False
    assert [(d["set_status"], d["verified"]) for d in summary["destinations"]] == [
        ("complete", True),
        ("complete", True),
    ]
    assert _names(_folder(three_node_lab, offsite + r"\CLU01")) == [set_name]
    assert _names(_folder(three_node_lab, PRIMARY + r"\CLU01")) == [set_name]
    # No share was needed, since nothing was backed up.
    assert not any(r.task.endswith("Share the folder with the cluster's nodes only")
                   and r.status == "ok" for r in refreshed.records)  # fmt: skip
