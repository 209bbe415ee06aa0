# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sequencing of a cluster restore, as data; and what to do when a step fails.

The order (docs/windows-behaviour.md#wbadmin-start-recovery, #clusapi-backup-restore):
every other node's Cluster service must be stopped, one node restores, that node starts
first and forms the cluster, the others start after it and take its configuration as they
join. Around it: a preflight on every node first, and a safety backup of the running
configuration before anything is stopped, so that nothing is lost.

Choosing the restoring node (when the operator does not name one), among reachable nodes:
1. the node that owns the core cluster group, which holds the quorum/witness disk: it sees
   the witness disk, and the legacy route needs the backup visible to the quorum owner;
2. otherwise the first node, by name, that is Up;
3. otherwise the first node by name.
"""

from __future__ import annotations

import typing as t
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._cluster_nodes import (
    RUNNING,
    UP,
    ClusterNode,
    parse_tag,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._errors import (
    ERROR_CLUSTER_NODE_UP,
    ERROR_QUORUM_DISK_NOT_FOUND,
    RESTORE,
    ErrorExplanation,
    explain_win32_error,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._paxos import PaxosTag
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._refusal import PolicyRefusal
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._routes import VSS

PREFLIGHT = "preflight"
SAFETY_BACKUP = "safety_backup"
STOP_NODES = "stop"
RESTORE_STEP = "restore"
START_RESTORING = "start_restoring"
START_OTHERS = "start_others"
WAIT_UP = "wait_up"
STEP_ORDER = (
    PREFLIGHT,
    SAFETY_BACKUP,
    STOP_NODES,
    RESTORE_STEP,
    START_RESTORING,
    START_OTHERS,
    WAIT_UP,
)

_START = "wsfc.clusterdb.cluster_node state=started"
_START_FORCED = "wsfc.clusterdb.cluster_node state=started force_quorum=true"


@dataclass(frozen=True)
class NodeChoice:
    name: str
    reason: str


@dataclass(frozen=True)
class RestoreStep:
    """One step; ``parallel`` when its nodes may be handled at the same time."""

    kind: str
    nodes: tuple[str, ...]
    parallel: bool
    description: str


@dataclass(frozen=True)
class RestorePlan:
    """The ordered steps of a restore, or why there is nothing to do, or why it is refused.

    ``refusals`` non-empty: the restore must not start (steps is empty). ``already_current``:
    the cluster runs the backup's configuration; steps is empty and nothing changes.
    """

    restoring_node: str | None
    choice_reason: str
    other_nodes: tuple[str, ...]
    force: bool
    expected_version: PaxosTag
    steps: tuple[RestoreStep, ...]
    refusals: tuple[ErrorExplanation, ...] = ()
    notes: tuple[str, ...] = ()
    already_current: bool = False

    @property
    def changes_anything(self) -> bool:
        return bool(self.steps)

    def step(self, kind: str) -> RestoreStep | None:
        return next((s for s in self.steps if s.kind == kind), None)

    def to_data(self) -> dict[str, t.Any]:
        """The plan as plain data, as the restore role keeps it between its tasks."""
        return {
            "restoring_node": self.restoring_node,
            "choice_reason": self.choice_reason,
            "other_nodes": list(self.other_nodes),
            "force": self.force,
            "expected_version": self.expected_version.raw,
            "steps": [
                {
                    "kind": step.kind,
                    "nodes": list(step.nodes),
                    "parallel": step.parallel,
                    "description": step.description,
                }
                for step in self.steps
            ],
            "notes": list(self.notes),
            "already_current": self.already_current,
        }

    @classmethod
    def from_data(cls, data: Mapping[str, t.Any]) -> RestorePlan:
        """A plan written by :meth:`to_data`; ValueError when ``data`` is not one."""
        if not isinstance(data, Mapping) or "steps" not in data:
            raise ValueError("expected a restore plan (the restore_procedure plan's result)")
        version = parse_tag(data.get("expected_version"))
        if version is None:
            raise ValueError("the restore plan has no configuration version to restore")
        return cls(
            restoring_node=data.get("restoring_node"),
            choice_reason=str(data.get("choice_reason") or ""),
            other_nodes=tuple(data.get("other_nodes") or ()),
            force=bool(data.get("force")),
            expected_version=version,
            steps=tuple(
                RestoreStep(s["kind"], tuple(s["nodes"]), bool(s["parallel"]), s["description"])
                for s in data["steps"]
            ),
            notes=tuple(data.get("notes") or ()),
            already_current=bool(data.get("already_current")),
        )


@dataclass(frozen=True)
class RecoveryAction:
    """Something the role does to bring the cluster back after a failure."""

    kind: str
    nodes: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class NodeAdvice:
    name: str
    state: str
    next_step: str

    @property
    def text(self) -> str:
        return f"{self.name}: {self.state}. Next: {self.next_step}"


@dataclass(frozen=True)
class RecoveryPlan:
    failed_step: str
    summary: str
    actions: tuple[RecoveryAction, ...]
    nodes: tuple[NodeAdvice, ...]

    @property
    def report(self) -> str:
        """The operator-facing text: what happened, and per node its state and what next."""
        return "\n".join([self.summary, *(advice.text for advice in self.nodes)])


def choose_restoring_node(nodes: Iterable[ClusterNode], requested: str | None = None) -> NodeChoice:
    """The node that restores; see the module documentation for the rule."""
    nodes = sorted(nodes, key=lambda n: n.name.casefold())
    if requested:
        match = next((n for n in nodes if n.name.casefold() == requested.casefold()), None)
        if match is None:
            raise PolicyRefusal(
                f"restoring_node {requested} is not a node of this cluster.",
                f"Name one of: {', '.join(n.name for n in nodes) or '(no nodes found)'}.",
            )
        if not match.reachable:
            raise PolicyRefusal(
                f"restoring_node {match.name} cannot be reached.",
                "Bring it back on the network, or name another node.",
            )
        return NodeChoice(match.name, "named by the operator")
    reachable = [n for n in nodes if n.reachable]
    if not reachable:
        raise PolicyRefusal(
            "No node of the cluster can be reached.",
            "Check the inventory and the nodes' WinRM listeners, then run the restore again.",
        )
    owner = next((n for n in reachable if n.owns_core_group), None)
    if owner is not None:
        return NodeChoice(owner.name, "it owns the core cluster group (quorum/witness disk)")
    up = next((n for n in reachable if n.state == UP), None)
    if up is not None:
        return NodeChoice(up.name, "the first node by name that is Up")
    return NodeChoice(reachable[0].name, "the first reachable node by name")


def plan_restore(
    nodes: Iterable[ClusterNode],
    *,
    backup_version: PaxosTag,
    force: bool,
    restoring_node: str | None = None,
    quorum_differences: tuple[str, ...] = (),
    quorum_drive: str | None = None,
    safety_backup: bool = True,
    running_fingerprint: str | None = None,
    backup_fingerprint: str | None = None,
    route: str | None = None,
) -> RestorePlan:
    """The steps of a restore of ``backup_version``.

    ``route`` is the one the restoring node's check chose: with vss the stop step stops the
    restoring node's Cluster service too, with the others (the service need not run on the
    node being restored, docs/windows-behaviour.md#wbadmin-start-recovery); with clusapi
    the restore call is left to do it, as what RestoreClusterDatabase does with a stopped
    local service is not documented.

    ``quorum_differences`` come from ``QuorumLayout.layout_differences``. Without ``force``
    a running Cluster service on another node refuses the restore (5056), and so does a
    quorum disk layout that differs from the backup's (5086) unless ``quorum_drive`` names
    a replacement disk. Raises PolicyRefusal when no restoring node can be chosen.
    """
    nodes = sorted(nodes, key=lambda n: n.name.casefold())
    choice = choose_restoring_node(nodes, restoring_node)
    choice_node = next(n for n in nodes if n.name == choice.name)
    others = tuple(n for n in nodes if n.name != choice.name)
    other_names = tuple(n.name for n in others)

    def plan(steps: tuple[RestoreStep, ...] = (), **extra: object) -> RestorePlan:
        return RestorePlan(
            restoring_node=choice.name,
            choice_reason=choice.reason,
            other_nodes=other_names,
            force=force,
            expected_version=backup_version,
            steps=steps,
            **extra,  # type: ignore[arg-type]
        )

    if _already_current(nodes, backup_version, running_fingerprint, backup_fingerprint):
        return plan(
            already_current=True,
            notes=("every node is Up and runs the backup's configuration: nothing to restore",),
        )

    notes: list[str] = []
    refusals: list[ErrorExplanation] = []
    for node in others:
        if not node.in_play:
            refusals.append(
                ErrorExplanation(
                    operation=RESTORE,
                    code=None,
                    name="NODE_NOT_IN_PLAY",
                    cause=f"{node.name} is a node of the cluster but no host of this play (a "
                    "--limit, a job slice, or an inventory without it), and the restore stops, "
                    "starts and waits on every node",
                    fix="Run the restore with every node of the cluster in the play: no --limit "
                    "that leaves a node out, and a job template with one slice only.",
                )
            )
        elif not node.reachable and node.state != "Down":
            refusals.append(
                ErrorExplanation(
                    operation=RESTORE,
                    code=None,
                    name="NODE_UNREACHABLE",
                    cause=f"{node.name} cannot be reached and the cluster does not see it Down, "
                    "so its Cluster service may still be running",
                    fix=f"Bring {node.name} back on the network, or shut it down (the cluster "
                    "then reports it Down), and run the restore again.",
                )
            )
        elif not node.reachable:
            notes.append(
                f"{node.name} cannot be reached and is Down: it is left alone and takes the "
                "restored configuration when it joins later"
            )
    running_others = tuple(n.name for n in others if n.reachable and n.service_running)
    if running_others and not force:
        refusals.append(
            _restore_refusal(ERROR_CLUSTER_NODE_UP, f"running on: {', '.join(running_others)}")
        )
    if quorum_differences and not force and not quorum_drive:
        refusals.append(
            _restore_refusal(ERROR_QUORUM_DISK_NOT_FOUND, "; ".join(quorum_differences))
        )
    if refusals:
        return plan(refusals=tuple(refusals), notes=tuple(notes))

    reachable = tuple(n.name for n in nodes if n.reachable)
    steps = [
        RestoreStep(
            PREFLIGHT,
            reachable,
            True,
            "read every node's facts and verify the backup set (changes nothing)",
        )
    ]
    if safety_backup:
        backup_node = _safety_backup_node(nodes, choice.name)
        if backup_node is None:
            notes.append(
                "no safety backup: no node is Up, and backing up needs a running cluster "
                "with quorum"
            )
        else:
            steps.append(
                RestoreStep(
                    SAFETY_BACKUP,
                    (backup_node,),
                    False,
                    "back up the running configuration, so that it can be restored if needed",
                )
            )
    stopping = running_others
    if route == VSS and choice_node.reachable and choice_node.service_running:
        stopping = (*running_others, choice.name)
    if stopping:
        whose = "the other nodes" if stopping == running_others else "every node that runs it"
        steps.append(
            RestoreStep(
                STOP_NODES,
                stopping,
                True,
                f"stop the Cluster service on {whose}, in parallel"
                + (" (force=true)" if running_others else ""),
            )
        )
    restore_text = "restore the backup set on this node"
    if force:
        restore_text += " with force (the quorum disk is reconfigured to the backup's layout)"
    if quorum_drive:
        restore_text += f", quorum disk now at {quorum_drive}"
    steps.append(RestoreStep(RESTORE_STEP, (choice.name,), False, restore_text))
    steps.append(
        RestoreStep(
            START_RESTORING,
            (choice.name,),
            False,
            "start the Cluster service on this node first; it forms the cluster with the "
            "restored configuration",
        )
    )
    start_others = tuple(n.name for n in others if n.reachable)
    if start_others:
        steps.append(
            RestoreStep(
                START_OTHERS,
                start_others,
                True,
                "start the Cluster service on the other nodes; each takes the restored "
                "configuration as it joins",
            )
        )
    steps.append(
        RestoreStep(
            WAIT_UP,
            reachable,
            True,
            f"wait until every node is Up with the same configuration version, not older "
            f"than the backup's {backup_version.version}",
        )
    )
    return plan(tuple(steps), notes=tuple(notes))


def _restore_refusal(code: int, observed: str) -> ErrorExplanation:
    """The restore's explanation of the Windows error ``code``, its cause followed by what
    was observed on this cluster (the nodes that run, the layout that differs)."""
    explanation = explain_win32_error(code, RESTORE)
    return replace(explanation, cause=f"{explanation.cause} ({observed})")


def converged(
    plan: RestorePlan, observed: Mapping[str, ClusterNode]
) -> tuple[bool, tuple[str, ...]]:
    """Whether the wait step is done: every node it waits for is Up, all with the same
    configuration version, and that version is not older than the backup's.

    An authoritative restore changes the PaxosTag to the time-stamped form
    (docs/windows-behaviour.md#paxos-tag), which the restored copy then carries instead of
    the backup's tag; which epoch and sequence it gets is *unconfirmed*, so a newer version
    than the backup's is accepted as long as every node agrees.
    """
    step = plan.step(WAIT_UP)
    names = step.nodes if step is not None else ()
    problems = []
    versions = set()
    for name in names:
        node = observed.get(name)
        if node is not None and node.read_failed:
            # It answered with a failure: not out of reach, and its state is not known.
            problems.append(f"the facts of {name} could not be read ({node.error})")
        elif node is None or not node.reachable:
            problems.append(
                node.error if node is not None and node.error else f"{name} cannot be reached"
            )
        elif node.state != UP:
            problems.append(f"{name} is {node.state}")
        elif node.paxos_tag is None:
            problems.append(f"{name} reports no configuration version")
        else:
            versions.add(node.paxos_tag.version)
            if node.paxos_tag < plan.expected_version:
                problems.append(
                    f"{name} runs version {node.paxos_tag.version}, older than the backup's "
                    f"{plan.expected_version.version}"
                )
    if len(versions) > 1:
        problems.append(
            "the nodes run different configuration versions: " + ", ".join(sorted(versions))
        )
    return (not problems, tuple(problems))


def plan_recovery(
    plan: RestorePlan,
    failed_step: str,
    observed: Mapping[str, ClusterNode],
    *,
    stopped_by_run: Iterable[str] | None = None,
    safety_backup_set: str | None = None,
) -> RecoveryPlan:
    """What the role does after ``failed_step`` failed, and per node its state and what next.

    ``stopped_by_run``: the nodes whose Cluster service this run stopped (default: the
    nodes of the stop step, which is right once that step has completed).
    """
    if failed_step not in STEP_ORDER or plan.step(failed_step) is None:
        raise ValueError(f"{failed_step!r} is not a step of this plan")
    restoring = plan.restoring_node or ""
    stop_step = plan.step(STOP_NODES)
    if stopped_by_run is None:
        # Every node of the stop step ran the service at preflight: if it no longer does
        # once that step started, this run stopped it.
        reached = STEP_ORDER.index(failed_step) >= STEP_ORDER.index(STOP_NODES)
        stopped_by_run = stop_step.nodes if stop_step and reached else ()
    stopped = tuple(stopped_by_run)
    safety = (
        f" The safety backup {safety_backup_set} holds the configuration from before the run."
        if safety_backup_set
        else ""
    )

    def state_of(name: str) -> str:
        node = observed.get(name)
        return node.state_text if node is not None else "cannot be reached, state unknown"

    def not_running(names: Iterable[str]) -> tuple[str, ...]:
        return tuple(
            n for n in names if observed.get(n) is None or observed[n].service_state != RUNNING
        )

    actions: list[RecoveryAction] = []
    advice: list[NodeAdvice] = []
    all_nodes = (restoring, *plan.other_nodes)

    if failed_step in (PREFLIGHT, SAFETY_BACKUP):
        summary = f"The restore stopped at {failed_step}, before any node was changed.{safety}"
        for name in all_nodes:
            advice.append(
                NodeAdvice(name, state_of(name), "nothing; fix the cause and run the restore again")
            )
    elif failed_step in (STOP_NODES, RESTORE_STEP):
        then = (
            ", then the restoring node, which takes that configuration as it joins"
            if failed_step == RESTORE_STEP
            else ""
        )
        summary = (
            f"The restore stopped at {failed_step} and did not complete. The nodes this run "
            f"stopped are started again with the configuration they held{then}.{safety}"
        )
        restart = not_running(stopped)
        if failed_step == RESTORE_STEP:
            # The restoring node's copy may be the restored one, or partly written: it is
            # started after the others have formed the cluster, and takes theirs as it joins.
            restart = tuple(n for n in restart if n != restoring)
        if restart:
            actions.append(
                RecoveryAction(
                    "start_service",
                    restart,
                    "start the Cluster service again where this run stopped it",
                )
            )
        if failed_step == RESTORE_STEP and not_running((restoring,)):
            actions.append(
                RecoveryAction(
                    "start_service",
                    (restoring,),
                    f"then start {restoring}; it joins and takes the running configuration",
                )
            )
        for name in all_nodes:
            if name in restart or (name == restoring and failed_step == RESTORE_STEP):
                next_step = (
                    f"recovery starts it; if that fails, run {_START} on {name}, then run the "
                    "restore again once the cause is fixed"
                )
            else:
                next_step = "nothing for this node; fix the cause and run the restore again"
            advice.append(NodeAdvice(name, state_of(name), next_step))
    elif failed_step == START_RESTORING:
        summary = (
            f"{restoring} holds the restored configuration but did not come Up. The other "
            "nodes are left stopped: started now they would form the cluster with the old "
            f"configuration and undo the restore.{safety}"
        )
        advice.append(
            NodeAdvice(
                restoring,
                state_of(restoring),
                "read its cluster log (Get-ClusterLog) and the FailoverClustering events "
                f"(1561: stale copy; 1057/1575: database missing or corrupt), then run "
                f"{_START_FORCED} on {restoring}",
            )
        )
        for name in plan.other_nodes:
            advice.append(
                NodeAdvice(
                    name,
                    state_of(name),
                    f"leave it stopped until {restoring} is Up, then run {_START} on {name}",
                )
            )
    elif failed_step == START_OTHERS:
        summary = (
            f"{restoring} runs the restored configuration; some other nodes did not start. "
            "Recovery starts them again."
        )
        restart = not_running(plan.other_nodes)
        if restart:
            actions.append(
                RecoveryAction(
                    "start_service",
                    restart,
                    "start the Cluster service on the nodes that did not start",
                )
            )
        for name in all_nodes:
            if name in restart:
                next_step = (
                    f"recovery starts it; if that fails, run {_START} on {name} (event 1561 "
                    f"on it means it must join {restoring}, which holds the newer copy)"
                )
            else:
                next_step = "nothing"
            advice.append(NodeAdvice(name, state_of(name), next_step))
    else:  # WAIT_UP
        problems = converged(plan, observed)[1]
        summary = (
            "Not every node reached Up with the restored configuration version"
            + (": " + "; ".join(problems) if problems else "")
            + "."
        )
        reference = observed.get(restoring)
        wanted = reference.paxos_tag if reference and reference.paxos_tag else None
        for name in all_nodes:
            node = observed.get(name)
            if node is not None and node.read_failed:
                next_step = (
                    f"fix what made reading it fail, check it with wsfc.clusterdb.cluster_info on "
                    f"{name}, then run the restore again"
                )
            elif node is None or not node.reachable:
                next_step = f"bring it back on the network; then run {_START} on {name}"
            elif node.state != UP:
                next_step = f"run {_START} on {name}"
            elif wanted is not None and node.paxos_tag != wanted:
                next_step = (
                    f"it runs another configuration version than {restoring} "
                    f"({wanted.version}): run wsfc.clusterdb.cluster_node state=stopped and then "
                    f"{_START} on {name}, so that it takes {restoring}'s copy as it joins"
                )
            else:
                next_step = "nothing"
            advice.append(NodeAdvice(name, state_of(name), next_step))
    return RecoveryPlan(failed_step, summary, tuple(actions), tuple(advice))


def runs_version(nodes: Iterable[ClusterNode], backup_version: PaxosTag | None) -> bool:
    """Whether every node is reachable, Up and runs ``backup_version`` by its PaxosTag.

    The restore preflight asks this of the set it picked, from the nodes' own tags and the
    version its manifest records: when it holds there is nothing to restore, and the plan
    (``plan_restore``, which asks it again of the same facts) says so without a check.
    """
    nodes = list(nodes)
    if backup_version is None or not _every_node_up(nodes) or backup_version.moved:
        # A moved version: the configuration changed during the backup, and the set holds
        # one of the versions of its range, which one is not known.
        return False
    return all(n.paxos_tag is not None and n.paxos_tag == backup_version for n in nodes)


def _every_node_up(nodes: list[ClusterNode]) -> bool:
    return bool(nodes) and all(n.reachable and n.state == UP for n in nodes)


def _already_current(
    nodes: list[ClusterNode],
    backup_version: PaxosTag,
    running_fingerprint: str | None,
    backup_fingerprint: str | None,
) -> bool:
    if not _every_node_up(nodes) or backup_version.moved:
        # For a moved version the set's recorded objects were read when the backup began, so
        # the fingerprint does not say the cluster runs it either.
        return False
    if runs_version(nodes, backup_version):
        return True
    return running_fingerprint is not None and running_fingerprint == backup_fingerprint


def _safety_backup_node(nodes: list[ClusterNode], restoring: str) -> str | None:
    up = [n for n in nodes if n.reachable and n.state == UP and n.service_running]
    if not up:
        return None
    preferred = next((n for n in up if n.name == restoring), None)
    return (preferred or up[0]).name
