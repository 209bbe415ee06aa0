"""How the lab answers what it does not emulate, or where it is itself at fault.

A command that reaches the exec wrapper (a module, a transfer script) answers as the exec
wrapper does on failure: a JSON result with `failed` and `msg` on stdout and exit code 1,
which Ansible shows as a task failure with that message. The text goes to stderr as well,
for clients that read only stderr. A plain command answers on stderr only, with exit
code 1. Every message names exactly what is not emulated.
"""

from __future__ import annotations

import json
from typing import Any

from wsfc_lab.winrm.runner_contract import CommandResult

CRLF = "\r\n"


def json_line(result: dict[str, Any]) -> bytes:
    """A result as ConvertTo-Json -Compress prints it, one line, UTF-8."""
    return (json.dumps(result, ensure_ascii=False, separators=(",", ":")) + CRLF).encode()


def failed_result(message: str, exception: str | None = None) -> CommandResult:
    result: dict[str, Any] = {"changed": False, "failed": True, "msg": message}
    if exception:
        result["exception"] = exception
    return CommandResult(stdout=json_line(result), stderr=(message + CRLF).encode(), exit_code=1)


def not_emulated_result(what: str) -> CommandResult:
    """For the exec wrapper: `what` is e.g. 'module community.windows.win_foo'."""
    return failed_result(f"the lab does not emulate {what}")


def not_emulated_command(what: str) -> CommandResult:
    """For a plain command line: stderr and exit code 1."""
    return CommandResult(
        stdout=b"", stderr=f"the lab does not emulate {what}{CRLF}".encode(), exit_code=1
    )
