# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller_backup_sets lookup: backup_set_info for a folder on the controller."""

from __future__ import annotations

DOCUMENTATION = r"""
---
name: controller_backup_sets
short_description: List and verify the backup sets in a folder on the controller
version_added: 0.2.0
description:
  - What M(wsfc.clusterdb.backup_set_info) does on a node, for a folder on the Ansible
    controller (the copy the C(wsfc.clusterdb.backup) role keeps there). Reads every
    directory directly under each folder given, hashes every file (SHA-256), and verifies
    each set against its manifest with the same code and rules as
    M(wsfc.clusterdb.backup_set_info), so a set copied to the controller is judged exactly
    as the one on the node.
  - Read only. Lookups run on the controller; C(~) in a folder is expanded.
options:
  _terms:
    description: The folders on the controller that hold the sets, one report each.
    type: list
    elements: path
    required: true
  cluster_name:
    description: Report only the sets whose manifest names this cluster (ignoring case).
    type: str
  hash_files:
    description:
      - Hash every file and check it against the manifest. Without it only the marker, the
        manifest and the file sizes are checked, and every set is reported with
        C(verified) false - enough to know whether a set is there, without reading it all.
    type: bool
    default: true
author:
  - wsfc.clusterdb maintainers (@wsfc-clusterdb)
"""

EXAMPLES = r"""
- name: Verify the controller's copies of one cluster's sets
  ansible.builtin.set_fact:
    controller_sets: >-
      {{ lookup('wsfc.clusterdb.controller_backup_sets', '/srv/clusterbackups/CLU01') }}

- name: Fail unless the newest copy is complete
  ansible.builtin.assert:
    that: controller_sets.newest_complete is not none

- name: Only whether the sets are there, without hashing them
  ansible.builtin.debug:
    msg: >-
      {{ (query('wsfc.clusterdb.controller_backup_sets', '/srv/clusterbackups/CLU01',
                hash_files=false) | first).sets | map(attribute='name') | list }}
"""

RETURN = r"""
_raw:
  description:
    - One report per folder, as M(wsfc.clusterdb.backup_set_info) gives it - C(backup_path),
      C(exists), C(sets) (each with C(name), C(path) on the controller, C(kind),
      C(status), C(verified), C(problems), C(message), C(cluster), C(created) ...),
      C(newest_complete), C(other_directories) and C(rejected) (with O(cluster_name)).
  type: list
  elements: dict
"""

import typing as t

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._controller_sets import (
    ControllerFolderError,
    controller_backup_sets,
)


class LookupModule(LookupBase):
    def run(
        self, terms: list[t.Any], variables: dict[str, t.Any] | None = None, **kwargs: object
    ) -> list[dict[str, t.Any]]:
        self.set_options(var_options=variables, direct=kwargs)
        cluster_name = self.get_option("cluster_name")
        hash_files = bool(self.get_option("hash_files"))
        try:
            return [
                controller_backup_sets(str(folder), cluster_name, hash_files) for folder in terms
            ]
        except (ControllerFolderError, OSError) as error:
            raise AnsibleLookupError(str(error)) from error
