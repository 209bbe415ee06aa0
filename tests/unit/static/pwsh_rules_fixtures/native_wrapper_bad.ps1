# Fixture for the native-wrapper rule: every line marked "expect" runs a native program (or
# starts a process, or runs a string as code) outside Invoke-WsfcNativeCommand in
# plugins/module_utils/WsfcNative.psm1. The unit tests compare the marks with what the rule finds.

$wbadmin = [System.IO.Path]::Combine($env:SystemRoot, 'System32\wbadmin.exe')
$arguments = @('get', 'versions')
$null = & $wbadmin @arguments 2>&1  # expect: native-wrapper
& reg.exe load 'HKLM\WSFC_FIXTURE' 'C:\Windows\Cluster\CLUSDB'  # expect: native-wrapper
reg.exe unload 'HKLM\WSFC_FIXTURE'  # expect: native-wrapper
wbadmin get versions  # expect: native-wrapper
C:\Windows\System32\icacls.exe 'C:\Backups'  # expect: native-wrapper
& "$env:SystemRoot\System32\cmd.exe" /c exit 1  # expect: native-wrapper
& (Join-Path -Path $env:SystemRoot -ChildPath 'System32\net.exe') use  # expect: native-wrapper
. robocopy.exe 'C:\a' 'C:\b'  # expect: native-wrapper
CLUSTER.EXE /prop  # expect: native-wrapper
# In Windows PowerShell 5.1 `sc` is Set-Content's alias: both rules catch it.
sc query ClusSvc  # expect: native-wrapper, literal-path

Function Get-FixtureValue {
    # A script block defined here still runs the program when invoked, and & on a variable
    # cannot be told apart from & on a program.
    $reader = { netsh advfirewall show allprofiles }  # expect: native-wrapper
    & $reader  # expect: native-wrapper
}

Start-Process -FilePath $wbadmin -ArgumentList $arguments -Wait  # expect: native-wrapper
start $wbadmin  # expect: native-wrapper
$process = [System.Diagnostics.Process]::Start($wbadmin)  # expect: native-wrapper
Invoke-Expression "reg.exe query HKLM\Cluster"  # expect: native-wrapper
iex 'wbadmin get versions'  # expect: native-wrapper

Function Invoke-WsfcNativeCommand {
    # The wrapper's name in a file other than plugins/module_utils/WsfcNative.psm1.
    param (
        [string] $FilePath,
        [string[]] $ArgumentList
    )
    $ErrorActionPreference = 'Continue'
    & $FilePath @ArgumentList 2>&1  # expect: native-wrapper
}
