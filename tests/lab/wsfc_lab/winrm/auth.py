"""HTTP authentication of one client connection: Basic, and NTLM or Kerberos under Negotiate.

WinRM authenticates NTLM per TCP connection: the client sends the NTLM negotiate token,
gets the challenge in a 401, sends the authenticate token and from then on sends no
Authorization header on that connection (MS-WSMV 2.2.9.1.1.1). Clients send the NTLM
tokens raw (requests-ntlm, pypsrp with auth="ntlm") or wrapped in SPNEGO (pypsrp with
auth="negotiate"); the acceptor is chosen from the first token. Kerberos works the same
way on an endpoint that has a keytab (a lab with a KDC, wsfc_lab.kerberos): the client sends
the Kerberos token raw under "Negotiate" (pywinrm's kerberos transport) or inside SPNEGO, and
the session is the principal's user when the principal is of the endpoint's realm. Basic is
checked on every request. A refusal is a 401 with the challenges WinRM sends when Basic is
enabled.

Each accepted request carries the Session it was authenticated in: the user and how. What
a session can do beyond this host depends on it (docs/windows-behaviour.md#second-hop):
only some mechanisms leave the session with credentials it can present to another
computer, so a UNC path reached from an NTLM session is reached without any.
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


# How a session was authenticated. The lab accepts Basic, NTLM (raw or inside SPNEGO) and,
# with a KDC, Kerberos (raw or inside SPNEGO); CredSSP is named so that an acceptor for it
# only has to build a Session.
BASIC = "basic"
NTLM = "ntlm"
KERBEROS = "kerberos"
CREDSSP = "credssp"
# An SSH session (wsfc_lab.ssh) authenticated with the lab user's key: the logon holds no
# password, so no credentials for another computer (docs/windows-behaviour.md#openssh-key-logon,
# *unconfirmed* by a Microsoft page).
PUBLICKEY = "publickey"
MECHANISMS = (BASIC, NTLM, KERBEROS, CREDSSP, PUBLICKEY)


@dataclass(frozen=True)
class Session:
    """Who a WinRM session runs as and how it was authenticated.

    `delegated` is for Kerberos: whether the client forwarded a TGT (the ticket
    delegation of docs/windows-behaviour.md#kerberos-delegation). It is False for every
    other mechanism, whose credentials either travel with the logon (CredSSP) or give the
    session none for another computer (NTLM, Basic).
    """

    user: str
    mechanism: str
    delegated: bool = False

    def __post_init__(self) -> None:
        if self.mechanism not in MECHANISMS:
            raise ValueError(f"unknown authentication mechanism {self.mechanism!r}")
        if self.delegated and self.mechanism != KERBEROS:
            raise ValueError("only a Kerberos session can carry a delegated ticket")

    @property
    def network_credentials(self) -> bool:
        """Whether programs of this session can authenticate to another computer.

        NTLM and Basic do not delegate and Kerberos only with a forwarded ticket; CredSSP
        hands the host the user's credentials (docs/windows-behaviour.md#second-hop: Ansible's
        Windows remote management guide gives Basic no credential delegation). The
        collection's preflight reads it the same way, so the lab and the collection agree.
        """
        if self.mechanism == KERBEROS:
            return self.delegated
        return self.mechanism == CREDSSP

    @property
    def description(self) -> str:
        """How the session was authenticated, for messages: 'a WinRM session (NTLM)'."""
        if self.mechanism == PUBLICKEY:
            return "an SSH session (public key)"
        names = {BASIC: "Basic", NTLM: "NTLM", KERBEROS: "Kerberos", CREDSSP: "CredSSP"}
        how = names[self.mechanism]
        if self.mechanism == KERBEROS:
            how += " with a delegated ticket" if self.delegated else " without delegation"
        return f"a WinRM session ({how})"


@dataclass(frozen=True)
class AuthOutcome:
    """The user a request runs as (None: answer 401), WWW-Authenticate values to send, and
    the session the request belongs to once authenticated."""

    user: str | None
    challenges: tuple[str, ...] = field(default=())
    session: Session | None = None


class ConnectionAuth:
    """The authentication state of one HTTP connection.

    The accounts must be in the process's NTLM credential file already
    (``accounts.NTLM_USER_FILE.register``): the NTLM acceptor reads them from there.
    `realm` is the Kerberos realm whose principals the endpoint accepts (None: no Kerberos);
    the Kerberos acceptor reads the node's keytab from KRB5_KTNAME.
    """

    def __init__(self, accounts: LocalAccounts, realm: str | None = None) -> None:
        self._accounts = accounts
        self._realm = realm
        self._context: spnego.ContextProxy | None = None
        self._ntlm_user: str | None = None
        self._ntlm_session: Session | None = None

    @property
    def sealing_context(self) -> spnego.ContextProxy | None:
        """The completed NTLM or Kerberos context that seals messages on this connection."""
        return self._context if self._ntlm_user is not None else None

    def authenticate(self, authorization: str | None) -> AuthOutcome:
        if not authorization:
            if self._ntlm_user is not None:
                return AuthOutcome(self._ntlm_user, session=self._ntlm_session)
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
            return AuthOutcome(name, session=Session(name, BASIC))
        _log.info("Basic authentication refused for %r", name)
        return AuthOutcome(None, CHALLENGES)

    def _ntlm(self, scheme: str, credentials: str) -> AuthOutcome:
        try:
            token = base64.b64decode(credentials, validate=True)
        except binascii.Error:
            return self._refuse("the token is not base64")
        if _starts_handshake(token):
            self._ntlm_user = None
            self._ntlm_session = None
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
        if self._context.negotiated_protocol == "kerberos":
            session = self._kerberos_session(principal, self._context)
            if session is None:
                return self._refuse(f"{principal!r} is not a principal of {self._realm}")
        elif self._accounts.knows(principal):
            session = Session(principal, NTLM)
        else:
            return self._refuse(f"{principal!r} is not an account of this endpoint")
        if not self._accounts.knows(session.user):
            return self._refuse(f"{principal!r} is not an account of this endpoint")
        self._ntlm_user = session.user
        self._ntlm_session = session
        return AuthOutcome(session.user, reply, session)

    def _kerberos_session(self, principal: str, context: spnego.ContextProxy) -> Session | None:
        """The session of a Kerberos principal user@REALM of this endpoint's realm."""
        user, separator, realm = principal.rpartition("@")
        if not separator or self._realm is None or realm.upper() != self._realm.upper():
            return None
        # The client asked for delegation and its ticket was forwardable: the context
        # carries the user's TGT (docs/windows-behaviour.md#kerberos-delegation).
        delegated = bool(context.context_attr & spnego.ContextReq.delegate)
        return Session(user, KERBEROS, delegated=delegated)

    def _refuse(self, reason: str) -> AuthOutcome:
        _log.info("Negotiate authentication refused: %s", reason)
        self._context = None
        self._ntlm_user = None
        self._ntlm_session = None
        return AuthOutcome(None, CHALLENGES)


def _starts_handshake(token: bytes) -> bool:
    if token.startswith(_NTLM_SIGNATURE):
        return int.from_bytes(token[8:12], "little") == _NTLM_NEGOTIATE_MESSAGE
    return bool(token) and token[0] == _SPNEGO_INIT_TAG
