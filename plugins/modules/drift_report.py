# Copyright: (c) 2026, wsfc.clusterdb contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: drift_report
short_description: Write the drift report of a fleet of failover clusters on the controller
version_added: 0.2.0
description:
  - Builds one report for every cluster from the outcome of its drift check and writes it
    into O(dest) as C(drift-report.html) (one self-contained file, its CSS inline, loading
    nothing from the network), C(drift-report.md) and C(drift-report.json) (validated by the
    collection's C(docs/drift-report.schema.json)).
  - The report has a summary table (cluster, age of the last backup, highlighted when
    older than O(max_age), state, number of changes, flags) and a section per drifted
    cluster with its changes grouped by object, then the clusters without a backup and the
    other flagged ones, each with the command that takes a fresh backup.
  - Runs on the controller; no node is contacted. Meant for the C(wsfc.clusterdb.drift)
    role, which gathers the outcomes.
  - Writing the report changes nothing Ansible manages, so the task is never changed. Each
    file is written beside its final name and renamed over it.
options:
  outcomes:
    description:
      - One entry per cluster - C(cluster) (its name), C(hosts) (its inventory hosts),
        C(path) (the folder of its sets), C(result) (the M(wsfc.clusterdb.cluster_drift)
        result of the node that answered, or V(null)), C(errors) (why each node tried did
        not answer).
      - A cluster without a result is reported as not checked, with those errors.
    type: list
    elements: dict
    required: true
  dest:
    description:
      - The folder on the controller for the reports, created when missing (mode 0700; the
        files are 0600, since they name the clusters' configuration). Empty to write none
        and only return the report.
    type: str
    default: ""
  max_age:
    description: The oldest acceptable backup the checks used, shown in the report.
    type: str
    default: 2d
  formats:
    description: The reports to write.
    type: list
    elements: str
    choices: [html, markdown, json]
    default: [html, markdown, json]
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: The report is built and returned; no file is written.
  diff_mode:
    support: none
  platform:
    platforms: all
    details: Runs on the controller.
seealso:
  - module: wsfc.clusterdb.cluster_drift
author:
  - wsfc.clusterdb maintainers (@wsfc-clusterdb)
"""

EXAMPLES = r"""
- name: Write the fleet's drift report
  wsfc.clusterdb.drift_report:
    outcomes:
      - cluster: CLU01
        hosts: [NODE1, NODE2]
        path: \\fs01\clusterbackups\CLU01
        result: "{{ drift_clu01 }}"
        errors: []
    dest: /srv/drift-reports
  run_once: true
"""

RETURN = r"""
changed:
  description: Always false.
  returned: always
  type: bool
msg:
  description: The summary, then one line per cluster, then the files written.
  returned: success
  type: list
  elements: str
report:
  description: The report's document, as C(drift-report.json) holds it
    (C(docs/drift-report.schema.json)) - C(format), C(schema_version), C(generated),
    C(max_age), C(max_age_seconds), C(summary), C(clusters).
  returned: success
  type: dict
summary:
  description: How many clusters are C(in_sync), C(drifted), C(no_backup), C(not_checked),
    C(flagged), of C(clusters).
  returned: success
  type: dict
  sample: {"clusters": 8, "in_sync": 5, "drifted": 2, "no_backup": 1, "not_checked": 0,
    "flagged": 3}
files:
  description: The files written (in check mode, those that would be).
  returned: success
  type: list
  elements: str
  sample: [/srv/drift-reports/drift-report.html, /srv/drift-reports/drift-report.md,
    /srv/drift-reports/drift-report.json]
"""
