# Copyright: (c) 2026, wsfc.clusterdb contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""cluster_info: run the module once, then add the facts derived from its raw result."""

from __future__ import annotations

import typing as t

from ansible.plugins.action import ActionBase
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._cluster_facts import (
    DERIVED_KEYS,
    derive_cluster_facts,
)

# Result keys added on the controller (read by the contract check).
ADDED_RESULT_KEYS: frozenset[str] = DERIVED_KEYS

# Checked here, so that a bad option is refused before the node is contacted.
_ARGUMENT_SPEC: dict[str, dict[str, t.Any]] = {
    "include_configuration": {"type": "bool", "default": True},
}


class ActionModule(ActionBase):
    _requires_connection = True
    _supports_check_mode = True
    _supports_async = False
    _VALID_ARGS = frozenset(_ARGUMENT_SPEC)

    def run(
        self, tmp: str | None = None, task_vars: dict[str, t.Any] | None = None
    ) -> dict[str, t.Any]:
        result = super().run(tmp, task_vars or {})
        del tmp
        _validation_result, args = self.validate_argument_spec(argument_spec=_ARGUMENT_SPEC)
        raw = self._execute_module(
            module_name="wsfc.clusterdb.cluster_info",
            module_args={"include_configuration": bool(args["include_configuration"])},
            task_vars=task_vars or {},
        )
        result.update(raw)
        if raw.get("failed") or raw.get("skipped"):
            return result
        result.update(derive_cluster_facts(raw))
        result["changed"] = False
        return result
