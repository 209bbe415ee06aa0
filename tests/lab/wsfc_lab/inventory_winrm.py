"""<lab_dir>/inventory.winrm: the lab as `ansible-test windows-integration --inventory` reads it.

ansible-test runs every Windows target against the hosts of the group `windows` of an INI
inventory (ansible.windows' tests/integration/inventory.winrm.template has that form). This
one holds the same hosts and connection as the lab's inventory.yml (`lab.inventory`): NTLM
over HTTPS on the lab's HTTPS port, the certificate not validated, and runas become with the
connecting account for the second hop to the backup share. A group named after the cluster
holds the same hosts, as in inventory.yml.

Every value is written as a JSON string: ansible-core's INI inventory reads a value with
Python's literal syntax first, so a quoted value comes back as the text between the quotes,
whatever characters a password holds.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from wsfc_lab.lab import cluster_group_name, inventory

FILE_NAME = "inventory.winrm"


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"  # Python literals, as the INI reader parses them
    if isinstance(value, int):
        return str(value)
    return json.dumps(str(value))


def winrm_inventory_text(data: dict[str, Any]) -> str:
    """The INI text for the lab whose state is `data` (World.peek())."""
    groups = inventory(data)["all"]["children"]
    windows = groups["windows"]
    cluster_group = cluster_group_name(data["cluster"]["name"])
    lines = [
        "# Written by wsfc-lab for the lab in this directory, for",
        "#   ansible-test windows-integration --inventory <this file>",
        f"# Over plain HTTP instead: ansible_port={data['ports']['http']} and"
        ' ansible_winrm_scheme="http".',
        "[windows]",
    ]
    for name, host in windows["hosts"].items():
        lines.append(f"{name} ansible_host={_value(host['ansible_host'])}")
    lines += ["", "[windows:vars]"]
    lines += [f"{key}={_value(value)}" for key, value in windows["vars"].items()]
    lines += ["", f"[{cluster_group}:children]", "windows"]
    lines += ["", f"[{cluster_group}:vars]"]
    lines += [f"{key}={_value(value)}" for key, value in groups[cluster_group]["vars"].items()]
    return "\n".join(lines) + "\n"


def write_inventory_winrm(data: dict[str, Any], path: Path) -> Path:
    path.write_text(winrm_inventory_text(data), encoding="utf-8")
    return path
