"""A few cmd.exe commands for plain WinRS clients (pywinrm's run_cmd, pypsrp's execute_cmd).

Output as cmd.exe prints it: lines end with CRLF. `hostname` prints the computer name,
`whoami` prints domain\\user in lower case, `echo` with no text prints "ECHO is on.",
`exit [/b] n` and `cmd /c <command>` end with that exit code, `more` copies its input.
"""

from __future__ import annotations

import re

from wsfc_lab.emulation.framework.node_environment import account_domain, account_name
from wsfc_lab.execution.command_classifier import Command
from wsfc_lab.execution.context import NodeContext
from wsfc_lab.execution.failures import CRLF
from wsfc_lab.winrm.runner_contract import CommandResult

BUILTIN_PROGRAMS = frozenset({"hostname", "echo", "cmd", "exit", "whoami", "more"})


def _text(text: str, exit_code: int = 0) -> CommandResult:
    return CommandResult(stdout=text.encode("utf-8"), stderr=b"", exit_code=exit_code)


def inner_command(command: Command) -> Command | None:
    """The command after `cmd /c` (or /k); None when there is none."""
    arguments = list(command.arguments)
    for index, argument in enumerate(arguments):
        if argument.lower() in ("/c", "/k"):
            rest = arguments[index + 1 :]
            if not rest:
                return None
            return Command(program=rest[0].lower().removesuffix(".exe"), arguments=tuple(rest[1:]))
    return None


def is_builtin(command: Command) -> bool:
    if command.program == "cmd":
        inner = inner_command(command)
        return inner is None or is_builtin(inner)
    return command.program in BUILTIN_PROGRAMS


def reads_stdin(command: Command) -> bool:
    if command.program == "cmd":
        inner = inner_command(command)
        return inner is not None and reads_stdin(inner)
    return command.program == "more"


def _exit_code(arguments: list[str]) -> int:
    if arguments and arguments[0].lower() == "/b":
        arguments = arguments[1:]
    if not arguments:
        return 0
    # cmd reads the number's leading digits, as atoi does; no digits is 0.
    match = re.match(r"[+-]?\d+", arguments[0])
    return int(match.group(0)) if match else 0


def run_builtin(context: NodeContext, command: Command, stdin: bytes) -> CommandResult:
    """Run a command for which is_builtin() is true."""
    program = command.program
    arguments = list(command.arguments)
    if program == "cmd":
        inner = inner_command(command)
        return _text("") if inner is None else run_builtin(context, inner, stdin)
    if program == "exit":
        return _text("", _exit_code(arguments))
    if program == "echo":
        return _text((" ".join(arguments) if arguments else "ECHO is on.") + CRLF)
    facts = context.world.node_facts(context.node)
    if program == "hostname":
        return _text(f"{facts['hostname']}{CRLF}")
    if program == "whoami":
        account = f"{account_domain(context.user, facts)}\\{account_name(context.user)}"
        return _text(account.lower() + CRLF)
    if program == "more":
        text = stdin.decode("utf-8", errors="replace").replace("\r\n", "\n")
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        return _text("".join(line + CRLF for line in lines))
    raise ValueError(f"{program} is not a cmd.exe built-in the lab emulates")
