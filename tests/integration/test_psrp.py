"""Ansible's psrp connection (PowerShell Remoting over WS-Management) against the lab: a
module, what crosses the wire, the file transfers the roles use (win_copy, win_template,
fetch, slurp), and the backup and restore playbooks on three nodes
(docs/windows-behaviour.md#psrp-wsman).

One lab serves the whole module; the inventory is the lab's inventory-psrp.yml."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from backup_runs import summary
from labs import example, running_lab
from playbook import REPO_ROOT, AnsibleRun, run_playbook
from restore_scenarios import (
    BACKED_UP_ADDRESS,
    BACKUP_LOCATION,
    executions,
    ip_address,
    timed_restore_playbook,
    write_play,
)
from timings import record_timing
from wire_recorder import WireRecorder
from wsfc_lab.lab import Lab

CLUSTER_INFO = "wsfc.clusterdb.cluster_info"
PSRP_RESOURCE_URI = b"http://schemas.microsoft.com/powershell/Microsoft.PowerShell"
WINRS_RESOURCE_URI = b"http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd"


@pytest.fixture(scope="module")
def psrp_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    with running_lab(example("three-node"), tmp_path_factory.mktemp("psrp") / "lab") as lab:
        yield lab


def run_psrp(lab: Lab, play: Path, **extra: object) -> AnsibleRun:
    return run_playbook(play, lab.psrp_inventory_path, extra_vars=dict(extra) or None)


def test_the_inventory_names_the_psrp_connection(psrp_lab: Lab) -> None:
    text = psrp_lab.psrp_inventory_path.read_text(encoding="utf-8")
    assert "ansible_connection: psrp" in text
    assert "ansible_winrm_" not in text


def test_a_module_runs_over_psrp(psrp_lab: Lab, tmp_path: Path) -> None:
    runs_before = len(executions(psrp_lab))
    play = write_play(tmp_path, "info", "NODE1", [{"name": "Info", CLUSTER_INFO: {}}])
    started = time.monotonic()
    run = run_psrp(psrp_lab, play)
    elapsed = time.monotonic() - started

    assert run.rc == 0, run.output
    assert run.of(CLUSTER_INFO, "NODE1").result["cluster"]["name"] == "CLU01"
    ran = [(r["node"], r["module"]) for r in executions(psrp_lab)[runs_before:]]
    assert ran == [("NODE1", CLUSTER_INFO)]
    record_timing("psrp", "psrp_module_run_seconds", elapsed)


def test_what_crosses_the_wire_is_powershell_remoting(psrp_lab: Lab, tmp_path: Path) -> None:
    data = psrp_lab.world.peek()
    recorder = WireRecorder((data["nodes"]["NODE1"]["address"], data["ports"]["http"]))
    play = write_play(tmp_path, "ping", "NODE1", [{"ansible.windows.win_ping": {}}])
    try:
        # Basic over HTTP without encryption, so that the envelopes can be read.
        run = run_psrp(
            psrp_lab,
            play,
            ansible_host="127.0.0.1",
            ansible_port=recorder.port,
            ansible_psrp_protocol="http",
            ansible_psrp_auth="basic",
            ansible_psrp_message_encryption="never",
        )
    finally:
        recorder.close()

    assert run.rc == 0, run.output
    assert run.of("ansible.windows.win_ping", "NODE1").result["ping"] == "pong"
    sent = bytes(recorder.sent)
    assert PSRP_RESOURCE_URI in sent
    assert b'<creationXml xmlns="http://schemas.microsoft.com/powershell">' in sent
    assert WINRS_RESOURCE_URI not in sent


def test_files_go_both_ways_over_psrp(psrp_lab: Lab, tmp_path: Path) -> None:
    # Larger than one PSRP fragment and one WS-Man envelope both ways.
    content = bytes(range(256)) * 1600
    source = tmp_path / "payload.bin"
    source.write_bytes(content)
    (tmp_path / "greeting.j2").write_text("hello {{ greeting }}\n", encoding="utf-8")
    folder = "C:\\Temp\\psrp-" + tmp_path.name
    tasks = [
        {"ansible.windows.win_file": {"path": folder, "state": "directory"}},
        {"ansible.windows.win_copy": {"src": str(source), "dest": folder + "\\payload.bin"}},
        {
            "ansible.windows.win_template": {
                "src": str(tmp_path / "greeting.j2"),
                "dest": folder + "\\greeting.txt",
            }
        },
        {
            "ansible.builtin.fetch": {
                "src": folder + "\\payload.bin",
                "dest": str(tmp_path / "fetched.bin"),
                "flat": True,
            }
        },
        {"name": "Read", "ansible.builtin.slurp": {"src": folder + "\\greeting.txt"}},
    ]
    run = run_psrp(psrp_lab, write_play(tmp_path, "files", "NODE1", tasks), greeting="psrp")

    assert run.rc == 0, run.output
    on_node = psrp_lab.world.resolve_path("NODE1", folder + "\\payload.bin")
    assert on_node.read_bytes() == content
    assert (tmp_path / "fetched.bin").read_bytes() == content
    template = psrp_lab.world.resolve_path("NODE1", folder + "\\greeting.txt").read_bytes()
    assert template.replace(b"\r\n", b"\n") == b"hello psrp\n"
    slurped = run.of("ansible.builtin.slurp", "NODE1").result["content"]
    assert base64.b64decode(slurped) == template


def test_the_backup_playbook_runs_over_psrp(psrp_lab: Lab) -> None:
    run = run_psrp(psrp_lab, REPO_ROOT / "playbooks" / "backup.yml", backup_path=BACKUP_LOCATION)

    assert run.rc == 0, run.output
    outcome = summary(run)
    assert outcome["written"] is True, outcome
    manifest = f"C:\\Shares\\clusterbackups\\CLU01\\{outcome['set_name']}\\manifest.json"
    assert psrp_lab.world.resolve_path("FS01", manifest).is_file()


def test_the_restore_playbook_runs_over_psrp(psrp_lab: Lab, tmp_path: Path) -> None:
    run, elapsed = timed_restore_playbook(
        psrp_lab, tmp_path, lambda play, **extra: run_psrp(psrp_lab, play, **extra)
    )

    assert run.rc == 0, run.output
    assert ip_address(psrp_lab) == BACKED_UP_ADDRESS
    record_timing("psrp", "psrp_three_node_restore_seconds", elapsed)
