"""PowerShellHost: what a module's PowerShell can reach on one node, for one module run.

`invoke("Get-ClusterNode", InputObject=cluster)` runs a cmdlet of the surface with its
parameters as PowerShell binds them (names case-insensitive; an unknown parameter fails as
parameter binding does); `native("wbadmin.exe", [...])` is what the collection's one wrapper
for native programs (Invoke-WsfcNativeCommand) returns: exit code and output. The module runs
with $ErrorActionPreference = 'Stop', so a failing cmdlet raises PowerShellError unless the
call says ErrorAction='SilentlyContinue' (then it returns None).

Faults and latency: every cmdlet and program goes through `world.operation(node, name)`, so a
fault injected for that operation (docs/lab.md, Faults) applies where the real call would fail.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PureWindowsPath
from typing import Any

from wsfc_lab.windows.errors import LabSurfaceError, PowerShellError
from wsfc_lab.windows.surface import surface
from wsfc_lab.world import WindowsError, World

SYSTEM_ROOT = "C:\\Windows"
SYSTEM32 = SYSTEM_ROOT + "\\System32"
TEMP = SYSTEM_ROOT + "\\Temp"


@dataclass(frozen=True)
class NativeResult:
    exit_code: int
    output: str


@dataclass
class PowerShellHost:
    world: World
    node: str  # the lab's node key
    user: str
    # Hives this run loaded with reg load (key -> file): unloaded by reg unload.
    loaded_hives: dict[str, str] = field(default_factory=dict)

    # -- environment ---------------------------------------------------------------------

    @property
    def computer_name(self) -> str:
        """$env:COMPUTERNAME."""
        with self.world.transaction() as state:
            return str(state.node(self.node)["name"])

    system_root = SYSTEM_ROOT  # $env:SystemRoot
    system32 = SYSTEM32  # [Environment]::GetFolderPath('System')
    temp = TEMP  # [System.IO.Path]::GetTempPath() of a module run as SYSTEM or admin

    # -- calls ---------------------------------------------------------------------------

    def invoke(self, name: str, /, *args: Any, **parameters: Any) -> Any:  # noqa: ANN401
        entry = surface.find_command(name)
        if entry is None:
            raise LabSurfaceError(f"the lab does not emulate the command {name}")
        bound: dict[str, Any] = {}
        for key, value in parameters.items():
            canonical = next((p for p in entry.parameters if p.lower() == key.lower()), None)
            if canonical is None:
                raise LabSurfaceError(
                    f"A parameter cannot be found that matches parameter name '{key}' "
                    f"({entry.name} in the lab's surface)"
                )
            bound[canonical] = value
        if args:
            raise LabSurfaceError(f"{entry.name}: the ports name every parameter")
        action = str(bound.pop("ErrorAction", "Stop"))
        try:
            return entry.handler(self, **bound)
        except PowerShellError:
            if action in ("SilentlyContinue", "Ignore"):
                return None
            raise
        except WindowsError as error:
            if action in ("SilentlyContinue", "Ignore"):
                return None
            raise PowerShellError(error.code, error.message) from error

    def native(self, program: str, arguments: list[str]) -> NativeResult:
        """Invoke-WsfcNativeCommand -FilePath <program> -ArgumentList <arguments>."""
        from wsfc_lab.windows.natives import run_native

        name = PureWindowsPath(program).name
        if surface.find_program(name) is None:
            raise LabSurfaceError(f"the lab does not emulate the program {name}")
        return run_native(self, name, list(arguments))

    def operation(self, name: str, *, latency: str | None = None) -> None:
        """Faults and latency for one Windows call on this node."""
        self.world.operation(self.node, name, latency=latency)
