# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The backup_folder_rules filter: the folders option of backup_folders from the role's lists."""

from __future__ import annotations

DOCUMENTATION = r"""
---
name: backup_folder_rules
short_description: The folders and access rules of the backup destinations
version_added: 0.2.0
description:
  - Turns the backup role's cluster folders and accounts into the C(folders) option of
    M(wsfc.clusterdb.backup_folders). Every folder gets full control for each
    account of O(full_control); the folder O(writers_folder) also gets C(Modify) for each
    account of O(writers), present or absent as O(writers_state) says.
  - A pure converter; the module and its action plugin check the result.
options:
  _input:
    description: The folders, in order.
    type: list
    elements: str
    required: true
  full_control:
    description: The accounts given full control of every folder.
    type: list
    elements: str
    required: true
  writers:
    description: The accounts given C(Modify) on O(writers_folder).
    type: list
    elements: str
    default: []
  writers_folder:
    description: The folder the O(writers) may write into.
    type: str
  writers_state:
    description: V(present) to grant the writers' rules, V(absent) to take them away.
    type: str
    default: present
    choices: [absent, present]
author:
  - wsfc.clusterdb maintainers (@wsfc-clusterdb)
"""

EXAMPLES = r"""
- name: Create the cluster's folders
  wsfc.clusterdb.backup_folders:
    folders: >-
      {{ ['\\fs01\clusterbackups\CLU01', 'D:\Copies\CLU01']
         | wsfc.clusterdb.backup_folder_rules(
             full_control=['S-1-5-32-544', 'S-1-5-18'],
             writers=['CORP\NODE1$', 'CORP\NODE2$'],
             writers_folder='\\fs01\clusterbackups\CLU01') }}
"""

RETURN = r"""
_value:
  description: The folders, each a dict with C(path) and C(access) (C(account), C(rights),
    C(state)).
  type: list
  elements: dict
"""

import typing as t

from ansible.errors import AnsibleFilterError


def backup_folder_rules(
    folders: object,
    full_control: object,
    writers: object = (),
    writers_folder: str | None = None,
    writers_state: str = "present",
) -> list[dict[str, t.Any]]:
    if not isinstance(folders, list) or not isinstance(full_control, list):
        raise AnsibleFilterError("backup_folder_rules takes a list of folders and full_control")
    if writers_state not in ("absent", "present"):
        raise AnsibleFilterError(f"writers_state must be absent or present, not {writers_state!r}")
    owners = [
        {"account": str(a), "rights": "FullControl", "state": "present"} for a in full_control
    ]
    writing = [
        {"account": str(a), "rights": "Modify", "state": writers_state} for a in list(writers or [])
    ]
    return [
        {
            "path": str(folder),
            "access": owners + (writing if str(folder) == writers_folder else []),
        }
        for folder in folders
    ]


class FilterModule:
    def filters(self) -> dict[str, t.Callable[..., t.Any]]:
        return {"backup_folder_rules": backup_folder_rules}
