# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The role_option_names filter: the options a role's meta/argument_specs.yml declares."""

from __future__ import annotations

DOCUMENTATION = r"""
---
name: role_option_names
short_description: The options of the backup, restore or drift role
version_added: 0.1.0
description:
  - The names of the options the role's C(meta/argument_specs.yml) declares, in its order,
    for a task that reads their values to check them with
    P(wsfc.clusterdb.role_options#filter).
options:
  _input:
    description: The role, V(backup), V(restore) or V(drift).
    type: str
    required: true
author:
  - wsfc.clusterdb maintainers (@wsfc-clusterdb)
"""

EXAMPLES = r"""
- name: Show the value of every option of the backup role
  ansible.builtin.debug:
    msg: "{{ dict(backup_names | zip(query('ansible.builtin.vars', *backup_names))) }}"
  vars:
    backup_names: "{{ 'backup' | wsfc.clusterdb.role_option_names }}"
"""

RETURN = r"""
_value:
  description: The option names.
  type: list
  elements: str
"""

import typing as t

from ansible.errors import AnsibleFilterError

# plugin_utils is imported when the filter is called, not when this file is loaded: a
# lookup of any one filter of the collection loads every filter file, in every worker
# (docs/internals.md, "Filter files").


def role_option_names(role: object) -> list[str]:
    from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._role_options import (
        ROLE_PREFIXES,
        load_role_spec,
    )

    if role not in ROLE_PREFIXES:
        raise AnsibleFilterError(f"role_option_names: unknown role {role!r}")
    return list(load_role_spec(str(role)).options)


class FilterModule:
    def filters(self) -> dict[str, t.Callable[..., t.Any]]:
        return {"role_option_names": role_option_names}
