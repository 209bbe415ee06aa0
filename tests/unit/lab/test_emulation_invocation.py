"""invoke(): every way an emulation can end gives one outcome, checked for undeclared keys.

invoke() turns each ending (return, exit_json, fail_json, a Windows error, a PowerShell
`throw`, a failed validation) into a ModuleOutcome; a lab bug raises LabError. Each
ending is run here directly, without the registry, so a path that leaves invoke()
without an outcome shows up as an error other than the expected one.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from wsfc_lab.emulation.framework.basic import EmulatedModule, UnhandledModuleException
from wsfc_lab.emulation.framework.invocation import LabError, invoke
from wsfc_lab.emulation.framework.registry import Emulation
from wsfc_lab.world.windows_errors import ERROR_ACCESS_DENIED, WindowsError

SPEC = {"options": {"name": {"type": "str", "required": True}}}


def run(function: Callable[[EmulatedModule], None], arguments=None, returns=("greeting",)):
    emulation = Emulation(
        fqcn="test.lab.ending", function=function, spec=SPEC, returns=frozenset(returns)
    )
    arguments = {"name": "x"} if arguments is None else arguments
    return invoke(emulation, arguments, world=None, node="NODE1")


def returns_normally(module: EmulatedModule) -> None:
    module.result["greeting"] = "hi"


def exits_itself(module: EmulatedModule) -> None:
    module.exit_json(changed=True, greeting="hi")


def fails(module: EmulatedModule) -> None:
    module.fail_json("refused")


def meets_a_windows_error(module: EmulatedModule) -> None:
    raise WindowsError(ERROR_ACCESS_DENIED, "Access is denied.")


def throws(module: EmulatedModule) -> None:
    raise UnhandledModuleException("boom")


@pytest.mark.parametrize(
    ("function", "arguments", "exit_code", "expected"),
    [
        (returns_normally, None, 0, {"changed": False, "greeting": "hi"}),
        (exits_itself, None, 0, {"changed": True, "greeting": "hi"}),
        (fails, None, 1, {"failed": True, "msg": "refused"}),
        (meets_a_windows_error, None, 1, {"msg": "Access is denied.", "error_code": 5}),
        (throws, None, 1, {"msg": "Unhandled exception while executing module: boom"}),
        (returns_normally, {}, 1, {"msg": "missing required arguments: name"}),
    ],
    ids=["return", "exit_json", "fail_json", "windows-error", "throw", "invalid-arguments"],
)
def test_every_ending_gives_an_outcome(function, arguments, exit_code, expected):
    outcome = run(function, arguments)

    assert outcome.exit_code == exit_code
    assert {key: outcome.result.get(key) for key in expected} == expected


def test_a_throw_carries_the_error_record_and_no_invocation():
    outcome = run(throws)

    assert outcome.result["failed"] is True
    assert outcome.result["exception"].startswith("boom\r\n+ CategoryInfo")
    assert "invocation" not in outcome.result


def test_keys_are_checked_whichever_way_the_module_ended():
    with pytest.raises(LabError, match="does not declare: greeting"):
        run(exits_itself, returns=())
    with pytest.raises(LabError, match="does not declare: greeting"):
        run(returns_normally, returns=())


def test_a_python_exception_is_a_lab_error_not_an_outcome():
    def broken(module: EmulatedModule) -> None:
        raise ValueError("bug")

    with pytest.raises(LabError, match=re.escape("test.lab.ending failed: ValueError: bug")):
        run(broken)
