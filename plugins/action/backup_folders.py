# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of ``backup_folders``: check the folders, run the module once, explain.

The module on the node creates the folders and sets their ACLs; before it changes anything
it reports a folder that is a file (267) or an account that does not resolve (1332). This
plugin refuses bad options before the node is contacted and turns a code into the
operator's message (``plugin_utils._backup_folders``).
"""

from __future__ import annotations

import typing as t

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._backup_folders import (
    RIGHTS,
    RULE_STATES,
    check_folders,
    explain_folders_failure,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._refusal import PolicyRefusal

# The keys this plugin adds to the module's raw result (the contract check reads this).
ADDED_RESULT_KEYS: frozenset[str] = frozenset({"error"})

ARGUMENT_SPEC: dict[str, dict[str, t.Any]] = {
    "folders": {
        "type": "list",
        "elements": "dict",
        "required": True,
        "options": {
            "path": {"type": "str", "required": True},
            "access": {
                "type": "list",
                "elements": "dict",
                "default": [],
                "options": {
                    "account": {"type": "str", "required": True},
                    "rights": {"type": "str", "required": True, "choices": list(RIGHTS)},
                    "state": {"type": "str", "default": "present", "choices": list(RULE_STATES)},
                },
            },
        },
    },
}


class ActionModule(ActionBase):
    TRANSFERS_FILES = False

    def run(
        self, tmp: str | None = None, task_vars: dict[str, t.Any] | None = None
    ) -> dict[str, t.Any]:
        self._supports_check_mode = True
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        try:
            _validation_result, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
            folders = check_folders(args["folders"])
        except (AnsibleActionFail, PolicyRefusal) as err:
            return {**result, "failed": True, "changed": False, "msg": str(err)}

        raw = self._execute_module(
            module_name="wsfc.clusterdb.backup_folders",
            module_args={"folders": folders},
            task_vars=task_vars,
        )
        result.update(raw)
        if raw.get("unreachable") or "folders" not in raw:
            # Not the module's own answer (unreachable, or the wrapper failed): pass it on.
            return result
        explanation = explain_folders_failure(result)
        result["error"] = None if explanation is None else explanation.as_result()
        if explanation is not None:
            result["failed"] = True
            result["msg"] = explanation.message
        return result
