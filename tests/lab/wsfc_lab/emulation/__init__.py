"""Module emulations (docs/lab.md, Contract 2) and the Ansible.Basic rules they run under.

Two subpackages: `framework` (the Ansible.Basic rules, the registry, the invocation) and
`modules` (the emulations, one file each, found by the registry because they live there).
An emulation file in `modules` registers a function for a module name:

    from wsfc_lab.emulation import EmulatedModule, emulates

    @emulates("ansible.windows.win_ping", spec={...}, returns={"ping"})
    def win_ping(module: EmulatedModule) -> None:
        module.result["ping"] = module.params["data"]

The command dispatch runs it through `framework.invocation.invoke`; the contract check reads
`framework.registry.emulated_modules()`, `registry.spec_of(fqcn)` and `registry.returns_of(fqcn)`.
"""

from wsfc_lab.emulation.framework.basic import EmulatedModule, ModuleExit, UnhandledModuleException
from wsfc_lab.emulation.framework.registry import (
    emulated_modules,
    emulates,
    lookup,
    returns_of,
    spec_of,
)

__all__ = [
    "EmulatedModule",
    "ModuleExit",
    "UnhandledModuleException",
    "emulated_modules",
    "emulates",
    "lookup",
    "returns_of",
    "spec_of",
]
