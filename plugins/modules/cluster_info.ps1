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

# The local copy of the database (windows-cluster-facts.md §2: %SystemRoot%\Cluster\CLUSDB,
# loaded as HKLM\Cluster while the service runs).
$clusdb = Join-Path $env:SystemRoot 'Cluster\CLUSDB'
$module.Result.cluster_database_present = Test-Path -LiteralPath $clusdb

$paxosTag = Get-WsfcPaxosTag
$paxosSource = if ($null -ne $paxosTag) { 'cluster' } else { 'none' }
if ($null -eq $paxosTag -and $module.Result.cluster_database_present) {
    # The hive is not loaded while the service is stopped: load a view of the file under a
    # temporary key, read the tag, unload it. The database itself is never changed through
    # the registry (windows-cluster-facts.md §2).
    $hiveKey = 'HKLM\WSFC_CLUSDB_{0}' -f [Guid]::NewGuid().ToString('N')
    $null = & reg.exe load $hiveKey $clusdb 2>&1
    if ($LASTEXITCODE -eq 0) {
        try {
            $localTag = (Get-ItemProperty -LiteralPath "Registry::$hiveKey" -Name PaxosTag -ErrorAction SilentlyContinue).PaxosTag
            if ($null -ne $localTag) {
                $paxosTag = [string]$localTag
                $paxosSource = 'local_copy'
            }
        }
        finally {
            [GC]::Collect()
            $null = & reg.exe unload $hiveKey 2>&1
        }
    }
}
$module.Result.configuration_version = @{
    paxos_tag = $paxosTag
    source = $paxosSource
}

$module.Result.cluster = $null
$module.Result.nodes = @()
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
    $module.Result.quorum = $clusterFacts.quorum
    $module.Result.configuration = $clusterFacts.configuration
}

$module.ExitJson()
