# Copyright: (c) 2026, wsfc.clusterdb contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: cluster_drift
short_description: Compare a failover cluster's running configuration with its last good backup
version_added: 0.2.0
description:
  - Reads the running configuration objects of the cluster this node belongs to (groups,
    resources, networks) and compares them with those the newest complete, verified backup
    set under O(path) records, or the set O(set) names. Read only.
  - One module run - the C(inspect) phase of M(wsfc.clusterdb.cluster_backup), which reads
    the cluster and lists the sets under O(path) with the newest set hashed, in the same run
    (every set when O(set) is given). Every decision is taken on the controller.
  - The set compared with must be complete and verified - its completion marker and
    manifest present, every file with the size and SHA-256 the manifest records - and of
    this cluster (its name and id). When the newest set fails verification, the previous
    complete one is used and the result names the set passed over; verifying that one costs
    a second read-only run, which hashes every set.
  - RV(state) is V(in_sync), V(drifted) (RV(changes) names each group, resource and network
    added, removed or changed, and in a changed object each parameter, dependency, owner and
    property, with its value in the set and now), or V(no_backup) (RV(reason) - no set,
    every set corrupt, or the location unreadable). The task is changed for a drifted
    cluster, in check mode too.
  - Run-time fields - a group's or resource's state and current owner node - change with
    every failover and are not compared. The owners compared are configuration - a group's
    preferred owners (in order) and a resource's possible owners.
  - A cluster is flagged (RV(flagged)) when it drifted since its set, when the set is older
    than O(max_age) and no longer holds the running configuration version, when there is no
    set to compare with, or when its newest set was passed over; RV(next_command) then names
    the command that takes a fresh backup. A set that holds the running version is current
    however old, since M(wsfc.clusterdb.cluster_backup) writes a new set only when the version
    moved; its age is reported (C(too_old) in RV(set)) and the cluster is not flagged.
  - The task fails when this node cannot answer for its cluster - its Cluster service not
    running, its cluster not readable, another cluster than O(cluster_name) - and is
    unreachable when the node does not answer, so that another node of the cluster may be
    asked (the C(wsfc.clusterdb.drift) role does). A location that cannot be listed is an
    answer, V(no_backup) with reason V(unreadable).
options:
  path:
    description:
      - The folder that holds the cluster's sets, as M(wsfc.clusterdb.cluster_backup) writes
        them - for the backup role C(<backup_path>\\<cluster name>)
        (V(\\\\fs01\\clusterbackups\\CLU01)). Checked on the controller as that module checks
        it.
    type: str
    required: true
  set:
    description:
      - The name of the set to compare with (V(20261122T020304Z_clusterdb_e2s41)). Empty for
        the newest complete, verified set. A named set that is corrupt or incomplete is not
        replaced by another; RV(state) is then V(no_backup).
    type: str
    default: ""
  max_age:
    description:
      - The oldest acceptable backup; an older set flags the cluster. Seconds, or a number
        with a unit C(s), C(m), C(h), C(d), C(w) (V(36h), V(2d)). Measured with the
        controller's clock against the set's creation time, which the controller of the
        backup wrote.
    type: str
    default: 2d
  cluster_name:
    description:
      - The cluster the inventory says this node belongs to (names compared ignoring case);
        the task fails when the node reports another. Empty to take the node's word.
    type: str
    default: ""
  cluster_hosts:
    description:
      - The inventory hosts of the cluster, for RV(next_command) (its C(--limit)). Empty for
        this host.
    type: list
    elements: str
    default: []
  backup_command:
    description:
      - The command that takes a fresh backup of this cluster, named in RV(next_command)
        with O(cluster_hosts) added as C(--limit). Empty for the backup playbook with the
        folder above O(path) as its C(backup_path) when O(path) ends with the cluster's name
        (the backup role's layout), else M(wsfc.clusterdb.cluster_backup) into O(path).
    type: str
    default: ""
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: The same read-only run and the same answer; RV(changed) is true for a drifted
      cluster in check mode too.
  diff_mode:
    support: none
  platform:
    support: full
    platforms: windows
notes:
  - For a UNC O(path) the module reaches the share over a second hop; see the notes of
    M(wsfc.clusterdb.cluster_backup) (C(ansible_become=true) with C(become_method=runas), or
    CredSSP).
  - The raw result of each run of the PowerShell module is in RV(phase_results), for
    troubleshooting.
seealso:
  - module: wsfc.clusterdb.cluster_backup
  - module: wsfc.clusterdb.backup_set_info
  - module: wsfc.clusterdb.drift_report
author:
  - wsfc.clusterdb maintainers (@wsfc-clusterdb)
"""

EXAMPLES = r"""
- name: Compare the running configuration with the newest backup set
  wsfc.clusterdb.cluster_drift:
    path: \\fs01\clusterbackups\CLU01
    cluster_name: CLU01
    max_age: 36h
  register: drift

- name: Name what changed since the backup
  ansible.builtin.debug:
    msg: "{{ drift.changes | map(attribute='object') | unique | list }}"
  when: drift is changed

- name: Compare with the set taken before last week's change
  wsfc.clusterdb.cluster_drift:
    path: \\fs01\clusterbackups\CLU01
    set: 20261115T020304Z_clusterdb_e2s37
"""

RETURN = r"""
changed:
  description: Whether the cluster drifted since the set (in check mode too).
  returned: always
  type: bool
  sample: true
msg:
  description: The answer in one text, and for a flagged cluster the command to run next.
  returned: always
  type: str
  sample: >-
    Cluster CLU01 drifted since set 20261122T020304Z_clusterdb_e2s41: 1 added, 1 changed
    (taken 2d 3h ago). Next: take a fresh backup: ansible-playbook -i inventory.yml
    wsfc.clusterdb.backup -e '{"backup_path": "\\\\fs01\\clusterbackups"}' --limit
    NODE1,NODE2
state:
  description: V(in_sync), V(drifted) or V(no_backup).
  returned: when the node answered
  type: str
  sample: drifted
reason:
  description: For V(no_backup), why - V(no_set) (no set of this cluster, or none of that
    name), V(corrupt) (every set, or the named one, corrupt or incomplete), V(unreadable)
    (the location could not be listed); else V(null).
  returned: when the node answered
  type: str
  sample: null
message:
  description: RV(msg) without the next command.
  returned: when the node answered
  type: str
cluster:
  description: The name of the cluster the node reported.
  returned: when the node answered
  type: str
  sample: CLU01
cluster_id:
  description: The cluster's id.
  returned: when the node answered
  type: str
checked_on:
  description: The node that answered.
  returned: when the node answered
  type: str
  sample: NODE1
checked_at:
  description: When the check ran (the controller's clock, UTC, C(YYYY-MM-DDTHH:MM:SSZ)).
  returned: when the node answered
  type: str
path:
  description: O(path) in its normalised form.
  returned: when the node answered
  type: str
requested_set:
  description: O(set), or V(null) for the newest.
  returned: when the node answered
  type: str
set:
  description:
    - The set compared with - C(name), C(path), C(created), C(age_seconds), C(age) (for
      people, such as C(2d 3h)), C(too_old) (older than O(max_age)), C(source_node),
      C(configuration_version); V(null) when there is none.
  returned: when the node answered
  type: dict
passed_over:
  description: The newer sets that failed verification, newest first - C(name), C(status)
    (C(corrupt), C(incomplete)), C(message) (what is wrong, naming the file).
  returned: when the node answered
  type: list
  elements: dict
configuration_version:
  description: C(running) and C(backup) (the set's), as C(epoch:sequence), and C(equal),
    whether they are the same version (never for a set whose version moved while it was
    written).
  returned: when the node answered
  type: dict
changes:
  description:
    - What differs, one entry per item - C(object_type) (V(group), V(resource),
      V(network)), C(object) (its name), C(item) (the object's own type for a whole object
      added or removed, else V(parameter), V(dependency), V(owner) or V(property)), C(name)
      (the parameter, the resource depended on, the owner node, the property),
      C(change) (V(added), V(removed), V(changed)), C(field) (the configuration field, such as
      C(parameters.Address) or C(preferred_owners)), C(before) (in the set) and C(after)
      (running now).
    - A whole object added or removed has its configuration fields as C(after) or C(before).
  returned: when the node answered
  type: list
  elements: dict
  sample:
    - {"object_type": "resource", "object": "FileServer-01 IP", "item": "parameter",
       "name": "Address", "change": "changed", "field": "parameters.Address",
       "before": "10.0.0.50", "after": "10.0.0.51"}
change_count:
  description: The number of entries in RV(changes).
  returned: when the node answered
  type: int
change_counts:
  description: RV(changes) counted by C(added), C(removed), C(changed).
  returned: when the node answered
  type: dict
max_age:
  description: O(max_age) as given.
  returned: when the node answered
  type: str
max_age_seconds:
  description: O(max_age) in seconds.
  returned: when the node answered
  type: int
flagged:
  description: Whether the cluster needs a fresh backup.
  returned: when the node answered
  type: bool
flags:
  description: Why - V(age) (older than O(max_age), and the version moved since), V(drift),
    V(no_backup), V(corrupt_newest) (the newest set was passed over).
  returned: when the node answered
  type: list
  elements: str
next_command:
  description: For a flagged cluster the command that takes a fresh backup; else V(null).
  returned: when the node answered
  type: str
module_runs:
  description: How many times the PowerShell module ran (1; 2 when the newest set failed
    verification and an older one had to be hashed).
  returned: always
  type: int
phases:
  description: The phases run, in order.
  returned: always
  type: list
  elements: str
phase_results:
  description: The raw result of each run of M(wsfc.clusterdb.cluster_backup) - C(inspect),
    and C(inspect_all_sets) for the second run.
  returned: always
  type: dict
"""
