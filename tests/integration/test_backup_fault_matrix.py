"""The backup role under a fault at every step: each step of a backup through the temporary
share, to two destinations and the controller, times each kind of fault the lab injects.
The matrix is data (CASES), one line per case.

For every case, whatever the first run did:
- no set is lost: the newest complete set each destination held before is still complete;
- the report is true: what the final message says exists (the new set and where it is
  complete, the sets untouched, the share removed or left) is what the lab holds;
- the next command is named: the message ends with "Next:", and what it names (the share's
  removal, backup_refresh_copies) is what the test runs;
- a re-run converges: once the fault is gone (a crashed node powered on again), running the
  backup again ends ok with a complete set of the current configuration at every
  destination, the controller included, and no share left.

One lab serves the whole module (each case starts from the sets the one before left); under
pytest-xdist each worker that takes cases starts its own, so cases run two at a time there.
The counts (cases tried, cases that survived with a converging re-run) are printed and
written to tests/output/backup_fault_matrix.jsonl.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from backup_runs import (
    CLUSTER,
    PRIMARY,
    SHARE,
    STAGING_DIR,
    apply_role,
    change_configuration,
    complete_sets,
    failure_message,
    folder,
    removal_command,
    run_removal,
    sets_in,
    shares_named,
    summary,
)
from labs import example, running_lab
from playbook import AnsibleRun
from wsfc_lab.execution.execution_log import read_executions
from wsfc_lab.lab import Lab

pytestmark = pytest.mark.slow

OFFSITE = PRIMARY + "\\offsite"
PRIMARY_FOLDER = PRIMARY + "\\" + CLUSTER
OFFSITE_FOLDER = OFFSITE + "\\" + CLUSTER
KEEP = 2  # retention removes one set a run once the destinations hold two
# The connection's timeouts for the matrix: a node slower than this is lost.
READ_TIMEOUT = 5
SLOW_REPLY = 8
CLEANUP_WAIT = 4
OUTCOMES = Path(__file__).resolve().parents[1] / "output" / "backup_fault_matrix.jsonl"


@dataclass
class Run:
    """What a case knows while its first run goes: the lab's log position at the start,
    the sets each destination held, the controller's folder."""

    lab: Lab
    since: int
    before: dict[str, set[str]]
    controller: Path
    fired_on: list[str] = field(default_factory=list)

    def backup_node(self) -> str | None:
        """The node that took this run's backup (its backup phase), once it did."""
        for entry in read_executions(self.lab.lab_dir)[self.since :]:
            if entry["module"] == "wsfc.clusterdb.cluster_backup" and entry["phase"] == "backup":
                return str(entry["node"])
        return None

    def new_complete(self, where: str) -> bool:
        """Whether a set the run wrote is complete at a destination."""
        if where == "controller":
            found = controller_sets(self.controller)
        else:
            found = complete_sets(self.lab, where)
        return bool(found - self.before[where])


def controller_sets(root: Path) -> set[str]:
    folder_ = root / CLUSTER
    if not folder_.is_dir():
        return set()
    return {p.name for p in folder_.iterdir() if (p / "backup.complete").is_file()}


def wbadmin_node(lab: Lab) -> str | None:
    running = lab.world.peek().get("extensions", {}).get("wbadmin", {}).get("running")
    return str(running["node"]) if running else None


# A trigger says when the step has begun and on which node: None until then.
Trigger = Callable[[Run], str | None]


def taking(run: Run) -> str | None:
    return wbadmin_node(run.lab)


def after(condition: Callable[[Run], bool]) -> Trigger:
    def trigger(run: Run) -> str | None:
        node = run.backup_node()
        return node if node is not None and condition(run) else None

    return trigger


def backed_up(run: Run) -> bool:
    return any(
        e["module"] == "wsfc.clusterdb.cluster_backup" and e["phase"] == "finalize"
        for e in read_executions(run.lab.lab_dir)[run.since :]
    )


def fetching(run: Run) -> bool:
    folder_ = run.controller / CLUSTER
    return folder_.is_dir() and any(
        p.name not in run.before["controller"] for p in folder_.iterdir() if p.is_dir()
    )


def staged_set_removed(run: Run) -> bool:
    """The run's new set verified at the controller and gone from the share's folder of
    the backup node (earlier cases may have left other sets there)."""
    node = run.backup_node()
    new = complete_sets(run.lab, PRIMARY_FOLDER) - run.before[PRIMARY_FOLDER]
    if node is None or not new or not run.new_complete("controller"):
        return False
    staged = {s.name for s in sets_in(run.lab, STAGING_DIR, node)}
    return not new & staged


def retention_done(run: Run) -> bool:
    primary = complete_sets(run.lab, PRIMARY_FOLDER)
    return run.new_complete(PRIMARY_FOLDER) and len(primary) <= KEEP and staged_set_removed(run)


def fail(operation: str, code: int) -> Callable[[Lab], None]:
    return lambda lab: lab.inject("fail", "*", operation=operation, code=code, count=1)


def disk_full(path: str) -> Callable[[Lab], None]:
    return lambda lab: lab.inject("disk_full", "NODE1", path=path, budget=0)


@dataclass(frozen=True)
class Step:
    """How each kind of fault reaches one step: `failing` sets the fault that makes the
    step fail with a Windows code, `now` says when the step has begun (the moment for a
    crash, an unreachable or a slow node), `at_start` whether the code fault is set at
    that moment rather than before the run, `hold` a latency that keeps the step going
    long enough to be caught in it."""

    failing: Callable[[Lab], None]
    now: Trigger
    hold: tuple[str, float]
    at_start: bool = False


STEPS = {
    "take": Step(fail("wbadmin start systemstatebackup", 112), taking, ("backup", 2.0)),
    "copy-primary": Step(disk_full(PRIMARY_FOLDER), after(backed_up), ("Copy-Item", 0.3)),
    "copy-offsite": Step(
        disk_full(OFFSITE),
        after(lambda run: run.new_complete(PRIMARY_FOLDER)),
        ("Copy-Item", 0.3),
    ),
    # The fetch reads each file with slurp under become (ReadAllBytes in the lab), and the
    # first file fetched is what the trigger sees: the code fault hits the next one.
    "controller-copy": Step(
        fail("ReadAllBytes", 5), after(fetching), ("ReadAllBytes", 0.3), at_start=True
    ),
    "retention": Step(
        fail("Remove-Item", 5), after(staged_set_removed), ("Remove-Item", 0.8), at_start=True
    ),
    "share-removal": Step(
        fail("Remove-SmbShare", 5), after(retention_done), ("Remove-SmbShare", 1.0)
    ),
}

CASES = [
    ("take", "fail"),
    ("take", "crash"),
    ("take", "unreachable"),
    ("take", "slow"),
    ("copy-primary", "fail"),
    ("copy-primary", "crash"),
    ("copy-primary", "unreachable"),
    ("copy-primary", "slow"),
    ("copy-offsite", "fail"),
    ("copy-offsite", "crash"),
    ("copy-offsite", "unreachable"),
    ("copy-offsite", "slow"),
    ("controller-copy", "fail"),
    ("controller-copy", "crash"),
    ("controller-copy", "unreachable"),
    ("controller-copy", "slow"),
    ("retention", "fail"),
    ("retention", "crash"),
    ("retention", "unreachable"),
    ("retention", "slow"),
    ("share-removal", "fail"),
    ("share-removal", "crash"),
    ("share-removal", "unreachable"),
    ("share-removal", "slow"),
]


def role_vars(controller: Path, **extra: Any) -> dict[str, Any]:
    return {
        "backup_path": PRIMARY,
        "backup_destinations": [OFFSITE],
        "backup_controller_dir": str(controller),
        "backup_temporary_share": True,
        "backup_loopback_target": True,
        "backup_retention_keep": KEEP,
        "backup_share_cleanup_wait": CLEANUP_WAIT,
        "ansible_winrm_read_timeout_sec": READ_TIMEOUT,
        "ansible_winrm_operation_timeout_sec": READ_TIMEOUT - 2,
        **extra,
    }


class Matrix:
    """The module's lab, its controller folder, and the outcome of every case."""

    def __init__(self, lab: Lab, controller: Path, tmp: Path) -> None:
        self.lab = lab
        self.controller = controller
        self.tmp = tmp
        self.addresses = iter(f"10.0.{n // 250}.{n % 250 + 1}" for n in range(1000))
        self.outcomes: list[dict[str, Any]] = []

    def back_up(self, **extra: Any) -> AnsibleRun:
        return apply_role(self.lab, self.tmp, **role_vars(self.controller, **extra))

    def change(self) -> None:
        change_configuration(self.lab, next(self.addresses))


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Matrix]:
    root = tmp_path_factory.mktemp("backup_matrix")
    with running_lab(example("three-node"), root / "lab") as lab:
        state = Matrix(lab, root / "controller", root)
        # Two sets at every destination, so that every run's retention removes one.
        for _set in range(KEEP):
            state.change()
            run = state.back_up()
            assert run.rc == 0, failure_message(run) or run.output
        yield state
        tried = len(state.outcomes)
        survived = sum(1 for o in state.outcomes if o["converged"])
        line = (
            f"backup fault matrix: {tried} case(s) tried, "
            f"{survived} survived with a converging re-run"
        )
        print("\n" + line)
        OUTCOMES.parent.mkdir(parents=True, exist_ok=True)
        with OUTCOMES.open("a", encoding="utf-8") as log:
            for outcome in state.outcomes:
                log.write(json.dumps(outcome) + "\n")
            log.write(json.dumps({"tried": tried, "survived": survived}) + "\n")


def destinations(controller: Path) -> dict[str, set[str]]:
    return {
        PRIMARY_FOLDER: set(),
        OFFSITE_FOLDER: set(),
        "controller": controller_sets(controller),
    }


def held(lab: Lab, controller: Path) -> dict[str, set[str]]:
    found = destinations(controller)
    found[PRIMARY_FOLDER] = complete_sets(lab, PRIMARY_FOLDER)
    found[OFFSITE_FOLDER] = complete_sets(lab, OFFSITE_FOLDER)
    return found


def inject(lab: Lab, step: Step, kind: str, node: str) -> None:
    if kind == "fail":
        step.failing(lab)
    elif kind == "crash":
        lab.inject("crash", node)
    elif kind == "unreachable":
        lab.inject("unreachable", node)
    elif kind == "slow":
        lab.inject("slow", node, seconds=SLOW_REPLY)


def first_run(matrix: Matrix, step: Step, kind: str, run: Run) -> AnsibleRun:
    lab = matrix.lab
    lab.set_latency(*step.hold)
    if kind == "fail" and not step.at_start:
        step.failing(lab)
        return matrix.back_up()
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            try:
                node = step.now(run)
            except (OSError, ValueError):
                node = None  # a file being written or replaced: look again
            if node is not None:
                inject(lab, step, kind, node)
                run.fired_on.append(node)
                return
            time.sleep(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        return matrix.back_up()
    finally:
        done.set()
        watcher.join(timeout=10)


def check_report(lab: Lab, message: str, before: dict[str, set[str]]) -> None:
    """What the message says exists is what the lab holds."""
    if f"the temporary share {SHARE} was removed" in message:
        assert shares_named(lab) == {}, message
    elif "is still there" in message:
        left_on = message.split(" that this run created on ", 1)[1].split(" ", 1)[0]
        assert left_on in shares_named(lab), message
    else:
        assert shares_named(lab) == {}, message
    if " is complete and verified at " in message:
        name = message.split("The new set ", 1)[1].split(" ", 1)[0]
        for where in (PRIMARY_FOLDER, OFFSITE_FOLDER):
            assert name in complete_sets(lab, where), (where, message)
    if "its copies that were not verified were removed" in message:
        name = message.split("The new set ", 1)[1].split(" ", 1)[0]
        for where in (PRIMARY_FOLDER, OFFSITE_FOLDER):
            assert name not in {s.name for s in sets_in(lab, where)}, (where, message)
    if "The sets that were already at each destination are untouched" in message:
        for where in (PRIMARY_FOLDER, OFFSITE_FOLDER):
            assert before[where] <= complete_sets(lab, where), (where, message)
    if "Retention had begun: of the sets it gives up (" in message:
        given_up = message.split("Retention had begun: of the sets it gives up (", 1)[1]
        given_up = given_up.split(") some may still be there", 1)[0]
        for where in (PRIMARY_FOLDER, OFFSITE_FOLDER):
            kept = {n for n in before[where] if n not in given_up}
            assert kept <= complete_sets(lab, where), (where, message)


def check_nothing_lost(lab: Lab, controller: Path, before: dict[str, set[str]]) -> None:
    now = held(lab, controller)
    for where, names in before.items():
        if names:
            assert max(names) in now[where], (where, sorted(names), sorted(now[where]))


@pytest.mark.parametrize(("step_name", "kind"), CASES, ids=[f"{s}-{k}" for s, k in CASES])
def test_a_fault_at_a_step_loses_no_set_reports_truly_and_a_rerun_converges(
    matrix: Matrix, step_name: str, kind: str
) -> None:
    lab = matrix.lab
    step = STEPS[step_name]
    outcome: dict[str, Any] = {"step": step_name, "kind": kind, "converged": False}
    matrix.outcomes.append(outcome)
    matrix.change()
    before = held(lab, matrix.controller)
    run = Run(lab, len(read_executions(lab.lab_dir)), before, matrix.controller)

    first = first_run(matrix, step, kind, run)
    outcome["rc"] = first.rc
    if kind != "fail" or step.at_start:
        assert run.fired_on, f"the {kind} fault at {step_name} never fired:\n{first.output}"

    if kind == "fail":
        # A code fault always meets its step: a run that ends ok did not exercise it.
        assert first.rc != 0, f"the {step_name} step did not fail:\n{first.output}"
    check_nothing_lost(lab, matrix.controller, before)
    message = failure_message(first)
    if first.rc == 0:
        # The fault came too late to matter: the run's own report must then be whole.
        assert summary(first)["set_name"] in complete_sets(lab, PRIMARY_FOLDER)
        assert shares_named(lab) == {}
    else:
        assert message is not None, first.output
        outcome["message"] = message
        check_report(lab, message, before)
        assert "Next: " in message, message

    # The fault goes, as an operator would make it go; then what the message names.
    lab.clear_faults()
    lab.set_latency(step.hold[0], 0)
    extra: dict[str, Any] = {}
    if message is not None and "from the controller: ansible " in message:
        removal = run_removal(lab, removal_command(message))
        assert removal.rc == 0, removal.output
    if message is not None and "backup_refresh_copies=true" in message:
        extra["backup_refresh_copies"] = True
    rerun = matrix.back_up(**extra)
    assert rerun.rc == 0, (
        f"first run:\n{message}\n\nre-run:\n{failure_message(rerun) or rerun.output}"
    )
    name = summary(rerun)["set_name"]
    for where in (PRIMARY_FOLDER, OFFSITE_FOLDER):
        assert name in complete_sets(lab, where), where
    assert name in controller_sets(matrix.controller)
    assert shares_named(lab) == {}
    # The set holds the configuration the cluster runs now.
    manifest = json.loads(
        (folder(lab, PRIMARY_FOLDER + "\\" + name) / "manifest.json").read_text(encoding="utf-8")
    )
    assert manifest["configuration_version"]["paxos_tag"] == lab.status()["cluster"]["paxos_tag"]
    outcome["converged"] = True
