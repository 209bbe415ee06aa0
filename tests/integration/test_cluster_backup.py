"""cluster_backup through ansible-playbook against a lab: both routes, idempotence, check
mode, bad input, and the faults the lab injects (docs/lab.md)."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playbook import AnsibleRun, run_playbook
from wsfc_lab.execution.execution_log import read_executions
from wsfc_lab.lab import Lab
from wsfc_lab.world import ConfigChange, acl
from wsfc_lab.world.backup_media import (
    CLUSAPI_MARKER,
    read_clusapi_snapshot,
    read_vss_catalog,
    read_vss_snapshot,
)

SHARE = "\\\\FS01\\clusterbackups"
SHARE_DIR = "C:\\Shares\\clusterbackups"  # the share's directory on FS01
TASK = "Back up"
PLAY = """\
- name: Back up the cluster database
  hosts: "{{ target_host }}"
  gather_facts: false
  tasks:
    - name: Back up
      wsfc.clusterdb.cluster_backup:
        path: "{{ backup_path }}"
        route: "{{ backup_route | default('auto') }}"
        loopback_target: "{{ loopback_target | default(false) | bool }}"
        copies: "{{ backup_copies | default([]) }}"
      register: backup
      ignore_errors: true
"""


@pytest.fixture
def playbook(tmp_path: Path) -> Path:
    path = tmp_path / "backup.yml"
    path.write_text(PLAY, encoding="utf-8")
    return path


def back_up(
    lab: Lab, playbook: Path, path: str, host: str = "NODE1", *, route: str = "auto",
    check: bool = False, loopback: bool = False, copies: list[str] | None = None,
) -> dict[str, Any]:  # fmt: skip
    run = run_playbook(
        playbook,
        lab.inventory_path,
        extra_vars={
            "target_host": host,
            "backup_path": path,
            "backup_route": route,
            "loopback_target": loopback,
            "backup_copies": copies or [],
        },
        check=check,
    )
    return task_result(run, host)


def task_result(run: AnsibleRun, host: str) -> dict[str, Any]:
    assert run.rc == 0, run.output  # ignore_errors: the play itself always passes
    record = run.of(TASK, host)
    # The callback sees a failed task's result without its `failed` key: put it back.
    return {**record.result, "failed": record.status == "failed"}


def real(lab: Lab, host: str, windows_path: str) -> Path:
    return lab.world.resolve_path(host, windows_path)


def change_configuration(lab: Lab) -> str:
    return lab.change(ConfigChange("group", "set", "FileServer-01", {"owner_node": "NODE2"}))


# -- the vss route ---------------------------------------------------------------------------


def test_vss_backup_to_a_share_then_a_second_run_changes_nothing(three_node_lab, playbook):
    first = back_up(three_node_lab, playbook, SHARE + "\\CLU01")
    assert first["failed"] is False, first
    assert first["changed"] is True
    assert first["route"] == "vss"
    assert first["phases"] == ["inspect", "backup", "finalize"]
    set_dir = real(three_node_lab, "FS01", first["set_path"])
    assert set_dir.parent == real(three_node_lab, "FS01", SHARE_DIR + "\\CLU01")
    assert (set_dir / "backup.complete").is_file() and (set_dir / "manifest.json").is_file()
    # The set holds what wbadmin wrote at the target it was given, findable by its version.
    (version,) = read_vss_catalog(three_node_lab.world, "NODE1", first["set_path"])
    assert version.version_id == first["wbadmin_version"]
    snapshot = read_vss_snapshot(three_node_lab.world, "NODE1", first["set_path"],
                                 first["wbadmin_version"])  # fmt: skip
    assert snapshot.paxos_tag == first["configuration_version"]["paxos_tag"]
    assert {f["path"].split("/")[-1] for f in first["files"]} >= {"BackupGlobalCatalog"}

    second = back_up(three_node_lab, playbook, SHARE + "\\CLU01")
    assert second["changed"] is False
    assert second["module_runs"] == 1 and second["phases"] == ["inspect"]
    assert second["set_name"] == first["set_name"]
    assert [p.name for p in set_dir.parent.iterdir()] == [first["set_name"]]


def test_copies_say_which_folders_hold_the_set_in_the_one_module_run(three_node_lab, playbook):
    first = back_up(three_node_lab, playbook, SHARE + "\\CLU01")
    assert first["failed"] is False, first
    # One other folder holds a copy of the set, one was left without it (a copy that
    # failed in an earlier run), and one does not exist.
    shares = real(three_node_lab, "FS01", SHARE_DIR)
    shutil.copytree(shares / "CLU01" / first["set_name"], shares / "copy1" / first["set_name"])
    (shares / "copy2").mkdir()
    copies = [SHARE + "\\copy1", SHARE + "\\copy2", SHARE + "\\copy3"]
    log_before = len(read_executions(three_node_lab.lab_dir))

    second = back_up(three_node_lab, playbook, SHARE + "\\CLU01", copies=copies)
    assert second["failed"] is False, second
    assert second["changed"] is False and second["set_name"] == first["set_name"]
    assert second["module_runs"] == 1 and second["phases"] == ["inspect"]
    held, lacking, missing = second["copies"]
    assert held == {"path": copies[0], "has_set": True}
    assert lacking == {"path": copies[1], "has_set": False}
    assert missing["path"] == copies[2] and missing["has_set"] is False
    assert missing["error_code"] == 3 and "does not exist" in missing["message"]
    # One module run on one node, and nothing written to the other folders.
    runs = read_executions(three_node_lab.lab_dir)[log_before:]
    assert [(r["module"], r["phase"]) for r in runs] == [
        ("wsfc.clusterdb.cluster_backup", "inspect")
    ]
    assert list((shares / "copy2").iterdir()) == []
    assert not (shares / "copy3").exists()
    # The task's own options in the invocation, none of the internal ones.
    shown = second["invocation"]["module_args"]
    assert shown["copies"] == copies and not any(k.startswith("_") for k in shown)


def test_a_local_path_with_route_vss_is_refused_before_any_module_run(three_node_lab, playbook):
    result = back_up(three_node_lab, playbook, "C:\\Backups", host="NODE2", route="vss")
    assert result["failed"] is True
    assert "shared folder on another computer" in result["msg"]
    assert "loopback_target=true" in result["msg"]
    assert result["module_runs"] == 0 and result["changed"] is False
    # No module ran on any node: the lab's execution log is empty and nothing was created.
    log = three_node_lab.lab_dir / "executions.jsonl"
    assert not log.exists() or read_executions(three_node_lab.lab_dir) == []
    assert not real(three_node_lab, "NODE2", "C:\\Backups").exists()


def test_a_local_path_with_route_auto_is_refused_after_the_read_only_inspect(
    three_node_lab, playbook
):
    result = back_up(three_node_lab, playbook, "C:\\Backups", host="NODE2")
    assert result["failed"] is True and "not documented" in result["msg"]
    assert result["phases"] == ["inspect"] and result["changed"] is False
    assert not real(three_node_lab, "NODE2", "C:\\Backups").exists()


def test_a_unc_path_to_another_node_is_refused_after_the_read_only_inspect(
    three_node_lab, playbook
):
    result = back_up(three_node_lab, playbook, "\\\\node2.corp.example\\C$\\Backups")
    assert result["failed"] is True and "node2.corp.example" in result["msg"]
    assert result["phases"] == ["inspect"] and result["changed"] is False
    assert not real(three_node_lab, "NODE2", "C:\\Backups").exists()


def test_a_local_path_is_written_through_the_nodes_administrative_share(three_node_lab, playbook):
    # With the opt-in: the loopback target the operator validated on their own cluster.
    result = back_up(three_node_lab, playbook, "C:\\Backups", host="NODE2", loopback=True)
    assert result["changed"] is True, result
    set_dir = real(three_node_lab, "NODE2", result["set_path"])
    assert set_dir.parent == three_node_lab.lab_dir / "fs" / "NODE2" / "C" / "Backups"
    assert (set_dir / "WindowsImageBackup" / "NODE2" / "Catalog" / "BackupGlobalCatalog").is_file()


def test_a_new_configuration_version_gets_a_new_set(three_node_lab, playbook):
    first = back_up(three_node_lab, playbook, SHARE)
    tag = change_configuration(three_node_lab)
    second = back_up(three_node_lab, playbook, SHARE)
    assert second["changed"] is True
    assert second["configuration_version"]["paxos_tag"] == tag
    assert second["set_name"] != first["set_name"]
    names = sorted(p.name for p in real(three_node_lab, "FS01", SHARE_DIR).iterdir())
    assert names == sorted([first["set_name"], second["set_name"]])


def test_check_mode_writes_nothing(three_node_lab, playbook):
    result = back_up(three_node_lab, playbook, SHARE + "\\new", check=True)
    assert result["changed"] is True, result
    assert result["module_runs"] == 1 and result["phases"] == ["inspect"]
    assert not real(three_node_lab, "FS01", SHARE_DIR + "\\new").exists()
    assert list(real(three_node_lab, "FS01", SHARE_DIR).iterdir()) == []


# -- the clusapi route -----------------------------------------------------------------------


def test_clusapi_route_on_windows_server_2003_writes_the_documented_files(start_lab, playbook):
    lab = start_lab("legacy-2003")
    first = back_up(lab, playbook, "C:\\Backups", host="OLD1")
    assert first["failed"] is False, first
    assert first["changed"] is True and first["route"] == "clusapi"
    assert first["wbadmin_version"] is None
    set_dir = real(lab, "OLD1", first["set_path"])
    names = {p.name for p in set_dir.iterdir()}
    assert CLUSAPI_MARKER in names and "quolog.log" in names
    assert any(n.startswith("chk") and n.endswith(".tmp") for n in names)
    checkpoints = [p for p in set_dir.rglob("*") if p.suffix in (".CPT", ".CPR")]
    assert checkpoints and all(p.parent.parent == set_dir for p in checkpoints)
    assert (set_dir / CLUSAPI_MARKER).stat().st_size == 0
    snapshot = read_clusapi_snapshot(lab.world, "OLD1", first["set_path"])
    assert snapshot.paxos_tag == first["configuration_version"]["paxos_tag"]

    second = back_up(lab, playbook, "C:\\Backups", host="OLD1")
    assert second["changed"] is False and second["module_runs"] == 1


def test_clusapi_route_on_2022_is_refused_naming_vss(three_node_lab, playbook):
    result = back_up(three_node_lab, playbook, SHARE, route="clusapi")
    assert result["failed"] is True
    assert result["error_code"] == 120
    assert "vss" in result["msg"]
    assert result["module_runs"] == 1
    assert list(real(three_node_lab, "FS01", SHARE_DIR).iterdir()) == []


# -- bad input -------------------------------------------------------------------------------


def test_a_path_that_names_a_file_fails_with_267(three_node_lab, playbook):
    target = real(three_node_lab, "NODE1", "C:\\Backups\\notes.txt")
    target.parent.mkdir(parents=True)
    target.write_text("not a directory")
    result = back_up(three_node_lab, playbook, "C:\\Backups\\notes.txt")
    assert result["failed"] is True and result["error_code"] == 267
    assert result["module_runs"] == 1
    assert target.read_text() == "not a directory"
    assert [p.name for p in target.parent.iterdir()] == ["notes.txt"]


@pytest.mark.parametrize(
    "path",
    ["", "Backups\\cluster", "C:Backups", "C:\\Backups\\two\nlines", "C:\\Backups\\a\tb"],
    ids=["empty", "relative", "drive-relative", "newline", "tab"],
)
def test_refused_paths_never_reach_the_node(three_node_lab, playbook, path):
    result = back_up(three_node_lab, playbook, path)
    assert result["failed"] is True
    assert result["module_runs"] == 0
    assert not real(three_node_lab, "NODE1", "C:\\Backups").exists()


# Quotes, ;, $(...), backticks, & and % are legal in Windows names: they are data.
ODD_NAME = "it's; $(Remove-Item -Recurse x) `whoami` & 100%"


@pytest.mark.parametrize("base", ["C:\\Backups", SHARE], ids=["local", "unc"])
def test_metacharacters_in_the_path_are_data(three_node_lab, playbook, base):
    # The local base goes through the node's own admin share: with the opt-in.
    local = not base.startswith("\\\\")
    result = back_up(three_node_lab, playbook, f"{base}\\{ODD_NAME}", loopback=local)
    assert result["failed"] is False, result
    host = "FS01" if base.startswith("\\\\") else "NODE1"
    directory = real(three_node_lab, host, f"{base}\\{ODD_NAME}")
    assert directory.name == ODD_NAME and directory.is_dir()
    (set_dir,) = directory.iterdir()
    assert set_dir.name == result["set_name"]
    assert (set_dir / "WindowsImageBackup" / "NODE1").is_dir()


def test_a_share_that_does_not_exist(three_node_lab, playbook):
    result = back_up(three_node_lab, playbook, "\\\\FS01\\nosuchshare\\CLU01")
    assert result["failed"] is True
    assert result["error_code"] == 67
    assert result["phases"] == ["inspect", "backup"]


# -- faults ----------------------------------------------------------------------------------


def test_a_share_the_user_may_not_write_fails_with_access_denied(three_node_lab, playbook):
    with three_node_lab.world.transaction() as state:
        acl.set_acl(state, "FS01", SHARE_DIR, [{"principal": "Everyone", "access": "read"}])
    result = back_up(three_node_lab, playbook, SHARE)
    assert result["failed"] is True
    assert result["error_code"] == 5
    assert list(real(three_node_lab, "FS01", SHARE_DIR).iterdir()) == []


def test_disk_full_in_the_middle_leaves_earlier_sets_whole(three_node_lab, playbook):
    first = back_up(three_node_lab, playbook, SHARE)
    earlier = real(three_node_lab, "FS01", first["set_path"])
    before = {p: p.read_bytes() for p in earlier.rglob("*") if p.is_file()}
    change_configuration(three_node_lab)
    three_node_lab.inject("disk_full", "FS01", path=SHARE_DIR, budget=40_000)
    failed = back_up(three_node_lab, playbook, SHARE)
    assert failed["failed"] is True
    assert failed["error_code"] == 112
    # The earlier set is untouched; the half-written backup is a staging directory without
    # manifest or marker, its snapshot cut short.
    assert {p: p.read_bytes() for p in earlier.rglob("*") if p.is_file()} == before
    others = [p for p in real(three_node_lab, "FS01", SHARE_DIR).iterdir() if p != earlier]
    (staging,) = others
    assert staging.name.startswith("unfinished_")
    assert not (staging / "backup.complete").exists() and not (staging / "manifest.json").exists()
    written = sum(p.stat().st_size for p in staging.rglob("*") if p.is_file())
    assert 0 < written <= 40_000


def test_an_injected_wbadmin_failure_is_reported_with_its_code(three_node_lab, playbook):
    three_node_lab.inject("fail", "NODE1", operation="wbadmin start systemstatebackup", code=5,
                          count=1)  # fmt: skip
    result = back_up(three_node_lab, playbook, SHARE)
    assert result["failed"] is True and result["error_code"] == 5
    assert "0x80070005" in result["route_output"]
    sets = list(real(three_node_lab, "FS01", SHARE_DIR).iterdir())
    assert [p.name.startswith("unfinished_") for p in sets] == [True]


def test_a_second_backup_while_one_runs_fails_with_5949(three_node_lab, playbook):
    three_node_lab.set_latency("backup", 15.0)
    outcome: dict[str, Any] = {}
    slow = threading.Thread(
        target=lambda: outcome.update(back_up(three_node_lab, playbook, SHARE + "\\a"))
    )
    slow.start()
    try:
        assert wait_for(lambda: running_backup_node(three_node_lab) == "NODE1", timeout=30)
        second = back_up(three_node_lab, playbook, SHARE + "\\b", host="NODE2")
    finally:
        slow.join(timeout=60)
    assert second["failed"] is True and second["error_code"] == 5949, second
    assert outcome["changed"] is True and outcome["failed"] is False


def test_clusapi_fault_is_reported_with_its_code(start_lab, playbook):
    lab = start_lab("legacy-2003")
    lab.inject("fail", "OLD1", operation="BackupClusterDatabase", code=5, count=1)
    result = back_up(lab, playbook, "C:\\Backups", host="OLD1")
    assert result["failed"] is True and result["error_code"] == 5
    assert result["route_exit_code"] == 5


def running_backup_node(lab: Lab) -> str | None:
    running = lab.world.peek().get("extensions", {}).get("wbadmin", {}).get("running")
    return running["node"] if running else None


def wait_for(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False
