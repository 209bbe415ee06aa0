# Copyright: (c) 2026, wsfc.clusterdb contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# The one way the collection runs a native program (wbadmin.exe, reg.exe). Every module runs
# under Ansible's $ErrorActionPreference = 'Stop', with which Windows PowerShell 5.1 turns the
# first line a native program writes to a redirected stderr into a terminating error
# (docs/windows-behaviour.md#powershell-native-stderr); the preference is set locally here, so
# stderr stays text and the exit code is read. The project's PowerShell rules allow the call
# operator on a program in this function only.
#
# Loaded with
#   #AnsibleRequires -PowerShell ansible_collections.wsfc.clusterdb.plugins.module_utils.WsfcNative

Function Invoke-WsfcNativeCommand {
    <#
    .SYNOPSIS
    Runs a program with an argument array and returns its exit code and its stdout and
    stderr as one text (lines joined with CR LF).

    .DESCRIPTION
    Each element of ArgumentList is one argument, never parsed as PowerShell: paths and
    other data travel as they are.
    #>
    [OutputType([hashtable])]
    param (
        [Parameter(Mandatory = $true)]
        [string]
        $FilePath,

        [Parameter(Mandatory = $true)]
        [AllowEmptyCollection()]
        [string[]]
        $ArgumentList
    )

    $ErrorActionPreference = 'Continue'
    $lines = & $FilePath @ArgumentList 2>&1 | ForEach-Object { [string]$_ }
    @{
        exit_code = $LASTEXITCODE
        output = @($lines) -join "`r`n"
    }
}

Export-ModuleMember -Function @(
    'Invoke-WsfcNativeCommand'
)
