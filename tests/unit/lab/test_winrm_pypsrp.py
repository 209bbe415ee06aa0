"""pypsrp 0.9.1's WinRS client against the lab's WinRM endpoint."""

import time

import pytest
from pypsrp.client import Client
from pypsrp.exceptions import AuthenticationError
from pypsrp.shell import CommandState, Process, SignalCode, WinRS
from pypsrp.wsman import WSMan
from wsfc_lab.winrm.shells import CONTROL_C_EXIT_CODE


def wsman_options(endpoint, auth: str, ssl: bool, password: str | None = None) -> dict:
    http_port, https_port = endpoint.endpoint.ports
    return {
        "server": endpoint.address,
        "port": https_port if ssl else http_port,
        "username": endpoint.user,
        "password": password or endpoint.password,
        "ssl": ssl,
        "auth": auth,
        "cert_validation": False,
        # Basic has no message encryption: over plain HTTP it must be turned off.
        "encryption": "never" if auth == "basic" and not ssl else "auto",
        "operation_timeout": 5,
        "read_timeout": 10,
    }


@pytest.mark.parametrize(
    ("auth", "ssl"),
    [("ntlm", False), ("ntlm", True), ("negotiate", False), ("basic", False), ("basic", True)],
)
def test_execute_cmd(lab_endpoint, auth, ssl):
    options = wsman_options(lab_endpoint, auth, ssl)
    server = options.pop("server")
    with Client(server, **options) as client:
        stdout, stderr, code = client.execute_cmd("echo hello from pypsrp")

    assert (stdout, stderr, code) == ("hello from pypsrp\r\n", "", 0)
    assert [(c.command, c.arguments) for c in lab_endpoint.runner.calls] == [
        ("echo", ["hello", "from", "pypsrp"])
    ]


def test_execute_cmd_reports_the_exit_code(lab_endpoint):
    options = wsman_options(lab_endpoint, "ntlm", False)
    with Client(options.pop("server"), **options) as client:
        _stdout, stderr, code = client.execute_cmd("exit 42")

    assert (stderr, code) == ("exiting with 42", 42)


@pytest.mark.parametrize(("auth", "ssl"), [("ntlm", False), ("ntlm", True), ("basic", True)])
def test_stdin_through_winrs(lab_endpoint, auth, ssl):
    payload = b"line one\r\n" * 5000
    with WSMan(**wsman_options(lab_endpoint, auth, ssl)) as wsman, WinRS(wsman) as shell:
        process = Process(shell, "cat")
        process.begin_invoke()
        half = len(payload) // 2
        process.send(payload[:half], end=False)
        process.send(payload[half:], end=True)
        process.end_invoke()

    assert process.rc == 0
    assert process.stdout == payload
    assert process.stderr == f"{len(payload)} bytes".encode()


def test_receive_before_the_end_of_input_times_out_and_is_retried(lab_endpoint):
    with WSMan(**wsman_options(lab_endpoint, "ntlm", False)) as wsman, WinRS(wsman) as shell:
        process = Process(shell, "cat")
        process.begin_invoke()
        process.send(b"early ", end=False)
        started = time.monotonic()
        process.poll_invoke(timeout=1)  # pypsrp swallows the OperationTimeout fault
        waited = time.monotonic() - started
        state_while_waiting = process.state
        process.send(b"late", end=True)
        process.end_invoke()

    assert 0.9 <= waited < 4
    assert state_while_waiting == CommandState.PENDING
    assert (process.stdout, process.rc) == (b"early late", 0)


def test_separate_arguments_arrive_as_the_runner_arguments(lab_endpoint):
    with WSMan(**wsman_options(lab_endpoint, "ntlm", False)) as wsman, WinRS(wsman) as shell:
        process = Process(shell, "echo", ["two words", "C:\\path\\", 'say "hi"'])
        process.invoke()

    # pypsrp sends each argument in its own element; WinRS joins them with spaces, and
    # the argv the program sees comes from splitting that line the Windows way.
    assert lab_endpoint.runner.calls[0].arguments == ["two", "words", "C:\\path\\", "say", "hi"]


def test_ctrl_c_ends_a_command_that_waits_for_input(lab_endpoint):
    with WSMan(**wsman_options(lab_endpoint, "ntlm", False)) as wsman, WinRS(wsman) as shell:
        process = Process(shell, "cat")
        process.begin_invoke()
        process.signal(SignalCode.CTRL_C)
        process.poll_invoke()

    assert process.state == CommandState.DONE
    assert process.rc == CONTROL_C_EXIT_CODE
    assert lab_endpoint.runner.calls == []


@pytest.mark.parametrize(("auth", "ssl"), [("ntlm", False), ("negotiate", False), ("basic", True)])
def test_wrong_password_is_refused(lab_endpoint, auth, ssl):
    options = wsman_options(lab_endpoint, auth, ssl, password="wrong")
    with pytest.raises(AuthenticationError), Client(options.pop("server"), **options) as client:
        client.execute_cmd("echo never")

    assert lab_endpoint.runner.calls == []
