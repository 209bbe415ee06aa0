"""What the Windows-call contract compares: the calls one file makes, as comparable keys.

Both readers (windows_calls_ps.py for a .ps1/.psm1, windows_calls_lab.py for its lab port)
produce a `FileCalls`; check_windows_calls.py compares two of them and looks each call up in
the lab's Windows surface.

Names compare the way Windows compares them where a source says so, and exactly as written
everywhere else (a port then spells a name as its .ps1 does), as
docs/windows-behaviour.md#names-case says:
  - command and parameter names ignore case (Microsoft's "about_Case-Sensitivity": command
    discovery of PowerShell commands, parameter names);
  - CIM namespaces and class names ignore case, and `\\` and `/` separate a namespace's parts
    alike (Microsoft's "WMI Object Path Requirements" and "Describing a WMI Namespace Object
    Path");
  - registry key paths ignore case (Microsoft's "Structure of the Registry": key names are
    not case sensitive; PSDrive and provider names per about_Case-Sensitivity);
  - registry value names, native programs, their verbs and flags compare as written: no
    source says that wbadmin and reg read verbs and flags in any case.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum

# The pure-language cmdlets: they shape objects or strings in the script's own memory and
# read or change no Windows state, so neither a .ps1 nor its port is held to them. Kept
# short on purpose: anything that looks at the machine (Test-Path, Get-Command, Get-Module,
# Import-Module) is a Windows call and stays in the contract.
PURE_LANGUAGE_CMDLETS = frozenset(
    name.lower()
    for name in (
        "ForEach-Object",  # runs a script block per pipeline object
        "Where-Object",  # filters pipeline objects by a script block
        "Select-Object",  # picks objects or properties from the pipeline
        "Sort-Object",  # orders pipeline objects
        "Join-Path",  # joins path strings; with -Resolve it reads the item and counts
        "Export-ModuleMember",  # declares what a .psm1 exports
        "Write-Output",  # writes objects to the pipeline
        "Start-Sleep",  # waits; reads and changes nothing
    )
)

# A pure-language cmdlet that looks at the machine when given one of these parameters.
RESOLVING_PARAMETERS = {"join-path": "resolve"}

# The collection's one wrapper for native programs (plugins/module_utils/WsfcNative.psm1):
# its calls are read as native programs, its own body runs the program it is given.
NATIVE_WRAPPER = "Invoke-WsfcNativeCommand"

# The CIM namespace Get-CimInstance uses without -Namespace
# (docs/windows-behaviour.md#get-ciminstance).
DEFAULT_CIM_NAMESPACE = "root/cimv2"

# Get-CimAssociatedInstance without -Namespace enumerates in the namespace of its
# -InputObject (docs/windows-behaviour.md#get-cimassociatedinstance, *unconfirmed*:
# PowerShell's source does so; the cmdlet's reference page names root/cimv2 as the
# default). The readers do not follow the input object, so such a class is keyed with this
# marker and looked up in the surface by its class name alone.
INPUT_OBJECT_NAMESPACE = ""

# A part of a path or name that is computed at run time and that the readers cannot follow.
UNKNOWN = "*"

# Both readers follow a value alike, so that a port that mirrors its .ps1 reads the same.
# More alternatives than this for one value and the value reads as unknown: the product of
# several many-valued variables says nothing useful any more.
MAX_ALTERNATIVES = 16
# How many names deep a value is followed to its assignments before it reads as unknown.
MAX_DEPTH = 12


class Kind(Enum):
    """The kinds of Windows calls, in the order reports list them."""

    COMMAND = "command"
    PARAMETER = "parameter"
    CIM = "CIM class"
    REGISTRY = "registry value"
    NATIVE = "native program"


@dataclass(frozen=True)
class Call:
    """One Windows call at one place of a file.

    `parts` as written: (command,) for COMMAND; (command, parameter) for PARAMETER;
    (namespace, class) for CIM; (key path, value name) for REGISTRY; (program, verb, flag)
    for NATIVE, flag "" for the verb itself.
    """

    kind: Kind
    parts: tuple[str, ...]
    line: int

    @property
    def key(self) -> tuple[str, ...]:
        return comparison_key(self.kind, self.parts)

    def shown(self) -> str:
        return show(self.kind, self.parts)


@dataclass(frozen=True)
class Unreadable:
    """A call a reader found but cannot turn into keys (a computed name, an unknown splat)."""

    line: int
    message: str


@dataclass
class FileCalls:
    """The Windows calls of one file (path relative to the collection root)."""

    path: str
    calls: list[Call] = field(default_factory=list)
    unreadable: list[Unreadable] = field(default_factory=list)

    def add(self, kind: Kind, parts: Iterable[str], line: int) -> None:
        self.calls.append(Call(kind, tuple(parts), line))

    def add_command(self, name: str, parameters: Iterable[str], line: int) -> None:
        self.add(Kind.COMMAND, (name,), line)
        for parameter in parameters:
            self.add(Kind.PARAMETER, (name, parameter), line)

    def add_native(self, program: str, verb: str, flags: Iterable[str], line: int) -> None:
        self.add(Kind.NATIVE, (program, verb, ""), line)
        for flag in flags:
            self.add(Kind.NATIVE, (program, verb, flag), line)

    def cannot_read(self, line: int, message: str) -> None:
        self.unreadable.append(Unreadable(line, message))

    def by_key(self) -> dict[tuple[Kind, tuple[str, ...]], list[Call]]:
        grouped: dict[tuple[Kind, tuple[str, ...]], list[Call]] = {}
        for call in self.calls:
            grouped.setdefault((call.kind, call.key), []).append(call)
        return grouped


def normalise_namespace(namespace: str) -> str:
    return namespace.replace("\\", "/").strip("/").lower()


def comparison_key(kind: Kind, parts: tuple[str, ...]) -> tuple[str, ...]:
    if kind in (Kind.COMMAND, Kind.PARAMETER):
        return tuple(part.lower() for part in parts)
    if kind is Kind.CIM:
        namespace, class_name = parts
        return (normalise_namespace(namespace), class_name.lower())
    if kind is Kind.REGISTRY:
        path, value = parts
        return (path.lower(), value)
    return parts


def show(kind: Kind, parts: tuple[str, ...]) -> str:
    if kind is Kind.COMMAND:
        return parts[0]
    if kind is Kind.PARAMETER:
        return f"{parts[0]} -{parts[1]}"
    if kind is Kind.CIM:
        namespace, class_name = parts
        where = namespace if namespace != INPUT_OBJECT_NAMESPACE else "(the -InputObject's)"
        return f"{where}:{class_name}"
    if kind is Kind.REGISTRY:
        path, value = parts
        return f"{path} value {value}" if value != UNKNOWN else f"{path} (all values)"
    program, verb, flag = parts
    return " ".join(part for part in (program, verb, flag) if part)


def file_name(path: str) -> str:
    """The file name part of a Windows path (`C:\\Windows\\System32\\wbadmin.exe`)."""
    return path.replace("/", "\\").rsplit("\\", 1)[-1]


def native_words(elements: list[tuple[str, bool]]) -> tuple[str, list[str]]:
    """The verb and flags of an argument array.

    `elements`: each argument's constant prefix and whether the whole argument is that
    constant. The verb is the leading whole constants that do not start with `-`
    (`start systemstatebackup`); the flags are the arguments whose constant prefix starts
    with `-`, cut at the first `:` (`-backupTarget:<target>` -> `-backupTarget`).
    """
    verb: list[str] = []
    for prefix, whole in elements:
        if not whole or prefix.startswith("-"):
            break
        verb.append(prefix)
    prefixes = [element[0] for element in elements]
    flags = [prefix.split(":", 1)[0] for prefix in prefixes if prefix.startswith("-")]
    return " ".join(verb), flags


def concatenate(pieces: list[set[str]], separator: str = "") -> set[str]:
    """Every combination of the pieces' alternatives, joined (a path separator once), a run
    of unknown parts read as one; {UNKNOWN} when there are more than MAX_ALTERNATIVES."""
    total = 1
    for piece in pieces:
        total *= max(len(piece), 1)
    if total > MAX_ALTERNATIVES:
        return {UNKNOWN}
    joined: set[str] = set()
    for combination in itertools.product(*pieces):
        if separator:
            parts = [p.rstrip(separator) for p in combination[:-1]] + [combination[-1]]
            value = separator.join(p.lstrip(separator) if i else p for i, p in enumerate(parts))
        else:
            value = "".join(combination)
        joined.add(re.sub(r"\*+", UNKNOWN, value))
    return joined
