"""A backup and a restore on a node whose display language is not English, through
ansible-playbook against a lab whose NODE1 is configured `display_language: de-DE`: the
lab's wbadmin then prints its own non-English stand-in wording (world/wbadmin.py), and the
collection must find the version, check the Cluster application and restore with -machine
without reading a single English label."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from labs import example
from playbook import AnsibleRun, run_playbook
from wsfc_lab.lab import Lab
from wsfc_lab.world import ConfigChange
from wsfc_lab.world.backup_media import read_vss_catalog
from wsfc_lab.world.wbadmin import run_wbadmin

BACKUP_LOCATION = "\\\\FS01\\clusterbackups"
BACKUP = "Back up"
RESTORE = "Restore"
ADDED = ConfigChange("group", "set", "Reporting", {"owner_node": "NODE2"})


def play(lab: Lab, tmp_path: Path, tasks: list[dict[str, Any]]) -> AnsibleRun:
    playbook = tmp_path / f"play_{time.monotonic_ns()}.yml"
    document = [{"name": "localized", "hosts": "NODE1", "gather_facts": False, "tasks": tasks}]
    playbook.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return run_playbook(playbook, lab.inventory_path)


def localized_lab(start_lab: Callable[..., Lab]) -> Lab:
    description = example("three-node")
    description["nodes"][0]["display_language"] = "de-DE"
    return start_lab(description)


def test_a_localized_node_backs_up_and_restores(
    start_lab: Callable[..., Lab], tmp_path: Path
) -> None:
    lab = localized_lab(start_lab)
    # The node really answers in the lab's stand-in wording, not in English.
    listing = run_wbadmin(lab.world, "NODE1", "Administrator", ["get", "versions"])
    assert "Es wurden keine Sicherungen gefunden." in listing.text

    run = play(lab, tmp_path, [
        {"name": BACKUP, "wsfc.clusterdb.cluster_backup": {"path": BACKUP_LOCATION}},
    ])  # fmt: skip
    assert run.rc == 0, run.output
    backup = run.of(BACKUP, "NODE1").result
    assert backup["changed"] is True
    assert backup["phases"] == ["inspect", "backup", "finalize"]
    set_path = str(backup["set_path"])
    (version,) = read_vss_catalog(lab.world, "NODE1", set_path)
    assert backup["wbadmin_version"] == version.version_id
    # What the module read there: the version's labels in the stand-in wording only.
    at_set = listing_of(lab, set_path)
    assert "Versionsbezeichner: " + version.version_id in at_set
    assert "Version identifier" not in at_set

    lab.change(ADDED)
    with lab.world.transaction() as state:
        assert "Reporting" in state.node("NODE1")["database"]["objects"]["groups"]
    run = play(lab, tmp_path, [
        {"name": RESTORE, "wsfc.clusterdb.cluster_restore": {"path": set_path, "force": True}},
    ])  # fmt: skip
    assert run.rc == 0, run.output
    restored = run.of(RESTORE, "NODE1").result
    assert restored["changed"] is True
    # The set is NODE1's own and NODE1 restores it: -machine is given all the same.
    assert "-machine:NODE1" in restored["phase_results"]["restore"]["route_command"]
    assert restored["phase_results"]["restore"]["route_exit_code"] == 0
    assert sorted(restored["stopped_nodes"]) == ["NODE2", "NODE3"]
    with lab.world.transaction() as state:
        groups = state.node("NODE1")["database"]["objects"]["groups"]
    assert "Reporting" not in groups


def listing_of(lab: Lab, set_path: str) -> str:
    arguments = ["get", "versions", f"-backupTarget:{set_path}", "-machine:NODE1"]
    return run_wbadmin(lab.world, "NODE1", "Administrator", arguments).text
