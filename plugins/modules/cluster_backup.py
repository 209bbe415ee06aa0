# Copyright: (c) 2026, wsfc.clusterdb contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: cluster_backup
short_description: Back up the configuration (cluster database) of a Windows Server failover cluster
version_added: 0.1.0
description:
  - Backs up the cluster database of the failover cluster this node belongs to into a new
    backup set, a directory under O(path) named after its UTC creation time and the
    configuration version it holds (for example C(20261122T020304Z_clusterdb_e2s41)).
  - Idempotent. When the newest set under O(path) is complete, verified (every file's size
    and SHA-256 match its manifest), of this cluster, and already holds the cluster's current
    configuration version (C(PaxosTag)), nothing is written and the task reports no change.
    That check costs one module run.
  - The configuration may change while the backup runs (its C(PaxosTag) sequence moves with
    every change, and a backup is not instantaneous). The set is then complete and its
    manifest records the tag read before the backup and the one read after it
    (C(configuration_version_after)); it holds one of the versions between the two, so it is
    never taken for the current version and the next run writes a new set.
  - Nothing is lost. The backup is written into a staging directory
    (C(unfinished_<set name>)); the manifest (cluster identity, source node, route,
    configuration version, quorum disk layout, the configuration objects, every file with
    size and SHA-256) and then the completion marker C(backup.complete) are written last,
    and only then is the directory renamed to the set name. A failed or interrupted backup
    leaves a staging directory, which is never taken for a set, and the earlier sets whole.
  - Backing up needs a running cluster with quorum, and this node Up in it.
  - The module runs in phases, each a separate run of the PowerShell module on the node
    (C(inspect), C(backup), C(finalize)); its action plugin decides between them. The
    options whose names start with an underscore (O(_phase) and the others) are the
    contract between the two; a task that sets one is refused before any module run. The
    result holds what the controller concluded; each phase's raw result is kept in
    RV(phase_results).
  - Every input is data. The path reaches the node as a module parameter, is used there
    through C(-LiteralPath) and .NET file methods, and is given to C(wbadmin.exe) as one
    element of an argument array; it is never pasted into a command line.
options:
  path:
    description:
      - The directory that holds the backup sets, on the node (V(D:\\Backups)) or a UNC path
        (V(\\\\fs01\\clusterbackups)). It is created when missing.
      - Checked on the controller before anything runs; refused when empty, relative, with
        a drive but no backslash after it, with a control character, with a character
        Windows does not allow in a name (C(<>:"|?*)), with a C(.) or C(..) component, or
        with a reserved device name. Quotes, C(;), C($), parentheses, C(&), C(%) and
        backticks are legal in Windows names and are kept as they are.
      - A path that names an existing file fails with C(ERROR_DIRECTORY) (267) before the
        backup starts.
      - For route V(vss), O(path) should be a share on another computer, such as a file
        server (V(\\\\fs01\\clusterbackups)), since Microsoft documents wbadmin's shared-folder
        target as C(\\\\servername\\sharedFolder\\), "a remote shared folder". A local path
        would be reached through the node's administrative share of the drive
        (V(D:\\Backups) as V(\\\\NODE1\\D$\\Backups)), since C(-backupTarget) takes a volume
        or a UNC path and a volume target would not write into this directory; whether
        wbadmin accepts such a share of the node it runs on is not documented. So a local
        path, or a UNC path whose server is this node or another node of the cluster (by
        name or FQDN, case ignored), is refused with route V(vss) unless
        O(loopback_target=true). A local path with O(route=vss) is refused before any module
        run; otherwise the refusal comes after the read-only inspect, before anything is
        written.
    type: str
    required: true
  route:
    description:
      - How the database is backed up.
      - V(vss) runs C(wbadmin start systemstatebackup) (Windows Server Backup and the Cluster
        Database VSS writer; Windows Server 2008 R2 and later, with the
        C(Windows-Server-Backup) feature installed).
      - V(clusapi) calls C(BackupClusterDatabase) of the legacy cluster API (Windows Server
        2003 only; every later version answers C(ERROR_CALL_NOT_IMPLEMENTED), 120, and the
        task refuses this route there, naming V(vss)).
      - V(auto) picks V(vss) where it is available, else V(clusapi).
    type: str
    choices: [auto, vss, clusapi]
    default: auto
  loopback_target:
    description:
      - Let route V(vss) write through a share on a node of this cluster - a local O(path)
        reached through the node's administrative share, or a UNC O(path) to a node - which
        wbadmin is not documented to accept as a system state backup target (nor whether
        the critical-volume block then applies).
      - Set it only once such a backup was taken and restored on your own cluster. Read on
        the controller only; the route V(clusapi) ignores it.
    type: bool
    default: false
  copies:
    description:
      - Other folders that keep copies of the sets (as the C(wsfc.clusterdb.backup) role
        keeps each set in several destinations), each given as O(path) is, local to the
        node or UNC.
      - The same inspect run that looks at O(path) names the sets directly under each of
        them (a directory that holds the completion marker C(backup.complete) and a
        C(manifest.json); nothing is hashed), and RV(copies) says for each whether it holds
        the set of the result. So a run with nothing to write still finds a copy that an
        earlier run failed to make. Nothing is written to these folders.
      - A folder that does not exist or cannot be read is reported in RV(copies) with its
        Windows error code; the task does not fail for it.
      - Each folder is checked on the controller before anything runs, as O(path) is; a
        folder named twice, or O(path) itself, is refused.
    type: list
    elements: str
    default: []
  node_account_domain:
    description:
      - The NetBIOS domain of the cluster's nodes' computer accounts (V(CORP) for
        C(CORP\\NODE1$)), which the ACL of a new O(path) names. Empty for the first label of
        the cluster's DNS domain, in upper case. Read on the controller only.
    type: str
    default: ""
  signing_key:
    description:
      - An Ed25519 private key in PEM (unencrypted; keep it in Ansible Vault) that signs
        every new set's manifest on the controller. The signature is written beside the
        manifest as C(manifest.sig) before the completion marker; the key never leaves the
        controller, and is never shown (RV(signed_by) names its fingerprint, the SHA-256 of
        the raw public key in hexadecimal). See C(docs/security.md).
      - A key that does not parse is refused before any module run, without quoting it.
      - With a key, the newest set counts as up to date only when it is signed by this key;
        an unsigned or forged newest set does not stop a new, signed one.
      - Read on the controller only.
    type: str
  _phase:
    description:
      - Internal; set by the action plugin, refused from a task.
      - The step this module run carries out. V(inspect) reads the facts and lists the sets
        under O(path) (read only). V(backup) creates O(path)\\O(_staging_name), runs the
        route into it and lists the files it wrote. V(finalize) writes O(_manifest) as
        C(manifest.json) into the staging directory, then O(_signature) as
        C(manifest.sig) when given, then the completion marker C(backup.complete), then
        renames the staging directory to O(_set_name).
    type: str
    choices: [inspect, backup, finalize]
    default: inspect
  _include_configuration:
    description:
      - Internal; set by the action plugin, refused from a task.
      - With O(_phase=inspect), whether to read the configuration objects (groups,
        resources, networks) that the manifest records.
    type: bool
    default: true
  _hash_sets:
    description:
      - Internal; set by the action plugin, refused from a task.
      - With O(_phase=inspect), which sets under O(path) are hashed (the SHA-256 of every
        file) - V(all), V(newest) (the directory with the greatest name, compared ordinally,
        among those that hold the completion marker), or V(none).
    type: str
    choices: [all, newest, none]
    default: newest
  _staging_name:
    description:
      - Internal; set by the action plugin, refused from a task.
      - The name of the staging directory under O(path) (C(unfinished_<set name>)).
        Required with O(_phase=backup) and O(_phase=finalize). O(_phase=backup) fails with
        error 183 when it exists already.
    type: str
  _wbadmin_target:
    description:
      - Internal; set by the action plugin, refused from a task.
      - With O(_phase=backup) and O(route=vss) (required then), the value passed as
        C(-backupTarget:) to wbadmin; a UNC path of the staging directory.
    type: str
  _set_name:
    description:
      - Internal; set by the action plugin, refused from a task.
      - With O(_phase=finalize) (required then), the name the staging directory is renamed
        to. The phase fails with error 183 when a directory of that name exists.
    type: str
  _manifest:
    description:
      - Internal; set by the action plugin, refused from a task.
      - With O(_phase=finalize) (required then), the manifest as JSON text, written
        unchanged as C(manifest.json) (UTF-8 without byte order mark).
    type: str
  _signature:
    description:
      - Internal; set by the action plugin, refused from a task.
      - With O(_phase=finalize), the manifest's signature (a JSON text the controller made
        with O(signing_key)), written unchanged as C(manifest.sig) after C(manifest.json)
        and before the completion marker. Absent, no signature is written.
    type: str
  _home_writers:
    description:
      - Internal; set by the action plugin, refused from a task.
      - With O(_phase=backup), the accounts that get Modify on O(path) when this run creates
        it (the cluster's nodes' computer accounts, as which wbadmin writes to a share).
        Empty, a new O(path) is created without an ACL of its own.
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - wsfc.clusterdb.key_value_escapes
attributes:
  check_mode:
    support: full
    details: Only the C(inspect) phase runs; the task reports the set it would write.
  diff_mode:
    support: none
  platform:
    support: full
    platforms: windows
notes:
  - The cluster cmdlets and wbadmin need a cluster administrator who is also an
    administrator of the node. Over WinRM with NTLM or Kerberos they meet the second-hop
    problem; use C(ansible_become=true) with C(become_method=runas), or CredSSP. For a UNC
    path, that account (and for wbadmin the node's computer account) needs write access to
    the share.
  - The backup holds sensitive data. On a domain cluster a O(path) that does not exist is
    created with an ACL of its own and nothing inherited from above - full control for
    Administrators and SYSTEM, Modify for the cluster's nodes' computer accounts
    (C(<domain>\\<node>$), which wbadmin writes to a share as) - so a folder the module
    makes, such as the restore role's safety backup folder, is as closed as the backup
    role's destinations. A O(path) that exists keeps the ACL it has; on a cluster without a
    domain the new folder inherits its parent's. Keep copies in more than one place (the
    C(wsfc.clusterdb.backup) role does).
  - A failed backup leaves its C(unfinished_*) staging directory for inspection;
    retention removes old ones.
  - Each phase's raw result, as the PowerShell module returned it, is in
    RV(phase_results) for troubleshooting; the other keys of the result are what the
    controller concluded from them.
seealso:
  - module: wsfc.clusterdb.backup_set_info
  - module: wsfc.clusterdb.cluster_restore
  - module: wsfc.clusterdb.cluster_info
author:
  - wsfc.clusterdb maintainers (@wsfc-clusterdb)
"""

EXAMPLES = r"""
- name: Back up the cluster database to a file share
  wsfc.clusterdb.cluster_backup:
    path: \\fs01\clusterbackups\CLU01
  register: backup

- name: Back up to a local directory with Windows Server Backup
  wsfc.clusterdb.cluster_backup:
    path: D:\Backups\cluster
    route: vss
  become: true
  become_method: ansible.builtin.runas
  become_user: CORP\clusteradmin

- name: Show where the set is
  ansible.builtin.debug:
    msg: >-
      {{ backup.set_path }} holds configuration version
      {{ backup.configuration_version.paxos_tag }}

- name: See what would be written
  wsfc.clusterdb.cluster_backup:
    path: \\fs01\clusterbackups\CLU01
  check_mode: true

- name: Check whether the newest set is also in the other folders, writing nothing
  wsfc.clusterdb.cluster_backup:
    path: \\fs01\clusterbackups\CLU01
    copies:
      - \\fs02\clusterbackups\CLU01
      - E:\ClusterBackups
  check_mode: true
  register: probe

- name: Name the folders that lack it
  ansible.builtin.debug:
    msg: >-
      {{ probe.copies | rejectattr('has_set') | map(attribute='path') | list }}
  when: probe is not changed
"""

RETURN = r"""
changed:
  description: Whether a set was written (in check mode, whether one would be).
  returned: always
  type: bool
  sample: true
msg:
  description: What was done, or why the task failed (the cause and the fix).
  returned: always
  type: str
  sample: >-
    Backed up configuration version 2:41 with route vss into
    D:\Backups\20261122T020304Z_clusterdb_e2s41.
backup_path:
  description: O(path) in its normalised form.
  returned: when O(path) was accepted
  type: str
  sample: D:\Backups
set_name:
  description:
    - The name (the identifier) of the set written, of the up-to-date set found, or in
      check mode of the set that would be written.
  returned: when the backup got past the checks
  type: str
  sample: 20261122T020304Z_clusterdb_e2s41
set_path:
  description: The full path of that set (for a set written, the path the staging directory
    was renamed to).
  returned: when RV(set_name) is
  type: str
  sample: D:\Backups\20261122T020304Z_clusterdb_e2s41
created:
  description: The set's creation time, UTC, as C(YYYY-MM-DDTHH:MM:SSZ).
  returned: when RV(set_name) is
  type: str
  sample: "2026-11-22T02:03:04Z"
wbadmin_version:
  description: The wbadmin version identifier of the backup (C(MM/DD/YYYY-HH:MM)), V(null)
    for route V(clusapi).
  returned: when a set was written or found up to date
  type: str
  sample: 11/22/2026-02:03
route:
  description: The route used or that would be used (V(vss) or V(clusapi)).
  returned: once the route is resolved
  type: str
  sample: vss
configuration_version:
  description:
    - The cluster's configuration version, the one the set holds - C(paxos_tag) and its
      parts C(next_epoch), C(epoch) (LastUpdateEpoch), C(sequence), and C(next_epoch_time)
      and C(epoch_time) (the time stamp Windows writes in an epoch after a ForceQuorum
      start or an authoritative restore, V(null) otherwise).
    - When the configuration changed during the backup, C(paxos_tag) is the tag read
      before it and C(paxos_tag_after) the one read after it.
    - The node's raw value is RV(phase_results.inspect.configuration_version).
  returned: once read
  type: dict
  sample: {"paxos_tag": "2:2:41", "next_epoch": 2, "next_epoch_time": null, "epoch": 2,
    "epoch_time": null, "sequence": 41}
files:
  description:
    - The files of the set as its manifest records them, each with C(path) (C(/)
      separators), C(size) (bytes) and C(sha256) (64 lower-case hexadecimal digits).
    - The node's raw listing is RV(phase_results.backup.files).
  returned: when a set was written or found up to date
  type: list
  elements: dict
  sample:
    - path: WindowsImageBackup/NODE1/Catalog/GlobalCatalog
      size: 3072
      sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
node_name:
  description: The node the module ran on (its computer name).
  returned: when a phase ran and named it
  type: str
  sample: NODE1
cluster:
  description: The cluster with C(name), C(id), C(domain); V(null) when the cluster could not
    be reached.
  returned: when the inspect phase succeeded
  type: dict
nodes:
  description: Every node with C(name), C(id) and C(state) (V(Up), V(Down), V(Paused),
    V(Joining)); empty when the cluster could not be reached.
  returned: when the inspect phase succeeded
  type: list
  elements: dict
cluster_service:
  description: The Cluster service on this node with C(installed), C(state) (lower case, as
    V(running) or V(stopped)) and C(start_mode).
  returned: when the inspect phase succeeded
  type: dict
home_created:
  description: Whether the backup created O(path), with the ACL the notes describe.
  returned: when the backup phase ran, not in check mode
  type: bool
  sample: false
staging_path:
  description: The staging directory (O(path)\\C(unfinished_<set name>)) - in check mode the
    one the backup would use, after a failed backup the unfinished set it left.
  returned: in check mode when a set would be written, and when the backup failed after
    the staging directory was named
  type: str
  sample: D:\Backups\unfinished_20261122T020304Z_clusterdb_e2s41
route_command:
  description: What ran, as a list (wbadmin's full path and its arguments, or
    C(ClusterDatabase.Backup) and its arguments).
  returned: when the route failed
  type: list
  elements: str
route_exit_code:
  description: wbadmin's exit code, or the Win32 code C(BackupClusterDatabase) returned.
  returned: when the route failed
  type: int
  sample: 1
route_output:
  description: wbadmin's standard output and error, lines joined with CR LF, unparsed; empty
    for route V(clusapi).
  returned: when the route failed
  type: str
error_code:
  description:
    - The Windows error code behind a failure, V(null) when there is none (a refused
      input, wbadmin text without a code).
    - The code a phase returned (RV(phase_results.backup.error_code) and the others), or
      one the controller found - 120, 267, 1060, 1062, 5042, 5050, 5083 (the C(PaxosTag)
      read after the backup is older than the one read before it), 5925, or the code read
      from wbadmin's output (such as 112 or 5949).
  returned: on failure
  type: int
  sample: 267
error:
  description: The explanation of RV(error_code) with C(code), C(name), C(cause), C(fix),
    C(options), C(retryable) and C(message).
  returned: on failure with an explained cause
  type: dict
copies:
  description:
    - For each folder of O(copies), in their order, C(path) (in its normalised form) and
      C(has_set) - whether it holds the set of the result (RV(set_name)) with its
      completion marker and manifest, by name (its files are not hashed;
      M(wsfc.clusterdb.backup_set_info) verifies them). A set this run writes, or in check
      mode would write, is in none of them yet, so C(has_set) is then V(false).
    - For a folder that could not be read, also C(error_code) (the Windows error code -
      3 when it does not exist or cannot be reached, 267 when it names a file, else the
      code of the failed listing such as 5, V(null) when Windows gave none) and
      C(message) (what it means and what to do); C(has_set) is then V(false).
    - The node's raw listing is RV(phase_results.inspect.copies).
  returned: when O(copies) is given and RV(set_name) is
  type: list
  elements: dict
  sample:
    - path: \\fs02\clusterbackups\CLU01
      has_set: true
    - path: E:\ClusterBackups
      has_set: false
      error_code: 3
      message: >-
        E:\ClusterBackups does not exist or cannot be reached from NODE1 (Windows error 3,
        ERROR_PATH_NOT_FOUND), so it holds no copy of the set. Create the folder (or make
        its share reachable) and copy the set there.
signed_by:
  description: The fingerprint (SHA-256 of the raw Ed25519 public key, hexadecimal) of
    O(signing_key), which signed the set of the result.
  returned: when O(signing_key) is given and RV(set_name) is
  type: str
  sample: 3b6a27bccebfb8a1b3fa6d2a3e9e23c9d9ae0fa1a8f1a5e8a1c4e7b2c3d4e5f6
module_runs:
  description: How many times the PowerShell module ran for this task (one per phase).
  returned: always
  type: int
  sample: 3
phases:
  description: The phases that ran, in order.
  returned: always
  type: list
  elements: str
  sample: [inspect, backup, finalize]
phase_results:
  description:
    - Each phase's raw result as the module returned it on the node, by phase name, for
      troubleshooting; the keys above are what the controller concluded from them.
    - Without the run's own C(changed), C(failed), C(msg), C(invocation) and warnings (the
      task carries its own). A phase that failed is here too, with what it returned before
      it failed; a phase cut by a node that stopped answering is an empty dict.
  returned: always
  type: dict
  contains:
    inspect:
      description: The V(inspect) phase's raw result.
      returned: when the inspect phase ran
      type: dict
      contains:
        phase:
          description: V(inspect).
          type: str
        node_name:
          description: The node's computer name.
          type: str
          sample: NODE1
        os:
          description: C(name) and C(version) of the operating system.
          type: dict
        backup_tools:
          description: C(windows_server_backup), C(wbadmin) and C(clusapi), each a bool.
          type: dict
        cluster_service:
          description: The Cluster service on this node, as RV(cluster_service).
          type: dict
        configuration_version:
          description: C(paxos_tag) (the C(HKLM\Cluster\PaxosTag) value as text, V(null)
            when the hive is not loaded) and C(source) (V(cluster) or V(none)).
          type: dict
          sample: {"paxos_tag": "2:2:41", "source": "cluster"}
        cluster:
          description: The cluster, as RV(cluster).
          type: dict
        nodes:
          description: Every node, as RV(nodes).
          type: list
          elements: dict
        core_group_owner:
          description: The node that owns the core cluster group; V(null) when the cluster
            could not be reached.
          type: str
        quorum:
          description: The quorum and witness, as M(wsfc.clusterdb.cluster_info) returns it
            (C(type), C(witness) with C(type), C(resource), C(owner_node), C(path), C(disk)
            with its identity and partition layout). Recorded in the manifest.
          type: dict
        configuration:
          description: The configuration objects (C(groups), C(resources), C(networks)) as
            M(wsfc.clusterdb.cluster_info) returns them; V(null) when
            O(_include_configuration=false) or the cluster could not be reached. Recorded
            in the manifest.
          type: dict
        cluster_error:
          description: Why the cluster could not be reached, with C(code) (the Win32 code,
            V(null) when none was found) and C(message); V(null) when it was reached. Its
            code and message are in RV(error_code) and RV(msg).
          type: dict
        path_info:
          description: C(exists) and C(is_directory) of O(path).
          type: dict
        sets:
          description: One entry per directory directly under O(path), sorted by name
            (ordinal), each with C(name), C(marker_present) (bool), C(manifest_text) (the
            text of C(manifest.json), V(null) when absent), C(signature_text) (the text of
            C(manifest.sig), V(null) when absent) and C(files) (as
            RV(phase_results.backup.files), for the sets O(_hash_sets) names; V(null) for
            the others). Empty when O(path) does not exist.
          type: list
          elements: dict
        copies:
          description: One entry per folder of O(copies), in their order, with C(path),
            C(exists) and C(is_directory) (as in RV(phase_results.inspect.path_info)),
            C(sets) (the names of the directories directly under it that hold the
            completion marker and a C(manifest.json), sorted by name; V(null) when it is not
            a directory or could not be listed), and C(error_code) (the Win32 code, V(null)
            when none was found) and C(message) of a failure to list it (V(null) when it
            was listed). Empty without O(copies).
          type: list
          elements: dict
        error_code:
          description: The Win32 code of a failure to list the sets (5 access denied, ...).
          returned: when listing the sets failed
          type: int
    backup:
      description: The V(backup) phase's raw result.
      returned: when the backup phase ran
      type: dict
      contains:
        phase:
          description: V(backup).
          type: str
        staging_path:
          description: O(path)\\O(_staging_name).
          type: str
          sample: D:\Backups\unfinished_20261122T020304Z_clusterdb_e2s41
        route:
          description: The route run, V(vss) or V(clusapi).
          type: str
          sample: vss
        home_created:
          description: Whether this run created O(path).
          returned: when not in check mode
          type: bool
        route_command:
          description: What ran, as RV(route_command).
          type: list
          elements: str
        route_exit_code:
          description: wbadmin's exit code, or the Win32 code C(BackupClusterDatabase)
            returned; V(null) in check mode.
          type: int
          sample: 0
        route_output:
          description: wbadmin's standard output and error, as RV(route_output).
          type: str
        route_started:
          description: The node's UTC time when the route started, C(YYYY-MM-DDTHH:MM:SSZ).
          type: str
          sample: "2026-11-22T02:03:05Z"
        versions_output:
          description: The output of C(wbadmin get versions -backupTarget:<_wbadmin_target>
            -machine:<this node>) run after the backup, unparsed; V(null) for route
            V(clusapi).
          type: str
        items_outputs:
          description: For each version identifier found in
            RV(phase_results.backup.versions_output), the output of C(wbadmin get items
            -version:<id> -backupTarget:<_wbadmin_target> -machine:<this node>), unparsed;
            the controller checks that the new version holds the C(Cluster) application.
            Empty for route V(clusapi).
          type: dict
        paxos_tag_before:
          description: C(PaxosTag) read just before the route ran.
          type: str
          sample: "2:2:41"
        paxos_tag:
          description: C(PaxosTag) read again after the route ran; when it is newer than
            RV(phase_results.backup.paxos_tag_before) the configuration changed during the
            backup and the set records both; when it is older the task fails with 5083.
          type: str
          sample: "2:2:43"
        files:
          description: Every file under the staging directory, hidden and system files
            included, each with C(path) (relative to it, with backslashes), C(size),
            C(last_write_utc) and C(sha256), sorted ordinally.
          type: list
          elements: dict
        condition:
          description: V(windows_server_backup_missing) when wbadmin.exe is not present (a
            failure without a code).
          returned: on that failure only
          type: str
          sample: windows_server_backup_missing
        error_code:
          description: The Win32 code of the failing file operation (5 access denied, 112
            disk full, 183 the staging directory exists, 267 the path is a file).
          returned: on failure
          type: int
    finalize:
      description: The V(finalize) phase's raw result.
      returned: when the finalize phase ran
      type: dict
      contains:
        phase:
          description: V(finalize).
          type: str
        staging_path:
          description: O(path)\\O(_staging_name).
          type: str
        set_path:
          description: The path the staging directory was renamed to,
            O(path)\\O(_set_name).
          type: str
          sample: D:\Backups\20261122T020304Z_clusterdb_e2s41
        error_code:
          description: The Win32 code of the failing step (3 the staging directory is
            missing, 183 the set directory exists, 112 disk full, ...).
          returned: on failure
          type: int
"""
