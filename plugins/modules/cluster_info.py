# Copyright: (c) 2026, wsfc.clusterdb contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: cluster_info
short_description: Facts about a Windows Server failover cluster, seen from one node
version_added: 0.1.0
description:
  - Reads, from the node it runs on, the failover cluster this node belongs to, the state
    of every node, the Cluster service (C(ClusSvc)) on this node, the quorum and witness
    (with the witness disk's partition layout), the configuration version (C(PaxosTag)),
    the operating system, the backup tools present, and the configuration objects
    (groups, resources with their parameters, dependencies and owners, networks).
  - Read only. It changes nothing on the node or the cluster.
  - The module returns raw facts; the controller adds the derived ones (RV(backup_routes),
    RV(node_cluster_state), RV(configuration_fingerprint)).
  - When the Cluster service on this node is stopped, the configuration version is read
    from this node's local copy of the cluster database (C(%SystemRoot%\Cluster\CLUSDB)),
    and the cluster-wide facts are read through the cluster name when another node runs
    the cluster.
options:
  include_configuration:
    description:
      - Whether to read the configuration objects (groups, resources, parameters,
        dependencies, owners, networks).
      - Set to V(false) to read only the states and the configuration version, which is
        faster on clusters with many resources.
    type: bool
    default: true
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
  - The FailoverClusters cmdlets need the credentials of a cluster administrator on the
    node. Over WinRM with NTLM or Kerberos they meet the second-hop problem when they
    reach other nodes; use C(ansible_become=true) with C(become_method=runas), or CredSSP.
seealso:
  - module: wsfc.clusterdb.cluster_backup
  - module: wsfc.clusterdb.cluster_restore
author:
  - wsfc.clusterdb maintainers (@wsfc-clusterdb)
"""

EXAMPLES = r"""
- name: Read the cluster facts from every node
  wsfc.clusterdb.cluster_info:
  register: cluster

- name: Show the state of each node
  ansible.builtin.debug:
    msg: "{{ item.name }} is {{ item.state }}"
  loop: "{{ cluster.nodes }}"

- name: Read only states and the configuration version
  wsfc.clusterdb.cluster_info:
    include_configuration: false
  register: cluster_state

- name: Fail unless every node is Up
  ansible.builtin.assert:
    that: cluster.nodes | rejectattr('state', 'equalto', 'Up') | list | length == 0
"""

RETURN = r"""
node_name:
  description: The name of the node the module ran on.
  returned: always
  type: str
  sample: NODE1
cluster:
  description:
    - The cluster this node belongs to.
    - V(null) when the node is not a member of a cluster, or when no node runs the cluster.
  returned: always
  type: dict
  contains:
    name:
      description: The cluster name.
      type: str
      sample: CLU01
    id:
      description: The cluster's unique identifier.
      type: str
      sample: 6f1c3c9b-4d6e-4f5a-8f0e-2f7f9a3b1c11
    domain:
      description: The Active Directory domain of the cluster.
      type: str
      sample: corp.example.com
cluster_service:
  description: The Cluster service (C(ClusSvc)) on this node.
  returned: always
  type: dict
  contains:
    installed:
      description: Whether the Failover Clustering feature's service exists on this node.
      type: bool
      sample: true
    state:
      description: The service state, as C(Get-Service) reports it, in lower case.
      type: str
      sample: running
    start_mode:
      description: The service start mode.
      type: str
      sample: auto
cluster_database_present:
  description: Whether this node holds a local copy of the cluster database (C(CLUSDB)).
  returned: always
  type: bool
  sample: true
nodes:
  description:
    - Every node of the cluster with its state, as C(Get-ClusterNode) reports it.
    - Empty when the cluster could not be reached.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The node name.
      type: str
      sample: NODE1
    id:
      description: The node identifier.
      type: str
      sample: "1"
    state:
      description: One of V(Up), V(Down), V(Paused), V(Joining), V(Unknown).
      type: str
      sample: Up
core_group_owner:
  description:
    - The node that owns the core cluster group (the group whose C(GroupType) is C(Cluster);
      the value is *unconfirmed*, docs/windows-behaviour.md#get-clustergroup). The restore
      role restores on it, and the backup role backs up on it, unless told otherwise.
    - V(null) when the cluster could not be reached.
  returned: always
  type: str
  sample: NODE1
quorum:
  description:
    - The quorum configuration and its witness.
    - V(null) when the cluster could not be reached.
  returned: always
  type: dict
  contains:
    type:
      description: The quorum type, for example V(NodeMajority), V(NodeAndDiskMajority),
        V(NodeAndFileShareMajority).
      type: str
      sample: NodeAndDiskMajority
    witness:
      description: The witness resource.
      type: dict
      contains:
        type:
          description: One of V(disk), V(file_share), V(cloud), V(none).
          type: str
          sample: disk
        resource:
          description: The witness resource name.
          type: str
          sample: Cluster Disk 1
        owner_node:
          description: The node that owns the witness resource.
          type: str
          sample: NODE1
        path:
          description: The file share path of a file share witness.
          type: str
          sample: \\fs01\witness
        disk:
          description: The witness disk and its partition layout, for a disk witness.
          type: dict
          contains:
            number:
              description: The disk number on the node that owns the disk
                (C(MSCluster_Disk.Number)).
              type: int
            id_type:
              description: How the disk is identified, V(mbr) by its signature or V(gpt) by its GUID
                (the Physical Disk resource's C(DiskIdType)); V(null) when the resource does not
                say.
              type: str
              sample: mbr
            signature:
              description: The MBR disk signature (hexadecimal); V(null) for a GPT disk.
              type: str
              sample: 5A3C91E2
            gpt_guid:
              description: The GPT disk GUID (lower case, no braces); V(null) for an MBR disk.
              type: str
            drive_letter:
              description: The drive letter of the witness volume, as V(Q:).
              type: str
            offsets_read:
              description: Whether the byte offsets and sizes were read. They are read with
                C(Get-Partition) on the node that owns the disk only; elsewhere they are V(null).
              type: bool
            partitions:
              description: The partitions, each with C(number), C(total_size_mb) (from
                C(MSCluster_DiskPartition)), and C(offset) and C(size) in bytes (V(null) unless
                C(offsets_read) is true).
              type: list
              elements: dict
configuration_version:
  description: The configuration version of the cluster database.
  returned: always
  type: dict
  contains:
    paxos_tag:
      description:
        - The C(PaxosTag) value, V(null) when no copy of the database was found.
        - C(NextEpoch:LastUpdateEpoch:Sequence), plain numbers (V(3:3:276)) or, after a
          ForceQuorum start or an authoritative restore, epochs with a time stamp
          (V(2007/12/31-15`35`55.889_4:2007/12/31-15`35`55.889_4:294)).
      type: str
      sample: "3:3:276"
    source:
      description: V(cluster) when read from the running cluster (C(HKLM\Cluster)),
        V(local_copy) when read from this node's C(CLUSDB) file, V(none) otherwise.
      type: str
      sample: cluster
    next_epoch:
      description: The NextEpoch number of the tag (added on the controller).
      type: int
      sample: 3
    next_epoch_time:
      description: The time stamp of NextEpoch as written, in ISO 8601 without a time zone
        (Windows does not say which it is), V(null) for a plain epoch (added on the
        controller).
      type: str
      sample: "2007-12-31T15:35:55.889"
    epoch:
      description: The LastUpdateEpoch number of the tag (added on the controller).
      type: int
      sample: 3
    epoch_time:
      description: The time stamp of LastUpdateEpoch, as RV(configuration_version.next_epoch_time)
        (added on the controller).
      type: str
      sample: "2007-12-31T15:35:55.889"
    sequence:
      description: The sequence part of the tag; it grows with every configuration change
        (added on the controller).
      type: int
      sample: 276
os:
  description: The operating system of this node.
  returned: always
  type: dict
  contains:
    name:
      description: The product name.
      type: str
      sample: Microsoft Windows Server 2022 Datacenter
    version:
      description: The version number.
      type: str
      sample: 10.0.20348
backup_tools:
  description: The raw facts the backup routes depend on.
  returned: always
  type: dict
  contains:
    windows_server_backup:
      description: Whether the C(Windows-Server-Backup) feature is installed.
      type: bool
    wbadmin:
      description: Whether C(wbadmin.exe) is present.
      type: bool
    clusapi:
      description: Whether C(clusapi.dll) is present.
      type: bool
configuration:
  description:
    - The configuration objects of the cluster.
    - V(null) when O(include_configuration=false) or the cluster could not be reached.
  returned: always
  type: dict
  contains:
    groups:
      description: The cluster groups (roles) with name, state, owner_node,
        preferred_owners and is_core_group.
      type: list
      elements: dict
    resources:
      description: The resources with name, type, group, state, owner_node, parameters,
        dependencies (the dependency expression) and possible_owners.
      type: list
      elements: dict
    networks:
      description: The cluster networks with name, role, address, address_mask and state.
      type: list
      elements: dict
backup_routes:
  description: The backup routes this node can use and the one V(auto) picks (added on
    the controller from RV(os) and RV(backup_tools)).
  returned: always
  type: dict
  contains:
    available:
      description: The routes this node can use, from V(vss) and V(clusapi).
      type: list
      elements: str
    auto:
      description: The route V(auto) resolves to, V(null) when none is available.
      type: str
    reasons:
      description: For each route this node cannot use, why.
      type: dict
node_cluster_state:
  description: The node's cluster state in the terms of C(GetNodeClusterState)
    (added on the controller), one of V(NotInstalled), V(NotConfigured), V(NotRunning),
    V(Running).
  returned: always
  type: str
  sample: Running
configuration_fingerprint:
  description: A SHA-256 over a canonical form of the configuration objects (added on the
    controller), V(null) when they were not read.
  returned: always
  type: str
"""
