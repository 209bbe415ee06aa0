"""The second hop in the lab (docs/windows-behaviour.md#second-hop): how each WinRM session
was authenticated reaches the module run, runas become gives the run a logon of its own,
and a UNC path to another host opened from a session without credentials gets
ERROR_ACCESS_DENIED (5)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import winrm
from ansible.executor.powershell import module_manifest
from ansible.plugins.loader import become_loader
from test_execution_support import (
    ANSIBLE_INTERNAL_ARGS,
    WINDOWS_MODULES,
    module_command,
    put_file_command,
)
from wsfc_lab.execution import NodeCommandRunner
from wsfc_lab.execution.context import become_logon, session_logon
from wsfc_lab.execution.payload import BecomeRequest
from wsfc_lab.spec import load_spec
from wsfc_lab.winrm.auth import BASIC, CREDSSP, KERBEROS, NTLM, Session
from wsfc_lab.winrm.runner_contract import CommandResult
from wsfc_lab.winrm.server import WinRMEndpoint
from wsfc_lab.world import World
from wsfc_lab.world.acl import Logon
from wsfc_lab.world.windows_errors import ERROR_ACCESS_DENIED, ERROR_BAD_NETPATH, WindowsError

ROOT = Path(__file__).resolve().parents[3]
THREE_NODE = ROOT / "tests" / "lab" / "examples" / "three-node.yml"
SHARE = "\\\\FS01\\clusterbackups"
USER = "Administrator"
PASSWORD = "Lab-Passw0rd!"

NO_CREDENTIALS = Logon("NODE1", False, "a WinRM session (NTLM), without become")
WITH_CREDENTIALS = Logon("NODE1", True, "runas become as Administrator (with a password)")


@pytest.fixture
def world(tmp_path: Path) -> World:
    return World.create(tmp_path / "lab", load_spec(THREE_NODE))


def share_dir(world: World) -> Path:
    """Where the three-node example keeps FS01's share (C:\\Shares\\clusterbackups)."""
    return world.lab_dir / "fs" / "FS01" / "C" / "Shares" / "clusterbackups"


# -- the session record ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("session", "credentials"),
    [
        (Session(USER, BASIC), False),
        (Session(USER, NTLM), False),
        (Session(USER, KERBEROS), False),
        (Session(USER, KERBEROS, delegated=True), True),
        (Session(USER, CREDSSP), True),
    ],
)
def test_only_some_sessions_bring_credentials_for_another_computer(session, credentials):
    assert session.network_credentials is credentials


def test_a_delegated_ticket_exists_only_for_kerberos_and_mechanisms_are_known():
    with pytest.raises(ValueError, match="Kerberos"):
        Session(USER, NTLM, delegated=True)
    with pytest.raises(ValueError, match="unknown"):
        Session(USER, "digest")


# -- the endpoint hands each shell's session to the runner -------------------------------


class SessionRecorder:
    """A runner that answers `echo` and notes the session of each command's shell."""

    def __init__(self, session: Session | None = None, seen: list | None = None) -> None:
        self.session = session
        self.seen: list[Session | None] = seen if seen is not None else []

    def for_session(self, session: Session) -> SessionRecorder:
        return SessionRecorder(session, self.seen)

    def needs_stdin(self, command: str, arguments: list[str]) -> bool:
        return False

    def run(self, command: str, arguments: list[str], stdin: bytes) -> CommandResult:
        self.seen.append(self.session)
        return CommandResult(b"ok\r\n", b"", 0)


@pytest.fixture
def recording_endpoint(winrm_certificate):
    recorder = SessionRecorder()
    endpoint = WinRMEndpoint("127.0.78.11", 0, 0, recorder, {USER: PASSWORD}, winrm_certificate)
    endpoint.start()
    yield endpoint, recorder
    endpoint.stop()


@pytest.mark.parametrize(("transport", "mechanism"), [("basic", BASIC), ("ntlm", NTLM)])
def test_each_command_runs_in_the_session_its_shell_was_opened_in(
    recording_endpoint, transport, mechanism
):
    endpoint, recorder = recording_endpoint
    client = winrm.Session(endpoint.url(), auth=(USER, PASSWORD), transport=transport)

    assert client.run_cmd("echo", ["one"]).status_code == 0
    assert client.run_cmd("echo", ["two"]).status_code == 0

    assert [(s.mechanism, s.user.lower()) for s in recorder.seen] == [
        (mechanism, USER.lower()),
        (mechanism, USER.lower()),
    ]


# -- the world's rule --------------------------------------------------------------------


def test_a_share_of_another_host_is_denied_to_a_session_without_credentials(world):
    scoped = world.with_logon(NO_CREDENTIALS)

    with pytest.raises(WindowsError) as denied:
        scoped.resolve_path("NODE1", SHARE)

    assert denied.value.code == ERROR_ACCESS_DENIED
    assert "NODE1" in denied.value.message and "FS01" in denied.value.message
    assert "become" in denied.value.message
    # Every way an emulation opens the path meets the same rule.
    with pytest.raises(WindowsError) as checked:
        scoped.check_access("NODE1", SHARE + "\\x", USER, "read")
    assert checked.value.code == ERROR_ACCESS_DENIED
    with pytest.raises(WindowsError), scoped.transaction() as state:
        state.resolve_path("NODE1", SHARE)
    with pytest.raises(WindowsError):
        scoped.read().resolve_path("node1.corp.example.com", "\\\\fs01.corp.example.com\\C$")
    with pytest.raises(WindowsError):
        scoped.write_file("NODE1", SHARE + "\\note.txt", b"x", user=USER)
    assert not (share_dir(world) / "note.txt").exists()


def test_a_session_with_credentials_and_the_world_without_a_session_reach_the_share(world):
    assert world.with_logon(WITH_CREDENTIALS).resolve_path("NODE1", SHARE) == share_dir(world)
    assert world.resolve_path("NODE1", SHARE) == share_dir(world)
    world.with_logon(WITH_CREDENTIALS).write_file("NODE1", SHARE + "\\note.txt", b"x", user=USER)
    assert (share_dir(world) / "note.txt").read_bytes() == b"x"


@pytest.mark.parametrize(
    "path", ["\\\\NODE1\\C$\\Windows", "\\\\127.0.5.11\\C$", "\\\\node1.corp.example.com\\C$"]
)
def test_the_nodes_own_shares_are_local_access_in_the_lab(world, path):
    real = world.with_logon(NO_CREDENTIALS).resolve_path("NODE1", path)

    assert real.is_relative_to(world.lab_dir / "fs" / "NODE1" / "C")


def test_the_rule_is_for_the_sessions_own_host_and_leaves_local_paths_alone(world):
    scoped = world.with_logon(NO_CREDENTIALS)

    # Another host resolving within the same run (the Cluster service of the quorum
    # owner) acts as itself.
    assert scoped.resolve_path("NODE2", SHARE) == share_dir(world)
    assert scoped.resolve_path("NODE1", "C:\\Windows") == world.lab_dir / "fs/NODE1/C/Windows"


def test_an_unknown_server_fails_as_before_and_a_missing_share_is_denied_first(world):
    scoped = world.with_logon(NO_CREDENTIALS)

    with pytest.raises(WindowsError) as unknown:
        scoped.resolve_path("NODE1", "\\\\NOSUCHHOST\\share")
    with pytest.raises(WindowsError) as missing:
        scoped.resolve_path("NODE1", "\\\\FS01\\nosuchshare")

    assert unknown.value.code == ERROR_BAD_NETPATH
    assert missing.value.code == ERROR_ACCESS_DENIED


# -- runas become --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("become", "credentials"),
    [
        (BecomeRequest(USER, PASSWORD), True),
        (BecomeRequest(USER, PASSWORD, logon_type="NetworkCleartext"), True),
        (BecomeRequest(USER, PASSWORD, logon_type="NewCredentials"), True),
        (BecomeRequest(USER, PASSWORD, logon_type="Network"), False),
        (BecomeRequest(USER, None), False),
        (BecomeRequest("SYSTEM", None), True),
        (BecomeRequest("NT AUTHORITY\\NetworkService", None), True),
    ],
)
def test_runas_logons_and_their_credentials(become, credentials):
    logon = become_logon("NODE1", become)

    assert logon.network_credentials is credentials
    assert become.user in logon.description


def test_a_plain_session_logon_says_it_has_no_become():
    logon = session_logon("NODE1", Session(USER, NTLM))

    assert logon == Logon("NODE1", False, "a WinRM session (NTLM), without become")


# -- module runs: what ansible-core sends, through the node's runner ---------------------


def win_file_payload(path: str, *, become: dict[str, str] | None = None) -> bytes:
    """ansible.windows.win_file state=directory, optionally under runas become with the
    options given (become_user, become_pass, become_flags), as ansible-core builds it."""
    plugin = None
    if become is not None:
        plugin = become_loader.get("runas")
        plugin.set_options(direct=become)
    module = WINDOWS_MODULES / "win_file.ps1"
    return module_manifest._create_powershell_wrapper(
        name="ansible_collections.ansible.windows.plugins.modules.win_file",
        module_data=module.read_bytes(),
        module_path=str(module),
        module_args={
            **ANSIBLE_INTERNAL_ARGS,
            "_ansible_module_name": "ansible.windows.win_file",
            "path": path,
            "state": "directory",
        },
        environment={},
        async_timeout=0,
        become_plugin=plugin,
        substyle="powershell",
        task_vars={},
        profile="legacy",
    )


def run_in_session(world: World, session: Session | None, stdin: bytes) -> dict:
    runner = NodeCommandRunner(world, "NODE1")
    if session is not None:
        runner = runner.for_session(session)
    command, arguments = module_command()
    return json.loads(runner.run(command, arguments, stdin).stdout)


def test_a_module_over_ntlm_without_become_is_denied_the_share(world):
    result = run_in_session(world, Session(USER, NTLM), win_file_payload(SHARE + "\\new"))

    assert result["failed"] is True
    assert result["error_code"] == ERROR_ACCESS_DENIED
    assert "second hop" in result["msg"]
    assert not (share_dir(world) / "new").exists()


def test_a_module_over_ntlm_still_writes_local_paths(world):
    result = run_in_session(world, Session(USER, NTLM), win_file_payload("C:\\Work\\new"))

    assert result.get("failed") is not True, result
    assert (world.lab_dir / "fs" / "NODE1" / "C" / "Work" / "new").is_dir()


@pytest.mark.parametrize(
    "session", [Session(USER, CREDSSP), Session(USER, KERBEROS, delegated=True), None]
)
def test_sessions_with_credentials_and_unreported_ones_reach_the_share(world, session):
    result = run_in_session(world, session, win_file_payload(SHARE + "\\new"))

    assert result.get("failed") is not True, result
    assert (share_dir(world) / "new").is_dir()


def test_runas_become_with_a_password_reaches_the_share_over_ntlm(world):
    become = {"become_user": USER, "become_pass": PASSWORD}
    result = run_in_session(
        world, Session(USER, NTLM), win_file_payload(SHARE + "\\new", become=become)
    )

    assert result.get("failed") is not True, result
    assert (share_dir(world) / "new").is_dir()


@pytest.mark.parametrize(
    "become",
    [
        {"become_user": USER},
        {"become_user": USER, "become_pass": PASSWORD, "become_flags": "logon_type=network"},
    ],
)
def test_runas_become_without_credentials_is_still_denied(world, become):
    stdin = win_file_payload(SHARE + "\\new", become=become)
    result = run_in_session(world, Session(USER, NTLM), stdin)

    assert result["error_code"] == ERROR_ACCESS_DENIED
    assert "runas become as Administrator" in result["msg"]
    assert not (share_dir(world) / "new").exists()


def test_a_file_transfer_over_ntlm_to_a_share_is_denied(world):
    command, arguments, stdin = put_file_command(SHARE + "\\sent.txt", b"payload")
    runner = NodeCommandRunner(world, "NODE1").for_session(Session(USER, NTLM))

    result = runner.run(command, arguments, stdin)

    assert result.exit_code != 0
    assert not (share_dir(world) / "sent.txt").exists()
