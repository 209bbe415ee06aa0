"""SSH against the lab's sshd (wsfc_lab.ssh): Ansible's ssh connection with
`ansible_shell_type: powershell`, each node a Windows OpenSSH host whose default shell is
PowerShell. A module run, the file transfers the roles use (win_copy and win_template put a
file over SFTP, fetch gets one, slurp reads one in a module), an unreachable node and the
collection's restore playbook end to end on three nodes.

Each test checks what the lab saw: sshd's log (publickey, the forced command), the lab's
execution log (the module ran on that node), the SSH session log (what crossed over SFTP),
the node's file system.

One lab with an sshd serves the whole module: starting one per test would cost each test
its start-up."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from labs import example, unique_spec
from playbook import REPO_ROOT, AnsibleRun, run_playbook
from restore_scenarios import (
    BACKED_UP_ADDRESS,
    BACKUP_LOCATION,
    back_up,
    change_configuration,
    executions,
    ip_address,
    write_play,
)
from timings import record_timing
from wsfc_lab.lab import Lab
from wsfc_lab.spec import parse_spec
from wsfc_lab.ssh import missing_tools
from wsfc_lab.ssh_wire import read_sessions

CLUSTER_INFO = "wsfc.clusterdb.cluster_info"

pytestmark = pytest.mark.skipif(
    bool(missing_tools()), reason=f"OpenSSH server tools missing: {missing_tools()}"
)


@pytest.fixture(scope="module")
def ssh_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    lab = Lab(tmp_path_factory.mktemp("ssh") / "lab")
    lab.create(parse_spec(unique_spec(example("three-node"))), ssh=True)
    try:
        lab.start()
        yield lab
    finally:
        lab.stop()


def run_ssh(lab: Lab, play: Path, **extra: object) -> AnsibleRun:
    return run_playbook(play, lab.ssh_inventory_path, extra_vars=dict(extra) or None)


def sshd_log(lab: Lab) -> str:
    assert lab.sshd is not None
    return lab.sshd.log_path.read_text(encoding="utf-8", errors="replace")


def test_a_module_runs_over_ssh(ssh_lab: Lab, tmp_path: Path) -> None:
    runs_before = len(executions(ssh_lab))
    logged_before = len(read_sessions(ssh_lab.lab_dir))
    play = write_play(
        tmp_path,
        "info",
        "NODE2",
        [{"name": "Info", CLUSTER_INFO: {}}],
    )
    started = time.monotonic()
    run = run_ssh(ssh_lab, play)
    elapsed = time.monotonic() - started

    assert run.rc == 0, run.output
    assert run.of("Info", "NODE2").result["cluster"]["name"] == "CLU01"
    ran = [(r["node"], r["module"]) for r in executions(ssh_lab)[runs_before:]]
    assert ("NODE2", CLUSTER_INFO) in ran, ran
    assert "Accepted publickey for " in sshd_log(ssh_lab)
    # What NODE2 was asked over SSH: ansible-core's PowerShell command lines, as the
    # client's command that Windows hands to powershell.exe -c.
    commands = [
        str(e["command"])
        for e in read_sessions(ssh_lab.lab_dir)[logged_before:]
        if e["node"] == "NODE2" and e["kind"] == "exec"
    ]
    assert commands and all(c.startswith("PowerShell ") for c in commands), commands
    assert any("-EncodedCommand" in c for c in commands), commands
    record_timing("ssh", "ssh_module_run_seconds", elapsed)


def task(name: str, module: str, **options: object) -> dict[str, object]:
    return {"name": name, module: options}


def test_files_move_over_sftp(ssh_lab: Lab, tmp_path: Path) -> None:
    source = tmp_path / "source.txt"
    source.write_bytes(b"copied over SFTP\r\n")
    template = tmp_path / "note.j2"
    template.write_text("node {{ inventory_hostname }}\n")
    fetched = tmp_path / "fetched"
    folder = "C:\\"
    fetch = {"src": folder + "copied.txt", "dest": f"{fetched}/", "flat": True}
    tasks = [
        task("Ping", "ansible.windows.win_ping"),
        task("Copy", "ansible.windows.win_copy", src=str(source), dest=folder + "copied.txt"),
        task(
            "Template",
            "ansible.windows.win_template",
            src=str(template),
            dest=folder + "note.txt",
        ),
        # Without become (the inventory's variable, which outranks the keyword): under
        # become, fetch reads the file with slurp (a module) instead of the connection.
        {**task("Fetch", "ansible.builtin.fetch", **fetch), "vars": {"ansible_become": False}},
        task("Slurp", "ansible.builtin.slurp", src=folder + "note.txt"),
    ]
    run = run_ssh(ssh_lab, write_play(tmp_path, "transfer", "NODE3", tasks))

    assert run.rc == 0, run.output
    node_files = ssh_lab.lab_dir / "fs" / "NODE3" / "C"
    assert run.of("Ping", "NODE3").result["ping"] == "pong"
    assert (node_files / "copied.txt").read_bytes() == b"copied over SFTP\r\n"
    # win_template writes Windows line endings (newline_sequence defaults to \r\n).
    assert (node_files / "note.txt").read_bytes() == b"node NODE3\r\n"
    assert (fetched / "copied.txt").read_bytes() == b"copied over SFTP\r\n"
    slurped = run.of("Slurp", "NODE3").result["content"]
    assert base64.b64decode(slurped) == b"node NODE3\r\n"
    # The files crossed over SFTP: the node's SFTP server wrote and read them.
    moved = {
        (e["operation"], e["path"]) for e in read_sessions(ssh_lab.lab_dir) if e["kind"] == "sftp"
    }
    assert ("read", folder + "copied.txt") in moved, moved
    written = [path for operation, path in moved if operation == "write"]
    assert any(p.endswith("\\source") for p in written), moved


def test_an_unreachable_node_is_unreachable_over_ssh(ssh_lab: Lab, tmp_path: Path) -> None:
    logged_before = len(read_sessions(ssh_lab.lab_dir))
    ssh_lab.inject("unreachable", "NODE3")
    try:
        time.sleep(0.5)  # the node reads its faults about five times a second
        play = write_play(tmp_path, "info", "NODE3", [{"name": "Info", CLUSTER_INFO: {}}])
        run = run_ssh(ssh_lab, play)
    finally:
        ssh_lab.clear_faults(["unreachable"])

    (record,) = run.on_hosts("Info").values()
    assert record.status == "unreachable", run.output
    assert "Connection timed out" in str(record.result["msg"])
    # The node refused before running anything: no command of the run reached it.
    assert read_sessions(ssh_lab.lab_dir)[logged_before:] == []


def test_the_restore_playbook_runs_over_ssh(ssh_lab: Lab, tmp_path: Path) -> None:
    back_up(ssh_lab, tmp_path)
    change_configuration(ssh_lab)
    runs_before = len(executions(ssh_lab))
    started = time.monotonic()
    run = run_ssh(
        ssh_lab,
        REPO_ROOT / "playbooks" / "restore.yml",
        backup_path=BACKUP_LOCATION,
        force=True,
        restore_consent=True,
    )
    elapsed = time.monotonic() - started

    assert run.rc == 0, run.output
    assert ip_address(ssh_lab) == BACKED_UP_ADDRESS
    restores = [
        r
        for r in executions(ssh_lab)[runs_before:]
        if r["module"] == "wsfc.clusterdb.cluster_restore"
    ]
    assert restores, run.output
    assert {r["node"] for r in executions(ssh_lab)[runs_before:]} == {"NODE1", "NODE2", "NODE3"}
    record_timing("ssh", "ssh_three_node_restore_seconds", elapsed)
