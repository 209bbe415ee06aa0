"""Contract 1 of docs/lab.md: what the WinRM endpoint asks of the command dispatch.

The endpoint hands over each WinRS command as an argument vector: the command line that
WinRS builds (the ``rsp:Command`` text, then every ``rsp:Arguments`` text, joined by
spaces) split the way Windows programs split theirs (CommandLineToArgvW), so that
``command`` is argv[0] and ``arguments`` the rest. pywinrm sends all arguments in one
``rsp:Arguments`` element and pypsrp one element each; both arrive here the same way.
"""

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class CommandResult:
    stdout: bytes
    stderr: bytes
    exit_code: int


class CommandRunner(Protocol):
    def needs_stdin(self, command: str, arguments: list[str]) -> bool: ...

    def run(self, command: str, arguments: list[str], stdin: bytes) -> CommandResult: ...
