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
  encryption_key:
    description:
      - The key the copy was encrypted with (32 random bytes, base64, as the
        C(wsfc.clusterdb.backup) role's C(backup_controller_encryption_key); a secret,
        keep it in Ansible Vault). Every file of an encrypted set is decrypted on the
        controller, in memory, to be hashed; a file that was changed, cut short, swapped
        or sealed with another key makes the set C(corrupt).
      - Without it an encrypted set is reported with status C(encrypted), C(verified)
        false, and named in C(encrypted_without_key).
      - A key that does not parse fails the lookup, naming the option, never the value.
    type: str
  trusted_keys:
    description:
      - Ed25519 public keys (PEM) whose signatures are trusted, as
        M(wsfc.clusterdb.backup_set_info)'s O(wsfc.clusterdb.backup_set_info#module:trusted_keys).
    type: list
    elements: str
    default: []
  require_signature:
    description: Leave out into C(rejected) a set not signed by a trusted key.
    type: bool
    default: false
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
    - Each set says whether it is C(encrypted); C(encrypted_without_key) names the
      encrypted sets that could not be judged without O(encryption_key).
  type: list
  elements: dict
"""

import typing as t

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._controller_crypto import (
    load_encryption_key,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._controller_sets import (
    ControllerFolderError,
    controller_backup_sets,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._refusal import PolicyRefusal
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._signing import load_trusted_keys


class LookupModule(LookupBase):
    def run(
        self, terms: list[t.Any], variables: dict[str, t.Any] | None = None, **kwargs: object
    ) -> list[dict[str, t.Any]]:
        self.set_options(var_options=variables, direct=kwargs)
        cluster_name = self.get_option("cluster_name")
        hash_files = bool(self.get_option("hash_files"))
        try:
            given = self.get_option("encryption_key")
            key = load_encryption_key(given, "encryption_key") if given else None
            trusted = load_trusted_keys(self.get_option("trusted_keys") or [], "trusted_keys")
        except PolicyRefusal as refusal:
            raise AnsibleLookupError(str(refusal)) from None
        try:
            return [
                controller_backup_sets(
                    str(folder),
                    cluster_name,
                    hash_files,
                    encryption_key=key,
                    trusted_keys=trusted,
                    require_signature=bool(self.get_option("require_signature")),
                )
                for folder in terms
            ]
        except (ControllerFolderError, OSError) as error:
            raise AnsibleLookupError(str(error)) from error
