"""Fixtures for the WinRM endpoint tests: a scripted command runner and running endpoints.

Endpoints listen on 127.0.77.x with ports chosen by the system, so parallel runs do not
collide.
"""

import itertools
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from wsfc_lab.winrm.certificate import generate_certificate
from wsfc_lab.winrm.runner_contract import CommandResult
from wsfc_lab.winrm.server import WinRMEndpoint

WINRM_USER = "Administrator"
WINRM_PASSWORD = "Lab-Passw0rd!"
_ADDRESSES = (f"127.0.77.{host % 254 + 1}" for host in itertools.count(0))


@dataclass(frozen=True)
class RunnerCall:
    command: str
    arguments: list[str]
    stdin: bytes


class ScriptedRunner:
    """A CommandRunner whose commands are made for the tests.

    echo ARGS...   prints its arguments joined by spaces
    cat            reads stdin (needs_stdin) and prints it back; stderr gives its length
    exit N         prints to stderr and exits with N
    big N          prints N bytes of a repeating, position-dependent pattern
    slow SECONDS   waits, then prints "done"
    fail           raises, as a broken runner would
    Over PSRP (run_script) a script is split on spaces into the same commands, and the
    call is kept with the script as its only argument.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.calls: list[RunnerCall] = []

    def needs_stdin(self, command: str, arguments: list[str]) -> bool:
        return command == "cat"

    def run(self, command: str, arguments: list[str], stdin: bytes) -> CommandResult:
        with self._lock:
            self.calls.append(RunnerCall(command, list(arguments), stdin))
        if command == "echo":
            return CommandResult((" ".join(arguments) + "\r\n").encode(), b"", 0)
        if command == "cat":
            return CommandResult(stdin, f"{len(stdin)} bytes".encode(), 0)
        if command == "exit":
            return CommandResult(b"", f"exiting with {arguments[0]}".encode(), int(arguments[0]))
        if command == "big":
            return CommandResult(pattern(int(arguments[0])), b"", 0)
        if command == "slow":
            time.sleep(float(arguments[0]))
            return CommandResult(b"done", b"", 0)
        if command == "fail":
            raise RuntimeError("scripted runner failure")
        return CommandResult(b"", f"'{command}' is not recognized".encode(), 1)

    def run_script(self, script: str, stdin: bytes) -> CommandResult:
        with self._lock:
            self.calls.append(RunnerCall("<script>", [script], stdin))
        command, *arguments = script.split(" ")
        return self.run(command, arguments, stdin)


def pattern(size: int) -> bytes:
    """Bytes that differ with their position, so lost or reordered pieces show."""
    block = bytes(range(256)) + bytes(range(255, -1, -1)) + b"\x00\x01\x02"
    return (block * (size // len(block) + 1))[:size]


@dataclass
class RunningEndpoint:
    endpoint: WinRMEndpoint
    runner: ScriptedRunner
    certificate: tuple[Path, Path]
    user: str = WINRM_USER
    password: str = WINRM_PASSWORD

    @property
    def address(self) -> str:
        return self.endpoint.address

    def url(self, https: bool = False) -> str:
        return self.endpoint.url(https)


@pytest.fixture(scope="session")
def winrm_certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """One certificate for every test endpoint: it names all of 127.0.77.1-254."""
    addresses = [f"127.0.77.{host}" for host in range(1, 255)]
    return generate_certificate(tmp_path_factory.mktemp("winrm-tls"), ["localhost"], addresses)


@pytest.fixture
def start_endpoint(
    winrm_certificate: tuple[Path, Path],
) -> Iterator[Callable[..., RunningEndpoint]]:
    """Start endpoints on fresh loopback addresses; all are stopped after the test."""
    started: list[WinRMEndpoint] = []

    def start(
        reply_delay: Callable[[], float] | None = None,
        credentials: dict[str, str] | None = None,
    ) -> RunningEndpoint:
        address = next(_ADDRESSES)
        certificate = winrm_certificate
        runner = ScriptedRunner()
        endpoint = WinRMEndpoint(
            address,
            0,
            0,
            runner,
            credentials or {WINRM_USER: WINRM_PASSWORD},
            certificate,
            reply_delay=reply_delay,
        )
        endpoint.start()
        started.append(endpoint)
        return RunningEndpoint(endpoint, runner, certificate)

    yield start
    for endpoint in started:
        endpoint.stop()


@pytest.fixture
def lab_endpoint(start_endpoint: Callable[..., RunningEndpoint]) -> RunningEndpoint:
    return start_endpoint()
