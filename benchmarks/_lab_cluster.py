"""The lab clusters the benchmarks run on: the three-node example grown to N nodes.

Shared by restore_scaling.py, lab_state_cost.py and runbook_comparison.py, so that they
measure the same cluster: nodes NODE1..NODEn on 127.0.202.0 (free ports), a disk witness,
the backup share on FS01, and fixed emulated latencies given by the caller.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from wsfc_lab.lab import Lab
from wsfc_lab.ports import free_port_pair
from wsfc_lab.spec import parse_spec
from wsfc_lab.world import ConfigChange

REPO_ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = REPO_ROOT / "tests" / "lab" / "examples" / "three-node.yml"
RESULTS_DIR = REPO_ROOT / "benchmarks" / "results"
NETWORK = "127.0.202.0"
BACKUP_PATH = r"\\FS01\clusterbackups"
# Where the backup role writes the example cluster's sets (<backup_path>\<cluster name>),
# the folder the restore role lists first.
CLUSTER_NAME = str(yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))["cluster"])
SET_FOLDER = f"{BACKUP_PATH}\\{CLUSTER_NAME}"


def cluster_spec(size: int, latencies: dict[str, float]) -> dict[str, Any]:
    """The three-node example with `size` nodes NODE1..NODEn and the given latencies
    (the backup's is 0 unless given)."""
    spec = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    spec["nodes"] = [{"name": f"NODE{i}", "release": "2022"} for i in range(1, size + 1)]
    spec["network"] = NETWORK
    base = NETWORK.rsplit(".", 1)[0]
    addresses = [f"{base}.{11 + i}" for i in range(size)] + [f"{base}.31"]
    http, https = free_port_pair(addresses)
    spec["ports"] = {"http": http, "https": https}
    spec["latencies"] = {"backup": 0.0, **latencies}
    return spec


@contextmanager
def running_lab(size: int, workdir: Path, latencies: dict[str, float]) -> Iterator[Lab]:
    """A started lab of `size` nodes under `workdir`, stopped on the way out."""
    lab = Lab(workdir / f"lab{size:02d}")
    lab.create(parse_spec(cluster_spec(size, latencies)))
    try:
        lab.start()
        yield lab
    finally:
        lab.stop()


def ansible_env(forks: int) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("ANSIBLE_COLLECTIONS_PATH", str(REPO_ROOT / ".cache" / "collections"))
    env.setdefault("ANSIBLE_CONFIG", str(REPO_ROOT / "tests" / "ansible.cfg"))
    env["ANSIBLE_FORKS"] = str(forks)
    return env


def run_playbook(
    lab: Lab, playbook: Path, forks: int, extra_vars: dict[str, Any] | None = None
) -> subprocess.CompletedProcess[str]:
    """ansible-playbook against the lab's inventory; the completed process, not checked."""
    command = ["ansible-playbook", "-i", str(lab.inventory_path), str(playbook)]
    if extra_vars:
        command += ["-e", json.dumps(extra_vars)]
    return subprocess.run(
        command, env=ansible_env(forks), capture_output=True, text=True, check=False
    )


def back_up_and_change(lab: Lab, workdir: Path) -> None:
    """One set of the running configuration in the cluster's folder, as the backup role
    writes it, then an administrator's change."""
    play = workdir / "backup.yml"
    task = {"name": "Back up", "wsfc.clusterdb.cluster_backup": {"path": SET_FOLDER}}
    document = [{"name": "Backup", "hosts": "NODE1", "gather_facts": False, "tasks": [task]}]
    play.write_text(yaml.safe_dump(document), encoding="utf-8")
    run = run_playbook(lab, play, 1)
    if run.returncode != 0:
        raise RuntimeError(f"the backup failed:\n{run.stdout[-4000:]}\n{run.stderr[-2000:]}")
    change_address(lab, "10.0.0.99")


def change_address(lab: Lab, address: str) -> None:
    """An administrator's change of the configuration (moves the PaxosTag)."""
    change = {"name": "Address", "value": address}
    lab.change(ConfigChange("parameter", "set", "FileServer-01 IP", change))


def executions(lab: Lab) -> list[dict[str, Any]]:
    """The lab's module runs so far (executions.jsonl, wsfc_lab.execution.execution_log)."""
    log = lab.lab_dir / "executions.jsonl"
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line]


def module_counts(runs: list[dict[str, Any]]) -> dict[str, int]:
    """How many of the runs each module (and phase, for a phased module) made."""
    counts: Counter[str] = Counter()
    for run in runs:
        phase = f" ({run['phase']})" if run.get("phase") else ""
        counts[run["module"] + phase] += 1
    return dict(sorted(counts.items()))


def runs_since(lab: Lab, started: float) -> list[dict[str, Any]]:
    """The lab's module runs that started after `started` (time.time())."""
    return [e for e in executions(lab) if e["time"] >= started]


def node_pids(lab: Lab) -> dict[str, int]:
    """The pid of each node's process, as the node recorded it."""
    nodes = lab.world.peek()["nodes"]
    return {name: int(node["process"]["pid"]) for name, node in nodes.items()}


def cpu_seconds(pids: dict[str, int]) -> float:
    """CPU-seconds (user and system, with waited-for children) the processes used so far
    (/proc/<pid>/stat fields utime, stime, cutime, cstime)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids.values():
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
        fields = stat.rsplit(")", 1)[1].split()
        # fields[0] is the state (field 3); utime..cstime are fields 14..17.
        total += sum(int(v) for v in fields[11:15])
    return total / ticks
