"""The ansible.windows modules the roles use, through ansible-playbook against a lab node.

One playbook on NODE1 of the three-node example (file server FS01 shares
C:\\Shares\\clusterbackups as \\\\FS01\\clusterbackups) uses every emulated module and
wait_for_connection. It runs first in check mode on the fresh lab (nothing may change in
the world), then for real, then again (nothing changes), then in check mode again.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
import yaml
from playbook import AnsibleRun, run_playbook
from wsfc_lab.execution.execution_log import read_executions
from wsfc_lab.lab import Lab
from wsfc_lab.world import acl

HOST = "NODE1"
HELLO = "hello from the controller\n"
WORK = "C:\\Backups\\work"
SHARE_RUN = "\\\\FS01\\clusterbackups\\run"

# Tasks that read what earlier tasks make: in check mode on a fresh lab they fail (the
# source is not there), as they would on Windows.
NEEDS_EARLIER = {"ignore_errors": "{{ ansible_check_mode }}"}

TASKS: list[dict[str, Any]] = [
    {"name": "features", "ansible.windows.win_feature_info": {"name": "Windows-Server-Backup"},
     "register": "features"},
    {"name": "work folder", "ansible.windows.win_file": {"path": WORK, "state": "directory"}},
    {"name": "file from the controller",
     "ansible.windows.win_copy": {"content": HELLO, "dest": WORK + "\\hello.txt"}},
    {"name": "tree from the controller",
     "ansible.windows.win_copy": {"src": "{{ tree_dir }}/", "dest": WORK + "\\tree\\"}},
    {"name": "ACL rule", "ansible.windows.win_acl": {"path": WORK, "user": "Administrators",
     "rights": "FullControl", "type": "allow"}, **NEEDS_EARLIER},
    {"name": "ACL protected", "ansible.windows.win_acl_inheritance": {"path": WORK,
     "state": "absent", "reorganize": True}, **NEEDS_EARLIER},
    {"name": "copy to the share", "ansible.windows.win_copy": {"src": WORK,
     "dest": SHARE_RUN + "\\", "remote_src": True}, **NEEDS_EARLIER},
    {"name": "stat on the share", "ansible.windows.win_stat": {
     "path": SHARE_RUN + "\\work\\hello.txt", "checksum_algorithm": "sha256"},
     "register": "copied"},
    {"name": "slurp", "ansible.builtin.slurp": {"src": WORK + "\\hello.txt"},
     "register": "slurped", **NEEDS_EARLIER},
    {"name": "fetch", "ansible.builtin.fetch": {"src": WORK + "\\hello.txt",
     "dest": "{{ fetch_dir }}/", "flat": True}, **NEEDS_EARLIER},
    {"name": "find", "ansible.windows.win_find": {"paths": [SHARE_RUN], "recurse": True,
     "patterns": ["*.txt"], "checksum_algorithm": "sha256"}, "register": "found"},
    {"name": "share", "ansible.windows.win_share": {"name": "ClusterBackupTmp",
     "path": "C:\\Backups", "full": "Administrators", "description": "cluster backup"},
     **NEEDS_EARLIER},
    {"name": "cluster service", "ansible.windows.win_service": {"name": "ClusSvc",
     "state": "started", "start_mode": "auto"}},
    {"name": "wait for connection", "ansible.builtin.wait_for_connection": {"timeout": 30}},
]  # fmt: skip


@pytest.fixture
def setup(start_lab, tmp_path: Path) -> tuple[Lab, Path, dict[str, str]]:
    lab = start_lab("three-node")
    tree = tmp_path / "tree"
    (tree / "sub").mkdir(parents=True)
    (tree / "a.txt").write_text("a\n")
    (tree / "sub" / "b.txt").write_text("b\n")
    (tmp_path / "fetched").mkdir()
    playbook = tmp_path / "windows_modules.yml"
    play = {"hosts": HOST, "gather_facts": False, "tasks": TASKS}
    playbook.write_text(yaml.safe_dump([play], sort_keys=False), encoding="utf-8")
    variables = {"tree_dir": str(tree), "fetch_dir": str(tmp_path / "fetched")}
    return lab, playbook, variables


def run(setup: tuple[Lab, Path, dict[str, str]], *, check: bool = False) -> AnsibleRun:
    lab, playbook, variables = setup
    result = run_playbook(playbook, lab.inventory_path, extra_vars=variables, check=check)
    assert result.rc == 0, result.output
    return result


def changed(result: AnsibleRun) -> dict[str, bool]:
    return {
        task["name"]: bool(result.of(task["name"], HOST).result.get("changed")) for task in TASKS
    }


def test_check_mode_on_a_fresh_lab_changes_nothing(setup) -> None:
    lab = setup[0]
    result = run(setup, check=True)
    assert result.of("work folder", HOST).result["changed"] is True
    assert result.of("share", HOST).status == "failed"  # C:\Backups is not there yet
    assert result.of("ACL rule", HOST).status in ("skipped", "failed")
    assert result.of("stat on the share", HOST).result["stat"] == {"exists": False}
    assert result.of("cluster service", HOST).result["changed"] is False
    with lab.world.transaction() as state:
        assert not state.resolve_path(HOST, "C:\\Backups").exists()
        assert "clusterbackuptmp" not in state.shares.get(HOST, {})
        assert state.extension(acl.EXTENSION) == {}


def test_a_run_then_a_second_run_and_check_mode_change_nothing(setup, tmp_path: Path) -> None:
    lab = setup[0]
    first = run(setup)
    assert changed(first) == {
        "features": False,
        "work folder": True,
        "file from the controller": True,
        "tree from the controller": True,
        "ACL rule": True,
        "ACL protected": True,
        "copy to the share": True,
        "stat on the share": False,
        "slurp": False,
        "fetch": True,
        "find": False,
        "share": True,
        "cluster service": False,
        "wait for connection": False,
    }
    features = first.of("features", HOST).result["features"]
    assert [f["installed"] for f in features] == [True]
    stat = first.of("stat on the share", HOST).result["stat"]
    assert stat["checksum"] == hashlib.sha256(HELLO.encode()).hexdigest()
    assert (tmp_path / "fetched" / "hello.txt").read_text() == HELLO
    found = [f["path"] for f in first.of("find", HOST).result["files"]]
    assert found == [
        SHARE_RUN + "\\work\\hello.txt",
        SHARE_RUN + "\\work\\tree\\a.txt",
        SHARE_RUN + "\\work\\tree\\sub\\b.txt",
    ]
    with lab.world.transaction() as state:
        share = state.shares[HOST]["clusterbackuptmp"]
        assert share["permissions"] == [
            {"account": "BUILTIN\\Administrators", "right": "Full", "type": "Allow"}
        ]
        assert acl.get_acl(state, HOST, WORK)["protected"] is True
        assert state.resolve_path("NODE2", "\\\\NODE1\\ClusterBackupTmp\\work\\hello.txt").exists()

    second = run(setup)
    assert not any(changed(second).values()), changed(second)
    again = run(setup, check=True)
    assert not any(changed(again).values()), changed(again)

    # Every module run the lab dispatched is in the execution log.
    modules = {entry["module"] for entry in read_executions(lab.world.lab_dir)}
    assert {
        "ansible.windows.win_feature_info",
        "ansible.windows.win_file",
        "ansible.windows.win_copy",
        "ansible.windows.win_acl",
        "ansible.windows.win_acl_inheritance",
        "ansible.windows.win_stat",
        "ansible.windows.slurp",
        "ansible.windows.win_find",
        "ansible.windows.win_share",
        "ansible.windows.win_service",
        "ansible.windows.win_ping",
    } <= modules
