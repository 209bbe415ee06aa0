# Copyright: (c) 2026, wsfc.clusterdb contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# The raw cluster facts a backup records and the controller decides from: the same facts,
# under the same keys and in the same shapes, as the cluster_info module returns
# (plugins/modules/cluster_info.py documents them), plus the owner of the core cluster
# group and the error met when the cluster could not be reached.
#
# Raw facts only: which route to use, whether the node may back up, and what a failure
# means are decided on the controller.
#
# Loaded with
#   #AnsibleRequires -PowerShell ansible_collections.wsfc.clusterdb.plugins.module_utils.WsfcClusterFacts

Function Get-WsfcOsFact {
    <#
    .SYNOPSIS
    The operating system's product name and version number.
    #>
    [OutputType([hashtable])]
    param ()

    $os = Get-CimInstance -ClassName Win32_OperatingSystem -Property Caption, Version
    @{
        name = $os.Caption
        version = $os.Version
    }
}

Function Get-WsfcBackupToolFact {
    <#
    .SYNOPSIS
    Whether the Windows Server Backup feature, wbadmin.exe and clusapi.dll are present.
    #>
    [OutputType([hashtable])]
    param ()

    $system32 = [Environment]::GetFolderPath([Environment+SpecialFolder]::System)
    $featureInstalled = $false
    # Get-WindowsFeature exists on Windows Server only (ServerManager module).
    if (Get-Command -Name Get-WindowsFeature -ErrorAction SilentlyContinue) {
        $feature = Get-WindowsFeature -Name Windows-Server-Backup -ErrorAction SilentlyContinue
        $featureInstalled = [bool]($feature -and $feature.Installed)
    }
    @{
        windows_server_backup = $featureInstalled
        wbadmin = [bool](Test-Path -LiteralPath ([System.IO.Path]::Combine($system32, 'wbadmin.exe')))
        clusapi = [bool](Test-Path -LiteralPath ([System.IO.Path]::Combine($system32, 'clusapi.dll')))
    }
}

Function Get-WsfcClusterServiceFact {
    <#
    .SYNOPSIS
    The Cluster service (ClusSvc, windows-cluster-facts.md §2) on this node.
    #>
    [OutputType([hashtable])]
    param ()

    $service = Get-CimInstance -ClassName Win32_Service -Filter "Name='ClusSvc'"
    @{
        installed = [bool]$service
        state = if ($service) { $service.State.ToLowerInvariant() -replace ' ', '_' } else { $null }
        start_mode = if ($service) { $service.StartMode.ToLowerInvariant() } else { $null }
    }
}

Function Get-WsfcPaxosTag {
    <#
    .SYNOPSIS
    The configuration version of the running cluster's database: HKLM\Cluster\PaxosTag as
    text, or $null when the hive is not loaded (the Cluster service is not running).

    .DESCRIPTION
    windows-cluster-facts.md §2: the database is loaded as HKLM\Cluster while the Cluster
    service runs; PaxosTag grows with every change. Its value type is unconfirmed, so the
    value is returned as text and parsed on the controller (plugin_utils.paxos).
    #>
    [OutputType([string])]
    param ()

    if (-not (Test-Path -LiteralPath 'HKLM:\Cluster')) {
        return $null
    }
    $value = (Get-ItemProperty -LiteralPath 'HKLM:\Cluster' -Name PaxosTag -ErrorAction SilentlyContinue).PaxosTag
    if ($null -eq $value) {
        return $null
    }
    if ($value -is [byte[]]) {
        # REG_BINARY: hand the bytes over as text the controller can decode.
        return [System.Text.Encoding]::Unicode.GetString($value).TrimEnd([char]0)
    }
    if ($value -is [array]) {
        # REG_MULTI_SZ: the first string.
        return [string]$value[0]
    }
    [string]$value
}

Function Get-WsfcQuorumFact {
    <#
    .SYNOPSIS
    The quorum type and the witness, with the witness disk's partition layout (the layout a
    restore without force compares, windows-cluster-facts.md §1).
    #>
    [OutputType([hashtable])]
    param (
        [Parameter(Mandatory = $true)]
        [object]
        $Cluster
    )

    $quorumInfo = Get-ClusterQuorum -InputObject $Cluster
    $witness = @{ type = 'none'; resource = $null; owner_node = $null; path = $null; disk = $null }
    $resource = $quorumInfo.QuorumResource
    if ($resource) {
        $witness.resource = $resource.Name
        $witness.owner_node = [string]$resource.OwnerNode
        $resourceType = $resource.ResourceType.Name
        if ($resourceType -eq 'Physical Disk') {
            $witness.type = 'disk'
            $signature = (Get-ClusterParameter -InputObject $resource -Name DiskSignature -ErrorAction SilentlyContinue).Value
            $disk = Get-CimInstance -Namespace root\MSCluster -ClassName MSCluster_Disk |
                Where-Object { [string]$_.Signature -eq [string]$signature } |
                Select-Object -First 1
            $rawPartitions = @()
            if ($disk) {
                # MSCluster_DiskToDiskPartition associates a cluster disk with its partitions.
                $rawPartitions = @(Get-CimAssociatedInstance -InputObject $disk -ResultClassName MSCluster_DiskPartition)
            }
            $partitions = [System.Collections.Generic.List[hashtable]]::new()
            foreach ($partition in $rawPartitions) {
                $partitions.Add(@{
                        number = [int]$partition.PartitionNumber
                        offset = [int64]$partition.Offset
                        size = [int64]$partition.TotalSize
                    })
            }
            $lettered = $rawPartitions | Where-Object { $_.Path -match '^[A-Za-z]:$' } | Select-Object -First 1
            $witness.disk = @{
                number = if ($disk) { [int]$disk.Number } else { $null }
                signature = if ($null -ne $signature) { '{0:X}' -f $signature } else { $null }
                drive_letter = if ($lettered) { [string]$lettered.Path } else { $null }
                partitions = $partitions.ToArray()
            }
        }
        elseif ($resourceType -eq 'File Share Witness') {
            $witness.type = 'file_share'
            $witness.path = (Get-ClusterParameter -InputObject $resource -Name SharePath).Value
        }
        elseif ($resourceType -eq 'Cloud Witness') {
            $witness.type = 'cloud'
        }
    }
    @{
        type = [string]$quorumInfo.QuorumType
        witness = $witness
    }
}

Function Get-WsfcConfigurationFact {
    <#
    .SYNOPSIS
    The configuration objects: groups, resources (parameters, dependencies, owners) and
    networks, in the shapes cluster_info returns.
    #>
    [OutputType([hashtable])]
    param (
        [Parameter(Mandatory = $true)]
        [object]
        $Cluster
    )

    $groups = [System.Collections.Generic.List[hashtable]]::new()
    foreach ($group in (Get-ClusterGroup -InputObject $Cluster)) {
        $groups.Add(@{
                name = $group.Name
                state = [string]$group.State
                owner_node = [string]$group.OwnerNode
                preferred_owners = @(Get-ClusterOwnerNode -InputObject $group | ForEach-Object { $_.OwnerNodes.Name })
                is_core_group = [bool]($group.GroupType -eq 'Cluster')
            })
    }
    $resources = [System.Collections.Generic.List[hashtable]]::new()
    foreach ($resource in (Get-ClusterResource -InputObject $Cluster)) {
        $parameters = @{}
        foreach ($parameter in (Get-ClusterParameter -InputObject $resource)) {
            $parameters[$parameter.Name] = $parameter.Value
        }
        $resources.Add(@{
                name = $resource.Name
                type = $resource.ResourceType.Name
                group = $resource.OwnerGroup.Name
                state = [string]$resource.State
                owner_node = [string]$resource.OwnerNode
                parameters = $parameters
                dependencies = (Get-ClusterResourceDependency -InputObject $resource).DependencyExpression
                possible_owners = @(Get-ClusterOwnerNode -InputObject $resource | ForEach-Object { $_.OwnerNodes.Name })
            })
    }
    $networks = [System.Collections.Generic.List[hashtable]]::new()
    foreach ($network in (Get-ClusterNetwork -InputObject $Cluster)) {
        $networks.Add(@{
                name = $network.Name
                role = [string]$network.Role
                address = $network.Address
                address_mask = $network.AddressMask
                state = [string]$network.State
            })
    }
    @{
        groups = $groups.ToArray()
        resources = $resources.ToArray()
        networks = $networks.ToArray()
    }
}

Function Get-WsfcClusterErrorCode {
    <#
    .SYNOPSIS
    The Win32 code inside a failure of the cluster cmdlets, or $null.

    .DESCRIPTION
    The cluster cmdlets wrap the clusapi failure (a Win32Exception, or an HRESULT of
    facility 7, 0x8007xxxx) in their own exception; the inner exceptions are searched.
    Kept private here so that this util needs no other.
    #>
    [OutputType([object])]
    param (
        [Parameter(Mandatory = $true)]
        [System.Exception]
        $Exception
    )

    $current = $Exception
    while ($null -ne $current) {
        if ($current -is [System.ComponentModel.Win32Exception]) {
            return [int]$current.NativeErrorCode
        }
        $hresult = [int]$current.HResult
        if ($hresult -lt 0 -and (($hresult -shr 16) -band 0x7FF) -eq 7) {
            return [int]($hresult -band 0xFFFF)
        }
        $current = $current.InnerException
    }
    $null
}

Function Get-WsfcClusterFact {
    <#
    .SYNOPSIS
    The cluster-wide facts: cluster, nodes, core_group_owner, quorum, configuration (when
    -IncludeConfiguration), and cluster_error when the cluster could not be reached.

    .DESCRIPTION
    When the FailoverClusters module is missing or Get-Cluster fails, the cluster-wide facts
    stay $null (nodes empty) and cluster_error holds the Win32 code (when the exception
    carries one) and the message: the controller explains them.
    #>
    [OutputType([hashtable])]
    param (
        [switch]
        $IncludeConfiguration
    )

    $facts = @{
        cluster = $null
        nodes = @()
        core_group_owner = $null
        quorum = $null
        configuration = $null
        cluster_error = $null
    }
    if (-not (Get-Module -ListAvailable -Name FailoverClusters)) {
        $facts.cluster_error = @{
            code = $null
            message = 'The FailoverClusters PowerShell module is not installed on this node.'
        }
        return $facts
    }
    Import-Module -Name FailoverClusters

    try {
        $cluster = Get-Cluster -ErrorAction Stop
    }
    catch {
        $facts.cluster_error = @{
            code = Get-WsfcClusterErrorCode -Exception $_.Exception
            message = $_.Exception.Message
        }
        return $facts
    }

    $facts.cluster = @{
        name = $cluster.Name
        id = [string]$cluster.Id
        domain = $cluster.Domain
    }
    $nodes = [System.Collections.Generic.List[hashtable]]::new()
    foreach ($node in (Get-ClusterNode -InputObject $cluster)) {
        $nodes.Add(@{
                name = $node.Name
                id = [string]$node.Id
                state = [string]$node.State
            })
    }
    $facts.nodes = $nodes.ToArray()
    $coreGroup = Get-ClusterGroup -InputObject $cluster | Where-Object { $_.GroupType -eq 'Cluster' } | Select-Object -First 1
    if ($coreGroup) {
        $facts.core_group_owner = [string]$coreGroup.OwnerNode
    }
    $facts.quorum = Get-WsfcQuorumFact -Cluster $cluster
    if ($IncludeConfiguration) {
        $facts.configuration = Get-WsfcConfigurationFact -Cluster $cluster
    }
    $facts
}

Export-ModuleMember -Function @(
    'Get-WsfcOsFact'
    'Get-WsfcBackupToolFact'
    'Get-WsfcClusterServiceFact'
    'Get-WsfcPaxosTag'
    'Get-WsfcQuorumFact'
    'Get-WsfcConfigurationFact'
    'Get-WsfcClusterFact'
)
