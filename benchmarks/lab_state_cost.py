"""Lab state cost benchmark: the lab's CPU per module run on clusters of 2, 4, 8 and 16 nodes.

The lab's processes (one per node) keep the simulated world in state.json under a file
lock. What a module run costs them should not depend on how many nodes the cluster has
when the module works on one node. Measured, per cluster size, on the lab cluster of
benchmarks/_lab_cluster.py with every latency 0:

- one_node: a playbook of module runs on NODE1 that touch that node only (win_service
  query and state=started, win_stat, win_file creating a directory, cluster_node
  state=started), repeated; the CPU-seconds the node processes used (utime + stime from
  /proc, with waited-for children) during the run, divided by the module runs the lab
  logged (executions.jsonl);
- restore: the restore playbook (playbooks/restore.yml, as restore_scaling.py runs it)
  after a backup and a change; the same quotient over all its module runs, which include
  cluster-wide ones (cluster_info reports every node);
- idle: the node processes' CPU per second while nothing runs (each node process polls
  its faults and its listeners), measured once the lab has settled. It is part of the
  figures above in proportion to the run's wall time and to the number of processes, so
  each workload also gives its active CPU per module run: the CPU less idle x wall time.

With --before REV the same is measured first with the lab's state store as it was at the
git revision REV (its files STORE_FILES, on a copy of the lab package this benchmark runs,
put first on PYTHONPATH, which the node processes inherit), and both go into the JSON.

Not a test and not run by CI: the figures go to benchmarks/results/lab_state_cost.json
and a table is printed.

    . scripts/bootstrap.sh && python benchmarks/lab_state_cost.py [--sizes 2 4 8 16]
        [--before REV]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from operator import attrgetter
from pathlib import Path
from typing import Any

import wsfc_lab
import yaml
from _lab_cluster import (
    BACKUP_PATH,
    REPO_ROOT,
    RESULTS_DIR,
    back_up_and_change,
    cpu_seconds,
    node_pids,
    run_playbook,
    running_lab,
    runs_since,
)
from wsfc_lab.lab import Lab

RESULTS = RESULTS_DIR / "lab_state_cost.json"
# The lab's state store: what --before takes from the older revision.
STORE_FILES = ("store.py", "tracked.py", "liveness.py", "world.py", "state.py", "state_view.py",
               "cluster.py")  # fmt: skip
LAB_PACKAGE = Path(wsfc_lab.__file__).parent  # the one this benchmark runs
RESTORE_PLAYBOOK = REPO_ROOT / "playbooks" / "restore.yml"
LATENCIES = {"service_stop": 0.0, "service_start": 0.0, "restore": 0.0}
REPEATS = 8  # blocks of one-node module runs per measurement
IDLE_SECONDS = 5.0
SETTLE_SECONDS = 2.0  # after the start, every node reads the state it changed once


@dataclass(frozen=True)
class WorkloadFigures:
    rc: int
    module_runs: int
    wall_seconds: float
    lab_cpu_seconds: float
    idle_cpu_seconds: float  # the idle rate times the wall time

    @property
    def cpu_per_module_run(self) -> float:
        return round(self.lab_cpu_seconds / self.module_runs, 4) if self.module_runs else 0.0

    @property
    def active_cpu_per_module_run(self) -> float:
        if not self.module_runs:
            return 0.0
        return round((self.lab_cpu_seconds - self.idle_cpu_seconds) / self.module_runs, 4)


@dataclass(frozen=True)
class SizeFigures:
    nodes: int
    state_json_bytes: int
    idle_cpu_per_second: float
    one_node: WorkloadFigures
    restore: WorkloadFigures


def one_node_playbook(path: Path) -> Path:
    """Module runs on NODE1 whose own work does not grow with the cluster."""
    tasks: list[dict[str, Any]] = []
    for block in range(REPEATS):
        tasks += [
            {"ansible.windows.win_service": {"name": "ClusSvc"}},
            {"ansible.windows.win_service": {"name": "ClusSvc", "state": "started"}},
            {"ansible.windows.win_stat": {"path": "C:\\Windows"}},
            {"ansible.windows.win_file": {"path": f"C:\\Bench\\run{block}", "state": "directory"}},
            {"wsfc.clusterdb.cluster_node": {"state": "started"}},
        ]
    play = [{"name": "One node", "hosts": "NODE1", "gather_facts": False, "tasks": tasks}]
    path.write_text(yaml.safe_dump(play), encoding="utf-8")
    return path


def measured(
    lab: Lab, idle: float, playbook: Path, forks: int, extra_vars: dict[str, Any] | None = None
) -> WorkloadFigures:
    pids = node_pids(lab)
    before = cpu_seconds(pids)
    started = time.time()
    run = run_playbook(lab, playbook, forks, extra_vars)
    wall = time.time() - started
    used = cpu_seconds(pids) - before
    if run.returncode != 0:
        print(run.stdout[-4000:], run.stderr[-2000:], file=sys.stderr)
    runs = runs_since(lab, started)
    return WorkloadFigures(
        run.returncode, len(runs), round(wall, 2), round(used, 3), round(idle * wall, 3)
    )


def idle_rate(lab: Lab) -> float:
    pids = node_pids(lab)
    before = cpu_seconds(pids)
    time.sleep(IDLE_SECONDS)
    return round((cpu_seconds(pids) - before) / IDLE_SECONDS, 4)


def measure(size: int, workdir: Path) -> SizeFigures:
    with running_lab(size, workdir, LATENCIES) as lab:
        state_bytes = (lab.lab_dir / "state.json").stat().st_size
        time.sleep(SETTLE_SECONDS)
        idle = idle_rate(lab)
        one_node = measured(lab, idle, one_node_playbook(workdir / "one_node.yml"), 1)
        back_up_and_change(lab, workdir)
        extra = {"backup_path": BACKUP_PATH, "force": True, "restore_consent": True}
        restore = measured(lab, idle, RESTORE_PLAYBOOK, size, extra)
    return SizeFigures(size, state_bytes, idle, one_node, restore)


# The figures per size, by name (in the JSON and in the ratio of the largest to the smallest).
FIGURES = {
    name: attrgetter(path)
    for name, path in (
        ("one_node_cpu_per_module_run", "one_node.cpu_per_module_run"),
        ("one_node_active_cpu_per_module_run", "one_node.active_cpu_per_module_run"),
        ("restore_cpu_per_module_run", "restore.cpu_per_module_run"),
        ("restore_active_cpu_per_module_run", "restore.active_cpu_per_module_run"),
    )
}


def table(figures: list[SizeFigures]) -> str:
    header = (
        "nodes",
        "state.json B",
        "idle CPU/s",
        "one-node runs",
        "CPU s/run",
        "active",
        "restore runs",
        "CPU s/run",
        "active",
        "restore wall s",
    )
    rows = [header] + [
        (
            str(f.nodes),
            str(f.state_json_bytes),
            f"{f.idle_cpu_per_second:.3f}",
            str(f.one_node.module_runs),
            f"{f.one_node.cpu_per_module_run:.4f}",
            f"{f.one_node.active_cpu_per_module_run:.4f}",
            str(f.restore.module_runs),
            f"{f.restore.cpu_per_module_run:.4f}",
            f"{f.restore.active_cpu_per_module_run:.4f}",
            f"{f.restore.wall_seconds:.1f}",
        )
        for f in figures
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join(
        "  ".join(v.rjust(w) for v, w in zip(row, widths, strict=True)) for row in rows
    )


def package_at(revision: str, folder: Path) -> Path:
    """A copy of the lab package with the state store of `revision`; the folder to put on
    PYTHONPATH."""
    package = folder / "wsfc_lab"
    shutil.copytree(LAB_PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__"))
    for name in STORE_FILES:
        path = f"tests/lab/wsfc_lab/world/{name}"
        shown = subprocess.run(
            ["git", "show", f"{revision}:{path}"], cwd=REPO_ROOT, capture_output=True, check=False
        )
        target = package / "world" / name
        if shown.returncode == 0:
            target.write_bytes(shown.stdout)
        else:  # not in that revision
            target.unlink(missing_ok=True)
    return folder


def measured_before(revision: str, sizes: list[int]) -> dict[str, Any]:
    """This benchmark's JSON with the state store of `revision`, measured in a process of
    its own (the lab's package is imported once per process)."""
    with tempfile.TemporaryDirectory(prefix="lab_state_cost_before_") as scratch:
        folder = package_at(revision, Path(scratch))
        results = Path(scratch) / "before.json"
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(folder), env.get("PYTHONPATH")]))
        command = [sys.executable, __file__, "--results", str(results), "--sizes"]
        subprocess.run([*command, *map(str, sizes)], env=env, check=True)
        before: dict[str, Any] = json.loads(results.read_text(encoding="utf-8"))
    before["revision"] = revision
    before["lab_package"] = f"the lab package with the state store of {revision}"
    return before


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2, 4, 8, 16])
    parser.add_argument("--results", type=Path, default=RESULTS, help="where the JSON goes")
    parser.add_argument("--before", metavar="REV", help="also measure the store of REV")
    args = parser.parse_args(argv)
    before = measured_before(args.before, args.sizes) if args.before else None
    load_before = os.getloadavg()
    figures = []
    with tempfile.TemporaryDirectory(prefix="lab_state_cost_") as workdir:
        for size in args.sizes:
            figures.append(measure(size, Path(workdir)))
            print(f"{size} nodes: {figures[-1].one_node.cpu_per_module_run} s", file=sys.stderr)
    first, last = figures[0], figures[-1]

    def growth(figure: str) -> float:
        return round(FIGURES[figure](last) / FIGURES[figure](first), 3)

    ratio = {"nodes": last.nodes / first.nodes} | {name: growth(name) for name in FIGURES}
    args.results.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "benchmark": "lab_state_cost",
        "lab_package": str(LAB_PACKAGE),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "sizes": [asdict(f) | {name: get(f) for name, get in FIGURES.items()} for f in figures],
        "ratio_largest_to_smallest": ratio,
    }
    if before is not None:
        document["before"] = before
    args.results.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(table(figures))
    print(
        f"{last.nodes} nodes / {first.nodes} nodes: lab CPU per module run "
        f"x{ratio['one_node_cpu_per_module_run']:.2f} "
        f"(active x{ratio['one_node_active_cpu_per_module_run']:.2f}) one node, "
        f"x{ratio['restore_cpu_per_module_run']:.2f} "
        f"(active x{ratio['restore_active_cpu_per_module_run']:.2f}) restore"
    )
    print(f"figures written to {args.results}")
    ok = all(f.one_node.rc == 0 and f.restore.rc == 0 for f in figures)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
