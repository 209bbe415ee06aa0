#!powershell

# Copyright: (c) 2026, wsfc.clusterdb contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic
#AnsibleRequires -PowerShell ansible_collections.wsfc.clusterdb.plugins.module_utils.WsfcClusterFacts

# Raw facts only: every decision made from them (routes, node cluster state, fingerprint)
# is made on the controller by the action plugin. The facts are read by WsfcClusterFacts,
# which cluster_backup and cluster_restore share, so all three report them alike.

$spec = @{
    options = @{
        include_configuration = @{ type = 'bool'; default = $true }
    }
    supports_check_mode = $true
}

$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)

$module.Result.node_name = $env:COMPUTERNAME
$module.Result.os = Get-WsfcOsFact
$module.Result.backup_tools = Get-WsfcBackupToolFact
$module.Result.cluster_service = Get-WsfcClusterServiceFact

# This node's copy of the database (docs/windows-behaviour.md#cluster-database): read from
# HKLM\Cluster while the service runs, else from a copy of the file (WsfcClusterFacts).
$localDatabase = Get-WsfcLocalDatabaseFact
$module.Result.cluster_database_present = $localDatabase.present
foreach ($warning in $localDatabase.warnings) {
    $module.Warn($warning)
}
$module.Result.configuration_version = @{
    paxos_tag = $localDatabase.paxos_tag
    source = if ($null -ne $localDatabase.paxos_tag) { $localDatabase.source } else { 'none' }
}

$module.Result.cluster = $null
$module.Result.nodes = @()
$module.Result.core_group_owner = $null
$module.Result.quorum = $null
$module.Result.configuration = $null
if ($module.Result.cluster_service.installed) {
    $clusterFacts = Get-WsfcClusterFact -IncludeConfiguration:$module.Params.include_configuration
    if ($clusterFacts.cluster_error) {
        # No node runs the cluster, or this node is not a member: the cluster-wide facts stay null.
        $module.Warn("The cluster could not be reached from this node: $($clusterFacts.cluster_error.message)")
    }
    $module.Result.cluster = $clusterFacts.cluster
    $module.Result.nodes = $clusterFacts.nodes
    $module.Result.core_group_owner = $clusterFacts.core_group_owner
    $module.Result.quorum = $clusterFacts.quorum
    $module.Result.configuration = $clusterFacts.configuration
}

$module.ExitJson()
