# A fixture, not a module (no "#!powershell" line, which ansible-test allows only in
# plugins/modules): one call of each kind the Windows-call contract reads, each in the form
# the collection's modules use.

#AnsibleRequires -CSharpUtil Ansible.Basic
#AnsibleRequires -PowerShell ansible_collections.wsfc.clusterdb.plugins.module_utils.FakeNative

Function Get-FakeServiceState {
    $service = Get-CimInstance -ClassName Win32_Service -Filter "Name='ClusSvc'"
    $service.State
}

Function Get-FakeDisk {
    Get-CimInstance -Namespace root\MSCluster -ClassName MSCluster_Disk | Select-Object -First 1
}

Function Get-FakePaxosTag {
    $root = 'HKLM:\Cluster'
    (Get-ItemProperty -LiteralPath $root -Name PaxosTag -ErrorAction SilentlyContinue).PaxosTag
}

Function Start-FakeNode {
    param ([bool] $Force)
    $startParams = @{ Name = $env:COMPUTERNAME; ErrorAction = 'Stop' }
    if ($Force) { $startParams.ForceQuorum = $true }
    $null = Start-ClusterNode @startParams
}

Function Backup-FakeState {
    param ([string] $Target)
    $wbadmin = [System.IO.Path]::Combine($env:SystemRoot, 'System32\wbadmin.exe')
    $arguments = @(
        'start'
        'systemstatebackup'
        ('-backupTarget:' + $Target)
        '-quiet'
    )
    Invoke-WsfcNativeCommand -FilePath $wbadmin -ArgumentList $arguments
}

Function Restore-FakeState {
    param ([string] $Version, [string] $Machine)
    $wbadmin = [System.IO.Path]::Combine($env:SystemRoot, 'System32\wbadmin.exe')
    $arguments = [System.Collections.Generic.List[string]]::new()
    $arguments.Add('start')
    $arguments.Add('recovery')
    $arguments.Add('-version:' + $Version)
    if ($Machine) {
        $arguments.Add('-machine:' + $Machine)
    }
    $arguments.Add('-quiet')
    Invoke-WsfcNativeCommand -FilePath $wbadmin -ArgumentList $arguments.ToArray()
}

$state = Get-FakeServiceState
$tags = @(Get-FakePaxosTag) | ForEach-Object { [string]$_ }
