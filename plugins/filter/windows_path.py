# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The windows_path filter: a Windows path as the operator typed it after -e key=value."""

from __future__ import annotations

DOCUMENTATION = r"""
---
name: windows_path
short_description: Undo what C(-e key=value) does to a Windows path
version_added: 0.1.0
description:
  - C(ansible-playbook -e backup_path='\\fs01\clusterbackups') passes the value through
    Ansible's key=value parser, which decodes backslash escapes - C(\\) becomes one
    backslash and C(\b), C(\f), C(\n), C(\r), C(\t), C(\v), C(\a) become control
    characters. The path the role receives is then C(\fs01\clusterbackups), a path without
    a drive, or a name with a tab in it.
  - This filter gives the path back as typed. Control characters, which Windows never
    allows in a path, become the escapes they were decoded from; a path that starts with a
    single backslash followed by C(server\share), which no backup module accepts (it would
    depend on the current drive), gets its second leading backslash back.
  - Every other path, and every path given as JSON or YAML extra variables
    (C(-e @vars.yml)), is returned unchanged.
options:
  _input:
    description: A Windows path.
    type: str
    required: true
author:
  - wsfc.clusterdb maintainers (@wsfc-clusterdb)
"""

EXAMPLES = r"""
- name: The backup path as the operator typed it
  ansible.builtin.set_fact:
    folder: "{{ backup_path | wsfc.clusterdb.windows_path }}"
"""

RETURN = r"""
_value:
  description: The path with the decoded escapes undone.
  type: str
"""

import re
import typing as t

# The single-character escapes Ansible's key=value parser decodes (ansible.parsing.splitter),
# other than the backslash and the quotes, mapped back to the letters they came from.
_CONTROL_TO_ESCAPE = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
}
# One backslash, then server\share: a UNC path that lost its first backslash.
_HALF_UNC = re.compile(r"^\\(?!\\)[^\\/:*?\"<>|]+\\[^\\]")


def windows_path(path: object) -> str:
    text = "".join(_CONTROL_TO_ESCAPE.get(c, c) for c in str(path))
    if _HALF_UNC.match(text):
        text = "\\" + text
    return text


class FilterModule:
    def filters(self) -> dict[str, t.Callable[..., t.Any]]:
        return {"windows_path": windows_path}
