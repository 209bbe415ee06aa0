# Fixture for the powershell-51 rule: every line marked "expect" uses syntax or a cmdlet
# parameter that PowerShell 6 or 7 added. (The null-conditional operators are in
# powershell51_null_conditional_bad.ps1.txt: the grammar does not parse them.)

$state = $running ? 'up' : 'down'  # expect: powershell-51
$name = $given ?? 'default'  # expect: powershell-51
$timeout ??= 300  # expect: powershell-51
Test-Connection -ComputerName node1 && Write-Output 'reachable'  # expect: powershell-51
Get-Service -Name ClusSvc || Write-Output 'no Cluster service'  # expect: powershell-51
$names = 1..3 | ForEach-Object -Parallel { "node$_" }  # expect: powershell-51
$more = 1..3 | foreach -Parallel { $_ }  # expect: powershell-51
$short = 1..3 | % -Pa { $_ }  # expect: powershell-51
$table = '{"a": 1}' | ConvertFrom-Json -AsHashtable  # expect: powershell-51

Function Read-FixtureSet {
    begin { $count = 0 }
    process { $count++ }
    end { $count }
    clean { Remove-Variable -Name count }  # expect: powershell-51
}
