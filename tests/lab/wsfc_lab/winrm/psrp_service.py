"""The WS-Management shell operations on the PowerShell resource URI (MS-PSRP 3.1.5.3 over
MS-WSMV): a shell is a runspace pool, a command a pipeline, and the streams carry PSRP
fragments in base64 instead of a process's bytes (docs/windows-behaviour.md#psrp-wsman).

- Create: rsp:Shell with a creationXml element holding the SESSION_CAPABILITY and
  INIT_RUNSPACEPOOL fragments; the pool's answers wait for the first Receive;
- Receive without a CommandId: the pool's messages; with one: the pipeline's;
- Command: the CommandId is the pipeline id and the one Arguments element the first
  CREATE_PIPELINE fragment; the rest come by Send;
- Send: fragments on the stdin stream, or the host responses on pr;
- Signal powershell/signal/crtl_c stops a pipeline, Terminate forgets it; Delete closes
  the pool with its shell.
"""

from __future__ import annotations

import base64
import binascii
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import TypeVar

from wsfc_lab.winrm import soap
from wsfc_lab.winrm.psrp_pool import PsrpError, RunspacePoolSession
from wsfc_lab.winrm.runner_contract import CommandRunner
from wsfc_lab.winrm.soap import SHELL, SoapFault, WsmanRequest, element

POWERSHELL_URI_PREFIX = "http://schemas.microsoft.com/powershell/"
# The default session configuration; the lab has no other (ansible_psrp_configuration_name).
POWERSHELL_URI = POWERSHELL_URI_PREFIX + "Microsoft.PowerShell"
PSRP_NAMESPACE = "http://schemas.microsoft.com/powershell"
_COMMAND_STATE = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/"
_SIGNAL_TERMINATE = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/signal/terminate"
# MS-PSRP 3.1.5.3.8 spells the stop signal "crtl_c"; pypsrp 0.9.1 sends "ctrl_c"
# (pypsrp/shell.py SignalCode.PS_CTRL_C). Both are taken.
_SIGNAL_STOP = ("powershell/signal/crtl_c", "powershell/signal/ctrl_c")
T = TypeVar("T")

# Room left in each Receive reply for everything but the base64 fragments.
_ENVELOPE_OVERHEAD = 2048


def fragment_budget(request: WsmanRequest) -> int:
    """How many fragment bytes fit, base64 encoded, in a reply of the request's size."""
    return (request.max_envelope_size - _ENVELOPE_OVERHEAD) * 3 // 4


def open_pool(
    shell_element: ET.Element, request: WsmanRequest, runner: CommandRunner
) -> RunspacePoolSession:
    creation = shell_element.find(soap.q(PSRP_NAMESPACE, "creationXml"))
    if creation is None:
        raise soap.invalid_parameter(
            "A Create request for a PowerShell shell needs a creationXml element."
        )
    try:
        return RunspacePoolSession(
            runner, _base64(creation.text, "creationXml"), fragment_budget(request)
        )
    except PsrpError as error:
        raise soap.invalid_parameter(str(error)) from error


def command(pool: RunspacePoolSession, request: WsmanRequest) -> str:
    command_line = request.body_element(SHELL, "CommandLine")
    command_id = command_line.get("CommandId", "") if command_line is not None else ""
    arguments = command_line.findall(soap.q(SHELL, "Arguments")) if command_line is not None else []
    if not command_id or len(arguments) != 1:
        raise soap.invalid_parameter(
            "A Command request on a PowerShell shell needs a CommandId and one Arguments "
            "element with the CREATE_PIPELINE fragment."
        )
    _run(pool.create_pipeline, command_id, _base64(arguments[0].text, "Arguments"))
    return "<rsp:CommandResponse>" + element("rsp:CommandId", command_id) + "</rsp:CommandResponse>"


def send(pool: RunspacePoolSession, request: WsmanRequest) -> str:
    body = request.body_element(SHELL, "Send")
    if body is None:
        raise soap.invalid_parameter("A Send request needs an rsp:Send body.")
    for stream in body.iterfind(soap.q(SHELL, "Stream")):
        if stream.get("Name") not in ("stdin", "pr"):
            raise soap.invalid_parameter(
                f"The PowerShell shell has no input stream {stream.get('Name')!r}."
            )
        _run(pool.send, stream.get("CommandId"), _base64(stream.text, "stdin"))
    return "<rsp:SendResponse/>"


def receive(pool: RunspacePoolSession, request: WsmanRequest) -> str:
    body = request.body_element(SHELL, "Receive")
    desired = body.find(soap.q(SHELL, "DesiredStream")) if body is not None else None
    if desired is None:
        raise soap.invalid_parameter("A Receive request needs an rsp:DesiredStream.")
    command_id = desired.get("CommandId")
    answer = _run(pool.receive, command_id, fragment_budget(request), request.operation_timeout)
    if answer is None:
        raise soap.timed_out()
    data, done = answer
    ids = {"CommandId": command_id} if command_id else {}
    streams = ""
    if data:
        streams = element(
            "rsp:Stream", base64.b64encode(data).decode("ascii"), Name="stdout", **ids
        )
    state = ""
    if command_id:
        if done:
            streams += element("rsp:Stream", "", Name="stdout", CommandId=command_id, End="true")
        status = "Done" if done else "Running"
        state = element("rsp:CommandState", CommandId=command_id, State=_COMMAND_STATE + status)
    return f"<rsp:ReceiveResponse>{streams}{state}</rsp:ReceiveResponse>"


def signal(pool: RunspacePoolSession, request: WsmanRequest) -> str:
    body = request.body_element(SHELL, "Signal")
    if body is None:
        raise soap.invalid_parameter("A Signal request needs an rsp:Signal body.")
    command_id = body.get("CommandId", "")
    code_element = body.find(soap.q(SHELL, "Code"))
    code = (code_element.text or "").strip().lower() if code_element is not None else ""
    if code in _SIGNAL_STOP:
        _run(pool.stop, command_id)
    elif code == _SIGNAL_TERMINATE:
        _run(pool.remove, command_id)
    else:
        raise soap.invalid_parameter(
            f"The lab's PowerShell shell does not know the signal {code!r}."
        )
    return "<rsp:SignalResponse/>"


def _run(operation: Callable[..., T], *arguments: object) -> T:
    """The pool's operation; its refusals become the faults WinRM answers with."""
    try:
        return operation(*arguments)
    except PsrpError as error:
        raise soap.invalid_parameter(str(error)) from error
    except Exception as error:  # psrpcore refusing a fragment: the client gets a fault
        raise SoapFault(
            "s:Receiver",
            "w:InternalError",
            f"lab: the PSRP message could not be processed: {type(error).__name__}: {error}",
            soap.INVALID_PARAMETER_CODE,
        ) from error


def _base64(text: str | None, what: str) -> bytes:
    try:
        return base64.b64decode((text or "").strip(), validate=True)
    except binascii.Error as error:
        raise soap.invalid_parameter(f"The {what} text is not valid base64: {error}") from error
