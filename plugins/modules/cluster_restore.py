# Copyright: (c) 2026, wsfc.clusterdb contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: cluster_restore
short_description: Restore a failover cluster's configuration database from a backup set
version_added: 0.1.0
description:
  - Restores the cluster database (the cluster's configuration) on the node it runs on, from
    one backup set written by M(wsfc.clusterdb.cluster_backup). The node then forms the
    cluster from the restored copy and the other nodes take it as they join.
  - Runs in two phases (the action plugin runs the module once per phase). V(inspect) reads
    the cluster, the Cluster service on every node, the quorum disk layout and the set with
    the SHA-256 of its files. The controller then decides; only if the restore goes ahead
    does V(restore) run the route. The result holds what the controller concluded; each
    phase's raw result is kept in RV(phase_results).
  - Refused before anything changes, with the problem and the operator's options in the
    message, when the set is incomplete or corrupt (ERROR_DATABASE_BACKUP_CORRUPT, 5087),
    when it belongs to another cluster, and, without O(force), while the Cluster service
    runs on another node (ERROR_CLUSTER_NODE_UP, 5056) or while the quorum disk's partition
    layout differs from the one the set records (ERROR_QUORUM_DISK_NOT_FOUND, 5086).
  - Idempotent. When the cluster already runs the set's configuration (the same
    configuration version and the same configuration objects), nothing is done and no node
    is stopped.
  - With O(force=true) the restore goes ahead while other nodes run; the route stops their
    Cluster service (C(wbadmin start recovery) stops it on the other nodes of the cluster,
    C(RestoreClusterDatabase) with bForce does too) and the quorum disk's signature and
    drive letter are set back to the backed-up values.
  - Cluster disks other than the quorum disk that were added or changed since the backup
    stay offline after the restore; they are listed in RV(offline_disks).
  - After a successful restore start the Cluster service on this node first
    (M(wsfc.clusterdb.cluster_node) with O(wsfc.clusterdb.cluster_node#module:state=started)),
    then on the other nodes. The C(wsfc.clusterdb.restore) role runs the whole procedure.
options:
  path:
    description:
      - The backup set to restore, the directory of one set, local to the node
        (V(D:\\Backups\\20261122T020304Z_clusterdb_e2s41)) or UNC
        (V(\\\\fs01\\clusterbackups\\20261122T020304Z_clusterdb_e2s41)).
      - One set, not the location that holds several. A restore replaces the running
        configuration, so the set restored must be the set the operator chose and agreed
        to, not whichever set is the newest when the task runs (a backup that finishes in
        between would change it). M(wsfc.clusterdb.backup_set_info) lists and verifies the
        sets at a location; the C(wsfc.clusterdb.restore) role picks the newest complete one
        before it asks for consent.
      - When O(path) names a location that holds sets, the task fails and its message names
        the newest set found there.
    type: str
    required: true
  force:
    description:
      - Restore even while the Cluster service runs on other nodes (the route stops it) and
        while the quorum disk's partition layout differs from the backup's (the quorum
        disk's signature and drive letter are set back to the backed-up values).
      - Without it those conditions refuse the restore; try without force first, and use it
        only with the consent of the cluster's owner.
      - Never overrides a set that is incomplete, corrupt or of another cluster.
    type: bool
    default: false
  quorum_drive:
    description:
      - The drive letter of a replacement quorum disk, as V(Q:) (a letter and a colon, no
        backslash), when the quorum disk was replaced since the backup.
      - With it the quorum disk layout is not compared with the backup's (the disk is a
        new one). It is handed to the V(clusapi) route; the V(vss) route has no such
        parameter and ignores it.
    type: str
  route:
    description:
      - How to restore. V(vss) runs Windows Server Backup's authoritative restore of the
        cluster (C(wbadmin start recovery -itemtype:app -items:cluster)), Windows Server
        2008 and later. V(clusapi) calls C(RestoreClusterDatabase), Windows Server 2003 only.
      - V(auto) takes the route that wrote the set. A set can only be restored by the route
        that wrote it; asking for the other one is refused.
    type: str
    default: auto
    choices: [auto, vss, clusapi]
  loopback_target:
    description:
      - With route V(vss), the set's location is wbadmin's C(-backupTarget); a local O(path)
        is reached through the node's administrative share. Whether wbadmin accepts a share
        of the node it runs on, or of another node of this cluster, is not documented
        (Microsoft documents a shared folder on another computer,
        C(\\\\servername\\sharedFolder\\)), so such a set is refused unless this is V(true) -
        a local O(path) with O(route=vss) before any module run, a set on a cluster node's
        share (by name or FQDN, case ignored) after the read-only inspect, before any node
        is stopped.
      - Set it only once such a restore was validated on your own cluster. Read on the
        controller only; the route V(clusapi) ignores it.
    type: bool
    default: false
  verified_files:
    description:
      - The set's files as an earlier run of this restore verified them moments before,
        the C(files) of that run's RV(set). The restore role passes its check-mode run's
        list to the run that restores, so that the set is hashed once per restore.
      - When given, the set's files are listed again with their sizes and last-write times
        but not hashed; a file added, removed, or of another size or last-write time
        refuses the restore as a corrupt set (Windows error 5087) before any node is
        stopped, and the hashes of the list are then checked against the manifest as usual.
      - A last-write time can be set by anyone who may write the file's attributes
        (docs/windows-behaviour.md#file-last-write-time), so this guards against a set
        rewritten between the two runs, not against a writer who hides it. Omit it to hash
        the set in this run. Read on the controller only.
      - Mutually exclusive with O(checked), which carries the same listing.
    type: list
    elements: dict
  checked:
    description:
      - The registered result of this restore's check-mode run on the same host, moments
        before, whole. The restore role passes its preflight check to the run that
        restores, so that the restore step is one module run.
      - When given, the node is not inspected again; the decisions (the set whole and of
        this cluster, the route, the refusals without O(force), what changes) are made
        again on the facts that check read, and RV(configuration_changes), RV(diff),
        RV(offline_disks) and the C(before) of RV(configuration_version) are those of the
        cluster as it ran at the check. RV(phase_results) holds this run's V(restore) phase
        only; the check's raw inspect is in the check's own result.
      - What a step between the two runs may change is read again by the node immediately
        before the route, and the route does not run, with nothing stopped, when it differs
        - another node than the check's (C(CHECKED_ON_ANOTHER_NODE)); a file of the set
        added, removed, or of another size or last-write time (Windows error 5087, as with
        O(verified_files)); another node that answered at the check and cannot be reached
        now, whose Cluster service may still run (C(NODE_UNREACHABLE)); and, without
        O(force), a Cluster service on another node that now answers in a state other than
        stopped (5056). RV(stopped_nodes) names the
        nodes whose service ran immediately before the route and is stopped after it.
      - Refused before any module run when it is not a check-mode run of this module that
        succeeded and inspected the node, when that check was given other values of
        O(path), O(force), O(quorum_drive), O(route), O(loopback_target),
        O(trusted_keys) or O(require_signature) (its RV(decided_with)), or when its listing
        has no hashes. Read on the controller only.
    type: dict
  trusted_keys:
    description:
      - The Ed25519 public keys (PEM) whose signatures are trusted; several at once, so that
        sets signed with the previous key stay restorable after a rotation.
      - With keys, the set's C(manifest.sig) is checked after the read-only inspect, before
        any node is stopped; a forged set (a signature that does not match its manifest, or
        by a key not listed) is refused (C(FORGED_SET)), naming the set and the key's
        fingerprint. An unsigned set is restored with a warning, unless
        O(require_signature). See C(docs/security.md).
      - A key that does not parse, or a private key, is refused before any module run.
        Read on the controller only.
    type: list
    elements: str
    default: []
  require_signature:
    description:
      - Refuse (C(UNSIGNED_SET)) a set that is not signed by one of O(trusted_keys).
        Needs O(trusted_keys). Read on the controller only.
    type: bool
    default: false
  _phase:
    description:
      - Internal; set by the action plugin, refused from a task.
      - V(inspect) reads the facts and the set (read only); V(restore) runs the route.
    type: str
    default: inspect
    choices: [inspect, restore]
  _wbadmin_version:
    description:
      - Internal; set by the action plugin, refused from a task.
      - With O(_phase=restore) and the V(vss) route, the wbadmin version identifier to restore
        (C(MM/DD/YYYY-HH:MM)), from the set's manifest.
    type: str
  _wbadmin_target:
    description:
      - Internal; set by the action plugin, refused from a task.
      - With O(_phase=restore) and the V(vss) route, the C(-backupTarget) given to wbadmin,
        the set's directory as a UNC path (a local set through the node's administrative
        share, as the backup wrote it).
    type: str
  _wbadmin_machine:
    description:
      - Internal; set by the action plugin, refused from a task.
      - With O(_phase=restore) and the V(vss) route, the C(-machine) given to wbadmin, the
        node that made the backup (this node too); the C(wbadmin start recovery) reference
        requires it whenever C(-backupTarget) is given.
    type: str
  _other_nodes:
    description:
      - Internal; set by the action plugin, refused from a task.
      - With O(_phase=restore), the other nodes whose Cluster service is read before and
        again after the route ran, to report which ones it stopped.
    type: list
    elements: str
    default: []
  _checked_node:
    description:
      - Internal; set by the action plugin, refused from a task.
      - With O(_phase=restore), the node whose facts the restore was decided on; the route
        does not run on another (C(condition=other_node)).
    type: str
  _checked_files:
    description:
      - Internal; set by the action plugin, refused from a task.
      - With O(_phase=restore), the set's files the restore was decided on (C(path),
        C(size), C(last_write_utc)); the files are listed again before the route, which
        does not run when the listing differs (C(condition=set_changed)).
    type: list
    elements: dict
  _must_be_stopped:
    description:
      - Internal; set by the action plugin, refused from a task.
      - With O(_phase=restore), nodes of O(_other_nodes) whose Cluster service must not
        run; the route does not run when one answers in a state other than stopped
        (C(condition=node_running)).
    type: list
    elements: str
    default: []
  _must_answer:
    description:
      - Internal; set by the action plugin, refused from a task.
      - With O(_phase=restore), nodes of O(_other_nodes) whose Cluster service must answer;
        the route does not run when one cannot be read (C(condition=node_unreachable)).
    type: list
    elements: str
    default: []
  _hash_set:
    description:
      - Internal; set by the action plugin, refused from a task.
      - With O(_phase=inspect), whether the set's files are hashed; V(false) when
        O(verified_files) is given.
    type: bool
    default: true
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - wsfc.clusterdb.key_value_escapes
attributes:
  check_mode:
    support: full
    details: Runs the V(inspect) phase only and reports what the restore would do; no node
      is touched.
  diff_mode:
    support: full
    details: Shows the configuration objects (groups, resources, networks) the restore
      would change, the running cluster's against the set's.
  platform:
    support: full
    platforms: windows
notes:
  - The FailoverClusters cmdlets and the restore need a cluster and local administrator.
    Over WinRM use C(ansible_become=true) with C(become_method=runas), or CredSSP.
  - The V(vss) route needs the Windows Server Backup feature (C(Windows-Server-Backup)).
  - The V(clusapi) route answers ERROR_CALL_NOT_IMPLEMENTED (120) on every Windows version
    that Ansible can manage; it stays for sets written by Windows Server 2003.
seealso:
  - module: wsfc.clusterdb.cluster_backup
  - module: wsfc.clusterdb.backup_set_info
  - module: wsfc.clusterdb.cluster_node
author:
  - wsfc.clusterdb maintainers (@wsfc-clusterdb)
"""

EXAMPLES = r"""
- name: Show what a restore would change, touching nothing
  wsfc.clusterdb.cluster_restore:
    path: \\fs01\clusterbackups\20261122T020304Z_clusterdb_e2s41
  check_mode: true
  diff: true
  register: preview

- name: Restore, refusing while other nodes run
  wsfc.clusterdb.cluster_restore:
    path: \\fs01\clusterbackups\20261122T020304Z_clusterdb_e2s41

- name: Restore with force; the route stops the other nodes
  wsfc.clusterdb.cluster_restore:
    path: D:\ClusterBackups\20261122T020304Z_clusterdb_e2s41
    force: true
  register: restored

- name: Start this node first; it forms the cluster from the restored copy
  wsfc.clusterdb.cluster_node:
    state: started
    force_quorum: true
  when: restored is changed

# As the restore role does: the check, then steps of your own (here the other nodes are
# stopped), then the restore decided on the check's facts in one module run.
- name: Check the restore
  wsfc.clusterdb.cluster_restore:
    path: \\fs01\clusterbackups\20261122T020304Z_clusterdb_e2s41
    force: true
  check_mode: true
  register: restore_check
  when: inventory_hostname == 'NODE1'

- name: Stop the Cluster service on the other nodes
  ansible.windows.win_service:
    name: ClusSvc
    state: stopped
  when: inventory_hostname != 'NODE1'

- name: Restore on the facts the check read
  wsfc.clusterdb.cluster_restore:
    path: \\fs01\clusterbackups\20261122T020304Z_clusterdb_e2s41
    force: true
    checked: "{{ restore_check }}"
  when: inventory_hostname == 'NODE1'
"""

RETURN = r"""
changed:
  description: Whether the restore ran (in check mode, whether it would run).
  returned: always
  type: bool
  sample: true
msg:
  description: The explanation of a refusal or failure (as RV(error.message)).
  returned: when the task failed
  type: str
node_name:
  description: The node the restore runs on.
  returned: when the module ran
  type: str
  sample: NODE1
set:
  description:
    - The set, as the controller verified it. The module's raw listing of it is
      RV(phase_results.inspect.set).
    - C(path), C(name), C(status) (V(complete), V(incomplete), V(corrupt), V(missing)),
      C(problems) (texts), C(hashes_checked), C(unexpected_files), C(files) (each file's
      C(path), C(size), C(last_write_utc) and C(sha256) once the set is verified, else
      empty; a later run of the same restore takes it as O(verified_files)), and from the
      manifest when readable C(cluster), C(source_node), C(route), C(created),
      C(configuration_version) and C(wbadmin_version).
    - C(signature), once the set verified against its manifest - the verdict on its
      signature, as
      RV(wsfc.clusterdb.backup_set_info#module:sets[].signature)
      gives it (C(status) V(verified), V(unsigned), V(forged) or V(not_checked)).
  returned: always
  type: dict
route:
  description: The route used (or that would be used), V(vss) or V(clusapi); V(null) when the
    task stopped before it was chosen.
  returned: always
  type: str
  sample: vss
configuration_version:
  description:
    - The configuration version (C(PaxosTag)) C(before) the task, C(after) it, and the
      set's (C(backup)). C(after) equals C(before) when no restore ran.
    - The module's raw values are RV(phase_results.inspect.configuration_version) and
      RV(phase_results.restore.paxos_tag).
  returned: always
  type: dict
  sample: {"before": "2:2:57", "after": "2026/11/22-02`10`41.518_3:2026/11/22-02`10`41.518_3:42",
    "backup": "2:2:41"}
configuration_fingerprint:
  description: The SHA-256 fingerprints of the configuration objects, C(current) (the
    running cluster's, V(null) when not read) and C(backup).
  returned: when the set could be read
  type: dict
configuration_changes:
  description: The configuration objects the restore changes (or would change), each with
    C(kind), C(name), C(change) (V(added), V(removed), V(changed)) and C(fields) (C(field),
    C(before), C(after)); the running cluster's objects against the set's.
  returned: when the set could be read
  type: list
  elements: dict
stopped_nodes:
  description: The other nodes whose Cluster service the restore stopped (in check mode, would
    stop). Start them after this node.
  returned: always
  type: list
  elements: str
  sample: [NODE2, NODE3]
offline_disks:
  description: Cluster disk resources, other than the quorum disk, that were added or changed
    since the backup and stay offline after the restore. Bring them online and check them
    (C(Start-ClusterResource)).
  returned: always
  type: list
  elements: str
  sample: [Cluster Disk 3]
error_code:
  description: The Windows error code of a refusal or a failure (5087, 5056, 5086, or the
    route's), V(null) when the task succeeded.
  returned: always
  type: int
  sample: 5056
error:
  description: The explanation of a refusal or failure, V(null) when the task succeeded.
  returned: always
  type: dict
  contains:
    code:
      description: The Win32 code, V(null) for a condition without one.
      type: int
    name:
      description: The code's name, such as V(ERROR_CLUSTER_NODE_UP).
      type: str
    cause:
      description: What is wrong.
      type: str
    fix:
      description: What to do.
      type: str
    options:
      description: The operator's options, when there are several.
      type: list
      elements: str
    retryable:
      description: Whether running the task again later may succeed without a change.
      type: bool
    message:
      description: All of the above in one text (also the task's C(msg)).
      type: str
decided_with:
  description: The options the decisions were made with, as given to the module - C(path),
    C(force), C(quorum_drive), C(route), C(loopback_target), C(trusted_keys),
    C(require_signature). A run given this result as O(checked) must be given the same.
  returned: when the options passed their checks
  type: dict
module_runs:
  description: How many times the module ran on the node (one per phase).
  returned: always
  type: int
  sample: 2
phases:
  description: The phases run, in order.
  returned: always
  type: list
  elements: str
  sample: [inspect, restore]
diff:
  description: The configuration objects the restore would change, the running cluster's
    (C(before)) against the set's (C(after)).
  returned: in diff mode, when the set could be read
  type: dict
phase_results:
  description:
    - Each phase's raw result as the module returned it on the node, by phase name, for
      troubleshooting; the keys above are what the controller concluded from them.
    - Without the run's own C(changed), C(failed), C(msg), C(invocation) and warnings (the
      task carries its own). A phase that failed is here too, with what it read before it
      failed.
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
          description: The node the module ran on.
          type: str
          sample: NODE1
        cluster_service:
          description: The Cluster service on this node, with C(installed), C(state) and
            C(start_mode), as M(wsfc.clusterdb.cluster_info) returns it.
          type: dict
        os:
          description: The operating system of this node (C(name), C(version)).
          type: dict
        backup_tools:
          description: C(windows_server_backup), C(wbadmin), C(clusapi) presence.
          type: dict
        configuration_version:
          description: The running cluster's C(paxos_tag) and its C(source) (V(cluster), or
            V(none) when it could not be read).
          type: dict
        cluster:
          description: The running cluster (C(name), C(id), C(domain)); V(null) when this node
            could not reach it.
          type: dict
        nodes:
          description: The nodes with C(name), C(id) and C(state), as the running cluster
            lists them; empty when it could not be reached.
          type: list
          elements: dict
        core_group_owner:
          description: The node that owns the core cluster group.
          type: str
        quorum:
          description: The quorum and its witness with the witness disk's partition layout,
            as M(wsfc.clusterdb.cluster_info) returns it; V(null) when the cluster could not
            be reached.
          type: dict
        configuration:
          description: The running cluster's configuration objects (C(groups), C(resources),
            C(networks)); V(null) when the cluster could not be reached.
          type: dict
        cluster_error:
          description: Why the cluster could not be reached (C(code), C(message)), V(null)
            when it was.
          type: dict
        local_database:
          description:
            - This node's copy of the cluster database. C(present) (the C(CLUSDB) file
              exists), C(source) (V(cluster) when read from the loaded hive, V(local_copy)
              when from a copy of the file loaded under a temporary key, V(none)),
              C(paxos_tag), C(cluster_name), C(nodes) (the node names it records), and
              C(warnings) (a copy that could not be read, loaded, unloaded or deleted; also
              given as warnings).
          type: dict
        node_list_source:
          description: Where the node names whose Cluster service was read came from,
            V(cluster) (the running cluster), V(local_database) (this node's copy) or V(none).
          type: str
          sample: cluster
        node_services:
          description: The Cluster service on each other node, C(name), C(state) (as
            M(wsfc.clusterdb.cluster_info) reports a service state, V(null) when the node did
            not answer) and C(error).
          type: list
          elements: dict
        path_info:
          description: Whether O(path) exists (C(exists)) and is a directory
            (C(is_directory)).
          type: dict
        set:
          description: The set as listed on the node, C(name), C(marker_present),
            C(manifest_text), C(signature_text) (the text of C(manifest.sig), V(null) when
            absent) and C(files) (C(path), C(size), C(last_write_utc), C(sha256), the last
            V(null) when the files were listed unhashed for O(verified_files)); V(null) when
            O(path) is not a set.
          type: dict
        child_sets:
          description: When O(path) is not a set, the names of the complete sets directly
            under it (so that the message can name one); V(null) otherwise.
          type: list
          elements: str
        error_code:
          description: The Win32 code of a failure to read the set.
          returned: when reading the set failed
          type: int
    restore:
      description: The V(restore) phase's raw result.
      returned: when the restore phase ran
      type: dict
      contains:
        phase:
          description: V(restore).
          type: str
        node_name:
          description: The node the module ran on.
          type: str
          sample: NODE1
        cluster_service:
          description: The Cluster service on this node after the route ran, as in
            RV(phase_results.inspect.cluster_service).
          type: dict
        route:
          description: The route run, V(vss) or V(clusapi).
          type: str
          sample: vss
        route_command:
          description: The command run, as an argument list.
          type: list
          elements: str
          sample: ["C:\\Windows\\system32\\wbadmin.exe", "start", "recovery",
            "-version:11/22/2026-02:03", "-itemType:App", "-items:cluster",
            "-backupTarget:\\\\fs01\\clusterbackups\\20261122T020304Z_clusterdb_e2s41",
            "-machine:NODE1", "-quiet"]
        route_exit_code:
          description: wbadmin's exit code, or the Win32 code C(RestoreClusterDatabase)
            returned; V(null) in check mode.
          type: int
          sample: 0
        route_output:
          description: wbadmin's output (stdout and stderr) as it printed it; empty for
            V(clusapi).
          type: str
        paxos_tag:
          description: The C(PaxosTag) of this node's copy of the database after the route
            ran.
          type: str
          sample: "2026/11/22-02`10`41.518_3:2026/11/22-02`10`41.518_3:42"
        node_services_before:
          description: The Cluster service on each other node immediately before the route,
            as in RV(phase_results.inspect.node_services); empty when the phase stopped
            before reading them.
          type: list
          elements: dict
        set_files:
          description: The set's files as listed again before the route (C(path), C(size),
            C(last_write_utc), C(sha256) V(null)), when the controller gave the listing it
            decided on; else V(null).
          type: list
          elements: dict
        node_services:
          description: The Cluster service on each other node after the route ran, as in
            RV(phase_results.inspect.node_services).
          type: list
          elements: dict
        error_code:
          description: V(null); the controller explains the route's code.
          type: int
        condition:
          description: V(windows_server_backup_missing) when no wbadmin.exe was found;
            V(other_node), V(set_changed), V(node_unreachable) or V(node_running) when what
            was read again before
            the route differs from what the controller decided on (the route did not run).
          returned: when one of those conditions occurred
          type: str
"""
