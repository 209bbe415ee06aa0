"""Run the module a payload names, through its emulation, and print what the host would.

On a real host, module_wrapper.ps1 runs the module and the exec wrapper prints the
module's output: Ansible.Basic's ExitJson/FailJson write one compressed JSON line and set
the exit code (0 or 1); ansible's winrm plugin returns stdout, stderr and that code, and
the action plugin parses the JSON from stdout.

Wrappers: runas become (become_wrapper.ps1) is emulated by running the module as the
become user; async (async_wrapper.ps1, async_watchdog.ps1), coverage and any other
wrapper are not, and fail naming what is missing.
"""

from __future__ import annotations

import time
import traceback
from pathlib import Path

from wsfc_lab.emulation.framework.invocation import LabError, invoke
from wsfc_lab.emulation.framework.node_environment import node_environment
from wsfc_lab.emulation.framework.registry import lookup
from wsfc_lab.execution.context import NodeContext, become_logon, with_logon
from wsfc_lab.execution.execution_log import record_execution
from wsfc_lab.execution.failures import failed_result, json_line, not_emulated_result
from wsfc_lab.execution.payload import ASYNC_ACTIONS, BECOME_WRAPPER, ExecPayload, ModuleRun
from wsfc_lab.winrm.runner_contract import CommandResult


def _unemulated_wrapper(payload: ExecPayload, fqcn: str) -> CommandResult | None:
    for wrapper in payload.wrappers:
        if wrapper.name == BECOME_WRAPPER:
            continue
        if wrapper.name in ASYNC_ACTIONS:
            return not_emulated_result(f"async tasks ({wrapper.name}) for module {fqcn}")
        return not_emulated_result(f"the exec wrapper action {wrapper.name} for module {fqcn}")
    return None


def _module_context(context: NodeContext, payload: ExecPayload) -> NodeContext:
    """The context the module runs in: as the become user when runas is used, in the
    logon runas creates for it (context.become_logon) when the session is known."""
    become = payload.become_request
    if become is None:
        return context
    user = become.user or context.user
    facts = context.world.node_facts(context.node)
    world = context.world
    if context.session is not None:
        world = with_logon(world, become_logon(context.node, become))
    return NodeContext(world, context.node, user, node_environment(facts, user), context.session)


def run_module(context: NodeContext, payload: ExecPayload) -> CommandResult:
    """Run the payload's module and log the run (execution_log.py) for benchmarks."""
    module = payload.module
    if module is None:
        raise ValueError("the payload's last action is not module_wrapper.ps1")
    started = time.time()
    clock = time.monotonic()
    result = _run_module(context, payload, module)
    lab_dir = getattr(context.world, "lab_dir", None)
    record_execution(
        lab_dir if isinstance(lab_dir, Path) else None,
        started=started,
        node=context.node,
        module=module.fqcn,
        arguments=module.arguments,
        duration=time.monotonic() - clock,
        failed=result.exit_code != 0,
    )
    return result


def _run_module(context: NodeContext, payload: ExecPayload, module: ModuleRun) -> CommandResult:
    if not module.for_module:
        return not_emulated_result(f"PowerShell scripts ({module.script})")
    if refusal := _unemulated_wrapper(payload, module.fqcn):
        return refusal
    emulation = lookup(module.fqcn)
    if emulation is None:
        return not_emulated_result(f"module {module.fqcn}")

    module_context = _module_context(context, payload)
    try:
        outcome = invoke(
            emulation,
            module.arguments,
            world=module_context.world,
            node=module_context.node,
            user=module_context.user,
            environment=module_context.environment,
        )
    except LabError as error:
        return failed_result(f"lab error: {error}", exception=traceback.format_exc())
    return CommandResult(stdout=json_line(outcome.result), stderr=b"", exit_code=outcome.exit_code)
