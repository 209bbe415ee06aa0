# Copyright: (c) 2026, wsfc.clusterdb contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: restore_procedure
short_description: The decisions of the wsfc.clusterdb.restore role, on the controller
version_added: 0.2.0
description:
  - Makes every decision of the C(wsfc.clusterdb.restore) role from what the role's tasks
    registered on the hosts of the play, and returns it as data; the role's tasks only run
    the modules on the hosts it names. Runs on the controller; no node is contacted.
  - V(preflight) reads every host's M(wsfc.clusterdb.cluster_info) result, chooses the
    restoring node (the node the operator named, else the owner of the core cluster group,
    else the first node by name that is Up, else the first reachable node) and the
    locations to list; with O(listing) it also picks the set from the restoring host's
    M(wsfc.clusterdb.backup_set_info) results.
  - V(plan) turns the preflight and the restoring host's check-mode
    M(wsfc.clusterdb.cluster_restore) result into the steps and their hosts, or the
    refusals. It is the only phase that plans; the others read the plan back.
  - V(record) says whether a step failed on any of its hosts, per node, for the timeline;
    for the V(wait_up) step it checks that every node is Up with one configuration
    version not older than the backup's.
  - V(recover) says which hosts to start again after a failed step, in which order, and
    what to tell the operator about each node.
  - V(report) is the summary of a restore that ran, with a timeline per node; the safety
    backup, the restore and the leftovers of earlier safety backups are read from the
    records of their steps.
  - Meant for the role; a play may call it to plan a restore without running it.
options:
  phase:
    description: What to decide.
    type: str
    required: true
    choices: [preflight, plan, record, recover, report]
  results:
    description:
      - The name of the variable the role registered on every host of the play for this
        phase - M(wsfc.clusterdb.cluster_info) results for V(preflight), V(recover) and the
        V(wait_up) step, the step's module results for V(record). Read from hostvars; a
        host where it is not defined counts as one that returned nothing.
      - Required for V(preflight), V(record) and V(recover).
    type: str
  listing:
    description:
      - V(preflight) - the names of the variables holding the restoring host's
        M(wsfc.clusterdb.backup_set_info) results, one per location listed, in the order
        of RV(preflight.set_locations); one name may also hold a loop's results.
      - While the set is in none of the locations listed and another remains,
        RV(preflight.next_location) names it and nothing is decided yet.
    type: list
    elements: str
  check:
    description: V(plan) - the name of the variable holding the restoring host's
      check-mode M(wsfc.clusterdb.cluster_restore) result.
    type: str
  preflight:
    description: V(plan) - RV(preflight) of phase V(preflight).
    type: dict
  plan:
    description: V(record), V(recover), V(report) - RV(plan) of phase V(plan).
    type: dict
  recovery:
    description:
      - V(report) - RV(recovery) of the last V(recover), when a step reported a failure and
        the recovery found the restore had taken effect (RV(recovery.completed)); the report
        then says so.
    type: dict
  removed:
    description: V(report) - the name of the variable the role's removal of the leftovers
      of earlier safety backups registered (a loop over their C(path)), read from the host
      that took the safety backup.
    type: str
  leftover_age:
    description: V(plan) - the age after which what earlier safety backups left unfinished
      in the safety backup's folder (C(unfinished_*) staging directories, sets without their
      completion marker) is to be removed; seconds, or a number with a unit C(s), C(m),
      C(h), C(d), C(w).
    type: str
    default: 1d
  step:
    description: V(record) - the step's kind (V(safety_backup), V(stop), V(restore),
      V(start_restoring), V(start_others), V(wait_up)), or V(recovery) with O(hosts).
    type: str
  hosts:
    description: V(record) - the hosts to read instead of the plan's hosts of O(step).
    type: list
    elements: str
  records:
    description: The records of the steps that ran so far (RV(records) of the last
      V(record)).
    type: list
    elements: dict
    default: []
  recovered:
    description: V(recover) - the recovery's own starts, once they ran, one per round, to
      report them.
    type: list
    elements: dict
    default: []
    suboptions:
      results:
        description: The name of the variable the round's M(wsfc.clusterdb.cluster_node)
          task registered.
        type: str
        required: true
      hosts:
        description: The round's hosts (RV(recovery.first_hosts) or RV(recovery.then_hosts)).
        type: list
        elements: str
        required: true
  restoring_node:
    description: V(preflight) - the node or inventory host to restore on; empty to let the
      rule choose.
    type: str
    default: ""
  set_name:
    description: V(preflight) - the set to restore; empty for the newest complete set.
    type: str
    default: ""
  cluster_name:
    description:
      - V(preflight) - the cluster the inventory says the hosts are nodes of.
      - When no node can tell its cluster (the cluster is down), the sets are looked for in
        the folder of this name under O(backup_path); a running cluster of another name is
        a problem that refuses the restore. Empty to rely on the running cluster only.
    type: str
    default: ""
  backup_path:
    description: V(preflight), V(plan) - the location that holds the sets.
    type: str
    default: ""
  force:
    description: V(plan) - O(wsfc.clusterdb.cluster_restore#module:force).
    type: bool
    default: false
  quorum_drive:
    description: V(plan) - O(wsfc.clusterdb.cluster_restore#module:quorum_drive).
    type: str
    default: ""
  safety_backup:
    description: V(plan) - whether to back up the running configuration before any node
      stops.
    type: bool
    default: true
  safety_backup_path:
    description: V(plan) - where the safety backup goes; empty for C(pre_restore) beside
      the set, which is never among the sets a restore picks.
    type: str
    default: ""
  cause:
    description: V(recover) - what failed, as the failed step's record says it.
    type: str
    default: ""
  started:
    description: V(record) - when the procedure started (ISO 8601), for the first step.
    type: str
    default: ""
  finished:
    description: V(record) - when the step finished (ISO 8601).
    type: str
    default: ""
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Decides only; it changes nothing anywhere.
  diff_mode:
    support: none
  platform:
    platforms: all
    details: Runs on the controller.
notes:
  - The decisions and their reasons are described in the collection's C(docs/restore.md).
seealso:
  - module: wsfc.clusterdb.cluster_restore
  - module: wsfc.clusterdb.cluster_info
author:
  - wsfc.clusterdb maintainers (@wsfc-clusterdb)
"""

EXAMPLES = r"""
- name: Read every node
  wsfc.clusterdb.cluster_info:
    include_configuration: false
  register: facts
  ignore_errors: true
  ignore_unreachable: true

- name: Choose the restoring node
  wsfc.clusterdb.restore_procedure:
    phase: preflight
    results: facts
    backup_path: '\\fs01\clusterbackups'
  register: found
  run_once: true
"""

RETURN = r"""
preflight:
  description: Phase V(preflight) - the nodes, the restoring node and the set.
  returned: phase is preflight
  type: dict
  contains:
    nodes:
      description: Every node with C(name), C(host) (V(null) when no host of the play is
        that node), C(reachable), C(state), C(service_state), C(owns_core_group),
        C(paxos_tag), C(cluster) and C(error).
      type: list
      elements: dict
    cluster:
      description: The cluster most reachable nodes belong to (C(name), C(id)).
      type: dict
    restoring_node:
      description: The node chosen to restore on, V(null) when none could be chosen.
      type: str
    restoring_host:
      description: Its inventory host.
      type: str
    choice_reason:
      description: Why that node.
      type: str
    set:
      description: The set to restore (C(name), C(path), C(status), C(cluster),
        C(configuration_version), C(created), C(source_node), C(route), C(signature) as
        M(wsfc.clusterdb.backup_set_info) verified it, and C(left_out) - the newer sets it
        left out as forged or unsigned, when the newest was asked for), V(null) when none
        was found.
      type: dict
    set_locations:
      description: The directories to list for sets, in order.
      type: list
      elements: str
    next_location:
      description: The directory of RV(preflight.set_locations) the restoring host lists
        next, or null when the set was found (or every directory was listed). A location
        after the first is listed only when the set is not in the ones before it.
      type: str
    runs_set:
      description: Whether every node is Up and already runs the picked set's configuration
        version (its PaxosTag against the version in the set's manifest). The restore then
        has nothing to do, and the restoring node's check of the set is not run.
      type: bool
    problems:
      description: Why the restore cannot go ahead, one text each.
      type: list
      elements: str
plan:
  description: Phase V(plan) - the steps, or the refusals.
  returned: phase is plan
  type: dict
  contains:
    steps:
      description: The steps in order, each with C(kind), C(nodes), C(hosts), C(parallel)
        and C(description).
      type: list
      elements: dict
    hosts:
      description: Step kind to its inventory hosts (every kind present).
      type: dict
    refusals:
      description: Why the restore must not start, each with C(code), C(name), C(message).
      type: list
      elements: dict
    message:
      description: The refusals as one text naming what to do, empty when there are none.
      type: str
    already_current:
      description: Whether the cluster already runs the set's configuration.
      type: bool
    consent_prompt:
      description: What the restore does, for the operator's y/n prompt.
      type: str
    safety_backup_path:
      description: Where the safety backup goes.
      type: str
record:
  description: Phase V(record) - the step's record (C(step), C(started), C(finished),
    C(failed), C(message), C(next_step), C(leftovers), C(nodes), C(changed_nodes)). A
    failed record's C(message) says what was observed on each node, C(next_step) what
    happens next and what to run. C(leftovers), for the V(safety_backup) step, lists what
    earlier safety backups left in its folder and is to be removed (C(name), C(path),
    C(reason)), from the listing the safety backup made before it wrote.
  returned: phase is record
  type: dict
records:
  description: Phase V(record) - O(records) with this record added.
  returned: phase is record
  type: list
  elements: dict
recovery:
  description: Phase V(recover) - C(failed_step), C(cause), C(nodes) (each with C(name),
    C(host), C(state), C(next_step)) and C(report).
  returned: phase is recover
  type: dict
  contains:
    first_hosts:
      description: The hosts whose Cluster service is started first.
      type: list
      elements: str
    then_hosts:
      description: The hosts started after those.
      type: list
      elements: str
    completed:
      description: Whether every node was read Up with the restored configuration although
        a step reported a failure (the restore took effect; the role does not fail).
      type: bool
report:
  description: Phase V(report) - C(lines), C(timeline), C(changed), C(safety_backup_set),
    C(completed_after_failure), and C(leftovers) (the paths of the leftovers of earlier
    safety backups by outcome - C(removed), C(failed), C(kept)).
  returned: phase is report
  type: dict
"""
