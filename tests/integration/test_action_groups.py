"""module_defaults through the collection's action group (meta/runtime.yml) against a lab."""

from __future__ import annotations

from pathlib import Path

import yaml
from playbook import run_playbook
from wsfc_lab.lab import Lab

GROUP = "group/wsfc.clusterdb.clusterdb"
HOST = "NODE1"
# The lab's file server FS01 shares this directory; it holds no backup set yet.
SHARE = "\\\\FS01\\clusterbackups"


def _plays() -> list[dict[str, object]]:
    """Plays on one node: two modules each given an option by the group, then none."""
    read = {"wsfc.clusterdb.cluster_info": None, "register": "facts"}
    # Ansible hands every option of a group's defaults to every module of the group that
    # runs under them, and a module refuses an option it does not have: so each play sets
    # only options its modules share.
    return [
        {
            "name": "Module defaults given through the collection's group",
            "hosts": HOST,
            "gather_facts": False,
            "module_defaults": {GROUP: {"include_configuration": False}},
            "tasks": [
                {"name": "Read with the group's default", **read},
                {
                    "name": "Read with the task's own value",
                    "wsfc.clusterdb.cluster_info": {"include_configuration": True},
                },
            ],
        },
        {
            "name": "A backup location given through the collection's group",
            "hosts": HOST,
            "gather_facts": False,
            "module_defaults": {GROUP: {"path": SHARE}},
            "tasks": [
                {
                    "name": "List the sets at the group's path",
                    "wsfc.clusterdb.backup_set_info": None,
                }
            ],
        },
        {
            "name": "No module defaults",
            "hosts": HOST,
            "gather_facts": False,
            "tasks": [{"name": "Read with the module's default", **read}],
        },
    ]


def test_options_set_for_the_group_reach_its_modules(three_node_lab: Lab, tmp_path: Path) -> None:
    playbook = tmp_path / "module_defaults.yml"
    playbook.write_text(yaml.safe_dump(_plays(), sort_keys=False), encoding="utf-8")
    # Without action_groups in meta/runtime.yml Ansible refuses to load these plays at all
    # ("could not resolve the module_defaults group").
    run = run_playbook(playbook, three_node_lab.inventory_path)
    assert run.rc == 0, run.output
    # The module's own default (true) reads the configuration objects; the group's false
    # leaves them out, so a default that was not applied shows here as a filled list.
    grouped = run.of("Read with the group's default", HOST).result
    assert grouped["configuration"] is None
    assert grouped["configuration_version"]["sequence"] is not None
    own_value = run.of("Read with the task's own value", HOST).result
    assert "FileServer-01" in {g["name"] for g in own_value["configuration"]["groups"]}
    # backup_set_info requires a path: it ran, and read the share's existence from the
    # lab's file server, only because the group gave it one.
    listed = run.of("List the sets at the group's path", HOST)
    assert listed.status == "ok", listed.result
    assert listed.result["exists"] is True
    assert listed.result["sets"] == []
    plain = run.of("Read with the module's default", HOST).result
    assert "FileServer-01" in {g["name"] for g in plain["configuration"]["groups"]}
