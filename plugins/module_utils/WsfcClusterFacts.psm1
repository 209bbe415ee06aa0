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

#AnsibleRequires -PowerShell ansible_collections.wsfc.clusterdb.plugins.module_utils.WsfcNative

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
    The Cluster service (ClusSvc, docs/windows-behaviour.md#win32-service) on this node.
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
    docs/windows-behaviour.md#cluster-database: the database is loaded as HKLM\Cluster while
    the Cluster service runs; #paxos-tag: NextEpoch:LastUpdateEpoch:Sequence. Its value type
    is *unconfirmed*, so the value is returned as text and parsed on the controller
    (plugin_utils._paxos).
    #>
    [OutputType([string])]
    param ()

    if (-not (Test-Path -LiteralPath 'HKLM:\Cluster')) {
        return $null
    }
    ConvertTo-WsfcPaxosText -Value (Get-ItemProperty -LiteralPath 'HKLM:\Cluster' -Name PaxosTag -ErrorAction SilentlyContinue).PaxosTag
}

Function Get-WsfcWitnessDiskFact {
    <#
    .SYNOPSIS
    The witness disk of a Physical Disk quorum resource: its identity and partition layout.

    .DESCRIPTION
    The disk is found among the cluster's disks by its identity as the resource records it
    (docs/windows-behaviour.md#physical-disk-parameters): an MBR disk (DiskIdType 0) by its
    signature, a GPT disk (DiskIdType 1) by its GUID, since a GPT disk's signature is not
    populated (#mscluster-disk). MSCluster_DiskPartition gives each partition's number and size
    in MB and has no offset (#mscluster-diskpartition); the byte offsets and sizes come from
    Get-Partition (#get-partition), asked only on the node that owns the disk: MSCluster_Disk's
    Number is the disk's number on that node, and on another node the same number may name
    another disk. Elsewhere offset and size stay $null.
    #>
    [OutputType([hashtable])]
    param (
        [Parameter(Mandatory = $true)]
        [object]
        $Resource
    )

    $idType = (Get-ClusterParameter -InputObject $Resource -Name DiskIdType -ErrorAction SilentlyContinue).Value
    $signature = (Get-ClusterParameter -InputObject $Resource -Name DiskSignature -ErrorAction SilentlyContinue).Value
    $gptId = (Get-ClusterParameter -InputObject $Resource -Name DiskIdGuid -ErrorAction SilentlyContinue).Value
    $clusterDisks = @(Get-CimInstance -Namespace root\MSCluster -ClassName MSCluster_Disk)
    $disk = $null
    if ($idType -eq 1) {
        $wanted = ([string]$gptId).Trim('{', '}')
        $disk = $clusterDisks | Where-Object { ([string]$_.GptGuid).Trim('{', '}') -eq $wanted } | Select-Object -First 1
    }
    elseif ($null -ne $signature) {
        $disk = $clusterDisks | Where-Object { [string]$_.Signature -eq [string]$signature } | Select-Object -First 1
    }
    $clusterPartitions = @()
    $diskPartitions = @{}
    if ($disk) {
        # MSCluster_DiskToDiskPartition associates a cluster disk with its partitions.
        $clusterPartitions = @(Get-CimAssociatedInstance -InputObject $disk -ResultClassName MSCluster_DiskPartition)
        if ([string]$Resource.OwnerNode -eq $env:COMPUTERNAME) {
            foreach ($partition in @(Get-Partition -DiskNumber $disk.Number -ErrorAction SilentlyContinue)) {
                $diskPartitions[[int]$partition.PartitionNumber] = $partition
            }
        }
    }
    $partitions = [System.Collections.Generic.List[hashtable]]::new()
    foreach ($partition in $clusterPartitions) {
        $number = [int]$partition.PartitionNumber
        $onDisk = $diskPartitions[$number]
        $partitions.Add(@{
                number = $number
                total_size_mb = [int64]$partition.TotalSize
                offset = if ($onDisk) { [int64]$onDisk.Offset } else { $null }
                size = if ($onDisk) { [int64]$onDisk.Size } else { $null }
            })
    }
    $lettered = $clusterPartitions | Where-Object { $_.Path -match '^[A-Za-z]:$' } | Select-Object -First 1
    @{
        number = if ($disk) { [int]$disk.Number } else { $null }
        id_type = if ($idType -eq 1) { 'gpt' } elseif ($idType -eq 0) { 'mbr' } else { $null }
        signature = if ($idType -ne 1 -and $null -ne $signature) { '{0:X}' -f $signature } else { $null }
        gpt_guid = if ($idType -eq 1 -and $gptId) { ([string]$gptId).Trim('{', '}').ToLowerInvariant() } else { $null }
        drive_letter = if ($lettered) { [string]$lettered.Path } else { $null }
        offsets_read = [bool]($diskPartitions.Count -gt 0)
        partitions = $partitions.ToArray()
    }
}

Function Get-WsfcLocalDatabaseFact {
    <#
    .SYNOPSIS
    This node's copy of the cluster database: whether it exists, its PaxosTag, the cluster
    name and the node names it records, and where they were read.

    .DESCRIPTION
    docs/windows-behaviour.md#cluster-database: the copy is %SystemRoot%\Cluster\CLUSDB,
    loaded as HKLM\Cluster while the Cluster service runs. Then the values are read there
    (source cluster). Otherwise a copy of the file is loaded under a temporary key
    (#reg-load-unload), read, and unloaded, and the copy is deleted (source local_copy): the
    database itself is never loaded or written through the registry, so no hive of it can
    stay loaded. An unload or delete that fails is reported in warnings.
    *Unconfirmed*: the value ClusterName and the keys Nodes\<id> with the value NodeName.
    #>
    [OutputType([hashtable])]
    param ()

    $clusdb = [System.IO.Path]::Combine($env:SystemRoot, 'Cluster\CLUSDB')
    $fact = @{
        present = [bool](Test-Path -LiteralPath $clusdb -PathType Leaf)
        source = 'none'
        paxos_tag = $null
        cluster_name = $null
        nodes = @()
        warnings = @()
    }
    $warnings = [System.Collections.Generic.List[string]]::new()
    $root = $null
    $hiveKey = $null
    $hiveCopy = $null
    $reg = [System.IO.Path]::Combine([Environment]::GetFolderPath([Environment+SpecialFolder]::System), 'reg.exe')
    if (Test-Path -LiteralPath 'HKLM:\Cluster') {
        $root = 'HKLM:\Cluster'
        $fact.source = 'cluster'
    }
    elseif ($fact.present) {
        $token = [Guid]::NewGuid().ToString('N')
        $hiveKey = 'HKLM\WSFC_CLUSDB_{0}' -f $token
        $hiveCopy = [System.IO.Path]::Combine([System.IO.Path]::GetTempPath(), ('wsfc_clusdb_{0}.hiv' -f $token))
        try {
            [System.IO.File]::Copy($clusdb, $hiveCopy)
        }
        catch {
            $warnings.Add("The local copy of the cluster database could not be read: $($_.Exception.Message)")
            $hiveCopy = $null
        }
        if ($hiveCopy) {
            $load = Invoke-WsfcNativeCommand -FilePath $reg -ArgumentList @('load', $hiveKey, $hiveCopy)
            if ($load.exit_code -eq 0) {
                $root = "Registry::$hiveKey"
                $fact.source = 'local_copy'
            }
            else {
                $warnings.Add("reg load of a copy of '$clusdb' failed: $($load.output)")
                $hiveKey = $null
            }
        }
    }
    if ($root) {
        try {
            $fact.paxos_tag = ConvertTo-WsfcPaxosText -Value (Get-ItemProperty -LiteralPath $root -Name PaxosTag -ErrorAction SilentlyContinue).PaxosTag
            $fact.cluster_name = (Get-ItemProperty -LiteralPath $root -Name ClusterName -ErrorAction SilentlyContinue).ClusterName
            $nodesKey = Join-Path -Path $root -ChildPath 'Nodes'
            $names = [System.Collections.Generic.List[string]]::new()
            if (Test-Path -LiteralPath $nodesKey) {
                foreach ($nodeKey in (Get-ChildItem -LiteralPath $nodesKey -ErrorAction SilentlyContinue)) {
                    $name = (Get-ItemProperty -LiteralPath $nodeKey.PSPath -Name NodeName -ErrorAction SilentlyContinue).NodeName
                    if ($name) { $names.Add([string]$name) }
                }
            }
            $fact.nodes = $names.ToArray()
        }
        finally {
            if ($hiveKey) {
                # Handles to the hive must be gone before it can be unloaded.
                [GC]::Collect()
                [GC]::WaitForPendingFinalizers()
                $unload = Invoke-WsfcNativeCommand -FilePath $reg -ArgumentList @('unload', $hiveKey)
                if ($unload.exit_code -ne 0) {
                    $warnings.Add("reg unload of '$hiveKey' failed: $($unload.output) Unload it with: reg unload $hiveKey")
                }
            }
        }
    }
    if ($hiveCopy) {
        try {
            [System.IO.File]::Delete($hiveCopy)
        }
        catch {
            $warnings.Add("The temporary copy '$hiveCopy' could not be deleted: $($_.Exception.Message)")
        }
    }
    $fact.warnings = $warnings.ToArray()
    $fact
}

Function ConvertTo-WsfcPaxosText {
    <#
    .SYNOPSIS
    A PaxosTag value as text: REG_SZ as it is, REG_MULTI_SZ's first string, REG_BINARY as
    UTF-16 (the value type is *unconfirmed*, docs/windows-behaviour.md#paxos-tag).
    #>
    [OutputType([string])]
    param (
        [AllowNull()]
        [object]
        $Value
    )

    if ($null -eq $Value) {
        return $null
    }
    if ($Value -is [byte[]]) {
        return [System.Text.Encoding]::Unicode.GetString($Value).TrimEnd([char]0)
    }
    [string]@($Value)[0]
}

Function Get-WsfcQuorumFact {
    <#
    .SYNOPSIS
    The quorum type and the witness, with the witness disk's partition layout (the layout a
    restore without force compares, docs/windows-behaviour.md#clusapi-backup-restore).
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
            $witness.disk = Get-WsfcWitnessDiskFact -Resource $resource
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
                is_core_group = [bool]$group.IsCoreGroup
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
    # The core cluster group (GroupType Cluster, *unconfirmed*: docs/windows-behaviour.md#get-clustergroup
    # documents IsCoreGroup, which the Available Storage group has too).
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
    'Get-WsfcLocalDatabaseFact'
    'Get-WsfcWitnessDiskFact'
    'Get-WsfcQuorumFact'
    'Get-WsfcConfigurationFact'
    'Get-WsfcClusterFact'
)
