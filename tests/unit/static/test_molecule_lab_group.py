"""The molecule scenarios target the inventory group the lab writes for their cluster.

extensions/molecule/vars/lab_cluster.yml derives the group from the scenario's lab.yml
with an expression of its own (a play's `hosts:` cannot call Python); these tests hold it
equal to the lab's cluster_group_name, the function that writes the inventory, and hold
every play of every scenario to that group (or to the controller, or to one of the
collection's playbooks, whose default is every host of the inventory).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from wsfc_lab.lab import cluster_group_name

REPO = Path(__file__).resolve().parents[3]
SCENARIOS = REPO / "extensions" / "molecule"
VARS_FILE = SCENARIOS / "vars" / "lab_cluster.yml"
BIN = Path(sys.executable).parent
TARGET = "{{ molecule_cluster_group }}"
NAMES = ["MOLCLU", "CLU01", "clu01", "Prod-Cluster.1", "2019CLU", "Ab_9", "SQL CLUSTER", "Ü1"]


def render_groups(tmp_path: Path, lab_cluster: str, names: list[str]) -> dict[str, object]:
    """molecule_cluster_group as Ansible renders it from lab_cluster.yml: for the lab.yml
    beside the playbook (key "lab.yml"), and for each of `names` in its place."""
    (tmp_path / "lab.yml").write_text(yaml.safe_dump({"cluster": lab_cluster}), "utf-8")
    out = tmp_path / "groups.json"
    play = [
        {
            "name": "Render the group names",
            "hosts": "localhost",
            "gather_facts": False,
            "vars_files": [str(VARS_FILE)],
            "tasks": [
                {
                    "name": "The group of the lab.yml beside this playbook",
                    "ansible.builtin.set_fact": {"from_lab_yml": TARGET},
                },
                {
                    "name": "The group of each name",
                    "ansible.builtin.debug": {"msg": TARGET},
                    "vars": {"molecule_lab": {"cluster": "{{ item }}"}},
                    "loop": names,
                    "register": "rendered",
                },
                {
                    "name": "Write them out",
                    "ansible.builtin.copy": {
                        "content": "{{ {'lab.yml': from_lab_yml, 'names': rendered.results"
                        " | map(attribute='msg') | list} | to_json }}",
                        "dest": str(out),
                    },
                },
            ],
        }
    ]
    playbook = tmp_path / "render.yml"
    playbook.write_text(yaml.safe_dump(play, sort_keys=False), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    env.update(
        ANSIBLE_CONFIG=str(REPO / "tests" / "ansible.cfg"),
        ANSIBLE_HOME=str(tmp_path / "ansible-home"),
        ANSIBLE_LOCALHOST_WARNING="false",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
    )
    run = subprocess.run(
        [str(BIN / "ansible-playbook"), str(playbook)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return json.loads(out.read_text(encoding="utf-8"))


def test_the_derived_group_is_the_one_the_lab_writes(tmp_path: Path) -> None:
    rendered = render_groups(tmp_path, "Prod-Cluster.1", NAMES)
    assert rendered["lab.yml"] == cluster_group_name("Prod-Cluster.1") == "prod_cluster_1"
    assert rendered["names"] == [cluster_group_name(name) for name in NAMES]
    # Not the identity: the upper-case names the scenarios once targeted are not groups.
    assert "MOLCLU" not in rendered["names"] and "molclu" in rendered["names"]


# A scenario that runs against the inventory a user names starts no lab (real_cluster;
# tests/unit/kit/test_real_cluster_scenario.py holds its plays).
USER_INVENTORY = "CLUSTERDB_KIT_INVENTORY"


def scenario_dirs() -> list[Path]:
    return sorted(
        p.parent
        for p in SCENARIOS.glob("*/molecule.yml")
        if USER_INVENTORY not in p.read_text(encoding="utf-8")
    )


@pytest.mark.parametrize("scenario", scenario_dirs(), ids=lambda p: p.name)
def test_every_play_of_a_scenario_runs_on_its_cluster(scenario: Path) -> None:
    assert (scenario / "lab.yml").is_file(), "the scenario's lab description"
    on_nodes = 0
    for path in sorted(scenario.glob("*.yml")):
        if path.name in ("lab.yml", "molecule.yml"):
            continue
        for play in yaml.safe_load(path.read_text(encoding="utf-8")):
            where = f"{path.name}: {play['name']}"
            if "ansible.builtin.import_playbook" in play:
                assert play["ansible.builtin.import_playbook"].startswith("wsfc.clusterdb."), where
                assert "wsfc_hosts" not in play.get("vars", {}), where
                continue
            if path.stem in ("create", "destroy"):
                assert play["hosts"] == "localhost", where
                continue
            assert play["hosts"] in (TARGET, "localhost"), where
            if play["hosts"] == TARGET:
                assert "../vars/lab_cluster.yml" in play.get("vars_files", []), where
                on_nodes += 1
    assert on_nodes, f"no play of {scenario.name} runs on the cluster's nodes"
