"""pywinrm 0.5 against the lab's WinRM endpoint: Basic and NTLM, HTTP and HTTPS."""

import time

import pytest
import requests
import requests.adapters
import winrm
import winrm.exceptions
from winrm.protocol import Protocol

ENCRYPTED_TYPE = "multipart/encrypted"
SOAP_MARKER = b"schemas.microsoft.com/wbem/wsman"


def session(endpoint, transport: str, https: bool = False, password: str | None = None):
    return winrm.Session(
        endpoint.url(https),
        auth=(endpoint.user, password or endpoint.password),
        transport=transport,
        server_cert_validation="ignore",
    )


def protocol(endpoint, transport: str = "basic", https: bool = False, **kwargs) -> Protocol:
    return Protocol(
        endpoint.url(https),
        transport=transport,
        username=endpoint.user,
        password=endpoint.password,
        server_cert_validation="ignore",
        **kwargs,
    )


@pytest.fixture
def wire(monkeypatch):
    """Every HTTP exchange the clients make: (request headers, body, response)."""
    exchanges = []
    real_send = requests.adapters.HTTPAdapter.send

    def recording_send(adapter, request, *args, **kwargs):
        response = real_send(adapter, request, *args, **kwargs)
        exchanges.append((dict(request.headers), request.body or b"", response))
        return response

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", recording_send)
    return exchanges


@pytest.mark.parametrize(
    ("transport", "https"),
    [("basic", False), ("ntlm", False), ("basic", True), ("ntlm", True)],
)
def test_run_cmd_returns_output_and_runs_the_command_once(lab_endpoint, transport, https):
    result = session(lab_endpoint, transport, https).run_cmd("echo", ["hello", "world"])

    assert result.status_code == 0
    assert result.std_out == b"hello world\r\n"
    assert [(c.command, c.arguments, c.stdin) for c in lab_endpoint.runner.calls] == [
        ("echo", ["hello", "world"], b"")
    ]


def test_exit_code_and_stderr_come_back(lab_endpoint):
    result = session(lab_endpoint, "ntlm").run_cmd("exit", ["7"])

    assert result.status_code == 7
    assert result.std_err == b"exiting with 7"


def test_ntlm_over_http_encrypts_every_message_on_the_wire(lab_endpoint, wire):
    result = session(lab_endpoint, "ntlm").run_cmd("echo", ["sealed"])

    assert result.std_out == b"sealed\r\n"
    soap_requests = [(headers, body, response) for headers, body, response in wire if body]
    # Create, Command, Receive, Signal, Delete at least; each one sealed both ways.
    assert len(soap_requests) >= 5
    for headers, body, response in soap_requests:
        assert headers["Content-Type"].startswith(ENCRYPTED_TYPE)
        assert SOAP_MARKER not in body
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith(ENCRYPTED_TYPE)
        assert SOAP_MARKER not in response.content


def test_basic_over_http_sends_plain_soap(lab_endpoint, wire):
    session(lab_endpoint, "basic").run_cmd("echo", ["plain"])

    bodies = [body for _headers, body, _response in wire if body]
    assert bodies and all(SOAP_MARKER in body for body in bodies)


def test_https_validates_against_the_generated_certificate(lab_endpoint):
    certificate_file, _key_file = lab_endpoint.certificate
    validating = Protocol(
        lab_endpoint.url(https=True),
        transport="ntlm",
        username=lab_endpoint.user,
        password=lab_endpoint.password,
        server_cert_validation="validate",
        ca_trust_path=str(certificate_file),
    )
    shell_id = validating.open_shell()
    command_id = validating.run_command(shell_id, "echo", ["verified"])
    stdout, _stderr, code = validating.get_command_output(shell_id, command_id)
    validating.cleanup_command(shell_id, command_id)
    validating.close_shell(shell_id)

    assert (stdout, code) == (b"verified\r\n", 0)


@pytest.mark.parametrize("transport", ["basic", "ntlm"])
def test_stdin_through_send_command_input(lab_endpoint, transport):
    client = protocol(lab_endpoint, transport)
    shell_id = client.open_shell()
    command_id = client.run_command(shell_id, "cat")
    client.send_command_input(shell_id, command_id, b"first line\r\n")
    client.send_command_input(shell_id, command_id, b"second line\r\n", end=True)
    stdout, stderr, code = client.get_command_output(shell_id, command_id)
    client.cleanup_command(shell_id, command_id)
    client.close_shell(shell_id)

    assert stdout == b"first line\r\nsecond line\r\n"
    assert (stderr, code) == (b"25 bytes", 0)
    assert len(lab_endpoint.runner.calls) == 1


def test_receive_times_out_until_stdin_is_complete(lab_endpoint):
    client = protocol(lab_endpoint, "ntlm", operation_timeout_sec=1, read_timeout_sec=5)
    shell_id = client.open_shell()
    command_id = client.run_command(shell_id, "cat")
    client.send_command_input(shell_id, command_id, b"partial")

    started = time.monotonic()
    with pytest.raises(winrm.exceptions.WinRMOperationTimeoutError):
        client.get_command_output_raw(shell_id, command_id)
    waited = time.monotonic() - started
    assert lab_endpoint.runner.calls == []

    client.send_command_input(shell_id, command_id, b" input", end=True)
    stdout, _stderr, code = client.get_command_output(shell_id, command_id)
    client.close_shell(shell_id)

    assert 0.9 <= waited < 4
    assert (stdout, code) == (b"partial input", 0)


def test_large_stdin_in_many_sends_and_large_output_in_many_receives(lab_endpoint, monkeypatch):
    receives = []
    real_receive = Protocol.get_command_output_raw

    def counting_receive(self, shell_id, command_id):
        output = real_receive(self, shell_id, command_id)
        receives.append(len(output[0]))
        return output

    monkeypatch.setattr(Protocol, "get_command_output_raw", counting_receive)
    payload = pattern_bytes(2 * 1024 * 1024)
    client = protocol(lab_endpoint, "ntlm")
    shell_id = client.open_shell()
    command_id = client.run_command(shell_id, "cat")
    chunk = 200000  # the size Ansible's winrm plugin sends stdin in
    for offset in range(0, len(payload), chunk):
        last = offset + chunk >= len(payload)
        client.send_command_input(shell_id, command_id, payload[offset : offset + chunk], last)
    stdout, _stderr, code = client.get_command_output(shell_id, command_id)
    client.close_shell(shell_id)

    assert code == 0
    assert stdout == payload
    assert lab_endpoint.runner.calls[0].stdin == payload
    assert len(receives) > 10
    assert max(receives) < 153600


def test_one_megabyte_of_output(lab_endpoint):
    result = session(lab_endpoint, "basic").run_cmd("big", ["1048576"])

    assert result.status_code == 0
    assert result.std_out == pattern_bytes(1048576)


@pytest.mark.parametrize(
    ("transport", "https"), [("basic", False), ("ntlm", False), ("ntlm", True)]
)
def test_wrong_password_is_refused(lab_endpoint, transport, https):
    with pytest.raises(winrm.exceptions.InvalidCredentialsError):
        session(lab_endpoint, transport, https, password="not-the-password").run_cmd("echo")

    assert lab_endpoint.runner.calls == []
    assert lab_endpoint.endpoint.service.open_shells == 0


def test_unauthenticated_request_gets_401_with_the_windows_challenges(lab_endpoint):
    response = requests.post(lab_endpoint.url(), data=b"<x/>", timeout=5)

    assert response.status_code == 401
    assert response.raw.headers.getlist("WWW-Authenticate") == ["Negotiate", 'Basic realm="WSMAN"']


def pattern_bytes(size: int) -> bytes:
    block = bytes(range(256)) + bytes(range(255, -1, -1)) + b"\x00\x01\x02"
    return (block * (size // len(block) + 1))[:size]
