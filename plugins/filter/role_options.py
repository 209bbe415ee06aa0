# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The role_options filter: every option of a role, checked before any node is touched.

The policy is plugin_utils._role_options'; this filter hands it the values and the names a
role sees, and returns what the role's first task needs to stop or go on.
"""

from __future__ import annotations

DOCUMENTATION = r"""
---
name: role_options
short_description: Check the options of a collection role before any node is touched
version_added: 0.1.0
description:
  - Takes the values of a role's options (its variables, or a playbook's own names for
    them with O(aliases)) and checks each one on the controller, so that the role's first
    task can stop before any module runs on a node.
  - Checks the type from the role's C(meta/argument_specs.yml) (a boolean that is neither
    true nor false, such as V(maybe), is refused, not read as false), and what each option
    means - every Windows path (no C(..), no C(%NAME%), no control character, a drive with
    its backslash), share names, the controller folder, durations and counts.
  - With O(defined), a variable that has the role's prefix (C(backup_), C(restore_),
    C(drift_)) but that the role does not know is refused, with the closest option named;
    the known names are the options in C(meta/argument_specs.yml) and the names the role
    sets itself.
  - Never fails; an empty RV(_value.refusals) means the role may go on.
options:
  _input:
    description: Option (or alias) name to its value.
    type: dict
    required: true
  role:
    description: The role whose options these are.
    type: str
    required: true
    choices: [backup, restore, drift]
  defined:
    description:
      - Every variable name the role sees, such as
        C(query('ansible.builtin.varnames', '^backup_')). Omitted, unknown names are not
        looked for.
    type: list
    elements: str
  aliases:
    description: A playbook's names for the role's options (C(force) for C(restore_force)).
    type: dict
author:
  - wsfc.clusterdb maintainers (@wsfc-clusterdb)
"""

EXAMPLES = r"""
- name: Check every option of the role before any node is touched
  ansible.builtin.assert:
    that: not backup_option_check.refused
    fail_msg: "{{ backup_option_check.msg }}"
    quiet: true
  vars:
    backup_option_names: "{{ 'backup' | wsfc.clusterdb.role_option_names }}"
    backup_option_check: >-
      {{ dict(backup_option_names | zip(query('ansible.builtin.vars', *backup_option_names)))
         | wsfc.clusterdb.role_options('backup',
             defined=query('ansible.builtin.varnames', '^backup_')) }}
"""

RETURN = r"""
_value:
  description: The decision.
  type: dict
  contains:
    refused:
      description: Whether the role must stop.
      type: bool
    refusals:
      description: One entry per refused option - C(option), C(problem), C(fix), C(msg).
      type: list
      elements: dict
    msg:
      description: Every refusal, the problem then the fix; empty when none.
      type: str
"""

import typing as t

from ansible.errors import AnsibleFilterError

# plugin_utils is imported when the filter is called, not when this file is loaded: a
# lookup of any one filter of the collection loads every filter file, in every worker
# (docs/internals.md, "Filter files").


def role_options(
    values: object,
    role: str,
    defined: list[str] | None = None,
    aliases: dict[str, str] | None = None,
) -> dict[str, t.Any]:
    from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._role_options import (
        ROLE_PREFIXES,
        check_role_options,
        load_role_spec,
        refusal_message,
    )

    if not isinstance(values, dict):
        raise AnsibleFilterError("role_options takes a dict of option names to values")
    if role not in ROLE_PREFIXES:
        raise AnsibleFilterError(f"role_options: unknown role {role!r}")
    refusals = check_role_options(
        load_role_spec(role),
        {str(k): v for k, v in values.items()},
        defined=[str(name) for name in defined] if defined is not None else None,
        aliases={str(k): str(v) for k, v in (aliases or {}).items()},
    )
    return {
        "refused": bool(refusals),
        "refusals": [r.as_result() for r in refusals],
        "msg": refusal_message(f"{role} playbook" if aliases else f"{role} role", refusals),
    }


class FilterModule:
    def filters(self) -> dict[str, t.Callable[..., t.Any]]:
        return {"role_options": role_options}
