# Copyright: (c) 2026, wsfc.clusterdb contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The base of the collection's action plugins: run a PowerShell module one phase at a time.

A module that needs several steps (docs/internals.md) is run once per phase by its action
plugin; the plugin decides between phases. This base keeps the bookkeeping in one place:
which phases ran, how many module runs an operation cost, and how a failed phase becomes
the task's result.
"""

from __future__ import annotations

import typing as t

from ansible.plugins.action import ActionBase


class PhaseFailed(Exception):
    """A phase of the module failed on the node; `result` is the module's raw result."""

    def __init__(self, phase: str, result: dict[str, t.Any]) -> None:
        super().__init__(f"phase {phase} failed: {result.get('msg', 'no message')}")
        self.phase = phase
        self.result = result


class PhasedAction(ActionBase):
    """Runs `MODULE` with the phase under `PHASE_OPTION` and keeps count of the runs."""

    MODULE: str = ""
    # The module option that names the phase. A leading underscore marks it internal, as
    # ansible.windows names the options only its action plugins set (win_updates'
    # `_operation`); the plugin then refuses it from a task.
    PHASE_OPTION: str = "phase"
    _module_runs: int = 0
    _phases_run: list[str]

    def run_phase(
        self,
        phase: str,
        module_args: dict[str, t.Any],
        task_vars: dict[str, t.Any],
    ) -> dict[str, t.Any]:
        """Runs one phase on the node; raises PhaseFailed when the module fails."""
        if not hasattr(self, "_phases_run"):
            self._phases_run = []
        args = dict(module_args)
        args[self.PHASE_OPTION] = phase
        result = self._execute_module(
            module_name=self.MODULE,
            module_args=args,
            task_vars=task_vars,
        )
        self._module_runs += 1
        self._phases_run.append(phase)
        if result.get("failed") or result.get("unreachable"):
            raise PhaseFailed(phase, result)
        return result

    def phase_summary(self) -> dict[str, t.Any]:
        """What the operation cost on the node, for the task result."""
        return {"module_runs": self._module_runs, "phases": list(getattr(self, "_phases_run", []))}
