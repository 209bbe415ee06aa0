"""The kit's evidence callback: what it records, and that no credential of the inventory
reaches the file (docs/validating-on-a-real-cluster.md, Reporting the result)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ansible.inventory.manager import InventoryManager
from ansible.parsing.dataloader import DataLoader
from ansible.playbook.play import Play
from ansible.vars.manager import VariableManager

PASSWORD = "Kit-S3cret!pw"
BECOME_PASSWORD = "other;S3cret"
USER = "CORP\\kit-operator"
INVENTORY = f"""\
[windows]
n1 ansible_host=192.0.2.11
n2 ansible_host=192.0.2.12

[windows:vars]
ansible_user={json.dumps(USER)}
ansible_password={json.dumps(PASSWORD)}
ansible_become_user="{{{{ ansible_user }}}}"
ansible_become_password={json.dumps(BECOME_PASSWORD)}
"""


@dataclass
class FakeHost:
    name: str

    def get_name(self) -> str:
        return self.name


@dataclass
class FakeTask:
    name: str
    action: str = "wsfc.clusterdb.cluster_info"
    _uuid: str = "task-1"
    _role: Any = None


@dataclass
class FakeResult:
    _host: FakeHost
    _task: FakeTask
    result: dict[str, Any]
    task_fields: dict[str, Any] = field(default_factory=dict)


def play_of(tmp_path: Path) -> Play:
    source = tmp_path / "inventory.winrm"
    source.write_text(INVENTORY, encoding="utf-8")
    loader = DataLoader()
    inventory = InventoryManager(loader=loader, sources=[str(source)])
    variables = VariableManager(loader=loader, inventory=inventory)
    return Play().load(
        {"name": "A play", "hosts": "windows", "gather_facts": False, "tasks": []},
        variable_manager=variables,
        loader=loader,
    )


def records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_each_task_is_recorded_with_its_step_timing_and_result(
    evidence_callback, tmp_path, monkeypatch
):
    evidence = tmp_path / "out" / "evidence.jsonl"
    monkeypatch.setenv("CLUSTERDB_KIT_EVIDENCE", str(evidence))
    monkeypatch.setenv("CLUSTERDB_KIT_SCENARIO", "real_cluster")
    callback = evidence_callback.CallbackModule()
    callback.v2_playbook_on_start(type("Playbook", (), {"_file_name": "/x/converge.yml"})())
    callback.v2_playbook_on_play_start(play_of(tmp_path))
    host, task = FakeHost("n1"), FakeTask("Cluster state before")
    callback.v2_runner_on_start(host, task)
    result = {"changed": False, "node_name": "N1", "_ansible_no_log": False}
    callback.v2_runner_on_ok(FakeResult(host, task, result, {"check_mode": True}))
    callback.v2_runner_on_failed(FakeResult(host, task, {"msg": "no"}), ignore_errors=True)
    play, ok, failed = records(evidence)
    assert play["kind"] == "play" and play["step"] == "real_cluster converge"
    assert ok["step"] == "real_cluster converge" and ok["task"] == "Cluster state before"
    assert ok["status"] == "ok" and ok["check_mode"] is True and ok["duration"] >= 0
    assert ok["result"] == {"changed": False, "node_name": "N1"}
    assert ok["started"] <= ok["ended"]
    assert failed["status"] == "failed_ignored"


def test_no_password_or_user_name_of_the_inventory_is_written(
    evidence_callback, tmp_path, monkeypatch
):
    evidence = tmp_path / "evidence.jsonl"
    monkeypatch.setenv("CLUSTERDB_KIT_EVIDENCE", str(evidence))
    callback = evidence_callback.CallbackModule()
    callback.v2_playbook_on_play_start(play_of(tmp_path))
    leaky = {
        "msg": f"Access is denied for {USER} (password {PASSWORD}).",
        "nested": [{"who": "kit-operator", "become": f"x{BECOME_PASSWORD}y"}],
        USER: "a key too",
        "kept": "kit-operators and corp\\kit-operatorx are other names",
    }
    callback.v2_runner_on_ok(FakeResult(FakeHost("n2"), FakeTask(f"Run as {USER}"), leaky))
    text = evidence.read_text(encoding="utf-8")
    for secret in (PASSWORD, BECOME_PASSWORD, USER):
        assert secret not in text
    [_play, record] = records(evidence)
    assert record["task"] == "Run as <redacted>"
    assert record["result"]["msg"] == "Access is denied for <redacted> (password <redacted>)."
    assert record["result"]["nested"] == [{"who": "<redacted>", "become": "x<redacted>y"}]
    assert record["result"]["<redacted>"] == "a key too"
    assert record["result"]["kept"] == "kit-operators and corp\\kit-operatorx are other names"


def test_nothing_is_written_outside_the_kit(evidence_callback, tmp_path, monkeypatch):
    monkeypatch.delenv("CLUSTERDB_KIT_EVIDENCE", raising=False)
    monkeypatch.delenv("JUNIT_OUTPUT_DIR", raising=False)
    assert evidence_callback.evidence_path() is None
    monkeypatch.setenv("JUNIT_OUTPUT_DIR", str(tmp_path / "output" / "junit"))
    assert evidence_callback.evidence_path() == str(
        tmp_path / "output" / "clusterdb-kit" / "evidence.jsonl"
    )
