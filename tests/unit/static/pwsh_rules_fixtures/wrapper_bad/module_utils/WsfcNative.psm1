# Fixture for the native-wrapper rule: the right file, wrong code. The wrapper runs the
# program before it sets a local $ErrorActionPreference (and once with 'Stop'), starts a
# process, and another function of the file runs a program itself.

Function Invoke-WsfcNativeCommand {
    param (
        [string] $FilePath,
        [string[]] $ArgumentList
    )

    $early = & $FilePath @ArgumentList 2>&1  # expect: native-wrapper
    $ErrorActionPreference = 'Stop'
    $strict = & $FilePath @ArgumentList 2>&1  # expect: native-wrapper
    $ErrorActionPreference = 'Continue'
    $late = & $FilePath @ArgumentList 2>&1
    Start-Process -FilePath $FilePath -ArgumentList $ArgumentList  # expect: native-wrapper
    @{ output = @($early) + @($strict) + @($late) }
}

Function Invoke-Other {
    param ([string] $FilePath)
    $ErrorActionPreference = 'Continue'
    & $FilePath  # expect: native-wrapper
}
