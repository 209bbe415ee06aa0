# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of ``controller_copy``: the controller copy, sealed and opened there.

It runs on the controller only (no module runs on a node, no key is sent to one). The
decisions are plugin_utils._controller_restore's; the key is read here, never returned.
"""

from __future__ import annotations

import typing as t

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils import _controller_restore as copy
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._controller_crypto import (
    load_encryption_key,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._refusal import PolicyRefusal
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._signing import load_trusted_keys

ARGUMENT_SPEC: dict[str, dict[str, t.Any]] = {
    "operation": {"type": "str", "required": True, "choices": ["seal", "open"]},
    "cluster_folder": {"type": "path", "required": True},
    "set_name": {"type": "str", "default": ""},
    "cluster_name": {"type": "str", "default": ""},
    "src": {"type": "path"},
    "encryption_key": {"type": "str", "no_log": True},
    "trusted_keys": {"type": "list", "elements": "str", "default": [], "no_log": False},
    "require_signature": {"type": "bool", "default": False},
    "staging_path": {"type": "str", "default": ""},
}


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(
        self, tmp: str | None = None, task_vars: dict[str, t.Any] | None = None
    ) -> dict[str, t.Any]:
        self._supports_check_mode = True
        result = super().run(tmp, task_vars or {})
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        try:
            given = args["encryption_key"]
            key = load_encryption_key(given, "encryption_key") if given else None
            if args["operation"] == "seal":
                if key is None or not args["src"] or not args["set_name"]:
                    raise AnsibleActionFail(
                        "operation seal needs encryption_key, src and set_name."
                    )
                result.update(copy.seal(key, args["src"], args["cluster_folder"], args["set_name"]))
                result["changed"] = True
                return result
            if not args["staging_path"]:
                raise AnsibleActionFail("operation open needs staging_path.")
            result.update(
                copy.open_copy(
                    args["cluster_folder"],
                    args["cluster_name"],
                    set_name=args["set_name"],
                    key=key,
                    trusted_keys=load_trusted_keys(args["trusted_keys"], "trusted_keys"),
                    require_signature=args["require_signature"],
                    staging_path=args["staging_path"],
                )
            )
            result["changed"] = False
        except PolicyRefusal as refusal:
            result.update(failed=True, msg=str(refusal))
        return result
