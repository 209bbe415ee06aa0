"""Restore scaling benchmark: the restore playbook on lab clusters of 2, 4, 8 and 16 nodes.

Each cluster is the three-node example grown to N nodes (network 127.0.202.0, free ports),
with fixed emulated latencies: the Cluster service takes 2 s to stop and 2 s to start, the
restore 3 s. The cluster is backed up, changed, and restored with the playbook, with
forks = N so that the stop and start steps run on every node at once. Measured: the
restore run's wall time, the module runs it cost (from the lab's executions.jsonl), and
the ratio of the 16-node time to the 2-node time. The stop and start run in parallel, so
the critical path - stop, restore, start the restoring node, start the others, each step's
span from its first module run's start to its last one's end - should not grow with N.
What can grow is the machine's share per node: every node is a Python process, and with
N = 16 on a small machine they and Ansible's 16 forks compete for the CPUs, which shows as
a longer single run and a wider spread of the parallel runs' start times (both recorded).

Not a test: the figures go to benchmarks/results/restore_scaling.json and a table is printed.

    . scripts/bootstrap.sh && python benchmarks/restore_scaling.py [--sizes 2 4 8 16]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from _lab_cluster import (
    BACKUP_PATH,
    REPO_ROOT,
    RESULTS_DIR,
    back_up_and_change,
    cpu_seconds,
    module_counts,
    node_pids,
    run_playbook,
    running_lab,
    runs_since,
)

PLAYBOOK = REPO_ROOT / "playbooks" / "restore.yml"
RESULTS = RESULTS_DIR / "restore_scaling.json"
# Seconds, per emulated operation (docs/lab.md, latencies).
LATENCIES = {"service_stop": 2.0, "service_start": 2.0, "restore": 3.0}
# The critical path the latencies alone put on a restore: stop the nodes (in parallel),
# restore, start the restoring node, start the others (in parallel).
LATENCY_PATH = LATENCIES["service_stop"] + LATENCIES["restore"] + 2 * LATENCIES["service_start"]


@dataclass(frozen=True)
class StepSpans:
    """Seconds from the first module run of a step to the end of its last, on the nodes."""

    stop: float
    restore: float
    start_restoring: float
    start_others: float
    # For the parallel steps: the longest single run (the node's own time, latency
    # included), and how far apart the runs began (Ansible's dispatch to N hosts).
    stop_longest_run: float
    stop_start_spread: float
    start_others_longest_run: float
    start_others_start_spread: float

    @property
    def critical_path(self) -> float:
        return round(self.stop + self.restore + self.start_restoring + self.start_others, 2)


@dataclass(frozen=True)
class RestoreFigures:
    nodes: int
    forks: int
    rc: int
    wall_seconds: float
    critical_path_seconds: float
    spans: StepSpans
    module_runs: int
    # Module runs one after another, a step on several nodes at once counting one
    # (sequential_runs).
    sequential_module_runs: int
    module_runs_by_module: dict[str, int]
    latency_path_seconds: float
    # The restore run's wall time less the latencies on its path.
    overhead_seconds: float
    # CPU-seconds of the node processes during the run, per module run.
    lab_cpu_per_module_run: float


def restore_runs(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The runs of the cluster_restore restore phase."""
    return [r for r in runs if r["module"].endswith("cluster_restore") and r["phase"] == "restore"]


def restoring_node(runs: list[dict[str, Any]]) -> str | None:
    """The node of the cluster_restore restore phase."""
    restores = restore_runs(runs)
    return restores[0]["node"] if restores else None


def sequential_runs(runs: list[dict[str, Any]]) -> int:
    """The module runs on the restore's path one after another, a step on several nodes at
    once counting one: in time order, a run starts a new step when its module or phase
    differs from the step's, when its node already ran in the step (another round of the
    wait's reads), or when it is the start of the other nodes after the restoring node's."""
    restoring = restoring_node(runs)
    count, current, nodes = 0, None, set()
    for run in sorted(runs, key=lambda r: r["time"]):
        first_start = run["module"].endswith("cluster_node") and run["node"] == restoring
        step = (run["module"], run.get("phase"), first_start)
        if step != current or run["node"] in nodes:
            count, current, nodes = count + 1, step, set()
        nodes.add(run["node"])
    return count


def span(runs: list[dict[str, Any]]) -> float:
    if not runs:
        return 0.0
    return round(max(r["time"] + r["duration"] for r in runs) - min(r["time"] for r in runs), 2)


def longest(runs: list[dict[str, Any]]) -> float:
    return round(max((r["duration"] for r in runs), default=0.0), 2)


def spread(runs: list[dict[str, Any]]) -> float:
    starts = [r["time"] for r in runs]
    return round(max(starts) - min(starts), 2) if starts else 0.0


def step_spans(runs: list[dict[str, Any]]) -> StepSpans:
    """The parallel steps' spans: the stop is every win_service run, the restore the
    cluster_restore restore phase, the starts the cluster_node runs on the restoring node
    and on the others."""
    restores = restore_runs(runs)
    restoring = restores[0]["node"] if restores else None
    starts = [r for r in runs if r["module"].endswith("cluster_node")]
    stops = [r for r in runs if r["module"] == "ansible.windows.win_service"]
    others = [r for r in starts if r["node"] != restoring]
    return StepSpans(
        stop=span(stops),
        restore=span(restores),
        start_restoring=span([r for r in starts if r["node"] == restoring]),
        start_others=span(others),
        stop_longest_run=longest(stops),
        stop_start_spread=spread(stops),
        start_others_longest_run=longest(others),
        start_others_start_spread=spread(others),
    )


def measure(size: int, workdir: Path) -> RestoreFigures:
    with running_lab(size, workdir, LATENCIES) as lab:
        back_up_and_change(lab, workdir)
        extra = {"backup_path": BACKUP_PATH, "force": True, "restore_consent": True}
        pids = node_pids(lab)
        cpu_before = cpu_seconds(pids)
        started = time.time()
        run = run_playbook(lab, PLAYBOOK, size, extra)
        wall = time.time() - started
        lab_cpu = cpu_seconds(pids) - cpu_before
        if run.returncode != 0:
            print(run.stdout[-4000:], run.stderr[-2000:], file=sys.stderr)
        runs = runs_since(lab, started)
    spans = step_spans(runs)
    return RestoreFigures(
        nodes=size,
        forks=size,
        rc=run.returncode,
        wall_seconds=round(wall, 2),
        critical_path_seconds=spans.critical_path,
        spans=spans,
        module_runs=len(runs),
        sequential_module_runs=sequential_runs(runs),
        module_runs_by_module=module_counts(runs),
        latency_path_seconds=LATENCY_PATH,
        overhead_seconds=round(wall - LATENCY_PATH, 2),
        lab_cpu_per_module_run=round(lab_cpu / len(runs), 4) if runs else 0.0,
    )


def table(figures: list[RestoreFigures]) -> str:
    header = (
        "nodes",
        "forks",
        "rc",
        "wall s",
        "stop s",
        "restore s",
        "start 1st s",
        "start others s",
        "(longest run, spread)",
        "critical path s",
        "overhead s",
        "module runs",
        "sequential",
        "lab CPU/run s",
    )
    rows = [header] + [
        (
            str(f.nodes),
            str(f.forks),
            str(f.rc),
            f"{f.wall_seconds:.1f}",
            f"{f.spans.stop:.1f}",
            f"{f.spans.restore:.1f}",
            f"{f.spans.start_restoring:.1f}",
            f"{f.spans.start_others:.1f}",
            f"({f.spans.start_others_longest_run:.1f}, {f.spans.start_others_start_spread:.1f})",
            f"{f.critical_path_seconds:.1f}",
            f"{f.overhead_seconds:.1f}",
            str(f.module_runs),
            str(f.sequential_module_runs),
            f"{f.lab_cpu_per_module_run:.3f}",
        )
        for f in figures
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join(
        "  ".join(v.rjust(w) for v, w in zip(row, widths, strict=True)) for row in rows
    )


def ratios(figures: list[RestoreFigures]) -> dict[str, float]:
    first, last = figures[0], figures[-1]
    return {
        "nodes": last.nodes / first.nodes,
        "wall": round(last.wall_seconds / first.wall_seconds, 3),
        "critical_path": round(last.critical_path_seconds / first.critical_path_seconds, 3),
        "module_runs": round(last.module_runs / first.module_runs, 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2, 4, 8, 16])
    args = parser.parse_args(argv)
    figures = []
    with tempfile.TemporaryDirectory(prefix="restore_scaling_") as workdir:
        for size in args.sizes:
            figures.append(measure(size, Path(workdir)))
            print(f"{size} nodes: {figures[-1].wall_seconds:.1f} s", file=sys.stderr)
    ratio = ratios(figures)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "benchmark": "restore_scaling",
                "latencies": LATENCIES,
                "latency_path_seconds": LATENCY_PATH,
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "runs": [
                    asdict(f) | {"critical_path_seconds": f.critical_path_seconds} for f in figures
                ],
                "ratio_largest_to_smallest": ratio,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(table(figures))
    first, last = figures[0].nodes, figures[-1].nodes
    print(
        f"{last} nodes / {first} nodes: critical path x{ratio['critical_path']:.2f}, "
        f"wall time x{ratio['wall']:.2f}, module runs x{ratio['module_runs']:.2f} "
        f"(latencies alone put {LATENCY_PATH:.0f} s on the critical path)"
    )
    print(f"figures written to {RESULTS.relative_to(REPO_ROOT)}")
    return 0 if all(f.rc == 0 for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
