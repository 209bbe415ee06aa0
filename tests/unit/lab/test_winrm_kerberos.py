"""The lab endpoint's Kerberos acceptor against a real MIT KDC (wsfc_lab.kerberos), with
pywinrm's kerberos transport: the session is the principal's user, Kerberos, delegated only
when the client forwarded its ticket; pypsrp with Kerberos inside SPNEGO; a principal of
another realm is refused."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import winrm
import winrm.exceptions
from conftest import WINRM_PASSWORD, WINRM_USER, ScriptedRunner
from pypsrp.client import Client
from wsfc_lab.kerberos import LabKDC, missing_tools
from wsfc_lab.winrm.auth import KERBEROS, Session
from wsfc_lab.winrm.runner_contract import CommandRunner
from wsfc_lab.winrm.server import WinRMEndpoint

pytestmark = pytest.mark.skipif(
    bool(missing_tools()), reason=f"MIT Kerberos tools missing: {missing_tools()}"
)
DOMAIN = "kerb.test"
HOST = f"node1.{DOMAIN}"


class SessionRecorder(ScriptedRunner):
    """The scripted runner, keeping the session of every shell it runs commands for."""

    def __init__(self) -> None:
        super().__init__()
        self.sessions: list[Session] = []

    def for_session(self, session: Session) -> CommandRunner:
        self.sessions.append(session)
        return self


@pytest.fixture(scope="module")
def kdc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabKDC]:
    directory = tmp_path_factory.mktemp("kdc") / "kerberos"
    kdc = LabKDC.create(directory, DOMAIN, {WINRM_USER: WINRM_PASSWORD}, [HOST])
    kdc.start()
    try:
        yield kdc
    finally:
        kdc.stop()


@pytest.fixture
def kerberos_client(kdc: LabKDC, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LabKDC:
    """This process as the node (keytab) and as the client (a ticket in a private cache)."""
    env = {**kdc.client_env(tmp_path / "ccache"), **kdc.acceptor_env(HOST)}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    subprocess.run(
        ["kinit", "-f", f"{WINRM_USER}@{kdc.realm}"],
        input=WINRM_PASSWORD + "\n",
        text=True,
        env=dict(os.environ),
        check=True,
        capture_output=True,
    )
    return kdc


def endpoint(realm: str, winrm_certificate: tuple[Path, Path], runner: ScriptedRunner):
    server = WinRMEndpoint(
        "127.0.78.1",
        0,
        0,
        runner,
        {WINRM_USER: WINRM_PASSWORD},
        winrm_certificate,
        kerberos_realm=realm,
    )
    server.start()
    return server


def kerberos_session(server: WinRMEndpoint, delegation: bool) -> winrm.Session:
    return winrm.Session(
        server.url(),
        auth=(None, None),
        transport="kerberos",
        kerberos_hostname_override=HOST,
        kerberos_delegation=delegation,
    )


@pytest.mark.parametrize("delegation", [True, False])
def test_a_kerberos_session_is_the_users_and_delegated_only_when_asked(
    kerberos_client: LabKDC, winrm_certificate: tuple[Path, Path], delegation: bool
) -> None:
    runner = SessionRecorder()
    server = endpoint(kerberos_client.realm, winrm_certificate, runner)
    try:
        result = kerberos_session(server, delegation).run_cmd("echo", ["sealed"])
    finally:
        server.stop()

    assert result.std_out == b"sealed\r\n"
    assert runner.sessions == [Session(WINRM_USER, KERBEROS, delegated=delegation)]


@pytest.mark.parametrize("auth", ["negotiate", "kerberos"])
def test_pypsrp_authenticates_with_kerberos_inside_spnego(
    kerberos_client: LabKDC, winrm_certificate: tuple[Path, Path], auth: str
) -> None:
    # pypsrp wraps the Kerberos token in SPNEGO, and seals the messages over HTTP with it.
    runner = SessionRecorder()
    server = endpoint(kerberos_client.realm, winrm_certificate, runner)
    try:
        options = {"port": server.ports[0], "ssl": False, "auth": auth, "encryption": "always"}
        with Client(
            server.address, negotiate_hostname_override=HOST, negotiate_service="HTTP", **options
        ) as client:
            stdout, _stderr, code = client.execute_cmd("echo sealed")
    finally:
        server.stop()

    assert (stdout, code) == ("sealed\r\n", 0)
    assert runner.sessions == [Session(WINRM_USER, KERBEROS, delegated=False)]


def test_a_principal_of_another_realm_is_refused(
    kerberos_client: LabKDC, winrm_certificate: tuple[Path, Path]
) -> None:
    runner = SessionRecorder()
    server = endpoint("OTHER.TEST", winrm_certificate, runner)
    try:
        with pytest.raises(winrm.exceptions.InvalidCredentialsError):
            kerberos_session(server, False).run_cmd("echo", ["no"])
    finally:
        server.stop()

    assert runner.calls == []
