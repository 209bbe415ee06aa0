"""Contract 1 of docs/lab.md: what the WinRM endpoint asks of the command dispatch.

The endpoint hands over each WinRS command as an argument vector: the command line that
WinRS builds (the ``rsp:Command`` text, then every ``rsp:Arguments`` text, joined by
spaces) split the way Windows programs split theirs (CommandLineToArgvW), so that
``command`` is argv[0] and ``arguments`` the rest. pywinrm sends all arguments in one
``rsp:Arguments`` element and pypsrp one element each; both arrive here the same way.

A runner that needs to know how the shell's session was authenticated (to decide what its
programs may reach on other computers) also offers ``for_session``: the endpoint then runs
the commands of each shell through ``runner.for_session(session)``. Runners without it run
every command alike.

Over PSRP (the PowerShell resource URI) there is no command line: a pipeline carries a
script. A runner that offers ``run_script`` (ScriptRunner) answers those.
"""

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from wsfc_lab.winrm.auth import Session


@dataclass(frozen=True)
class CommandResult:
    stdout: bytes
    stderr: bytes
    exit_code: int


class CommandRunner(Protocol):
    def needs_stdin(self, command: str, arguments: list[str]) -> bool: ...

    def run(self, command: str, arguments: list[str], stdin: bytes) -> CommandResult: ...


@runtime_checkable
class ScriptRunner(Protocol):
    """A runner that also runs the PowerShell script of a PSRP pipeline (psrp_pool.py):
    the script text and its input objects as the lines of `stdin`."""

    def run_script(self, script: str, stdin: bytes) -> CommandResult: ...


@runtime_checkable
class SessionAwareRunner(Protocol):
    def for_session(self, session: Session) -> CommandRunner: ...


def runner_for_session(runner: CommandRunner, session: Session | None) -> CommandRunner:
    """The runner for the commands of a shell that `session` opened."""
    if session is not None and isinstance(runner, SessionAwareRunner):
        return runner.for_session(session)
    return runner
