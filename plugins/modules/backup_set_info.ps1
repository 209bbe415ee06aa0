#!powershell

# Copyright: (c) 2026, wsfc.clusterdb contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic
#AnsibleRequires -PowerShell ansible_collections.wsfc.clusterdb.plugins.module_utils.WsfcBackupSet

# Lists the backup sets under a path: raw facts only (docs/internals.md, "The set listing").
# Verifying each set against its manifest, its status, the cluster_name filter and the
# newest complete set are the controller's work (plugins/action/backup_set_info.py).
# Read only: nothing under the path is changed, so check mode runs the same listing.

$spec = @{
    options = @{
        path = @{ type = 'str'; required = $true }
        verify = @{ type = 'bool'; default = $true }
        # Applied on the controller to the manifests' cluster names; accepted here so that a
        # run without the action plugin does not fail on it.
        cluster_name = @{ type = 'str' }
    }
    supports_check_mode = $true
}

$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)
$path = $module.Params.path
$hashSets = if ($module.Params.verify) { 'all' } else { 'none' }

$module.Result.changed = $false
$module.Result.node_name = $env:COMPUTERNAME
try {
    $module.Result.path_info = Get-WsfcBackupPathInfo -LiteralPath $path
    $module.Result.sets = Get-WsfcBackupSetListing -LiteralPath $path -HashSets $hashSets
}
catch {
    $module.Result.error_code = Get-WsfcWin32ErrorCode -ErrorRecord $_
    $module.FailJson("Failed to list the backup sets under '$path': $($_.Exception.Message)", $_)
}
$module.ExitJson()
