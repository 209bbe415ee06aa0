"""The endpoint's own behaviour: concurrency, reachability, reply delay, SOAP faults,
and Ansible's winrm connection plugin as a client."""

import base64
import time
import uuid
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import winrm
import winrm.exceptions
from ansible.playbook.play_context import PlayContext
from ansible.plugins.loader import connection_loader, shell_loader
from winrm.protocol import Protocol

NS = {
    "s": "http://www.w3.org/2003/05/soap-envelope",
    "a": "http://schemas.xmlsoap.org/ws/2004/08/addressing",
    "f": "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault",
}
CMD_URI = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd"


def basic_protocol(endpoint, https: bool = False) -> Protocol:
    return Protocol(
        endpoint.url(https),
        transport="basic",
        username=endpoint.user,
        password=endpoint.password,
        server_cert_validation="ignore",
    )


def run(client: Protocol, shell_id: str, command: str, *arguments: str) -> tuple[bytes, int]:
    command_id = client.run_command(shell_id, command, list(arguments))
    stdout, _stderr, code = client.get_command_output(shell_id, command_id)
    client.cleanup_command(shell_id, command_id)
    return stdout, code


def test_two_shells_of_one_client_keep_their_commands_apart(lab_endpoint):
    client = basic_protocol(lab_endpoint)
    first, second = client.open_shell(), client.open_shell()
    first_command = client.run_command(first, "echo", ["first"])
    second_command = client.run_command(second, "echo", ["second"])

    assert client.get_command_output(second, second_command)[0] == b"second\r\n"
    assert client.get_command_output(first, first_command)[0] == b"first\r\n"
    with pytest.raises(winrm.exceptions.WSManFaultError):
        client.get_command_output_raw(second, first_command)
    client.close_shell(first)
    client.close_shell(second)
    assert lab_endpoint.endpoint.service.open_shells == 0


def test_clients_are_served_at_the_same_time(lab_endpoint):
    def slow_command(index: int) -> bytes:
        result = winrm.Session(
            lab_endpoint.url(https=index % 2 == 1),
            auth=(lab_endpoint.user, lab_endpoint.password),
            transport="ntlm",
            server_cert_validation="ignore",
        ).run_cmd("slow", ["1"])
        return result.std_out

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=4) as pool:
        outputs = list(pool.map(slow_command, range(4)))
    elapsed = time.monotonic() - started

    assert outputs == [b"done"] * 4
    assert elapsed < 3  # four one-second commands, run side by side


@pytest.mark.parametrize("https", [False, True])
def test_unreachable_endpoint_refuses_connections_until_reachable_again(lab_endpoint, https):
    endpoint = lab_endpoint.endpoint
    ports = endpoint.ports
    assert basic_protocol(lab_endpoint, https).open_shell()

    endpoint.set_reachable(False)
    with pytest.raises(requests.exceptions.ConnectionError) as refused:
        basic_protocol(lab_endpoint, https).open_shell()
    assert isinstance(_root_cause(refused.value), ConnectionRefusedError)

    endpoint.set_reachable(True)
    assert endpoint.ports == ports
    client = basic_protocol(lab_endpoint, https)
    assert run(client, client.open_shell(), "echo", "back") == (b"back\r\n", 0)


def test_going_unreachable_cuts_open_connections(lab_endpoint):
    client = Protocol(
        lab_endpoint.url(),
        transport="ntlm",
        username=lab_endpoint.user,
        password=lab_endpoint.password,
        server_cert_validation="ignore",
    )
    shell_id = client.open_shell()

    lab_endpoint.endpoint.set_reachable(False)
    with pytest.raises(requests.exceptions.ConnectionError):
        client.run_command(shell_id, "echo", ["lost"])
    lab_endpoint.endpoint.set_reachable(True)


def test_reply_delay_is_applied_before_every_reply(start_endpoint):
    delays = []

    def delay() -> float:
        delays.append(time.monotonic())
        return 0.2

    endpoint = start_endpoint(reply_delay=delay)
    client = basic_protocol(endpoint)
    started = time.monotonic()
    shell_id = client.open_shell()
    assert run(client, shell_id, "echo", "late") == (b"late\r\n", 0)
    client.close_shell(shell_id)
    elapsed = time.monotonic() - started

    # Create, Command, Receive, Signal, Delete: five replies, each 0.2 s late.
    assert len(delays) == 5
    assert elapsed >= 1.0


def test_a_failing_runner_fails_the_command_loudly(lab_endpoint):
    result = winrm.Session(
        lab_endpoint.url(),
        auth=(lab_endpoint.user, lab_endpoint.password),
        transport="basic",
        server_cert_validation="ignore",
    ).run_cmd("fail")

    assert result.status_code == 1
    assert b"scripted runner failure" in result.std_err


def test_unknown_action_gets_a_soap_fault_that_relates_to_the_request(lab_endpoint):
    message_id = f"uuid:{uuid.uuid4()}"
    response = post_envelope(
        lab_endpoint, "http://schemas.xmlsoap.org/ws/2004/09/enumeration/Enumerate", message_id
    )

    assert response.status_code == 500
    root = ET.fromstring(response.content)
    assert root.findtext("s:Header/a:RelatesTo", namespaces=NS) == message_id
    subcode = root.findtext("s:Body/s:Fault/s:Code/s:Subcode/s:Value", namespaces=NS)
    assert subcode == "a:ActionNotSupported"


def test_unknown_resource_gets_destination_unreachable(lab_endpoint):
    response = post_envelope(
        lab_endpoint,
        "http://schemas.xmlsoap.org/ws/2004/09/transfer/Create",
        f"uuid:{uuid.uuid4()}",
        resource_uri="http://schemas.microsoft.com/powershell/Microsoft.Exchange",
    )

    root = ET.fromstring(response.content)
    subcode = root.findtext("s:Body/s:Fault/s:Code/s:Subcode/s:Value", namespaces=NS)
    fault = root.find("s:Body/s:Fault/s:Detail/f:WSManFault", NS)
    assert (response.status_code, subcode) == (500, "a:DestinationUnreachable")
    assert fault is not None and fault.get("Code") == "2150858811"


def test_unknown_shell_gets_the_shell_not_found_fault(lab_endpoint):
    client = basic_protocol(lab_endpoint)
    with pytest.raises(winrm.exceptions.WSManFaultError) as fault:
        client.run_command(str(uuid.uuid4()).upper(), "echo")

    assert fault.value.wsman_fault_code == 2150858843


def test_ansible_winrm_connection_plugin_pipelines_stdin(lab_endpoint):
    payload = b"{" + b"x" * 450000 + b"}"  # several of the plugin's 200000-byte Sends
    connection = connection_loader.get("winrm", PlayContext(), None)
    connection._shell = shell_loader.get("powershell")
    http_port, _https_port = lab_endpoint.endpoint.ports
    connection.set_options(
        var_options={
            "ansible_host": lab_endpoint.address,
            "ansible_port": http_port,
            "ansible_user": lab_endpoint.user,
            "ansible_password": lab_endpoint.password,
            "ansible_winrm_transport": ["ntlm"],
            "ansible_winrm_scheme": "http",
            # Extra pywinrm arguments reach the plugin as "_extras", as inventory vars do.
            "_extras": {"ansible_winrm_server_cert_validation": "ignore"},
        }
    )
    try:
        code, stdout, _stderr = connection.exec_command("Write-Output hi", in_data=payload)
    finally:
        connection.close()

    (call,) = lab_endpoint.runner.calls
    assert call.command == "PowerShell"
    assert call.arguments[:4] == [
        "-NoProfile",
        "-NonInteractive",
        "-ExecutionPolicy",
        "Unrestricted",
    ]
    assert call.arguments[4] == "-EncodedCommand"
    assert call.stdin == payload
    # The scripted runner does not know "PowerShell": the plugin hands back what it said.
    assert (code, stdout) == (1, b"")
    assert lab_endpoint.endpoint.service.open_shells == 0


def post_envelope(endpoint, action: str, message_id: str, resource_uri: str = CMD_URI):
    envelope = f"""<s:Envelope xmlns:s="{NS["s"]}" xmlns:a="{NS["a"]}"
        xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd">
      <s:Header>
        <a:To>{endpoint.url()}</a:To>
        <a:Action s:mustUnderstand="true">{action}</a:Action>
        <a:MessageID>{message_id}</a:MessageID>
        <w:ResourceURI s:mustUnderstand="true">{resource_uri}</w:ResourceURI>
        <w:OperationTimeout>PT5S</w:OperationTimeout>
      </s:Header>
      <s:Body/>
    </s:Envelope>"""
    token = base64.b64encode(f"{endpoint.user}:{endpoint.password}".encode()).decode()
    return requests.post(
        endpoint.url(),
        data=envelope.encode(),
        headers={
            "Authorization": f"Basic {token}",
            "Content-Type": "application/soap+xml;charset=UTF-8",
        },
        timeout=10,
    )


def _root_cause(error: BaseException) -> BaseException:
    seen = error
    while True:
        nested = seen.__cause__ or seen.__context__ or _first_arg_error(seen)
        if nested is None or nested is seen:
            return seen
        seen = nested


def _first_arg_error(error: BaseException) -> BaseException | None:
    for argument in error.args:
        if isinstance(argument, BaseException):
            return argument
        reason = getattr(argument, "reason", None)
        if isinstance(reason, BaseException):
            return reason
    return None
