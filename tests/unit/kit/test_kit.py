"""The kit's runner: the inventory it accepts, the targets it knows, the lab's inventory
with the kit's variables, and the check for credentials in a report."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
import yaml
from kit import (
    REPO_ROOT,
    KitError,
    kit_inventory_text,
    lab_description,
    leaked_credentials,
    read_inventory,
    targets,
)

INVENTORY = """\
[windows]
node1.corp.example ansible_host=192.0.2.11
node2.corp.example ansible_host=192.0.2.12

[windows:vars]
ansible_user="CORP\\\\svc-kit"
ansible_password="{{ vault_password }}"
vault_password="T0p;secret"
"""


def test_the_inventory_names_the_nodes_the_lock_and_the_credentials(tmp_path):
    path = tmp_path / "cluster.ini"
    path.write_text(INVENTORY, encoding="utf-8")
    inventory = read_inventory(path)
    assert inventory.hosts == ["node1.corp.example", "node2.corp.example"]
    assert inventory.allow_changes is False and inventory.backup_path == ""
    assert inventory.passwords == {"T0p;secret"} and inventory.users == {"CORP\\svc-kit"}
    path.write_text(kit_inventory_text(INVENTORY, "\\\\fs01\\clusterbackups"), encoding="utf-8")
    allowed = read_inventory(path)
    assert allowed.allow_changes is True and allowed.backup_path == "\\\\fs01\\clusterbackups"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[windows]\nonly-one\n", "1 host(s) in a [windows] group"),
        ("[nodes]\nn1\nn2\n", "0 host(s)"),
        # A YAML inventory: ansible-test copies it as inventory.winrm, which only INI reads.
        ("all:\n  children:\n    windows:\n      hosts: {n1: {}, n2: {}}\n", "0 host(s)"),
    ],
)
def test_an_inventory_the_kit_cannot_use_is_refused(tmp_path, text, words):
    path = tmp_path / "inventory.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(KitError, match=re.escape(words)):
        read_inventory(path)
    with pytest.raises(KitError, match="does not exist"):
        read_inventory(tmp_path / "absent.winrm")


def test_the_targets_that_change_a_cluster_are_destructive():
    assert targets() == {
        "backup_folders": True,
        "backup_set_info": True,
        "cluster_backup": True,
        "cluster_drift": True,
        "cluster_info": False,
        "cluster_node": True,
        "cluster_restore": True,
    }


def test_the_lab_is_the_two_node_example_with_the_backup_feature_on_every_node():
    spec = lab_description()
    assert [n["name"] for n in spec["nodes"]] == ["NODE1", "NODE2"]
    assert all("windows_server_backup" not in n for n in spec["nodes"])
    assert spec["witness"]["type"] == "file_share"
    assert "clusterbackups" in [s["name"] for s in spec["file_servers"][0]["shares"]]


def test_a_credential_in_a_report_is_found(tmp_path):
    inventory_path = tmp_path / "inventory.winrm"
    inventory_path.write_text(INVENTORY, encoding="utf-8")
    inventory = read_inventory(inventory_path)
    report = tmp_path / "report"
    report.mkdir()
    (report / "report.md").write_text("svc-kits and CORP\\svc-kitx only\n", encoding="utf-8")
    assert leaked_credentials(report, inventory) == []
    (report / "molecule.log").write_text("logon as corp\\SVC-KIT: T0p;secret\n", encoding="utf-8")
    assert leaked_credentials(report, inventory) == [
        "molecule.log: a password",
        "molecule.log: the user name CORP\\svc-kit",
    ]


def test_the_targets_directory_adds_nothing_to_pytest_s_collection():
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--collect-only", "-q",
         "tests/integration/targets"],
        cwd=REPO_ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    # Exit code 5: no tests collected, and no error importing anything there.
    assert run.returncode == 5, run.stdout + run.stderr
    assert "error" not in (run.stdout + run.stderr).lower()
    assert json.dumps(run.stdout).count("::") == 0


KIT_HOSTS = "{{ clusterdb_kit_hosts | default('windows') }}"


def test_every_play_of_the_real_cluster_scenario_runs_on_the_inventory_s_nodes():
    scenario = REPO_ROOT / "extensions" / "molecule" / "real_cluster"
    assert not (scenario / "lab.yml").exists(), "the cluster is the user's: no lab"
    on_nodes = 0
    for path in sorted(scenario.glob("*.yml")):
        if path.name == "molecule.yml":
            continue
        for play in yaml.safe_load(path.read_text(encoding="utf-8")):
            where = f"{path.name}: {play['name']}"
            if "ansible.builtin.import_playbook" in play:
                assert play["ansible.builtin.import_playbook"].startswith("wsfc.clusterdb."), where
                assert play["vars"]["wsfc_hosts"] == KIT_HOSTS, where
                continue
            # Only the check of the environment variable runs on the controller.
            expected = (
                "localhost"
                if where == "create.yml: Check that an inventory was named"
                else KIT_HOSTS
            )
            assert play["hosts"] == expected, where
            on_nodes += play["hosts"] == KIT_HOSTS
    assert on_nodes >= 5


@pytest.mark.parametrize(("argv", "scenario"), [([], True), (["--no-scenario"], False)])
def test_the_lab_command_runs_the_scenario_unless_told_not_to(
    monkeypatch, tmp_path, argv, scenario
):
    import kit

    calls: list[tuple[object, bool, bool]] = []

    def fake_run_against_lab(report_dir, keep_lab=False, *, scenario=True):
        calls.append((report_dir, keep_lab, scenario))
        return 0

    monkeypatch.setattr(kit, "run_against_lab", fake_run_against_lab)
    assert kit.main(["lab", "--report", str(tmp_path), *argv]) == 0
    assert calls == [(tmp_path.resolve(), False, scenario)]
