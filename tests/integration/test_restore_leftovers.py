"""What earlier safety backups left under pre_restore: the restore removes the leftovers
(unfinished_* staging folders, sets without their completion marker) older than
restore_leftover_age, found in its own safety backup's listing of the folder, once every
node is Up (no module run on the critical path), and names each in its report. It never
removes a complete safety set, a young leftover, a set it cannot read, nor anything that is
not a set of this collection."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from playbook import run_playbook
from restore_scenarios import (
    BACKED_UP_ADDRESS,
    BACKUP_LOCATION,
    REPORT_TASK,
    RESTORE_PLAYBOOK,
    apply_role,
    back_up,
    change_configuration,
    executions,
    ip_address,
    report,
)
from wsfc_lab.lab import Lab

CLUSTER_FOLDER = BACKUP_LOCATION + "\\CLU01"
SAFETY_FOLDER = CLUSTER_FOLDER + "\\pre_restore"


def set_name(age: timedelta, sequence: int) -> str:
    return (datetime.now(UTC) - age).strftime("%Y%m%dT%H%M%SZ") + f"_clusterdb_e1s{sequence}"


OLD_STAGING = "unfinished_" + set_name(timedelta(days=3), 1)
OLD_UNMARKED = set_name(timedelta(days=4), 1)
YOUNG_STAGING = "unfinished_" + set_name(timedelta(hours=1), 1)
OLD_CORRUPT = set_name(timedelta(days=5), 1)
OTHERS = ("notes", "unfinished_notes")


def make_leftovers(lab: Lab) -> tuple[Path, str]:
    """Under pre_restore, beside a complete safety set written by cluster_backup: what
    interrupted safety backups and an operator left there. Returns the folder on the lab's
    disk and the complete set's name."""
    complete = back_up(lab, Path(lab.lab_dir), SAFETY_FOLDER).rsplit("\\", 1)[1]
    folder = lab.world.resolve_path("NODE1", SAFETY_FOLDER)
    for name in (OLD_STAGING, OLD_UNMARKED, YOUNG_STAGING, OLD_CORRUPT, *OTHERS):
        (folder / name).mkdir()
        (folder / name / "part.vhdx").write_bytes(b"partial")
    (folder / OLD_CORRUPT / "manifest.json").write_text("not json", encoding="utf-8")
    return folder, complete


def test_the_restore_removes_old_leftovers_of_safety_backups_and_names_them(
    three_node_lab: Lab, tmp_path: Path
) -> None:
    lab = three_node_lab
    back_up(lab, tmp_path, CLUSTER_FOLDER)
    folder, complete = make_leftovers(lab)
    # The safety backup writes a set of its own beside them (the running configuration is
    # in none): its listing, made before it wrote, never names it.
    change_configuration(lab)
    since = len(executions(lab))

    run = apply_role(lab, tmp_path)
    assert run.rc == 0, run.output
    assert ip_address(lab) == BACKED_UP_ADDRESS
    left = {p.name for p in folder.iterdir()}
    assert OLD_STAGING not in left and OLD_UNMARKED not in left, left
    assert {complete, YOUNG_STAGING, OLD_CORRUPT, *OTHERS} <= left, left
    lines = report(run)
    written = next(line for line in lines if line.startswith("Safety backup of the"))
    assert written.rsplit("\\", 1)[1] in left, (written, left)
    assert "Leftovers of earlier safety backups removed:" in lines, lines
    for name in (OLD_STAGING, OLD_UNMARKED):
        assert any(line.startswith(f"  {SAFETY_FOLDER}\\{name} (") for line in lines), lines
    assert not any(YOUNG_STAGING in line or OLD_CORRUPT in line for line in lines), lines

    # One removal per leftover, on the node that took the safety backup, after the wait's
    # last read: none of them is on the restore's critical path.
    runs = executions(lab)[since:]
    removals = [r for r in runs if r["module"] == "ansible.windows.win_file"]
    assert [r["node"] for r in removals] == ["NODE1", "NODE1"], removals
    last_read = max(r["time"] for r in runs if r["module"] == "wsfc.clusterdb.cluster_info")
    assert all(r["time"] > last_read for r in removals), runs

    # The leftovers are gone: the next restore has nothing of them to remove or report.
    change_configuration(lab)
    again = apply_role(lab, tmp_path)
    assert again.rc == 0, again.output
    assert not any("Leftovers" in line for line in report(again)), report(again)


def test_a_check_run_names_the_leftovers_it_would_remove_and_removes_none(
    three_node_lab: Lab, tmp_path: Path
) -> None:
    lab = three_node_lab
    back_up(lab, tmp_path, CLUSTER_FOLDER)
    change_configuration(lab)
    folder, _complete = make_leftovers(lab)

    run = run_playbook(
        RESTORE_PLAYBOOK,
        lab.inventory_path,
        extra_vars={"backup_path": BACKUP_LOCATION, "force": True, "restore_node": "NODE1"},
        check=True,
    )
    assert run.rc == 0, run.output
    assert {OLD_STAGING, OLD_UNMARKED} <= {p.name for p in folder.iterdir()}
    lines = list(run.of(REPORT_TASK, "NODE1").result["msg"])
    assert "Leftovers of earlier safety backups that would be removed:" in lines, lines
    assert any(OLD_STAGING in line for line in lines), lines
