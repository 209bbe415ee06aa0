"""Runs ansible-playbook and ad-hoc ansible against a lab, and reads back every task result."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ansible_zygote import Zygotes

REPO_ROOT = Path(__file__).resolve().parents[2]
CALLBACKS = REPO_ROOT / "tests" / "integration" / "plugins" / "callback"
# The project's test configuration fails a run whose play matches no host; the callback
# settings below replace those of tests/ansible.cfg, so they carry its guard along.
GUARD_CALLBACKS = REPO_ROOT / "tests" / "callback_plugins"


@dataclass(frozen=True)
class TaskRecord:
    host: str
    task: str
    action: str
    status: str
    result: dict[str, Any]


@dataclass
class AnsibleRun:
    command: list[str]
    rc: int
    output: str
    records: list[TaskRecord] = field(default_factory=list)

    def of(self, task: str, host: str) -> TaskRecord:
        """The last result of a task on a host (a task name or a module name)."""
        found = [r for r in self.records if r.host == host and task in (r.task, r.action)]
        if not found:
            raise AssertionError(f"no result for task {task!r} on {host}:\n{self.output}")
        return found[-1]

    def result_of(self, task: str, host: str) -> dict[str, Any]:
        """The last result of a task on a host with `failed` put back: the callback sees a
        failed task's result without its `failed` key."""
        record = self.of(task, host)
        return {**record.result, "failed": record.status == "failed"}

    def on_hosts(self, task: str) -> dict[str, TaskRecord]:
        """The last result of a task on every host that ran it."""
        return {r.host: r for r in self.records if task in (r.task, r.action)}

    def statuses(self, task: str) -> dict[str, str]:
        return {host: record.status for host, record in self.on_hosts(task).items()}


def ansible_environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("ANSIBLE_COLLECTIONS_PATH", str(REPO_ROOT / ".cache" / "collections"))
    env.setdefault("ANSIBLE_CONFIG", str(REPO_ROOT / "tests" / "ansible.cfg"))
    env["ANSIBLE_CALLBACK_PLUGINS"] = f"{CALLBACKS}:{GUARD_CALLBACKS}"
    env["ANSIBLE_CALLBACKS_ENABLED"] = "record,no_hosts_fail"
    # Set here too, so that a run under another ANSIBLE_CONFIG still fails on a pattern
    # that names no group and no host.
    env["ANSIBLE_HOST_PATTERN_MISMATCH"] = "error"
    env["ANSIBLE_NOCOLOR"] = "1"
    env["ANSIBLE_FORCE_COLOR"] = "0"
    env.pop("PYTEST_CURRENT_TEST", None)
    # The lab's nodes present certificates of its own, which no run validates (the
    # inventories say cert_validation ignore); OpenSSL would still parse the system's whole
    # CA bundle for every TLS context, that is for every task's connection to a node.
    env["SSL_CERT_FILE"] = str(_NO_CA_FILE)
    env.update(extra or {})
    return env


# Empty: see ansible_environment.
_NO_CA_FILE = Path(tempfile.gettempdir()) / "wsfc-tests-no-ca.pem"
_NO_CA_FILE.touch()
# ansible-playbook and ansible runs of this test process (see ansible_zygote).
ZYGOTES = Zygotes()


def _run(
    command: list[str], env: dict[str, str] | None, timeout: float, stdin: str | None
) -> AnsibleRun:
    with tempfile.NamedTemporaryFile(suffix=".jsonl", delete=False) as record_file:
        record_path = Path(record_file.name)
    run_env = ansible_environment({"WSFC_RECORD_FILE": str(record_path), **(env or {})})
    zygote = ZYGOTES.for_run(command, run_env)
    try:
        if zygote is not None:
            completed = zygote.run(command, run_env, REPO_ROOT, timeout, stdin)
        else:
            completed = subprocess.run(
                command,
                env=run_env,
                input=stdin,
                stdin=None if stdin is not None else subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
                cwd=REPO_ROOT,
            )
        lines = record_path.read_text(encoding="utf-8").splitlines()
    finally:
        record_path.unlink(missing_ok=True)
    records = [TaskRecord(**json.loads(line)) for line in lines if line.strip()]
    return AnsibleRun(command, completed.returncode, completed.stdout + completed.stderr, records)


def run_playbook(
    playbook: Path | str,
    inventory: Path,
    *,
    extra_vars: dict[str, Any] | None = None,
    check: bool = False,
    diff: bool = False,
    limit: str | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 600,
    stdin: str | None = None,
) -> AnsibleRun:
    command = ["ansible-playbook", "-i", str(inventory), str(playbook)]
    if extra_vars:
        command += ["-e", json.dumps(extra_vars)]
    if check:
        command.append("--check")
    if diff:
        command.append("--diff")
    if limit:
        command += ["--limit", limit]
    return _run(command, env, timeout, stdin)


def run_adhoc(
    pattern: str,
    module: str,
    inventory: Path,
    *,
    args: str = "",
    check: bool = False,
    env: dict[str, str] | None = None,
    timeout: float = 300,
) -> AnsibleRun:
    command = ["ansible", pattern, "-i", str(inventory), "-m", module]
    if args:
        command += ["-a", args]
    if check:
        command.append("--check")
    return _run(
        command,
        env | {"ANSIBLE_LOAD_CALLBACK_PLUGINS": "1"}
        if env
        else {"ANSIBLE_LOAD_CALLBACK_PLUGINS": "1"},
        timeout,
        None,
    )
