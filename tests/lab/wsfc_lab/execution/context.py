"""Where a command runs: the world, the node, the account, and the logon session.

The logon decides what the command's programs can reach on other computers
(docs/windows-behaviour.md#second-hop, world/acl.py `Logon`):
- a command of a WinRM shell runs in the shell's session (winrm/auth.py `Session`): NTLM
  Basic and Kerberos without delegation bring no credentials for another computer, CredSSP
  does;
- a module under runas become runs in a new logon of the become user
  (docs/windows-behaviour.md#become-runas), which `become_logon` describes.
A command whose session the endpoint did not report (the lab's own callers, unit tests)
has no Logon, and the world then applies no second-hop rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from wsfc_lab.emulation.framework.node_environment import expand_environment_variables
from wsfc_lab.emulation.framework.world_api import WorldApi
from wsfc_lab.execution.payload import BecomeRequest
from wsfc_lab.winrm.auth import Session
from wsfc_lab.world import World
from wsfc_lab.world.acl import Logon

# Logon types (become_flags logon_type=, LogonUser's) after which the process holds
# credentials it can present to other computers. From the become-runas fact: Interactive
# (the default, "the same as when running a process locally", which removes all WinRM
# restrictions), NetworkCleartext (caches the credentials for network access) and
# NewCredentials (the become user for outbound connections only). Network has none.
# Batch, Service and Unlock log on with the password as well; that they keep credentials
# for network access is *unconfirmed* (Ansible's page says nothing about them).
_LOGONS_WITH_CREDENTIALS = frozenset(
    {"interactive", "networkcleartext", "newcredentials", "batch", "service", "unlock"}
)
# Accounts runas becomes without a password (become-runas). They reach other computers as
# the computer account; that this counts as having credentials is *unconfirmed*.
_SERVICE_ACCOUNTS = frozenset(
    {
        "system",
        "nt authority\\system",
        "networkservice",
        "network service",
        "nt authority\\network service",
        "nt authority\\networkservice",
        "localservice",
        "local service",
        "nt authority\\local service",
        "nt authority\\localservice",
    }
)


@dataclass(frozen=True)
class NodeContext:
    world: WorldApi
    node: str
    user: str
    environment: dict[str, str] = field(default_factory=dict)
    # The WinRM session the command came in (None: not reported).
    session: Session | None = None

    def expand(self, text: str) -> str:
        """[Environment]::ExpandEnvironmentVariables with this shell's environment."""
        return expand_environment_variables(text, self.environment)


def session_logon(node: str, session: Session) -> Logon:
    """The logon of a command run directly in a WinRM shell of `session`."""
    return Logon(
        node=node,
        network_credentials=session.network_credentials,
        description=f"{session.description}, without become",
    )


def become_logon(node: str, become: BecomeRequest) -> Logon:
    """The logon runas creates for the become user (docs/windows-behaviour.md#become-runas).

    With a password, LogonUser runs with the requested logon type, and every type but
    Network keeps credentials for other computers (see _LOGONS_WITH_CREDENTIALS). Without
    one, runas duplicates an existing logon of the user or uses S4U, and an S4U process
    "will not be able to access any network resources"; the lab treats both as having no
    credentials (for a duplicated logon that is *unconfirmed*), except the service
    accounts, which need no password.
    """
    logon_type = become.logon_type.replace("_", "").lower()
    if become.password:
        credentials = logon_type in _LOGONS_WITH_CREDENTIALS
        how = f"with a password, logon type {become.logon_type}"
    elif become.user.strip().lower() in _SERVICE_ACCOUNTS:
        credentials = True
        how = "a service account"
    else:
        credentials = False
        how = "without a password"
    return Logon(
        node=node,
        network_credentials=credentials,
        description=f"runas become as {become.user} ({how})",
    )


def with_logon(world: WorldApi, logon: Logon | None) -> WorldApi:
    """`world` as the command's programs see it from `logon`. Only the lab's World models
    UNC paths; another WorldApi (a test double) is returned as it is."""
    if isinstance(world, World):
        return world.with_logon(logon)
    return world
