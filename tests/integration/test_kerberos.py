"""Kerberos against the lab's MIT KDC (wsfc_lab.kerberos): Ansible's winrm connection with
transport kerberos over HTTP, message encryption checked on the wire, refusals of a wrong
password and an unknown principal, and delegation on and off against the second-hop rule
(docs/windows-behaviour.md#second-hop, #kerberos-delegation).

One lab with a KDC serves the whole module: starting a KDC per test would cost each test
its start-up."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from labs import example, unique_spec
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
from wsfc_lab.kerberos import missing_tools
from wsfc_lab.lab import Lab
from wsfc_lab.spec import parse_spec

CLUSTER_INFO = "wsfc.clusterdb.cluster_info"
WIN_FILE = "ansible.windows.win_file"
BACKUP_CHECK = (
    "wsfc.clusterdb.backup : Check that this host names its cluster and can reach the backup"
    " locations"
)

pytestmark = pytest.mark.skipif(
    bool(missing_tools()), reason=f"MIT Kerberos tools missing: {missing_tools()}"
)


@pytest.fixture(scope="module")
def kerberos_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    lab = Lab(tmp_path_factory.mktemp("kerberos") / "lab")
    lab.create(parse_spec(unique_spec(example("three-node"))), kerberos=True)
    try:
        lab.start()
        yield lab
    finally:
        lab.stop()


def kerberos_env(lab: Lab, tmp_path: Path) -> dict[str, str]:
    assert lab.kdc is not None
    # KRB5CCNAME: Ansible's managed kinit makes a cache of its own per connection; this one
    # only keeps the run away from the user's default cache.
    return lab.kdc.client_env(tmp_path / "ccache")


def run_kerberos(lab: Lab, tmp_path: Path, play: Path, **extra: object) -> AnsibleRun:
    return run_playbook(
        play,
        lab.kerberos_inventory_path,
        extra_vars=dict(extra) or None,
        env=kerberos_env(lab, tmp_path),
    )


def info_play(tmp_path: Path, hosts: str = "NODE1") -> Path:
    return write_play(tmp_path, "info", hosts, [{"name": "Info", CLUSTER_INFO: {}}])


def test_a_module_runs_over_kerberos(kerberos_lab: Lab, tmp_path: Path) -> None:
    started = time.monotonic()
    run = run_kerberos(kerberos_lab, tmp_path, info_play(tmp_path))
    elapsed = time.monotonic() - started

    assert run.rc == 0, run.output
    result = run.of(CLUSTER_INFO, "NODE1").result
    assert result["cluster"]["name"] == "CLU01", result
    record_timing("kerberos", "kerberos_module_run_seconds", elapsed)


def test_the_messages_are_encrypted_on_the_wire(kerberos_lab: Lab, tmp_path: Path) -> None:
    data = kerberos_lab.world.peek()
    recorder = WireRecorder((data["nodes"]["NODE1"]["address"], data["ports"]["http"]))
    try:
        run = run_kerberos(
            kerberos_lab,
            tmp_path,
            info_play(tmp_path),
            ansible_host="127.0.0.1",
            ansible_port=recorder.port,
        )
    finally:
        recorder.close()

    assert run.rc == 0, run.output
    assert run.of(CLUSTER_INFO, "NODE1").result["cluster"]["name"] == "CLU01"
    sent = bytes(recorder.sent)
    assert b"Authorization: Negotiate " in sent
    assert b'multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted"' in sent
    # The SOAP envelopes and the command travel sealed: none of their text is on the wire.
    for plaintext in (b"Envelope", b"schemas.xmlsoap.org", b"powershell", b"Get-Cluster"):
        assert plaintext.lower() not in sent.lower(), plaintext
    assert b"application/soap+xml;charset=UTF-8;Length=" in sent


def refusal(run: AnsibleRun) -> str:
    """The message of the connection Ansible could not open to NODE1 (no module ran)."""
    (record,) = run.on_hosts("Info").values()
    assert record.status == "unreachable", run.output
    return str(record.result["msg"])


def test_a_wrong_password_is_refused(kerberos_lab: Lab, tmp_path: Path) -> None:
    run = run_kerberos(kerberos_lab, tmp_path, info_play(tmp_path), ansible_password="Wr0ng!")

    assert run.rc != 0, run.output
    message = refusal(run)
    assert "Kerberos auth failure for principal" in message
    assert "Password incorrect" in message
    assert "Wr0ng!" not in message


def test_an_unknown_principal_is_refused(kerberos_lab: Lab, tmp_path: Path) -> None:
    assert kerberos_lab.kdc is not None
    stranger = f"stranger@{kerberos_lab.kdc.realm}"
    run = run_kerberos(kerberos_lab, tmp_path, info_play(tmp_path), ansible_user=stranger)

    assert run.rc != 0, run.output
    message = refusal(run)
    assert "Kerberos auth failure for principal" in message
    assert f"'{stranger}' not found in Kerberos database" in message


def share_play(tmp_path: Path) -> Path:
    task = {
        "name": "Make a folder on the share",
        WIN_FILE: {"path": BACKUP_LOCATION + "\\kerberos-" + tmp_path.name, "state": "directory"},
    }
    return write_play(tmp_path, "share", "NODE1", [task])


def test_with_delegation_a_module_reaches_the_share(kerberos_lab: Lab, tmp_path: Path) -> None:
    run = run_kerberos(kerberos_lab, tmp_path, share_play(tmp_path))

    assert run.rc == 0, run.output
    assert run.of(WIN_FILE, "NODE1").result["changed"] is True
    folder = kerberos_lab.world.resolve_path(
        "FS01", "C:\\Shares\\clusterbackups\\kerberos-" + tmp_path.name
    )
    assert folder.is_dir()


def test_without_delegation_the_share_is_denied(kerberos_lab: Lab, tmp_path: Path) -> None:
    run = run_kerberos(
        kerberos_lab, tmp_path, share_play(tmp_path), ansible_winrm_kerberos_delegation=False
    )

    result = run.of(WIN_FILE, "NODE1").result
    assert run.rc != 0, run.output
    assert result.get("error_code") == 5, run.output
    assert "second hop" in result["msg"]
    folder = kerberos_lab.world.resolve_path(
        "FS01", "C:\\Shares\\clusterbackups\\kerberos-" + tmp_path.name
    )
    assert not folder.exists()


def test_the_restore_playbook_runs_over_kerberos(kerberos_lab: Lab, tmp_path: Path) -> None:
    run, elapsed = timed_restore_playbook(
        kerberos_lab,
        tmp_path,
        lambda play, **extra: run_kerberos(kerberos_lab, tmp_path, play, **extra),
    )

    assert run.rc == 0, run.output
    assert ip_address(kerberos_lab) == BACKED_UP_ADDRESS
    record_timing("kerberos", "kerberos_three_node_restore_seconds", elapsed)


def test_a_backup_without_delegation_stops_before_any_node(
    kerberos_lab: Lab, tmp_path: Path
) -> None:
    # The collection reads the same rule from the inventory: without delegation the run is
    # refused by the preflight, with the fix named, and no module of the collection runs.
    runs_before = len(executions(kerberos_lab))
    run = run_kerberos(
        kerberos_lab,
        tmp_path,
        REPO_ROOT / "playbooks" / "backup.yml",
        backup_path=BACKUP_LOCATION,
        ansible_winrm_kerberos_delegation=False,
    )

    assert run.rc != 0, run.output
    refusals = [r for r in run.on_hosts(BACKUP_CHECK).values() if r.status == "failed"]
    assert len(refusals) == 3, run.output
    for record in refusals:
        assert "Kerberos without delegation" in record.result["msg"]
        assert "ansible_winrm_kerberos_delegation: true" in record.result["msg"]
    assert executions(kerberos_lab)[runs_before:] == []
