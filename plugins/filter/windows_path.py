# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The windows_path filter: a Windows path as the operator typed it after -e key=value."""

from __future__ import annotations

DOCUMENTATION = r"""
---
name: windows_path
short_description: Undo what C(-e key=value) does to a UNC path; refuse control characters
version_added: 0.1.0
description:
  - C(ansible-playbook -e backup_path='\\fs01\clusterbackups') passes the value through
    Ansible's key=value parser, which decodes backslash escapes - C(\\) becomes one
    backslash and C(\b), C(\f), C(\n), C(\r), C(\t), C(\v), C(\a) become control
    characters. The path the role receives is then C(\fs01\clusterbackups), a path without
    a drive, or a name with a tab in it.
  - A path that starts with a single backslash followed by C(server\share), which no backup
    module accepts (it would depend on the current drive), gets its second leading
    backslash back.
  - A path with a control character in it is refused (an error naming O(option), the
    character and how to pass the value instead), whether it came from C(-e key=value) or
    from JSON or YAML extra variables. Windows allows no control character in a path, and
    which escape it was decoded from, if any, cannot be known, so the filter never guesses a
    separator.
  - Every other path, and so every path given as JSON or YAML extra variables
    (C(-e @vars.yml)) that holds no control character, is returned unchanged.
options:
  _input:
    description: A Windows path.
    type: str
    required: true
  option:
    description: The name of the variable the path came from, for the error message.
    type: str
    default: the path
author:
  - wsfc.clusterdb maintainers (@wsfc-clusterdb)
"""

EXAMPLES = r"""
- name: The backup path as the operator typed it
  ansible.builtin.set_fact:
    folder: "{{ backup_path | wsfc.clusterdb.windows_path(option='backup_path') }}"
"""

RETURN = r"""
_value:
  description: The path, with a lost leading backslash of a UNC path put back.
  type: str
"""

import typing as t

from ansible.errors import AnsibleFilterError

# plugin_utils is imported when the filter is called, not when this file is loaded: a
# lookup of any one filter of the collection loads every filter file, in every worker
# (docs/internals.md, "Filter files").


def windows_path(path: object, option: str = "the path") -> str:
    from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._paths import (
        check_no_control_characters,
        restore_lost_unc_backslash,
    )
    from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._refusal import PolicyRefusal

    text = str(path)
    try:
        check_no_control_characters(text, option)
    except PolicyRefusal as refusal:
        raise AnsibleFilterError(str(refusal)) from refusal
    return restore_lost_unc_backslash(text)


class FilterModule:
    def filters(self) -> dict[str, t.Callable[..., t.Any]]:
        return {"windows_path": windows_path}
