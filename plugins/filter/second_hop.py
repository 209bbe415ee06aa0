# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The second_hop filter: whether each host's modules can reach the UNC paths a role uses.

The decision is plugin_utils._second_hop's; this filter hands it the hosts' variables and
the controller's become default, and returns what the role needs to stop or go on.
"""

from __future__ import annotations

DOCUMENTATION = r"""
---
name: second_hop
short_description: Refuse UNC paths that the hosts' connections give no credentials for
version_added: 0.1.0
description:
  - A module reaches a UNC path (a file share, another node's C(C$)) from the remote
    session Ansible opened on the node, a second hop. Over NTLM, Kerberos without
    delegation or certificate authentication, and without become, that session has no
    credentials for another computer and the file server refuses it with access denied.
  - Takes each host's variables and the paths a role is about to use, and says, for every
    host that would be refused, what is wrong and how to fix it (runas become with a
    password, Kerberos delegation, or CredSSP), so that the role stops before it touches a
    node.
  - Reads C(ansible_connection), C(ansible_winrm_transport),
    C(ansible_winrm_kerberos_delegation), C(ansible_psrp_auth),
    C(ansible_psrp_negotiate_delegate), C(ansible_become), C(ansible_become_method),
    C(ansible_become_user), C(ansible_become_password) and C(ansible_become_flags). A
    host without C(ansible_become) follows the controller's default (C(-b),
    C(ANSIBLE_BECOME)); a play's C(become) keyword is not visible to a filter.
  - Basic authentication has no credential delegation and is refused like NTLM; SSH is not
      judged.
  - Never fails; an empty RV(_value.refusals) means every host may go on.
options:
  _input:
    description: Inventory host to its variables (C(hostvars) entries).
    type: dict
    required: true
  paths:
    description: The paths the role will use; only the UNC paths among them matter.
    type: list
    elements: str
    required: true
  what:
    description: What one of the paths is, for the message (an C(s) is added for several).
    type: str
    default: path
author:
  - wsfc.clusterdb maintainers (@wsfc-clusterdb)
"""

EXAMPLES = r"""
- name: Stop when a host cannot reach the backup share
  ansible.builtin.assert:
    that: second_hop.refusals | length == 0
    fail_msg: "{{ second_hop.msg }}"
  vars:
    second_hop: >-
      {{ {inventory_hostname: hostvars[inventory_hostname]}
         | wsfc.clusterdb.second_hop(paths=[backup_path], what='backup location') }}
"""

RETURN = r"""
_value:
  description: The hosts refused and why.
  type: dict
  contains:
    refusals:
      description: One text per refused host - the problem, then the fix.
      type: list
      elements: str
    hosts:
      description: The refused inventory hosts.
      type: list
      elements: str
    msg:
      description: One message for all refused hosts - each host's problem, then each
        different fix once; empty when no host is refused.
      type: str
"""

import typing as t
from collections.abc import Mapping

from ansible import constants as C
from ansible import context

if t.TYPE_CHECKING:
    from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._second_hop import (
        BecomeDefaults,
    )

# plugin_utils is imported when the filter is called, not when this file is loaded: a
# lookup of any one filter of the collection loads every filter file, in every worker
# (docs/internals.md, "Filter files").


def _become_defaults() -> BecomeDefaults:
    """-b / --become-method / -K as given to this run, else the configuration's default."""
    from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._second_hop import (
        BecomeDefaults,
    )

    arguments = context.CLIARGS
    return BecomeDefaults(
        become=bool(arguments.get("become") or C.DEFAULT_BECOME),
        method=str(arguments.get("become_method") or C.DEFAULT_BECOME_METHOD),
        ask_password=bool(arguments.get("become_ask_pass") or C.DEFAULT_BECOME_ASK_PASS),
    )


def second_hop(
    hosts: Mapping[str, Mapping[str, object]], paths: list[str], what: str = "path"
) -> dict[str, t.Any]:
    from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._second_hop import (
        second_hop_refusals,
    )

    refusals = second_hop_refusals(hosts, paths, what, _become_defaults())
    # One message for the run: every host's problem, then each different fix once (hosts
    # set up alike share one).
    problems = [refusal.problem for refusal in refusals.values()]
    fixes = list(dict.fromkeys(refusal.fix for refusal in refusals.values()))
    return {
        "refusals": [str(refusal) for refusal in refusals.values()],
        "hosts": list(refusals),
        "msg": " ".join(problems + fixes),
    }


class FilterModule:
    def filters(self) -> dict[str, t.Callable[..., t.Any]]:
        return {"second_hop": second_hop}
