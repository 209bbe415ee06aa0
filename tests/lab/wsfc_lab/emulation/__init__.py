"""Module emulations (docs/lab.md, Contract 2) and the Ansible.Basic rules they run under.

An emulation file in this package registers a function for a module name:

    from wsfc_lab.emulation import EmulatedModule, emulates

    @emulates("ansible.windows.win_ping", spec={...}, returns={"ping"})
    def win_ping(module: EmulatedModule) -> None:
        module.result["ping"] = module.params["data"]

The command dispatch runs it through `invocation.invoke`; the contract check reads
`registry.emulated_modules()`, `registry.spec_of(fqcn)` and `registry.returns_of(fqcn)`.
"""

from wsfc_lab.emulation.basic import EmulatedModule, ModuleExit, UnhandledModuleException
from wsfc_lab.emulation.registry import emulated_modules, emulates, lookup, returns_of, spec_of

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
