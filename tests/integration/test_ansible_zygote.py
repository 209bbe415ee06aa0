"""A run forked from the ansible zygote is what a fresh ansible-playbook process would be: its
own exit code, output, environment, working directory and local temporary directory, and a
run past its timeout is killed."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from ansible_zygote import Zygotes
from playbook import REPO_ROOT, ansible_environment

# What a run reports of itself: the environment it read, its working directory and the local
# temporary directories there are while it runs (ansible-core makes ansible-local-<pid>...
# in its local_tmp for each process that reads its settings).
# Modules that run on localhost run under this interpreter.
# A sleep no other process runs.
SLEEP = "61.25"
LOCAL_PYTHON = ["-e", f"ansible_python_interpreter={sys.executable}"]
REPORT_PLAY = [
    {
        "hosts": "localhost",
        "gather_facts": False,
        "tasks": [
            {
                "name": "Report",
                "ansible.builtin.copy": {
                    "dest": "{{ report }}",
                    "content": "{{ {'marker': lookup('ansible.builtin.env', 'ZYGOTE_MARKER'),"
                    " 'cwd': lookup('ansible.builtin.pipe', 'pwd'),"
                    " 'local_tmp': lookup('ansible.builtin.pipe', 'ls ' ~ local_tmp)"
                    " | split}"
                    " | to_json }}",
                },
                "delegate_to": "localhost",
            },
            {
                "name": "Fail when asked",
                "ansible.builtin.fail": {"msg": "asked to fail"},
                "when": "fail | bool",
            },
        ],
    }
]


@pytest.fixture
def zygotes() -> Iterator[Zygotes]:
    started = Zygotes()
    yield started
    started.stop()


def _run(
    zygotes: Zygotes, tmp_path: Path, local_tmp: Path, marker: str, fail: bool
) -> tuple[int, str, dict[str, Any]]:
    play = tmp_path / "report.yml"
    play.write_text(yaml.safe_dump(REPORT_PLAY), encoding="utf-8")
    report = tmp_path / f"{marker}.json"
    command = [
        "ansible-playbook", "-i", "localhost,", "-c", "local", str(play), *LOCAL_PYTHON,
        "-e", json.dumps({"report": str(report), "fail": fail, "local_tmp": str(local_tmp)}),
    ]  # fmt: skip
    # local_tmp is the default's: ANSIBLE_HOME/tmp.
    env = ansible_environment({"ZYGOTE_MARKER": marker, "ANSIBLE_HOME": str(local_tmp.parent)})
    env.pop("ANSIBLE_LOCAL_TEMP", None)
    zygote = zygotes.for_run(command, env)
    assert zygote is not None, "this interpreter's ansible-playbook is served by a zygote"
    completed = zygote.run(command, env, tmp_path, 120, None)
    return completed.returncode, completed.stdout, json.loads(report.read_text(encoding="utf-8"))


def _zygote_tmp(zygotes: Zygotes, local_tmp: Path) -> list[str]:
    (zygote,) = zygotes._started.values()
    return [
        p.name
        for p in local_tmp.iterdir()
        if p.name.startswith(f"ansible-local-{zygote.process.pid}")
    ]


def test_a_forked_run_has_its_own_environment_directory_exit_code_and_local_tmp(
    zygotes: Zygotes, tmp_path: Path
) -> None:
    local_tmp = tmp_path / "home" / "tmp"
    rc_ok, out_ok, first = _run(zygotes, tmp_path, local_tmp, "first", fail=False)
    rc_failed, out_failed, second = _run(zygotes, tmp_path, local_tmp, "second", fail=True)
    zygote_tmp = _zygote_tmp(zygotes, local_tmp)

    assert rc_ok == 0, out_ok
    assert rc_failed == 2, out_failed
    assert "asked to fail" in out_failed
    assert (first["marker"], second["marker"]) == ("first", "second")
    assert first["cwd"] == second["cwd"] == str(tmp_path)
    # Each run made a local temporary directory of its own, and removed it at its end; the
    # zygote's own is there throughout, used by no run.
    assert len(zygote_tmp) == 1
    first_own = set(first["local_tmp"]) - set(zygote_tmp)
    second_own = set(second["local_tmp"]) - set(zygote_tmp)
    assert len(first_own) == len(second_own) == 1, (first, second, zygote_tmp)
    assert first_own != second_own
    assert sorted(p.name for p in local_tmp.iterdir()) == zygote_tmp


def test_a_run_past_its_timeout_is_killed(zygotes: Zygotes, tmp_path: Path) -> None:
    """As subprocess.run's timeout kills the ansible-playbook process, so does the zygote's:
    the run and what shares its process group. ansible-core's workers run in sessions of
    their own and outlive a killed ansible-playbook either way; the test stops its own."""
    play = tmp_path / "sleep.yml"
    play.write_text(
        yaml.safe_dump(
            [{"hosts": "localhost", "gather_facts": False,
              "tasks": [{"ansible.builtin.command": f"sleep {SLEEP}"}]}]
        ),
        encoding="utf-8",
    )  # fmt: skip
    command = ["ansible-playbook", "-i", "localhost,", "-c", "local", str(play), *LOCAL_PYTHON]
    env = ansible_environment()
    zygote = zygotes.for_run(command, env)
    assert zygote is not None
    try:
        started = time.monotonic()
        with pytest.raises(subprocess.TimeoutExpired):
            zygote.run(command, env, REPO_ROOT, 8, None)
        assert time.monotonic() - started < 30
        (killed,) = zygote.killed
        for _attempt in range(50):
            if not Path(f"/proc/{killed}").exists():
                break
            time.sleep(0.1)
        assert not Path(f"/proc/{killed}").exists(), "the killed run is still there"
    finally:
        subprocess.run(["pkill", "-f", f"sleep {SLEEP}"], check=False)


def test_another_configuration_or_program_is_a_fresh_process(zygotes: Zygotes) -> None:
    env = ansible_environment()
    assert zygotes.for_run(["ansible-test", "sanity"], env) is None
    assert zygotes.for_run(["/opt/other/bin/ansible-playbook", "x.yml"], env) is None
    first = zygotes.for_run(["ansible-playbook", "x.yml"], env)
    other = zygotes.for_run(["ansible-playbook", "x.yml"], {**env, "ANSIBLE_FORKS": "1"})
    assert first is not None and other is not None and first is not other
    assert zygotes.for_run(["ansible", "all"], env) is first
