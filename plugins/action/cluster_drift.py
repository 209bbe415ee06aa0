# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of ``cluster_drift``: the running configuration against the last good set.

Read only, one module run: the ``inspect`` phase of wsfc.clusterdb.cluster_backup (the
collection's own PowerShell module; its internal options are for the collection's action
plugins, this one among them) reads the running cluster with its configuration objects and
lists the sets under ``path`` in the same run, hashing the newest set (every set when one
is named). The decisions are plugin_utils._drift's: which set, whether it verifies, what
changed, whether the cluster is flagged for a fresh backup.

One case costs a second read-only run: when the newest set fails verification and an older
set is complete by its marker and manifest, that set was not hashed by the first listing;
the second lists again with every set hashed (configuration objects not read again), so
that the set compared with is verified.

``changed`` is true for a drifted cluster, in check mode as well: the answer is the same.
A node that cannot answer for its cluster (unreachable, its cluster not readable, another
cluster than the inventory names) fails the task, so that the drift role asks the next node.
"""

from __future__ import annotations

import typing as t
from datetime import UTC, datetime

from ansible.errors import AnsibleConnectionFailure
from ansible.module_utils.common.text.converters import to_text
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._drift import (
    DRIFTED,
    DriftCheckFailed,
    DriftOptions,
    SetChoice,
    assess,
    check_cluster_name,
    check_cluster_readable,
    choose_set,
    hash_sets_for,
    location_problem,
    task_message,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._duration import parse_duration
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._paths import (
    validate_backup_path,
    validate_directory_name,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._phased_action import (
    PhasedAction,
    PhaseFailed,
    phase_data,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._refusal import PolicyRefusal

# The task result's keys besides Ansible's own: the drift record (plugin_utils._drift.assess)
# and what the check cost.
RECORD_KEYS: frozenset[str] = frozenset(
    {
        "cluster",
        "cluster_id",
        "state",
        "reason",
        "message",
        "checked_on",
        "checked_at",
        "path",
        "requested_set",
        "set",
        "passed_over",
        "configuration_version",
        "changes",
        "change_count",
        "change_counts",
        "max_age",
        "max_age_seconds",
        "flagged",
        "flags",
        "next_command",
    }
)

ARGUMENT_SPEC: dict[str, dict[str, t.Any]] = {
    "path": {"type": "str", "required": True},
    "set": {"type": "str", "default": ""},
    "max_age": {"type": "str", "default": "2d"},
    "cluster_name": {"type": "str", "default": ""},
    "backup_command": {"type": "str", "default": ""},
    "cluster_hosts": {"type": "list", "elements": "str", "default": []},
}


def _utc_now() -> datetime:
    return datetime.now(UTC)


class ActionModule(PhasedAction):
    MODULE = "wsfc.clusterdb.cluster_backup"
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(ARGUMENT_SPEC)
    _supports_check_mode = True
    _supports_async = False

    # The clock the ages are measured with; tests replace it.
    clock: t.Callable[[], datetime] = staticmethod(_utc_now)

    def run(
        self, tmp: str | None = None, task_vars: dict[str, t.Any] | None = None
    ) -> dict[str, t.Any]:
        task_vars = task_vars or {}
        self._module_runs = 0
        self._phases_run = []
        self._phase_results: dict[str, dict[str, t.Any]] = {}
        result = super().run(tmp, task_vars)
        result["changed"] = False
        try:
            _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
            options = self._options(args)
        except PolicyRefusal as refusal:
            result.update(failed=True, msg=str(refusal))
            return self._finish(result)
        hosts = [to_text(h) for h in args["cluster_hosts"]] or [
            to_text(task_vars.get("inventory_hostname") or "")
        ]
        try:
            record = self._check(options, task_vars, hosts)
        except DriftCheckFailed as failed:
            result.update(failed=True, msg=failed.message)
            return self._finish(result)
        except _Unreachable as lost:
            result.update(unreachable=True, msg=lost.message)
            return self._finish(result)
        result.update(record)
        result["changed"] = record["state"] == DRIFTED
        result["msg"] = task_message(record)
        return self._finish(result)

    def _options(self, args: dict[str, t.Any]) -> DriftOptions:
        path = validate_backup_path(args["path"], option="path")
        set_name = to_text(args["set"] or "")
        if set_name:
            validate_directory_name(set_name, "set")
        max_age_text = to_text(args["max_age"])
        return DriftOptions(
            path=path,
            set_name=set_name or None,
            max_age=parse_duration(max_age_text, "max_age"),
            max_age_text=max_age_text,
            now=self.clock(),
            cluster_name=to_text(args["cluster_name"] or "") or None,
            backup_command=to_text(args["backup_command"] or ""),
        )

    def _check(
        self, options: DriftOptions, task_vars: dict[str, t.Any], hosts: list[str]
    ) -> dict[str, t.Any]:
        hash_sets = hash_sets_for(options.set_name)
        inspect, failed = self._inspect(options, hash_sets, True, task_vars)
        check_cluster_readable(inspect)
        check_cluster_name(inspect, options.cluster_name)
        location = location_problem(inspect, failed, options.path.path)
        inventory = task_vars.get("inventory_file")
        inventory_text = to_text(inventory) if inventory else None
        if location is not None:
            return assess(
                inspect, options, SetChoice(None, None), location=location, hosts=hosts,
                inventory=inventory_text,
            )  # fmt: skip
        choice = choose_set(inspect, options, every_hashed=hash_sets == "all")
        if choice.needs_every_hash:
            # The newest set failed verification; the older complete one was not hashed.
            listing, failed_again = self._inspect(options, "all", False, task_vars)
            location = location_problem(listing, failed_again, options.path.path)
            if location is not None:
                return assess(
                    inspect, options, choice, location=location, hosts=hosts,
                    inventory=inventory_text,
                )  # fmt: skip
            inspect = {**inspect, "sets": listing.get("sets") or []}
            choice = choose_set(inspect, options, every_hashed=True)
        return assess(inspect, options, choice, hosts=hosts, inventory=inventory_text)

    def _inspect(
        self,
        options: DriftOptions,
        hash_sets: str,
        include_configuration: bool,
        task_vars: dict[str, t.Any],
    ) -> tuple[dict[str, t.Any], bool]:
        """One inspect run: its raw result, and whether the module failed (a failed listing
        still carries the cluster's facts, read before it)."""
        args = {
            "path": options.path.path,
            "_include_configuration": include_configuration,
            "_hash_sets": hash_sets,
        }
        key = "inspect" if "inspect" not in self._phase_results else "inspect_all_sets"
        try:
            raw = self.run_phase("inspect", args, task_vars)
        except PhaseFailed as failed:
            self._phase_results[key] = phase_data(failed.result)
            if failed.result.get("unreachable"):
                raise _Unreachable(_unreachable_message(failed.result, task_vars)) from failed
            # A listing that failed still carries what the run read before it, the cluster's
            # facts; a run that failed before them leaves this node nothing to answer with.
            if include_configuration and failed.result.get("configuration") is None:
                raise DriftCheckFailed(_node_failure(failed.result, task_vars)) from failed
            return dict(failed.result), True
        except (AnsibleConnectionFailure, OSError) as error:
            # A connection that fails (the node down, the network gone) reaches the action
            # as the transport's error: the host is unreachable, another node may answer.
            self._module_runs += 1
            self._phases_run.append("inspect")
            raise _Unreachable(
                f"{task_vars.get('inventory_hostname', 'the host')} cannot be reached: "
                f"{to_text(error)}"
            ) from error
        self._phase_results[key] = phase_data(raw)
        return raw, False

    def _finish(self, result: dict[str, t.Any]) -> dict[str, t.Any]:
        result.update(self.phase_summary())
        result["phase_results"] = self._phase_results
        return result


class _Unreachable(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _unreachable_message(raw: dict[str, t.Any], task_vars: dict[str, t.Any]) -> str:
    host = task_vars.get("inventory_hostname", "the host")
    return f"{host} cannot be reached: {to_text(raw.get('msg') or 'no answer')}"


def _node_failure(raw: dict[str, t.Any], task_vars: dict[str, t.Any]) -> str:
    node = raw.get("node_name") or task_vars.get("inventory_hostname", "the node")
    detail = to_text(raw.get("msg") or "no message").rstrip(".")
    return (
        f"{node} could not read its cluster: {detail}. Another node of the cluster may "
        "answer; run the drift check again once this one is back."
    )
