#!powershell

# Copyright: (c) 2026, wsfc.clusterdb contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic
#AnsibleRequires -CSharpUtil ansible_collections.wsfc.clusterdb.plugins.module_utils.ClusApi
#AnsibleRequires -PowerShell ansible_collections.wsfc.clusterdb.plugins.module_utils.WsfcBackupSet
#AnsibleRequires -PowerShell ansible_collections.wsfc.clusterdb.plugins.module_utils.WsfcClusterFacts
#AnsibleRequires -PowerShell ansible_collections.wsfc.clusterdb.plugins.module_utils.WsfcNative

# One phase of a cluster database restore per run (docs/internals.md, "cluster_restore"):
#   inspect  read the facts the controller decides from: this node and its cluster (with the
#            configuration objects), the Cluster service on every other node, this node's
#            local copy of the database, and the set at path with its files hashed (read only;
#            with _hash_set false the files are listed with sizes and last-write times only,
#            for a controller that compares them with an earlier run's hashed listing);
#   restore  read again what the controller decided on (this node's name, the set's files,
#            the other nodes' Cluster service) and, unless it differs from what the controller
#            gives, run the route: wbadmin's authoritative restore of the cluster, or
#            RestoreClusterDatabase; then read the states again.
# The action plugin (plugins/action/cluster_restore.py) makes every decision: whether the
# set is whole and of this cluster, whether to refuse without force, the route, the wbadmin
# version and target, what an exit code means. This script decides nothing.
#
# Every path is data: used through -LiteralPath or .NET methods, and given to wbadmin and
# reg.exe as one element of an argument array, never pasted into a command string.

$spec = @{
    options = @{
        path = @{ type = 'str'; required = $true }
        force = @{ type = 'bool'; default = $false }
        quorum_drive = @{ type = 'str' }
        route = @{ type = 'str'; default = 'auto'; choices = @('auto', 'vss', 'clusapi') }
        # Internal (a leading underscore, as ansible.windows names them): set by the action
        # plugin, which refuses them from a task.
        _phase = @{ type = 'str'; default = 'inspect'; choices = @('inspect', 'restore') }
        _wbadmin_version = @{ type = 'str' }
        _wbadmin_target = @{ type = 'str' }
        _wbadmin_machine = @{ type = 'str' }
        _other_nodes = @{ type = 'list'; elements = 'str'; default = @() }
        _hash_set = @{ type = 'bool'; default = $true }
        _checked_node = @{ type = 'str' }
        _checked_files = @{ type = 'list'; elements = 'dict' }
        _must_be_stopped = @{ type = 'list'; elements = 'str'; default = @() }
        _must_answer = @{ type = 'list'; elements = 'str'; default = @() }
    }
    supports_check_mode = $true
}

$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)
$path = $module.Params.path
$phase = $module.Params._phase

$module.Result.changed = $false
$module.Result.phase = $phase
$module.Result.node_name = $env:COMPUTERNAME

Function Get-WsfcNodeServiceFact {
    # The Cluster service (ClusSvc) on each named node other than this one, through the
    # node's service control manager. state is as Win32_Service reports it (lower case,
    # words joined by an underscore); $null with the error when the node did not answer.
    param ([string[]] $NodeName)

    $services = [System.Collections.Generic.List[hashtable]]::new()
    foreach ($name in $NodeName) {
        if ($name -eq $env:COMPUTERNAME) {
            continue
        }
        $entry = @{ name = $name; state = $null; error = $null }
        try {
            $service = Get-Service -ComputerName $name -Name ClusSvc -ErrorAction Stop
            # ServiceControllerStatus names (StopPending) in Win32_Service's form (stop_pending).
            $entry.state = ([string]$service.Status -creplace '(?<=[a-z])([A-Z])', '_$1').ToLowerInvariant()
        }
        catch {
            $entry.error = $_.Exception.Message
        }
        $services.Add($entry)
    }
    , $services.ToArray()
}

Function Format-WsfcFileListing {
    # One line per file (relative path, size, last-write time), in the listing's order
    # (Get-WsfcDirectoryFile sorts it): two listings of the same files are the same text.
    param ([object[]] $File)
    $lines = foreach ($entry in @($File)) {
        '{0}|{1}|{2}' -f $entry.path, $entry.size, $entry.last_write_utc
    }
    @($lines) -join "`n"
}

Function Get-WsfcKnownNodeName {
    # The cluster's nodes: as the running cluster lists them, else as this node's copy of
    # the database records them (the cluster may be down: that is when restores happen).
    param ([hashtable] $ClusterFacts, [hashtable] $LocalDatabase)
    if ($ClusterFacts.nodes -and @($ClusterFacts.nodes).Count -gt 0) {
        return @{ source = 'cluster'; names = @($ClusterFacts.nodes | ForEach-Object { $_.name }) }
    }
    if (@($LocalDatabase.nodes).Count -gt 0) {
        return @{ source = 'local_database'; names = @($LocalDatabase.nodes) }
    }
    @{ source = 'none'; names = @() }
}

Function Get-WsfcRestoreClusterFact {
    $facts = @{
        cluster = $null
        nodes = @()
        core_group_owner = $null
        quorum = $null
        configuration = $null
        cluster_error = $null
    }
    if ($module.Result.cluster_service.installed) {
        $facts = Get-WsfcClusterFact -IncludeConfiguration
    }
    $facts
}

$module.Result.cluster_service = Get-WsfcClusterServiceFact

if ($phase -eq 'inspect') {
    $module.Result.os = Get-WsfcOsFact
    $module.Result.backup_tools = Get-WsfcBackupToolFact
    $paxosTag = Get-WsfcPaxosTag
    $module.Result.configuration_version = @{
        paxos_tag = $paxosTag
        source = if ($null -ne $paxosTag) { 'cluster' } else { 'none' }
    }
    $clusterFacts = Get-WsfcRestoreClusterFact
    $module.Result.cluster = $clusterFacts.cluster
    $module.Result.nodes = $clusterFacts.nodes
    $module.Result.core_group_owner = $clusterFacts.core_group_owner
    $module.Result.quorum = $clusterFacts.quorum
    $module.Result.configuration = $clusterFacts.configuration
    $module.Result.cluster_error = $clusterFacts.cluster_error
    $localDatabase = Get-WsfcLocalDatabaseFact
    foreach ($warning in $localDatabase.warnings) {
        $module.Warn($warning)
    }
    $module.Result.local_database = $localDatabase
    $known = Get-WsfcKnownNodeName -ClusterFacts $clusterFacts -LocalDatabase $localDatabase
    $module.Result.node_list_source = $known.source
    $module.Result.node_services = Get-WsfcNodeServiceFact -NodeName $known.names

    $module.Result.set = $null
    $module.Result.child_sets = $null
    try {
        $module.Result.path_info = Get-WsfcBackupPathInfo -LiteralPath $path
        if ($module.Result.path_info.is_directory) {
            # The shared listing of the location that holds the set, narrowed to this set;
            # then this set's files with their SHA-256.
            $location = [System.IO.Path]::GetDirectoryName($path)
            $setName = [System.IO.Path]::GetFileName($path)
            $listing = Get-WsfcBackupSetListing -LiteralPath $location -HashSets none
            $entry = $null
            foreach ($item in $listing) {
                if ($item.name -eq $setName) {
                    $entry = $item
                }
            }
            if ($entry) {
                if ($module.Params._hash_set) {
                    $entry.files = Get-WsfcDirectoryFile -LiteralPath $path -Hash
                }
                else {
                    $entry.files = Get-WsfcDirectoryFile -LiteralPath $path
                }
                $module.Result.set = $entry
            }
            if (-not $entry -or (-not $entry.marker_present -and $null -eq $entry.manifest_text)) {
                # Not a set: perhaps the location of several. Their names let the
                # controller tell the operator which set to name.
                $children = Get-WsfcBackupSetListing -LiteralPath $path -HashSets none
                $names = [System.Collections.Generic.List[string]]::new()
                foreach ($child in $children) {
                    if ($child.marker_present) {
                        $names.Add([string]$child.name)
                    }
                }
                $module.Result.child_sets = $names.ToArray()
            }
        }
    }
    catch {
        $module.Result.error_code = Get-WsfcWin32ErrorCode -ErrorRecord $_
        $module.FailJson("Failed to read the backup set '$path': $($_.Exception.Message)", $_)
    }
    $module.ExitJson()
}

# phase restore: the controller resolved the route and, for vss, the version and target.
$route = $module.Params.route
if ($route -eq 'auto') {
    $module.FailJson("_phase=restore needs route vss or clusapi; the action plugin resolves auto.")
}
$module.Result.route = $route
$module.Result.route_command = $null
$module.Result.route_exit_code = $null
$module.Result.route_output = $null
$module.Result.paxos_tag = $null
$module.Result.node_services = @()
$module.Result.node_services_before = @()
$module.Result.set_files = $null
$module.Result.error_code = $null

# Immediately before the route, what the controller decided on is read again; the route runs
# only when it is as the controller gives it: this node (_checked_node), the set's files
# (_checked_files: relative path, size, last-write time), a Cluster service that answers on
# each node of _must_answer, and none that answers in a state other than stopped on a node of
# _must_be_stopped. Comparing is all this does; what to give is the controller's.
if ($module.Params._checked_node -and $module.Params._checked_node -ne $env:COMPUTERNAME) {
    $module.Result.condition = 'other_node'
    $module.FailJson("The controller decided this restore on the facts of '$($module.Params._checked_node)', not of '$env:COMPUTERNAME'; the route did not run.")
}
$module.Result.node_services_before = Get-WsfcNodeServiceFact -NodeName $module.Params._other_nodes
if ($null -ne $module.Params._checked_files) {
    try {
        $module.Result.set_files = Get-WsfcDirectoryFile -LiteralPath $path
    }
    catch {
        $module.Result.error_code = Get-WsfcWin32ErrorCode -ErrorRecord $_
        $module.FailJson("Failed to read the backup set '$path': $($_.Exception.Message)", $_)
    }
    $listed = Format-WsfcFileListing -File $module.Result.set_files
    $checked = Format-WsfcFileListing -File $module.Params._checked_files
    if ($listed -cne $checked) {
        $module.Result.condition = 'set_changed'
        $module.FailJson("The backup set '$path' is not as the controller verified it; the route did not run.")
    }
}
$unanswered = [System.Collections.Generic.List[string]]::new()
foreach ($entry in $module.Result.node_services_before) {
    if ($module.Params._must_answer -contains $entry.name -and $null -eq $entry.state) {
        $unanswered.Add([string]$entry.name)
    }
}
if ($unanswered.Count -gt 0) {
    $module.Result.condition = 'node_unreachable'
    $module.FailJson("The Cluster service could not be read on $($unanswered -join ', '); the route did not run.")
}
$running = [System.Collections.Generic.List[string]]::new()
foreach ($entry in $module.Result.node_services_before) {
    # A service that did not answer is _must_answer's to judge: the controller leaves out
    # of it only the nodes that did not answer before either (left alone as Down).
    if ($module.Params._must_be_stopped -contains $entry.name -and $null -ne $entry.state -and $entry.state -cne 'stopped') {
        $running.Add([string]$entry.name)
    }
}
if ($running.Count -gt 0) {
    $module.Result.condition = 'node_running'
    $module.FailJson("The Cluster service is not stopped on $($running -join ', '); the route did not run.")
}

if ($route -eq 'vss') {
    if (-not $module.Params._wbadmin_version -or -not $module.Params._wbadmin_target) {
        $module.FailJson("_phase=restore with route=vss needs _wbadmin_version and _wbadmin_target.")
    }
    # docs/windows-behaviour.md#wbadmin-start-recovery: the authoritative restore of the
    # cluster configuration; the command itself stops the Cluster service on the other nodes.
    # -machine names the node whose backup it is; the controller gives it with every target.
    $system32 = [Environment]::GetFolderPath([Environment+SpecialFolder]::System)
    $wbadmin = [System.IO.Path]::Combine($system32, 'wbadmin.exe')
    $arguments = [System.Collections.Generic.List[string]]::new()
    $arguments.Add('start')
    $arguments.Add('recovery')
    $arguments.Add('-version:' + $module.Params._wbadmin_version)
    $arguments.Add('-itemType:App')
    $arguments.Add('-items:cluster')
    $arguments.Add('-backupTarget:' + $module.Params._wbadmin_target)
    if ($module.Params._wbadmin_machine) {
        $arguments.Add('-machine:' + $module.Params._wbadmin_machine)
    }
    $arguments.Add('-quiet')
    $module.Result.route_command = @(, $wbadmin) + $arguments.ToArray()
    if ($module.CheckMode) {
        $module.Result.changed = $true
        $module.ExitJson()
    }
    if (-not (Test-Path -LiteralPath $wbadmin -PathType Leaf)) {
        $module.Result.condition = 'windows_server_backup_missing'
        $module.FailJson("wbadmin.exe was not found at '$wbadmin'.")
    }
    $run = Invoke-WsfcNativeCommand -FilePath $wbadmin -ArgumentList $arguments.ToArray()
    $module.Result.route_exit_code = $run.exit_code
    $module.Result.route_output = $run.output
}
else {
    # docs/windows-behaviour.md#clusapi-backup-restore: RestoreClusterDatabase(path, bForce, quorum drive); the
    # util returns the raw Win32 code (120 on Windows Server 2008 and later).
    $quorumDrive = if ($module.Params.quorum_drive) { $module.Params.quorum_drive } else { '' }
    $module.Result.route_command = @('ClusterDatabase.Restore', $path, [string]$module.Params.force, $quorumDrive)
    if ($module.CheckMode) {
        $module.Result.changed = $true
        $module.ExitJson()
    }
    $code = [ansible_collections.wsfc.clusterdb.plugins.module_utils.ClusApi.ClusterDatabase]::Restore(
        $path, $module.Params.force, $quorumDrive)
    $module.Result.route_exit_code = $code
    $module.Result.route_output = ''
}
$module.Result.changed = $true

# The states after the route: the configuration version of this node's copy, this node's
# Cluster service, and the services of the nodes the controller names (those inspect read).
$localAfter = Get-WsfcLocalDatabaseFact
foreach ($warning in $localAfter.warnings) {
    $module.Warn($warning)
}
$module.Result.paxos_tag = $localAfter.paxos_tag
$module.Result.cluster_service = Get-WsfcClusterServiceFact
$module.Result.node_services = Get-WsfcNodeServiceFact -NodeName $module.Params._other_nodes
$module.ExitJson()
