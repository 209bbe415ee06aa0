"""The restore playbook (playbooks/restore.yml) on a 3-node lab, as an operator runs it."""

from __future__ import annotations

import json
from pathlib import Path

from playbook import REPO_ROOT, ansible_environment, run_playbook
from restore_scenarios import (
    BACKED_UP_ADDRESS,
    BACKUP_LOCATION,
    CHANGED_ADDRESS,
    RESTORE_PLAYBOOK,
    back_up,
    change_configuration,
    changed_records,
    changing_runs,
    executions,
    ip_address,
    nodes,
    outcomes,
    report,
    restore,
    restoring_host,
    result_of,
    running_objects,
    untouched,
)
from terminal import TerminalRun, answer_on_terminal
from wsfc_lab.lab import Lab

RESTORE_TASK = "Restore the backup set on the restoring node"
STOP_TASK = "Stop the Cluster service on the nodes, in parallel"
REFUSAL_TASK = "Stop here when the restore is refused (no node was changed)"


def test_backup_change_restore_then_a_second_run_changes_nothing(three_node_lab: Lab) -> None:
    lab = three_node_lab
    backup = run_playbook(
        REPO_ROOT / "playbooks" / "backup.yml",
        lab.inventory_path,
        extra_vars={"backup_path": BACKUP_LOCATION},
    )
    assert backup.rc == 0, backup.output
    backed_up = running_objects(lab)
    tags_at_backup = nodes(lab)

    # Nothing changed since the backup: every node's PaxosTag is the set's version, so the
    # restore needs cluster_info on each node and one listing (N + 1), and no check.
    runs_before = len(executions(lab))
    unchanged = restore(lab)
    assert unchanged.rc == 0, unchanged.output
    assert changed_records(unchanged) == []
    assert [r["module"] for r in executions(lab)[runs_before:]] == [
        "wsfc.clusterdb.cluster_info"
    ] * 3 + ["wsfc.clusterdb.backup_set_info"]
    assert any("nothing was restored and no node was stopped" in line for line in report(unchanged))
    assert nodes(lab) == tags_at_backup

    change_configuration(lab)
    assert ip_address(lab) == CHANGED_ADDRESS

    runs_before = len(executions(lab))
    run = restore(lab)
    assert run.rc == 0, run.output
    # The set is in the cluster's folder, where the backup playbook wrote it: one listing.
    listings = [r for r in executions(lab)[runs_before:] if r["module"].endswith("set_info")]
    assert len(listings) == 1
    # The restore step decides on the preflight check's facts: the check's inspect, then the
    # restore phase alone; 4N + 6 module runs in all (docs/restore.md, Cost).
    restores = [r for r in executions(lab)[runs_before:] if r["module"].endswith("_restore")]
    assert [r["phase"] for r in restores] == ["inspect", "restore"]
    assert len(executions(lab)[runs_before:]) == 4 * 3 + 6
    assert ip_address(lab) == BACKED_UP_ADDRESS
    assert running_objects(lab) == backed_up
    states = nodes(lab)
    assert {s[:2] for s in states.values()} == {("running", "Up")}
    assert len({s[2] for s in states.values()}) == 1  # one configuration version
    restoring = restoring_host(run)
    others = {"NODE1", "NODE2", "NODE3"} - {restoring}
    # Route vss: the restoring node's service stops with the others', in the same step.
    assert outcomes(run, STOP_TASK) == dict.fromkeys([restoring, *others], "changed")
    assert outcomes(run, RESTORE_TASK)[restoring] == "changed"
    lines = report(run)
    assert any("Safety backup of the configuration before the restore" in line for line in lines)
    assert any(line.strip() == "changed resource FileServer-01 IP" for line in lines)
    assert {line.strip() for line in lines} >= {"NODE1:", "NODE2:", "NODE3:"}

    runs_before = len(executions(lab))
    again = restore(lab)
    assert again.rc == 0, again.output
    assert changed_records(again) == []
    assert changing_runs(executions(lab)[runs_before:]) == []
    # The restore formed the cluster again, with a new epoch: the tags are no longer the
    # set's, and the check (which compares the configuration objects) runs: N + 2.
    assert len(executions(lab)[runs_before:]) == 3 + 2
    assert any("nothing was restored and no node was stopped" in line for line in report(again))
    assert nodes(lab) == states


def test_check_mode_shows_the_changes_and_touches_no_node(
    three_node_lab: Lab, tmp_path: Path
) -> None:
    lab = three_node_lab
    back_up(lab, tmp_path)
    change_configuration(lab)
    before, objects = nodes(lab), running_objects(lab)
    share = lab.lab_dir / "fs" / "FS01" / "C" / "Shares" / "clusterbackups"
    files = sorted(share.rglob("*"))

    run = restore(lab, consent=None, check=True, diff=True)
    assert run.rc == 0, run.output
    restoring = restoring_host(run)
    assert outcomes(run, RESTORE_TASK)[restoring] == "changed"
    assert f'-  parameters.Address: "{CHANGED_ADDRESS}"' in run.output
    assert f'+  parameters.Address: "{BACKED_UP_ADDRESS}"' in run.output
    assert "changed" in outcomes(run, STOP_TASK).values()
    assert nodes(lab) == before
    assert running_objects(lab) == objects
    assert sorted(share.rglob("*")) == files  # no safety backup written
    assert report(run)[0].startswith("Check mode: nothing was changed")


def test_without_force_a_running_node_refuses_5056_and_the_cluster_keeps_running(
    three_node_lab: Lab, tmp_path: Path
) -> None:
    lab = three_node_lab
    back_up(lab, tmp_path)
    change_configuration(lab)
    with untouched(lab):
        run = restore(lab, force=False)
    assert run.rc != 0
    refusal = result_of(run, REFUSAL_TASK)["msg"]
    assert "5056" in refusal
    assert "ERROR_CLUSTER_NODE_UP" in refusal
    assert "NODE2" in refusal and "NODE3" in refusal
    assert ip_address(lab) == CHANGED_ADDRESS


def test_without_force_a_changed_quorum_disk_layout_refuses_5086(
    three_node_lab: Lab, tmp_path: Path
) -> None:
    lab = three_node_lab
    back_up(lab, tmp_path)
    change_configuration(lab)
    with lab.world.transaction() as state:
        # The witness disk was repartitioned since the backup
        # (docs/windows-behaviour.md#clusapi-backup-restore).
        state.disks["Cluster Disk 1"]["partitions"][0]["offset"] = 2097152
    with untouched(lab):
        run = restore(lab, force=False)
    assert run.rc != 0
    refusal = result_of(run, REFUSAL_TASK)["msg"]
    assert "5086" in refusal
    assert "ERROR_QUORUM_DISK_NOT_FOUND" in refusal


def test_without_consent_a_non_interactive_run_stops_before_touching_any_node(
    three_node_lab: Lab, tmp_path: Path
) -> None:
    lab = three_node_lab
    back_up(lab, tmp_path)
    change_configuration(lab)
    with untouched(lab):
        run = restore(lab, consent=None)
    assert run.rc != 0
    stop = result_of(run, "Stop without consent (no node was changed)")
    assert "restore_consent=true" in stop["msg"]
    assert "stdin is not interactive" in run.output
    assert ip_address(lab) == CHANGED_ADDRESS


def _restore_on_a_terminal(lab: Lab, answer: str) -> TerminalRun:
    command = [
        "ansible-playbook", "-i", str(lab.inventory_path), str(RESTORE_PLAYBOOK),
        "-e", json.dumps({"backup_path": BACKUP_LOCATION, "force": True}),
    ]  # fmt: skip
    return answer_on_terminal(
        command,
        prompt="Type y to restore",
        answer=answer,
        env=ansible_environment(),
        cwd=REPO_ROOT,
    )


def test_an_operator_who_answers_no_at_the_prompt_changes_nothing(
    three_node_lab: Lab, tmp_path: Path
) -> None:
    lab = three_node_lab
    back_up(lab, tmp_path)
    change_configuration(lab)
    with untouched(lab):
        run = _restore_on_a_terminal(lab, "n")
    assert run.answered, run.output
    assert run.rc != 0
    assert "did not get it, so no node was changed" in run.output
    assert ip_address(lab) == CHANGED_ADDRESS


def test_an_operator_who_answers_yes_at_the_prompt_gets_the_restore(
    three_node_lab: Lab, tmp_path: Path
) -> None:
    lab = three_node_lab
    back_up(lab, tmp_path)
    change_configuration(lab)

    run = _restore_on_a_terminal(lab, "y")
    assert run.answered, run.output
    assert run.rc == 0, run.output
    assert ip_address(lab) == BACKED_UP_ADDRESS
    assert {state for _service, state, _tag in nodes(lab).values()} == {"Up"}
