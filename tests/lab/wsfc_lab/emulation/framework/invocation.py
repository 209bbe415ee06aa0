"""Run one emulation with the arguments ansible-core sent, as module_wrapper.ps1 runs a module.

The outcome is the module's result and exit code:
- the emulation ends with exit_json / fail_json, or returns (taken as exit_json);
- a WindowsError from the world (in the ansible.windows emulations, which read the world)
  becomes a failure carrying `error_code` and the Windows message;
- a PowerShellError that a port of the collection's PowerShell does not catch is what it is
  in the module: a terminating error that module_wrapper.ps1 reports as an unhandled
  exception (no error_code: the module did not catch it to set one);
- UnhandledModuleException is a PowerShell `throw`: module_wrapper.ps1's
  "Unhandled exception while executing module" result;
- any other exception is a bug in the lab, and so is a result key the emulation did not
  declare: both raise LabError, which the command dispatch reports loudly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from wsfc_lab.emulation.framework.basic import EmulatedModule, ModuleExit, UnhandledModuleException
from wsfc_lab.emulation.framework.node_environment import DEFAULT_USER
from wsfc_lab.emulation.framework.registry import Emulation
from wsfc_lab.emulation.framework.world_api import WorldApi
from wsfc_lab.windows.errors import PowerShellError
from wsfc_lab.world.windows_errors import WindowsError

# Keys Ansible.Basic or the exec wrapper put in any module's result.
COMMON_RESULT_KEYS = frozenset(
    {
        "changed",
        "failed",
        "msg",
        "skipped",
        "invocation",
        "warnings",
        "deprecations",
        "diff",
        "exception",
        "error_code",
    }
)


class LabError(Exception):
    """The lab itself is wrong (a bug or an undeclared result key), not the module's input."""


@dataclass(frozen=True)
class ModuleOutcome:
    result: dict[str, Any]
    exit_code: int


def _unhandled_exception(error: UnhandledModuleException) -> ModuleOutcome:
    # module_wrapper.ps1 Write-AnsibleErrorDetail -ForModule: no changed, no invocation;
    # `exception` is the error record as PowerShell formats a `throw "<text>"`.
    text = str(error)
    record = "\r\n".join(
        (
            text,
            f"+ CategoryInfo          : OperationStopped: ({text}:String) [], RuntimeException",
            f"+ FullyQualifiedErrorId : {text}",
        )
    )
    return ModuleOutcome(
        {
            "failed": True,
            "msg": f"Unhandled exception while executing module: {text}",
            "exception": record,
        },
        1,
    )


def invoke(
    emulation: Emulation,
    arguments: Mapping[str, Any],
    *,
    world: WorldApi,
    node: str,
    user: str = DEFAULT_USER,
    environment: Mapping[str, str] | None = None,
) -> ModuleOutcome:
    """Validate `arguments` against the emulation's spec, run it and return its outcome."""
    outcome = _run_to_the_end(
        emulation, arguments, world=world, node=node, user=user, environment=environment
    )
    undeclared = set(outcome.result) - COMMON_RESULT_KEYS - emulation.returns
    if undeclared:
        raise LabError(
            f"the emulation of {emulation.fqcn} returned keys it does not declare: "
            + ", ".join(sorted(undeclared))
        )
    return outcome


def _run_to_the_end(
    emulation: Emulation,
    arguments: Mapping[str, Any],
    *,
    world: WorldApi,
    node: str,
    user: str,
    environment: Mapping[str, str] | None,
) -> ModuleOutcome:
    # Every way out of the `try` is an exception, and each handler returns or raises:
    # exit_json and fail_json always raise ModuleExit (an emulation that returns is ended
    # with exit_json here), a PowerShell `throw` is UnhandledModuleException, anything
    # else is a lab bug.
    try:
        module = EmulatedModule(
            spec=emulation.spec_for(arguments),
            arguments=arguments,
            world=world,
            node=node,
            user=user,
            environment=environment,
        )
        try:
            emulation.function(module)
        except PowerShellError as error:
            raise UnhandledModuleException(error.message) from error
        except WindowsError as error:
            module.fail_json(error.message, error_code=error.code)
        module.exit_json()
    except ModuleExit as done:
        return ModuleOutcome(done.result, done.exit_code)
    except UnhandledModuleException as error:
        return _unhandled_exception(error)
    except Exception as error:
        raise LabError(
            f"the emulation of {emulation.fqcn} failed: {type(error).__name__}: {error}"
        ) from error
