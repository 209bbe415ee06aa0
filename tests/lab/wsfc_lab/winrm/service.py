"""The WS-Management shell operations (MS-WSMV 3.1.4.x): Create, Command, Send, Receive,
Signal and Delete on the cmd shell resource, answered as WinRM answers them. On the
PowerShell resource URI the same operations drive a runspace pool (psrp_service.py)."""

import base64
import binascii
import logging
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass

from wsfc_lab.winrm import psrp_service, soap
from wsfc_lab.winrm.auth import Session
from wsfc_lab.winrm.command_line_to_argv import split_command_line
from wsfc_lab.winrm.runner_contract import CommandRunner, runner_for_session
from wsfc_lab.winrm.shells import OutputChunk, RemoteCommand, Shell, ShellTable, new_identifier
from wsfc_lab.winrm.soap import SHELL, SoapFault, WsmanRequest, element

_log = logging.getLogger(__name__)

CMD_SHELL_URI = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd"
_TRANSFER_ACTION = "http://schemas.xmlsoap.org/ws/2004/09/transfer/"
_SHELL_ACTION = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/"
_COMMAND_STATE = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/"
_SIGNAL = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/signal/"

# WSManFault codes. 2150858793 (0x80338029) is the OperationTimeout expiry pywinrm and
# pypsrp retry on (winrm/protocol.py, pypsrp/shell.py); 2150858843 (0x8033805B) is the
# code WinRM gives for an unknown ShellId and 2150858811 (0x8033803B) for a resource URI
# missing from its catalog (both as quoted in pypsrp issues #22 and #192). For requests
# the lab does not understand it answers with the plain Win32 codes ERROR_NOT_SUPPORTED
# (50) and ERROR_INVALID_PARAMETER (87).
TIMED_OUT_CODE = soap.TIMED_OUT_CODE
SHELL_NOT_FOUND_CODE = 2150858843
RESOURCE_NOT_FOUND_CODE = 2150858811
NOT_SUPPORTED_CODE = 50
INVALID_PARAMETER_CODE = soap.INVALID_PARAMETER_CODE

_RESOURCE_URIS = frozenset({CMD_SHELL_URI, psrp_service.POWERSHELL_URI.lower()})

# Room left in each Receive reply for everything but the base64 output.
_ENVELOPE_OVERHEAD = 2048
# Idle time a shell reports (WinRM's default IdleTimeout, 7200 s).
_IDLE_TIMEOUT = "PT7200.000S"


@dataclass(frozen=True)
class Caller:
    """Who sent a request: the authenticated user, the client's address, and the session
    the request was authenticated in (None when the caller does not say)."""

    user: str
    address: str
    session: Session | None = None


class WsmanService:
    """Answers WS-Management requests for one endpoint; safe to call from many threads."""

    def __init__(self, runner: CommandRunner, machine: str) -> None:
        self._runner = runner
        self._machine = machine
        self._shells = ShellTable()
        self._operations: dict[str, Callable[[WsmanRequest, Caller], str]] = {
            _TRANSFER_ACTION + "Create": self._create,
            _TRANSFER_ACTION + "Delete": self._delete,
            _SHELL_ACTION + "Command": self._command,
            _SHELL_ACTION + "Send": self._send,
            _SHELL_ACTION + "Receive": self._receive,
            _SHELL_ACTION + "Signal": self._signal,
        }

    @property
    def open_shells(self) -> int:
        return len(self._shells)

    def handle(self, payload: bytes, caller: Caller) -> tuple[int, bytes]:
        """HTTP status and SOAP envelope answering one request."""
        message_id = ""
        try:
            request = soap.parse_request(payload)
            message_id = request.message_id
            operation = self._operations.get(request.action)
            if operation is None:
                raise SoapFault(
                    "s:Sender",
                    "a:ActionNotSupported",
                    f"The lab's WS-Management service does not support the action "
                    f"{request.action!r}.",
                    NOT_SUPPORTED_CODE,
                    soap.ADDRESSING_FAULT_ACTION,
                )
            if request.resource_uri.lower() not in _RESOURCE_URIS:
                raise SoapFault(
                    "s:Sender",
                    "a:DestinationUnreachable",
                    f"The resource URI ({request.resource_uri}) is not in the lab's "
                    "WS-Management catalog; only the cmd shell and the Microsoft.PowerShell "
                    "session configuration are.",
                    RESOURCE_NOT_FOUND_CODE,
                    soap.ADDRESSING_FAULT_ACTION,
                )
            body = operation(request, caller)
            return 200, soap.render_reply(message_id, request.action + "Response", body)
        except SoapFault as fault:
            if fault.wsman_code != TIMED_OUT_CODE:
                _log.info("WS-Management fault %s: %s", fault.wsman_code, fault.reason)
            return 500, soap.render_fault(message_id, fault, self._machine)

    def _create(self, request: WsmanRequest, caller: Caller) -> str:
        shell_element = request.body_element(SHELL, "Shell")
        if shell_element is None:
            raise soap.invalid_parameter("A Create request for a shell needs an rsp:Shell body.")
        codepage_text = request.options.get("WINRS_CODEPAGE", "437")
        resource_uri = (
            CMD_SHELL_URI
            if request.resource_uri.lower() == CMD_SHELL_URI
            else psrp_service.POWERSHELL_URI
        )
        pool = None
        if resource_uri != CMD_SHELL_URI:
            runner = runner_for_session(self._runner, caller.session)
            pool = psrp_service.open_pool(shell_element, request, runner)
        shell = Shell(
            shell_id=shell_element.get("ShellId") or new_identifier(),
            resource_uri=resource_uri,
            input_streams=_child_text(shell_element, "InputStreams") or "stdin",
            output_streams=_child_text(shell_element, "OutputStreams") or "stdout stderr",
            codepage=int(codepage_text) if codepage_text.isdigit() else 437,
            no_profile=request.options.get("WINRS_NOPROFILE", "").upper() == "TRUE",
            owner=caller.user,
            client_ip=caller.address,
            # The shell's processes run in the logon of the request that created it.
            session=caller.session,
            pool=pool,
        )
        self._shells.add(shell)
        address = request.to or soap.ANONYMOUS
        return (
            "<x:ResourceCreated>"
            + element("a:Address", address)
            + "<a:ReferenceParameters>"
            + element("w:ResourceURI", resource_uri)
            + "<w:SelectorSet>"
            + element("w:Selector", shell.shell_id, Name="ShellId")
            + "</w:SelectorSet></a:ReferenceParameters></x:ResourceCreated>"
            + "<rsp:Shell>"
            + element("rsp:ShellId", shell.shell_id)
            + element("rsp:ResourceUri", resource_uri)
            + element("rsp:Owner", shell.owner)
            + element("rsp:ClientIP", shell.client_ip)
            + element("rsp:IdleTimeOut", _IDLE_TIMEOUT)
            + element("rsp:InputStreams", shell.input_streams)
            + element("rsp:OutputStreams", shell.output_streams)
            + element("rsp:ShellRunTime", "P0DT0H0M0S")
            + element("rsp:ShellInactivity", "P0DT0H0M0S")
            + "</rsp:Shell>"
        )

    def _delete(self, request: WsmanRequest, caller: Caller) -> str:
        shell_id = self._shell(request).shell_id
        self._shells.remove(shell_id)
        return ""

    def _command(self, request: WsmanRequest, caller: Caller) -> str:
        shell = self._shell(request)
        if shell.pool is not None:
            return psrp_service.command(shell.pool, request)
        command_line = request.body_element(SHELL, "CommandLine")
        if command_line is None:
            raise soap.invalid_parameter("A Command request needs an rsp:CommandLine body.")
        # WinRS joins the Command and every Arguments element with spaces into the
        # process's command line; the program then splits that line into its argv.
        parts = [_child_text(command_line, "Command")]
        parts += [
            argument.text or "" for argument in command_line.iterfind(soap.q(SHELL, "Arguments"))
        ]
        argv = split_command_line(" ".join(part for part in parts if part))
        if not argv:
            raise soap.invalid_parameter("The command line is empty.")
        command = RemoteCommand(
            command_line.get("CommandId") or new_identifier(),
            argv[0],
            argv[1:],
            runner_for_session(self._runner, shell.session),
        )
        shell.add_command(command)
        return (
            "<rsp:CommandResponse>"
            + element("rsp:CommandId", command.command_id)
            + "</rsp:CommandResponse>"
        )

    def _send(self, request: WsmanRequest, caller: Caller) -> str:
        shell = self._shell(request)
        if shell.pool is not None:
            return psrp_service.send(shell.pool, request)
        send = request.body_element(SHELL, "Send")
        if send is None:
            raise soap.invalid_parameter("A Send request needs an rsp:Send body.")
        for stream in send.iterfind(soap.q(SHELL, "Stream")):
            if stream.get("Name", "stdin") != "stdin":
                raise soap.invalid_parameter(
                    f"The shell has no input stream {stream.get('Name')!r}."
                )
            command = self._command_of(shell, stream.get("CommandId", ""))
            try:
                data = base64.b64decode((stream.text or "").strip(), validate=True)
            except binascii.Error as error:
                raise soap.invalid_parameter(
                    f"The stdin stream is not valid base64: {error}"
                ) from error
            command.add_input(data, soap.is_true(stream.get("End", "false")))
        return "<rsp:SendResponse/>"

    def _receive(self, request: WsmanRequest, caller: Caller) -> str:
        shell = self._shell(request)
        if shell.pool is not None:
            return psrp_service.receive(shell.pool, request)
        receive = request.body_element(SHELL, "Receive")
        desired = receive.find(soap.q(SHELL, "DesiredStream")) if receive is not None else None
        if desired is None:
            raise soap.invalid_parameter("A Receive request needs an rsp:DesiredStream.")
        command = self._command_of(shell, desired.get("CommandId", ""))
        byte_budget = (request.max_envelope_size - _ENVELOPE_OVERHEAD) * 3 // 4
        chunk = command.receive(byte_budget, request.operation_timeout)
        if chunk is None:
            raise soap.timed_out()
        return _receive_response(command.command_id, chunk)

    def _signal(self, request: WsmanRequest, caller: Caller) -> str:
        shell = self._shell(request)
        if shell.pool is not None:
            return psrp_service.signal(shell.pool, request)
        signal = request.body_element(SHELL, "Signal")
        if signal is None:
            raise soap.invalid_parameter("A Signal request needs an rsp:Signal body.")
        command_id = signal.get("CommandId", "")
        code = _child_text(signal, "Code").lower()
        if code == _SIGNAL + "terminate":
            if shell.remove_command(command_id) is None:
                raise _unknown_command(command_id)
        elif code in (_SIGNAL + "ctrl_c", _SIGNAL + "ctrl_break"):
            self._command_of(shell, command_id).stop()
        else:
            raise soap.invalid_parameter(f"The lab's shell does not know the signal {code!r}.")
        return "<rsp:SignalResponse/>"

    def _shell(self, request: WsmanRequest) -> Shell:
        shell_id = request.selectors.get("ShellId", "")
        shell = self._shells.get(shell_id) if shell_id else None
        if shell is None:
            raise SoapFault(
                "s:Sender",
                "w:InvalidSelectors",
                f"The request for the shell with ShellId {shell_id or '(none)'} failed: "
                "no such shell exists on this server.",
                SHELL_NOT_FOUND_CODE,
            )
        return shell

    @staticmethod
    def _command_of(shell: Shell, command_id: str) -> RemoteCommand:
        command = shell.command(command_id) if command_id else None
        if command is None:
            raise _unknown_command(command_id)
        return command


def _receive_response(command_id: str, chunk: OutputChunk) -> str:
    streams = ""
    for name, data in (("stdout", chunk.stdout), ("stderr", chunk.stderr)):
        if data:
            encoded = base64.b64encode(data).decode("ascii")
            streams += element("rsp:Stream", encoded, Name=name, CommandId=command_id)
        if chunk.done:
            streams += element("rsp:Stream", "", Name=name, CommandId=command_id, End="true")
    if chunk.done:
        state = (
            f'<rsp:CommandState CommandId="{command_id}" State="{_COMMAND_STATE}Done">'
            f"{element('rsp:ExitCode', str(chunk.exit_code))}</rsp:CommandState>"
        )
    else:
        state = element("rsp:CommandState", CommandId=command_id, State=_COMMAND_STATE + "Running")
    return f"<rsp:ReceiveResponse>{streams}{state}</rsp:ReceiveResponse>"


def _child_text(parent: ET.Element, name: str) -> str:
    found = parent.find(soap.q(SHELL, name))
    return (found.text or "").strip() if found is not None else ""


def _unknown_command(command_id: str) -> SoapFault:
    return soap.invalid_parameter(
        f"The shell has no command with CommandId {command_id or '(none)'}."
    )
