# Copyright: (c) 2026, wsfc.clusterdb contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# The backup set listing shared by cluster_backup (phase inspect) and backup_set_info, and
# the file listing with SHA-256 that cluster_backup's backup phase returns.
#
# Raw facts only (docs/internals.md, "The set listing"): which directories exist under a
# backup path, whether each holds the completion marker, the text of its manifest, and the
# files with size and SHA-256 when asked. Whether a set is complete, corrupt, the newest of a
# cluster or holds a given configuration version is decided on the controller
# (plugin_utils._manifest).
#
# Every path is used through -LiteralPath or a .NET method: wildcard characters ([, ], *, ?)
# and PowerShell metacharacters in a path are data, never syntax.
#
# Loaded with
#   #AnsibleRequires -PowerShell ansible_collections.wsfc.clusterdb.plugins.module_utils.WsfcBackupSet

# The names of the two files a finished set holds besides the backup itself; the controller
# (plugin_utils._manifest) uses the same names.
$script:WsfcManifestFileName = 'manifest.json'
$script:WsfcMarkerFileName = 'backup.complete'
# The manifest's signature, when the backup signed it (plugin_utils._signing).
$script:WsfcSignatureFileName = 'manifest.sig'

Function Get-WsfcBackupSetFileName {
    <#
    .SYNOPSIS
    The names of the manifest, its signature and the completion marker inside a set.
    #>
    [OutputType([hashtable])]
    param ()

    @{
        manifest = $script:WsfcManifestFileName
        marker = $script:WsfcMarkerFileName
        signature = $script:WsfcSignatureFileName
    }
}

Function Get-WsfcFileSha256 {
    <#
    .SYNOPSIS
    The SHA-256 of a file, as 64 lower-case hexadecimal digits.

    .DESCRIPTION
    Streams the file (backup files can be several gigabytes) and lets other readers share
    it. Get-FileHash is not used: it takes -LiteralPath only from PowerShell 4 and reports
    upper case, and the controller compares lower case.
    #>
    [OutputType([string])]
    param (
        [Parameter(Mandatory = $true)]
        [string]
        $LiteralPath
    )

    $stream = [System.IO.File]::Open(
        $LiteralPath,
        [System.IO.FileMode]::Open,
        [System.IO.FileAccess]::Read,
        [System.IO.FileShare]::Read
    )
    try {
        $algorithm = [System.Security.Cryptography.SHA256]::Create()
        try {
            $digest = $algorithm.ComputeHash($stream)
        }
        finally {
            $algorithm.Dispose()
        }
    }
    finally {
        $stream.Dispose()
    }
    [System.BitConverter]::ToString($digest).Replace('-', '').ToLowerInvariant()
}

Function Get-WsfcDirectoryFile {
    <#
    .SYNOPSIS
    Every file below a directory: relative path (backslashes), size in bytes, last-write
    time (UTC, round-trip format), and SHA-256 when -Hash is set.

    .DESCRIPTION
    Hidden and system files are included (-Force): the legacy route's marker Clusbackup.dat
    is hidden and read-only, and wbadmin's catalog files may be hidden. The list is sorted
    by relative path (ordinal) so two listings of the same directory compare equal.
    #>
    [OutputType([hashtable[]])]
    param (
        [Parameter(Mandatory = $true)]
        [string]
        $LiteralPath,

        [switch]
        $Hash
    )

    $root = (Get-Item -LiteralPath $LiteralPath -Force -ErrorAction Stop).FullName.TrimEnd('\')
    $files = @(Get-ChildItem -LiteralPath $LiteralPath -Recurse -File -Force -ErrorAction Stop)
    $sorted = [System.Collections.Generic.List[hashtable]]::new()
    foreach ($file in $files) {
        $entry = @{
            path = $file.FullName.Substring($root.Length).TrimStart('\')
            size = [int64]$file.Length
            # docs/windows-behaviour.md#file-last-write-time: 'o' is the round-trip format,
            # the same text whatever the node's culture.
            last_write_utc = $file.LastWriteTimeUtc.ToString('o')
            sha256 = $null
        }
        if ($Hash) {
            $entry.sha256 = Get-WsfcFileSha256 -LiteralPath $file.FullName
        }
        $sorted.Add($entry)
    }
    $sorted.Sort([System.Comparison[hashtable]] {
            param($left, $right)
            [string]::CompareOrdinal($left.path, $right.path)
        })
    , $sorted.ToArray()
}

Function Get-WsfcBackupPathInfo {
    <#
    .SYNOPSIS
    Whether the backup path exists and whether it is a directory.
    #>
    [OutputType([hashtable])]
    param (
        [Parameter(Mandatory = $true)]
        [string]
        $LiteralPath
    )

    @{
        exists = [bool](Test-Path -LiteralPath $LiteralPath)
        is_directory = [bool](Test-Path -LiteralPath $LiteralPath -PathType Container)
    }
}

Function Get-WsfcBackupSetListing {
    <#
    .SYNOPSIS
    The sets under a backup path: one entry per directory directly under it.

    .DESCRIPTION
    Each entry has name, marker_present, manifest_text (the raw text of manifest.json, or
    $null), signature_text (the raw text of manifest.sig, or $null) and files (relative path, size, sha256) when the set was hashed, else $null.

    -HashSets says which sets are hashed:
      all     every directory;
      newest  the directory with the greatest name (ordinal) among those that hold the
              marker: set names begin with their UTC creation time, so that is the
              newest;
      none    no directory.
    Nothing under the path is changed.
    #>
    [OutputType([hashtable[]])]
    param (
        [Parameter(Mandatory = $true)]
        [string]
        $LiteralPath,

        [ValidateSet('all', 'newest', 'none')]
        [string]
        $HashSets = 'none'
    )

    if (-not (Test-Path -LiteralPath $LiteralPath -PathType Container)) {
        return , @()
    }

    $directories = @(Get-ChildItem -LiteralPath $LiteralPath -Directory -Force -ErrorAction Stop)
    $sets = [System.Collections.Generic.List[hashtable]]::new()
    foreach ($directory in $directories) {
        $markerPath = Join-Path -Path $directory.FullName -ChildPath $script:WsfcMarkerFileName
        $manifestPath = Join-Path -Path $directory.FullName -ChildPath $script:WsfcManifestFileName
        $manifestText = $null
        if (Test-Path -LiteralPath $manifestPath -PathType Leaf) {
            # ReadAllText detects a byte order mark and defaults to UTF-8 without one.
            $manifestText = [System.IO.File]::ReadAllText($manifestPath)
        }
        $signaturePath = Join-Path -Path $directory.FullName -ChildPath $script:WsfcSignatureFileName
        $signatureText = $null
        if (Test-Path -LiteralPath $signaturePath -PathType Leaf) {
            $signatureText = [System.IO.File]::ReadAllText($signaturePath)
        }
        $sets.Add(@{
                name = $directory.Name
                full_name = $directory.FullName
                marker_present = [bool](Test-Path -LiteralPath $markerPath -PathType Leaf)
                manifest_text = $manifestText
                signature_text = $signatureText
                files = $null
            })
    }
    $sets.Sort([System.Comparison[hashtable]] {
            param($left, $right)
            [string]::CompareOrdinal($left.name, $right.name)
        })

    $toHash = @()
    if ($HashSets -eq 'all') {
        $toHash = @($sets)
    }
    elseif ($HashSets -eq 'newest') {
        $candidates = @($sets | Where-Object { $_.marker_present })
        if ($candidates.Count -gt 0) {
            $toHash = @($candidates[-1])
        }
    }
    foreach ($set in $toHash) {
        $set.files = Get-WsfcDirectoryFile -LiteralPath $set.full_name -Hash
    }

    # A List, not the output of a loop: a loop with no output assigned to a variable is
    # $null, and @($null) would be a list of one.
    $listing = [System.Collections.Generic.List[hashtable]]::new()
    foreach ($set in $sets) {
        $listing.Add(@{
                name = $set.name
                marker_present = $set.marker_present
                manifest_text = $set.manifest_text
                signature_text = $set.signature_text
                files = $set.files
            })
    }
    , $listing.ToArray()
}

Function Get-WsfcWin32ErrorCode {
    <#
    .SYNOPSIS
    The Win32 error code behind a failed file operation, or $null when there is none.

    .DESCRIPTION
    .NET reports Win32 failures of the file system as an HRESULT of facility 7
    (0x8007xxxx: ERROR_ACCESS_DENIED 5 as 0x80070005, ERROR_DISK_FULL 112 as 0x80070070);
    a Win32Exception carries the code itself. The controller explains the code.
    #>
    [OutputType([object])]
    param (
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.ErrorRecord]
        $ErrorRecord
    )

    $exception = $ErrorRecord.Exception
    while ($null -ne $exception) {
        if ($exception -is [System.ComponentModel.Win32Exception]) {
            return [int]$exception.NativeErrorCode
        }
        # HResult is a signed 32-bit value: the failure bit makes it negative; bits 16-26
        # are the facility. (Hexadecimal literals above 0x7FFFFFFF are avoided: Windows
        # PowerShell reads them as negative Int32 values.)
        $hresult = [int]$exception.HResult
        $facility = ($hresult -shr 16) -band 0x7FF
        if ($hresult -lt 0 -and $facility -eq 7) {
            return [int]($hresult -band 0xFFFF)
        }
        $exception = $exception.InnerException
    }
    $null
}

Export-ModuleMember -Function @(
    'Get-WsfcBackupSetFileName'
    'Get-WsfcFileSha256'
    'Get-WsfcDirectoryFile'
    'Get-WsfcBackupPathInfo'
    'Get-WsfcBackupSetListing'
    'Get-WsfcWin32ErrorCode'
)
