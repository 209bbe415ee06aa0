# Fixture for the native-wrapper rule: the wrapper itself, in a file at
# module_utils/WsfcNative.psm1. It runs a program with the call operator after setting a
# local $ErrorActionPreference; the rule must find nothing.

Function Invoke-WsfcNativeCommand {
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
    $collected = & $FilePath @ArgumentList 2>&1 | ForEach-Object { [string]$_ }
    @{
        exit_code = $LASTEXITCODE
        output = @($collected) -join "`r`n"
    }
}

Export-ModuleMember -Function Invoke-WsfcNativeCommand
