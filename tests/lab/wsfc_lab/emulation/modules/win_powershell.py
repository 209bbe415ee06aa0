"""ansible.windows.win_powershell: an administrator's script of plain cmdlet calls.

Follows win_powershell.ps1 (ansible.windows 3.3.0) for what the validation kit's tasks use:
a script of cmdlet calls, one per line (or separated by `;`), each with named parameters
whose values are single-quoted strings, double-quoted strings without `$` or a backtick, or
bare words, and switch parameters; a call may end in `| Out-Null`, which discards its
output; `#` starts a comment. Each call goes to the lab's Windows surface as the module's
PowerShell would run it (PowerShellHost.invoke), so the cmdlets are the surface's, with the
fact each follows (an administrator's Add-ClusterGroup / Remove-ClusterGroup among them).

As win_powershell.ps1 does: in check mode a script without SupportsShouldProcess does not
run and the task reports changed with "skipped, running in check mode"; a script that ran
reports changed (nothing here sets $Ansible.Changed); with error_action=stop a failing
cmdlet ends the script, the task fails (failed without a msg, as the .ps1 leaves it) and
`error` holds the error record, its exception's message and HResult (the lab has no
category, target object or script stack trace to give, so those are null).

Anything else fails loudly: variables, expressions, pipelines other than `| Out-Null`,
blocks, a command the surface lacks, output objects (their serialisation is not
emulated), error_action other than stop, and the options parameters,
sensitive_parameters, executable, arguments, chdir, creates, removes, path and remote_src.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from wsfc_lab.emulation.framework.basic import EmulatedModule
from wsfc_lab.emulation.framework.registry import emulates
from wsfc_lab.emulation.modules._windows_files import not_emulated
from wsfc_lab.windows.errors import PowerShellError
from wsfc_lab.windows.host import PowerShellHost

SPEC = {
    "options": {
        "arguments": {"type": "list", "elements": "str"},
        "chdir": {"type": "str"},
        "creates": {"type": "str"},
        "depth": {"type": "int", "default": 2},
        "error_action": {
            "type": "str",
            "choices": ["silently_continue", "continue", "stop"],
            "default": "continue",
        },
        "executable": {"type": "str"},
        "parameters": {"type": "dict"},
        "path": {"type": "str"},
        "remote_src": {"type": "bool", "default": False},
        "removes": {"type": "str"},
        "script": {"type": "str"},
        "sensitive_parameters": {
            "type": "list",
            "elements": "dict",
            "options": {
                "name": {"type": "str", "required": True},
                "username": {"type": "str"},
                "password": {"type": "str", "no_log": True},
                "value": {"type": "str", "no_log": True},
            },
            "mutually_exclusive": [["value", "username"], ["value", "password"]],
            "required_one_of": [["username", "value"]],
            "required_together": [["username", "password"]],
        },
    },
    "mutually_exclusive": [["path", "script"]],
    "required_one_of": [["path", "script"]],
    "supports_check_mode": True,
}
RETURNS = {
    "result",
    "host_out",
    "host_err",
    "output",
    "error",
    "warning",
    "verbose",
    "debug",
    "information",
}
# Options the lab does not emulate: any of them given fails loudly.
NOT_EMULATED = (
    "arguments",
    "chdir",
    "creates",
    "executable",
    "parameters",
    "path",
    "removes",
    "sensitive_parameters",
)
# What win_powershell.ps1 reads as SupportsShouldProcess when its parser cannot help.
SHOULD_PROCESS = re.compile(
    r"\[CmdletBinding\((?:[\w=\$]+,\s*)?SupportsShouldProcess(?:=\$true)?(?:,\s*[\w=\$]+)?\)\]"
)
BARE_WORD = re.compile(r"[A-Za-z0-9_.:\\/-]+")
COMMAND_NAME = re.compile(r"[A-Za-z]+-[A-Za-z]+")


class ScriptNotEmulated(Exception):
    """The script uses PowerShell the lab does not run."""


@dataclass
class Call:
    command: str
    parameters: dict[str, Any] = field(default_factory=dict)
    out_null: bool = False


def _tokens(line: str) -> list[tuple[str, str]]:
    """(kind, text) tokens of one statement: word, string, parameter, pipe."""
    tokens: list[tuple[str, str]] = []
    index = 0
    while index < len(line):
        char = line[index]
        if char.isspace():
            index += 1
        elif char == "'":
            # A single-quoted string: '' is one quote, nothing else is special.
            text, index = [], index + 1
            while True:
                end = line.find("'", index)
                if end < 0:
                    raise ScriptNotEmulated(f"an unterminated string in {line!r}")
                text.append(line[index:end])
                if line[end + 1 : end + 2] == "'":
                    text.append("'")
                    index = end + 2
                    continue
                index = end + 1
                break
            tokens.append(("string", "".join(text)))
        elif char == '"':
            end = line.find('"', index + 1)
            value = line[index + 1 : end] if end > 0 else ""
            if end < 0 or "$" in value or "`" in value:
                raise ScriptNotEmulated(f"an expandable string in {line!r}")
            tokens.append(("string", value))
            index = end + 1
        elif char == "|":
            tokens.append(("pipe", "|"))
            index += 1
        elif char == "-" and index + 1 < len(line) and line[index + 1].isalpha():
            match = re.match(r"-([A-Za-z]+)", line[index:])
            assert match is not None
            if line[index + match.end() : index + match.end() + 1] == ":":
                raise ScriptNotEmulated(f"a -Name:value argument in {line!r}")
            tokens.append(("parameter", match.group(1)))
            index += match.end()
        else:
            match = BARE_WORD.match(line, index)
            if match is None:
                raise ScriptNotEmulated(f"{line[index:]!r} (only plain cmdlet calls)")
            tokens.append(("word", match.group(0)))
            index = match.end()
    return tokens


def _statements(script: str) -> list[str]:
    statements: list[str] = []
    for line in script.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if "{" in stripped or "}" in stripped or "$" in stripped or "`" in stripped:
            raise ScriptNotEmulated(f"{stripped!r} (only plain cmdlet calls)")
        # A ';' inside a quoted value would be split too: the kit's values hold none.
        statements.extend(part.strip() for part in stripped.split(";") if part.strip())
    return statements


def parse_script(script: str) -> list[Call]:
    """The calls of a script of plain cmdlet calls; ScriptNotEmulated for anything else."""
    calls: list[Call] = []
    for statement in _statements(script):
        tokens = _tokens(statement)
        if len(tokens) >= 2 and tokens[-2] == ("pipe", "|"):
            if tokens[-1][1].lower() != "out-null":
                raise ScriptNotEmulated(f"a pipeline into {tokens[-1][1]}")
            out_null, tokens = True, tokens[:-2]
        else:
            out_null = False
        if not tokens or tokens[0][0] != "word" or not COMMAND_NAME.fullmatch(tokens[0][1]):
            raise ScriptNotEmulated(f"{statement!r} does not start with a cmdlet name")
        call = Call(tokens[0][1], out_null=out_null)
        rest = tokens[1:]
        while rest:
            kind, text = rest.pop(0)
            if kind != "parameter":
                raise ScriptNotEmulated(f"a positional argument {text!r} in {statement!r}")
            if rest and rest[0][0] in ("word", "string"):
                call.parameters[text] = rest.pop(0)[1]
            elif rest and rest[0][0] == "pipe":
                raise ScriptNotEmulated(f"a pipeline inside {statement!r}")
            else:
                call.parameters[text] = True  # a switch
        calls.append(call)
    return calls


def _error_record(error: PowerShellError) -> dict[str, Any]:
    return {
        "output": error.message,
        "error_details": None,
        "exception": {
            "message": error.message,
            "hresult": error.hresult,
            "type": None,
            "help_link": None,
            "source": None,
            "inner_exception": None,
        },
        "target_object": None,
        "category_info": {
            "category": None,
            "category_id": None,
            "activity": None,
            "reason": None,
            "target_name": None,
            "target_type": None,
        },
        "fully_qualified_error_id": None,
        "script_stack_trace": None,
        "pipeline_iteration_info": [],
    }


@emulates("ansible.windows.win_powershell", spec=SPEC, returns=RETURNS)
def win_powershell(module: EmulatedModule) -> None:
    params = module.params
    for name in NOT_EMULATED:
        if params[name] is not None:
            not_emulated(module, "win_powershell", f"option {name}")
    if params["remote_src"]:
        not_emulated(module, "win_powershell", "remote_src=true")
    script: str = params["script"]
    if SHOULD_PROCESS.search(script):
        not_emulated(module, "win_powershell", "a script that supports ShouldProcess")
    if module.check_mode:
        module.result["changed"] = True
        module.exit_json(msg="skipped, running in check mode")
    if params["error_action"] != "stop":
        not_emulated(module, "win_powershell", f"error_action={params['error_action']}")
    try:
        calls = parse_script(script)
    except ScriptNotEmulated as error:
        not_emulated(module, "win_powershell", f"this script: {error}")

    result = module.result
    result.update(
        result={}, host_out="", host_err="", output=[], error=[], warning=[], verbose=[],
        debug=[], information=[], changed=True,
    )  # fmt: skip
    host = PowerShellHost(module.world, module.node, module.user)  # type: ignore[arg-type]
    for call in calls:
        try:
            value = host.invoke(call.command, **call.parameters)
        except PowerShellError as error:
            result["error"].append(_error_record(error))
            result["failed"] = True
            return
        if value is not None and not call.out_null:
            not_emulated(
                module, "win_powershell", f"the output of {call.command} (pipe to Out-Null)"
            )
