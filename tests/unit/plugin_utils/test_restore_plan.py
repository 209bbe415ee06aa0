"""Restore sequencing and recovery after a failed step."""

from __future__ import annotations

from dataclasses import replace

import pytest
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._cluster_nodes import ClusterNode
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._errors import (
    RESTORE,
    explain_win32_error,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._paxos import (
    parse_paxos_tag,
    version_range,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._refusal import PolicyRefusal
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._restore_plan import (
    PREFLIGHT,
    RESTORE_STEP,
    SAFETY_BACKUP,
    START_OTHERS,
    START_RESTORING,
    STOP_NODES,
    WAIT_UP,
    choose_restoring_node,
    converged,
    plan_recovery,
    plan_restore,
)

BACKUP = parse_paxos_tag("2:2:41")
NEWER = parse_paxos_tag("2:2:57")


def node(
    name: str, *, up: bool = True, owner: bool = False, reachable: bool = True, tag=NEWER
) -> ClusterNode:
    return ClusterNode(
        name=name,
        reachable=reachable,
        state="Up" if up else "Down",
        service_state="running" if up else "stopped",
        owns_core_group=owner,
        paxos_tag=tag,
    )


def cluster() -> list[ClusterNode]:
    return [node("NODE3"), node("NODE1"), node("NODE2", owner=True)]


def observed(states: dict[str, tuple[str, str, object]]) -> dict[str, ClusterNode]:
    return {
        name: ClusterNode(name, reachable=True, service_state=service, state=state, paxos_tag=tag)
        for name, (state, service, tag) in states.items()
    }


class TestChooseRestoringNode:
    def test_the_core_group_owner_first(self) -> None:
        choice = choose_restoring_node(cluster())
        assert choice.name == "NODE2"
        assert "core cluster group" in choice.reason

    def test_then_the_first_up_node_by_name(self) -> None:
        nodes = [node("NODE3"), node("NODE1", up=False), node("node2")]
        choice = choose_restoring_node(nodes)
        assert choice.name == "node2"
        assert "Up" in choice.reason

    def test_then_the_first_reachable_by_name(self) -> None:
        nodes = [node("B", up=False), node("A", up=False, reachable=False), node("C", up=False)]
        assert choose_restoring_node(nodes).name == "B"

    def test_an_unreachable_owner_is_passed_over(self) -> None:
        nodes = [node("A"), node("B", owner=True, reachable=False)]
        assert choose_restoring_node(nodes).name == "A"

    def test_named_by_the_operator_ignoring_case(self) -> None:
        choice = choose_restoring_node(cluster(), "node3")
        assert (choice.name, choice.reason) == ("NODE3", "named by the operator")

    def test_an_unknown_name_is_refused_listing_the_nodes(self) -> None:
        with pytest.raises(PolicyRefusal) as caught:
            choose_restoring_node(cluster(), "NODE9")
        assert "NODE1, NODE2, NODE3" in caught.value.fix

    def test_an_unreachable_named_node_is_refused(self) -> None:
        with pytest.raises(PolicyRefusal, match="cannot be reached"):
            choose_restoring_node([node("A", reachable=False), node("B")], "A")

    def test_nothing_reachable(self) -> None:
        with pytest.raises(PolicyRefusal, match="No node"):
            choose_restoring_node([node("A", reachable=False)])


class TestPlan:
    def test_force_full_sequence(self) -> None:
        plan = plan_restore(cluster(), backup_version=BACKUP, force=True)
        assert plan.restoring_node == "NODE2"
        assert plan.other_nodes == ("NODE1", "NODE3")
        assert [s.kind for s in plan.steps] == [
            PREFLIGHT,
            SAFETY_BACKUP,
            STOP_NODES,
            RESTORE_STEP,
            START_RESTORING,
            START_OTHERS,
            WAIT_UP,
        ]
        assert plan.step(PREFLIGHT).nodes == ("NODE1", "NODE2", "NODE3")
        assert plan.step(SAFETY_BACKUP).nodes == ("NODE2",)
        stop = plan.step(STOP_NODES)
        assert stop.nodes == ("NODE1", "NODE3") and stop.parallel
        assert plan.step(RESTORE_STEP).nodes == ("NODE2",)
        assert not plan.step(RESTORE_STEP).parallel
        assert plan.step(START_RESTORING).nodes == ("NODE2",)
        assert plan.step(START_OTHERS).nodes == ("NODE1", "NODE3")
        assert plan.step(START_OTHERS).parallel
        assert "2:41" in plan.step(WAIT_UP).description
        assert plan.changes_anything and not plan.refusals

    def test_route_vss_stops_the_restoring_node_with_the_others(self) -> None:
        # docs/windows-behaviour.md#wbadmin-start-recovery: the service need not run on the
        # node being restored, so its stop joins the others' instead of following them.
        plan = plan_restore(cluster(), backup_version=BACKUP, force=True, route="vss")
        stop = plan.step(STOP_NODES)
        assert stop.nodes == ("NODE1", "NODE3", "NODE2") and stop.parallel
        assert "every node that runs it" in stop.description
        assert plan.step(RESTORE_STEP).nodes == ("NODE2",)
        assert plan.step(START_OTHERS).nodes == ("NODE1", "NODE3")

    def test_route_vss_without_force_and_the_others_stopped_stops_the_restoring_node(
        self,
    ) -> None:
        nodes = [node("NODE1", up=False), node("NODE2", owner=True), node("NODE3", up=False)]
        plan = plan_restore(nodes, backup_version=BACKUP, force=False, route="vss")
        assert not plan.refusals
        stop = plan.step(STOP_NODES)
        assert stop.nodes == ("NODE2",)
        assert "force=true" not in stop.description

    def test_route_vss_with_the_restoring_node_stopped_already(self) -> None:
        nodes = [node("NODE1"), node("NODE2", up=False), node("NODE3")]
        plan = plan_restore(
            nodes, backup_version=BACKUP, force=True, route="vss", restoring_node="NODE2"
        )
        assert plan.step(STOP_NODES).nodes == ("NODE1", "NODE3")

    def test_route_clusapi_leaves_the_restoring_node_to_the_restore_call(self) -> None:
        plan = plan_restore(cluster(), backup_version=BACKUP, force=True, route="clusapi")
        assert plan.step(STOP_NODES).nodes == ("NODE1", "NODE3")

    def test_without_force_a_running_node_refuses_with_options(self) -> None:
        plan = plan_restore(cluster(), backup_version=BACKUP, force=False)
        assert plan.steps == ()
        (refusal,) = plan.refusals
        assert refusal.code == 5056
        assert "NODE1, NODE3" in refusal.cause
        assert len(refusal.options) == 2

    def test_without_force_and_the_others_stopped_there_is_no_stop_step(self) -> None:
        nodes = [node("NODE1", up=False), node("NODE2", owner=True), node("NODE3", up=False)]
        plan = plan_restore(nodes, backup_version=BACKUP, force=False)
        assert not plan.refusals
        assert plan.step(STOP_NODES) is None
        assert plan.step(START_OTHERS).nodes == ("NODE1", "NODE3")

    def test_quorum_layout_difference_refuses_without_force(self) -> None:
        nodes = [node("NODE1", up=False), node("NODE2", owner=True)]
        plan = plan_restore(
            nodes,
            backup_version=BACKUP,
            force=False,
            quorum_differences=("partition count: backup 1, now 2",),
        )
        (refusal,) = plan.refusals
        assert refusal.code == 5086
        assert "partition count: backup 1, now 2" in refusal.cause
        assert len(refusal.options) == 3

    def test_quorum_layout_difference_with_force_or_quorum_drive(self) -> None:
        nodes = [node("NODE1", up=False), node("NODE2", owner=True)]
        differences = ("offsets differ",)
        forced = plan_restore(
            nodes, backup_version=BACKUP, force=True, quorum_differences=differences
        )
        assert not forced.refusals
        assert "with force" in forced.step(RESTORE_STEP).description
        replaced = plan_restore(
            nodes,
            backup_version=BACKUP,
            force=False,
            quorum_differences=differences,
            quorum_drive="Q:",
        )
        assert not replaced.refusals
        assert "Q:" in replaced.step(RESTORE_STEP).description

    def test_each_refusal_is_the_tables_explanation_with_what_was_observed(self) -> None:
        plan = plan_restore(
            cluster(), backup_version=BACKUP, force=False, quorum_differences=("a", "b")
        )
        running, layout = plan.refusals
        for refusal, code, observed in (
            (running, 5056, "running on: NODE1, NODE3"),
            (layout, 5086, "a; b"),
        ):
            table = explain_win32_error(code, RESTORE)
            assert refusal == replace(table, cause=f"{table.cause} ({observed})")

    def test_both_refusals_together(self) -> None:
        plan = plan_restore(
            cluster(), backup_version=BACKUP, force=False, quorum_differences=("x",)
        )
        assert [r.code for r in plan.refusals] == [5056, 5086]

    def test_unreachable_node_not_seen_down_is_refused_even_with_force(self) -> None:
        nodes = [*cluster(), ClusterNode("NODE4", reachable=False, state="Unknown")]
        plan = plan_restore(nodes, backup_version=BACKUP, force=True)
        (refusal,) = plan.refusals
        assert refusal.name == "NODE_UNREACHABLE" and "NODE4" in refusal.cause

    def test_unreachable_node_seen_down_is_left_alone_with_a_note(self) -> None:
        nodes = [*cluster(), ClusterNode("NODE4", reachable=False, state="Down")]
        plan = plan_restore(nodes, backup_version=BACKUP, force=True)
        assert not plan.refusals
        assert "NODE4" not in plan.step(START_OTHERS).nodes
        assert "NODE4" not in plan.step(WAIT_UP).nodes
        assert any("NODE4" in note for note in plan.notes)

    def test_already_current_changes_nothing(self) -> None:
        same_version = parse_paxos_tag("3:2:41")  # another NextEpoch, the same version
        nodes = [node("NODE1", tag=BACKUP), node("NODE2", owner=True, tag=same_version)]
        plan = plan_restore(nodes, backup_version=BACKUP, force=True)
        assert plan.already_current and plan.steps == () and not plan.changes_anything

    def test_already_current_by_fingerprint(self) -> None:
        plan = plan_restore(
            cluster(),
            backup_version=BACKUP,
            force=True,
            running_fingerprint="abc",
            backup_fingerprint="abc",
        )
        assert plan.already_current
        other = plan_restore(
            cluster(),
            backup_version=BACKUP,
            force=True,
            running_fingerprint="abc",
            backup_fingerprint="def",
        )
        assert not other.already_current

    def test_a_set_whose_tag_moved_during_its_backup_is_never_current(self) -> None:
        # The set holds one of the versions from 2:41 to 2:57, which one is not known; its
        # objects were read when the backup began.
        spanned = version_range(BACKUP, NEWER)
        for tag in (BACKUP, NEWER):
            nodes = [node("NODE1", tag=tag), node("NODE2", owner=True, tag=tag)]
            plan = plan_restore(
                nodes,
                backup_version=spanned,
                force=True,
                running_fingerprint="abc",
                backup_fingerprint="abc",
            )
            assert not plan.already_current
            assert plan.step(RESTORE_STEP) is not None

    def test_not_current_when_a_node_is_down(self) -> None:
        nodes = [node("NODE1", tag=BACKUP), node("NODE2", up=False, tag=BACKUP)]
        assert not plan_restore(nodes, backup_version=BACKUP, force=True).already_current

    def test_no_safety_backup_without_a_running_cluster(self) -> None:
        nodes = [node("NODE1", up=False), node("NODE2", up=False)]
        plan = plan_restore(nodes, backup_version=BACKUP, force=True)
        assert plan.step(SAFETY_BACKUP) is None
        assert any("no safety backup" in note for note in plan.notes)

    def test_safety_backup_on_an_up_node_when_the_restoring_node_is_down(self) -> None:
        nodes = [node("NODE1", up=False), node("NODE2")]
        plan = plan_restore(nodes, backup_version=BACKUP, force=True, restoring_node="NODE1")
        assert plan.step(SAFETY_BACKUP).nodes == ("NODE2",)

    def test_safety_backup_can_be_skipped(self) -> None:
        plan = plan_restore(cluster(), backup_version=BACKUP, force=True, safety_backup=False)
        assert plan.step(SAFETY_BACKUP) is None

    def test_single_node_cluster(self) -> None:
        plan = plan_restore([node("SOLO")], backup_version=BACKUP, force=False)
        assert [s.kind for s in plan.steps] == [
            PREFLIGHT,
            SAFETY_BACKUP,
            RESTORE_STEP,
            START_RESTORING,
            WAIT_UP,
        ]


class TestConverged:
    def plan(self):
        return plan_restore(cluster(), backup_version=BACKUP, force=True)

    def test_all_up_same_version(self) -> None:
        seen = observed({n: ("Up", "running", BACKUP) for n in ("NODE1", "NODE2", "NODE3")})
        assert converged(self.plan(), seen) == (True, ())

    def test_a_newer_common_version_is_accepted(self) -> None:
        seen = observed({n: ("Up", "running", NEWER) for n in ("NODE1", "NODE2", "NODE3")})
        assert converged(self.plan(), seen)[0]

    def test_problems_are_named(self) -> None:
        seen = observed(
            {
                "NODE1": ("Up", "running", BACKUP),
                "NODE2": ("Joining", "running", BACKUP),
                "NODE3": ("Up", "running", parse_paxos_tag("2:2:40")),
            }
        )
        done, problems = converged(self.plan(), seen)
        assert not done
        text = " | ".join(problems)
        assert "NODE2 is Joining" in text
        assert "NODE3 runs version 2:40, older than the backup's 2:41" in text
        assert "different configuration versions: 2:40, 2:41" in text

    def test_missing_and_unreachable_and_versionless(self) -> None:
        seen = {
            "NODE1": ClusterNode(
                "NODE1", reachable=False, service_state="unknown", state="Unknown"
            ),
            "NODE2": ClusterNode(
                "NODE2", reachable=True, service_state="running", state="Up", paxos_tag=None
            ),
        }
        done, problems = converged(self.plan(), seen)
        assert not done
        assert problems == (
            "NODE1 cannot be reached",
            "NODE2 reports no configuration version",
            "NODE3 cannot be reached",
        )


class TestRecovery:
    def plan(self):
        return plan_restore(cluster(), backup_version=BACKUP, force=True)

    def test_preflight_failure_changes_nothing(self) -> None:
        seen = observed({n: ("Up", "running", NEWER) for n in ("NODE1", "NODE2", "NODE3")})
        recovery = plan_recovery(self.plan(), PREFLIGHT, seen)
        assert recovery.actions == ()
        assert "before any node was changed" in recovery.summary
        assert all("nothing" in a.next_step for a in recovery.nodes)
        assert "NODE1: node Up, Cluster service running, configuration version 2:57." in (
            recovery.report
        )

    def test_stop_failure_restarts_only_what_this_run_stopped(self) -> None:
        seen = observed(
            {
                "NODE1": ("Down", "stopped", NEWER),
                "NODE2": ("Up", "running", NEWER),
                "NODE3": ("Up", "running", NEWER),  # its stop failed; still running
            }
        )
        recovery = plan_recovery(self.plan(), STOP_NODES, seen, safety_backup_set="SETX")
        (action,) = recovery.actions
        assert (action.kind, action.nodes) == ("start_service", ("NODE1",))
        assert "SETX" in recovery.summary
        by_name = {a.name: a for a in recovery.nodes}
        assert "recovery starts it" in by_name["NODE1"].next_step
        assert "cluster_node state=started" in by_name["NODE1"].next_step
        assert by_name["NODE3"].next_step.startswith("nothing")

    def test_restore_failure_starts_the_others_then_the_restoring_node(self) -> None:
        seen = observed(
            {
                "NODE1": ("Down", "stopped", NEWER),
                "NODE2": ("Down", "stopped", NEWER),
                "NODE3": ("Down", "stopped", NEWER),
            }
        )
        recovery = plan_recovery(self.plan(), RESTORE_STEP, seen)
        assert [a.nodes for a in recovery.actions] == [("NODE1", "NODE3"), ("NODE2",)]
        assert "takes that configuration as it joins" in recovery.summary

    def test_with_route_vss_a_stop_failure_restarts_the_restoring_node_with_the_others(
        self,
    ) -> None:
        plan = plan_restore(cluster(), backup_version=BACKUP, force=True, route="vss")
        seen = observed(
            {
                "NODE1": ("Down", "stopped", NEWER),
                "NODE2": ("Down", "stopped", NEWER),  # stopped by this run; copy unchanged
                "NODE3": ("Up", "running", NEWER),  # its stop failed
            }
        )
        recovery = plan_recovery(plan, STOP_NODES, seen)
        (action,) = recovery.actions
        assert action.nodes == ("NODE1", "NODE2")

    def test_with_route_vss_a_restore_failure_still_starts_the_restoring_node_last(
        self,
    ) -> None:
        plan = plan_restore(cluster(), backup_version=BACKUP, force=True, route="vss")
        seen = observed({n: ("Down", "stopped", NEWER) for n in ("NODE1", "NODE2", "NODE3")})
        recovery = plan_recovery(plan, RESTORE_STEP, seen)
        assert [a.nodes for a in recovery.actions] == [("NODE1", "NODE3"), ("NODE2",)]

    def test_start_restoring_failure_leaves_the_others_stopped(self) -> None:
        seen = observed(
            {
                "NODE1": ("Down", "stopped", NEWER),
                "NODE2": ("Down", "stopped", BACKUP),
                "NODE3": ("Down", "stopped", NEWER),
            }
        )
        recovery = plan_recovery(self.plan(), START_RESTORING, seen)
        assert recovery.actions == ()
        assert "undo the restore" in recovery.summary
        by_name = {a.name: a for a in recovery.nodes}
        assert "force_quorum=true" in by_name["NODE2"].next_step
        assert "Get-ClusterLog" in by_name["NODE2"].next_step
        assert "leave it stopped until NODE2 is Up" in by_name["NODE1"].next_step

    def test_start_others_failure_retries_those_not_running(self) -> None:
        seen = observed(
            {
                "NODE1": ("Up", "running", BACKUP),
                "NODE2": ("Up", "running", BACKUP),
                "NODE3": ("Down", "stopped", NEWER),
            }
        )
        recovery = plan_recovery(self.plan(), START_OTHERS, seen)
        (action,) = recovery.actions
        assert action.nodes == ("NODE3",)
        by_name = {a.name: a for a in recovery.nodes}
        assert "1561" in by_name["NODE3"].next_step
        assert by_name["NODE1"].next_step == "nothing"

    def test_wait_failure_names_the_node_with_another_version(self) -> None:
        seen = observed(
            {
                "NODE1": ("Up", "running", BACKUP),
                "NODE2": ("Up", "running", BACKUP),
                "NODE3": ("Up", "running", NEWER),
            }
        )
        recovery = plan_recovery(self.plan(), WAIT_UP, seen)
        by_name = {a.name: a for a in recovery.nodes}
        assert "state=stopped" in by_name["NODE3"].next_step
        assert by_name["NODE1"].next_step == "nothing"
        assert "different configuration versions" in recovery.summary

    def test_wait_failure_with_an_unreachable_node(self) -> None:
        seen = observed({"NODE1": ("Up", "running", BACKUP), "NODE2": ("Up", "running", BACKUP)})
        recovery = plan_recovery(self.plan(), WAIT_UP, seen)
        by_name = {a.name: a for a in recovery.nodes}
        assert "cannot be reached, state unknown" in by_name["NODE3"].state
        assert "bring it back on the network" in by_name["NODE3"].next_step

    def test_a_step_the_plan_does_not_have(self) -> None:
        plan = plan_restore([node("SOLO")], backup_version=BACKUP, force=False)
        with pytest.raises(ValueError, match="not a step"):
            plan_recovery(plan, STOP_NODES, {})
