# Copyright: (c) 2026, wsfc.clusterdb contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The validation kit's evidence: every task result of its plays, without credentials."""

from __future__ import annotations

import datetime
import json
import os
import re
import time
import typing as t

from ansible.plugins.callback import CallbackBase

try:
    from ansible.template import Templar
except ImportError:  # pragma: no cover - every supported ansible-core has it
    Templar = None

DOCUMENTATION = """
name: clusterdb_kit_evidence
type: aggregate
short_description: Records the validation kit's task results as JSON lines, credentials removed
description:
  - Appends one JSON object per play and per task result (the step, the task, the host, the
    action, the status, when it started and ended, and the result) to an evidence file, from
    which the kit writes its report.
  - The file is named by the environment variable E(CLUSTERDB_KIT_EVIDENCE); without it,
    under ansible-test (which sets E(JUNIT_OUTPUT_DIR) to its results directory), it is
    C(clusterdb-kit/evidence.jsonl) beside that directory. Otherwise nothing is written.
  - A molecule scenario names itself in E(CLUSTERDB_KIT_SCENARIO); its playbooks are then
    its steps. Under ansible-test a step is a target.
  - Before anything is written, every connection and become credential of the play's hosts
    (the user names and passwords the inventory gives, templated) is replaced with
    C(<redacted>), wherever it appears.
  - Loaded from the setup_clusterdb_kit target's directory (the plugins beside a role are
    loaded with it); it needs no enabling, since ansible-test enables only its own callbacks.
options: {}
"""

REDACTED = "<redacted>"
# The inventory variables that hold a credential: passwords are removed wherever they
# appear, user names where they stand as a name (not inside a longer word).
PASSWORD_VARIABLES = (
    "ansible_password",
    "ansible_ssh_pass",
    "ansible_winrm_password",
    "ansible_psrp_password",
    "ansible_become_password",
    "ansible_become_pass",
)
USER_VARIABLES = (
    "ansible_user",
    "ansible_ssh_user",
    "ansible_winrm_user",
    "ansible_psrp_user",
    "ansible_become_user",
)


def evidence_path() -> str | None:
    named = os.environ.get("CLUSTERDB_KIT_EVIDENCE")
    if named:
        return named
    junit = os.environ.get("JUNIT_OUTPUT_DIR")
    if junit:
        return os.path.join(
            os.path.dirname(junit.rstrip(os.sep)), "clusterdb-kit", "evidence.jsonl"
        )
    return None


def user_forms(user: str) -> set[str]:
    """The forms a user name is written in: as given, and the account without its domain."""
    forms = {user}
    if "\\" in user:
        forms.add(user.rsplit("\\", 1)[1])
    if "@" in user:
        forms.add(user.split("@", 1)[0])
    return {form for form in forms if form}


class Redactor:
    """Replaces the credentials it was given in every string of a value."""

    def __init__(self, passwords: set[str], users: set[str]) -> None:
        self.passwords = sorted((p for p in passwords if p), key=len, reverse=True)
        names = sorted({form for user in users for form in user_forms(user)}, key=len, reverse=True)
        self.users = [
            re.compile(r"(?<![A-Za-z0-9_])" + re.escape(name) + r"(?![A-Za-z0-9_])", re.IGNORECASE)
            for name in names
        ]

    def text(self, value: str) -> str:
        for password in self.passwords:
            value = value.replace(password, REDACTED)
        for pattern in self.users:
            value = pattern.sub(REDACTED, value)
        return value

    def value(self, value: t.Any) -> t.Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.text(str(key)): self.value(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.value(item) for item in value]
        return value


def _result_of(result: t.Any) -> dict:
    """The task's result: TaskResult.result from ansible-core 2.19, ._result before it."""
    data = getattr(result, "result", None)
    return data if isinstance(data, dict) else result._result


def now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds")


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "clusterdb_kit_evidence"
    CALLBACK_NEEDS_ENABLED = False

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self.path = evidence_path()
        self.redactor = Redactor(set(), set())
        self.playbook = ""
        self.step = ""
        self.started: dict[tuple[str, str], tuple[str, float]] = {}

    # -- writing ---------------------------------------------------------------------------

    def _write(self, record: dict[str, t.Any]) -> None:
        if not self.path:
            return
        text = json.dumps(self.redactor.value(json.loads(json.dumps(record, default=str))))
        os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(text + "\n")

    def _credentials(self, play: t.Any) -> Redactor:
        passwords: set[str] = set()
        users: set[str] = set()
        manager = play.get_variable_manager()
        inventory = getattr(manager, "_inventory", None)
        loader = getattr(manager, "_loader", None)
        if inventory is None:
            return Redactor(passwords, users)
        for host in inventory.get_hosts():
            variables = manager.get_vars(play=play, host=host)
            for names, found in ((PASSWORD_VARIABLES, passwords), (USER_VARIABLES, users)):
                for name in names:
                    if name not in variables:
                        continue
                    value = variables[name]
                    if Templar is not None:
                        try:
                            value = Templar(loader=loader, variables=variables).template(value)
                        except Exception:  # pylint: disable=broad-except
                            pass  # keep the raw value: it is still what must not be written
                    if isinstance(value, str) and value:
                        found.add(value)
        return Redactor(passwords, users)

    # -- events ----------------------------------------------------------------------------

    def v2_playbook_on_start(self, playbook: t.Any) -> None:
        self.playbook = os.path.basename(getattr(playbook, "_file_name", "") or "")

    def v2_playbook_on_play_start(self, play: t.Any) -> None:
        if not self.path:
            return
        self.redactor = self._credentials(play)
        roles = [role.get_name() for role in play.get_roles()]
        scenario = os.environ.get("CLUSTERDB_KIT_SCENARIO", "")
        # A molecule scenario's steps are its playbooks (create, converge, verify, ...); under
        # ansible-test a target is the play's role (its setup dependency aside).
        if scenario or not roles:
            stage = os.path.splitext(self.playbook)[0]
            self.step = f"{scenario} {stage}".strip()
        else:
            self.step = next((r for r in roles if not r.startswith("setup_")), roles[0])
        self._write(
            {
                "kind": "play",
                "step": self.step,
                "playbook": self.playbook,
                "play": play.get_name(),
                "time": now(),
            }
        )

    def v2_runner_on_start(self, host: t.Any, task: t.Any) -> None:
        self.started[(host.get_name(), task._uuid)] = (now(), time.monotonic())

    def _task(self, status: str, result: t.Any) -> None:
        if not self.path:
            return
        host = result._host.get_name()
        task = result._task
        started, clock = self.started.pop((host, task._uuid), (now(), time.monotonic()))
        fields = getattr(result, "task_fields", None) or {}
        data = {
            key: value
            for key, value in dict(_result_of(result)).items()
            if not str(key).startswith("_ansible")
        }
        self._write(
            {
                "kind": "task",
                "step": self.step,
                "task": task.name or task.action,
                "role": task._role.get_name() if task._role else None,
                "host": host,
                "action": task.action,
                "check_mode": fields.get("check_mode") is True,
                "status": status,
                "started": started,
                "ended": now(),
                "duration": round(time.monotonic() - clock, 3),
                "result": data,
            }
        )

    def v2_runner_on_ok(self, result: t.Any) -> None:
        self._task("skipped" if _result_of(result).get("skipped") else "ok", result)

    def v2_runner_on_failed(self, result: t.Any, ignore_errors: bool = False) -> None:
        self._task("failed_ignored" if ignore_errors else "failed", result)

    def v2_runner_on_skipped(self, result: t.Any) -> None:
        self._task("skipped", result)

    def v2_runner_on_unreachable(self, result: t.Any) -> None:
        self._task("unreachable", result)
