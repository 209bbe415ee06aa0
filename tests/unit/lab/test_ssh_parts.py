"""The lab's SSH pieces that need no sshd: SFTP paths, the PowerShell a forced command hands
the dispatch, the SSH session's logon and the SSH inventory as ansible-core reads it."""

import base64
import copy

import pytest
import yaml
from ansible.inventory.manager import InventoryManager
from ansible.parsing.dataloader import DataLoader
from ansible.vars.manager import VariableManager
from win_support import SPEC
from wsfc_lab.execution.command_classifier import encoded_script, inner_command, parse_command
from wsfc_lab.inventory_ssh import ssh_inventory
from wsfc_lab.spec import parse_spec
from wsfc_lab.ssh_bridge import powershell_command
from wsfc_lab.ssh_sftp import PathOutsideDrives, sftp_path, windows_path
from wsfc_lab.winrm.auth import PUBLICKEY, Session
from wsfc_lab.world import World

HOME = "C:\\Users\\Administrator"


@pytest.mark.parametrize(
    ("sent", "windows"),
    [
        ("/C:/Users/Administrator/x.txt", "C:\\Users\\Administrator\\x.txt"),
        ("/c:/", "c:\\"),
        ("C:/Temp/a", "C:\\Temp\\a"),
        ("notes/a.txt", HOME + "\\notes\\a.txt"),
        (".", HOME),
    ],
)
def test_sftp_paths_map_onto_windows_paths(sent, windows):
    assert windows_path(sent, HOME) == windows


def test_an_sftp_path_without_a_drive_is_refused():
    with pytest.raises(PathOutsideDrives):
        windows_path("/etc/passwd", HOME)


def test_a_windows_path_is_answered_in_the_sftp_form():
    assert sftp_path("C:\\Users\\Administrator") == "/C:/Users/Administrator"


def test_the_forced_command_hands_over_powershell_running_the_command_line():
    line = (
        "PowerShell -NoProfile -EncodedCommand "
        + base64.b64encode("hostname".encode("utf-16-le")).decode()
    )
    program, arguments = powershell_command(line)
    outer = parse_command(program, arguments)

    assert encoded_script(outer) == line
    # The dispatch runs the inner PowerShell, as for ansible-core's own encoded lines.
    assert encoded_script(inner_command(outer)) == "hostname"


def test_a_key_session_has_no_credentials_for_another_computer():
    session = Session(user="Administrator", mechanism=PUBLICKEY)

    assert session.network_credentials is False
    assert session.description == "an SSH session (public key)"


class _FakeSSHD:
    port = 2222
    login = "lab"
    client_key = "/lab/ssh/client_ed25519_key"


def test_the_ssh_inventory_reads_as_ssh_with_the_powershell_shell(tmp_path):
    World.create(tmp_path / "lab", parse_spec(copy.deepcopy(SPEC)))
    data = World(tmp_path / "lab").peek()
    path = tmp_path / "inventory-ssh.yml"
    path.write_text(yaml.safe_dump(ssh_inventory(data, _FakeSSHD())))  # type: ignore[arg-type]
    loader = DataLoader()
    inventory = InventoryManager(loader=loader, sources=[str(path)])
    host = inventory.get_hosts()[0]
    variables = VariableManager(loader=loader, inventory=inventory).get_vars(host=host)

    assert variables["ansible_connection"] == "ssh"
    assert variables["ansible_shell_type"] == "powershell"
    assert variables["ansible_port"] == 2222
    assert variables["ansible_become_method"] == "runas"
    assert "StrictHostKeyChecking=no" in variables["ansible_ssh_common_args"]
