#!powershell

# Copyright: (c) 2026, wsfc.clusterdb contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic

# Starts or stops the Cluster service on this node and waits for the node's state. Thin on
# purpose: it reports raw states and the raw Win32 code of a refused cmdlet; the action
# plugin validates the options (force_quorum with prevent_quorum, a timeout below 1) and
# turns a code or a timeout into the operator's message.

$spec = @{
    options = @{
        state = @{ type = 'str'; required = $true; choices = 'started', 'stopped' }
        force_quorum = @{ type = 'bool'; default = $false }
        prevent_quorum = @{ type = 'bool'; default = $false }
        wait = @{ type = 'bool'; default = $true }
        timeout = @{ type = 'int'; default = 300 }
    }
    supports_check_mode = $true
}

$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)
$state = $module.Params.state
$forceQuorum = $module.Params.force_quorum
$preventQuorum = $module.Params.prevent_quorum
$wait = $module.Params.wait
$timeout = $module.Params.timeout

$stopwatch = [System.Diagnostics.Stopwatch]::StartNew()
$module.Result.node_name = $env:COMPUTERNAME
$module.Result.cluster_name = $null
$module.Result.node_state_before = $null
$module.Result.node_state_after = $null
$module.Result.service_state_before = $null
$module.Result.service_state_after = $null
$module.Result.timed_out = $false
$module.Result.error_code = $null
$module.Result.elapsed = 0.0

Function Get-Win32Code {
    # The Win32 code behind a failed cmdlet: the FailoverClusters cmdlets wrap a
    # Win32Exception; anything else gives its HResult (the controller unwraps facility 7).
    param([System.Exception]$Exception)
    $current = $Exception
    while ($current) {
        if ($current -is [System.ComponentModel.Win32Exception]) {
            return [int]$current.NativeErrorCode
        }
        $current = $current.InnerException
    }
    return [int]$Exception.HResult
}

Function Get-ServiceState {
    # ClusSvc (docs/windows-behaviour.md#win32-service), in the form cluster_info reports: lower case,
    # spaces as underscores (running, stopped, start_pending, stop_pending, ...).
    $service = Get-CimInstance -ClassName Win32_Service -Filter "Name='ClusSvc'"
    if (-not $service) {
        return $null
    }
    return ($service.State.ToLowerInvariant() -replace ' ', '_')
}

Function Get-NodeState {
    # This node's state as the cluster sees it (Up, Down, Paused, Joining); through the
    # cluster name when the local service cannot answer; $null when nobody can.
    param([string]$ClusterName)
    try {
        return [string](Get-ClusterNode -Name $env:COMPUTERNAME -ErrorAction Stop).State
    }
    catch {
        if (-not $ClusterName) {
            return $null
        }
    }
    try {
        return [string](Get-ClusterNode -Cluster $ClusterName -Name $env:COMPUTERNAME -ErrorAction Stop).State
    }
    catch {
        return $null
    }
}

Function Complete-Module {
    $module.Result.elapsed = [Math]::Round($stopwatch.Elapsed.TotalSeconds, 3)
    $module.ExitJson()
}

$serviceBefore = Get-ServiceState
$module.Result.service_state_before = $serviceBefore
$module.Result.service_state_after = $serviceBefore
if ($null -eq $serviceBefore) {
    $module.Result.error_code = 1060  # ERROR_SERVICE_DOES_NOT_EXIST
    $module.Result.elapsed = [Math]::Round($stopwatch.Elapsed.TotalSeconds, 3)
    $module.FailJson("The Cluster service (ClusSvc) does not exist on $env:COMPUTERNAME")
}
Import-Module -Name FailoverClusters -ErrorAction SilentlyContinue

try {
    $module.Result.cluster_name = [string](Get-Cluster -ErrorAction Stop).Name
}
catch {
    $module.Result.cluster_name = $null
}
$nodeBefore = Get-NodeState -ClusterName $module.Result.cluster_name
$module.Result.node_state_before = $nodeBefore
$module.Result.node_state_after = $nodeBefore

# Already in the requested state: the service is the thing this module starts or stops.
$wanted = if ($state -eq 'started') { 'running' } else { 'stopped' }
$needsChange = $serviceBefore -ne $wanted
$module.Result.changed = $needsChange

if ($module.CheckMode) {
    Complete-Module
}

if ($needsChange) {
    try {
        if ($state -eq 'started') {
            # -Wait 0: the cmdlet returns once the start is initiated; without -Wait it would
            # wait for the start without limit and the module's timeout would never apply
            # (docs/windows-behaviour.md#start-clusternode). The wait below polls the state.
            $startParams = @{ Name = $env:COMPUTERNAME; Wait = 0; ErrorAction = 'Stop' }
            if ($forceQuorum) { $startParams.ForceQuorum = $true }
            if ($preventQuorum) { $startParams.PreventQuorum = $true }
            $null = Start-ClusterNode @startParams
        }
        else {
            # Refused by the cluster when stopping this node would take it below quorum
            # (docs/windows-behaviour.md#stop-clusternode).
            $null = Stop-ClusterNode -Name $env:COMPUTERNAME -ErrorAction Stop
        }
    }
    catch {
        $module.Result.changed = $false
        $module.Result.error_code = Get-Win32Code -Exception $_.Exception
        $module.Result.service_state_after = Get-ServiceState
        $module.Result.node_state_after = Get-NodeState -ClusterName $module.Result.cluster_name
        $module.Result.elapsed = [Math]::Round($stopwatch.Elapsed.TotalSeconds, 3)
        $verb = if ($state -eq 'started') { 'Start-ClusterNode' } else { 'Stop-ClusterNode' }
        $module.FailJson("$verb failed on $($env:COMPUTERNAME): $($_.Exception.Message)", $_)
    }
}

# Wait: started means the node is a running member (Up, or Paused by an operator);
# stopped means the service has stopped (the cluster then sees the node Down).
Function Test-Reached {
    if ($state -eq 'started') {
        $nodeState = Get-NodeState -ClusterName $module.Result.cluster_name
        return ($nodeState -eq 'Up' -or $nodeState -eq 'Paused')
    }
    return ((Get-ServiceState) -eq 'stopped')
}

if ($wait) {
    $deadline = [DateTime]::UtcNow.AddSeconds($timeout)
    while (-not (Test-Reached)) {
        if ([DateTime]::UtcNow -ge $deadline) {
            $module.Result.timed_out = $true
            break
        }
        Start-Sleep -Milliseconds 1000
    }
}

$module.Result.service_state_after = Get-ServiceState
$module.Result.node_state_after = Get-NodeState -ClusterName $module.Result.cluster_name
Complete-Module
