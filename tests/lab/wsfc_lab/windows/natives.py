"""Native programs, as the collection's wrapper Invoke-WsfcNativeCommand runs them: the exit
code and stdout and stderr as one text (fact powershell-native-stderr).

- wbadmin.exe: the lab's wbadmin (wsfc_lab.world.wbadmin), verbs and flags as its reference
  pages give them (facts wbadmin-*).
- reg.exe load / unload (fact reg-load-unload): exit code 0 on success, 1 on failure with an
  `ERROR:` line. A loaded hive stays loaded, for this node, until it is unloaded: the lab
  keeps the loaded keys per node (the world's `registry_hives` node extension) so that a hive
  left loaded by one run is still there for the next.
"""

from __future__ import annotations

from pathlib import Path

from wsfc_lab.windows.host import NativeResult, PowerShellHost
from wsfc_lab.windows.providers import registry_snapshot
from wsfc_lab.windows.surface import program
from wsfc_lab.windows.system_files import CLUSDB
from wsfc_lab.world import WindowsError
from wsfc_lab.world.wbadmin import run_wbadmin

program(
    "wbadmin.exe",
    fact="windows-server-backup-feature",
    verbs={
        "start systemstatebackup": {"-backupTarget", "-quiet"},
        "get versions": {"-backupTarget", "-machine"},
        "get items": {"-version", "-backupTarget", "-machine"},
        "start recovery": {
            "-version",
            "-itemType",
            "-items",
            "-backupTarget",
            "-machine",
            "-quiet",
        },
    },
)
program("reg.exe", fact="reg-load-unload", verbs={"load": set(), "unload": set()})

HIVES = "registry_hives"
REG_SUCCESS = "The operation completed successfully."


def run_native(host: PowerShellHost, name: str, arguments: list[str]) -> NativeResult:
    if name.lower() == "wbadmin.exe":
        run = run_wbadmin(host.world, host.node, host.user, arguments)
        return NativeResult(run.exit_code, run.text)
    return _reg(host, arguments)


def _reg(host: PowerShellHost, arguments: list[str]) -> NativeResult:
    verb = arguments[0].lower() if arguments else ""
    try:
        host.operation(f"reg {verb}")
    except WindowsError as error:
        return NativeResult(1, f"ERROR: {error.message}")
    if verb == "load" and len(arguments) == 3:
        return _load(host, arguments[1], arguments[2])
    if verb == "unload" and len(arguments) == 2:
        return _unload(host, arguments[1])
    return NativeResult(1, "ERROR: Invalid syntax.")


def _load(host: PowerShellHost, key: str, file: str) -> NativeResult:
    with host.world.transaction() as state:
        hives = state.node_extension(host.node, HIVES)
        if any(k.lower() == key.lower() for k in hives):
            return NativeResult(1, "ERROR: The process cannot access the file because it is "
                                "being used by another process.")  # fmt: skip
        if (
            file.replace("/", "\\").lower() == CLUSDB
            and state.node(host.node)["service"]["state"] == "running"
        ):
            # The running Cluster service holds its database file open.
            return NativeResult(1, "ERROR: The process cannot access the file because it is "
                                "being used by another process.")  # fmt: skip
        try:
            real: Path = state.resolve_path(host.node, file)
        except WindowsError as error:
            return NativeResult(1, f"ERROR: {error.message}")
        if not real.is_file():
            return NativeResult(1, "ERROR: The system cannot find the file specified.")
        values = registry_snapshot(real.read_text(encoding="utf-8"))
        hives[key] = file
    host.loaded_hives[key] = values
    return NativeResult(0, REG_SUCCESS)


def _unload(host: PowerShellHost, key: str) -> NativeResult:
    with host.world.transaction() as state:
        hives = state.node_extension(host.node, HIVES)
        found = next((k for k in hives if k.lower() == key.lower()), None)
        if found is None:
            return NativeResult(1, "ERROR: The parameter is incorrect.")
        del hives[found]
    host.loaded_hives.pop(key, None)
    return NativeResult(0, REG_SUCCESS)
