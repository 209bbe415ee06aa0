# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller side of wsfc.clusterdb.cluster_backup.

Runs the module's phases (docs/internals.md): ``inspect``; then, only when a backup is
needed and not in check mode, ``backup`` and ``finalize``. Every decision is taken here:
the path is validated before any module run, the route resolved, the node's cluster state
checked, idempotence judged from the newest verified set, the set named, the new wbadmin
version checked to hold the Cluster application (plugin_utils._backup_items), the manifest
built. An idempotent run costs one module run; with ``copies`` it also names, in that
same run, the other folders that lack the set (plugin_utils._backup_decisions.copies_report).

The phase and what this plugin passes between phases are internal options (a leading
underscore: ``_phase``, ``_staging_name``, ...); a task that sets one is refused before any
module run, and ``invocation`` shows the task's options only. The task result holds what
an operator reads; each phase's raw result is kept under ``phase_results`` by phase name.
"""

from __future__ import annotations

import typing as t
from datetime import UTC, datetime

from ansible.errors import AnsibleConnectionFailure
from ansible.module_utils.common.text.converters import to_text
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._backup_decisions import (
    BackupBlocked,
    backed_up_version,
    check_cluster_can_back_up,
    check_path_is_directory,
    check_route_result,
    copies_report,
    current_configuration_version,
    explain_module_failure,
    find_up_to_date_set,
    node_accounts,
    validate_copies,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._backup_items import (
    check_version_holds_cluster,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._errors import (
    BACKUP,
    ERROR_CALL_NOT_IMPLEMENTED,
    ERROR_DATABASE_BACKUP_CORRUPT,
    explain_win32_error,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._manifest import (
    Manifest,
    ManifestError,
    SetVerification,
    build_manifest,
    manifest_to_json,
    verify_backup_set,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._paths import (
    BackupPath,
    validate_backup_path,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._paxos import PaxosTag
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._phased_action import (
    PhasedAction,
    PhaseFailed,
    internal_options,
    internal_options_message,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._refusal import PolicyRefusal
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._routes import (
    CLUSAPI,
    ROUTE_CHOICES,
    VSS,
    HostBackupFacts,
    os_version_tuple,
    resolve_route,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._set_naming import make_set_name
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._signing import (
    HIDDEN,
    SigningKey,
    load_signing_key,
    sign_manifest,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._wbadmin_target import (
    check_local_path,
    check_remote_target,
    wbadmin_target_for,
)

# The keys of the task result, all set by this plugin (the contract check reads this set);
# the module's raw results are under RAW_RESULTS_KEY only. Some carry a raw value on (the
# node, the cluster, the route's command and output when the route failed), the others
# are what the plugin concluded.
ADDED_RESULT_KEYS: frozenset[str] = frozenset(
    {
        "backup_path",
        "set_name",
        "set_path",
        "created",
        "wbadmin_version",
        "route",
        "configuration_version",
        "files",
        "node_name",
        "cluster",
        "nodes",
        "cluster_service",
        "home_created",
        "staging_path",
        "route_command",
        "route_exit_code",
        "route_output",
        "error_code",
        "error",
        "copies",
        "signed_by",
        "module_runs",
        "phases",
        "phase_results",
    }
)

# The task result key under which each phase's raw result is kept, by phase name; the
# contract check compares the PowerShell module's result keys with those documented there.
RAW_RESULTS_KEY = "phase_results"

# The options only the controller reads: documented in plugins/modules/cluster_backup.py,
# never passed to the PowerShell module, so its spec does not carry them (the contract
# check reads this).
ADDED_OPTIONS: frozenset[str] = frozenset({"loopback_target", "node_account_domain", "signing_key"})

# The options a task may set; the internal ones (_phase, _staging_name, ...) are not among
# them: run() refuses them by their prefix before this spec is read.
_ARGUMENT_SPEC: dict[str, dict[str, t.Any]] = {
    "path": {"type": "str", "required": True},
    "route": {"type": "str", "default": "auto", "choices": list(ROUTE_CHOICES)},
    "loopback_target": {"type": "bool", "default": False},
    "node_account_domain": {"type": "str", "default": ""},
    "copies": {"type": "list", "elements": "str", "default": []},
    # A secret: parsed here, used here, never sent to a node nor shown (invocation shows
    # HIDDEN in its place).
    "signing_key": {"type": "str", "no_log": True},
}


def _utc_now() -> datetime:
    return datetime.now(UTC)


class ActionModule(PhasedAction):
    CONTROLLER_OPTIONS = ADDED_OPTIONS
    MODULE = "wsfc.clusterdb.cluster_backup"
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(_ARGUMENT_SPEC)
    _supports_check_mode = True
    _supports_async = False

    # The clock that names a new set; tests replace it.
    clock: t.Callable[[], datetime] = staticmethod(_utc_now)

    def run(
        self, tmp: str | None = None, task_vars: dict[str, t.Any] | None = None
    ) -> dict[str, t.Any]:
        task_vars = task_vars or {}
        self._module_runs = 0
        self._phases_run = []
        self._result: dict[str, t.Any] = {"changed": False}
        self.start_recording()
        self._copies: list[BackupPath] = []
        internal = internal_options(self._task.args)
        if internal:
            # Before ActionBase.run, whose _VALID_ARGS check would call them only invalid.
            self._fail(internal_options_message("cluster_backup", internal, _ARGUMENT_SPEC))
            return self._finish()
        super().run(tmp, task_vars)
        try:
            _validation_result, args = self.validate_argument_spec(argument_spec=_ARGUMENT_SPEC)
            self._task_options = {name: args[name] for name in _ARGUMENT_SPEC}
            self._signing_key: SigningKey | None = None
            if args["signing_key"]:
                self._task_options["signing_key"] = HIDDEN
                self._signing_key = load_signing_key(args["signing_key"], "signing_key")
            backup_path = validate_backup_path(args["path"], option="path")
            self._result["backup_path"] = backup_path.path
            self._copies = validate_copies(list(args["copies"] or []), backup_path)
            self._loopback_target = bool(args["loopback_target"])
            self._node_account_domain = to_text(args["node_account_domain"] or "")
            # A local path with route vss is a loopback target whatever the node says.
            check_local_path(
                backup_path, route=to_text(args["route"]), loopback_target=self._loopback_target
            )
            self._back_up(backup_path, to_text(args["route"]), task_vars)
        except PolicyRefusal as refusal:
            self._fail(str(refusal))
        except BackupBlocked as blocked:
            self._fail(blocked.message, blocked.error_code, blocked)
        return self._finish()

    def _finish(self) -> dict[str, t.Any]:
        return self.finish_result(self._result, RAW_RESULTS_KEY)

    def _back_up(self, backup_path: BackupPath, requested_route: str, task_vars: dict) -> None:
        path = backup_path.path
        inspect = self._phase(
            "inspect",
            {
                "path": path,
                "route": requested_route,
                "copies": [folder.path for folder in self._copies],
                "_include_configuration": True,
                "_hash_sets": "newest",
            },
            task_vars,
            path,
            None,
        )
        node = inspect.get("node_name")
        self._result.update(
            node_name=node,
            cluster=inspect.get("cluster"),
            nodes=inspect.get("nodes") or [],
            cluster_service=inspect.get("cluster_service"),
        )
        check_path_is_directory(inspect, path)
        check_cluster_can_back_up(inspect, path)
        tag = current_configuration_version(inspect)
        self._result["configuration_version"] = tag.as_facts()
        route = self._resolve_route(requested_route, inspect, node)
        self._result["route"] = route
        if route == VSS:
            # Known only now, from the read-only inspect: this node's name, the cluster's
            # nodes and (for route auto) the route; nothing has been written yet.
            check_remote_target(
                backup_path,
                node_name=node,
                cluster_nodes=inspect.get("nodes") or [],
                loopback_target=self._loopback_target,
            )

        signer = self._signing_key.public if self._signing_key is not None else None
        up_to_date = find_up_to_date_set(inspect, tag, signer)
        # The set of the result is in a copy only when it exists already: a set this run
        # writes (or would write, in check mode) was in none when the copies were listed.
        self._report_copies(inspect, up_to_date.name if up_to_date is not None else None)
        if up_to_date is not None:
            if signer is not None:
                self._result["signed_by"] = signer.fingerprint
            self._report_up_to_date(backup_path, up_to_date.name, up_to_date.verification)
            return

        existing = [str(s.get("name")) for s in inspect.get("sets") or []]
        set_name = make_set_name(self.clock(), tag, existing)
        self._result.update(
            changed=True,
            set_name=set_name.name,
            set_path=backup_path.child(set_name.name),
            staging_path=backup_path.child(set_name.staging_name),
            created=set_name.created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
        if self._task.check_mode:
            self._result["msg"] = (
                f"Check mode: would back up configuration version {tag.version} of cluster "
                f"{(inspect.get('cluster') or {}).get('name')} with route {route} into "
                f"{self._result['set_path']}."
            )
            return

        backup_args: dict[str, t.Any] = {
            "path": path,
            "route": route,
            "_staging_name": set_name.staging_name,
        }
        if not (inspect.get("path_info") or {}).get("exists"):
            # The module creates the path with an ACL of its own; the nodes write into it
            # (wbadmin as the computer account, docs/backup.md, Protection).
            backup_args["_home_writers"] = node_accounts(inspect, self._node_account_domain)
        if route == VSS:
            backup_args["_wbadmin_target"] = wbadmin_target_for(
                backup_path, str(node), set_name.staging_name
            )
        backup = self._phase("backup", backup_args, task_vars, path, node)
        self._result["staging_path"] = backup.get("staging_path") or self._result["staging_path"]
        if "home_created" in backup:
            self._result["home_created"] = bool(backup["home_created"])
        try:
            wbadmin_version = check_route_result(route, backup, path=path, node=node)
        except BackupBlocked:
            self._result.update(
                route_command=backup.get("route_command"),
                route_exit_code=backup.get("route_exit_code"),
                route_output=backup.get("route_output"),
            )
            raise
        if route == VSS:
            # Sealing a set wbadmin cannot restore the cluster from would only fail at restore.
            check_version_holds_cluster(
                backup,
                str(wbadmin_version),
                node=node,
                staging_path=self._result.get("staging_path"),
            )
        backed_up = backed_up_version(backup)
        if backed_up != tag:
            # The configuration changed between inspect and the backup, or during it: the
            # set is named after what it holds, the tag read before the backup began or,
            # when the tag moved during it, the range from that tag (backed_up_version).
            set_name = make_set_name(set_name.created, backed_up, existing)
            tag = backed_up
            self._result.update(
                set_name=set_name.name,
                set_path=backup_path.child(set_name.name),
                configuration_version=tag.as_facts(),
            )
        manifest = self._manifest(inspect, backup, route, tag, set_name.created, wbadmin_version)
        self._result["wbadmin_version"] = wbadmin_version
        self._result["files"] = [
            {"path": f.path, "size": f.size, "sha256": f.sha256} for f in manifest.files
        ]

        manifest_text = manifest_to_json(manifest)
        finalize_args = {
            "path": path,
            "route": route,
            "_staging_name": set_name.staging_name,
            "_set_name": set_name.name,
            "_manifest": manifest_text,
        }
        if self._signing_key is not None:
            # Only the signature goes to the node; the key stays here.
            finalize_args["_signature"] = sign_manifest(self._signing_key, manifest_text)
            self._result["signed_by"] = self._signing_key.fingerprint
        finalize = self._phase(
            "finalize",
            finalize_args,
            task_vars,
            path,
            node,
        )
        self._result["set_path"] = finalize.get("set_path") or self._result["set_path"]
        self._result.pop("staging_path", None)
        self._result["msg"] = (
            f"Backed up configuration version {tag.version} with route {route} into "
            f"{self._result['set_path']}."
        )

    def _phase(
        self, phase: str, args: dict[str, t.Any], task_vars: dict, path: str, node: str | None
    ) -> dict[str, t.Any]:
        try:
            result = self._run_phase_or_lost(phase, args, task_vars)
        except PhaseFailed as failed:
            self.record_phase(phase, failed.result)
            lost = bool(failed.result.get("unreachable"))
            if lost:
                self._result["unreachable"] = True
            # A node lost during a writing phase may have written part of it.
            written = phase == "finalize" or failed.result.get("changed") or lost
            if phase != "inspect" and written:
                self._result["changed"] = True
            raise explain_module_failure(
                failed.result, path=path, node=node, phase=phase
            ) from failed
        self.record_phase(phase, result)
        if result.get("changed"):
            self._result["changed"] = True
        return result

    def _run_phase_or_lost(
        self, phase: str, args: dict[str, t.Any], task_vars: dict
    ) -> dict[str, t.Any]:
        """run_phase, with a connection that fails (the node crashed, the network went, a
        reply took longer than the connection's timeout) taken as an unreachable result,
        so that the task still says which phase was cut and what may be left."""
        try:
            return self.run_phase(phase, args, task_vars)
        except (AnsibleConnectionFailure, OSError) as error:
            # OSError: a connection cut in the middle of a command reaches the action as
            # the transport's own error (requests' ConnectionError is one), not wrapped.
            self._module_runs += 1
            self._phases_run.append(phase)
            raise PhaseFailed(phase, {"unreachable": True, "msg": to_text(error)}) from error

    def _report_copies(self, inspect: dict, set_name: str | None) -> None:
        if self._copies:
            self._result["copies"] = copies_report(inspect, set_name)

    def _resolve_route(self, requested: str, inspect: dict, node: str | None) -> str:
        facts = HostBackupFacts.from_cluster_info(inspect)
        try:
            # The vss target is always a UNC path (plugin_utils._wbadmin_target).
            return resolve_route(requested, facts, unc_target=True, node=node)
        except PolicyRefusal as refusal:
            # Asking for clusapi on 2008 or later: Windows would answer 120; say so.
            version = os_version_tuple(facts.os_version)
            legacy_refused = requested == CLUSAPI and version is not None and version >= (6, 0)
            code = ERROR_CALL_NOT_IMPLEMENTED if legacy_refused else None
            raise BackupBlocked(str(refusal), error_code=code) from refusal

    def _report_up_to_date(
        self, backup_path: BackupPath, name: str, verification: SetVerification
    ) -> None:
        manifest = verification.manifest
        if manifest is None:
            raise ValueError("an up-to-date set always has a manifest")
        self._result.update(
            changed=False,
            set_name=name,
            set_path=backup_path.child(name),
            created=manifest.created.strftime("%Y-%m-%dT%H:%M:%SZ"),
            wbadmin_version=manifest.wbadmin_version,
            files=[{"path": f.path, "size": f.size, "sha256": f.sha256} for f in manifest.files],
            msg=(
                f"The newest complete set {name} already holds configuration version "
                f"{manifest.configuration_version.version}; nothing was written."
            ),
        )

    def _manifest(
        self,
        inspect: dict,
        backup: dict,
        route: str,
        tag: PaxosTag,
        created: datetime,
        wbadmin_version: str | None,
    ) -> Manifest:
        files = list(backup.get("files") or [])
        corrupt = explain_win32_error(ERROR_DATABASE_BACKUP_CORRUPT, BACKUP)
        if not files:
            raise BackupBlocked.from_explanation(corrupt, "the route wrote no files")
        try:
            manifest = build_manifest(
                cluster=inspect.get("cluster") or {},
                source_node=str(inspect.get("node_name") or ""),
                route=route,
                paxos_tag=tag,
                quorum=inspect.get("quorum"),
                configuration=inspect.get("configuration"),
                files=files,
                created=created,
                wbadmin_version=wbadmin_version,
            )
        except ManifestError as err:
            raise BackupBlocked.from_explanation(
                corrupt, f"the manifest cannot be built: {err}"
            ) from err
        # The manifest must verify against the very listing it was built from before the
        # set is marked complete.
        check = verify_backup_set(
            marker_present=True, manifest_text=manifest_to_json(manifest), files=files
        )
        if not check.is_complete:
            raise BackupBlocked.from_explanation(corrupt, check.message)
        return manifest

    def _fail(
        self, message: str, error_code: int | None = None, blocked: BackupBlocked | None = None
    ) -> None:
        # A node that stopped answering is unreachable, not failed: Ansible treats the host
        # as it treats any unreachable host (ignore_unreachable, the next node's attempt).
        if not self._result.get("unreachable"):
            self._result["failed"] = True
        self._result["msg"] = message
        self._result["error_code"] = error_code
        if blocked is not None and blocked.explanation is not None:
            self._result["error"] = blocked.explanation.as_result()
