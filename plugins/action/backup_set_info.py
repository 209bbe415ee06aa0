# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller side of wsfc.clusterdb.backup_set_info.

One module run lists the directories under ``path`` (with every file hashed when
``verify``); each set is then verified here against its manifest (plugin_utils._manifest),
filtered by ``cluster_name`` (the sets left out are in ``rejected``, each with why: another
cluster's, or a manifest that cannot be read), and the newest complete one picked. Read only.
"""

from __future__ import annotations

import typing as t

from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.action import ActionBase
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._backup_set_report import (
    report_backup_sets,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._errors import (
    ERROR_DIRECTORY,
    RESTORE,
    explain_win32_error,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._paths import validate_backup_path
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._refusal import PolicyRefusal
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._signing import (
    check_signature_options,
)

# The keys of the task result that the module does not return: the controller adds them
# (the contract check reads this).
ADDED_RESULT_KEYS: frozenset[str] = frozenset(
    {
        "backup_path",
        "exists",
        "newest_complete",
        "other_directories",
        "rejected",
        "module_runs",
        "error",
    }
)

# The options only the controller reads: documented in plugins/modules/backup_set_info.py,
# never passed to the PowerShell module (the contract check reads this).
ADDED_OPTIONS: frozenset[str] = frozenset({"trusted_keys", "require_signature"})

_ARGUMENT_SPEC: dict[str, dict[str, t.Any]] = {
    "path": {"type": "str", "required": True},
    "verify": {"type": "bool", "default": True},
    "cluster_name": {"type": "str"},
    "trusted_keys": {"type": "list", "elements": "str", "default": [], "no_log": False},
    "require_signature": {"type": "bool", "default": False},
}


class ActionModule(ActionBase):
    MODULE = "wsfc.clusterdb.backup_set_info"
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(_ARGUMENT_SPEC)
    _supports_check_mode = True
    _supports_async = False

    def run(
        self, tmp: str | None = None, task_vars: dict[str, t.Any] | None = None
    ) -> dict[str, t.Any]:
        super().run(tmp, task_vars)
        result: dict[str, t.Any] = {"changed": False, "module_runs": 0}
        _validation_result, args = self.validate_argument_spec(argument_spec=_ARGUMENT_SPEC)
        try:
            backup_path = validate_backup_path(args["path"], option="path")
            trusted = check_signature_options(args["trusted_keys"], args["require_signature"])
        except PolicyRefusal as refusal:
            result.update(failed=True, msg=str(refusal), error_code=None)
            return result
        result["backup_path"] = backup_path.path
        cluster_name = args.get("cluster_name")
        verify = bool(args["verify"])

        raw = self._execute_module(
            module_name=self.MODULE,
            module_args={
                "path": backup_path.path,
                "verify": verify,
                "cluster_name": cluster_name,
            },
            task_vars=task_vars or {},
        )
        result["module_runs"] = 1
        node = raw.get("node_name")
        if raw.get("failed") or raw.get("unreachable"):
            return self._failed(result, raw, backup_path.path)
        result["node_name"] = node

        info = raw.get("path_info") or {}
        if info.get("exists") and not info.get("is_directory"):
            # Reading, like a restore: the restore texts fit
            # (docs/windows-behaviour.md#clusapi-backup-restore, 267).
            explanation = explain_win32_error(
                ERROR_DIRECTORY, RESTORE, path=backup_path.path, node=node
            )
            result.update(
                failed=True,
                msg=explanation.message,
                error_code=ERROR_DIRECTORY,
                error=explanation.as_result(),
                exists=False,
                sets=[],
                newest_complete=None,
            )
            return result

        report = report_backup_sets(
            backup_path,
            list(raw.get("sets") or []),
            verify=verify,
            cluster_name=to_text(cluster_name) if cluster_name else None,
            trusted_keys=trusted,
            require_signature=bool(args["require_signature"]),
        )
        result.update(
            exists=bool(info.get("exists")),
            sets=report.sets,
            newest_complete=report.newest_complete,
            other_directories=report.other_directories,
            rejected=report.rejected,
        )
        return result

    @staticmethod
    def _failed(result: dict[str, t.Any], raw: dict[str, t.Any], path: str) -> dict[str, t.Any]:
        code = raw.get("error_code")
        detail = str(raw.get("msg") or "no message")
        message = f"The backup sets under {path} could not be listed: {detail}"
        if isinstance(code, int) and not isinstance(code, bool):
            explanation = explain_win32_error(code, RESTORE, path=path, node=raw.get("node_name"))
            message = f"{message} ({explanation.name}: {explanation.cause}). {explanation.fix}"
            result["error"] = explanation.as_result()
        result.update(failed=True, msg=message, error_code=code if isinstance(code, int) else None)
        if raw.get("unreachable"):
            result["unreachable"] = True
        return result
