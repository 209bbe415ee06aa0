"""The registry of the lab's Windows surface: what exists, and the fact each follows.

Handlers register themselves with `@command(...)`; programs, CIM classes and registry values
are declared with `program(...)`, `cim_class(...)` and `registry_value(...)`. The
Windows-call contract (tests/static/check_windows_calls.py) reads `surface`: every call a
.ps1 makes must be here, with a fact id of docs/windows-behaviour.md.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# Common parameters every cmdlet accepts (about_CommonParameters); the ports use these.
COMMON_PARAMETERS = frozenset({"ErrorAction"})

CommandHandler = Callable[..., Any]


@dataclass(frozen=True)
class SurfaceCommand:
    name: str
    fact: str
    parameters: frozenset[str]
    handler: CommandHandler


@dataclass(frozen=True)
class SurfaceProgram:
    name: str
    fact: str
    verbs: Mapping[str, frozenset[str]]  # "start systemstatebackup" -> flags


@dataclass(frozen=True)
class SurfaceItem:
    fact: str


@dataclass
class Surface:
    commands_: dict[str, SurfaceCommand] = field(default_factory=dict)
    programs_: dict[str, SurfaceProgram] = field(default_factory=dict)
    cim_classes_: dict[tuple[str, str], SurfaceItem] = field(default_factory=dict)
    registry_values_: dict[tuple[str, str], SurfaceItem] = field(default_factory=dict)
    loaded: bool = False

    def _load(self) -> None:
        if not self.loaded:
            self.loaded = True
            for name in _HANDLER_MODULES:
                importlib.import_module(f"wsfc_lab.windows.{name}")

    @property
    def commands(self) -> dict[str, SurfaceCommand]:
        self._load()
        return self.commands_

    @property
    def programs(self) -> dict[str, SurfaceProgram]:
        self._load()
        return self.programs_

    @property
    def cim_classes(self) -> dict[tuple[str, str], SurfaceItem]:
        self._load()
        return self.cim_classes_

    @property
    def registry_values(self) -> dict[tuple[str, str], SurfaceItem]:
        self._load()
        return self.registry_values_

    def find_command(self, name: str) -> SurfaceCommand | None:
        for key, entry in self.commands.items():
            if key.lower() == name.lower():
                return entry
        return None

    def find_program(self, name: str) -> SurfaceProgram | None:
        for key, entry in self.programs.items():
            if key.lower() == name.lower():
                return entry
        return None


# The modules that register handlers; imported on first use of the surface.
_HANDLER_MODULES = (
    "cluster_cmdlets",
    "cim",
    "providers",
    "services",
    "modules",
    "storage",
    "natives",
)

surface = Surface()


def command(
    name: str, *, fact: str, parameters: Iterable[str]
) -> Callable[[CommandHandler], CommandHandler]:
    """Register the handler of a cmdlet: handler(host, **parameters)."""

    def register(handler: CommandHandler) -> CommandHandler:
        surface.commands_[name] = SurfaceCommand(
            name, fact, frozenset(parameters) | COMMON_PARAMETERS, handler
        )
        return handler

    return register


def program(name: str, *, fact: str, verbs: Mapping[str, Iterable[str]]) -> None:
    surface.programs_[name] = SurfaceProgram(
        name, fact, {verb: frozenset(flags) for verb, flags in verbs.items()}
    )


def cim_class(namespace: str, class_name: str, *, fact: str) -> None:
    surface.cim_classes_[(namespace, class_name)] = SurfaceItem(fact)


def registry_value(path: str, name: str, *, fact: str) -> None:
    surface.registry_values_[(path, name)] = SurfaceItem(fact)
