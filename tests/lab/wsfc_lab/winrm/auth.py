"""HTTP authentication of one client connection: Basic, and NTLM under Negotiate.

WinRM authenticates NTLM per TCP connection: the client sends the NTLM negotiate token,
gets the challenge in a 401, sends the authenticate token and from then on sends no
Authorization header on that connection (MS-WSMV 2.2.9.1.1.1). Clients send the NTLM
tokens raw (requests-ntlm, pypsrp with auth="ntlm") or wrapped in SPNEGO (pypsrp with
auth="negotiate"); the acceptor is chosen from the first token. Basic is checked on every
request. A refusal is a 401 with the challenges WinRM sends when Basic is enabled.
"""

import base64
import binascii
import logging
from dataclasses import dataclass, field

import spnego
import spnego.exceptions

from wsfc_lab.winrm.accounts import LocalAccounts

_log = logging.getLogger(__name__)

CHALLENGES: tuple[str, ...] = ("Negotiate", 'Basic realm="WSMAN"')
_NTLM_SIGNATURE = b"NTLMSSP\x00"
_NTLM_NEGOTIATE_MESSAGE = 1
# An SPNEGO initial token is a DER [APPLICATION 0] element.
_SPNEGO_INIT_TAG = 0x60


@dataclass(frozen=True)
class AuthOutcome:
    """The user a request runs as (None: answer 401) and WWW-Authenticate values to send."""

    user: str | None
    challenges: tuple[str, ...] = field(default=())


class ConnectionAuth:
    """The authentication state of one HTTP connection.

    The accounts must be in the process's NTLM credential file already
    (``accounts.NTLM_USER_FILE.register``): the NTLM acceptor reads them from there.
    """

    def __init__(self, accounts: LocalAccounts) -> None:
        self._accounts = accounts
        self._context: spnego.ContextProxy | None = None
        self._ntlm_user: str | None = None

    @property
    def sealing_context(self) -> spnego.ContextProxy | None:
        """The completed NTLM context that seals messages on this connection, if any."""
        return self._context if self._ntlm_user is not None else None

    def authenticate(self, authorization: str | None) -> AuthOutcome:
        if not authorization:
            if self._ntlm_user is not None:
                return AuthOutcome(self._ntlm_user)
            return AuthOutcome(None, CHALLENGES)
        scheme, _separator, credentials = authorization.strip().partition(" ")
        scheme = scheme.lower()
        if scheme == "basic":
            return self._basic(credentials.strip())
        if scheme in ("negotiate", "ntlm"):
            return self._ntlm("NTLM" if scheme == "ntlm" else "Negotiate", credentials.strip())
        return AuthOutcome(None, CHALLENGES)

    def _basic(self, credentials: str) -> AuthOutcome:
        try:
            decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return AuthOutcome(None, CHALLENGES)
        name, separator, password = decoded.partition(":")
        if separator and self._accounts.check_password(name, password):
            return AuthOutcome(name)
        _log.info("Basic authentication refused for %r", name)
        return AuthOutcome(None, CHALLENGES)

    def _ntlm(self, scheme: str, credentials: str) -> AuthOutcome:
        try:
            token = base64.b64decode(credentials, validate=True)
        except binascii.Error:
            return self._refuse("the token is not base64")
        if _starts_handshake(token):
            self._ntlm_user = None
            protocol = "ntlm" if token.startswith(_NTLM_SIGNATURE) else "negotiate"
            self._context = spnego.server(service="HTTP", protocol=protocol)
        elif self._context is None or self._context.complete:
            return self._refuse("an NTLM token arrived out of sequence")
        try:
            reply_token = self._context.step(token)
        except spnego.exceptions.SpnegoError as error:
            return self._refuse(str(error))
        reply = (f"{scheme} {base64.b64encode(reply_token).decode()}",) if reply_token else ()
        if not self._context.complete:
            return AuthOutcome(None, reply)
        principal = self._context.client_principal or ""
        if not self._accounts.knows(principal):
            return self._refuse(f"{principal!r} is not an account of this endpoint")
        self._ntlm_user = principal
        return AuthOutcome(principal, reply)

    def _refuse(self, reason: str) -> AuthOutcome:
        _log.info("NTLM authentication refused: %s", reason)
        self._context = None
        self._ntlm_user = None
        return AuthOutcome(None, CHALLENGES)


def _starts_handshake(token: bytes) -> bool:
    if token.startswith(_NTLM_SIGNATURE):
        return int.from_bytes(token[8:12], "little") == _NTLM_NEGOTIATE_MESSAGE
    return bool(token) and token[0] == _SPNEGO_INIT_TAG
