"""What the kit refuses before it touches a cluster: a target that changes the cluster
without clusterdb_kit_allow_changes=true or without a backup location, and the real_cluster
scenario without an inventory or without the inventory's consent. None of these runs reach
a node (the hosts below do not exist), so a refusal that came too late would fail to
connect instead."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
SETUP = REPO / "tests" / "integration" / "targets" / "setup_clusterdb_kit"


def clean_environment(**extra: str) -> dict[str, str]:
    """The bootstrap's environment (its ANSIBLE_HOME and collections) without the kit's own
    variables, with the project's test configuration."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLUSTERDB_")}
    env.update(
        ANSIBLE_CONFIG=str(REPO / "tests" / "ansible.cfg"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        NO_COLOR="1",
        PY_COLORS="0",
        **extra,
    )
    return env


def test_a_target_that_changes_the_cluster_is_locked(tmp_path):
    # One play per case, each run alone (a play whose hosts all fail ends the playbook).
    cases = {
        "locked": {"clusterdb_kit_allow_changes": False},
        "no_location": {"clusterdb_kit_allow_changes": True, "clusterdb_kit_backup_path": ""},
        "open": {"clusterdb_kit_allow_changes": "true", "clusterdb_kit_backup_path": "\\\\fs\\s"},
    }
    inventory = {"all": {"hosts": {
        name: {"ansible_connection": "local", **values} for name, values in cases.items()
    }}}  # fmt: skip
    (tmp_path / "inventory.yml").write_text(yaml.safe_dump(inventory), encoding="utf-8")
    plays = [
        {
            "name": f"Case {name}",
            "hosts": name,
            "gather_facts": False,
            "vars": {
                "clusterdb_kit_target": "a_target",
                "clusterdb_kit_changes": "a change",
                "clusterdb_kit_cluster": "CLU9",
            },
            "tasks": [
                {
                    "name": "Lock",
                    "ansible.builtin.include_role": {
                        "name": str(SETUP),
                        "tasks_from": "changes.yml",
                    },
                },
                {"name": "Past the lock", "ansible.builtin.debug": {"msg": f"{name} passed"}},
            ],
        }
        for name in cases
    ]
    outputs = {}
    for name, play in zip(cases, plays, strict=True):
        playbook = tmp_path / f"{name}.yml"
        playbook.write_text(yaml.safe_dump([play], sort_keys=False), encoding="utf-8")
        run = subprocess.run(
            [str(BIN / "ansible-playbook"), "-i", str(tmp_path / "inventory.yml"), str(playbook)],
            env=clean_environment(), capture_output=True, text=True, check=False,
            timeout=180,
        )  # fmt: skip
        outputs[name] = (run.returncode, " ".join((run.stdout + run.stderr).split()))
    code, locked = outputs["locked"]
    assert code == 2, locked
    assert "The target a_target changes the cluster CLU9 (a change)" in locked
    assert "clusterdb_kit_allow_changes=true in [windows:vars]" in locked
    assert "locked passed" not in locked
    code, no_location = outputs["no_location"]
    assert code == 2, no_location
    assert "writes backup sets and clusterdb_kit_backup_path is empty" in no_location
    assert "no_location passed" not in no_location
    code, opened = outputs["open"]
    assert code == 0 and "open passed" in opened, opened


def molecule_create(tmp_path: Path, **env: str) -> str:
    if not (BIN / "molecule").exists():
        pytest.skip("molecule is not installed (scripts/bootstrap.sh installs it)")
    run = subprocess.run(
        [str(BIN / "molecule"), "create", "-s", "real_cluster"],
        cwd=REPO, env=clean_environment(**env), capture_output=True, text=True,
        check=False, timeout=300,
    )  # fmt: skip
    output = " ".join((run.stdout + run.stderr).split())
    assert run.returncode != 0, output
    return output


@pytest.mark.slow
def test_the_real_cluster_scenario_refuses_without_an_inventory(tmp_path):
    output = molecule_create(tmp_path)
    assert "set CLUSTERDB_KIT_INVENTORY to the path of its inventory" in output
    assert "It is not set." in output


@pytest.mark.slow
def test_the_real_cluster_scenario_refuses_an_inventory_that_does_not_allow_changes(tmp_path):
    inventory = tmp_path / "inventory.winrm"
    inventory.write_text(
        "[windows]\nn1 ansible_host=192.0.2.11\nn2 ansible_host=192.0.2.12\n"
        "[windows:vars]\nansible_connection=winrm\n",
        encoding="utf-8",
    )
    output = molecule_create(tmp_path, CLUSTERDB_KIT_INVENTORY=str(inventory))
    assert "Run it only against a test cluster" in output
    assert "clusterdb_kit_allow_changes=true" in output
    # Refused on the controller: no connection to the hosts was tried.
    assert "UNREACHABLE" not in output
