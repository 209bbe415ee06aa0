"""Controller cost benchmark: the controller's CPU per module run of this collection's
modules against ansible.windows.win_ping's, in the same playbook, on the same lab node.

The playbooks run tasks of four kinds on NODE1 of a two-node lab cluster (gather_facts off),
interleaved task by task so that the controller's warm-up weighs on every kind alike:

- ansible.windows.win_ping (the yardstick: one module run, no action plugin of its own);
- wsfc.clusterdb.cluster_info with include_configuration=false (the restore's preflight
  and wait task);
- wsfc.clusterdb.cluster_node state=started on a node that runs (the restore's start task,
  idempotent here);
- wsfc.clusterdb.backup_set_info verify=false on an empty folder (the restore's listing).

The controller's CPU of a run is the user and system time of ansible-playbook and its
forks (resource.getrusage of the waited-for children). The playbook with one task of every
kind is the baseline; for each kind, the playbook with K + 1 tasks of that kind and one of
every other: (its CPU - the baseline's) / K is that kind's CPU per module run. The playbooks
alternate within each round; the medians over the rounds are reported.

Not a test and not run by CI: the figures go to benchmarks/results/controller_cost.json and
a table is printed.

    . scripts/bootstrap.sh && python benchmarks/controller_cost.py [--tasks 20] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml
from _lab_cluster import REPO_ROOT, RESULTS_DIR, run_playbook, running_lab, runs_since
from wsfc_lab.lab import Lab

RESULTS = RESULTS_DIR / "controller_cost.json"
NODE = "NODE1"
EMPTY_FOLDER = "C:\\ControllerCost"
KINDS: dict[str, dict[str, Any]] = {
    "win_ping": {"ansible.windows.win_ping": {}},
    "cluster_info": {"wsfc.clusterdb.cluster_info": {"include_configuration": False}},
    "cluster_node": {"wsfc.clusterdb.cluster_node": {"state": "started"}},
    "backup_set_info": {"wsfc.clusterdb.backup_set_info": {"path": EMPTY_FOLDER, "verify": False}},
}


def playbook(path: Path, counts: dict[str, int]) -> Path:
    """One play on NODE1: the folder backup_set_info lists, then the tasks, kinds interleaved."""
    tasks: list[dict[str, Any]] = [
        {"name": "Folder", "ansible.windows.win_file": {"path": EMPTY_FOLDER, "state": "directory"}}
    ]
    for index in range(max(counts.values())):
        for kind, task in KINDS.items():
            if index < counts[kind]:
                tasks.append({"name": f"{kind} {index}", **task})
    play = [{"name": "Controller cost", "hosts": NODE, "gather_facts": False, "tasks": tasks}]
    path.write_text(yaml.safe_dump(play, sort_keys=False), encoding="utf-8")
    return path


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def controller_cpu(lab: Lab, path: Path, counts: dict[str, int]) -> float:
    """CPU-seconds of one ansible-playbook run and its forks. The lab's record of the run
    must hold one module run per task (the folder and the counted tasks): a run that made
    fewer or more would not measure what the figure says."""
    before = children_cpu()
    started = time.time()
    run = run_playbook(lab, path, 1)
    used = children_cpu() - before
    if run.returncode != 0:
        print(run.stdout[-4000:], run.stderr[-2000:], file=sys.stderr)
        raise RuntimeError(f"{path.name} failed")
    made, expected = len(runs_since(lab, started)), 1 + sum(counts.values())
    if made != expected:
        raise RuntimeError(f"{path.name} made {made} module runs, not {expected}")
    return used


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--tasks", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    ones = dict.fromkeys(KINDS, 1)
    per_run: dict[str, list[float]] = {kind: [] for kind in KINDS}
    baseline: list[float] = []
    with tempfile.TemporaryDirectory(prefix="controller_cost_") as work:
        workdir = Path(work)
        with running_lab(2, workdir, {}) as lab:
            counts = {"ones": ones} | {kind: dict(ones, **{kind: args.tasks + 1}) for kind in KINDS}
            plays = {name: playbook(workdir / f"{name}.yml", c) for name, c in counts.items()}
            controller_cpu(lab, plays["ones"], ones)  # warm the lab and the file caches
            for number in range(args.rounds):
                base = controller_cpu(lab, plays["ones"], ones)
                baseline.append(base)
                for kind in KINDS:
                    used = controller_cpu(lab, plays[kind], counts[kind])
                    per_run[kind].append((used - base) / args.tasks)
                print(f"round {number + 1} of {args.rounds} done", file=sys.stderr)
    medians = {kind: round(statistics.median(values), 4) for kind, values in per_run.items()}
    ratios = {kind: round(medians[kind] / medians["win_ping"], 3) for kind in KINDS}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "benchmark": "controller_cost",
                "tasks_per_kind": args.tasks,
                "rounds": args.rounds,
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "baseline_cpu_seconds": baseline,
                "cpu_seconds_per_module_run": per_run,
                "median_cpu_seconds_per_module_run": medians,
                "ratio_to_win_ping": ratios,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    for kind in KINDS:
        print(f"{kind:16} {medians[kind]:.3f} CPU-s per module run  x{ratios[kind]:.2f} win_ping")
    print(f"figures written to {RESULTS.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
