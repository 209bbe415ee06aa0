# Copyright: (c) 2026, wsfc.clusterdb contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Records every task result of a run as JSON lines, for the integration tests to assert on."""

from __future__ import annotations

DOCUMENTATION = """
name: record
type: aggregate
short_description: Records every task result as JSON lines
description:
  - Appends one JSON object per task result (host, task, status, result) to the file
    named by the environment variable E(WSFC_RECORD_FILE).
options: {}
"""

import json
import os
import typing as t

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "record"
    CALLBACK_NEEDS_ENABLED = True

    def _record(self, status: str, result: t.Any) -> None:
        path = os.environ.get("WSFC_RECORD_FILE")
        if not path:
            return
        entry = {
            "host": result._host.get_name(),
            "task": result._task.get_name(),
            "action": result._task.action,
            "status": status,
            "result": self._sanitize(result._result),
        }
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, default=str) + "\n")

    @staticmethod
    def _sanitize(value: t.Any) -> t.Any:
        # Results hold Ansible's tagged types; a JSON round trip with str() fallback keeps data.
        return json.loads(json.dumps(value, default=str))

    def v2_runner_on_ok(self, result: t.Any) -> None:
        self._record("skipped" if result._result.get("skipped") else "ok", result)

    def v2_runner_on_failed(self, result: t.Any, ignore_errors: bool = False) -> None:
        self._record("failed", result)

    def v2_runner_on_unreachable(self, result: t.Any) -> None:
        self._record("unreachable", result)

    def v2_runner_on_skipped(self, result: t.Any) -> None:
        self._record("skipped", result)

    def v2_runner_item_on_ok(self, result: t.Any) -> None:
        self._record("item_ok", result)

    def v2_runner_item_on_failed(self, result: t.Any) -> None:
        self._record("item_failed", result)
