# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of ``cluster_node``: check the options, run the module once, explain.

The module on the node starts or stops the Cluster service and reports raw states and the
raw Win32 code of a refused cmdlet; this plugin refuses bad options before the node is
contacted and turns a code or a wait that ran out into the operator's message
(``plugin_utils._node_service``).
"""

from __future__ import annotations

import typing as t

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._node_service import (
    DEFAULT_TIMEOUT,
    STATES,
    NodeOptions,
    check_node_options,
    explain_node_failure,
    explain_node_timeout,
    final_node_state,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._refusal import PolicyRefusal

# The keys this plugin adds to the module's raw result (the contract check reads this).
ADDED_RESULT_KEYS: frozenset[str] = frozenset({"node_state", "error"})

ARGUMENT_SPEC: dict[str, dict[str, t.Any]] = {
    "state": {"type": "str", "required": True, "choices": list(STATES)},
    "force_quorum": {"type": "bool", "default": False},
    "prevent_quorum": {"type": "bool", "default": False},
    "wait": {"type": "bool", "default": True},
    "timeout": {"type": "int", "default": DEFAULT_TIMEOUT},
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
            options = self._options()
        except (AnsibleActionFail, PolicyRefusal) as err:
            return {**result, "failed": True, "changed": False, "msg": str(err)}

        raw = self._execute_module(
            module_name="wsfc.clusterdb.cluster_node",
            module_args=options.module_args(),
            task_vars=task_vars,
        )
        result.update(raw)
        if raw.get("unreachable") or "node_state_after" not in raw:
            # Not the module's own answer (unreachable, or the wrapper failed): pass it on.
            return result
        return self._explained(result, options)

    def _options(self) -> NodeOptions:
        _validation_result, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        return check_node_options(
            state=args["state"],
            force_quorum=args["force_quorum"],
            prevent_quorum=args["prevent_quorum"],
            wait=args["wait"],
            timeout=args["timeout"],
        )

    def _explained(self, result: dict[str, t.Any], options: NodeOptions) -> dict[str, t.Any]:
        node = result.get("node_name")
        result["node_state"] = final_node_state(result)
        result["error"] = None
        code = result.get("error_code")
        if code is not None:
            explanation = explain_node_failure(int(code), options.state, node)
        elif result.get("timed_out"):
            explanation = explain_node_timeout(
                options.state, node, options.timeout, result["node_state"]
            )
        else:
            return result
        result["error"] = explanation.as_result()
        result["failed"] = True
        result["msg"] = explanation.message
        return result
