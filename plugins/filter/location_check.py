# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The location_check filter: no backup location names a file."""

from __future__ import annotations

DOCUMENTATION = r"""
---
name: location_check
short_description: Refuse a backup location that names a file
version_added: 0.1.0
description:
  - Takes the registered results of C(ansible.windows.win_stat) run on the folder that holds
    each cluster folder (the loop item is the cluster folder, C(<location>\<cluster>)), and
    refuses every location that exists as a file, before anything is written.
  - A backup into a path that names a file fails with Windows error 267 (ERROR_DIRECTORY,
    "The directory name is invalid."); the message says so and names the file, instead of
    the role failing later while it makes the cluster's folder.
  - Never fails; RV(_value.refused) says whether the role must stop.
options:
  _input:
    description: The C(results) of the registered win_stat loop.
    type: list
    elements: dict
    required: true
  node:
    description: The node the paths were read from.
    type: str
author:
  - wsfc.clusterdb maintainers (@wsfc-clusterdb)
"""

EXAMPLES = r"""
- name: Read what holds each cluster folder
  ansible.windows.win_stat:
    path: "{{ item | regex_replace('\\\\[^\\\\]+$', '') }}"
    get_checksum: false
    get_size: false
  loop: ['\\fs01\clusterbackups\CLU01']
  register: locations

- name: Check that no location is a file
  ansible.builtin.assert:
    that: not location_policy.refused
    fail_msg: "{{ location_policy.msg }}"
  vars:
    location_policy: "{{ locations.results | wsfc.clusterdb.location_check(node='NODE1') }}"
"""

RETURN = r"""
_value:
  description: The decision.
  type: dict
  contains:
    refused:
      description: Whether a location names a file.
      type: bool
    files:
      description: The locations that name a file.
      type: list
      elements: str
    msg:
      description: What is wrong and the fix; empty when nothing is.
      type: str
"""

import typing as t

from ansible.errors import AnsibleFilterError

# plugin_utils is imported when the filter is called, not when this file is loaded: a
# lookup of any one filter of the collection loads every filter file, in every worker
# (docs/internals.md, "Filter files").


def location_check(results: object, node: str | None = None) -> dict[str, t.Any]:
    from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._errors import (
        BACKUP,
        ERROR_DIRECTORY,
        explain_win32_error,
    )

    if not isinstance(results, list):
        raise AnsibleFilterError("location_check takes the results of a win_stat loop")
    problems: list[str] = []
    files: list[str] = []
    for result in results:
        if not isinstance(result, dict) or result.get("skipped") or result.get("failed"):
            continue
        stat = result.get("stat") or {}
        if not stat.get("exists") or stat.get("isdir"):
            continue
        folder = str(result.get("item"))
        location = folder.rsplit("\\", 1)[0]
        explanation = explain_win32_error(ERROR_DIRECTORY, BACKUP, path=location, node=node)
        files.append(location)
        problems.append(
            f"{explanation.cause} (seen from {node or 'the node'}), so the cluster's folder "
            f"{folder} cannot be made in it: a backup into a file fails with Windows error "
            f'{ERROR_DIRECTORY} ({explanation.name}, "The directory name is invalid.").'
        )
    if not problems:
        return {"refused": False, "files": [], "msg": ""}
    fix = explain_win32_error(ERROR_DIRECTORY, BACKUP).fix
    message = (
        " ".join(problems)
        + f" {fix} Correct backup_path or backup_destinations; nothing was written."
    )
    return {"refused": True, "files": files, "msg": message}


class FilterModule:
    def filters(self) -> dict[str, t.Callable[..., t.Any]]:
        return {"location_check": location_check}
