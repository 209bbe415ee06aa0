"""End to end: ansible-core itself, over WinRM (NTLM, HTTPS), against a running lab node.

One node process (wsfc_lab.lab) on 127.0.62.11 answers ad-hoc `ansible` commands through
the WinRM endpoint, the command dispatch and the emulations.
"""

import json
import os
import re
import socket
import subprocess
from pathlib import Path

import pytest
from wsfc_lab.lab import Lab
from wsfc_lab.spec import parse_spec

REPO = Path(__file__).resolve().parents[3]
ADDRESS = "127.0.62.11"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((ADDRESS, 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    spec = parse_spec(
        {
            "cluster": "clu62",
            "network": "127.0.62.0",
            "ports": {"http": free_port(), "https": free_port()},
            "credentials": {"password": "Lab-Passw0rd!"},
            "nodes": [{"name": "n1", "release": "2022"}],
            "witness": {"type": "none"},
        }
    )
    lab = Lab(tmp_path_factory.mktemp("ansible") / "lab")
    lab.create(spec)
    lab.start()
    lab.write_inventory()
    yield lab
    lab.stop()


def ansible(lab, module, arguments="", *extra):
    """Run `ansible N1 -m module -a arguments`; the host's status and its result."""
    env = dict(os.environ)
    env.update(
        ANSIBLE_COLLECTIONS_PATH=str(REPO / ".cache" / "collections"),
        ANSIBLE_CONFIG=str(REPO / "tests" / "ansible.cfg"),
        ANSIBLE_STDOUT_CALLBACK="ansible.builtin.minimal",
        ANSIBLE_CALLBACK_RESULT_FORMAT="json",
        ANSIBLE_DEPRECATION_WARNINGS="0",
        ANSIBLE_NOCOLOR="1",
    )
    command = ["ansible", "-i", str(lab.inventory_path), "N1", "-m", module, *extra]
    if arguments:
        command += ["-a", arguments]
    completed = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=60, check=False, cwd=REPO
    )
    match = re.search(
        r"^N1 \| (\S+)(?: \| rc=\d+)? (?:=>|>>) (\{.*\})", completed.stdout, re.M | re.S
    )
    assert match, completed.stdout + completed.stderr
    return match.group(1), json.loads(match.group(2))


def test_win_ping(lab):
    status, result = ansible(lab, "ansible.windows.win_ping")
    assert status == "SUCCESS"
    assert result["ping"] == "pong"


def test_short_win_ping_with_data_in_check_mode(lab):
    status, result = ansible(lab, "win_ping", "data=hello", "--check")
    assert status == "SUCCESS"
    assert result["ping"] == "hello"


def test_setup_reports_the_node(lab):
    status, result = ansible(lab, "ansible.builtin.setup", "gather_subset=!all")
    assert status == "SUCCESS"
    facts = result["ansible_facts"]
    assert facts["ansible_hostname"] == "N1"
    assert facts["ansible_distribution"] == "Microsoft Windows Server 2022 Datacenter"


def test_an_unemulated_module_is_a_task_failure_naming_it(lab):
    status, result = ansible(lab, "ansible.windows.win_hostname", "name=other")
    assert status == "FAILED!"
    assert result["msg"] == "the lab does not emulate module ansible.windows.win_hostname"


def test_a_script_task_transfers_the_file_and_cleans_up(lab, tmp_path):
    # The script action makes a temp dir (mkdtemp), uploads (put_file), runs the script
    # through the exec wrapper (not emulated: fails naming it) and removes the temp dir.
    script = tmp_path / "hello.ps1"
    script.write_text('Write-Output "hi"\n')
    status, result = ansible(lab, "ansible.builtin.script", str(script))
    assert status == "FAILED!"
    assert "the lab does not emulate PowerShell scripts" in result["stderr"]
    temp = lab.world.resolve_path("N1", "C:\\Users\\Administrator\\AppData\\Local\\Temp")
    assert temp.is_dir()
    assert list(temp.iterdir()) == []
