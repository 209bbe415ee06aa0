"""The restore role under a fault at every step: each step of the procedure times each kind
of fault the lab injects. The matrix is data (CASES): a new step or fault kind is one line.

For every case, whatever the first run did:
- nothing is lost: the set restored from is still complete, and a safety backup the report
  names exists;
- every node's state is reported truly: each node the recovery report describes is in the
  state the lab holds it in;
- the next command is named: the failure says what to run, per node;
- a re-run converges: once the fault is gone (a crashed node powered on again), running the
  same command again ends with every node Up on the backed-up configuration.

Every case starts from the same world: the three-node lab with one set of its configuration
under the backup location, then the administrator's change. Each pytest-xdist worker that
takes cases starts one lab, takes that set once and saves the world (labs.SavedWorld); each
case puts it back before it begins, so it finds the lab as a fresh one that took the set.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from labs import SavedWorld, example, running_lab
from playbook import AnsibleRun
from restore_scenarios import (
    BACKED_UP_ADDRESS,
    BACKUP_LOCATION,
    REPORT_TASK,
    back_up,
    change_configuration,
    executions,
    ip_address,
    nodes,
    restore_in_progress,
    when,
)
from restore_scenarios import apply_role as restore_role
from wsfc_lab.lab import Lab

ROLE = "wsfc.clusterdb.restore : "
REFUSAL_TASK = ROLE + "Stop here when the restore is refused (no node was changed)"
RECOVERY_TASK = ROLE + "Fail with the recovery report"
START_TIMEOUT = 4  # restore_start_timeout of the matrix: a slow start goes beyond it
SLOW_START = 9  # seconds a slow node takes to start its Cluster service
STALL_SECONDS = 2  # each reply of a stalled node (Step.stall) waits this long


Trigger = Callable[[Lab, int], bool]


def ran(module: str, node: str, phase: str | None = None) -> Trigger:
    """True once the lab logged a run of ``module`` (and ``phase``) on ``node`` after the
    first ``since`` runs (those before the restore: the backup the test took)."""

    def check(lab: Lab, since: int) -> bool:
        return any(
            r["module"] == module and r["node"] == node and (phase is None or r["phase"] == phase)
            for r in executions(lab)[since:]
        )

    return check


def ran_after(module: str, nodes_: tuple[str, ...], earlier: tuple[str, str]) -> Trigger:
    """True once the lab logged a run of ``module`` on one of ``nodes_`` after the run of
    ``earlier`` (module, node). The log has a line once a run has ended, before its reply
    reaches the controller: a fault fired on a step's own line can still land in that
    step, so a fault meant for the next step waits for a line of the next step."""

    def check(lab: Lab, since: int) -> bool:
        runs = executions(lab)[since:]
        first = next((i for i, r in enumerate(runs) if (r["module"], r["node"]) == earlier), None)
        return first is not None and any(
            r["module"] == module and r["node"] in nodes_ for r in runs[first + 1 :]
        )

    return check


def service_stopped(node: str) -> Trigger:
    return lambda lab, _since: nodes(lab)[node][0] == "stopped"


def restoring(node: str) -> Trigger:
    in_progress = restore_in_progress(node)
    return lambda lab, _since: in_progress(lab)


@dataclass(frozen=True)
class Step:
    """Where a fault of each kind goes for one step: the node, the operation a ``fail``
    fault makes fail (with its code), what a ``slow`` fault slows (a latency class and
    seconds), and when a crash or an unreachable node happens (None: before the run),
    with ``hold`` a latency that keeps the step running long enough to be caught in it;
    ``fail_early``: the ``fail`` fault is set before the run (the operation is used by this
    step only), else when the trigger fires; ``stall``: when the node's replies start to
    wait STALL_SECONDS each (a step too short to be caught in otherwise)."""

    name: str
    node: str
    operation: str
    code: int
    latency: tuple[str, float]
    trigger: Trigger | None
    hold: tuple[str, float] | None = None
    fail_early: bool = True
    stall: Trigger | None = None


# A slow step that has no timeout of its own: every WinRM reply of the node is delayed.
WINRM = "winrm"
BACKUP = "wsfc.clusterdb.cluster_backup"
RESTORE = "wsfc.clusterdb.cluster_restore"
NODE = "wsfc.clusterdb.cluster_node"
INFO = "wsfc.clusterdb.cluster_info"

# The restore runs on NODE1 (restore_node), which also takes the safety backup; NODE2 and
# NODE3 are the others.
STEPS = {
    "preflight": Step(
        "preflight", "NODE2", "Get-CimInstance Win32_OperatingSystem", 5, (WINRM, 1), None
    ),
    "safety_backup": Step(
        "safety_backup",
        "NODE1",
        "wbadmin start systemstatebackup",
        5,
        ("backup", 2),
        ran(BACKUP, "NODE1", "inspect"),
    ),
    "stop": Step(
        "stop",
        "NODE2",
        "Stop-Service ClusSvc",
        5,
        ("service_stop", 2),
        service_stopped("NODE3"),
    ),
    "restore": Step(
        "restore",
        "NODE1",
        "wbadmin start recovery",
        5086,
        ("restore", 2),
        restoring("NODE1"),
        ("restore", 2),
    ),
    "start_restoring": Step(
        "start_restoring",
        "NODE1",
        "Start-ClusterNode",
        5,
        ("service_start", SLOW_START),
        ran(RESTORE, "NODE1", "restore"),
    ),
    "start_others": Step(
        "start_others",
        "NODE2",
        "Start-ClusterNode",
        5,
        ("service_start", SLOW_START),
        ran(NODE, "NODE1"),
    ),
    "wait_up": Step(
        "wait_up",
        "NODE3",
        "Get-ClusterNode",
        5,
        (WINRM, 1),
        # The wait step has begun: another node read the cluster after NODE3 was started.
        ran_after(INFO, ("NODE1", "NODE2"), (NODE, "NODE3")),
        fail_early=False,
        # NODE3's one read of the wait step would end with the others', so NODE3 is slowed
        # from the end of the restoring node's start. A lab node looks at its faults every
        # 0.2 s (wsfc_lab.node.POLL_SECONDS); NODE3's read can begin 0.16 s after its own
        # start ends, so a stall set then could miss the read (it did once, under load).
        stall=ran(NODE, "NODE1"),
    ),
}
STEP_NAMES = list(STEPS)
KINDS = ("fail", "crash", "unreachable", "slow")
CASES = [(step, kind) for step in STEPS for kind in KINDS]


def apply_role(lab: Lab, tmp_path: Path) -> AnsibleRun:
    return restore_role(
        lab,
        tmp_path,
        restore_start_timeout=START_TIMEOUT,
        restore_wait_retries=4,
    )


def inject(lab: Lab, step: Step, kind: str) -> None:
    if kind == "fail":
        lab.inject("fail", step.node, operation=step.operation, code=step.code)
    elif kind == "crash":
        lab.kill_node(step.node)
    elif kind == "unreachable":
        lab.inject("unreachable", step.node)


def first_run(lab: Lab, tmp_path: Path, step: Step, kind: str) -> AnsibleRun:
    if kind == "slow":
        if step.latency[0] == WINRM:
            lab.inject("slow", step.node, seconds=step.latency[1])
        else:
            lab.set_latency(*step.latency)
        return apply_role(lab, tmp_path)
    if (kind == "fail" and step.fail_early) or step.trigger is None:
        inject(lab, step, kind)
        return apply_role(lab, tmp_path)
    if step.hold is not None:
        lab.set_latency(*step.hold)
    since = len(executions(lab))
    trigger = step.trigger
    stall = step.stall or (lambda _lab, _since: False)

    def fault(lab: Lab) -> None:
        inject(lab, step, kind)
        if step.stall is not None:
            # The step is caught: the rest of the run (its retries, the recovery) at speed.
            lab.inject("slow", step.node, seconds=0)

    with (
        when(
            lab,
            lambda lab: stall(lab, since),
            lambda lab: lab.inject("slow", step.node, seconds=STALL_SECONDS),
        ),
        when(lab, lambda lab: trigger(lab, since), fault) as fired,
    ):
        run = apply_role(lab, tmp_path)
    assert fired.is_set(), f"the {kind} fault at {step.name} never fired:\n{run.output}"
    return run


def failure_text(run: AnsibleRun) -> str:
    for task in (RECOVERY_TASK, REFUSAL_TASK):
        found = [r for r in run.records if r.task == task and r.status == "failed"]
        if found:
            return str(found[-1].result.get("msg"))
    failed = [r for r in run.records if r.status in ("failed", "unreachable")]
    return str(failed[-1].result.get("msg")) if failed else ""


def reported_states(text: str) -> dict[str, str]:
    """Node to the state the recovery report gives it ("- NODE2: node Up, Cluster ...")."""
    return dict(re.findall(r"^- (NODE\d): (.*?)\. Next:", text, flags=re.M))


def check_states_reported_truly(lab: Lab, text: str, unreachable: set[str]) -> None:
    actual = nodes(lab)
    for name, said in reported_states(text).items():
        if name in unreachable:
            assert said.startswith("cannot be reached"), (name, said)
            continue
        if said.startswith("state unknown (its facts could not be read"):
            continue  # it answered with a failure: its state is not known, and not claimed
        service, state, _tag = actual[name]
        assert said.startswith(f"node {state}, Cluster service {service}"), (name, said, actual)


def check_nothing_lost(lab: Lab, set_path: str, text: str) -> None:
    assert lab.world.resolve_path("NODE1", set_path + "\\manifest.json").is_file()
    for named in re.findall(r"(\\\\FS01\\\S+pre_restore\\\S+?)(?:[\s.,;)]|$)", text):
        assert lab.world.resolve_path("NODE1", named).exists(), named


OUTCOMES = Path(__file__).resolve().parents[1] / "output" / "restore_fault_matrix.jsonl"


def _record_outcome(step: str, kind: str, run: AnsibleRun, text: str) -> dict[str, Any]:
    """One line per case: how the first run ended (the closing counts are read from it)."""
    failed_at = re.search(r"The restore (?:failed|reported a failure) at step (\w+)", text)
    outcome = {
        "step": step,
        "kind": kind,
        "rc": run.rc,
        "refused": "The restore was refused" in text,
        "failed_at": failed_at.group(1) if failed_at else None,
    }
    OUTCOMES.parent.mkdir(parents=True, exist_ok=True)
    with OUTCOMES.open("a", encoding="utf-8") as log:
        log.write(json.dumps(outcome) + "\n")
    return outcome


@dataclass(frozen=True)
class BackedUp:
    """The worker's lab, the set it took and the world every case starts from."""

    lab: Lab
    set_path: str
    world: SavedWorld


@pytest.fixture(scope="module")
def backed_up(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackedUp]:
    root = tmp_path_factory.mktemp("restore_matrix")
    with running_lab(example("three-node"), root / "lab") as lab:
        # Where the backup role writes: the cluster's folder under the location, which the
        # restore finds by the cluster's name even when no node can tell it (the cluster
        # down).
        set_path = back_up(lab, root, BACKUP_LOCATION + "\\CLU01")
        change_configuration(lab)
        yield BackedUp(lab, set_path, SavedWorld(lab, root / "world"))


@pytest.mark.parametrize(("step_name", "kind"), CASES, ids=[f"{s}-{k}" for s, k in CASES])
def test_a_fault_at_a_step_loses_nothing_reports_truly_and_a_rerun_converges(
    backed_up: BackedUp, tmp_path: Path, step_name: str, kind: str
) -> None:
    backed_up.world.restore()
    lab = backed_up.lab
    set_path = backed_up.set_path
    step = STEPS[step_name]

    run = first_run(lab, tmp_path, step, kind)
    text = (
        failure_text(run) if run.rc != 0 else "\n".join(run.of(REPORT_TASK, "NODE1").result["msg"])
    )
    gone = {step.node} if kind in ("crash", "unreachable") else set()
    check_nothing_lost(lab, set_path, text)
    check_states_reported_truly(lab, text, gone)
    if run.rc != 0:
        assert text, run.output
        if reported_states(text):
            assert all("Next: " in line for line in text.splitlines() if line.startswith("- NODE"))
        else:
            # A refusal: nothing was changed, and it says what to do.
            assert "no node was changed" in text or "run the restore again" in text, text

    outcome = _record_outcome(step_name, kind, run, text)
    if (step_name, kind) == ("safety_backup", "fail"):
        # Access denied to the safety backup's folder: its way out is the restore's option.
        assert "restore_safety_backup_path" in text and "Windows error 5" in text, text
    if (step_name, kind) == ("preflight", "crash"):
        # A node that is down before the run, and that the cluster sees Down, is left alone
        # (docs/restore.md): the others are restored, the report says so, and the node takes
        # the restored copy when it joins (the re-run below, once it is powered on again).
        assert run.rc == 0, run.output
        assert f"Note: {step.node} cannot be reached and is Down: it is left alone" in text, text
        assert outcome["failed_at"] is None and not outcome["refused"], text
    elif kind in ("fail", "crash", "unreachable"):
        # The fault took effect: the run stopped, at the step or, for a fault that lands
        # as the step ends, at a later one (a refusal for the preflight's).
        assert run.rc != 0, run.output
        if step_name == "preflight":
            assert outcome["refused"] or outcome["failed_at"] is not None, text
        else:
            assert outcome["failed_at"] in STEP_NAMES[STEP_NAMES.index(step_name) :], text
    lab.clear_faults()
    for latency in (step.latency, step.hold):
        if latency is not None and latency[0] != WINRM:
            lab.set_latency(latency[0], 0)
    rerun = apply_role(lab, tmp_path)
    assert rerun.rc == 0, f"first run:\n{text}\n\nre-run:\n{rerun.output}"
    assert {s[:2] for s in nodes(lab).values()} == {("running", "Up")}
    assert ip_address(lab) == BACKED_UP_ADDRESS
