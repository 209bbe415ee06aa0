"""<lab_dir>/inventory-psrp.yml: the lab's hosts over PowerShell Remoting.

The same hosts, account and runas become as inventory.yml (`lab.inventory`), with
ansible-core's psrp connection instead of winrm: NTLM over HTTPS on the lab's HTTPS port,
the certificate not validated, as the connection plugin's options name them
(ansible/plugins/connection/psrp.py: protocol, auth, cert_validation).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from wsfc_lab.lab import inventory, write_yaml_inventory

FILE_NAME = "inventory-psrp.yml"


def psrp_inventory(data: dict[str, Any]) -> dict[str, Any]:
    """The inventory of the lab whose state is `data` (World.peek()), over psrp."""
    base = inventory(data)
    windows_vars = base["all"]["children"]["windows"]["vars"]
    kept = {k: v for k, v in windows_vars.items() if not k.startswith("ansible_winrm_")}
    kept.update(
        {
            "ansible_connection": "psrp",
            "ansible_port": data["ports"]["https"],
            "ansible_psrp_protocol": "https",
            "ansible_psrp_auth": "ntlm",
            "ansible_psrp_cert_validation": "ignore",
        }
    )
    base["all"]["children"]["windows"]["vars"] = kept
    return base


def write_psrp_inventory(data: dict[str, Any], path: Path) -> Path:
    header = (
        "# Written by wsfc-lab for the lab in this directory: PowerShell Remoting (psrp).\n"
        f"# Over plain HTTP instead: -e ansible_port={data['ports']['http']}"
        " -e ansible_psrp_protocol=http\n"
    )
    return write_yaml_inventory(path, header, psrp_inventory(data))
