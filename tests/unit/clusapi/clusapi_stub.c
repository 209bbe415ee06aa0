/*
 * A stand-in for clusapi.dll, built as libclusapi.so, so that the C# util
 * plugins/module_utils/ClusApi.cs can be called through Mono's P/Invoke on Linux and the
 * test can see exactly what crossed the native boundary.
 *
 * The four exports follow the Windows signatures (docs/windows-behaviour.md#clusapi-backup-restore,
 * section 1, from mingw-w64 clusapi.h). LPCWSTR is UTF-16: on Linux wchar_t is 32-bit, so
 * the strings are taken as uint16_t code units. BOOL is a 32-bit int, HCLUSTER a pointer.
 *
 * Each call appends one JSON line to the file named by CLUSAPI_STUB_LOG:
 *   {"function": "OpenCluster", "cluster_name": null | "...", "handle": <int>}
 *   {"function": "BackupClusterDatabase", "handle": <int>, "handle_open": true|false,
 *    "path": "..."}
 *   {"function": "RestoreClusterDatabase", "path": "...", "force": <int>,
 *    "quorum_drive_letter": null | "..."}
 *   {"function": "CloseCluster", "handle": <int>, "handle_open": true|false}
 * Strings are written as JSON \uXXXX escapes of the exact UTF-16 code units received, so a
 * JSON reader rebuilds the same string (surrogate pairs included) and nothing is re-encoded.
 *
 * What the functions return comes from the environment:
 *   STUB_OPEN_FAILS=<code>       OpenCluster returns NULL and sets the last error to <code>
 *   STUB_BACKUP_RESULT=<code>    BackupClusterDatabase returns <code> (default 0)
 *   STUB_RESTORE_RESULT=<code>   RestoreClusterDatabase returns <code> (default 0)
 *
 * The last error: on Windows OpenCluster reports failure through SetLastError. Mono on
 * Linux implements [DllImport(SetLastError = true)] by saving errno right after the native
 * call (mono/metadata/marshal.c, mono_marshal_set_last_error: errno when not on Windows),
 * and Marshal.GetLastWin32Error returns that saved value. So this stub sets errno, as the
 * very last thing before returning, to the code a Windows OpenCluster would have set.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define CLUSAPI_EXPORT __attribute__((visibility("default")))

typedef int32_t BOOL;
typedef uint32_t DWORD;
typedef const uint16_t *LPCWSTR;

/* The cluster handles this stub hands out: addresses inside this array, so a handle that
 * did not come from OpenCluster (or was already closed) is recognised as such. */
#define MAX_HANDLES 64
static char handle_slots[MAX_HANDLES];
static int handle_is_open[MAX_HANDLES];
static int handles_given;

typedef void *HCLUSTER;

static int slot_of(HCLUSTER handle)
{
    char *p = (char *)handle;
    if (p < handle_slots || p >= handle_slots + MAX_HANDLES)
        return -1;
    return (int)(p - handle_slots);
}

static DWORD code_from_env(const char *name, DWORD fallback)
{
    const char *value = getenv(name);
    if (value == NULL || *value == '\0')
        return fallback;
    return (DWORD)strtoul(value, NULL, 0);
}

static void write_wide_json(FILE *out, LPCWSTR text)
{
    if (text == NULL) {
        fputs("null", out);
        return;
    }
    fputc('"', out);
    for (; *text != 0; ++text)
        fprintf(out, "\\u%04x", (unsigned)*text);
    fputc('"', out);
}

static FILE *open_log(void)
{
    const char *path = getenv("CLUSAPI_STUB_LOG");
    if (path == NULL || *path == '\0')
        return NULL;
    return fopen(path, "a");
}

CLUSAPI_EXPORT HCLUSTER OpenCluster(LPCWSTR lpszClusterName)
{
    DWORD fails_with = code_from_env("STUB_OPEN_FAILS", 0);
    HCLUSTER handle = NULL;
    if (fails_with == 0 && handles_given < MAX_HANDLES) {
        handle = &handle_slots[handles_given];
        handle_is_open[handles_given] = 1;
        ++handles_given;
    }

    FILE *log = open_log();
    if (log != NULL) {
        fputs("{\"function\": \"OpenCluster\", \"cluster_name\": ", log);
        write_wide_json(log, lpszClusterName);
        fprintf(log, ", \"handle\": %llu}\n", (unsigned long long)(uintptr_t)handle);
        fclose(log);
    }

    if (handle == NULL)
        errno = (int)(fails_with != 0 ? fails_with : 8 /* ERROR_NOT_ENOUGH_MEMORY */);
    return handle;
}

CLUSAPI_EXPORT BOOL CloseCluster(HCLUSTER hCluster)
{
    int slot = slot_of(hCluster);
    int was_open = slot >= 0 && handle_is_open[slot];
    if (was_open)
        handle_is_open[slot] = 0;

    FILE *log = open_log();
    if (log != NULL) {
        fprintf(log, "{\"function\": \"CloseCluster\", \"handle\": %llu, \"handle_open\": %s}\n",
                (unsigned long long)(uintptr_t)hCluster, was_open ? "true" : "false");
        fclose(log);
    }

    if (!was_open)
        errno = 6; /* ERROR_INVALID_HANDLE */
    return was_open ? 1 : 0;
}

CLUSAPI_EXPORT DWORD BackupClusterDatabase(HCLUSTER hCluster, LPCWSTR lpszPathName)
{
    int slot = slot_of(hCluster);
    int is_open = slot >= 0 && handle_is_open[slot];

    FILE *log = open_log();
    if (log != NULL) {
        fprintf(log,
                "{\"function\": \"BackupClusterDatabase\", \"handle\": %llu, "
                "\"handle_open\": %s, \"path\": ",
                (unsigned long long)(uintptr_t)hCluster, is_open ? "true" : "false");
        write_wide_json(log, lpszPathName);
        fputs("}\n", log);
        fclose(log);
    }

    return code_from_env("STUB_BACKUP_RESULT", 0);
}

CLUSAPI_EXPORT DWORD RestoreClusterDatabase(LPCWSTR lpszPathName, BOOL bForce,
                                            LPCWSTR lpszQuorumDriveLetter)
{
    FILE *log = open_log();
    if (log != NULL) {
        fputs("{\"function\": \"RestoreClusterDatabase\", \"path\": ", log);
        write_wide_json(log, lpszPathName);
        fprintf(log, ", \"force\": %d, \"quorum_drive_letter\": ", (int)bForce);
        write_wide_json(log, lpszQuorumDriveLetter);
        fputs("}\n", log);
        fclose(log);
    }

    return code_from_env("STUB_RESTORE_RESULT", 0);
}
