"""backup_set_info through ansible-playbook against a lab: sets written by cluster_backup,
verified; a copy corrupted after the fact, an unfinished backup, paths that are files or
missing, access denied."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playbook import run_playbook
from wsfc_lab.lab import Lab
from wsfc_lab.world import ConfigChange, acl

SHARE = "\\\\FS01\\clusterbackups"
SHARE_DIR = "C:\\Shares\\clusterbackups"
PLAY = """\
- name: Back up and list
  hosts: "{{ target_host }}"
  gather_facts: false
  tasks:
    - name: Back up
      wsfc.clusterdb.cluster_backup:
        path: "{{ backup_path }}"
      when: do_backup | default(false) | bool
      ignore_errors: true
    - name: List
      wsfc.clusterdb.backup_set_info:
        path: "{{ backup_path }}"
        verify: "{{ verify | default(true) }}"
      ignore_errors: true
"""


@pytest.fixture
def playbook(tmp_path: Path) -> Path:
    path = tmp_path / "sets.yml"
    path.write_text(PLAY, encoding="utf-8")
    return path


def run(
    lab: Lab, playbook: Path, path: str = SHARE, *, host: str = "NODE1", backup: bool = False,
    verify: bool = True, check: bool = False,
) -> dict[str, dict[str, Any]]:  # fmt: skip
    """The results of the play's tasks, by task name, with `failed` set from the status."""
    outcome = run_playbook(
        playbook,
        lab.inventory_path,
        extra_vars={
            "target_host": host,
            "backup_path": path,
            "do_backup": backup,
            "verify": verify,
        },
        check=check,
    )
    assert outcome.rc == 0, outcome.output
    return {task: outcome.result_of(task, host) for task in ("Back up", "List")}


def real(lab: Lab, host: str, windows_path: str) -> Path:
    return lab.world.resolve_path(host, windows_path)


def test_sets_written_by_the_backup_are_complete_and_the_newest_is_named(three_node_lab, playbook):
    first = run(three_node_lab, playbook, backup=True)
    three_node_lab.change(ConfigChange("group", "set", "FileServer-01", {"owner_node": "NODE3"}))
    second = run(three_node_lab, playbook, backup=True)
    listing = second["List"]
    assert listing["failed"] is False and listing["changed"] is False
    assert listing["exists"] is True and listing["module_runs"] == 1
    names = [s["name"] for s in listing["sets"]]
    assert names == sorted([first["Back up"]["set_name"], second["Back up"]["set_name"]])
    for entry in listing["sets"]:
        assert (entry["kind"], entry["status"], entry["verified"]) == ("set", "complete", True)
        assert entry["route"] == "vss" and entry["cluster"]["name"] == "CLU01"
        assert entry["problems"] == []
    assert listing["newest_complete"]["name"] == second["Back up"]["set_name"]


def test_check_mode_lists_the_same(three_node_lab, playbook):
    normal = run(three_node_lab, playbook, backup=True)["List"]
    checked = run(three_node_lab, playbook, check=True)["List"]
    assert checked["failed"] is False and checked["changed"] is False
    assert checked["sets"] == normal["sets"]


def test_a_copy_corrupted_after_the_fact_is_reported_with_the_file(three_node_lab, playbook):
    backup = run(three_node_lab, playbook, backup=True)["Back up"]
    vhdx = next(f["path"] for f in backup["files"] if f["path"].endswith(".vhdx"))
    windows_vhdx = backup["set_path"] + "\\" + vhdx.replace("/", "\\")
    touched = three_node_lab.inject("corrupt", "FS01", path=windows_vhdx)
    assert touched
    (entry,) = run(three_node_lab, playbook)["List"]["sets"]
    assert entry["status"] == "corrupt"
    assert [p["file"] for p in entry["problems"]] == [vhdx]
    assert vhdx in entry["message"] or vhdx.split("/")[-1] in entry["message"]


def test_verify_false_does_not_hash(three_node_lab, playbook):
    run(three_node_lab, playbook, backup=True)
    (entry,) = run(three_node_lab, playbook, verify=False)["List"]["sets"]
    assert entry["status"] == "complete" and entry["verified"] is False


def test_an_unfinished_backup_is_incomplete_and_not_the_newest(three_node_lab, playbook):
    done = run(three_node_lab, playbook, backup=True)["Back up"]
    three_node_lab.change(ConfigChange("group", "set", "FileServer-01", {"owner_node": "NODE2"}))
    three_node_lab.inject("disk_full", "FS01", path=SHARE_DIR, budget=30_000)
    results = run(three_node_lab, playbook, backup=True)
    assert results["Back up"]["failed"] is True and results["Back up"]["error_code"] == 112
    three_node_lab.clear_faults(["disk_full"])
    listing = run(three_node_lab, playbook)["List"]
    by_kind = {entry["kind"]: entry for entry in listing["sets"]}
    assert by_kind["staging"]["status"] == "incomplete"
    assert by_kind["set"]["status"] == "complete"
    assert listing["newest_complete"]["name"] == done["set_name"]


def test_the_legacy_route_sets_verify(start_lab, playbook):
    lab = start_lab("legacy-2003")
    results = run(lab, playbook, "C:\\Backups", host="OLD1", backup=True)
    (entry,) = results["List"]["sets"]
    assert entry["route"] == "clusapi" and entry["status"] == "complete"
    assert entry["verified"] is True
    assert any(f["path"].endswith(".CPT") for f in results["Back up"]["files"])


def test_a_missing_path_is_not_an_error(three_node_lab, playbook):
    listing = run(three_node_lab, playbook, SHARE + "\\none")["List"]
    assert listing["failed"] is False
    assert listing["exists"] is False and listing["sets"] == []


def test_a_path_that_names_a_file_fails_with_267(three_node_lab, playbook):
    real(three_node_lab, "NODE1", "C:\\notes.txt").write_text("x")
    listing = run(three_node_lab, playbook, "C:\\notes.txt")["List"]
    assert listing["failed"] is True and listing["error_code"] == 267


def test_a_path_the_user_may_not_read_fails_with_access_denied(three_node_lab, playbook):
    run(three_node_lab, playbook, backup=True)
    with three_node_lab.world.transaction() as state:
        acl.set_acl(state, "FS01", SHARE_DIR,
                    [{"principal": "Everyone", "access": "read", "type": "deny"}])  # fmt: skip
    listing = run(three_node_lab, playbook)["List"]
    assert listing["failed"] is True and listing["error_code"] == 5
