"""Fleet backup benchmark: the backup playbook over 1, 4 and 16 lab clusters of 3 nodes.

Each cluster is a lab of its own (network 127.0.<k>.0, k from 150 upward), and one
inventory combines them, one group per cluster, as an operator's fleet inventory would.
For each fleet size the playbook runs twice: the first run writes a set per cluster, the
second finds nothing changed. Measured: the wall time of each run, the module runs per
cluster, and the runs of each module and phase (from each lab's executions.jsonl). Not a
test: the figures go to benchmarks/results/fleet_backup.json and a table is printed.

    . scripts/bootstrap.sh && python benchmarks/fleet_backup.py [--sizes 1 4 16]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml
from _lab_cluster import module_counts
from wsfc_lab.execution.execution_log import read_executions
from wsfc_lab.fleet import fleet_inventory, running_fleet
from wsfc_lab.lab import Lab

REPO_ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = REPO_ROOT / "tests" / "lab" / "examples" / "three-node.yml"
PLAYBOOK = REPO_ROOT / "playbooks" / "backup.yml"
RESULTS = REPO_ROOT / "benchmarks" / "results" / "fleet_backup.json"
FIRST_NETWORK = 150
BACKUP_PATH = r"\\fs01\clusterbackups"
# Enough forks for every cluster's node to work at once, as an operator would set -f.
MAX_FORKS = 64


@dataclass(frozen=True)
class RunFigures:
    rc: int
    wall_seconds: float
    module_runs: int
    module_runs_per_cluster: float
    written: int
    # Every cluster's runs together, by module and phase (_lab_cluster.module_counts).
    module_runs_by_module: dict[str, int]


@dataclass(frozen=True)
class FleetFigures:
    clusters: int
    nodes_per_cluster: int
    first_run: RunFigures
    second_run: RunFigures


def cluster_spec(index: int) -> dict[str, Any]:
    """The three-node example as cluster FLEETnn with nodes FnnN1..3 on 127.0.<150+n>.0."""
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.replace("NODE", f"F{index:02d}N").replace("CLU01", f"FLEET{index:02d}")
    spec = yaml.safe_load(text)
    spec["network"] = f"127.0.{FIRST_NETWORK + index}.0"
    return spec


def run_backup(labs: list[Lab], inventory: Path) -> RunFigures:
    env = dict(os.environ)
    env.setdefault("ANSIBLE_COLLECTIONS_PATH", str(REPO_ROOT / ".cache" / "collections"))
    env.setdefault("ANSIBLE_CONFIG", str(REPO_ROOT / "tests" / "ansible.cfg"))
    env["ANSIBLE_FORKS"] = str(min(MAX_FORKS, 3 * len(labs)))
    env["ANSIBLE_NOCOLOR"] = "1"
    before = [len(read_executions(lab.lab_dir)) for lab in labs]
    command = ["ansible-playbook", "-i", str(inventory), str(PLAYBOOK)]
    command += ["-e", json.dumps({"backup_path": BACKUP_PATH})]
    started = time.monotonic()
    completed = subprocess.run(
        command, env=env, capture_output=True, text=True, check=False, cwd=REPO_ROOT
    )
    wall = time.monotonic() - started
    if completed.returncode != 0:
        sys.stderr.write(completed.stdout[-4000:] + completed.stderr[-2000:])
    new = [
        run
        for lab, skip in zip(labs, before, strict=True)
        for run in read_executions(lab.lab_dir)[skip:]
    ]
    written = sum(1 for run in new if run.get("phase") == "finalize")
    return RunFigures(
        completed.returncode,
        round(wall, 2),
        len(new),
        round(len(new) / len(labs), 2),
        written,
        module_counts(new),
    )


def measure(size: int) -> FleetFigures:
    with tempfile.TemporaryDirectory(prefix=f"fleet{size}-") as scratch:
        workdir = Path(scratch)
        with running_fleet(size, workdir, cluster_spec) as labs:
            inventory = fleet_inventory(labs, workdir / "fleet.yml")
            first = run_backup(labs, inventory)
            second = run_backup(labs, inventory)
    return FleetFigures(size, 3, first, second)


def table(figures: list[FleetFigures]) -> str:
    header = (
        f"{'clusters':>8} {'run':>6} {'rc':>3} {'wall s':>8} {'module runs':>11} "
        f"{'per cluster':>11} {'sets written':>12}"
    )
    rows = [header, "-" * len(header)]
    for fleet in figures:
        for label, run in (("first", fleet.first_run), ("second", fleet.second_run)):
            rows.append(
                f"{fleet.clusters:>8} {label:>6} {run.rc:>3} {run.wall_seconds:>8.2f} "
                f"{run.module_runs:>11} {run.module_runs_per_cluster:>11.2f} {run.written:>12}"
            )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 4, 16])
    args = parser.parse_args(argv)
    if max(args.sizes) + FIRST_NETWORK > 255:
        parser.error("at most 105 clusters (networks 127.0.150.0 to 127.0.255.0)")
    figures = [measure(size) for size in args.sizes]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "benchmark": "fleet_backup",
                "playbook": "wsfc.clusterdb.backup",
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "results": [asdict(f) for f in figures],
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(table(figures))
    print(f"\nwritten to {RESULTS.relative_to(REPO_ROOT)}")
    # Sanity only: every run succeeded.
    return 0 if all(f.first_run.rc == 0 and f.second_run.rc == 0 for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
