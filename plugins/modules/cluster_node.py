# Copyright: (c) 2026, wsfc.clusterdb contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: cluster_node
short_description: Start or stop the Cluster service on a failover cluster node
version_added: 0.1.0
description:
  - Starts or stops the Cluster service (C(ClusSvc)) on the node it runs on, with
    C(Start-ClusterNode) and C(Stop-ClusterNode), and waits until the node is Up (started)
    or Down (stopped).
  - Idempotent. The service is what the module starts or stops, so a node whose service
    already runs (O(state=started)) or is already stopped (O(state=stopped)) is left alone
    and the task reports no change; with O(wait=true) it still waits for the node's state.
  - The cluster refuses C(Stop-ClusterNode) when stopping this node would take the cluster
    below quorum; the task then fails with the Windows error code in RV(error_code) and a
    message that names the operator's options.
  - The action plugin checks the options on the controller before the node is contacted;
    a task with bad options fails without any module run.
options:
  state:
    description:
      - V(started) starts the Cluster service on this node; the node joins the cluster, or
        forms it when no other node runs it.
      - V(stopped) stops the Cluster service on this node; the cluster sees the node Down.
    type: str
    required: true
    choices: [started, stopped]
  force_quorum:
    description:
      - Start the node with C(Start-ClusterNode -ForceQuorum), so that it forms the cluster
        without quorum and its copy of the cluster database becomes the authoritative one.
      - A node with a stale copy forced this way loses the changes made since; use it on
        the node that holds the newest copy, typically the node a restore ran on.
      - Only with O(state=started). Applies only when this task starts the service; a
        service that already runs is not restarted.
    type: bool
    default: false
  prevent_quorum:
    description:
      - Start the node with C(Start-ClusterNode -PreventQuorum), so that it joins a running
        cluster but never forms one of its own.
      - Only with O(state=started), and not together with O(force_quorum).
    type: bool
    default: false
  wait:
    description:
      - Wait until the node is Up (O(state=started); a node an operator paused counts as
        started) or its Cluster service has stopped (O(state=stopped)).
      - When the wait runs out (O(timeout)), the task fails and RV(timed_out) is V(true).
    type: bool
    default: true
  timeout:
    description:
      - How long to wait, in seconds, when O(wait=true). At least 1.
    type: int
    default: 300
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - wsfc.clusterdb.key_value_escapes
attributes:
  check_mode:
    support: full
    details: Reports whether the service would be started or stopped; touches nothing.
  diff_mode:
    support: none
  platform:
    support: full
    platforms: windows
notes:
  - The FailoverClusters cmdlets need the credentials of a cluster administrator. Over
    WinRM use C(ansible_become=true) with C(become_method=runas), or CredSSP.
  - To stop every node of a cluster at once use C(Stop-Cluster); stopping the nodes one by
    one is refused for the node whose stop would leave the cluster without quorum.
seealso:
  - module: wsfc.clusterdb.cluster_info
  - module: wsfc.clusterdb.cluster_restore
author:
  - wsfc.clusterdb maintainers (@wsfc-clusterdb)
"""

EXAMPLES = r"""
- name: Stop the Cluster service on the other nodes before a restore
  wsfc.clusterdb.cluster_node:
    state: stopped
  when: inventory_hostname != restore_node

- name: Start the restoring node first; it forms the cluster from the restored copy
  wsfc.clusterdb.cluster_node:
    state: started
    force_quorum: true
    timeout: 600
  when: inventory_hostname == restore_node

- name: Start the other nodes; they join and take the restored configuration
  wsfc.clusterdb.cluster_node:
    state: started
    prevent_quorum: true
  when: inventory_hostname != restore_node
"""

RETURN = r"""
changed:
  description: Whether the service was started or stopped (in check mode, whether it would be).
  returned: always
  type: bool
  sample: true
node_name:
  description: The name of the node the module ran on.
  returned: always
  type: str
  sample: NODE1
cluster_name:
  description: The cluster's name, V(null) when no node answered for the cluster.
  returned: always
  type: str
  sample: CLU01
node_state_before:
  description:
    - This node's state as the cluster saw it before the task, one of V(Up), V(Down),
      V(Paused), V(Joining), V(Unknown).
    - V(null) when the cluster could not be asked (no node runs it).
  returned: always
  type: str
  sample: Up
node_state_after:
  description:
    - This node's state as the cluster saw it at the end of the task; V(null) when the
      cluster could not be asked. Equal to RV(node_state_before) in check mode.
  returned: always
  type: str
  sample: Down
service_state_before:
  description: The Cluster service state on this node before the task, as
    M(wsfc.clusterdb.cluster_info) reports it (lower case, spaces as underscores,
    V(running), V(stopped), V(start_pending), V(stop_pending), ...); V(null) when the
    service does not exist.
  returned: always
  type: str
  sample: running
service_state_after:
  description: The Cluster service state on this node at the end of the task.
  returned: always
  type: str
  sample: stopped
node_state:
  description:
    - The node's state at the end of the task (added on the controller). RV(node_state_after)
      when the cluster answered; V(Down) when it could not be asked and the service is
      stopped; otherwise V(Unknown).
  returned: always
  type: str
  sample: Down
timed_out:
  description: Whether the wait ran out before the node reached the requested state.
  returned: always
  type: bool
  sample: false
elapsed:
  description: Seconds the module spent on the node, the wait included.
  returned: always
  type: float
  sample: 12.5
error_code:
  description:
    - The Windows error code of the refused C(Start-ClusterNode) or C(Stop-ClusterNode)
      (the HRESULT when the failure carried no Win32 code), or 1060
      (ERROR_SERVICE_DOES_NOT_EXIST) when the Cluster service is not installed;
      V(null) when nothing failed.
    - C(Stop-ClusterNode) refused because the cluster would lose quorum gives 5925
      (ERROR_CLUSTER_NO_QUORUM).
  returned: always
  type: int
  sample: 5925
error:
  description: The explanation of a failure (added on the controller), V(null) when the task
    succeeded.
  returned: always
  type: dict
  contains:
    code:
      description: The Win32 code, V(null) for a timeout.
      type: int
    name:
      description: The code's name, such as V(ERROR_CLUSTER_NO_QUORUM), or V(TIMEOUT).
      type: str
    cause:
      description: What went wrong.
      type: str
    fix:
      description: What to do.
      type: str
    options:
      description: The operator's options, when there are several.
      type: list
      elements: str
    retryable:
      description: Whether the same task may succeed when run again later.
      type: bool
    message:
      description: All of the above in one text (also the task's C(msg)).
      type: str
"""
