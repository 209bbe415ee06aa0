# Copyright: (c) 2026, wsfc.clusterdb contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The base of the collection's action plugins: run a PowerShell module one phase at a time.

A module that needs several steps (docs/internals.md) is run once per phase by its action
plugin; the plugin decides between phases. This base keeps the bookkeeping in one place:
which phases ran, how many module runs an operation cost, and how a failed phase becomes
the task's result. It also holds what such plugins share about their internal options
(refused from a task, left out of ``invocation``) and about a phase's raw result (kept
under the task's ``phase_results``).
"""

from __future__ import annotations

import typing as t
from collections.abc import Iterable, Mapping, Sequence

from ansible.plugins.action import ActionBase

# Options that start with this are internal: the module's spec has them for its action
# plugin to set between phases (as ansible.windows names win_updates' `_operation`), never
# a task.
INTERNAL_OPTION_PREFIX = "_"

# The keys of a module run that are not the phase's data: Ansible's own, and those the
# task result carries itself (its verdict, its message, the module's warnings).
RUN_KEYS = frozenset(
    {"changed", "failed", "msg", "skipped", "unreachable", "invocation", "warnings",
     "deprecations", "exception", "diff"}
)  # fmt: skip


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
    PHASE_OPTION: str = "_phase"
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

    # --- each phase's raw result, kept under the task's phase_results (RAW_RESULTS_KEY) ---

    # The options only the controller reads (the plugin's ADDED_OPTIONS): shown in
    # `invocation` from the task's options, since the module never receives them.
    CONTROLLER_OPTIONS: frozenset[str] = frozenset()

    def start_recording(self, task_options: Mapping[str, t.Any] | None = None) -> None:
        """Forget an earlier run's phases; ``task_options``: the task's checked options."""
        self._phase_results: dict[str, dict[str, t.Any]] = {}
        self._run_messages: dict[str, list[t.Any]] = {"warnings": [], "deprecations": []}
        self._invocation: dict[str, t.Any] | None = None
        self._task_options: dict[str, t.Any] = dict(task_options or {})

    def record_phase(self, phase: str, raw: Mapping[str, t.Any]) -> None:
        """Keeps a phase's raw result for phase_results, its warnings for the task's."""
        self._phase_results[phase] = phase_data(raw)
        for key, messages in self._run_messages.items():
            messages.extend(raw.get(key) or [])
        if self._invocation is None and isinstance(raw.get("invocation"), dict):
            self._invocation = public_invocation(
                raw["invocation"], self._task_options, self.CONTROLLER_OPTIONS
            )

    def finish_result(self, result: dict[str, t.Any], raw_key: str) -> dict[str, t.Any]:
        """The task result with the cost, each phase's raw result under ``raw_key``, the
        node's name (a failed phase still names the node it ran on), the module's warnings
        before the plugin's, and the task's own invocation."""
        result.update(self.phase_summary())
        result[raw_key] = self._phase_results
        if not result.get("node_name"):
            for raw in self._phase_results.values():
                if raw.get("node_name"):
                    result["node_name"] = raw["node_name"]
                    break
        for key, messages in self._run_messages.items():
            if messages:
                result[key] = messages + list(result.get(key) or [])
        if self._invocation is not None:
            result["invocation"] = self._invocation
        return result


def internal_options(task_args: Iterable[object]) -> list[str]:
    """The internal options (INTERNAL_OPTION_PREFIX) among a task's option names, sorted."""
    return sorted(str(name) for name in task_args if str(name).startswith(INTERNAL_OPTION_PREFIX))


def internal_options_message(module: str, names: Sequence[str], options: Iterable[str]) -> str:
    """The refusal of internal options a task set: which, why, and the options it may set."""
    listed = ", ".join(names)
    what, it = (
        ("is an internal option", "it") if len(names) == 1 else ("are internal options", "them")
    )
    return (
        f"{listed} {what} of {module}, set by its action plugin between the module's"
        f" runs; a task cannot set {it}. The task's options are {', '.join(options)}."
    )


def phase_data(raw: Mapping[str, t.Any]) -> dict[str, t.Any]:
    """A phase's raw result as the task's phase_results keeps it: without RUN_KEYS (the
    task result has its own) and without Ansible's internal `_ansible*` keys."""
    return {
        key: value
        for key, value in raw.items()
        if key not in RUN_KEYS and not str(key).startswith("_ansible")
    }


def public_invocation(
    invocation: Mapping[str, t.Any],
    task_options: Mapping[str, t.Any],
    controller_options: Iterable[str],
) -> dict[str, t.Any]:
    """The module's invocation without the internal options, with the task's own options.

    A task never sets the internal options, so showing them would only mislead; the
    controller-only ones (the plugin's ADDED_OPTIONS) never reach the module, so they are
    added back from the task's options.
    """
    shown = dict(invocation)
    module_args = shown.get("module_args")
    if isinstance(module_args, dict):  # a no_log run may censor it to a text
        shown["module_args"] = {
            **{
                key: value
                for key, value in module_args.items()
                if not str(key).startswith(INTERNAL_OPTION_PREFIX)
            },
            **{name: task_options[name] for name in controller_options if name in task_options},
        }
    return shown
