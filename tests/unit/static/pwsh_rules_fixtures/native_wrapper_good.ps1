# Fixture for the native-wrapper rule: nothing here runs a native program; the rule must
# find nothing. Tricky on purpose: & and program names in strings and comments, the call
# operator on script blocks, .exe names as data.

$message = 'run & reg.exe load only through the wrapper'
$text = "wbadmin.exe get versions && cmd /c exit"
# & reg.exe load HKLM\X in a comment
<# Start-Process wbadmin; iex 'x' #>
$doubled = & { param($value) $value * 2 } 21
. { $scoped = 'dot-sourced script block' }
$output = & {
    'a script block over several lines'
}
$system32 = [Environment]::GetFolderPath([Environment+SpecialFolder]::System)
$exe = [System.IO.Path]::Combine($system32, 'wbadmin.exe')
$present = Test-Path -LiteralPath $exe -PathType Leaf
$command = Get-Command -Name reg.exe -ErrorAction SilentlyContinue
$self = [System.Diagnostics.Process]::GetCurrentProcess()
$run = Invoke-WsfcNativeCommand -FilePath $exe -ArgumentList @('get', 'versions')
Write-Output "exit code $($run.exit_code)"
