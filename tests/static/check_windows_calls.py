"""The Windows-call contract: each PowerShell file and its lab port make the same Windows calls,
and every call is a documented behaviour of the lab's Windows surface.

Usage: python tests/static/check_windows_calls.py [--collection-root DIR]

For every .ps1/.psm1 under plugins/ (windows_calls_ps.py) and its port, the Python file under
tests/lab/wsfc_lab/emulation/modules/ whose PORT_OF names it (windows_calls_lab.py), it compares
  - the commands, and each (command, parameter) pair,
  - the CIM classes read (namespace, class),
  - the registry values read (key path, value name),
  - the native programs run (program, verb, flag),
and reports each one found on one side only, with file and line. Functions of the project's
own PowerShell and a few pure-language cmdlets (windows_calls_model.py) are not Windows calls.
Every PowerShell file needs exactly one port, every PORT_OF an existing file.

Then every call of the PowerShell files is looked up in the lab's Windows surface
(`wsfc_lab.windows.surface.surface`): each command with its parameters, each program verb and
flag, each CIM class and registry value must be there; and every surface entry's `.fact`
must name a fact of docs/windows-behaviour.md (a heading `### <id> — <title>`).
Exits 1 on any difference.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from repo_files import REPO_ROOT, files_with_suffixes
from windows_calls_lab import port_of, read_port_calls
from windows_calls_model import (
    INPUT_OBJECT_NAMESPACE,
    Call,
    FileCalls,
    Kind,
    comparison_key,
    normalise_namespace,
)
from windows_calls_ps import PowerShellReadError, defined_functions, read_powershell_calls

PORTS_DIRECTORY = Path("tests/lab/wsfc_lab/emulation/modules")
LAB_PACKAGE_PARENT = Path("tests/lab")
FACTS_PAGE = Path("docs/windows-behaviour.md")
FACT_HEADING = re.compile(r"^### ([a-z0-9][a-z0-9-]*) — ", re.MULTILINE)
SURFACE_MODULE = "wsfc_lab.windows.surface"


# -- the surface, as the check reads it (wsfc_lab/windows/surface.py) ----------------------


class SurfaceCommand(Protocol):
    @property
    def fact(self) -> str: ...

    @property
    def parameters(self) -> frozenset[str]: ...


class SurfaceProgram(Protocol):
    @property
    def fact(self) -> str: ...

    @property
    def verbs(self) -> Mapping[str, frozenset[str]]: ...


class SurfaceItem(Protocol):
    @property
    def fact(self) -> str: ...


class WindowsSurface(Protocol):
    @property
    def commands(self) -> Mapping[str, SurfaceCommand]: ...

    @property
    def programs(self) -> Mapping[str, SurfaceProgram]: ...

    @property
    def cim_classes(self) -> Mapping[tuple[str, str], SurfaceItem]: ...

    @property
    def registry_values(self) -> Mapping[tuple[str, str], SurfaceItem]: ...


class SurfaceUnavailable(Exception):
    """The lab's Windows surface cannot be loaded."""


def lab_surface() -> WindowsSurface:
    try:
        from wsfc_lab.windows.surface import surface  # installed by scripts/bootstrap.sh
    except ImportError as error:
        raise SurfaceUnavailable(
            f"the lab's Windows surface ({SURFACE_MODULE}) cannot be imported: {error}."
            " It is the package the ports call Windows through; run '. scripts/bootstrap.sh'"
            " so that the lab package is installed, or add the package if it is missing."
        ) from error
    try:
        # The surface loads its handler modules on first use: a broken one fails here.
        commands = surface.commands
    except ImportError as error:
        raise SurfaceUnavailable(f"the lab's Windows surface does not load: {error}") from error
    if not commands:
        raise SurfaceUnavailable("the lab's Windows surface holds no command")
    return surface


# -- findings ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    path: str
    lines: tuple[int, ...]
    message: str

    def __str__(self) -> str:
        if not self.lines:
            return f"{self.path}: {self.message}"
        where = f"{self.path}:{self.lines[0]}"
        if len(self.lines) > 1:
            more = ", ".join(str(line) for line in self.lines[1:])
            where += f" (also line{'s' if len(self.lines) > 2 else ''} {more})"
        return f"{where}: {self.message}"


def _lines(calls: Iterable[Call]) -> tuple[int, ...]:
    return tuple(sorted({call.line for call in calls}))


# -- reading the tree ----------------------------------------------------------------------


@dataclass
class Port:
    path: str
    line: int
    port_of: str | None
    source: str


def powershell_files(root: Path) -> list[str]:
    plugins = root / "plugins"
    found = files_with_suffixes([plugins], frozenset({".ps1", ".psm1"})) if plugins.is_dir() else []
    return sorted(path.relative_to(root).as_posix() for path in found)


def find_ports(root: Path) -> tuple[list[Port], list[Finding]]:
    ports: list[Port] = []
    findings: list[Finding] = []
    directory = root / PORTS_DIRECTORY
    if not directory.is_dir():
        return ports, findings
    for path in sorted(directory.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        source = path.read_text(encoding="utf-8")
        try:
            tree = ast.parse(source)
        except SyntaxError as error:
            findings.append(Finding(relative, (error.lineno or 0,), f"does not parse: {error.msg}"))
            continue
        marker = port_of(tree)
        if marker is None:
            continue
        value, line = marker
        if value is None:
            findings.append(Finding(relative, (line,), "PORT_OF is not a string constant"))
            continue
        ports.append(Port(relative, line, value, source))
    return ports, findings


# -- comparing a pair ----------------------------------------------------------------------


def compare_pair(powershell: FileCalls, port: FileCalls) -> Iterator[Finding]:
    """Each call on one side only, in both directions."""
    ps_calls, port_calls = powershell.by_key(), port.by_key()
    for one, other, one_calls, other_calls in (
        (powershell, port, ps_calls, port_calls),
        (port, powershell, port_calls, ps_calls),
    ):
        for (kind, key), calls in sorted(one_calls.items(), key=_order):
            if (kind, key) in other_calls:
                continue
            # A parameter of a command the other side lacks altogether says nothing more.
            if kind is Kind.PARAMETER and (Kind.COMMAND, key[:1]) not in other_calls:
                continue
            yield Finding(
                one.path, _lines(calls), f"{kind.value} {calls[0].shown()} is not in {other.path}"
            )


def _order(
    item: tuple[tuple[Kind, tuple[str, ...]], list[Call]],
) -> tuple[int, int, tuple[str, ...]]:
    (kind, key), calls = item
    return (min(call.line for call in calls), list(Kind).index(kind), key)


# -- the surface ---------------------------------------------------------------------------


def check_surface(files: Iterable[FileCalls], surface: WindowsSurface) -> Iterator[Finding]:
    """Every call of the PowerShell files must be in the surface."""
    commands = {name.lower(): (name, entry) for name, entry in surface.commands.items()}
    cim = {comparison_key(Kind.CIM, key): key for key in surface.cim_classes}
    cim_by_class = {key[1].lower() for key in surface.cim_classes}
    registry = {comparison_key(Kind.REGISTRY, key): key for key in surface.registry_values}
    for calls in files:
        for (kind, key), found in sorted(calls.by_key().items(), key=_order):
            message = _surface_gap(
                kind, key, found[0], commands, surface, cim, cim_by_class, registry
            )
            if message:
                yield Finding(calls.path, _lines(found), message)


def _surface_gap(
    kind: Kind,
    key: tuple[str, ...],
    call: Call,
    commands: Mapping[str, tuple[str, SurfaceCommand]],
    surface: WindowsSurface,
    cim: Mapping[tuple[str, ...], tuple[str, str]],
    cim_by_class: set[str],
    registry: Mapping[tuple[str, ...], tuple[str, str]],
) -> str | None:
    where = f"the lab's Windows surface ({SURFACE_MODULE})"
    if kind is Kind.COMMAND:
        return None if key[0] in commands else f"command {call.shown()} is not in {where}"
    if kind is Kind.PARAMETER:
        if key[0] not in commands:
            return None  # reported for the command
        name, entry = commands[key[0]]
        if key[1] in {p.lower() for p in entry.parameters}:
            return None
        known = ", ".join(sorted(entry.parameters)) or "none"
        return f"parameter {call.shown()} is not among the surface's parameters of {name} ({known})"
    if kind is Kind.CIM:
        namespace, class_name = key
        if namespace == normalise_namespace(INPUT_OBJECT_NAMESPACE):
            present = class_name in cim_by_class
        else:
            present = key in cim
        return None if present else f"CIM class {call.shown()} is not in {where}"
    if kind is Kind.REGISTRY:
        return None if key in registry else f"registry value {call.shown()} is not in {where}"
    program, verb, flag = call.parts
    entry_program = surface.programs.get(program)
    if entry_program is None:
        return None  # reported once per file by check_programs_known
    if not flag:
        if verb in entry_program.verbs:
            return None
        known = ", ".join(sorted(entry_program.verbs)) or "none"
        return (
            f"native program {call.shown()}: the surface's {program} has no verb {verb!r} ({known})"
        )
    flags = entry_program.verbs.get(verb)
    if flags is None or flag in flags:
        return None  # an unknown verb is reported once, for the verb
    known = ", ".join(sorted(flags)) or "none"
    return (
        f"native program {call.shown()}: the surface's {program} {verb}"
        f" has no flag {flag} ({known})"
    )


def _program_calls(files: Iterable[FileCalls]) -> Iterator[tuple[str, Call]]:
    for calls in files:
        for call in calls.calls:
            if call.kind is Kind.NATIVE:
                yield calls.path, call


def check_programs_known(files: list[FileCalls], surface: WindowsSurface) -> Iterator[Finding]:
    """A program the surface lacks, once per file (its verbs are then not looked up)."""
    missing: dict[tuple[str, str], list[Call]] = {}
    for path, call in _program_calls(files):
        if call.parts[0] not in surface.programs:
            missing.setdefault((path, call.parts[0]), []).append(call)
    for (path, program), calls in sorted(missing.items()):
        where = f"the lab's Windows surface ({SURFACE_MODULE})"
        yield Finding(path, _lines(calls), f"native program {program} is not in {where}")


def check_facts(root: Path, surface: WindowsSurface) -> Iterator[Finding]:
    """Every surface entry's fact id must be a fact of docs/windows-behaviour.md."""
    page = root / FACTS_PAGE
    if not page.is_file():
        yield Finding(FACTS_PAGE.as_posix(), (), "missing: no fact of the surface can be checked")
        return
    ids = set(FACT_HEADING.findall(page.read_text(encoding="utf-8")))
    entries: list[tuple[str, str]] = []
    entries += [(f"command {name}", entry.fact) for name, entry in surface.commands.items()]
    entries += [(f"program {name}", entry.fact) for name, entry in surface.programs.items()]
    entries += [(f"CIM class {ns}:{cls}", e.fact) for (ns, cls), e in surface.cim_classes.items()]
    entries += [
        (f"registry value {path} value {value}", e.fact)
        for (path, value), e in surface.registry_values.items()
    ]
    for label, fact in sorted(entries):
        if not fact:
            yield Finding(SURFACE_MODULE, (), f"the surface's {label} cites no fact")
        elif fact not in ids:
            yield Finding(
                SURFACE_MODULE,
                (),
                f"the surface's {label} cites fact {fact!r}, which {FACTS_PAGE.as_posix()}"
                f" does not define (a heading '### {fact} — <title>')",
            )


# -- the whole check -----------------------------------------------------------------------


@dataclass
class Report:
    powershell_files: int
    ports: int
    findings: list[Finding]


def check_collection(root: Path, surface: WindowsSurface) -> Report:
    findings: list[Finding] = []
    sources = {path: (root / path).read_bytes() for path in powershell_files(root)}
    project_functions: set[str] = set()
    for source in sources.values():
        try:
            project_functions |= defined_functions(source)
        except PowerShellReadError:
            pass  # reported below, when the file is read
    powershell: dict[str, FileCalls] = {}
    for path, source in sources.items():
        try:
            calls = read_powershell_calls(source, path, project_functions)
        except PowerShellReadError as error:
            findings.append(Finding(path, (), f"cannot be read as PowerShell: {error}"))
            continue
        powershell[path] = calls
        findings.extend(Finding(path, (u.line,), u.message) for u in calls.unreadable)

    ports, port_findings = find_ports(root)
    findings.extend(port_findings)
    ported: dict[str, list[Port]] = {}
    for port in ports:
        target = (port.port_of or "").replace("\\", "/").removeprefix("./")
        if target not in sources:
            findings.append(
                Finding(
                    port.path, (port.line,), f"PORT_OF names {port.port_of!r}, which does not exist"
                )
            )
            continue
        ported.setdefault(target, []).append(port)
    for path in sources:
        owners = ported.get(path, [])
        if not owners:
            findings.append(
                Finding(
                    path,
                    (),
                    f"has no lab port (a module under {PORTS_DIRECTORY.as_posix()}"
                    f" with PORT_OF = {path!r})",
                )
            )
        elif len(owners) > 1:
            names = ", ".join(p.path for p in owners)
            findings.append(
                Finding(path, (), f"has {len(owners)} lab ports ({names}); one is the contract")
            )

    lab_root = root / LAB_PACKAGE_PARENT
    for path, owners in sorted(ported.items()):
        if len(owners) != 1 or path not in powershell:
            continue
        port = owners[0]
        port_calls = read_port_calls(port.source, port.path, frozenset(project_functions), lab_root)
        findings.extend(Finding(port.path, (u.line,), u.message) for u in port_calls.unreadable)
        findings.extend(compare_pair(powershell[path], port_calls))

    ordered = [powershell[path] for path in sorted(powershell)]
    findings.extend(check_programs_known(ordered, surface))
    findings.extend(check_surface(ordered, surface))
    findings.extend(check_facts(root, surface))
    return Report(len(sources), len(ports), findings)


def main(argv: list[str] | None = None, surface: WindowsSurface | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--collection-root", type=Path, default=REPO_ROOT)
    args = parser.parse_args(argv)
    if surface is None:
        try:
            surface = lab_surface()
        except SurfaceUnavailable as error:
            print(f"Windows-call contract: cannot run: {error}", file=sys.stderr)
            return 1
    report = check_collection(args.collection_root.resolve(), surface)
    for finding in report.findings:
        print(f"windows-call drift: {finding}")
    print(
        f"Windows calls: {report.powershell_files} PowerShell files, {report.ports} ports,"
        f" {len(report.findings)} differences"
    )
    return 1 if report.findings else 0


if __name__ == "__main__":
    sys.exit(main())
