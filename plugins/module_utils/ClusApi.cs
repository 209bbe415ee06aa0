// The legacy clusapi.dll route: back up and restore the cluster database through
// OpenCluster / BackupClusterDatabase / RestoreClusterDatabase / CloseCluster.
//
// Source: docs/windows-behaviour.md#clusapi-backup-restore, which
// takes the signatures from mingw-w64 clusapi.h, the error codes from mingw-w64 winerror.h,
// and the behaviour from the Win32 reference pages of BackupClusterDatabase and
// RestoreClusterDatabase. On Windows Server 2008 and later both database functions do
// nothing and return ERROR_CALL_NOT_IMPLEMENTED (120); MS-CMRP (ApiBackupClusterDatabase,
// opnum 104) requires that answer from the server.
//
// This util is deliberately thin: it makes the calls and returns the raw Win32 code of each
// one. Retries, messages and the meaning of a code belong to the controller-side Python.
//
// Loaded by a module with
//   #AnsibleRequires -CSharpUtil ansible_collections.wsfc.clusterdb.plugins.module_utils.ClusApi
// The namespace mirrors that name, as ansible.windows' own C# utils do. Kept to C# 5 syntax:
// Windows PowerShell 5.1's Add-Type refuses C# 6 (checked with mcs -langversion:5).
//
// From PowerShell, $null passed to a [string] method parameter arrives as "" (PowerShell
// converts it); so an empty cluster name or drive letter is sent to clusapi as NULL, the way
// a caller that wrote $null meant it. The backup and restore paths are passed unchanged.

using System;
using System.Runtime.InteropServices;

//TypeAccelerator -Name WsfcClusterDb.ClusterDatabase -TypeName ClusterDatabase

namespace ansible_collections.wsfc.clusterdb.plugins.module_utils.ClusApi
{
    internal static class NativeMethods
    {
        // HCLUSTER WINAPI OpenCluster(LPCWSTR lpszClusterName);
        // NULL name = the local cluster; a NULL handle means failure, reason in GetLastError.
        [DllImport("clusapi.dll", CharSet = CharSet.Unicode, SetLastError = true)]
        public static extern IntPtr OpenCluster(string lpszClusterName);

        // BOOL WINAPI CloseCluster(HCLUSTER hCluster);
        [DllImport("clusapi.dll", CharSet = CharSet.Unicode, SetLastError = true)]
        [return: MarshalAs(UnmanagedType.Bool)]
        public static extern bool CloseCluster(IntPtr hCluster);

        // DWORD WINAPI BackupClusterDatabase(HCLUSTER hCluster, LPCWSTR lpszPathName);
        // The DWORD is a Win32 error code (small and positive), read here as a 32-bit int.
        [DllImport("clusapi.dll", CharSet = CharSet.Unicode, SetLastError = true)]
        public static extern int BackupClusterDatabase(IntPtr hCluster, string lpszPathName);

        // DWORD WINAPI RestoreClusterDatabase(LPCWSTR lpszPathName, BOOL bForce,
        //                                     LPCWSTR lpszQuorumDriveLetter);
        // A null string is marshalled as a NULL pointer ("no replacement quorum disk").
        [DllImport("clusapi.dll", CharSet = CharSet.Unicode, SetLastError = true)]
        public static extern int RestoreClusterDatabase(
            string lpszPathName,
            [MarshalAs(UnmanagedType.Bool)] bool bForce,
            string lpszQuorumDriveLetter);
    }

    public static class ClusterDatabase
    {
        // Opens the cluster (null or "" = the local cluster), backs its database up into the
        // directory `path` and closes the handle again. Returns the code of
        // BackupClusterDatabase, or OpenCluster's last error when no handle was returned
        // (then no backup is attempted).
        public static int Backup(string clusterName, string path)
        {
            IntPtr cluster = NativeMethods.OpenCluster(NullIfEmpty(clusterName));
            if (cluster == IntPtr.Zero)
            {
                return Marshal.GetLastWin32Error();
            }

            try
            {
                return NativeMethods.BackupClusterDatabase(cluster, path);
            }
            finally
            {
                // A failed close leaks one handle in a short-lived module process; the
                // backup's own result is what the caller needs.
                NativeMethods.CloseCluster(cluster);
            }
        }

        // Restores the cluster database on this node from `path`. `force` is bForce;
        // `quorumDriveLetter` ("X:") names a replacement quorum disk, null or "" for none.
        // Returns the code of RestoreClusterDatabase unchanged.
        public static int Restore(string path, bool force, string quorumDriveLetter)
        {
            return NativeMethods.RestoreClusterDatabase(path, force, NullIfEmpty(quorumDriveLetter));
        }

        private static string NullIfEmpty(string value)
        {
            return String.IsNullOrEmpty(value) ? null : value;
        }
    }
}
