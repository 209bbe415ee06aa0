"""WS-Management SOAP envelopes: reading requests, writing replies and faults.

Replies are written as text with the prefixes Windows uses (s, a, x, w, rsp, p), so that
clients that match tags loosely (pywinrm looks for tags ending in "Stream", "ExitCode",
...) and clients that match by namespace (pypsrp) both find what they expect.
"""

import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

SOAP = "http://www.w3.org/2003/05/soap-envelope"
ADDRESSING = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
TRANSFER = "http://schemas.xmlsoap.org/ws/2004/09/transfer"
WSMAN = "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"
MS_WSMAN = "http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd"
SHELL = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell"
WSMAN_FAULT = "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault"

ANONYMOUS = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"
WSMAN_FAULT_ACTION = "http://schemas.dmtf.org/wbem/wsman/1/wsman/fault"
ADDRESSING_FAULT_ACTION = "http://schemas.xmlsoap.org/ws/2004/08/addressing/fault"

# What a request that names no timeout gets (WinRM's MaxTimeoutms default is 60 s).
DEFAULT_OPERATION_TIMEOUT = 60.0
DEFAULT_MAX_ENVELOPE_SIZE = 153600

_ENVELOPE_OPEN = (
    f'<s:Envelope xml:lang="en-US" xmlns:s="{SOAP}" xmlns:a="{ADDRESSING}" '
    f'xmlns:x="{TRANSFER}" xmlns:w="{WSMAN}" xmlns:rsp="{SHELL}" xmlns:p="{MS_WSMAN}">'
)
_DURATION = re.compile(
    r"^P(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+(?:\.\d*)?)S)?)?$"
)


def q(namespace: str, name: str) -> str:
    """The ElementTree name of an element: {namespace}name."""
    return f"{{{namespace}}}{name}"


class SoapFault(Exception):
    """A request that is answered with a SOAP fault (HTTP 500), as WinRM does.

    ``wsman_code`` is the number in the WSManFault detail: the code clients act on
    (pywinrm and pypsrp retry a Receive on 2150858793, the operation timeout).
    """

    def __init__(
        self,
        code: str,
        subcode: str,
        reason: str,
        wsman_code: int,
        action: str = WSMAN_FAULT_ACTION,
    ) -> None:
        super().__init__(reason)
        self.code = code
        self.subcode = subcode
        self.reason = reason
        self.wsman_code = wsman_code
        self.action = action


# ERROR_INVALID_PARAMETER: what the lab answers a request it cannot read with; and the
# WSManFault code of an expired OperationTimeout (service.py says where both come from).
INVALID_PARAMETER_CODE = 87
TIMED_OUT_CODE = 2150858793


def invalid_parameter(reason: str) -> SoapFault:
    return SoapFault("s:Sender", "w:InvalidParameter", reason, INVALID_PARAMETER_CODE)


def timed_out() -> SoapFault:
    """The fault of a Receive whose OperationTimeout passed with nothing to report."""
    return SoapFault(
        "s:Receiver",
        "w:TimedOut",
        "The operation did not complete within the time given in OperationTimeout.",
        TIMED_OUT_CODE,
    )


def is_true(value: str) -> bool:
    # pywinrm writes End="true", pypsrp End="True".
    return value.strip().lower() in ("true", "1")


@dataclass(frozen=True)
class WsmanRequest:
    action: str
    resource_uri: str
    message_id: str
    to: str
    operation_timeout: float
    max_envelope_size: int
    selectors: dict[str, str] = field(default_factory=dict)
    options: dict[str, str] = field(default_factory=dict)
    body: ET.Element | None = None

    def body_element(self, namespace: str, name: str) -> ET.Element | None:
        """The element of that name directly under s:Body, if there is one."""
        return None if self.body is None else self.body.find(q(namespace, name))


def parse_request(payload: bytes) -> WsmanRequest:
    """Read a WS-Management request; malformed XML or a missing header is a fault."""
    try:
        root = ET.fromstring(payload)
    except ET.ParseError as error:
        raise SoapFault(
            "s:Sender", "w:SchemaValidationError", f"The request is not valid XML: {error}", 87
        ) from error
    header = root.find(q(SOAP, "Header"))
    if root.tag != q(SOAP, "Envelope") or header is None:
        raise SoapFault(
            "s:Sender", "w:SchemaValidationError", "The request is not a SOAP 1.2 envelope.", 87
        )
    selectors = {
        element.get("Name", ""): element.text or ""
        for element in header.iterfind(f"{q(WSMAN, 'SelectorSet')}/{q(WSMAN, 'Selector')}")
    }
    options = {
        element.get("Name", ""): element.text or ""
        for element in header.iterfind(f"{q(WSMAN, 'OptionSet')}/{q(WSMAN, 'Option')}")
    }
    max_envelope = _text(header, WSMAN, "MaxEnvelopeSize")
    max_envelope_size = int(max_envelope) if max_envelope.isdigit() else DEFAULT_MAX_ENVELOPE_SIZE
    return WsmanRequest(
        action=_text(header, ADDRESSING, "Action"),
        resource_uri=_text(header, WSMAN, "ResourceURI"),
        message_id=_text(header, ADDRESSING, "MessageID"),
        to=_text(header, ADDRESSING, "To"),
        operation_timeout=parse_duration(
            _text(header, WSMAN, "OperationTimeout"), DEFAULT_OPERATION_TIMEOUT
        ),
        max_envelope_size=max_envelope_size,
        selectors=selectors,
        options=options,
        body=root.find(q(SOAP, "Body")),
    )


def parse_duration(text: str, default: float) -> float:
    """Seconds in an xs:duration such as PT20S or PT60.000S; the default if unreadable."""
    match = _DURATION.match(text.strip())
    if not text.strip() or not match:
        return default
    days, hours, minutes, seconds = (match.group(part) for part in "dhms")
    return (
        int(days or 0) * 86400
        + int(hours or 0) * 3600
        + int(minutes or 0) * 60
        + float(seconds or 0)
    )


def render_reply(relates_to: str, action: str, body: str) -> bytes:
    """A reply envelope; RelatesTo carries the request's MessageID as sent."""
    return _envelope(action, relates_to, body)


def render_fault(relates_to: str, fault: SoapFault, machine: str) -> bytes:
    """A SOAP fault with the WSManFault detail Windows adds."""
    body = (
        "<s:Fault>"
        f"<s:Code><s:Value>{escape(fault.code)}</s:Value>"
        f"<s:Subcode><s:Value>{escape(fault.subcode)}</s:Value></s:Subcode></s:Code>"
        f'<s:Reason><s:Text xml:lang="en-US">{escape(fault.reason)}</s:Text></s:Reason>'
        "<s:Detail>"
        f'<f:WSManFault xmlns:f="{WSMAN_FAULT}" Code="{fault.wsman_code}" '
        f"Machine={quoteattr(machine)}>"
        f"<f:Message>{escape(fault.reason)}</f:Message></f:WSManFault>"
        "</s:Detail></s:Fault>"
    )
    return _envelope(fault.action, relates_to, body)


def element(prefixed_name: str, text: str = "", **attributes: str) -> str:
    """One element as text, its content and attribute values escaped."""
    rendered = "".join(f" {name}={quoteattr(value)}" for name, value in attributes.items())
    if not text:
        return f"<{prefixed_name}{rendered}/>"
    return f"<{prefixed_name}{rendered}>{escape(text)}</{prefixed_name}>"


def _envelope(action: str, relates_to: str, body: str) -> bytes:
    relates = f"<a:RelatesTo>{escape(relates_to)}</a:RelatesTo>" if relates_to else ""
    text = (
        f"{_ENVELOPE_OPEN}<s:Header>"
        f"<a:Action>{escape(action)}</a:Action>"
        f"<a:MessageID>uuid:{str(uuid.uuid4()).upper()}</a:MessageID>"
        f"<a:To>{ANONYMOUS}</a:To>{relates}"
        f"</s:Header><s:Body>{body}</s:Body></s:Envelope>"
    )
    return text.encode("utf-8")


def _text(parent: ET.Element, namespace: str, name: str) -> str:
    found = parent.find(q(namespace, name))
    return (found.text or "").strip() if found is not None else ""
