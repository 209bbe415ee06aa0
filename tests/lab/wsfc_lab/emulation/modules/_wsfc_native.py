"""Port of plugins/module_utils/WsfcNative.psm1: Invoke-WsfcNativeCommand.

The ports call `host.native(PROGRAM, [arguments])` where the .ps1 calls
`Invoke-WsfcNativeCommand -FilePath <program> -ArgumentList <arguments>` (the Windows-call
contract reads both), and turn its result into the wrapper's hashtable here."""

from __future__ import annotations

from typing import Any

from wsfc_lab.windows.host import SYSTEM32, NativeResult

PORT_OF = "plugins/module_utils/WsfcNative.psm1"

# [System.IO.Path]::Combine([Environment]::GetFolderPath('System'), '<program>')
WBADMIN_EXE = SYSTEM32 + "\\wbadmin.exe"
REG_EXE = SYSTEM32 + "\\reg.exe"


def invoke_native_command(run: NativeResult) -> dict[str, Any]:
    """The wrapper's result: exit_code, and stdout and stderr as one text."""
    return {"exit_code": run.exit_code, "output": run.output}
