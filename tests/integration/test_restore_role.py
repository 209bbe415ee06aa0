"""The restore role on a 3-node lab under faults: what it refuses before touching anything,
and how it brings the cluster back when a step fails."""

from __future__ import annotations

from pathlib import Path

from playbook import run_playbook
from restore_scenarios import (
    BACKED_UP_ADDRESS,
    CHANGED_ADDRESS,
    apply_role,
    back_up,
    change_configuration,
    ip_address,
    nodes,
    restore_in_progress,
    result_of,
    untouched,
    when,
    write_play,
)
from wsfc_lab.lab import Lab
from wsfc_lab.world import ConfigChange

REFUSAL_TASK = "Stop here when the restore is refused (no node was changed)"
RECOVERY_TASK = "Fail with the recovery report"


def up_everywhere(lab: Lab) -> bool:
    return {s[:2] for s in nodes(lab).values()} == {("running", "Up")}


def test_an_unreachable_node_in_preflight_refuses_the_restore_and_touches_nothing(
    three_node_lab: Lab, tmp_path: Path
) -> None:
    lab = three_node_lab
    back_up(lab, tmp_path)
    change_configuration(lab)
    lab.inject("unreachable", "NODE3")
    with untouched(lab):
        run = apply_role(lab, tmp_path)
    assert run.rc != 0
    refusal = result_of(run, REFUSAL_TASK)["msg"]
    assert "NODE3 cannot be reached" in refusal
    assert "no node was changed" in refusal
    assert ip_address(lab) == CHANGED_ADDRESS


def test_a_corrupt_set_is_refused_before_any_node_stops(
    three_node_lab: Lab, tmp_path: Path
) -> None:
    lab = three_node_lab
    set_path = back_up(lab, tmp_path)
    change_configuration(lab)
    # The backup's data, not its manifest: the set still lists, its hashes no longer match.
    touched = lab.inject("corrupt", "NODE1", path=set_path + "\\WindowsImageBackup")
    assert touched
    with untouched(lab):
        run = apply_role(lab, tmp_path)
    assert run.rc != 0
    refusal = result_of(run, REFUSAL_TASK)["msg"]
    assert "5087" in refusal
    assert "ERROR_DATABASE_BACKUP_CORRUPT" in refusal


def test_a_restore_failing_with_5086_starts_the_other_nodes_again_unchanged(
    three_node_lab: Lab, tmp_path: Path
) -> None:
    lab = three_node_lab
    back_up(lab, tmp_path)
    change_configuration(lab)
    lab.inject("fail", "NODE1", operation="wbadmin start recovery", code=5086, count=1)

    run = apply_role(lab, tmp_path)
    assert run.rc != 0
    report = result_of(run, RECOVERY_TASK)["msg"]
    assert "The restore failed at step restore." in report
    assert "5086" in report
    assert "Recovery started the Cluster service on NODE2." in report
    assert "Recovery started the Cluster service on NODE3." in report
    assert "- NODE2: node Up, Cluster service running" in report
    assert up_everywhere(lab)
    assert ip_address(lab) == CHANGED_ADDRESS  # the configuration it ran before


def test_a_stopped_node_that_crashes_is_reported_and_the_cluster_runs_the_restore(
    three_node_lab: Lab, tmp_path: Path
) -> None:
    lab = three_node_lab
    back_up(lab, tmp_path)
    change_configuration(lab)
    lab.set_latency("restore", 2)

    # NODE2 crashes once it is stopped and the restore runs on NODE1.
    with when(lab, restore_in_progress("NODE1"), lambda lab: lab.kill_node("NODE2")) as hit:
        run = apply_role(lab, tmp_path)
    assert hit.is_set()
    assert run.rc != 0
    report = result_of(run, RECOVERY_TASK)["msg"]
    assert "The restore failed at step start_others." in report
    assert "Recovery could not start NODE2 (unreachable" in report
    assert "- NODE2: cannot be reached, state unknown." in report
    assert "- NODE1: node Up" in report
    states = nodes(lab)
    assert states["NODE1"][:2] == states["NODE3"][:2] == ("running", "Up")
    assert states["NODE2"][1] == "Down"
    assert ip_address(lab) == BACKED_UP_ADDRESS


def test_the_restoring_node_crashing_mid_restore_keeps_the_safety_backup_and_a_rerun_converges(
    three_node_lab: Lab, tmp_path: Path
) -> None:
    lab = three_node_lab
    back_up(lab, tmp_path)
    change_configuration(lab)
    lab.set_latency("restore", 3)

    with when(lab, restore_in_progress("NODE1"), lambda lab: lab.kill_node("NODE1")) as hit:
        run = apply_role(lab, tmp_path)
    assert hit.is_set()
    assert run.rc != 0
    report = result_of(run, RECOVERY_TASK)["msg"]
    assert "The restore failed at step restore." in report
    assert "- NODE1: cannot be reached" in report
    safety = next(line for line in report.splitlines() if "The safety backup " in line)
    safety_set = safety.split("The safety backup ", 1)[1].split(" holds", 1)[0]
    states = nodes(lab)
    assert states["NODE2"][:2] == states["NODE3"][:2] == ("running", "Up")
    assert ip_address(lab) == CHANGED_ADDRESS  # the others came back as they were

    location, name = safety_set.rsplit("\\", 1)
    listing = write_play(
        tmp_path,
        "safety",
        "NODE2",
        [{"name": "List", "wsfc.clusterdb.backup_set_info": {"path": location}}],
    )
    listed = run_playbook(listing, lab.inventory_path)
    assert listed.rc == 0, listed.output
    newest = listed.of("List", "NODE2").result["newest_complete"]
    assert (newest["name"], newest["status"], newest["verified"]) == (name, "complete", True)

    lab.set_latency("restore", 0)
    lab.start_node("NODE1")
    again = apply_role(lab, tmp_path)
    assert again.rc == 0, again.output
    assert up_everywhere(lab)
    assert ip_address(lab) == BACKED_UP_ADDRESS


def test_the_set_is_hashed_once_per_restore_by_the_preflight_check(
    three_node_lab: Lab, tmp_path: Path
) -> None:
    lab = three_node_lab
    set_path = back_up(lab, tmp_path)
    change_configuration(lab)
    files = [p for p in lab.world.resolve_path("NODE1", set_path).rglob("*") if p.is_file()]
    # Each file's SHA-256 succeeds once (the preflight's check) and fails ever after: a
    # restore that hashed the set a second time would fail at its restore step.
    lab.inject("fail", "NODE1", operation="Get-FileHash", code=5, passes=len(files))

    run = apply_role(lab, tmp_path, restore_safety_backup=False)
    assert run.rc == 0, run.output
    assert ip_address(lab) == BACKED_UP_ADDRESS
    assert up_everywhere(lab)
    lab.clear_faults(["fail"])


def test_a_play_limited_to_part_of_the_cluster_refuses_before_touching_any_node(
    three_node_lab: Lab, tmp_path: Path
) -> None:
    lab = three_node_lab
    back_up(lab, tmp_path)
    change_configuration(lab)
    # As --limit, or one slice of a sliced AWX job, would run it.
    with untouched(lab):
        run = apply_role(lab, tmp_path, _limit="NODE1,NODE2")
    assert run.rc != 0
    refusal = result_of(run, REFUSAL_TASK)["msg"]
    assert "NODE3 is a node of the cluster but no host of this play" in refusal
    assert "--limit" in refusal and "one slice" in refusal
    assert "cannot be reached" not in refusal
    assert ip_address(lab) == CHANGED_ADDRESS


def test_the_report_names_a_disk_changed_since_the_backup_as_left_offline(
    three_node_lab: Lab, tmp_path: Path
) -> None:
    # The restore step decides on the preflight check's facts, read while the cluster ran:
    # the disk resources it changes are known (read after the stop, they were not).
    lab = three_node_lab
    back_up(lab, tmp_path)
    change_configuration(lab)
    lab.change(
        ConfigChange("parameter", "set", "Cluster Disk 2", {"name": "DiskRunChkDsk", "value": 1})
    )
    run = apply_role(lab, tmp_path)
    assert run.rc == 0, run.output
    lines = list(result_of(run, "Report the restore, with a timeline per node")["msg"])
    offline = [line for line in lines if line.startswith("Disks left offline")]
    assert offline and offline[0].endswith(": Cluster Disk 2"), lines
    assert ip_address(lab) == BACKED_UP_ADDRESS
