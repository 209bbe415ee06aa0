"""What the restore role's and playbook's integration tests share: a backed-up lab, the
administrator's change, the cluster's state, the module runs the lab logged, and a watcher
that injects a fault at the moment a restore reaches a given point."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from playbook import REPO_ROOT, AnsibleRun, run_playbook
from wsfc_lab.lab import Lab
from wsfc_lab.world import ConfigChange

BACKUP_LOCATION = "\\\\FS01\\clusterbackups"
RESTORE_PLAYBOOK = REPO_ROOT / "playbooks" / "restore.yml"
# The record callback names a role's task "<role> : <task>".
ROLE = "wsfc.clusterdb.restore : "
REPORT_TASK = ROLE + "Report the restore, with a timeline per node"
# Module runs that change a node; everything else the role runs only reads.
CHANGING_RUNS = {
    ("ansible.windows.win_service", None),
    ("wsfc.clusterdb.cluster_node", None),
    ("wsfc.clusterdb.cluster_backup", "backup"),
    ("wsfc.clusterdb.cluster_backup", "finalize"),
    ("wsfc.clusterdb.cluster_restore", "restore"),
}
CHANGED_ADDRESS = "10.0.0.99"
BACKED_UP_ADDRESS = "10.0.0.50"  # tests/lab/examples/three-node.yml


def write_play(tmp_path: Path, name: str, hosts: str, tasks: list[dict[str, Any]]) -> Path:
    path = tmp_path / f"{name}_{time.monotonic_ns()}.yml"
    play = {"name": name, "hosts": hosts, "gather_facts": False, "tasks": tasks}
    path.write_text(yaml.safe_dump([play], sort_keys=False), encoding="utf-8")
    return path


def back_up(lab: Lab, tmp_path: Path, location: str = BACKUP_LOCATION) -> str:
    """One set of the running configuration under BACKUP_LOCATION, taken as the backup role
    takes it: on the node that owns the witness disk (the core group's owner), the one that
    reads the disk's partition offsets; returns its path."""
    with lab.world.transaction() as state:
        witness = state.witness
        node = state.disks[witness["disk"]]["owner_node"] if witness["type"] == "disk" else "NODE1"
    play = write_play(
        tmp_path,
        "backup",
        node,
        [{"name": "Back up", "wsfc.clusterdb.cluster_backup": {"path": location}}],
    )
    run = run_playbook(play, lab.inventory_path)
    assert run.rc == 0, run.output
    return str(run.of("Back up", node).result["set_path"])


def apply_role(lab: Lab, tmp_path: Path, **options: Any) -> AnsibleRun:
    """The restore role on every node, unattended, forced, restoring on NODE1; ``options``
    add or replace role variables (``_limit``: ansible-playbook's --limit)."""
    limit = options.pop("_limit", None)
    role_vars = {
        "restore_backup_path": BACKUP_LOCATION,
        "restore_force": True,
        "restore_consent": True,
        "restore_node": "NODE1",
        "restore_wait_delay": 1,
        **options,
    }
    play = tmp_path / f"restore_{time.monotonic_ns()}.yml"
    role = {"role": "wsfc.clusterdb.restore", "vars": role_vars}
    document = [{"name": "Restore", "hosts": "all", "gather_facts": False, "roles": [role]}]
    play.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return run_playbook(play, lab.inventory_path, limit=limit)


@contextmanager
def untouched(lab: Lab) -> Iterator[None]:
    """What runs inside changes no node: every node's state is as before, and no module run
    that changes a node was dispatched (the lab's execution log)."""
    before = nodes(lab)
    runs_before = len(executions(lab))
    yield
    assert nodes(lab) == before
    assert changing_runs(executions(lab)[runs_before:]) == []


def change_configuration(lab: Lab, address: str = CHANGED_ADDRESS) -> str:
    """An administrator changes a resource's parameter; returns the new PaxosTag."""
    return lab.change(
        ConfigChange("parameter", "set", "FileServer-01 IP", {"name": "Address", "value": address})
    )


def timed_restore_playbook(
    lab: Lab, tmp_path: Path, run: Callable[..., AnsibleRun]
) -> tuple[AnsibleRun, float]:
    """The restore playbook, forced, after a backup and the administrator's change, run by
    `run(playbook, **extra_vars)` (the connection under test); the run and its seconds."""
    back_up(lab, tmp_path)
    change_configuration(lab)
    started = time.monotonic()
    result = run(RESTORE_PLAYBOOK, backup_path=BACKUP_LOCATION, force=True, restore_consent=True)
    return result, time.monotonic() - started


def running_objects(lab: Lab) -> dict[str, Any] | None:
    """The configuration objects of the formed cluster's copy (None while not formed)."""
    state = lab.world.read()
    copy = state.cluster.cluster_copy()
    return copy["objects"] if copy else None


def ip_address(lab: Lab) -> str | None:
    objects = running_objects(lab)
    if objects is None:
        return None
    return objects["resources"]["FileServer-01 IP"]["parameters"]["Address"]


def nodes(lab: Lab) -> dict[str, tuple[str, str, str | None]]:
    """Each node's Cluster service, cluster state and PaxosTag."""
    return {n["name"]: (n["service"], n["state"], n["paxos_tag"]) for n in lab.status()["nodes"]}


def executions(lab: Lab) -> list[dict[str, Any]]:
    log = lab.lab_dir / "executions.jsonl"
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line]


def changing_runs(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        r
        for r in runs
        if (r["module"], None) in CHANGING_RUNS or (r["module"], r["phase"]) in CHANGING_RUNS
    ]


def restore(
    lab: Lab,
    *,
    force: bool = True,
    consent: bool | None = True,
    check: bool = False,
    diff: bool = False,
    **extra: Any,
) -> AnsibleRun:
    """The restore playbook as an operator runs it, non-interactively."""
    extra_vars: dict[str, Any] = {"backup_path": BACKUP_LOCATION, "force": force, **extra}
    if consent is not None:
        extra_vars["restore_consent"] = consent
    return run_playbook(
        RESTORE_PLAYBOOK, lab.inventory_path, extra_vars=extra_vars, check=check, diff=diff
    )


def outcomes(run: AnsibleRun, task: str) -> dict[str, str]:
    """Each host's outcome of a role task: changed, ok, skipped, failed or unreachable.

    A task of the role's step file runs once per step and is skipped outside its own: a
    host's outcome is its last run that was not skipped, else skipped."""
    found = {}
    ran = [r for r in run.records if ROLE + task in (r.task, r.action) and r.status != "skipped"]
    for host, record in (run.on_hosts(ROLE + task) | {r.host: r for r in ran}).items():
        changed = record.status == "ok" and record.result.get("changed")
        found[host] = "changed" if changed else record.status
    return found


def result_of(run: AnsibleRun, task: str, host: str = "NODE1") -> dict[str, Any]:
    """The host's last result of a role task that was not skipped (see outcomes), else
    its last."""
    ran = [
        r
        for r in run.records
        if r.host == host and ROLE + task in (r.task, r.action) and r.status != "skipped"
    ]
    return ran[-1].result if ran else run.of(ROLE + task, host).result


def restoring_host(run: AnsibleRun) -> str:
    """The host the plan chose to restore on (the plan is made once, for every host)."""
    return str(run.of(ROLE + "Plan the restore", "NODE1").result["plan"]["restoring_host"])


def changed_records(run: AnsibleRun) -> list[str]:
    return [f"{r.host}: {r.task}" for r in run.records if r.result.get("changed")]


def report(run: AnsibleRun) -> list[str]:
    return list(run.of(REPORT_TASK, "NODE1").result["msg"])


@contextmanager
def when(
    lab: Lab, condition: Callable[[Lab], bool], action: Callable[[Lab], None]
) -> Iterator[threading.Event]:
    """Runs `action` once `condition` holds (polled while the body runs); the event is set
    when it ran."""
    fired = threading.Event()
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            try:
                if condition(lab):
                    action(lab)
                    fired.set()
                    return
            except (OSError, ValueError):
                pass  # the state file is being replaced: look again
            time.sleep(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        yield fired
    finally:
        done.set()
        watcher.join(timeout=10)


def restore_in_progress(node: str) -> Callable[[Lab], bool]:
    def check(lab: Lab) -> bool:
        record = lab.world.peek()["nodes"][node].get("extensions", {}).get("restore", {})
        return record.get("status") == "in_progress"

    return check
