#!powershell

# Copyright: (c) 2026, wsfc.clusterdb contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic

# Raw facts only: every decision made from them (routes, node cluster state, fingerprint)
# is made on the controller by the action plugin.

$spec = @{
    options = @{
        include_configuration = @{ type = 'bool'; default = $true }
    }
    supports_check_mode = $true
}

$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)
$includeConfiguration = $module.Params.include_configuration

$module.Result.node_name = $env:COMPUTERNAME
$module.Result.cluster = $null
$module.Result.nodes = @()
$module.Result.quorum = $null
$module.Result.configuration = $null

# Operating system and the tools the backup routes need.
$os = Get-CimInstance -ClassName Win32_OperatingSystem -Property Caption, Version
$module.Result.os = @{
    name = $os.Caption
    version = $os.Version
}
$system32 = [Environment]::GetFolderPath([Environment+SpecialFolder]::System)
$backupFeature = $false
if (Get-Command -Name Get-WindowsFeature -ErrorAction SilentlyContinue) {
    $feature = Get-WindowsFeature -Name Windows-Server-Backup -ErrorAction SilentlyContinue
    $backupFeature = [bool]($feature -and $feature.Installed)
}
$module.Result.backup_tools = @{
    windows_server_backup = $backupFeature
    wbadmin = Test-Path -LiteralPath (Join-Path $system32 'wbadmin.exe')
    clusapi = Test-Path -LiteralPath (Join-Path $system32 'clusapi.dll')
}

# The Cluster service on this node (windows-cluster-facts.md §2: the service is ClusSvc).
$service = Get-CimInstance -ClassName Win32_Service -Filter "Name='ClusSvc'"
$module.Result.cluster_service = @{
    installed = [bool]$service
    state = if ($service) { $service.State.ToLowerInvariant() -replace ' ', '_' } else { $null }
    start_mode = if ($service) { $service.StartMode.ToLowerInvariant() } else { $null }
}

# The local copy of the database (windows-cluster-facts.md §2: %SystemRoot%\Cluster\CLUSDB,
# loaded as HKLM\Cluster while the service runs).
$clusdb = Join-Path $env:SystemRoot 'Cluster\CLUSDB'
$module.Result.cluster_database_present = Test-Path -LiteralPath $clusdb

$paxosTag = $null
$paxosSource = 'none'
if (Test-Path -LiteralPath 'HKLM:\Cluster') {
    $paxosTag = (Get-ItemProperty -LiteralPath 'HKLM:\Cluster' -Name PaxosTag -ErrorAction SilentlyContinue).PaxosTag
    $paxosSource = 'cluster'
}
elseif ($module.Result.cluster_database_present) {
    # The hive is not loaded while the service is stopped: load a read-only view of the
    # file under a temporary key, read the tag, unload it. The database itself is never
    # changed through the registry (windows-cluster-facts.md §2).
    $hiveKey = 'HKLM\WSFC_CLUSDB_{0}' -f [Guid]::NewGuid().ToString('N')
    $null = & reg.exe load $hiveKey $clusdb 2>&1
    if ($LASTEXITCODE -eq 0) {
        try {
            $paxosTag = (Get-ItemProperty -LiteralPath "Registry::$hiveKey" -Name PaxosTag -ErrorAction SilentlyContinue).PaxosTag
            $paxosSource = 'local_copy'
        }
        finally {
            [GC]::Collect()
            $null = & reg.exe unload $hiveKey 2>&1
        }
    }
}
$module.Result.configuration_version = @{
    paxos_tag = if ($null -ne $paxosTag) { [string]$paxosTag } else { $null }
    source = $paxosSource
}

if (-not $service -or -not (Get-Module -ListAvailable -Name FailoverClusters)) {
    $module.ExitJson()
}
Import-Module -Name FailoverClusters

try {
    $cluster = Get-Cluster -ErrorAction Stop
}
catch {
    # No node runs the cluster, or this node is not a member: the cluster-wide facts stay null.
    $module.Warn("The cluster could not be reached from this node: $($_.Exception.Message)")
    $module.ExitJson()
}

$module.Result.cluster = @{
    name = $cluster.Name
    id = [string]$cluster.Id
    domain = $cluster.Domain
}

$module.Result.nodes = @(
    foreach ($node in (Get-ClusterNode -InputObject $cluster)) {
        @{
            name = $node.Name
            id = [string]$node.Id
            state = [string]$node.State
        }
    }
)

$quorumInfo = Get-ClusterQuorum -InputObject $cluster
$witness = @{ type = 'none'; resource = $null; owner_node = $null; path = $null; disk = $null }
if ($quorumInfo.QuorumResource) {
    $witnessResource = $quorumInfo.QuorumResource
    $witness.resource = $witnessResource.Name
    $witness.owner_node = [string]$witnessResource.OwnerNode
    switch ($witnessResource.ResourceType.Name) {
        'Physical Disk' {
            $witness.type = 'disk'
            $signature = (Get-ClusterParameter -InputObject $witnessResource -Name DiskSignature -ErrorAction SilentlyContinue).Value
            $diskInfo = Get-CimInstance -Namespace root\MSCluster -ClassName MSCluster_Disk |
                Where-Object { [string]$_.Signature -eq [string]$signature } | Select-Object -First 1
            # MSCluster_DiskToDiskPartition associates a cluster disk with its partitions.
            $rawPartitions = @()
            if ($diskInfo) {
                $rawPartitions = @(Get-CimAssociatedInstance -InputObject $diskInfo -ResultClassName MSCluster_DiskPartition)
            }
            $partitions = @(
                $rawPartitions | ForEach-Object {
                    @{ number = [int]$_.PartitionNumber; offset = [int64]$_.Offset; size = [int64]$_.TotalSize }
                }
            )
            $lettered = $rawPartitions | Where-Object { $_.Path -match '^[A-Za-z]:$' } | Select-Object -First 1
            $witness.disk = @{
                number = if ($diskInfo) { [int]$diskInfo.Number } else { $null }
                signature = if ($null -ne $signature) { '{0:X}' -f $signature } else { $null }
                drive_letter = if ($lettered) { [string]$lettered.Path } else { $null }
                partitions = $partitions
            }
        }
        'File Share Witness' {
            $witness.type = 'file_share'
            $witness.path = (Get-ClusterParameter -InputObject $witnessResource -Name SharePath).Value
        }
        'Cloud Witness' {
            $witness.type = 'cloud'
        }
    }
}
$module.Result.quorum = @{
    type = [string]$quorumInfo.QuorumType
    witness = $witness
}

if ($includeConfiguration) {
    $groups = @(
        foreach ($group in (Get-ClusterGroup -InputObject $cluster)) {
            @{
                name = $group.Name
                state = [string]$group.State
                owner_node = [string]$group.OwnerNode
                preferred_owners = @(Get-ClusterOwnerNode -InputObject $group | ForEach-Object { $_.OwnerNodes.Name })
                is_core_group = [bool]($group.GroupType -eq 'Cluster')
            }
        }
    )
    $resources = @(
        foreach ($resource in (Get-ClusterResource -InputObject $cluster)) {
            $parameters = @{}
            foreach ($parameter in (Get-ClusterParameter -InputObject $resource)) {
                $parameters[$parameter.Name] = $parameter.Value
            }
            @{
                name = $resource.Name
                type = $resource.ResourceType.Name
                group = $resource.OwnerGroup.Name
                state = [string]$resource.State
                owner_node = [string]$resource.OwnerNode
                parameters = $parameters
                dependencies = (Get-ClusterResourceDependency -InputObject $resource).DependencyExpression
                possible_owners = @(Get-ClusterOwnerNode -InputObject $resource | ForEach-Object { $_.OwnerNodes.Name })
            }
        }
    )
    $networks = @(
        foreach ($network in (Get-ClusterNetwork -InputObject $cluster)) {
            @{
                name = $network.Name
                role = [string]$network.Role
                address = $network.Address
                address_mask = $network.AddressMask
                state = [string]$network.State
            }
        }
    )
    $module.Result.configuration = @{
        groups = $groups
        resources = $resources
        networks = $networks
    }
}

$module.ExitJson()
