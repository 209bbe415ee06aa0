#!powershell

# Copyright: (c) 2026, wsfc.clusterdb contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic
#AnsibleRequires -CSharpUtil ansible_collections.wsfc.clusterdb.plugins.module_utils.ClusApi
#AnsibleRequires -PowerShell ansible_collections.wsfc.clusterdb.plugins.module_utils.WsfcBackupSet
#AnsibleRequires -PowerShell ansible_collections.wsfc.clusterdb.plugins.module_utils.WsfcClusterFacts
#AnsibleRequires -PowerShell ansible_collections.wsfc.clusterdb.plugins.module_utils.WsfcNative

# One phase of a cluster database backup per run, named by the internal option _phase
# (docs/internals.md, "cluster_backup"):
#   inspect   read the facts, list the sets under path and name those under each folder
#             of copies (read only);
#   backup    create path (protected, when it is new) and path\_staging_name, run the
#             route into the staging directory, list what it wrote;
#   finalize  write the manifest, then its signature (when the controller signed it),
#             then the completion marker, then rename the staging directory to _set_name.
# The action plugin (plugins/action/cluster_backup.py) decides everything between phases:
# the route, whether a backup is needed, the set name, the manifest, what a code means.
# This script makes no decision; it carries out the step it is given and reports raw facts.
#
# Every path is data: used through -LiteralPath or .NET methods, and given to wbadmin as
# one element of an argument array, never pasted into a command string.

$spec = @{
    options = @{
        path = @{ type = 'str'; required = $true }
        route = @{ type = 'str'; default = 'auto'; choices = @('auto', 'vss', 'clusapi') }
        copies = @{ type = 'list'; elements = 'str'; default = @() }
        # Internal (a leading underscore): set by the action plugin between phases, which
        # refuses them from a task.
        _phase = @{ type = 'str'; default = 'inspect'; choices = @('inspect', 'backup', 'finalize') }
        _include_configuration = @{ type = 'bool'; default = $true }
        _hash_sets = @{ type = 'str'; default = 'newest'; choices = @('all', 'newest', 'none') }
        _staging_name = @{ type = 'str' }
        _wbadmin_target = @{ type = 'str' }
        _set_name = @{ type = 'str' }
        _manifest = @{ type = 'str' }
        _signature = @{ type = 'str' }
        _home_writers = @{ type = 'list'; elements = 'str'; default = @() }
    }
    required_if = @(
        , @('_phase', 'backup', @('_staging_name'))
        , @('_phase', 'finalize', @('_staging_name', '_set_name', '_manifest'))
    )
    supports_check_mode = $true
}

$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)
$path = $module.Params.path
$phase = $module.Params._phase

$module.Result.changed = $false
$module.Result.phase = $phase

Function Exit-WsfcFileError {
    # Fails the module with the Win32 code behind a file system error (5 access denied,
    # 112 disk full, ...) in error_code; the controller explains the code.
    param (
        [Parameter(Mandatory = $true)] [string] $Message,
        [Parameter(Mandatory = $true)] [System.Management.Automation.ErrorRecord] $ErrorRecord
    )
    $module.Result.error_code = Get-WsfcWin32ErrorCode -ErrorRecord $ErrorRecord
    $module.FailJson("$Message`: $($ErrorRecord.Exception.Message)", $ErrorRecord)
}

Function New-WsfcProtectedDirectory {
    # Creates the directory that holds the sets with an ACL of its own and nothing
    # inherited (docs/windows-behaviour.md#ntfs-acl, #directory-security): full control for
    # Administrators and SYSTEM, named by SID, and Modify for each writer the controller
    # names (the cluster's nodes' computer accounts, as which wbadmin writes to a share).
    # Its parent is created first, without one, so that only this directory gets it.
    param (
        [Parameter(Mandatory = $true)] [string] $LiteralPath,
        [AllowEmptyCollection()] [string[]] $Writer = @()
    )
    $inherit = [System.Security.AccessControl.InheritanceFlags]'ContainerInherit, ObjectInherit'
    $propagation = [System.Security.AccessControl.PropagationFlags]::None
    $allow = [System.Security.AccessControl.AccessControlType]::Allow
    $security = [System.Security.AccessControl.DirectorySecurity]::new()
    foreach ($sid in @('S-1-5-32-544', 'S-1-5-18')) {
        $identity = [System.Security.Principal.SecurityIdentifier]::new($sid)
        $rule = [System.Security.AccessControl.FileSystemAccessRule]::new(
            $identity, [System.Security.AccessControl.FileSystemRights]::FullControl, $inherit, $propagation, $allow)
        $security.AddAccessRule($rule)
    }
    foreach ($account in $Writer) {
        $rule = [System.Security.AccessControl.FileSystemAccessRule]::new(
            $account, [System.Security.AccessControl.FileSystemRights]::Modify, $inherit, $propagation, $allow)
        $security.AddAccessRule($rule)
    }
    $security.SetAccessRuleProtection($true, $false)
    $parent = [System.IO.Path]::GetDirectoryName($LiteralPath)
    if ($parent) {
        $null = [System.IO.Directory]::CreateDirectory($parent)
    }
    $null = [System.IO.Directory]::CreateDirectory($LiteralPath, $security)
}

Function Assert-WsfcPathIsNotFile {
    # A backup path that names a file: ERROR_DIRECTORY (267), before anything is written
    # (docs/windows-behaviour.md#clusapi-backup-restore: the path must be a directory).
    if ((Test-Path -LiteralPath $path) -and -not (Test-Path -LiteralPath $path -PathType Container)) {
        $module.Result.error_code = 267
        $module.FailJson("The backup path '$path' names a file, not a directory.")
    }
}

if ($phase -eq 'inspect') {
    $module.Result.node_name = $env:COMPUTERNAME
    $module.Result.os = Get-WsfcOsFact
    $module.Result.backup_tools = Get-WsfcBackupToolFact
    $module.Result.cluster_service = Get-WsfcClusterServiceFact
    $paxosTag = Get-WsfcPaxosTag
    $module.Result.configuration_version = @{
        paxos_tag = $paxosTag
        source = if ($null -ne $paxosTag) { 'cluster' } else { 'none' }
    }
    $clusterFacts = @{
        cluster = $null
        nodes = @()
        core_group_owner = $null
        quorum = $null
        configuration = $null
        cluster_error = $null
    }
    if ($module.Result.cluster_service.installed) {
        $clusterFacts = Get-WsfcClusterFact -IncludeConfiguration:$module.Params._include_configuration
    }
    $module.Result.cluster = $clusterFacts.cluster
    $module.Result.nodes = $clusterFacts.nodes
    $module.Result.core_group_owner = $clusterFacts.core_group_owner
    $module.Result.quorum = $clusterFacts.quorum
    $module.Result.configuration = $clusterFacts.configuration
    $module.Result.cluster_error = $clusterFacts.cluster_error
    try {
        $module.Result.path_info = Get-WsfcBackupPathInfo -LiteralPath $path
        $module.Result.sets = Get-WsfcBackupSetListing -LiteralPath $path -HashSets $module.Params._hash_sets
    }
    catch {
        Exit-WsfcFileError -Message "Failed to list the backup sets under '$path'" -ErrorRecord $_
    }

    # The other folders that keep copies of the sets: the names of the sets each holds
    # (a directory with the completion marker and a manifest), nothing hashed. A folder
    # that is missing or cannot be read is reported in its entry, not as a failure: the
    # controller says what it means for that copy.
    $copies = [System.Collections.Generic.List[hashtable]]::new()
    foreach ($copyPath in $module.Params.copies) {
        $copy = @{
            path = $copyPath
            exists = $false
            is_directory = $false
            sets = $null
            error_code = $null
            message = $null
        }
        try {
            $copyInfo = Get-WsfcBackupPathInfo -LiteralPath $copyPath
            $copy.exists = $copyInfo.exists
            $copy.is_directory = $copyInfo.is_directory
            if ($copyInfo.is_directory) {
                $listing = Get-WsfcBackupSetListing -LiteralPath $copyPath -HashSets 'none'
                $names = [System.Collections.Generic.List[string]]::new()
                foreach ($listed in $listing) {
                    if ($listed.marker_present -and $null -ne $listed.manifest_text) {
                        $names.Add($listed.name)
                    }
                }
                $copy.sets = $names.ToArray()
            }
        }
        catch {
            $copy.error_code = Get-WsfcWin32ErrorCode -ErrorRecord $_
            $copy.message = $_.Exception.Message
        }
        $copies.Add($copy)
    }
    $module.Result.copies = $copies.ToArray()
    $module.ExitJson()
}

$stagingPath = [System.IO.Path]::Combine($path, $module.Params._staging_name)
$module.Result.staging_path = $stagingPath

if ($phase -eq 'backup') {
    $route = $module.Params.route
    if ($route -eq 'auto') {
        $module.FailJson("_phase=backup needs route vss or clusapi; the action plugin resolves auto.")
    }
    if ($route -eq 'vss' -and -not $module.Params._wbadmin_target) {
        $module.FailJson("_phase=backup with route=vss needs _wbadmin_target.")
    }
    Assert-WsfcPathIsNotFile
    $module.Result.route = $route
    $module.Result.route_exit_code = $null
    $module.Result.route_output = $null
    $module.Result.route_started = $null
    $module.Result.versions_output = $null
    $module.Result.items_outputs = @{}
    $module.Result.paxos_tag_before = Get-WsfcPaxosTag
    $module.Result.paxos_tag = $null
    $module.Result.files = @()
    if ($module.CheckMode) {
        $module.Result.changed = $true
        $module.ExitJson()
    }

    # A directory this module creates to hold sets is protected like the backup role's
    # destinations when the controller names the nodes' accounts (without them wbadmin,
    # writing as the computer account, could not write into it); one that exists already
    # keeps the ACL its owner gave it.
    $module.Result.home_created = $false
    if ($module.Params._home_writers.Count -gt 0 -and -not (Test-Path -LiteralPath $path)) {
        try {
            New-WsfcProtectedDirectory -LiteralPath $path -Writer $module.Params._home_writers
        }
        catch {
            Exit-WsfcFileError -Message "Failed to create the backup path '$path'" -ErrorRecord $_
        }
        $module.Result.home_created = $true
        $module.Result.changed = $true
    }

    if (Test-Path -LiteralPath $stagingPath) {
        # ERROR_ALREADY_EXISTS: a staging directory is never reused.
        $module.Result.error_code = 183
        $module.FailJson("The staging directory '$stagingPath' exists already.")
    }
    try {
        $null = [System.IO.Directory]::CreateDirectory($stagingPath)
    }
    catch {
        Exit-WsfcFileError -Message "Failed to create the staging directory '$stagingPath'" -ErrorRecord $_
    }
    $module.Result.changed = $true
    # The node's clock, in UTC to the second: the controller matches it against wbadmin's
    # version identifiers (minute resolution, UTC).
    $module.Result.route_started = [DateTime]::UtcNow.ToString('yyyy-MM-ddTHH:mm:ssZ', [System.Globalization.CultureInfo]::InvariantCulture)

    if ($route -eq 'vss') {
        # docs/windows-behaviour.md#wbadmin-start-systemstatebackup: wbadmin start systemstatebackup -backupTarget:<volume or
        # \\server\share> -quiet. The target is given by the controller (a UNC path to the
        # staging directory); it travels as one element of the argument array.
        $system32 = [Environment]::GetFolderPath([Environment+SpecialFolder]::System)
        $wbadmin = [System.IO.Path]::Combine($system32, 'wbadmin.exe')
        if (-not (Test-Path -LiteralPath $wbadmin -PathType Leaf)) {
            $module.Result.condition = 'windows_server_backup_missing'
            $module.FailJson("wbadmin.exe was not found at '$wbadmin'.")
        }
        $arguments = @(
            'start'
            'systemstatebackup'
            ('-backupTarget:' + $module.Params._wbadmin_target)
            '-quiet'
        )
        $module.Result.route_command = @(, $wbadmin) + $arguments
        $run = Invoke-WsfcNativeCommand -FilePath $wbadmin -ArgumentList $arguments
        $module.Result.route_exit_code = $run.exit_code
        $module.Result.route_output = $run.output

        # The start command may not print the version identifier the backup got; the
        # versions at the target do (docs/windows-behaviour.md#wbadmin-get-versions). -machine
        # goes with every -backupTarget (#wbadmin-start-recovery, #wbadmin-get-items).
        $versionArguments = @(
            'get'
            'versions'
            ('-backupTarget:' + $module.Params._wbadmin_target)
            ('-machine:' + $env:COMPUTERNAME)
        )
        $module.Result.versions_output = (Invoke-WsfcNativeCommand -FilePath $wbadmin -ArgumentList $versionArguments).output

        # What each version at the target holds (#wbadmin-get-items): the controller checks
        # that the new one lists the Cluster application. The staging target is new, so it
        # normally holds one version; every identifier found is asked, in the documented
        # MM/DD/YYYY-HH:MM form (#wbadmin-version-identifier), whatever the display language.
        $itemsOutputs = @{}
        foreach ($match in [regex]::Matches([string]$module.Result.versions_output, '(?<!\d)\d{2}/\d{2}/\d{4}-\d{2}:\d{2}(?!\d)')) {
            $versionId = $match.Value
            if ($itemsOutputs.ContainsKey($versionId)) {
                continue
            }
            $itemArguments = @(
                'get'
                'items'
                ('-version:' + $versionId)
                ('-backupTarget:' + $module.Params._wbadmin_target)
                ('-machine:' + $env:COMPUTERNAME)
            )
            $itemsOutputs[$versionId] = (Invoke-WsfcNativeCommand -FilePath $wbadmin -ArgumentList $itemArguments).output
        }
        $module.Result.items_outputs = $itemsOutputs
    }
    else {
        # docs/windows-behaviour.md#clusapi-backup-restore: BackupClusterDatabase into a directory; the util
        # returns the raw Win32 code (120 on Windows Server 2008 and later).
        $module.Result.route_command = @('ClusterDatabase.Backup', '', $stagingPath)
        $code = [ansible_collections.wsfc.clusterdb.plugins.module_utils.ClusApi.ClusterDatabase]::Backup('', $stagingPath)
        $module.Result.route_exit_code = $code
        $module.Result.route_output = ''
    }

    $module.Result.paxos_tag = Get-WsfcPaxosTag
    try {
        $module.Result.files = Get-WsfcDirectoryFile -LiteralPath $stagingPath -Hash
    }
    catch {
        Exit-WsfcFileError -Message "Failed to list what the backup wrote to '$stagingPath'" -ErrorRecord $_
    }
    $module.ExitJson()
}

# phase finalize: manifest, then its signature, then marker, then the rename; each step
# only after the one before it succeeded, so a set directory without the marker was never
# finished.
$names = Get-WsfcBackupSetFileName
$setPath = [System.IO.Path]::Combine($path, $module.Params._set_name)
$module.Result.set_path = $setPath
if ($module.CheckMode) {
    $module.Result.changed = $true
    $module.ExitJson()
}
if (-not (Test-Path -LiteralPath $stagingPath -PathType Container)) {
    # ERROR_PATH_NOT_FOUND
    $module.Result.error_code = 3
    $module.FailJson("The staging directory '$stagingPath' does not exist.")
}
if (Test-Path -LiteralPath $setPath) {
    $module.Result.error_code = 183
    $module.FailJson("The set directory '$setPath' exists already.")
}
try {
    $utf8NoBom = [System.Text.UTF8Encoding]::new($false)
    [System.IO.File]::WriteAllText(
        [System.IO.Path]::Combine($stagingPath, $names.manifest), $module.Params._manifest, $utf8NoBom)
    $module.Result.changed = $true
    if ($module.Params._signature) {
        [System.IO.File]::WriteAllText(
            [System.IO.Path]::Combine($stagingPath, $names.signature), $module.Params._signature, $utf8NoBom)
    }
    [System.IO.File]::WriteAllText([System.IO.Path]::Combine($stagingPath, $names.marker), '', $utf8NoBom)
    [System.IO.Directory]::Move($stagingPath, $setPath)
}
catch {
    Exit-WsfcFileError -Message "Failed to finish the set '$setPath'" -ErrorRecord $_
}
$module.ExitJson()
