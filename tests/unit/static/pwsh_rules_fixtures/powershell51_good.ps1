# Fixture for the powershell-51 rule: Windows PowerShell 5.1 code that looks like the newer
# syntax in places; the rule must find nothing.

$matched = 'node1' -match '^node\d?$'
$optional = 'a?.b' -replace '\?\.', '.'
$question = "is it up ? yes : no"
$chained = 'wbadmin && cmd || exit'
# ${group}?.OwnerNode and $a ? 1 : 2 and $x ?? 'y' in a comment
<#
    ${nodes}?[0] in a block comment
#>
$here = @"
${group}?.OwnerNode
"@
$verbatim = @'
${nodes}?[0] && $x ?? $y
'@
$files = Get-ChildItem -LiteralPath $env:TEMP -Filter 'a?.txt'
$up = @(1, 2, 3) | Where-Object { $_ -gt 1 }
$short = @(1, 2, 3) | ? { $_ -gt 1 }
$each = @(1, 2, 3) | % { $_ * 2 }
$sequential = @(1, 2, 3) | ForEach-Object -Process { $_ }
$groups = @('a', 'b') | Group-Object -AsHashTable
$state = if ($running) { 'up' } else { 'down' }
$name = if ($null -eq $given) { 'default' } else { $given }
$owner = if ($null -ne $group) { $group.OwnerNode } else { $null }
$first = $nodes[0]
$element = @{ a = 1 }['a']

Function Read-FixtureSet {
    begin { $count = 0 }
    process { $count++ }
    end { $count }
}
