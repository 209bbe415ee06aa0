"""The second hop over the lab's NTLM endpoints (docs/windows-behaviour.md#second-hop): a
backup or restore to a UNC path without become is refused before any node is touched, with
the fix named; with the lab inventory's runas become it works; Basic, which has no credential
delegation either, is refused the same way."""

from __future__ import annotations

from pathlib import Path

from playbook import REPO_ROOT, AnsibleRun, run_playbook
from wsfc_lab.execution.execution_log import read_executions
from wsfc_lab.lab import Lab

BACKUP = REPO_ROOT / "playbooks" / "backup.yml"
RESTORE = REPO_ROOT / "playbooks" / "restore.yml"
SHARE = r"\\FS01\clusterbackups"
NODES = ("NODE1", "NODE2", "NODE3")
BACKUP_CHECK = (
    "wsfc.clusterdb.backup : Check that this host names its cluster and can reach the backup"
    " locations"
)
RESTORE_CHECK = (
    "wsfc.clusterdb.restore : Check that every host's modules can reach the UNC locations"
)
NO_BECOME = {"ansible_become": False}
FIXES = (
    "second hop",
    "ansible_become: true",
    "ansible_become_method: runas",
    "ansible_become_password",
    "ansible_winrm_kerberos_delegation: true",
    "ansible_winrm_transport: credssp",
)


def module_runs(lab: Lab) -> list[dict]:
    log = lab.lab_dir / "executions.jsonl"
    return read_executions(lab.lab_dir) if log.exists() else []


def cluster_folder(lab: Lab) -> Path:
    return lab.world.resolve_path("FS01", r"C:\Shares\clusterbackups\CLU01")


def assert_refused(run: AnsibleRun, task: str, hosts: tuple[str, ...]) -> None:
    assert run.rc != 0, run.output
    refusals = {h: r for h, r in run.on_hosts(task).items() if r.status == "failed"}
    assert sorted(refusals) == sorted(hosts), run.output
    for record in refusals.values():
        message = record.result["msg"]
        assert "winrm with NTLM, no become" in message
        assert SHARE in message or SHARE.lower() in message.lower()
        for fix in FIXES:
            assert fix in message, fix


def test_a_backup_to_a_share_over_ntlm_without_become_stops_before_any_node(three_node_lab):
    run = run_playbook(
        BACKUP, three_node_lab.inventory_path, extra_vars={"backup_path": SHARE, **NO_BECOME}
    )

    assert_refused(run, BACKUP_CHECK, NODES)
    assert module_runs(three_node_lab) == []
    assert not cluster_folder(three_node_lab).exists()


def test_a_restore_from_a_share_over_ntlm_without_become_stops_before_any_node(three_node_lab):
    extra = {"backup_path": SHARE, "force": True, "restore_consent": True, **NO_BECOME}
    run = run_playbook(RESTORE, three_node_lab.inventory_path, extra_vars=extra)

    assert run.rc != 0, run.output
    (record,) = [r for r in run.on_hosts(RESTORE_CHECK).values() if r.status == "failed"]
    for node in NODES:
        assert f"{node}: the modules on the node reach the backup location" in record.result["msg"]
    assert record.result["msg"].count("ansible_become_method: runas") == 1
    assert module_runs(three_node_lab) == []


def test_the_lab_denies_the_share_to_a_module_over_ntlm_without_become(three_node_lab, tmp_path):
    # What the refusal saves the operator from: the module itself gets access denied.
    play = tmp_path / "make_folder.yml"
    play.write_text(
        "- hosts: NODE1\n"
        "  gather_facts: false\n"
        "  tasks:\n"
        "    - name: Make the cluster's folder on the share\n"
        "      ansible.windows.win_file:\n"
        "        path: '{{ backup_path }}\\CLU01'\n"
        "        state: directory\n",
        encoding="utf-8",
    )
    run = run_playbook(
        play, three_node_lab.inventory_path, extra_vars={"backup_path": SHARE, **NO_BECOME}
    )

    result = run.of("ansible.windows.win_file", "NODE1").result
    assert result.get("error_code") == 5, run.output
    assert "second hop" in result["msg"]
    assert not cluster_folder(three_node_lab).exists()


def test_a_backup_to_a_share_with_runas_become_writes_the_set(three_node_lab):
    # The inventory the lab writes sets ansible_become with runas and a password.
    run = run_playbook(BACKUP, three_node_lab.inventory_path, extra_vars={"backup_path": SHARE})

    assert run.rc == 0, run.output
    assert set(run.statuses(BACKUP_CHECK).values()) == {"ok"}
    sets = [p for p in cluster_folder(three_node_lab).iterdir() if p.is_dir()]
    assert len(sets) == 1
    assert module_runs(three_node_lab)


def test_basic_authentication_without_become_stops_before_any_node(three_node_lab):
    extra = {"backup_path": SHARE, "ansible_winrm_transport": "basic", **NO_BECOME}
    run = run_playbook(BACKUP, three_node_lab.inventory_path, extra_vars=extra)

    assert run.rc != 0, run.output
    refusals = [r for r in run.on_hosts(BACKUP_CHECK).values() if r.status == "failed"]
    assert len(refusals) == len(NODES)
    assert all("winrm with Basic, no become" in r.result["msg"] for r in refusals)
    assert module_runs(three_node_lab) == []
    assert not cluster_folder(three_node_lab).exists()
