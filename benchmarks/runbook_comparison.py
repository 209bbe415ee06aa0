"""Runbook comparison benchmark: the collection's restore against a serial runbook of plain
ansible.windows tasks, on the same lab cluster, at 2, 4, 8 and 16 nodes.

The cluster is restore_scaling.py's (benchmarks/_lab_cluster.py) with its latencies: the
Cluster service takes 2 s to stop and 2 s to start, the restore 3 s. It is backed up once;
then, several times per size and alternating, the configuration is changed and restored:

- collection: playbooks/restore.yml, as restore_scaling.py runs it (forks = N), naming the
  set (restore_set) so that both restore the same one; its safety backup stays on, as
  by default;
- runbook: what an operator might write without the collection. Stop the Cluster service
  on each node in turn (ansible.windows.win_service, serial: 1); on the node whose backup it
  is, the authoritative restore with the wbadmin command line cluster_restore.ps1 builds
  (wbadmin start recovery -version:<v> -itemType:App -items:cluster -backupTarget:<t>
  -machine:<node> -quiet, through ansible.windows.win_command); start the Cluster service
  on each node in turn, the restored node first (the start order of
  docs/windows-behaviour.md#wbadmin-start-recovery). The version is the one `wbadmin get
  versions` lists at the set, found before the clock starts, as an operator has it.

The lab emulates win_service but not ansible.windows.win_command (nor a native program
through raw): that one task cannot run against it. The runbook is therefore run with that
task replaced by a hand-off: a play on the controller touches a file, the benchmark runs
the same command line through the lab's wbadmin (wsfc_lab.world.wbadmin, what the
collection's module reaches through its native-command util), with the same latencies, and
the play goes on when it is done. That run has no WinRM round trip for the restore task
and three controller tasks instead; the runbook as written is saved next to the figures
(benchmarks/results/runbook.yml).

Each run is checked: the restored configuration (the address changed after the backup is
back to the backed-up one) and every node Up. Measured: wall time per run; per size the
median of each and the ratio collection / runbook. Not a test: the figures go to
benchmarks/results/runbook_comparison.json and a table is printed.

    . scripts/bootstrap.sh && python benchmarks/runbook_comparison.py [--sizes 2 4 8 16]
        [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml
from _lab_cluster import (
    BACKUP_PATH,
    CLUSTER_NAME,
    REPO_ROOT,
    RESULTS_DIR,
    SET_FOLDER,
    ansible_env,
    back_up_and_change,
    change_address,
    run_playbook,
    running_lab,
)
from wsfc_lab.lab import Lab
from wsfc_lab.world import UP, wbadmin_recovery
from wsfc_lab.world.wbadmin import WBADMIN_PATH, run_wbadmin

RESULTS = RESULTS_DIR / "runbook_comparison.json"
RUNBOOK_AS_WRITTEN = RESULTS_DIR / "runbook.yml"
PLAYBOOK = REPO_ROOT / "playbooks" / "restore.yml"
LATENCIES = {"service_stop": 2.0, "service_start": 2.0, "restore": 3.0}
BACKED_UP_ADDRESS = "10.0.0.50"  # FileServer-01 IP in the example, when it is backed up
RESTORING_NODE = "NODE1"  # the node that made the backup, first in the inventory
USER = "Administrator"  # the lab's WinRM account
HANDOFF_TIMEOUT = 600
# wbadmin's verbs are registered by the modules that implement them: `start recovery` here.
RECOVERY_VERB = wbadmin_recovery.start_recovery


@dataclass(frozen=True)
class RunFigures:
    kind: str  # collection | runbook
    round: int
    rc: int
    wall_seconds: float
    restored: bool  # the backed-up configuration is back and every node is Up


@dataclass(frozen=True)
class SizeFigures:
    nodes: int
    runs: list[RunFigures]

    def median(self, kind: str) -> float:
        return round(statistics.median(r.wall_seconds for r in self.runs if r.kind == kind), 2)

    @property
    def ratio(self) -> float:
        """Collection wall time over runbook wall time (medians): below 1, the collection
        is faster."""
        return round(self.median("collection") / self.median("runbook"), 3)

    @property
    def all_restored(self) -> bool:
        return all(r.rc == 0 and r.restored for r in self.runs)


def recovery_command(lab: Lab) -> list[str]:
    """The command line cluster_restore.ps1 builds for the set: wbadmin.exe and its
    arguments, with the version `wbadmin get versions` lists at the set's folder."""
    sets = lab.lab_dir / "fs" / "FS01" / "C" / "Shares" / "clusterbackups" / CLUSTER_NAME
    names = sorted(p.name for p in sets.iterdir() if p.is_dir())
    target = f"{SET_FOLDER}\\{names[-1]}"
    listing = run_wbadmin(
        lab.world,
        RESTORING_NODE,
        USER,
        ["get", "versions", f"-backupTarget:{target}", f"-machine:{RESTORING_NODE}"],
    )
    versions = [
        line.split(":", 1)[1].strip()
        for line in listing.lines
        if line.startswith("Version identifier:")
    ]
    if listing.exit_code != 0 or not versions:
        raise RuntimeError("wbadmin get versions: " + "\n".join(listing.lines))
    return [
        WBADMIN_PATH,
        "start",
        "recovery",
        f"-version:{versions[-1]}",
        "-itemType:App",
        "-items:cluster",
        f"-backupTarget:{target}",
        f"-machine:{RESTORING_NODE}",
        "-quiet",
    ]


def set_name(command: list[str]) -> str:
    """The set's name: the last part of the command's -backupTarget."""
    target = next(a for a in command if a.startswith("-backupTarget:"))
    return target.rsplit("\\", 1)[-1]


def runbook(command: list[str], handoff: Path | None) -> list[dict[str, Any]]:
    """The serial runbook; with `handoff`, its win_command task is the hand-off to the
    benchmark (see the module's docstring)."""
    service = "ansible.windows.win_service"
    stop = {
        "name": "Stop the Cluster service on each node in turn",
        "hosts": "windows",
        "serial": 1,
        "gather_facts": False,
        "tasks": [{"name": "Stop ClusSvc", service: {"name": "ClusSvc", "state": "stopped"}}],
    }
    recover: dict[str, Any] = {
        "name": f"Restore the cluster database on {RESTORING_NODE}",
        "hosts": RESTORING_NODE,
        "gather_facts": False,
        "tasks": [
            {
                "name": "wbadmin start recovery (authoritative restore of the cluster)",
                "ansible.windows.win_command": {"argv": command},
            }
        ],
    }
    if handoff is not None:
        recover = {
            "name": f"Restore the cluster database on {RESTORING_NODE} (run by the benchmark)",
            "hosts": "localhost",
            "connection": "local",
            "gather_facts": False,
            "tasks": [
                {"ansible.builtin.file": {"path": str(handoff / "stopped"), "state": "touch"}},
                {
                    "ansible.builtin.wait_for": {
                        "path": str(handoff / "restored"),
                        "timeout": HANDOFF_TIMEOUT,
                    }
                },
                {
                    "ansible.builtin.assert": {
                        "that": [f"lookup('file', '{handoff / 'restored'}') == '0'"],
                        "fail_msg": "wbadmin start recovery failed (see the benchmark's output)",
                    }
                },
            ],
        }
    start = {
        "name": f"Start the Cluster service on each node in turn, {RESTORING_NODE} first",
        "hosts": "windows",
        "serial": 1,
        "gather_facts": False,
        "tasks": [{"name": "Start ClusSvc", service: {"name": "ClusSvc", "state": "started"}}],
    }
    return [stop, recover, start]


def run_runbook(lab: Lab, command: list[str], workdir: Path, forks: int) -> tuple[int, float]:
    """The runbook with the hand-off; its exit code and wall time."""
    handoff = Path(tempfile.mkdtemp(prefix="handoff_", dir=workdir))
    play = workdir / "runbook_run.yml"
    play.write_text(yaml.safe_dump(runbook(command, handoff), sort_keys=False), encoding="utf-8")
    started = time.time()
    process = subprocess.Popen(
        ["ansible-playbook", "-i", str(lab.inventory_path), str(play)],
        env=ansible_env(forks),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    while process.poll() is None and not (handoff / "stopped").exists():
        time.sleep(0.02)
    if process.poll() is None:
        recovery = run_wbadmin(lab.world, RESTORING_NODE, USER, command[1:])
        if recovery.exit_code != 0:
            print("\n".join(recovery.lines), file=sys.stderr)
        (handoff / "restored").write_text(str(recovery.exit_code), encoding="utf-8")
    output, _unused = process.communicate()
    wall = time.time() - started
    if process.returncode != 0:
        print(output[-4000:], file=sys.stderr)
    return process.returncode, wall


def run_collection(lab: Lab, set_name: str, forks: int) -> tuple[int, float]:
    extra = {
        "backup_path": BACKUP_PATH,
        "force": True,
        "restore_consent": True,
        "restore_set": set_name,
    }
    started = time.time()
    run = run_playbook(lab, PLAYBOOK, forks, extra)
    wall = time.time() - started
    if run.returncode != 0:
        print(run.stdout[-4000:], run.stderr[-2000:], file=sys.stderr)
    return run.returncode, wall


def restored(lab: Lab) -> bool:
    with lab.world.transaction() as state:
        cluster = state.cluster
        database = cluster.cluster_copy()
        if database is None:
            return False
        address = database["objects"]["resources"]["FileServer-01 IP"]["parameters"]["Address"]
        every_node_up = all(cluster.node_state(n) == UP for n in state.node_names())
    return address == BACKED_UP_ADDRESS and every_node_up


def measure(size: int, rounds: int, workdir: Path) -> SizeFigures:
    runs: list[RunFigures] = []
    with running_lab(size, workdir, LATENCIES) as lab:
        back_up_and_change(lab, workdir)
        command = recovery_command(lab)
        RUNBOOK_AS_WRITTEN.parent.mkdir(parents=True, exist_ok=True)
        RUNBOOK_AS_WRITTEN.write_text(
            yaml.safe_dump(runbook(command, None), sort_keys=False), encoding="utf-8"
        )
        for number in range(rounds):
            for kind in ("collection", "runbook"):
                change_address(lab, f"10.0.0.{100 + len(runs)}")
                if kind == "collection":
                    rc, wall = run_collection(lab, set_name(command), size)
                else:
                    rc, wall = run_runbook(lab, command, workdir, size)
                runs.append(RunFigures(kind, number, rc, round(wall, 2), restored(lab)))
                print(f"{size} nodes, {kind} {number + 1}: {wall:.1f} s", file=sys.stderr)
    return SizeFigures(size, runs)


def table(figures: list[SizeFigures]) -> str:
    header = ("nodes", "collection s (median)", "runbook s (median)", "collection/runbook", "ok")
    rows = [header] + [
        (
            str(f.nodes),
            f"{f.median('collection'):.1f}",
            f"{f.median('runbook'):.1f}",
            f"{f.ratio:.2f}",
            "yes" if f.all_restored else "NO",
        )
        for f in figures
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join(
        "  ".join(v.rjust(w) for v, w in zip(row, widths, strict=True)) for row in rows
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2, 4, 8, 16])
    parser.add_argument("--rounds", type=int, default=3, help="runs of each, alternating")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="runbook_comparison_") as workdir:
        figures = [measure(size, args.rounds, Path(workdir)) for size in args.sizes]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "benchmark": "runbook_comparison",
        "latencies": LATENCIES,
        "rounds": args.rounds,
        "runbook_restore_step": "run by the benchmark through the lab's wbadmin: the lab does "
        "not emulate ansible.windows.win_command",
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "sizes": [
            {
                "nodes": f.nodes,
                "collection_median_seconds": f.median("collection"),
                "runbook_median_seconds": f.median("runbook"),
                "ratio_collection_to_runbook": f.ratio,
                "all_restored": f.all_restored,
                "runs": [asdict(r) for r in f.runs],
            }
            for f in figures
        ],
    }
    RESULTS.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(table(figures))
    print(f"figures written to {RESULTS.relative_to(REPO_ROOT)}")
    print(f"the runbook as written: {RUNBOOK_AS_WRITTEN.relative_to(REPO_ROOT)}")
    return 0 if all(f.all_restored for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
