# Copyright: (c) 2026, wsfc.clusterdb contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: controller_copy
short_description: Seal and open the controller copy of a backup set, on the controller
version_added: 0.2.0
description:
  - The controller copy the C(wsfc.clusterdb.backup) role keeps in
    C(<backup_controller_dir>/<cluster>/<set>), as the roles use it. Runs on the
    controller; no node is contacted and no key is sent to one.
  - V(seal) encrypts the set fetched into O(src) into O(cluster_folder) with AES-256-GCM
    (every file as C(<file>.aesgcm), a random nonce per file, the set's name and the
    file's path bound as associated data; the collection's C(docs/security.md)).
  - V(open) picks the set to restore from O(cluster_folder) - O(set_name), else the newest
    complete set of O(cluster_name) -, decrypts it (when it is encrypted) into a temporary
    folder of the controller readable by its owner only, and verifies what would be sent
    (hashes, and the signature against O(trusted_keys)). A copy that does not verify is
    refused, and the temporary folder removed. It also names this run's staging folder
    under O(staging_path).
options:
  operation:
    description: What to do.
    type: str
    required: true
    choices: [seal, open]
  cluster_folder:
    description: The cluster's folder of the controller copy, C(<backup_controller_dir>/<cluster>).
    type: path
    required: true
  set_name:
    description: V(seal) - the set's name; V(open) - the set to restore (empty - the newest
      complete set).
    type: str
    default: ""
  cluster_name:
    description: V(open) - only the sets whose manifest names this cluster.
    type: str
    default: ""
  src:
    description: V(seal) - the controller folder that holds the set's plain files.
    type: path
  encryption_key:
    description:
      - 32 random bytes, base64 (C(openssl rand -base64 32)); a secret, from Ansible Vault.
        Required for V(seal); for V(open), required when the copy is encrypted.
      - A key that does not parse is refused, naming the option, never the value.
    type: str
  trusted_keys:
    description: V(open) - Ed25519 public keys (PEM) whose signatures are trusted.
    type: list
    elements: str
    default: []
  require_signature:
    description: V(open) - refuse a set not signed by a trusted key.
    type: bool
    default: false
  staging_path:
    description: V(open) - the folder of the restoring node under which this run's
      staging folder is named.
    type: str
    default: ""
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: V(open) only reads the controller copy (its temporary folder is the
      controller's); V(seal) writes the controller copy in check mode too.
  diff_mode:
    support: none
  platform:
    platforms: all
    details: Runs on the controller.
notes:
  - The collection's C(docs/restore.md), Restoring from the controller copy.
seealso:
  - module: wsfc.clusterdb.restore_procedure
author:
  - wsfc.clusterdb maintainers (@wsfc-clusterdb)
"""

EXAMPLES = r"""
- name: Pick and verify the controller copy to restore
  wsfc.clusterdb.controller_copy:
    operation: open
    cluster_folder: /srv/clusterbackups/CLU01
    cluster_name: CLU01
    encryption_key: "{{ vaulted_controller_key }}"
    staging_path: C:\ClusterDbStaging
  register: opened
"""

RETURN = r"""
set_path:
  description: V(seal) - the sealed set on the controller.
  returned: operation is seal
  type: str
files:
  description: V(seal) - how many files were sealed.
  returned: operation is seal
  type: int
set:
  description: V(open) - the set picked (C(name), C(status), C(verified), C(cluster),
    C(created), C(signature), C(encrypted)).
  returned: operation is open
  type: dict
source:
  description: V(open) - the controller folder to upload (the copy, or its decrypted form).
  returned: operation is open
  type: str
plain_copy:
  description: V(open) - the temporary folder that holds the decrypted set, to remove once
    uploaded; null for a copy that is not encrypted.
  returned: operation is open
  type: str
staging_folder:
  description: V(open) - this run's staging folder on the restoring node.
  returned: operation is open
  type: str
backup_path:
  description: V(open) - the location the restore reads the set from (the staging folder).
  returned: operation is open
  type: str
staging_set_path:
  description: V(open) - where the set goes, C(<staging_folder>\<cluster>\<set>).
  returned: operation is open
  type: str
"""
