# Copyright: (c) 2026, wsfc.clusterdb contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: backup_set_info
short_description: List and verify the cluster database backup sets at a location
version_added: 0.1.0
description:
  - Lists the backup sets that M(wsfc.clusterdb.cluster_backup) wrote under O(path), reads
    each set's manifest, and verifies each set against it.
  - A set is V(complete) when its completion marker (C(backup.complete)) and a readable
    manifest (C(manifest.json)) are present and, with O(verify=true), every file the
    manifest lists is there with the recorded size and SHA-256. It is V(incomplete) when the
    marker, the manifest or a listed file is missing (a backup that did not finish, such as
    a C(unfinished_*) staging directory), and V(corrupt) when the manifest cannot be read,
    a file's size or SHA-256 differs, or the set's name and its manifest disagree on the
    configuration version. Each problem names the failing file.
  - Reports the newest complete set, the one a restore would normally use.
  - Read only. It changes nothing on the node or at O(path).
  - The PowerShell module lists the directories and hashes the files (raw facts); the
    verification, the O(cluster_name) filter and the choice of the newest set are made on
    the controller by the action plugin.
options:
  path:
    description:
      - The directory that holds the backup sets, on the node (V(D:\\Backups)) or a UNC path
        (V(\\\\fs01\\clusterbackups)).
      - Checked on the controller before the module runs, with the same rules as the
        O(wsfc.clusterdb.cluster_backup#module:path) option of M(wsfc.clusterdb.cluster_backup).
      - A path that does not exist is not an error (RV(exists) is V(false), no sets); a path
        that names a file fails with C(ERROR_DIRECTORY) (267).
    type: str
    required: true
  verify:
    description:
      - Whether to hash every file of every set (SHA-256) and compare it with the manifest.
      - With V(false) only the marker and the manifest are checked, which is fast on large
        sets; RV(sets[].verified) is then V(false).
      - The module hashes every directory under O(path) when V(true), none when V(false).
    type: bool
    default: true
  cluster_name:
    description:
      - Report only the sets whose manifest names this cluster (compared ignoring case).
      - Sets whose manifest cannot be read cannot be attributed to a cluster and are left
        out when this is set.
      - Applied on the controller; the module accepts it and does not use it.
    type: str
  trusted_keys:
    description:
      - The Ed25519 public keys (PEM, C(-----BEGIN PUBLIC KEY-----)) whose signatures are
        trusted; several at once, so that sets signed with the previous key still verify
        after a rotation. See C(docs/security.md).
      - With keys, every set's C(manifest.sig) is checked against its manifest; a set
        whose signature does not verify, or is made by a key not listed, is forged and
        left out into RV(rejected) with reason V(forged).
      - A key that does not parse, or a private key, is refused before the module runs.
      - Read on the controller only.
    type: list
    elements: str
    default: []
  require_signature:
    description:
      - Whether a set must be signed by one of O(trusted_keys); an unsigned set is then
        left out into RV(rejected) with reason V(unsigned). Needs O(trusted_keys).
      - Read on the controller only.
    type: bool
    default: false
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - wsfc.clusterdb.key_value_escapes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    support: full
    platforms: windows
notes:
  - The account needs read access to O(path); for a UNC path over WinRM use
    C(ansible_become=true) with C(become_method=runas), or CredSSP (the second-hop problem).
seealso:
  - module: wsfc.clusterdb.cluster_backup
  - module: wsfc.clusterdb.cluster_restore
author:
  - wsfc.clusterdb maintainers (@wsfc-clusterdb)
"""

EXAMPLES = r"""
- name: List and verify the sets on the file share
  wsfc.clusterdb.backup_set_info:
    path: \\fs01\clusterbackups\CLU01
  register: backups

- name: Fail unless a complete set exists
  ansible.builtin.assert:
    that: backups.newest_complete is not none
    fail_msg: No complete backup set under {{ backups.backup_path }}

- name: Show the sets that are not complete, with the files at fault
  ansible.builtin.debug:
    msg: "{{ item.name }}: {{ item.message }}"
  loop: "{{ backups.sets | rejectattr('status', 'equalto', 'complete') | list }}"

- name: Quick listing of one cluster's sets, without hashing
  wsfc.clusterdb.backup_set_info:
    path: D:\Backups
    cluster_name: CLU01
    verify: false
"""

RETURN = r"""
changed:
  description: Always V(false).
  returned: always
  type: bool
  sample: false
msg:
  description: Why the task failed (the cause and the fix).
  returned: on failure
  type: str
backup_path:
  description: O(path) in its normalised form (added by the action plugin).
  returned: when O(path) was accepted
  type: str
  sample: \\fs01\clusterbackups\CLU01
exists:
  description: Whether O(path) exists as a directory (added by the action plugin, from
    RV(path_info)).
  returned: success
  type: bool
  sample: true
sets:
  description:
    - Raw result of the module - one entry per directory directly under O(path), sorted by
      name (ordinal), each with C(name), C(marker_present) (bool), C(manifest_text) (the text
      of C(manifest.json), V(null) when absent), C(signature_text) (the text of
      C(manifest.sig), V(null) when absent) and C(files) (every file under the
      directory with C(path) relative to it with backslashes, C(size) in bytes,
      C(last_write_utc) (round-trip format) and C(sha256) in lower-case hexadecimal,
      hidden and system files included, sorted
      ordinally; V(null) when O(verify=false)). Empty when O(path) does not exist.
    - In the task result the action plugin replaces it with the report below - the set and
      staging directories, and any other directory holding a manifest or a marker, in name
      order, filtered by O(cluster_name).
  returned: success
  type: list
  elements: dict
  contains:
    name:
      description: The directory name, the set's identifier.
      type: str
      sample: 20261122T020304Z_clusterdb_e2s41
    path:
      description: The full path of the set.
      type: str
      sample: \\fs01\clusterbackups\CLU01\20261122T020304Z_clusterdb_e2s41
    kind:
      description: V(set) (a set's name), V(staging) (an unfinished backup,
        C(unfinished_<set name>)) or V(other) (another name, holding a manifest or marker).
      type: str
      sample: set
    status:
      description: V(complete), V(incomplete) or V(corrupt).
      type: str
      sample: complete
    verified:
      description: Whether every file's SHA-256 was compared with the manifest.
      type: bool
      sample: true
    problems:
      description: What makes the set incomplete or corrupt; empty for a complete set.
        Each with C(status) (V(incomplete) or V(corrupt)), C(text), and C(file) (the
        failing file's path relative to the set, with C(/), or V(null) when the problem is
        not one file's).
      type: list
      elements: dict
      sample:
        - status: corrupt
          text: quolog.log does not have the SHA-256 the manifest records
          file: quolog.log
    message:
      description: One sentence with the status and the problems.
      type: str
      sample: The set is complete (sizes and SHA-256 checked).
    unexpected_files:
      description: Files in the set that the manifest does not list (reported, not held
        against the set).
      type: list
      elements: str
    cluster:
      description: The cluster the manifest names, with C(name) and C(id); V(null) without a
        readable manifest.
      type: dict
      sample: {"name": "CLU01", "id": "6f1c3c9b-4d6e-4f5a-8f0e-2f7f9a3b1c11"}
    source_node:
      description: The node the backup ran on, from the manifest.
      type: str
      sample: NODE1
    route:
      description: The route the backup used (V(vss) or V(clusapi)), from the manifest.
      type: str
      sample: vss
    configuration_version:
      description: The configuration version the set holds, from the manifest, with
        C(paxos_tag) and its parts (C(next_epoch), C(next_epoch_time), C(epoch),
        C(epoch_time), C(sequence)); with C(paxos_tag_after) when the configuration changed
        during the backup (the set then holds one of the versions between the two).
      type: dict
      sample: {"paxos_tag": "2:2:41", "next_epoch": 2, "next_epoch_time": null, "epoch": 2,
        "epoch_time": null, "sequence": 41}
    created:
      description: When the set was created, UTC, C(YYYY-MM-DDTHH:MM:SSZ), from the manifest.
      type: str
      sample: "2026-11-22T02:03:04Z"
    wbadmin_version:
      description: wbadmin's version identifier of the backup (route V(vss)), from the manifest.
      type: str
      sample: 11/22/2026-02:03
    file_count:
      description: The number of files the manifest lists (without a readable manifest, the
        number of files found when O(verify=true); else V(null)).
      type: int
      sample: 4
    size:
      description: The total size in bytes of those files.
      type: int
      sample: 73400320
    signature:
      description:
        - The verdict on the set's C(manifest.sig), with C(status), C(key_fingerprint) (the
          fingerprint the signature names, SHA-256 of the raw public key in hexadecimal, or
          V(null)), C(reason) (of a forged one), C(checked) (whether O(trusted_keys) were
          given to check it with) and C(message).
        - C(status) is V(verified) (signed by one of O(trusted_keys), matching the
          manifest), V(unsigned) (no C(manifest.sig)), V(forged) (C(reason) V(bad_signature),
          V(untrusted_key) or V(unreadable)) or V(not_checked) (signed, but no
          O(trusted_keys) given).
      type: dict
      sample: {"status": "verified", "key_fingerprint":
        "3b6a27bccebfb8a1b3fa6d2a3e9e23c9d9ae0fa1a8f1a5e8a1c4e7b2c3d4e5f6", "reason": null,
        "checked": true, "message": "signed by trusted key 3b6a27bc..."}
newest_complete:
  description: The complete set with the latest creation time (ties broken by name), in
    the form of an RV(sets) entry; V(null) when there is none (added by the action plugin).
  returned: success
  type: dict
other_directories:
  description: Names of the directories under O(path) that are neither sets nor staging
    directories and hold no manifest or marker; never touched (added by the action plugin).
  returned: success
  type: list
  elements: str
rejected:
  description:
    - With O(cluster_name), the sets left out of RV(sets) because they cannot be that
      cluster's, each an RV(sets) entry with C(reason) and a C(message) that says why -
      V(foreign) (the manifest names another cluster, in C(cluster)) or the set's status,
      V(corrupt) or V(incomplete), when its manifest cannot be read (C(problems) names
      the check that failed, such as a file path that leaves the set). So a set asked for
      by name is reported as what it is, not as absent.
    - With O(trusted_keys), also the forged sets (reason V(forged)) and, with
      O(require_signature), the sets not signed by a trusted key (reason V(unsigned)); the
      message names the set, the key's fingerprint and what to do.
    - Empty without O(cluster_name) and O(trusted_keys) (added by the action plugin).
  returned: success
  type: list
  elements: dict
  sample: [{"name": "20261122T020304Z_clusterdb_e2s41", "reason": "foreign",
    "message": "Set 20261122T020304Z_clusterdb_e2s41 belongs to cluster CLU02 (id
    6f1c3c9b-4d6e-4f5a-8f0e-2f7f9a3b1c11), not to CLU01."}]
node_name:
  description: Raw result of the module - the computer name of the node that listed the
    sets; kept in the task result.
  returned: success
  type: str
  sample: NODE1
path_info:
  description: Raw result of the module - C(exists) and C(is_directory) of O(path). Not in
    the task result (see RV(exists)).
  returned: raw module result
  type: dict
error_code:
  description:
    - The Windows error code behind a failure, V(null) when there is none.
    - Raw result of the module when the listing failed - the Win32 code of the failing file
      operation (such as 5, access denied).
    - The action plugin sets 267 when O(path) names a file.
  returned: on failure
  type: int
  sample: 5
error:
  description: The explanation of RV(error_code) (added by the action plugin) with C(code),
    C(name), C(cause), C(fix), C(options), C(retryable) and C(message).
  returned: on failure with an explained cause
  type: dict
module_runs:
  description: How many times the PowerShell module ran (0 when the input was refused, else
    1) (added by the action plugin).
  returned: always
  type: int
  sample: 1
"""
