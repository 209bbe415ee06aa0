# Fixture for the literal-path rule: every line marked "expect" gives a path to a file-system
# or registry cmdlet other than through -LiteralPath.

$path = 'C:\Backups\set[1]'
$present = Test-Path -Path $path  # expect: literal-path
$present = Test-Path $path -PathType Container  # expect: literal-path
$items = Get-ChildItem $path -Recurse  # expect: literal-path
$items = Get-ChildItem -Recurse -Force $path  # expect: literal-path
$item = Get-Item -Force:$true $path  # expect: literal-path
$items = gci $path  # expect: literal-path
Remove-Item -Path:$path -Recurse  # expect: literal-path
Copy-Item $path 'D:\Copies'  # expect: literal-path
$lines = Get-Content -Pa $path  # expect: literal-path
'text' | Out-File -FilePath $path  # expect: literal-path
'text' | Out-File $path  # expect: literal-path
Set-Content -lp $path -Value 'text'  # expect: literal-path
$tag = Get-ItemProperty -Path 'HKLM:\Cluster' -Name PaxosTag  # expect: literal-path
Microsoft.PowerShell.Management\Test-Path -Path $path  # expect: literal-path
Set-Location $path  # expect: literal-path
$hash = Get-FileHash -ErrorAction Stop $path  # expect: literal-path
$acl = Get-Acl -Path $path  # expect: literal-path
$params = @{
    Path = $path  # expect: literal-path
    Force = $true
}
$item = Get-Item @params
$more = @{}
$more.Path = $path  # expect: literal-path
Remove-Item @more
