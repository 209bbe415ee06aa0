"""Kerberos against the lab's MIT KDC (wsfc_lab.kerberos): Ansible's winrm connection with
transport kerberos over HTTP, message encryption checked on the wire, refusals of a wrong
password and an unknown principal, and delegation on and off against the second-hop rule
(docs/windows-behaviour.md#second-hop, #kerberos-delegation).

One lab with a KDC serves the whole module: starting a KDC per test would cost each test
its start-up."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from labs import example, unique_spec
from playbook import REPO_ROOT, AnsibleRun, run_playbook
from restore_scenarios import BACKUP_LOCATION, back_up, change_configuration, restore, write_play
from wsfc_lab.kerberos import missing_tools
from wsfc_lab.lab import Lab
from wsfc_lab.spec import parse_spec

OUTPUT = REPO_ROOT / "tests" / "output"
TIMINGS = OUTPUT / "kerberos-timings.json"
CLUSTER_INFO = "wsfc.clusterdb.cluster_info"
WIN_FILE = "ansible.windows.win_file"

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


def record_timing(name: str, seconds: float) -> None:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    figures = json.loads(TIMINGS.read_text()) if TIMINGS.exists() else {}
    figures[name] = round(seconds, 2)
    TIMINGS.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n")


def test_a_module_runs_over_kerberos(kerberos_lab: Lab, tmp_path: Path) -> None:
    started = time.monotonic()
    run = run_kerberos(kerberos_lab, tmp_path, info_play(tmp_path))
    elapsed = time.monotonic() - started

    assert run.rc == 0, run.output
    result = run.of(CLUSTER_INFO, "NODE1").result
    assert result["cluster"]["name"] == "CLU01", result
    record_timing("kerberos_module_run_seconds", elapsed)
