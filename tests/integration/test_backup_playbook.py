"""The backup playbook through ansible-playbook on labs: what lands, and what a rerun costs."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from labs import example
from playbook import AnsibleRun, run_playbook
from wsfc_lab.execution.execution_log import read_executions
from wsfc_lab.fleet import fleet_inventory
from wsfc_lab.lab import Lab
from wsfc_lab.world import ConfigChange

REPO_ROOT = Path(__file__).resolve().parents[2]
PLAYBOOK = REPO_ROOT / "playbooks" / "backup.yml"
PRIMARY = r"\\fs01\clusterbackups"
LOCAL = r"C:\LocalBackups"
SUMMARY = "wsfc.clusterdb.backup : Gather the outcome of the cluster's backup"
SHARE = "WsfcClusterBackup$"
ADMINS_AND_SYSTEM = {"builtin\\administrators", "nt authority\\system"}
# Several clusters run side by side only with enough forks.
FORKS = {"ANSIBLE_FORKS": "12"}


def _summaries(run: AnsibleRun) -> dict[str, dict[str, Any]]:
    """The backup_summary fact of each cluster, by cluster name."""
    found = {}
    for record in run.on_hosts(SUMMARY).values():
        if record.status == "ok":
            summary = record.result["ansible_facts"]["backup_summary"]
            found[summary["cluster"]] = summary
    return found


def _set_dirs(lab: Lab, windows_path: str, node: str = "NODE1") -> list[Path]:
    real = lab.world.resolve_path(node, windows_path)
    return sorted(p for p in real.iterdir() if p.is_dir()) if real.is_dir() else []


def _verify(lab: Lab, host: str, folders: list[str], tmp_path: Path) -> list[dict[str, Any]]:
    """backup_set_info at each folder, run from `host` in a playbook of its own."""
    verify = tmp_path / "verify.yml"
    verify.write_text(
        yaml.safe_dump(
            [
                {
                    "name": "Verify",
                    "hosts": host,
                    "gather_facts": False,
                    "tasks": [
                        {
                            "name": "List the sets",
                            "wsfc.clusterdb.backup_set_info": {"path": "{{ item }}"},
                            "loop": "{{ folders }}",
                        }
                    ],
                }
            ]
        ),
        encoding="utf-8",
    )
    run = run_playbook(verify, lab.inventory_path, extra_vars={"folders": folders})
    assert run.rc == 0, run.output
    return run.of("List the sets", host).result["results"]


def test_a_verified_protected_set_lands_at_every_destination(
    three_node_lab: Lab, tmp_path: Path
) -> None:
    controller = tmp_path / "controller"
    run = run_playbook(
        PLAYBOOK,
        three_node_lab.inventory_path,
        extra_vars={
            "backup_path": PRIMARY,
            "backup_destinations": [LOCAL],
            "backup_controller_dir": str(controller),
            "backup_temporary_share": True,
            # The temporary share is on the backup node: a loopback wbadmin target.
            "backup_loopback_target": True,
        },
    )
    assert run.rc == 0, run.output
    summary = _summaries(run)["CLU01"]
    assert summary["written"] is True
    set_name = summary["set_name"]
    folders = [PRIMARY + "\\CLU01", LOCAL + "\\CLU01"]
    assert [d["folder"] for d in summary["destinations"]] == folders
    assert all(d["set_status"] == "complete" and d["verified"] for d in summary["destinations"])

    # Independently of the role: backup_set_info finds the set complete and verified (from
    # the backup node: a local destination is a folder of the node that backed up).
    for report in _verify(three_node_lab, summary["backed_up_on"], folders, tmp_path):
        newest = report["newest_complete"]
        assert newest["name"] == set_name
        assert newest["verified"] is True
        assert newest["cluster"]["name"] == "CLU01"
    assert (controller / "CLU01" / set_name / "manifest.json").is_file()

    state = three_node_lab.world.peek()
    # Only Administrators and SYSTEM at each destination, nothing inherited from above.
    acls = state["extensions"]["acl"]
    for folder in folders:
        record = next(r for r in acls.values() if r["path"].casefold() == folder.casefold())
        assert record.get("protected") is True
        assert {e["principal"].casefold() for e in record["entries"]} == ADMINS_AND_SYSTEM
    # The temporary share is gone, and its folder holds no set any more.
    assert all(SHARE.lower() not in shares for shares in state["shares"].values())
    assert _set_dirs(three_node_lab, r"C:\WsfcClusterBackup\CLU01") == []


def test_a_second_run_with_nothing_changed_is_one_module_run(three_node_lab: Lab) -> None:
    extra = {"backup_path": PRIMARY, "backup_destinations": [LOCAL]}
    first = run_playbook(PLAYBOOK, three_node_lab.inventory_path, extra_vars=extra)
    assert first.rc == 0, first.output
    before = len(read_executions(three_node_lab.lab_dir))

    second = run_playbook(PLAYBOOK, three_node_lab.inventory_path, extra_vars=extra)
    assert second.rc == 0, second.output
    runs = read_executions(three_node_lab.lab_dir)[before:]
    inspect_only = [("wsfc.clusterdb.cluster_backup", "inspect")]
    assert [(r["module"], r["phase"]) for r in runs] == inspect_only
    assert not any(r.result.get("changed") for r in second.records), second.output
    summary = _summaries(second)["CLU01"]
    assert summary["written"] is False
    assert summary["set_name"] == _summaries(first)["CLU01"]["set_name"]


def test_the_backup_node_is_chosen_from_the_checks_facts(three_node_lab: Lab) -> None:
    # An administrator moved FileServer-01 to NODE3; the role is to back up on its owner.
    three_node_lab.change(ConfigChange("group", "set", "FileServer-01", {"owner_node": "NODE3"}))
    before = len(read_executions(three_node_lab.lab_dir))
    extra = {"backup_path": PRIMARY, "backup_cluster_group": "FileServer-01"}

    run = run_playbook(PLAYBOOK, three_node_lab.inventory_path, extra_vars=extra)

    assert run.rc == 0, run.output
    runs = read_executions(three_node_lab.lab_dir)[before:]
    # The check on NODE1 (the cluster's first host) read the group owners; nothing reads them
    # again before the backup: its three phases run on NODE3 right after the folder is made.
    assert (runs[0]["node"], runs[0]["module"], runs[0]["phase"]) == (
        "NODE1",
        "wsfc.clusterdb.cluster_backup",
        "inspect",
    )
    assert "wsfc.clusterdb.cluster_info" not in {r["module"] for r in runs}
    phases = [
        (r["node"], r["phase"]) for r in runs if r["module"] == "wsfc.clusterdb.cluster_backup"
    ]
    assert phases == [("NODE1", "inspect")] + [
        ("NODE3", p) for p in ("inspect", "backup", "finalize")
    ]
    assert _summaries(run)["CLU01"]["backed_up_on"].upper().startswith("NODE3")


def test_a_first_backup_prepares_every_folder_in_one_module_run(three_node_lab: Lab) -> None:
    before = len(read_executions(three_node_lab.lab_dir))
    extra = {"backup_path": PRIMARY, "backup_destinations": [LOCAL]}

    run = run_playbook(PLAYBOOK, three_node_lab.inventory_path, extra_vars=extra)

    assert run.rc == 0, run.output
    runs = read_executions(three_node_lab.lab_dir)[before:]
    # The check, both folders with their ACLs, the three backup phases, the copy to the
    # second destination and the verification of both (docs/backup.md, cost).
    assert [(r["module"], r["phase"]) for r in runs] == [
        ("wsfc.clusterdb.cluster_backup", "inspect"),
        ("wsfc.clusterdb.backup_folders", None),
        ("wsfc.clusterdb.cluster_backup", "inspect"),
        ("wsfc.clusterdb.cluster_backup", "backup"),
        ("wsfc.clusterdb.cluster_backup", "finalize"),
        ("ansible.windows.win_copy", None),
        ("wsfc.clusterdb.backup_set_info", None),
        ("wsfc.clusterdb.backup_set_info", None),
    ]
    state = three_node_lab.world.peek()
    acls = state["extensions"]["acl"]
    primary = next(
        r for r in acls.values() if r["path"].casefold() == (PRIMARY + "\\CLU01").casefold()
    )
    # wbadmin writes into the primary folder as the nodes' computer accounts.
    assert {e["principal"].casefold() for e in primary["entries"]} == ADMINS_AND_SYSTEM | {
        f"corp\\node{n}$" for n in (1, 2, 3)
    }
    assert primary["protected"] is True


def test_a_location_that_is_a_file_is_refused_with_nothing_written(three_node_lab: Lab) -> None:
    location = three_node_lab.world.resolve_path("NODE1", r"C:\NotAFolder")
    location.write_bytes(b"a file")
    before = len(read_executions(three_node_lab.lab_dir))
    extra = {"backup_path": PRIMARY, "backup_destinations": [r"C:\NotAFolder"]}

    run = run_playbook(PLAYBOOK, three_node_lab.inventory_path, extra_vars=extra)

    assert run.rc != 0
    assert "C:\\NotAFolder names a file, not a directory" in run.output
    assert "ERROR_DIRECTORY" in run.output
    runs = read_executions(three_node_lab.lab_dir)[before:]
    assert ("wsfc.clusterdb.cluster_backup", "backup") not in {
        (r["module"], r["phase"]) for r in runs
    }
    # The primary folder, which could have been made, was not.
    assert not three_node_lab.world.resolve_path("NODE1", PRIMARY + "\\CLU01").exists()


def test_check_mode_writes_nothing(three_node_lab: Lab) -> None:
    run = run_playbook(
        PLAYBOOK,
        three_node_lab.inventory_path,
        extra_vars={"backup_path": PRIMARY, "backup_destinations": [LOCAL]},
        check=True,
    )
    assert run.rc == 0, run.output
    summary = _summaries(run)["CLU01"]
    assert summary["check_mode"] is True
    assert summary["written"] is False
    assert "would back up" in summary["message"]
    assert _set_dirs(three_node_lab, PRIMARY) == []
    assert _set_dirs(three_node_lab, LOCAL) == []
    phases = {(r["module"], r["phase"]) for r in read_executions(three_node_lab.lab_dir)}
    assert phases == {("wsfc.clusterdb.cluster_backup", "inspect")}


def _second_cluster() -> dict[str, Any]:
    """The three-node example as cluster CLU02 with nodes BNODE1..3."""
    text = yaml.safe_dump(example("three-node"))
    return yaml.safe_load(text.replace("NODE", "BNODE").replace("CLU01", "CLU02"))


def test_two_clusters_in_one_run_each_get_their_own_set(
    start_lab: Callable[..., Lab], tmp_path: Path
) -> None:
    first, second = start_lab("three-node"), start_lab(_second_cluster())
    inventory = fleet_inventory([first, second], tmp_path / "fleet.yml")
    run = run_playbook(PLAYBOOK, inventory, extra_vars={"backup_path": PRIMARY}, env=FORKS)
    assert run.rc == 0, run.output
    summaries = _summaries(run)
    assert set(summaries) == {"CLU01", "CLU02"}
    for lab, cluster, nodes in ((first, "CLU01", "NODE"), (second, "CLU02", "BNODE")):
        summary = summaries[cluster]
        assert summary["written"] is True
        assert summary["backed_up_on"].startswith(nodes)
        # The cluster's own folder, holding its own set; no folder of the other cluster.
        assert [p.name for p in _set_dirs(lab, PRIMARY)] == [cluster]
        sets = _set_dirs(lab, f"{PRIMARY}\\{cluster}")
        assert [p.name for p in sets] == [summary["set_name"]]
        manifest = json.loads((sets[0] / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["cluster"]["name"] == cluster
    # One backup per cluster, not per node: every backup phase ran once in each lab.
    for lab in (first, second):
        phases = [
            r["phase"]
            for r in read_executions(lab.lab_dir)
            if r["module"].endswith("cluster_backup")
        ]
        assert phases.count("backup") == 1 and phases.count("finalize") == 1
