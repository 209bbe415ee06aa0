"""The registry of module emulations (docs/lab.md, Contract 2).

Each emulation registers itself for a fully qualified module name with `@emulates`,
giving its Ansible.Basic spec and the result keys it may return. The command dispatch
finds an emulation with `lookup`; the contract check reads `emulated_modules`, `spec_of`
and `returns_of`. Every public module of the wsfc_lab.emulation.modules package is imported
on the first lookup, so an emulation file needs no other registration.
"""

from __future__ import annotations

import copy
import importlib
import pkgutil
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import wsfc_lab.emulation.modules as emulation_modules
from wsfc_lab.emulation.framework.basic import EmulatedModule
from wsfc_lab.emulation.framework.basic_spec import normalise_spec

EmulationFunction = Callable[[EmulatedModule], None]


@dataclass(frozen=True)
class Emulation:
    fqcn: str
    function: EmulationFunction
    spec: Mapping[str, Any]
    returns: frozenset[str]
    # A few modules (ansible.windows.setup) add every unknown argument to their spec
    # before creating the module; this is the type they give such arguments.
    extra_option_type: str | None = None

    def spec_for(self, arguments: Mapping[str, Any]) -> dict[str, Any]:
        """The spec the module validates `arguments` against."""
        spec = copy.deepcopy(dict(self.spec))
        if self.extra_option_type is not None:
            options = spec.setdefault("options", {})
            for name in arguments:
                if not name.startswith("_") and name not in options:
                    options[name] = {"type": self.extra_option_type}
        return spec


_emulations: dict[str, Emulation] = {}
_loaded = False


def emulates(
    fqcn: str,
    *,
    spec: Mapping[str, Any],
    returns: Iterable[str] = (),
    extra_option_type: str | None = None,
) -> Callable[[EmulationFunction], EmulationFunction]:
    """Register the decorated function as the emulation of module `fqcn`.

    `spec` is the module's Ansible.Basic spec; `returns` the result keys it may set
    besides the ones every module has (changed, msg, ...).
    """
    if fqcn.count(".") < 2:
        raise ValueError(f"an emulation needs a fully qualified module name, not {fqcn!r}")
    normalise_spec(spec)  # a spec Ansible.Basic would refuse fails here, at import

    def register(function: EmulationFunction) -> EmulationFunction:
        if fqcn in _emulations and _emulations[fqcn].function is not function:
            raise ValueError(f"module {fqcn} is emulated twice")
        _emulations[fqcn] = Emulation(
            fqcn=fqcn,
            function=function,
            spec=copy.deepcopy(spec),
            returns=frozenset(returns),
            extra_option_type=extra_option_type,
        )
        return function

    return register


def load_all() -> None:
    """Import every emulation of wsfc_lab.emulation.modules, so that each registers itself.

    The underscore files there are helpers and ports of PowerShell utils; they register
    nothing and are imported by the emulations that use them.
    """
    global _loaded
    if _loaded:
        return
    for info in pkgutil.iter_modules(emulation_modules.__path__):
        if not info.name.startswith("_"):
            importlib.import_module(f"{emulation_modules.__name__}.{info.name}")
    _loaded = True


def lookup(fqcn: str) -> Emulation | None:
    load_all()
    return _emulations.get(fqcn)


def emulated_modules() -> list[str]:
    load_all()
    return sorted(_emulations)


def _registered(fqcn: str) -> Emulation:
    emulation = lookup(fqcn)
    if emulation is None:
        raise KeyError(f"the lab does not emulate module {fqcn}")
    return emulation


def spec_of(fqcn: str) -> dict[str, Any]:
    """The argument spec as declared (a copy), in Ansible.Basic form."""
    return copy.deepcopy(dict(_registered(fqcn).spec))


def returns_of(fqcn: str) -> frozenset[str]:
    """The result keys the emulation declares, besides the ones every module may return."""
    return _registered(fqcn).returns
