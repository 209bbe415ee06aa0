# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of ``cluster_restore``: inspect, decide, and only then restore.

The flow (docs/internals.md, "cluster_restore"):
1. check the options on the controller; bad input fails with no module run, and so does
   an internal option (a leading underscore: ``_phase``, ``_wbadmin_*``, ``_other_nodes``,
   which only this plugin sets);
2. phase ``inspect`` (read only), or, with ``checked``, the inspect of this restore's
   check-mode run (plugin_utils._restore_checked);
3. decide with plugin_utils._restore_decisions: the set must be whole and of this cluster;
   nothing to do when the cluster already runs the set's configuration; without force,
   refuse while another node runs (5056) or the quorum disk layout differs (5086);
4. check mode stops here and reports what would happen;
5. phase ``restore`` reads again what it was decided on (this node, the set's files, the
   other nodes' services) and runs the route only when that is unchanged; its outcome is
   explained and reported.

The task result holds what an operator reads; each phase's raw result is kept under
``phase_results`` by phase name, and ``invocation`` shows the task's options only.
"""

from __future__ import annotations

import typing as t

from ansible.errors import AnsibleActionFail
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._configuration import (
    configuration_fingerprint,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._manifest import SetVerification
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._paths import validate_quorum_drive
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._phased_action import (
    PhasedAction,
    PhaseFailed,
    internal_options,
    internal_options_message,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._refusal import PolicyRefusal
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._restore_checked import (
    DECIDING_OPTIONS,
    checked_inspect,
    decided_facts,
    explain_guard_failure,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._restore_decisions import (
    OtherNodes,
    RestoreBlocked,
    SetLocation,
    check_route_result,
    check_same_cluster,
    check_service_installed,
    check_set_found,
    check_set_path,
    check_set_signature,
    check_set_usable,
    choose_route,
    configuration_changes,
    current_paxos_tag,
    explain_phase_failure,
    offline_disks,
    other_nodes,
    plan_on_this_node,
    refusal_of,
    set_signature,
    stopped_by_restore,
    verify_set,
    wbadmin_arguments,
    with_verified_hashes,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._routes import ROUTE_CHOICES, VSS
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._signing import (
    check_signature_options,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._wbadmin_target import (
    RESTORE_ROLE_OPT_IN,
    check_local_path,
    check_remote_target,
)

# The keys of the task result, all set by this plugin (the contract check reads this set);
# the module's raw results are under RAW_RESULTS_KEY only.
ADDED_RESULT_KEYS: frozenset[str] = frozenset(
    {
        "node_name",
        "route",
        "set",
        "configuration_version",
        "configuration_fingerprint",
        "configuration_changes",
        "stopped_nodes",
        "offline_disks",
        "error_code",
        "error",
        "decided_with",
        "module_runs",
        "phases",
        "phase_results",
    }
)

# The task result key under which each phase's raw result is kept, by phase name; the
# contract check compares the PowerShell module's result keys with those documented there.
RAW_RESULTS_KEY = "phase_results"

# The options only the controller reads: documented in plugins/modules/cluster_restore.py,
# never passed to the PowerShell module, so its spec does not carry them (the contract
# check reads this).
ADDED_OPTIONS: frozenset[str] = frozenset(
    {"loopback_target", "verified_files", "checked", "trusted_keys", "require_signature"}
)

# checked holds the hashed listing itself, so verified_files with it would say it twice.
MUTUALLY_EXCLUSIVE = [["checked", "verified_files"]]

# The options a task may set; the internal ones (_phase, _wbadmin_*, _other_nodes) are not
# among them: run() refuses them by their prefix before this spec is read.
ARGUMENT_SPEC: dict[str, dict[str, t.Any]] = {
    "path": {"type": "str", "required": True},
    "force": {"type": "bool", "default": False},
    "quorum_drive": {"type": "str"},
    "route": {"type": "str", "default": "auto", "choices": list(ROUTE_CHOICES)},
    "loopback_target": {"type": "bool", "default": False},
    "verified_files": {"type": "list", "elements": "dict"},
    "checked": {"type": "dict"},
    "trusted_keys": {"type": "list", "elements": "str", "default": [], "no_log": False},
    "require_signature": {"type": "bool", "default": False},
}


class ActionModule(PhasedAction):
    CONTROLLER_OPTIONS = ADDED_OPTIONS
    MODULE = "wsfc.clusterdb.cluster_restore"
    PHASE_OPTION = "_phase"
    TRANSFERS_FILES = False

    def run(
        self, tmp: str | None = None, task_vars: dict[str, t.Any] | None = None
    ) -> dict[str, t.Any]:
        self._supports_check_mode = True
        task_vars = task_vars or {}
        self.start_recording()
        result = super().run(tmp, task_vars)
        result.update(
            changed=False,
            route=None,
            set=None,
            configuration_version=None,
            stopped_nodes=[],
            offline_disks=[],
            error_code=None,
            error=None,
        )
        internal = internal_options(self._task.args)
        if internal:
            result.update(
                failed=True,
                msg=internal_options_message("cluster_restore", internal, ARGUMENT_SPEC),
            )
            return self._finish(result)
        try:
            _validation_result, args = self.validate_argument_spec(
                argument_spec=ARGUMENT_SPEC, mutually_exclusive=MUTUALLY_EXCLUSIVE
            )
            self._task_options = {name: args[name] for name in ARGUMENT_SPEC}
            target = check_set_path(args["path"])
            quorum_drive = validate_quorum_drive(args["quorum_drive"])
            trusted = check_signature_options(args["trusted_keys"], args["require_signature"])
            # A set on a local path restored with route vss is read through the node's own
            # admin share: a loopback target whatever the node says.
            check_local_path(
                target.location,
                route=args["route"],
                loopback_target=args["loopback_target"],
                role_opt_in=RESTORE_ROLE_OPT_IN,
            )
        except (AnsibleActionFail, PolicyRefusal) as err:
            result.update(failed=True, msg=str(err))
            return self._finish(result)
        module_args = {
            "path": target.path.path,
            "force": args["force"],
            "quorum_drive": quorum_drive,
            "route": args["route"],
        }
        # What the decisions depend on, in the result: a run given this one as checked is
        # compared with it (Ansible drops invocation from a registered result).
        result["decided_with"] = {
            name: module_args.get(name, args.get(name)) for name in DECIDING_OPTIONS
        }
        try:
            self._restore(result, module_args, target, dict(args, trusted=trusted), task_vars)
        except RestoreBlocked as blocked:
            result.update(
                failed=True,
                msg=blocked.message,
                error_code=blocked.error_code,
                error=blocked.explanation.as_result(),
            )
        except PolicyRefusal as refusal:
            result.update(failed=True, msg=str(refusal))
        return self._finish(result)

    def _finish(self, result: dict[str, t.Any]) -> dict[str, t.Any]:
        return self.finish_result(result, RAW_RESULTS_KEY)

    def _run(
        self,
        phase: str,
        args: dict[str, t.Any],
        target: SetLocation,
        task_vars: dict,
        decided: dict[str, t.Any] | None = None,
    ) -> dict[str, t.Any]:
        try:
            raw = self.run_phase(phase, args, task_vars)
        except PhaseFailed as failed:
            self.record_phase(phase, failed.result)
            guard = explain_guard_failure(failed.result, decided, target) if decided else None
            raise (guard or explain_phase_failure(failed.result, target)) from failed
        self.record_phase(phase, raw)
        return raw

    def _restore(
        self,
        result: dict[str, t.Any],
        module_args: dict[str, t.Any],
        target: SetLocation,
        options: dict[str, t.Any],
        task_vars: dict[str, t.Any],
    ) -> None:
        verified = options["verified_files"]
        if options["checked"] is not None:
            # This restore's check read the node before the safety backup and the stop: the
            # same decisions on its facts; the restore phase reads again what those steps may
            # have changed before it runs the route.
            inspect = checked_inspect(options["checked"], result["decided_with"])
        elif verified:
            # The set was hashed moments ago by this restore's check (its set.files): listed
            # again without hashing, compared, and refused if it changed since.
            inspect = self._run("inspect", dict(module_args, _hash_set=False), target, task_vars)
        else:
            inspect = self._run("inspect", module_args, target, task_vars)
        result["set"] = {"path": target.path.path, "name": target.name, "status": "missing"}
        result["configuration_version"] = {
            "before": current_paxos_tag(inspect),
            "after": current_paxos_tag(inspect),
            "backup": None,
        }

        check_set_found(inspect, target)
        if verified:
            inspect = with_verified_hashes(inspect, verified, target)
        verification = verify_set(inspect, target)
        result["set"] = _set_summary(target, verification, inspect)
        manifest = check_set_usable(verification, inspect, target)
        signature = set_signature(inspect, options["trusted"])
        result["set"]["signature"] = signature.as_result()
        warnings = check_set_signature(signature, target, required=options["require_signature"])
        result["configuration_version"]["backup"] = manifest.configuration_version.raw
        result["configuration_fingerprint"] = {
            "current": _fingerprint(inspect.get("configuration")),
            "backup": manifest.configuration_fingerprint,
        }
        changes = configuration_changes(inspect, manifest)
        result["configuration_changes"] = changes.as_result()
        if self._task.diff:
            before = (
                "running cluster"
                if inspect.get("configuration") is not None
                else ("running cluster (not readable: the cluster could not be reached)")
            )
            result["diff"] = changes.ansible_diff(
                before_header=before, after_header=target.path.path
            )

        warnings.extend(check_same_cluster(inspect, manifest, options["force"]))
        check_service_installed(inspect, target)
        route = choose_route(options["route"], manifest, inspect)
        result["route"] = route
        if route == VSS:
            # After the read-only inspect, before any node is stopped: the set's location
            # becomes wbadmin's -backupTarget (restore_decisions.wbadmin_arguments).
            check_remote_target(
                target.location,
                node_name=inspect.get("node_name"),
                cluster_nodes=inspect.get("nodes") or [],
                loopback_target=options["loopback_target"],
                role_opt_in=RESTORE_ROLE_OPT_IN,
            )

        plan, plan_warnings = plan_on_this_node(
            inspect, manifest, force=options["force"], quorum_drive=module_args["quorum_drive"]
        )
        warnings.extend(plan_warnings)
        if plan.already_current:
            # Idempotent: the cluster already runs the set's configuration; no node stopped.
            self._warn(result, warnings)
            return
        blocked = refusal_of(plan)
        if blocked is not None:
            raise blocked

        before_nodes = other_nodes(inspect)
        result["offline_disks"] = offline_disks(inspect, manifest)
        result["changed"] = True
        if self._task.check_mode:
            _warn_running(warnings, before_nodes)
            result["stopped_nodes"] = list(before_nodes.running)
            self._warn(result, warnings)
            return

        decided = decided_facts(inspect, before_nodes, force=options["force"])
        restore_args = dict(
            module_args, route=route, _other_nodes=list(before_nodes.names), **decided
        )
        if route == VSS:
            restore_args.update(wbadmin_arguments(inspect, manifest, target))
        try:
            restored = self._run("restore", restore_args, target, task_vars, decided)
        except RestoreBlocked:
            result["changed"] = False
            raise
        # The nodes that ran immediately before the route (the role's stop step may have
        # stopped them since the inspect): those the route stops.
        at_route = other_nodes({"node_services": restored.get("node_services_before") or []})
        _warn_running(warnings, at_route)
        stopped = stopped_by_restore(at_route, restored.get("node_services") or [])
        result["stopped_nodes"] = stopped
        result["configuration_version"]["after"] = restored.get("paxos_tag")
        try:
            check_route_result(route, restored, target)
        except RestoreBlocked as blocked:
            # A failed route may still have stopped nodes: that is a change to report.
            result["changed"] = bool(stopped)
            if stopped:
                blocked = RestoreBlocked(
                    blocked.explanation,
                    "The route stopped the Cluster service on "
                    + ", ".join(stopped)
                    + "; start them again (wsfc.clusterdb.cluster_node state=started).",
                )
            raise blocked from None
        self._warn(result, warnings)

    @staticmethod
    def _warn(result: dict[str, t.Any], warnings: list[str]) -> None:
        if warnings:
            result.setdefault("warnings", []).extend(warnings)


def _warn_running(warnings: list[str], nodes: OtherNodes) -> None:
    if nodes.running:
        warnings.append(
            "force=true: the restore stops the Cluster service on " + ", ".join(nodes.running) + "."
        )


def _fingerprint(configuration: object) -> str | None:
    if configuration is None:
        return None
    return configuration_fingerprint(t.cast(dict, configuration))


def _set_summary(
    target: SetLocation, verification: SetVerification, inspect: dict[str, t.Any]
) -> dict[str, t.Any]:
    manifest = verification.manifest
    listed = (inspect.get("set") or {}).get("files") or []
    summary: dict[str, t.Any] = {
        "path": target.path.path,
        "name": target.name,
        "status": verification.status,
        "problems": [p.text for p in verification.problems],
        "hashes_checked": verification.hashes_checked,
        "unexpected_files": list(verification.unexpected_files),
        # What a later run of the same restore passes as verified_files.
        "files": [
            {key: entry.get(key) for key in ("path", "size", "last_write_utc", "sha256")}
            for entry in listed
        ]
        if verification.hashes_checked
        else [],
    }
    if manifest is not None:
        summary.update(
            cluster={"name": manifest.cluster.name, "id": manifest.cluster.id},
            source_node=manifest.source_node,
            route=manifest.route,
            created=manifest.created.strftime("%Y-%m-%dT%H:%M:%SZ"),
            configuration_version=manifest.configuration_version.raw,
            wbadmin_version=manifest.wbadmin_version,
        )
    return summary
