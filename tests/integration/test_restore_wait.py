"""The restore's wait step (wait_up) when a node is not Up while the wait reads it.

The wait reads every node until it is Up, restore_wait_retries + 1 times at most. A node
whose Cluster service stops as the wait begins is Down for every read. ansible-core marks a
loop that runs out of retries failed without a message ("Action failed: Unknown error.")
although the node answered; the role must instead say what the wait saw and what to run,
and a node that comes Up once the wait gave up ends the restore without a failure.
"""

from __future__ import annotations

from pathlib import Path

from playbook import AnsibleRun, run_adhoc
from restore_scenarios import (
    BACKED_UP_ADDRESS,
    BACKUP_LOCATION,
    ROLE,
    apply_role,
    back_up,
    change_configuration,
    executions,
    ip_address,
    nodes,
    outcomes,
    report,
    when,
)
from wsfc_lab.lab import Lab

WAIT_TASK = "Read every node until it is Up"
STEP_FAILED_TASK = ROLE + "Stop when the step failed on a node"
RECOVERY_TASK = ROLE + "Fail with the recovery report"
RETRIES = 2  # restore_wait_retries: three reads of each node
SLOW = "NODE3"
NODE_MODULE = "wsfc.clusterdb.cluster_node"


def cluster_info_reads(lab: Lab, since: int) -> int:
    return sum(
        1
        for r in executions(lab)[since:]
        if r["module"] == "wsfc.clusterdb.cluster_info" and r["node"] == SLOW
    )


def restore_with_a_node_down_during_the_wait(
    lab: Lab, tmp_path: Path, *, up_again: bool
) -> AnsibleRun:
    """The role, with SLOW's Cluster service stopped as soon as the others' starts
    (start_others) have run, so that the wait reads it Down every time; with ``up_again``
    it is started again once the wait has read it for the last time, before the recovery
    reads it."""
    since = len(executions(lab))
    stopped_at: list[int] = []

    def started(lab: Lab) -> bool:
        # Both others started: stopping one of them before the other is Up would take the
        # cluster below quorum, which Stop-ClusterNode refuses.
        ran = {r["node"] for r in executions(lab)[since:] if r["module"] == NODE_MODULE}
        return {"NODE2", "NODE3"} <= ran

    def stop(lab: Lab) -> None:
        stopped_at.append(len(executions(lab)))
        lab.service(SLOW, "stop")

    def waited_out(lab: Lab) -> bool:
        return bool(stopped_at) and cluster_info_reads(lab, stopped_at[0]) >= RETRIES + 1

    def start(lab: Lab) -> None:
        if up_again:
            lab.service(SLOW, "start")

    with (
        when(lab, started, stop) as stopped,
        when(lab, waited_out, start) as read_out,
    ):
        run = apply_role(lab, tmp_path, restore_wait_retries=RETRIES)
    assert stopped.is_set() and read_out.is_set(), run.output
    return run


def prepare(lab: Lab, tmp_path: Path) -> None:
    back_up(lab, tmp_path, BACKUP_LOCATION + "\\CLU01")
    change_configuration(lab)


def test_a_node_up_only_after_the_wait_ends_the_restore_without_a_failure(
    three_node_lab: Lab, tmp_path: Path
) -> None:
    lab = three_node_lab
    prepare(lab, tmp_path)
    run = restore_with_a_node_down_during_the_wait(lab, tmp_path, up_again=True)

    assert "Unknown error" not in run.output, run.output
    # The wait's reads of the node answered: none is a failure of its own.
    assert outcomes(run, WAIT_TASK)[SLOW] == "ok", run.output
    said = str(run.of(STEP_FAILED_TASK, "NODE1").result["msg"])
    assert f"{SLOW} is Down" in said, said
    assert f"wsfc.clusterdb.cluster_node state=started on {SLOW}" in said, said
    # Every node was read Up with the restored configuration: the run does not fail, and
    # the report says the restore took effect after the step reported a failure.
    assert run.rc == 0, run.output
    assert run.statuses(RECOVERY_TASK) == {"NODE1": "skipped"}
    lines = report(run)
    assert (
        "Step wait_up reported a failure, but every node was then read Up with the restored "
        "configuration: the restore took effect, nothing to run." in lines
    ), lines
    assert any(line.startswith("What step wait_up reported:") for line in lines), lines
    assert {s[:2] for s in nodes(lab).values()} == {("running", "Up")}
    assert ip_address(lab) == BACKED_UP_ADDRESS


def test_a_node_still_down_after_the_wait_is_named_with_the_command_to_start_it(
    three_node_lab: Lab, tmp_path: Path
) -> None:
    lab = three_node_lab
    prepare(lab, tmp_path)
    run = restore_with_a_node_down_during_the_wait(lab, tmp_path, up_again=False)

    assert run.rc != 0, run.output
    assert "Unknown error" not in run.output, run.output
    assert outcomes(run, WAIT_TASK)[SLOW] == "ok", run.output
    said = str(run.of(STEP_FAILED_TASK, "NODE1").result["msg"])
    assert said.startswith(
        "Not every node was Up with the restored configuration after reading each node up to "
        f"{RETRIES + 1} time(s): {SLOW} is Down."
    ), said
    text = str(run.of(RECOVERY_TASK, "NODE1").result["msg"])
    assert "Cause: Not every node was Up" in text, text
    assert (
        f"- {SLOW}: node Down, Cluster service stopped" in text
        and f"Next: run wsfc.clusterdb.cluster_node state=started on {SLOW}" in text
    ), text
    assert nodes(lab)[SLOW][:2] == ("stopped", "Down")
    # The command the report names brings the node in with the restored copy.
    started = run_adhoc(
        SLOW, "wsfc.clusterdb.cluster_node", lab.inventory_path, args="state=started"
    )
    assert started.rc == 0, started.output
    assert {s[:2] for s in nodes(lab).values()} == {("running", "Up")}
    assert ip_address(lab) == BACKED_UP_ADDRESS
