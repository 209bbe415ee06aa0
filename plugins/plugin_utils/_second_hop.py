# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Whether a host's modules can reach UNC paths: the second hop, decided on the controller.

A module runs in the remote session Ansible opens on the node. When that session has no
credentials for another computer, every UNC path the module opens (a file share, another
node's ``C$``) is reached without credentials and refused with access denied
(docs/windows-behaviour.md#second-hop). Whether it has them follows from the host's
connection settings (docs/windows-behaviour.md#second-hop, #become-runas,
#kerberos-delegation):

- runas become with a password: the become user's new logon has credentials, unless
  ``become_flags`` asks for ``logon_type=network``, which keeps none;
- WinRM with NTLM, or Kerberos without ``ansible_winrm_kerberos_delegation``; psrp with
  NTLM, or Kerberos / Negotiate without ``ansible_psrp_negotiate_delegate``; certificate
  authentication: none;
- CredSSP, and Kerberos with delegation: credentials;
- Basic (local accounts): none; Ansible's Windows remote management guide gives Basic no
  credential delegation (docs/windows-behaviour.md#second-hop); the lab does the same.
- SSH and other connections: not known, never refused.

The roles call ``second_hop_refusals`` before their first module run, so that a run set up
the wrong way stops before touching any node, naming the second hop and the fix. It reads
the host's variables, which is where an operator sets these; a play's ``become`` keyword is
not a variable, so the controller's own become default (``-b``, ``ANSIBLE_BECOME``) is
passed in by the caller.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._refusal import PolicyRefusal

BASIC = "basic"
NTLM = "ntlm"
KERBEROS = "kerberos"
NEGOTIATE = "negotiate"
CREDSSP = "credssp"
CERTIFICATE = "certificate"
UNKNOWN = "unknown"

WINRM = "winrm"
PSRP = "psrp"

# pywinrm's transport names (winrm/transport.py): 'plaintext' and 'ssl' are Basic over HTTP
# and HTTPS, and 'ssl' with a client certificate is certificate authentication.
_WINRM_TRANSPORTS = {
    "basic": BASIC,
    "plaintext": BASIC,
    "ssl": BASIC,
    "ntlm": NTLM,
    "kerberos": KERBEROS,
    "credssp": CREDSSP,
    "certificate": CERTIFICATE,
}
_PSRP_AUTHS = {
    "basic": BASIC,
    "ntlm": NTLM,
    "kerberos": KERBEROS,
    "negotiate": NEGOTIATE,
    "credssp": CREDSSP,
    "certificate": CERTIFICATE,
}
_MECHANISM_NAMES = {
    BASIC: "Basic",
    NTLM: "NTLM",
    KERBEROS: "Kerberos",
    NEGOTIATE: "Negotiate",
    CREDSSP: "CredSSP",
    CERTIFICATE: "certificate",
}
# The variables each runas option is read from (ansible.builtin.runas), first wins.
_BECOME_USER_VARS = ("ansible_become_user", "ansible_runas_user")
_BECOME_PASSWORD_VARS = ("ansible_become_password", "ansible_become_pass", "ansible_runas_pass")
_BECOME_FLAGS_VARS = ("ansible_become_flags", "ansible_runas_flags")

DOCS = "docs/windows-behaviour.md#second-hop"
GUIDE = "'Credentials for the backup share' in docs/backup.md and docs/restore.md"


@dataclass(frozen=True)
class BecomeDefaults:
    """The controller's become settings for hosts whose variables do not set them:
    ``-b`` / ``--become-method`` / ``-K`` or ANSIBLE_BECOME and ANSIBLE_BECOME_METHOD."""

    become: bool = False
    method: str = "sudo"
    ask_password: bool = False


@dataclass(frozen=True)
class ConnectionSettings:
    """What decides whether a host's modules have credentials for another computer."""

    plugin: str  # winrm, psrp, ssh, ...
    mechanism: str  # BASIC, NTLM, KERBEROS, NEGOTIATE, CREDSSP, CERTIFICATE, UNKNOWN
    delegation: bool  # Kerberos delegation asked for
    become: bool  # runas become on
    become_user: str
    become_password: bool | None  # given; None: it may come from --ask-become-pass
    become_logon_type: str  # from become_flags; "interactive" when not given

    @classmethod
    def from_variables(
        cls, variables: Mapping[str, object], defaults: BecomeDefaults | None = None
    ) -> ConnectionSettings:
        defaults = defaults or BecomeDefaults()
        plugin = _plugin_name(variables.get("ansible_connection"))
        mechanism, delegation = UNKNOWN, False
        if plugin == WINRM:
            mechanism = _winrm_mechanism(variables)
            delegation = _true(variables.get("ansible_winrm_kerberos_delegation"))
        elif plugin == PSRP:
            auth = str(variables.get("ansible_psrp_auth") or "negotiate").strip().lower()
            mechanism = _PSRP_AUTHS.get(auth, UNKNOWN)
            delegation = _true(variables.get("ansible_psrp_negotiate_delegate"))
        become_var = variables.get("ansible_become")
        become = defaults.become if become_var is None else _true(become_var)
        method = str(variables.get("ansible_become_method") or defaults.method).strip().lower()
        password = _first(variables, _BECOME_PASSWORD_VARS)
        return cls(
            plugin=plugin,
            mechanism=mechanism,
            delegation=delegation,
            become=become and method in ("runas", "ansible.builtin.runas"),
            become_user=_first(variables, _BECOME_USER_VARS),
            become_password=True if password else (None if defaults.ask_password else False),
            become_logon_type=_logon_type(_first(variables, _BECOME_FLAGS_VARS)),
        )


@dataclass(frozen=True)
class Assessment:
    """Whether the modules have credentials for another computer (None: not known) and
    how the connection reads, for messages; `hint` names what is missing, if anything."""

    credentials: bool | None
    how: str
    hint: str = ""


def assess(settings: ConnectionSettings) -> Assessment:
    """The credentials a host's modules have for other computers (see the module text)."""
    if settings.become:
        who = settings.become_user or "(no become_user)"
        if settings.become_logon_type == "network":
            return Assessment(
                False,
                f"runas become as {who} with become_flags logon_type=network",
                "A network logon keeps no credentials for other computers; drop "
                "logon_type=network from become_flags.",
            )
        if settings.become_password is False:
            return Assessment(
                # Without a password runas uses S4U or an existing logon; the service
                # accounts need none (docs/windows-behaviour.md#become-runas).
                True if _service_account(who) else False,
                f"runas become as {who} without a password",
                "Without a password runas cannot give the process network credentials; "
                "set ansible_become_password.",
            )
        return Assessment(True, f"runas become as {who}")
    how = _connection_text(settings)
    if settings.plugin not in (WINRM, PSRP) or settings.mechanism == UNKNOWN:
        return Assessment(None, how)
    if settings.mechanism == CREDSSP:
        return Assessment(True, how)
    if settings.mechanism in (KERBEROS, NEGOTIATE) and settings.delegation:
        return Assessment(True, how)
    return Assessment(False, how)


def unc_paths(paths: Iterable[object]) -> list[str]:
    """The UNC paths among `paths` (\\\\server\\share..., also in //server/share form)."""
    found = []
    for path in paths:
        text = str(path or "").replace("/", "\\")
        if text.upper().startswith("\\\\?\\UNC\\"):
            found.append(str(path))
        elif text.startswith("\\\\") and not text.startswith("\\\\?\\"):
            # \\?\C:\... is a local path in the long-path form.
            found.append(str(path))
    return found


def second_hop_refusal(
    host: str, settings: ConnectionSettings, paths: Iterable[object], what: str
) -> PolicyRefusal | None:
    """The refusal for `host` when `paths` hold a UNC path its modules cannot reach.

    `what` names one of the paths for the message ("backup location"; an "s" is added for
    several).
    """
    shares = unc_paths(paths)
    if not shares:
        return None
    assessment = assess(settings)
    if assessment.credentials is not False:
        return None
    named = f"the {what} {shares[0]}" if len(shares) == 1 else f"the {what}s {', '.join(shares)}"
    problem = (
        f"{host}: the modules on the node reach {named} over the network, a second hop, "
        f"and this connection ({assessment.how}) gives them no credentials for another "
        "computer, so the file server would refuse them (access denied, "
        "ERROR_ACCESS_DENIED, 5). No node was touched."
    )
    fix = (
        (assessment.hint + " " if assessment.hint else "")
        + "Give the modules credentials for the share, in the inventory (group_vars of the "
        "Windows hosts): runas become with a password (ansible_become: true, "
        "ansible_become_method: runas, ansible_become_user: an account that may use the "
        "share, ansible_become_password: its password); or Kerberos with delegation "
        "(ansible_winrm_transport: kerberos and ansible_winrm_kerberos_delegation: true; "
        "psrp: ansible_psrp_negotiate_delegate: true); or CredSSP (ansible_winrm_transport: "
        "credssp). A play's become keyword is not seen by this check: set ansible_become in "
        f"the inventory, with -e or with -b. See {GUIDE} and {DOCS}."
    )
    return PolicyRefusal(problem, fix)


def second_hop_refusals(
    hosts: Mapping[str, Mapping[str, object]],
    paths: Iterable[object],
    what: str,
    defaults: BecomeDefaults | None = None,
) -> dict[str, PolicyRefusal]:
    """The refusal of each host of `hosts` (inventory name to its variables) that cannot
    reach the UNC paths among `paths`, in the order given."""
    paths = list(paths)
    refusals = {}
    for host, variables in hosts.items():
        settings = ConnectionSettings.from_variables(variables, defaults)
        refusal = second_hop_refusal(host, settings, paths, what)
        if refusal is not None:
            refusals[host] = refusal
    return refusals


def _plugin_name(value: object) -> str:
    # ansible.builtin.winrm and ansible.legacy.winrm are the same plugin as winrm; the
    # default connection when none is set is ssh.
    name = str(value or "ssh").strip().lower()
    return name.rsplit(".", 1)[-1]


def _winrm_mechanism(variables: Mapping[str, object]) -> str:
    """The transport the winrm plugin authenticates with: the first of
    ansible_winrm_transport (the plugin tries them in order and the first that connects is
    used), else its default: Kerberos for a user in UPN form, Basic otherwise."""
    transport = variables.get("ansible_winrm_transport")
    if isinstance(transport, str):
        names = [t.strip() for t in transport.split(",") if t.strip()]
    elif isinstance(transport, Iterable):
        names = [str(t).strip() for t in transport if str(t).strip()]
    else:
        names = []
    if not names:
        user = str(variables.get("ansible_winrm_user") or variables.get("ansible_user") or "")
        return KERBEROS if "@" in user else BASIC
    first = names[0].lower()
    if first == "ssl" and (
        variables.get("ansible_winrm_cert_pem") or variables.get("ansible_winrm_cert_key_pem")
    ):
        return CERTIFICATE
    return _WINRM_TRANSPORTS.get(first, UNKNOWN)


def _connection_text(settings: ConnectionSettings) -> str:
    if settings.mechanism == UNKNOWN:
        return f"{settings.plugin}, no become"
    name = _MECHANISM_NAMES[settings.mechanism]
    if settings.mechanism in (KERBEROS, NEGOTIATE):
        name += " with delegation" if settings.delegation else " without delegation"
    return f"{settings.plugin} with {name}, no become"


def _logon_type(flags: str) -> str:
    for flag in flags.split():
        key, _separator, value = flag.partition("=")
        if key.strip().lower() == "logon_type":
            return value.strip().lower()
    return "interactive"


def _service_account(user: str) -> bool:
    name = user.strip().lower().removeprefix("nt authority\\").replace(" ", "")
    return name in ("system", "networkservice", "localservice")


def _first(variables: Mapping[str, object], names: tuple[str, ...]) -> str:
    for name in names:
        value = variables.get(name)
        if value not in (None, ""):
            return str(value)
    return ""


def _true(value: object) -> bool:
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in ("1", "true", "yes", "on", "y", "t")
