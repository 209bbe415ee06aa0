# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The temporary_share filter: whether the backup role may write through its temporary share.

The decision is plugin_utils._wbadmin_target's (check_temporary_share); this filter hands it
the role's variables and returns the refusal for the role to stop on before it touches a
node.
"""

from __future__ import annotations

DOCUMENTATION = r"""
---
name: temporary_share
short_description: Refuse the backup role's temporary share as a wbadmin target unless opted in
version_added: 0.1.0
description:
  - The backup role's temporary share is a share on the backup node itself. With route vss
    (or auto, which is vss on every version after Windows Server 2003) wbadmin would write
    its system state backup through a share of the node it runs on, which Microsoft does
    not document as a target (it documents a shared folder on another computer).
  - Returns the refusal (the problem and the fix, naming C(backup_loopback_target)) when the
    temporary share is asked for with such a route and without the opt-in; an empty
    RV(_value.msg) means the role may go on.
  - With O(share_name) and O(host) it also returns the commands that remove that share
    (RV(_value.removal)), for a message about a share a run created and could not remove.
  - Never fails.
options:
  _input:
    description: Whether the temporary share is asked for (C(backup_temporary_share)).
    type: bool
    required: true
  route:
    description: The backup route (C(backup_route)) - V(auto), V(vss) or V(clusapi).
    type: str
    required: true
  loopback_target:
    description: The opt-in (C(backup_loopback_target)).
    type: bool
    default: false
  share_name:
    description:
      - The temporary share's name (C(backup_temporary_share_name)), for RV(_value.removal).
    type: str
    default: ""
  host:
    description: The inventory name of the node the share is on, for RV(_value.removal).
    type: str
    default: ""
  inventory:
    description:
      - The inventory file the command from the controller names (C(inventory_file)).
      - Empty for none.
    type: str
    default: ""
author:
  - wsfc.clusterdb maintainers (@wsfc-clusterdb)
"""

EXAMPLES = r"""
- name: Stop when the temporary share would be a loopback wbadmin target
  ansible.builtin.assert:
    that: share_policy.msg | length == 0
    fail_msg: "{{ share_policy.msg }}"
  vars:
    share_policy: >-
      {{ backup_temporary_share | wsfc.clusterdb.temporary_share(route=backup_route,
         loopback_target=backup_loopback_target) }}
"""

RETURN = r"""
_value:
  description: The decision.
  type: dict
  contains:
    refused:
      description: Whether the role must stop.
      type: bool
    msg:
      description: The problem, then the fix; empty when not refused.
      type: str
    removal:
      description:
        - How to remove the share, on the node (C(Remove-SmbShare)) and from the controller
          (ad-hoc C(ansible.windows.win_share)), each quoted for its shell.
        - Only with O(share_name) and O(host).
      type: str
"""

import shlex
import typing as t

from ansible.module_utils.parsing.convert_bool import boolean

# plugin_utils is imported when the filter is called, not when this file is loaded: a
# lookup of any one filter of the collection loads every filter file, in every worker
# (docs/internals.md, "Filter files").


def temporary_share(
    enabled: object,
    route: str,
    loopback_target: object = False,
    share_name: str = "",
    host: str = "",
    inventory: str = "",
) -> dict[str, t.Any]:
    decision = _decision(enabled, route, loopback_target)
    if share_name and host:
        decision["removal"] = removal_commands(share_name, host, inventory)
    return decision


def _decision(enabled: object, route: str, loopback_target: object) -> dict[str, t.Any]:
    from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._refusal import PolicyRefusal
    from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._wbadmin_target import (
        check_temporary_share,
    )

    # Role variables arrive as YAML booleans or, from -e key=value, as strings.
    if not boolean(enabled, strict=False):
        return {"refused": False, "msg": ""}
    try:
        check_temporary_share(
            route=str(route), loopback_target=boolean(loopback_target, strict=False)
        )
    except PolicyRefusal as refusal:
        return {"refused": True, "msg": str(refusal)}
    return {"refused": False, "msg": ""}


def removal_commands(share_name: str, host: str, inventory: str = "") -> str:
    """The two ways to remove a share: in PowerShell on the node (a single-quoted string,
    quotes doubled) and as an ad-hoc command on the controller (POSIX shell quoting)."""
    powershell_name = "'" + share_name.replace("'", "''") + "'"
    adhoc = ["ansible", host]
    if inventory:
        adhoc += ["-i", inventory]
    adhoc += ["-m", "ansible.windows.win_share", "-a", f"name={share_name} state=absent"]
    return (
        f"on {host}: Remove-SmbShare -Name {powershell_name} -Force; from the controller: "
        + " ".join(shlex.quote(word) for word in adhoc)
    )


class FilterModule:
    def filters(self) -> dict[str, t.Callable[..., t.Any]]:
        return {"temporary_share": temporary_share}
