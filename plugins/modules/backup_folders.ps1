#!powershell

# Copyright: (c) 2026, wsfc.clusterdb contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic
#AnsibleRequires -PowerShell ansible_collections.wsfc.clusterdb.plugins.module_utils.WsfcBackupSet

# Creates the folders that hold backup sets and gives each an ACL of its own: the access
# rules the controller names, present or absent, and nothing inherited from the folders
# above (docs/windows-behaviour.md#ntfs-acl, #directory-security, #directory-acl). One run
# does for every folder what win_stat, win_file, win_acl once per rule and
# win_acl_inheritance did.
#
# Thin on purpose: the action plugin checks the options and turns a code into the
# operator's message. Before anything is changed, this script looks at every folder and
# every account: a folder (or the folder it is made in) that is a file gives
# ERROR_DIRECTORY (267), an account that does not resolve gives ERROR_NONE_MAPPED (1332),
# and nothing is written.

$spec = @{
    options = @{
        folders = @{
            type = 'list'
            elements = 'dict'
            required = $true
            options = @{
                path = @{ type = 'str'; required = $true }
                access = @{
                    type = 'list'
                    elements = 'dict'
                    default = @()
                    options = @{
                        account = @{ type = 'str'; required = $true }
                        rights = @{ type = 'str'; required = $true; choices = @('FullControl', 'Modify') }
                        state = @{ type = 'str'; default = 'present'; choices = @('absent', 'present') }
                    }
                }
            }
        }
    }
    supports_check_mode = $true
}

$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)
$module.Result.changed = $false
$module.Result.node_name = $env:COMPUTERNAME
$module.Result.folders = @()
$module.Result.not_directories = @()
$module.Result.unresolved_accounts = @()
$module.Result.error_code = $null

$inherit = [System.Security.AccessControl.InheritanceFlags]'ContainerInherit, ObjectInherit'
$propagation = [System.Security.AccessControl.PropagationFlags]::None
$allow = [System.Security.AccessControl.AccessControlType]::Allow
$sidType = [System.Security.Principal.SecurityIdentifier]

Function Test-WsfcFile {
    # Whether something at the path is a file (not a folder): a folder cannot be made there.
    param([string]$LiteralPath)
    return ((Test-Path -LiteralPath $LiteralPath) -and -not (Test-Path -LiteralPath $LiteralPath -PathType Container))
}

# Look first: every folder and the folder it is made in, every account.
$sids = @{}
foreach ($folder in $module.Params.folders) {
    $parent = [System.IO.Path]::GetDirectoryName($folder.path)
    foreach ($candidate in @($parent, $folder.path)) {
        if ($candidate -and (Test-WsfcFile -LiteralPath $candidate)) {
            $module.Result.not_directories += $candidate
        }
    }
    foreach ($rule in $folder.access) {
        if ($sids.ContainsKey($rule.account)) {
            continue
        }
        try {
            if ($rule.account -match '^S-1-') {
                # A SID string (SDDL form), as the role names Administrators and SYSTEM: the
                # same on a Windows in any display language (docs/windows-behaviour.md#ntfs-acl).
                $sids[$rule.account] = [System.Security.Principal.SecurityIdentifier]::new($rule.account)
            }
            else {
                $sids[$rule.account] = ([System.Security.Principal.NTAccount]$rule.account).Translate($sidType)
            }
        }
        catch {
            $module.Result.unresolved_accounts += $rule.account
        }
    }
}
if ($module.Result.not_directories.Count -gt 0) {
    $module.Result.error_code = 267  # ERROR_DIRECTORY
    $module.FailJson("A folder cannot be made where a file is: $($module.Result.not_directories -join ', ')")
}
if ($module.Result.unresolved_accounts.Count -gt 0) {
    $module.Result.error_code = 1332  # ERROR_NONE_MAPPED
    $module.FailJson("No security identifier for: $($module.Result.unresolved_accounts -join ', ')")
}

Function Find-WsfcRule {
    # The explicit allow rule of this account, flags and rights (win_acl's test: rights as
    # the rule stores them, Synchronize added to an allow rule, fact directory-acl).
    param($Security, $Wanted)
    foreach ($existing in $Security.GetAccessRules($true, $false, $sidType)) {
        if ($existing.IdentityReference -eq $Wanted.IdentityReference -and
            $existing.AccessControlType -eq $Wanted.AccessControlType -and
            $existing.InheritanceFlags -eq $Wanted.InheritanceFlags -and
            $existing.PropagationFlags -eq $Wanted.PropagationFlags -and
            $existing.FileSystemRights -eq $Wanted.FileSystemRights) {
            return $existing
        }
    }
    return $null
}

foreach ($folder in $module.Params.folders) {
    $path = $folder.path
    $report = @{
        path = $path
        created = $false
        protected_before = $false
        rules_added = @()
        rules_removed = @()
        changed = $false
    }
    try {
        if (-not (Test-Path -LiteralPath $path -PathType Container)) {
            $report.created = $true
            if (-not $module.CheckMode) {
                $null = [System.IO.Directory]::CreateDirectory($path)
            }
        }
        if ($report.created -and $module.CheckMode) {
            # The folder that would be made inherits what is above it: every rule is added.
            $security = $null
        }
        else {
            $security = [System.IO.Directory]::GetAccessControl($path)
            $report.protected_before = $security.AreAccessRulesProtected
        }
        foreach ($rule in $folder.access) {
            $rights = [System.Security.AccessControl.FileSystemRights]$rule.rights
            $wanted = [System.Security.AccessControl.FileSystemAccessRule]::new(
                $sids[$rule.account], $rights, $inherit, $propagation, $allow)
            $found = if ($security) { Find-WsfcRule -Security $security -Wanted $wanted } else { $null }
            $text = "$($rule.account): $($rule.rights)"
            if ($rule.state -eq 'present' -and -not $found) {
                $report.rules_added += $text
                if ($security) { $security.AddAccessRule($wanted) }
            }
            elseif ($rule.state -eq 'absent' -and $found) {
                $report.rules_removed += $text
                $security.RemoveAccessRuleSpecific($found)
            }
        }
        $protect = -not $report.protected_before
        if ($security -and $protect) {
            $security.SetAccessRuleProtection($true, $false)
        }
        $report.changed = $report.created -or $protect -or $report.rules_added.Count -gt 0 -or $report.rules_removed.Count -gt 0
        if ($report.changed -and $security -and -not $module.CheckMode) {
            [System.IO.Directory]::SetAccessControl($path, $security)
        }
    }
    catch {
        $module.Result.folders += $report
        $module.Result.error_code = Get-WsfcWin32ErrorCode -ErrorRecord $_
        $module.FailJson("Failed to prepare the folder '$path': $($_.Exception.Message)", $_)
    }
    $module.Result.folders += $report
    if ($report.changed) {
        $module.Result.changed = $true
    }
}

$module.ExitJson()
