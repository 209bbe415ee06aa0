# Fixture for the literal-path rule: paths go through -LiteralPath (or a cmdlet the rule
# does not cover); the rule must find nothing.

$path = 'C:\Backups\set[1]'
$child = Join-Path -Path $path -ChildPath 'manifest.json'
$child = Join-Path $path 'manifest.json'
$parent = Split-Path -Path $path -Parent
$present = Test-Path -LiteralPath $path -PathType Container
$items = Get-ChildItem -LiteralPath $path -Filter '*.json' -Recurse -Force
# After -LiteralPath a positional argument binds to -Filter, not to a path.
$items = Get-ChildItem -LiteralPath $path '*.json'
$item = Get-Item -PSPath $path
$item = Get-Item -Lit $path
$items = Get-ChildItem
$null = New-Item -Path $path -ItemType Directory -Force
$null = New-Item $path -ItemType File
Set-Content -LiteralPath $child -Value 'text'
Set-Content -LiteralPath $child 'text'
Copy-Item -LiteralPath $path -Destination 'D:\Copies' -Recurse
'text' | Out-File -LiteralPath $child -Encoding utf8
$tag = Get-ItemProperty -LiteralPath 'HKLM:\Cluster' -Name PaxosTag
$params = @{
    LiteralPath = $path
    Force = $true
    Filter = @{ Path = 'nested, not a parameter' }
}
$item = Get-Item @params
$options = @{}
$options.Path = 'not splatted into a path cmdlet'
$command = 'Test-Path -Path C:\x'
# Test-Path -Path $path in a comment
$found = & { Test-Path -LiteralPath $path }
$exe = [System.IO.Path]::Combine($path, 'manifest.json')
