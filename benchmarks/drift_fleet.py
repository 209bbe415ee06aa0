"""Drift report benchmark: the drift playbook over a fleet of 8 lab clusters of 3 nodes.

Each cluster is a lab of its own (cluster DRIFTnn, nodes DnnN1..3, network 127.0.<110+n>.0),
and one inventory combines them, one group per cluster. The report is made to hold every
state but "not checked", with real ages: the backup playbook takes a set of every cluster;
after OLD_AGE seconds clusters 0, 4 and 7 are changed and the backup playbook runs again, so
that only they get a young set; then clusters 1, 3 and 6 drift (a parameter, a new group
and its resource, a network removed and a failover order), cluster 2 has a change undone (the
same objects in a newer version, so its old set is stale), and cluster 5's only set is
corrupted. The drift playbook then runs with drift_max_age MAX_AGE, once, and once more in
check mode. Measured: the wall time of each drift run and the module runs per cluster (each
lab's executions.jsonl). Not a test: the figures go to benchmarks/results/drift_fleet.json
and a table is printed. With --screenshot the HTML report is photographed by headless
Chromium (docs/images/drift-report.png is that picture).

    . scripts/bootstrap.sh && python benchmarks/drift_fleet.py [--clusters 8] [--screenshot PNG]
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
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml
from wsfc_lab.execution.execution_log import read_executions
from wsfc_lab.fleet import fleet_inventory, running_fleet
from wsfc_lab.lab import Lab
from wsfc_lab.ports import free_port_pair
from wsfc_lab.world import ConfigChange

REPO_ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = REPO_ROOT / "tests" / "lab" / "examples" / "three-node.yml"
BACKUP = REPO_ROOT / "playbooks" / "backup.yml"
DRIFT = REPO_ROOT / "playbooks" / "drift.yml"
RESULTS = REPO_ROOT / "benchmarks" / "results" / "drift_fleet.json"
FIRST_NETWORK = 110
BACKUP_PATH = r"\\fs01\clusterbackups"
MAX_FORKS = 64
# The old sets are at least OLD_AGE seconds old when the drift check runs, the young ones at
# most the second backup's duration and a few seconds: MAX_AGE lies between.
OLD_AGE = 120
MAX_AGE = "90s"


@dataclass(frozen=True)
class DriftRun:
    check_mode: bool
    rc: int
    wall_seconds: float
    module_runs: int
    module_runs_per_cluster: float
    max_module_runs_of_a_cluster: int
    states: dict[str, int]


def cluster_name(index: int) -> str:
    return f"DRIFT{index:02d}"


def cluster_spec(index: int) -> dict[str, Any]:
    """The three-node example as cluster DRIFTnn with nodes DnnN1..3, on free ports."""
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.replace("NODE", f"D{index:02d}N").replace("CLU01", cluster_name(index))
    spec = yaml.safe_load(text)
    spec["network"] = f"127.0.{FIRST_NETWORK + index}.0"
    base = spec["network"].rsplit(".", 1)[0]
    http, https = free_port_pair([f"{base}.{11 + i}" for i in range(3)] + [f"{base}.31"])
    spec["ports"] = {"http": http, "https": https}
    return spec


def playbook(playbook_path: Path, inventory: Path, size: int, extra: dict[str, Any],
             check: bool = False) -> tuple[subprocess.CompletedProcess[str], float]:  # fmt: skip
    env = dict(os.environ)
    env.setdefault("ANSIBLE_COLLECTIONS_PATH", str(REPO_ROOT / ".cache" / "collections"))
    env.setdefault("ANSIBLE_CONFIG", str(REPO_ROOT / "tests" / "ansible.cfg"))
    env["ANSIBLE_FORKS"] = str(min(MAX_FORKS, 3 * size))
    env["ANSIBLE_NOCOLOR"] = "1"
    command = [
        "ansible-playbook",
        "-i",
        str(inventory),
        str(playbook_path),
        "-e",
        json.dumps(extra),
    ]
    if check:
        command.append("--check")
    started = time.monotonic()
    completed = subprocess.run(
        command, env=env, capture_output=True, text=True, check=False, cwd=REPO_ROOT
    )
    return completed, time.monotonic() - started


def change(lab: Lab, kind: str, action: str, target: str, **fields: object) -> None:
    lab.change(ConfigChange(kind, action, target, fields))


def refresh_some(labs: list[Lab]) -> None:
    """Clusters 0, 4 and 7 changed, so that the second backup gives them a young set."""
    for index in (0, 4, 7):
        change(labs[index], "parameter", "set", "FileServer-01", name="Description", value="v2")


def make_drift(labs: list[Lab]) -> None:
    """Three clusters drift, one has a change undone, one's only set is corrupted."""
    change(labs[1], "parameter", "set", "FileServer-01 IP", name="Address", value="10.0.0.51")
    change(labs[1], "parameter", "set", "FileServer-01", name="DnsName", value="fs-renamed")
    change(labs[3], "group", "set", "SQL-Reporting", preferred_owners=["D03N2", "D03N3"])
    change(labs[3], "resource", "set", "SQL-Reporting IP", type="IP Address",
           group="SQL-Reporting")  # fmt: skip
    change(labs[6], "network", "remove", "Cluster Network 2")
    change(labs[6], "group", "set", "FileServer-01", preferred_owners=["D06N2", "D06N1"])
    change(labs[2], "parameter", "set", "FileServer-01", name="DnsName", value="undone")
    change(labs[2], "parameter", "set", "FileServer-01", name="DnsName", value="fileserver01")
    folder = f"{BACKUP_PATH}\\{cluster_name(5)}"
    sets = labs[5].world.resolve_path("D05N1", folder)
    (newest,) = [p.name for p in sets.iterdir() if p.is_dir()]
    labs[5].inject("corrupt", "D05N1", path=f"{folder}\\{newest}\\WindowsImageBackup")


def measure_run(labs: list[Lab], inventory: Path, reports: Path, check: bool) -> DriftRun:
    before = [len(read_executions(lab.lab_dir)) for lab in labs]
    completed, wall = playbook(
        DRIFT, inventory, len(labs),
        {"backup_path": BACKUP_PATH, "drift_report_dir": str(reports), "drift_max_age": MAX_AGE},
        check=check,
    )  # fmt: skip
    if completed.returncode != 0:
        sys.stderr.write(completed.stdout[-4000:] + completed.stderr[-2000:])
    per_cluster = [
        len(read_executions(lab.lab_dir)) - skip for lab, skip in zip(labs, before, strict=True)
    ]
    states: Counter[str] = Counter()
    report = reports / "drift-report.json"
    if not check and report.exists():
        document = json.loads(report.read_text(encoding="utf-8"))
        states.update(c["state"] for c in document["clusters"])
    return DriftRun(
        check, completed.returncode, round(wall, 2), sum(per_cluster),
        round(sum(per_cluster) / len(labs), 2), max(per_cluster), dict(sorted(states.items())),
    )  # fmt: skip


def screenshot(html: Path, png: Path) -> None:
    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("chromium is missing: run scripts/bootstrap.sh")
    with tempfile.TemporaryDirectory(prefix="drift-chromium-") as profile:
        subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--no-first-run", f"--user-data-dir={profile}", f"--screenshot={png}",
             "--window-size=1280,1600", html.as_uri()],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clusters", type=int, default=8)
    parser.add_argument("--screenshot", type=Path, help="write a screenshot of the HTML report")
    args = parser.parse_args(argv)
    if not 8 <= args.clusters <= 100:
        parser.error("between 8 clusters (every state the benchmark makes) and 100")
    with tempfile.TemporaryDirectory(prefix="drift-fleet-") as scratch:
        workdir = Path(scratch)
        with running_fleet(args.clusters, workdir, cluster_spec) as labs:
            inventory = fleet_inventory(labs, workdir / "fleet.yml")
            backup_wall = 0.0
            for step in range(2):
                if step:
                    time.sleep(OLD_AGE)
                    refresh_some(labs)
                backed_up, wall = playbook(
                    BACKUP, inventory, len(labs), {"backup_path": BACKUP_PATH}
                )
                backup_wall += wall
                if backed_up.returncode != 0:
                    sys.stderr.write(backed_up.stdout[-4000:])
                    return 1
            make_drift(labs)
            reports = workdir / "reports"
            runs = [
                measure_run(labs, inventory, reports, check=False),
                measure_run(labs, inventory, workdir / "check-reports", check=True),
            ]
            if args.screenshot:
                screenshot(reports / "drift-report.html", args.screenshot)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "benchmark": "drift_fleet",
                "playbook": "wsfc.clusterdb.drift",
                "clusters": args.clusters,
                "nodes_per_cluster": 3,
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "backup_wall_seconds": round(backup_wall, 2),
                "old_set_age_seconds_at_least": OLD_AGE,
                "max_age": MAX_AGE,
                "runs": [asdict(r) for r in runs],
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    header = (
        f"{'run':>6} {'rc':>3} {'wall s':>8} {'module runs':>11} {'per cluster':>11} {'max':>4}"
    )
    print(header)
    print("-" * len(header))
    for run in runs:
        label = "check" if run.check_mode else "normal"
        print(
            f"{label:>6} {run.rc:>3} {run.wall_seconds:>8.2f} {run.module_runs:>11} "
            f"{run.module_runs_per_cluster:>11.2f} {run.max_module_runs_of_a_cluster:>4}"
        )
    print(f"states: {runs[0].states}")
    print(f"\nwritten to {RESULTS.relative_to(REPO_ROOT)}")
    return 0 if all(r.rc == 0 for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
