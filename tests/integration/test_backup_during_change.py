"""A backup during which an administrator changes the configuration, through ansible-playbook
against a lab: the PaxosTag's sequence moves with every change
(docs/windows-behaviour.md#paxos-tag) and a backup is not instantaneous, so the set is
complete and recorded with the tags read before and after it; the next run is not
idempotent against it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playbook import run_playbook
from wsfc_lab.lab import Lab
from wsfc_lab.world import ConfigChange
from wsfc_lab.world.backup_media import read_vss_snapshot
from wsfc_lab.world.concurrent_changes import applied, plan_changes_during
from wsfc_lab.world.wbadmin import BACKUP_OPERATION

SHARE = "\\\\FS01\\clusterbackups\\CLU01"
SHARE_DIR = "C:\\Shares\\clusterbackups\\CLU01"
PLAY = """\
- name: Back up the cluster database and list the sets
  hosts: "{{ target_host }}"
  gather_facts: false
  tasks:
    - name: Back up
      wsfc.clusterdb.cluster_backup:
        path: "{{ backup_path }}"
      ignore_errors: true
    - name: List
      wsfc.clusterdb.backup_set_info:
        path: "{{ backup_path }}"
      ignore_errors: true
"""
# Two changes an administrator makes while the backup runs: the group moves and moves back.
CHANGES = [
    ConfigChange("group", "set", "FileServer-01", {"owner_node": "NODE2"}),
    ConfigChange("group", "set", "FileServer-01", {"owner_node": "NODE1"}),
]


@pytest.fixture
def playbook(tmp_path: Path) -> Path:
    path = tmp_path / "backup.yml"
    path.write_text(PLAY, encoding="utf-8")
    return path


def run(lab: Lab, playbook: Path, host: str = "NODE1") -> dict[str, dict[str, Any]]:
    outcome = run_playbook(
        playbook, lab.inventory_path, extra_vars={"target_host": host, "backup_path": SHARE}
    )
    assert outcome.rc == 0, outcome.output  # ignore_errors: the play itself always passes
    return {task: outcome.result_of(task, host) for task in ("Back up", "List")}


def cluster_tag(lab: Lab) -> str:
    tag = lab.world.read().cluster.tag
    assert tag is not None
    return tag


def manifest(lab: Lab, set_name: str) -> dict[str, Any]:
    path = lab.world.resolve_path("FS01", f"{SHARE_DIR}\\{set_name}\\manifest.json")
    return json.loads(path.read_text(encoding="utf-8"))


def test_a_change_during_the_backup_gives_a_complete_set_recorded_with_the_range(
    three_node_lab, playbook
):
    lab = three_node_lab
    before = cluster_tag(lab)
    with lab.world.transaction() as state:
        plan_changes_during(state, BACKUP_OPERATION, CHANGES)

    results = run(lab, playbook)
    backup = results["Back up"]
    assert backup["failed"] is False, backup["msg"]
    assert backup["changed"] is True

    # The changes were made while wbadmin ran, by the lab, not by the module.
    after = cluster_tag(lab)
    (made,) = applied(lab.world.read())
    assert made["tags"][-1] == after != before
    assert len(made["tags"]) == len(CHANGES)

    # The task reports both ends; the set is named after the version the backup began at.
    version = backup["configuration_version"]
    assert (version["paxos_tag"], version["paxos_tag_after"]) == (before, after)
    before_sequence = int(before.rsplit(":", 1)[1])
    assert backup["set_name"].endswith(f"s{before_sequence}")

    # The set is whole: marker and manifest written, and backup_set_info verifies every file.
    set_dir = lab.world.resolve_path("FS01", backup["set_path"])
    assert (set_dir / "backup.complete").is_file()
    document = manifest(lab, backup["set_name"])
    assert document["configuration_version"]["paxos_tag"] == before
    assert document["configuration_version_after"]["paxos_tag"] == after
    listing = results["List"]
    assert listing["failed"] is False, listing.get("msg")
    (entry,) = listing["sets"]
    assert (entry["name"], entry["status"], entry["verified"]) == (
        backup["set_name"],
        "complete",
        True,
    )
    assert entry["configuration_version"]["paxos_tag_after"] == after
    # What wbadmin saved is the copy from before the changes (its shadow copy came first).
    snapshot = read_vss_snapshot(lab.world, "NODE1", backup["set_path"], backup["wbadmin_version"])
    assert snapshot.paxos_tag == before


def test_the_next_run_writes_a_new_set_and_the_one_after_changes_nothing(three_node_lab, playbook):
    lab = three_node_lab
    with lab.world.transaction() as state:
        plan_changes_during(state, BACKUP_OPERATION, CHANGES)
    ranged = run(lab, playbook)["Back up"]
    assert ranged["failed"] is False and ranged["changed"] is True, ranged["msg"]
    current = cluster_tag(lab)
    assert ranged["configuration_version"]["paxos_tag_after"] == current

    # Nothing changed since: the ranged set still does not hold the current version for sure.
    second = run(lab, playbook)
    backup = second["Back up"]
    assert backup["failed"] is False, backup["msg"]
    assert backup["changed"] is True
    assert backup["phases"] == ["inspect", "backup", "finalize"]
    assert backup["set_name"] != ranged["set_name"]
    assert backup["configuration_version"]["paxos_tag"] == current
    assert "paxos_tag_after" not in backup["configuration_version"]
    document = manifest(lab, backup["set_name"])
    assert document["configuration_version"] == document["configuration_version_after"]
    names = sorted(s["name"] for s in second["List"]["sets"])
    assert names == sorted([ranged["set_name"], backup["set_name"]])
    assert {s["status"] for s in second["List"]["sets"]} == {"complete"}

    # An ordinary set holds the current version: the next run is idempotent again.
    third = run(lab, playbook)["Back up"]
    assert third["failed"] is False, third["msg"]
    assert third["changed"] is False
    assert third["module_runs"] == 1 and third["phases"] == ["inspect"]
    assert third["set_name"] == backup["set_name"]
