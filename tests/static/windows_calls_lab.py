"""The Windows calls a lab port makes, read with Python's `ast` (the port is never imported).

A port is a Python file under tests/lab/wsfc_lab/emulation/modules/ with a module-level
`PORT_OF = "plugins/..."` naming the PowerShell file it emulates statement for statement.
Its Windows calls go through the lab's PowerShellHost:
  - `<anything>.invoke("Command-Name", Param=..., **{"Other": ...})`: the command and its
    parameters (keyword names; the constant keys of a `**{...}` literal, or of a dict literal
    assigned to the splatted name with `d["Key"] = ...` beside it, as PowerShell splats);
    CIM classes and registry values from the ClassName / ResultClassName / Namespace and
    LiteralPath / Name keywords of Get-CimInstance, Get-CimAssociatedInstance and
    Get-ItemProperty;
  - `<anything>.native(<program>, [<args>])`: the program's file name, the verb (leading
    constant arguments without `-`) and the flags (arguments whose constant prefix starts
    with `-`, cut at `:`).
Values are followed the way windows_calls_ps.py follows them in PowerShell, so that a port
that mirrors its .ps1 reads the same: names to their assignments in the same function (then
the module, then a `from wsfc_lab... import NAME` module's constant), f-strings with their
computed parts as `*`, and `for item in host.invoke("Get-ChildItem", LiteralPath=X)` giving
`item.PSPath` the value `X\\*`.
"""

from __future__ import annotations

import ast
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from windows_calls_model import (
    DEFAULT_CIM_NAMESPACE,
    INPUT_OBJECT_NAMESPACE,
    MAX_DEPTH,
    NATIVE_WRAPPER,
    PURE_LANGUAGE_CMDLETS,
    RESOLVING_PARAMETERS,
    UNKNOWN,
    FileCalls,
    Kind,
    concatenate,
    file_name,
    native_words,
)

PORT_MARKER = "PORT_OF"
_PATH_MEMBERS = frozenset({"pspath", "fullname"})

_Scope = ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda


def port_of(tree: ast.Module) -> tuple[str | None, int] | None:
    """The PORT_OF value (None when it is not a string constant) and its line; None when the
    module has no PORT_OF."""
    for statement in tree.body:
        targets: list[ast.expr] = []
        value: ast.expr | None = None
        if isinstance(statement, ast.Assign):
            targets, value = statement.targets, statement.value
        elif isinstance(statement, ast.AnnAssign):
            targets, value = [statement.target], statement.value
        if any(isinstance(t, ast.Name) and t.id == PORT_MARKER for t in targets):
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                return value.value, statement.lineno
            return None, statement.lineno
    return None


@dataclass(frozen=True)
class _Binding:
    scope: _Scope
    value: ast.expr
    line: int


class _Module:
    """One parsed port with its assignments, loops, appends and subscript sets indexed."""

    def __init__(self, tree: ast.Module, lab_root: Path | None) -> None:
        self.tree = tree
        self.lab_root = lab_root
        self.parents: dict[ast.AST, ast.AST] = {}
        for parent in ast.walk(tree):
            for child in ast.iter_child_nodes(parent):
                self.parents[child] = parent
        self.assignments: dict[str, list[_Binding]] = {}
        self.loops: dict[str, list[_Binding]] = {}
        self.appends: dict[str, list[_Binding]] = {}
        self.item_sets: dict[str, list[tuple[_Scope, str, ast.expr]]] = {}
        self.imports: dict[str, tuple[str, str]] = {}
        self._index()

    def _index(self) -> None:
        for node in ast.walk(self.tree):
            scope = self.scope_of(node)
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    self._bind(target, node.value, scope, node.lineno)
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                self._bind(node.target, node.value, scope, node.lineno)
            elif isinstance(node, ast.For) and isinstance(node.target, ast.Name):
                self.loops.setdefault(node.target.id, []).append(
                    _Binding(scope, node.iter, node.lineno)
                )
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                owner = node.func.value
                if isinstance(owner, ast.Name) and node.func.attr in ("append", "extend"):
                    for argument in node.args[:1]:
                        items = [argument] if node.func.attr == "append" else _items(argument)
                        for item in items or []:
                            self.appends.setdefault(owner.id, []).append(
                                _Binding(scope, item, node.lineno)
                            )
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    self.imports[alias.asname or alias.name] = (node.module, alias.name)

    def _bind(self, target: ast.expr, value: ast.expr, scope: _Scope, line: int) -> None:
        if isinstance(target, ast.Name):
            self.assignments.setdefault(target.id, []).append(_Binding(scope, value, line))
        elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
            key = target.slice
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                self.item_sets.setdefault(target.value.id, []).append((scope, key.value, value))

    def scope_of(self, node: ast.AST) -> _Scope:
        parent = self.parents.get(node)
        while parent is not None:
            if isinstance(parent, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                return parent
            parent = self.parents.get(parent)
        return self.tree

    def visible(self, table: dict[str, list[_Binding]], name: str, scope: _Scope) -> list[_Binding]:
        found = table.get(name, [])
        here = [b for b in found if b.scope is scope]
        return here or [b for b in found if b.scope is self.tree]

    # -- values ----------------------------------------------------------------------------

    def strings(self, node: ast.expr | None, scope: _Scope, depth: int = 0) -> set[str]:
        if node is None or depth > MAX_DEPTH:
            return {UNKNOWN}
        if isinstance(node, ast.Constant):
            return {node.value} if isinstance(node.value, str) else {UNKNOWN}
        if isinstance(node, ast.JoinedStr):
            pieces: list[set[str]] = []
            for value in node.values:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    pieces.append({value.value})
                elif isinstance(value, ast.FormattedValue) and value.format_spec is None:
                    pieces.append(self.strings(value.value, scope, depth + 1))
                else:
                    pieces.append({UNKNOWN})
            return concatenate(pieces)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return concatenate(
                [
                    self.strings(node.left, scope, depth + 1),
                    self.strings(node.right, scope, depth + 1),
                ]
            )
        if isinstance(node, ast.IfExp):
            return self.strings(node.body, scope, depth + 1) | self.strings(
                node.orelse, scope, depth + 1
            )
        if isinstance(node, ast.Name):
            return self._name(node.id, scope, depth)
        if isinstance(node, ast.Attribute):
            return self._member(node, scope, depth)
        return {UNKNOWN}

    def _name(self, name: str, scope: _Scope, depth: int) -> set[str]:
        values: set[str] = set()
        for binding in self.visible(self.assignments, name, scope):
            if isinstance(binding.value, ast.Constant) and binding.value.value is None:
                continue  # `x = None` resets the name; no call is made with it
            values |= self.strings(binding.value, binding.scope, depth + 1)
        if not values and name in self.imports:
            values = self._imported(*self.imports[name])
        return values or {UNKNOWN}

    def _imported(self, module: str, name: str) -> set[str]:
        """A string constant of another module of the lab package, read without importing."""
        if self.lab_root is None or not module.startswith("wsfc_lab"):
            return set()
        path = self.lab_root.joinpath(*module.split("."))
        source = (
            path.with_suffix(".py") if path.with_suffix(".py").is_file() else path / "__init__.py"
        )
        if not source.is_file():
            return set()
        other = _Module(ast.parse(source.read_text(encoding="utf-8")), None)
        return other._name(name, other.tree, 0) - {UNKNOWN}

    def _member(self, node: ast.Attribute, scope: _Scope, depth: int) -> set[str]:
        """`item.PSPath` of `for item in host.invoke("Get-ChildItem", LiteralPath=X)`: `X\\*`."""
        if not isinstance(node.value, ast.Name) or node.attr.lower() not in _PATH_MEMBERS:
            return {UNKNOWN}
        values: set[str] = set()
        for loop in self.visible(self.loops, node.value.id, scope):
            listing = next(
                (c for c in ast.walk(loop.value) if _invoked_command(c) is not None), None
            )
            if listing is None or _invoked_command(listing) != "get-childitem":
                continue
            arguments = self.keyword_values(listing, loop.scope)
            path = arguments.get("literalpath") or arguments.get("path")
            parent = self.strings(path, loop.scope, depth + 1)
            values |= {re.sub(r"\*+", UNKNOWN, f"{p.rstrip(chr(92))}\\{UNKNOWN}") for p in parent}
        return values or {UNKNOWN}

    # -- calls -----------------------------------------------------------------------------

    def keyword_values(self, call: ast.Call, scope: _Scope) -> dict[str, ast.expr | None]:
        """Parameter (lower case) -> value expression, from keywords and splatted dicts."""
        found: dict[str, ast.expr | None] = {}
        for keyword in call.keywords:
            if keyword.arg is not None:
                found.setdefault(keyword.arg.lower(), keyword.value)
                continue
            for key, value in self.splat(keyword.value, scope) or []:
                found.setdefault(key.lower(), value)
        return found

    def splat(self, node: ast.expr, scope: _Scope) -> list[tuple[str, ast.expr | None]] | None:
        """The constant keys of `**{...}`, or of a dict literal assigned to `**name` plus its
        `name["Key"] = ...` sets; None when they cannot be read."""
        if isinstance(node, ast.Dict):
            return _dict_entries(node)
        if not isinstance(node, ast.Name):
            return None
        bindings = self.visible(self.assignments, node.id, scope)
        literals = [b.value for b in bindings if isinstance(b.value, ast.Dict)]
        if not literals:
            return None
        entries: list[tuple[str, ast.expr | None]] = []
        for literal in literals:
            keys = _dict_entries(literal)
            if keys is None:
                return None
            entries.extend(keys)
        entries.extend(
            (key, value)
            for set_scope, key, value in self.item_sets.get(node.id, [])
            if set_scope is bindings[0].scope
        )
        return entries

    def argument_lists(self, node: ast.expr | None, scope: _Scope) -> list[list[ast.expr]] | None:
        if node is None:
            return None
        inline = _items(node)
        if inline is not None:
            return [inline]
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("list", "tuple")
        ):
            return self.argument_lists(node.args[0], scope) if node.args else [[]]
        if not isinstance(node, ast.Name):
            return None
        alternatives: list[list[ast.expr]] = []
        for binding in self.visible(self.assignments, node.id, scope):
            items = _items(binding.value)
            if items is None:
                return None
            added = [a.value for a in self.appends.get(node.id, []) if a.scope is binding.scope]
            alternatives.append(items + added)
        return alternatives or None

    def element_prefix(self, node: ast.expr, scope: _Scope) -> tuple[str, bool]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value, True
        if isinstance(node, ast.JoinedStr):
            prefix = ""
            for value in node.values:
                if not (isinstance(value, ast.Constant) and isinstance(value.value, str)):
                    return prefix, False
                prefix += value.value
            return prefix, True
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self.element_prefix(node.left, scope)[0], False
        if isinstance(node, ast.Name):
            values = self.strings(node, scope)
            if len(values) == 1 and UNKNOWN not in next(iter(values)):
                return next(iter(values)), True
        return "", False


def _items(node: ast.expr) -> list[ast.expr] | None:
    if isinstance(node, ast.List | ast.Tuple):
        return list(node.elts)
    return None


def _dict_entries(node: ast.Dict) -> list[tuple[str, ast.expr | None]] | None:
    entries: list[tuple[str, ast.expr | None]] = []
    for key, value in zip(node.keys, node.values, strict=True):
        if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
            return None
        entries.append((key.value, value))
    return entries


def _invoked_command(node: ast.AST) -> str | None:
    """The lower-case command name of `<x>.invoke("Name", ...)`, else None."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
        return None
    if node.func.attr != "invoke" or not node.args:
        return None
    first = node.args[0]
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        return first.value.lower()
    return None


class _Reader:
    def __init__(
        self, module: _Module, calls: FileCalls, project_functions: frozenset[str]
    ) -> None:
        self.module = module
        self.calls = calls
        self.project_functions = project_functions

    def read(self) -> None:
        for node in _calls_in_order(self.module.tree):
            if not isinstance(node.func, ast.Attribute):
                continue
            if node.func.attr == "invoke" and node.args:
                self._invoke(node)
            elif node.func.attr == "native":
                self._native(node)

    def _invoke(self, node: ast.Call) -> None:
        scope = self.module.scope_of(node)
        names = self.module.strings(node.args[0], scope)
        if any(UNKNOWN in name for name in names):
            self.calls.cannot_read(node.lineno, "invoke(...) names its command at run time")
            return
        arguments = self.module.keyword_values(node, scope)
        parameters = [k.arg for k in node.keywords if k.arg is not None]
        for keyword in node.keywords:
            if keyword.arg is None:
                entries = self.module.splat(keyword.value, scope)
                if entries is None:
                    self.calls.cannot_read(
                        node.lineno,
                        f"`**{ast.unparse(keyword.value)}` is not a dict literal with constant"
                        " keys: its parameters cannot be read",
                    )
                    continue
                parameters.extend(entry[0] for entry in entries)
        for name in sorted(names):
            lowered = name.lower()
            if lowered == NATIVE_WRAPPER.lower():
                self.calls.cannot_read(
                    node.lineno, f"invoke({name!r}): a port runs native programs with native(...)"
                )
                continue
            resolving = RESOLVING_PARAMETERS.get(lowered)
            if lowered in PURE_LANGUAGE_CMDLETS and (
                resolving is None or resolving not in arguments
            ):
                continue
            if lowered in self.project_functions:
                continue
            self.calls.add_command(name, parameters, node.lineno)
            if lowered == "get-ciminstance":
                self._cim(arguments, "ClassName", DEFAULT_CIM_NAMESPACE, name, node.lineno, scope)
            elif lowered == "get-cimassociatedinstance":
                self._cim(
                    arguments, "ResultClassName", INPUT_OBJECT_NAMESPACE, name, node.lineno, scope
                )
            elif lowered == "get-itemproperty":
                self._registry(arguments, node.lineno, scope)

    def _cim(
        self,
        arguments: dict[str, ast.expr | None],
        class_parameter: str,
        default_namespace: str,
        command: str,
        line: int,
        scope: _Scope,
    ) -> None:
        class_node = arguments.get(class_parameter.lower())
        classes = self.module.strings(class_node, scope) if class_node is not None else set()
        namespace_node = arguments.get("namespace")
        namespaces = (
            self.module.strings(namespace_node, scope)
            if namespace_node is not None
            else {default_namespace}
        )
        if not classes or any(UNKNOWN in c for c in classes):
            self.calls.cannot_read(
                line, f"{command} names no class by a constant {class_parameter}="
            )
            return
        if any(UNKNOWN in n for n in namespaces):
            self.calls.cannot_read(line, f"{command} Namespace= is not a constant")
            return
        for namespace, class_name in itertools.product(sorted(namespaces), sorted(classes)):
            self.calls.add(Kind.CIM, (namespace, class_name), line)

    def _registry(self, arguments: dict[str, ast.expr | None], line: int, scope: _Scope) -> None:
        path_node = arguments.get("literalpath") or arguments.get("path")
        paths = self.module.strings(path_node, scope) if path_node is not None else {UNKNOWN}
        name_node = arguments.get("name")
        names = {UNKNOWN}
        if name_node is not None:
            items = _items(name_node) or [name_node]
            values = [self.module.strings(item, scope) for item in items]
            if any(len(v) != 1 or UNKNOWN in next(iter(v)) for v in values):
                self.calls.cannot_read(line, "Get-ItemProperty Name= is not a constant")
                return
            names = {next(iter(v)) for v in values}
        for path, value in itertools.product(sorted(paths), sorted(names)):
            self.calls.add(Kind.REGISTRY, (path, value), line)

    def _native(self, node: ast.Call) -> None:
        scope = self.module.scope_of(node)
        program_node = node.args[0] if node.args else None
        programs = {file_name(p) for p in self.module.strings(program_node, scope)}
        if not programs or any(UNKNOWN in p for p in programs):
            self.calls.cannot_read(
                node.lineno, "native(...): the program's file name is not a constant"
            )
            return
        argument_node = node.args[1] if len(node.args) > 1 else None
        alternatives = self.module.argument_lists(argument_node, scope)
        if alternatives is None:
            self.calls.cannot_read(
                node.lineno,
                "native(...): the arguments are not a list literal (or a name bound to one,"
                " with .append(...)) in the same function",
            )
            return
        for program in sorted(programs):
            for elements in alternatives:
                verb, flags = native_words([self.module.element_prefix(e, scope) for e in elements])
                self.calls.add_native(program, verb, flags, node.lineno)


def _calls_in_order(tree: ast.Module) -> Iterator[ast.Call]:
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    yield from sorted(calls, key=lambda c: (c.lineno, c.col_offset))


def read_port_calls(
    source: str,
    path: str,
    project_functions: frozenset[str] = frozenset(),
    lab_root: Path | None = None,
) -> FileCalls:
    """The Windows calls of one port. `lab_root` is the directory holding the wsfc_lab
    package, where `from wsfc_lab... import NAME` constants are looked up."""
    calls = FileCalls(path)
    module = _Module(ast.parse(source), lab_root)
    _Reader(module, calls, frozenset(f.lower() for f in project_functions)).read()
    return calls
