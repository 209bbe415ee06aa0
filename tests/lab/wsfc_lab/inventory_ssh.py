"""<lab_dir>/inventory-ssh.yml, for a lab with an sshd (wsfc_lab.ssh): the inventory an
operator writes for Windows hosts that run OpenSSH with PowerShell as the default shell.

Ansible's ssh connection with `ansible_shell_type: powershell` on the lab's SSH port, the
key pair the lab made for its user, host keys not checked (the lab's are new each time).
The ssh login is the lab host's account that runs sshd (no account of the lab's Windows
domain exists on this host); the node runs each session as the lab's Windows account.
A key logon holds no password, so no credentials for another computer
(docs/windows-behaviour.md#openssh-key-logon): as over NTLM, runas become with the
account's password gives the modules the backup share (the second hop).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from wsfc_lab.lab import inventory
from wsfc_lab.ssh import LabSSHD

SSH_COMMON_ARGS = "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null"


def ssh_inventory(data: dict[str, Any], sshd: LabSSHD) -> dict[str, Any]:
    base = inventory(data)
    windows = base["all"]["children"]["windows"]
    credentials = data["credentials"]
    windows["vars"] = {
        "ansible_connection": "ssh",
        "ansible_shell_type": "powershell",
        "ansible_port": sshd.port,
        "ansible_user": sshd.login,
        "ansible_ssh_private_key_file": str(sshd.client_key),
        "ansible_ssh_common_args": SSH_COMMON_ARGS,
        "ansible_become": True,
        "ansible_become_method": "runas",
        "ansible_become_user": credentials["username"],
        "ansible_become_password": credentials["password"],
    }
    return base


def write_ssh_inventory(data: dict[str, Any], sshd: LabSSHD, path: Path) -> Path:
    header = (
        "# Written by wsfc-lab for the lab in this directory: SSH to the lab's sshd, each\n"
        "# node a Windows OpenSSH host with PowerShell as its default shell.\n"
    )
    text = yaml.safe_dump(ssh_inventory(data, sshd), sort_keys=False)
    path.write_text(header + text, encoding="utf-8")
    return path
