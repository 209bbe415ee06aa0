"""WinRS shells and the commands running in them, shared by every connection of an endpoint.

A command runs through the CommandRunner exactly once, on a thread of its own, when its
input is complete (the Send that carries End) or, for a command that reads no input, at
the first Receive. Receive waits for the result up to the request's OperationTimeout and
then hands the output out in pieces that fit the client's envelope size.
"""

import logging
import threading
import time
import traceback
import uuid
from dataclasses import dataclass

from wsfc_lab.winrm.auth import Session
from wsfc_lab.winrm.psrp_pool import RunspacePoolSession
from wsfc_lab.winrm.runner_contract import CommandResult, CommandRunner

_log = logging.getLogger(__name__)

# What a process stopped by Ctrl+C exits with on Windows: STATUS_CONTROL_C_EXIT
# (0xC000013A) read as a signed 32-bit exit code.
CONTROL_C_EXIT_CODE = 0xC000013A - (1 << 32)


def new_identifier() -> str:
    """A shell or command id in the form WinRM hands out: an upper-case GUID."""
    return str(uuid.uuid4()).upper()


@dataclass(frozen=True)
class OutputChunk:
    stdout: bytes
    stderr: bytes
    done: bool
    exit_code: int | None


class RemoteCommand:
    """One WinRS command: its input, its single run, and how much output was handed out."""

    def __init__(
        self, command_id: str, command: str, arguments: list[str], runner: CommandRunner
    ) -> None:
        self.command_id = command_id
        self.command = command
        self.arguments = arguments
        self._runner = runner
        self._reads_input = runner.needs_stdin(command, arguments)
        self._condition = threading.Condition()
        self._stdin = bytearray()
        self._started = False
        self._stopped = False
        self._result: CommandResult | None = None
        self._stdout_sent = 0
        self._stderr_sent = 0

    def add_input(self, data: bytes, end: bool) -> None:
        """Take a stdin chunk; the last one (End) starts the command."""
        with self._condition:
            if self._started or self._stopped:
                # The process no longer reads its input: the bytes go nowhere, as they
                # would into the pipe of a Windows process that has finished with stdin.
                return
            self._stdin += data
            if end:
                self._start()

    def stop(self) -> None:
        """Ctrl+C: a command that has not finished is ended and reports Done."""
        with self._condition:
            if self._result is None:
                self._stopped = True
                self._condition.notify_all()

    def receive(self, byte_budget: int, timeout: float) -> OutputChunk | None:
        """The next piece of output, or None when nothing came within the timeout."""
        deadline = time.monotonic() + timeout
        with self._condition:
            if not self._started and not self._reads_input:
                self._start()
            while self._result is None and not self._stopped:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._condition.wait(remaining)
            if self._result is None:
                return OutputChunk(b"", b"", done=True, exit_code=CONTROL_C_EXIT_CODE)
            return self._next_chunk(self._result, max(byte_budget, 1))

    def _next_chunk(self, result: CommandResult, byte_budget: int) -> OutputChunk:
        stdout = result.stdout[self._stdout_sent : self._stdout_sent + byte_budget]
        self._stdout_sent += len(stdout)
        stderr_budget = byte_budget - len(stdout)
        stderr = result.stderr[self._stderr_sent : self._stderr_sent + stderr_budget]
        self._stderr_sent += len(stderr)
        done = self._stdout_sent >= len(result.stdout) and self._stderr_sent >= len(result.stderr)
        return OutputChunk(stdout, stderr, done, result.exit_code if done else None)

    def _start(self) -> None:
        self._started = True
        stdin = bytes(self._stdin)
        self._stdin.clear()
        threading.Thread(
            target=self._run, args=(stdin,), name=f"winrs-{self.command_id}", daemon=True
        ).start()

    def _run(self, stdin: bytes) -> None:
        try:
            result = self._runner.run(self.command, self.arguments, stdin)
        except Exception:  # a broken runner must fail the command loudly
            _log.exception("the command runner failed on %r %r", self.command, self.arguments)
            message = f"lab: the command runner failed:\n{traceback.format_exc()}"
            result = CommandResult(stdout=b"", stderr=message.encode("utf-8"), exit_code=1)
        with self._condition:
            self._result = result
            self._condition.notify_all()


@dataclass
class Shell:
    shell_id: str
    resource_uri: str
    input_streams: str
    output_streams: str
    codepage: int
    no_profile: bool
    owner: str
    client_ip: str
    session: Session | None = None
    # A shell on the PowerShell resource URI is a runspace pool (psrp_service.py).
    pool: RunspacePoolSession | None = None

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._commands: dict[str, RemoteCommand] = {}

    def add_command(self, command: RemoteCommand) -> None:
        with self._lock:
            self._commands[command.command_id.upper()] = command

    def command(self, command_id: str) -> RemoteCommand | None:
        with self._lock:
            return self._commands.get(command_id.upper())

    def remove_command(self, command_id: str) -> RemoteCommand | None:
        with self._lock:
            return self._commands.pop(command_id.upper(), None)


class ShellTable:
    """The open shells of one endpoint, by ShellId (compared without case, as GUIDs are)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._shells: dict[str, Shell] = {}

    def add(self, shell: Shell) -> None:
        with self._lock:
            self._shells[shell.shell_id.upper()] = shell

    def get(self, shell_id: str) -> Shell | None:
        with self._lock:
            return self._shells.get(shell_id.upper())

    def remove(self, shell_id: str) -> Shell | None:
        with self._lock:
            return self._shells.pop(shell_id.upper(), None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._shells)
