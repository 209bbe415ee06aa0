# The fixture's wrapper for native programs: its own call operator runs what its callers
# name, so the contract reads the callers.

Function Invoke-WsfcNativeCommand {
    param (
        [Parameter(Mandatory = $true)] [string] $FilePath,
        [Parameter(Mandatory = $true)] [string[]] $ArgumentList
    )
    $lines = & $FilePath @ArgumentList 2>&1 | ForEach-Object { [string]$_ }
    @{ exit_code = $LASTEXITCODE; output = @($lines) -join "`r`n" }
}

Export-ModuleMember -Function Invoke-WsfcNativeCommand
