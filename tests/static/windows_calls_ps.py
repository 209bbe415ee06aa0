"""The Windows calls a PowerShell file makes, read from its syntax tree (tree-sitter-pwsh).

Read, never run:
  - commands with the parameters they are given: `-Name` literals, and splatting `@p`
    resolved from `$p = @{...}`, `$p.Key = ...` and `$p['Key'] = ...` in the same file;
  - CIM classes: `Get-CimInstance -ClassName`, `Get-CimAssociatedInstance -ResultClassName`,
    each with its `-Namespace`;
  - registry values: `Get-ItemProperty -LiteralPath <path> -Name <value>`;
  - native programs, through the one wrapper `Invoke-WsfcNativeCommand -FilePath <program>
    -ArgumentList <array>`: the program is the file name literal in the value given to
    -FilePath (or in the assignment of its variable), the array an `@(...)` literal, or a
    `[List[string]]` filled with `.Add(...)`, in the same function or script.

A value given through a variable is followed to its assignments in the same function (then
in the script, as PowerShell's scopes would find it); a part computed at run time reads as
`*`: `"Registry::$hiveKey"` with `$hiveKey = 'HKLM\\X_{0}' -f $token` reads
`Registry::HKLM\\X_*`. Whatever cannot be read at all (a command run with `&`, a splat of an
unknown variable) is reported, never skipped.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import tree_sitter
from pwsh_tree import first_syntax_problem, parse_powershell, string_literal_value
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

# Nodes that only wrap the expression inside them.
_WRAPPERS = frozenset(
    {"pipeline", "pipeline_chain", "unary_expression", "assignment_value", "argument_expression"}
)
_FORMAT_ITEM = re.compile(r"\{\d+(?:[,:][^}]*)?\}")
_LIST_TYPE = re.compile(r"^\[(system\.collections\.generic\.)?list\[string\]\]::new\(", re.I)
_PATH_COMBINE = re.compile(r"^\[(system\.io\.)?path\]::combine$", re.I)
# Members of a Get-ChildItem result that hold its full provider path.
_PATH_MEMBERS = frozenset({"pspath", "fullname"})


class PowerShellReadError(Exception):
    """The file does not parse as PowerShell."""


def _text(node: tree_sitter.Node) -> str:
    return (node.text or b"").decode("utf-8")


def _line(node: tree_sitter.Node) -> int:
    return node.start_point.row + 1


def _unwrap(node: tree_sitter.Node) -> tree_sitter.Node:
    while True:
        if node.type in _WRAPPERS and node.named_child_count == 1:
            node = node.named_children[0]
        elif node.type == "parenthesized_expression" and node.named_child_count == 1:
            node = node.named_children[0]
        else:
            return node


def _walk(node: tree_sitter.Node) -> Iterator[tree_sitter.Node]:
    yield node
    for child in node.named_children:
        yield from _walk(child)


def _variable_name(node: tree_sitter.Node) -> str | None:
    """`name` for `$name`, `${name}` or `@name` (lower case: variables ignore case)."""
    if node.type != "variable":
        return None
    name = _text(node)
    if name[:1] not in ("$", "@"):
        return None
    name = name[1:].strip("{}").lower()
    for scope in ("script:", "local:", "private:"):
        name = name.removeprefix(scope)
    return name


def defined_functions(source: bytes) -> frozenset[str]:
    """The names of the functions a file defines (lower case: commands ignore case)."""
    tree = parse_powershell(source)
    return frozenset(
        _text(name).lower()
        for node in _walk(tree.root_node)
        if node.type == "function_statement"
        for name in node.named_children
        if name.type == "function_name"
    )


@dataclass(frozen=True)
class _Assignment:
    scope: int  # the id of the enclosing function_statement, 0 for the script
    value: tree_sitter.Node
    line: int


@dataclass(frozen=True)
class _Argument:
    value: tree_sitter.Node | None
    line: int


class _Script:
    """One parsed file with its assignments, splats and loops indexed by variable."""

    def __init__(self, source: bytes) -> None:
        tree = parse_powershell(source)
        problem = first_syntax_problem(tree)
        if problem is not None:
            raise PowerShellReadError(f"line {problem.line}: {problem.description}")
        self.root = tree.root_node
        self.assignments: dict[str, list[_Assignment]] = {}
        self.hashtables: set[str] = set()
        self.splat_entries: dict[str, list[tuple[str, tree_sitter.Node | None, int]]] = {}
        self.list_adds: dict[str, list[tuple[int, tree_sitter.Node]]] = {}
        self.loops: dict[str, list[_Assignment]] = {}
        self._index(self.root, 0)

    # -- the index -------------------------------------------------------------------------

    def _index(self, node: tree_sitter.Node, scope: int) -> None:
        for child in node.named_children:
            child_scope = child.id if child.type == "function_statement" else scope
            if child.type == "assignment_expression":
                self._index_assignment(child, scope)
            elif child.type == "foreach_statement":
                self._index_loop(child, scope)
            elif child.type == "invocation_expression":
                self._index_add(child, scope)
            self._index(child, child_scope)

    def _index_assignment(self, node: tree_sitter.Node, scope: int) -> None:
        children = node.named_children
        left = next((c for c in children if c.type == "left_assignment_expression"), None)
        operator = next((c for c in children if c.type == "assignment_operator"), None)
        if left is None or operator is None or _text(operator).strip() != "=":
            return
        value = next((c for c in children if c.start_byte >= operator.end_byte), None)
        if value is None:
            return
        target = _unwrap(left.named_children[0]) if left.named_child_count else left
        name = _variable_name(target)
        if name is not None:
            self.assignments.setdefault(name, []).append(_Assignment(scope, value, _line(node)))
            if _unwrap(value).type == "hash_literal_expression":
                self.hashtables.add(name)
                for key, entry_value in _hash_entries(_unwrap(value)):
                    self.splat_entries.setdefault(name, []).append(
                        (key, entry_value, _line(entry_value or node))
                    )
            return
        # $p.Key = value and $p['Key'] = value add to a hashtable that may be splatted.
        if target.type in ("member_access", "element_access") and target.named_child_count:
            owner = _variable_name(target.named_children[0])
            key_node = target.named_children[-1]
            if owner is None:
                return
            if target.type == "member_access":
                key = _text(key_node)
            else:
                keys = _constant(key_node)
                key = keys if keys is not None else ""
            if key and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
                self.splat_entries.setdefault(owner, []).append((key, value, _line(node)))

    def _index_loop(self, node: tree_sitter.Node, scope: int) -> None:
        variable = next((c for c in node.named_children if c.type == "variable"), None)
        collection = next((c for c in node.named_children if c.type == "pipeline"), None)
        name = _variable_name(variable) if variable is not None else None
        if name is not None and collection is not None:
            self.loops.setdefault(name, []).append(_Assignment(scope, collection, _line(node)))

    def _index_add(self, node: tree_sitter.Node, scope: int) -> None:
        children = node.named_children
        if len(children) < 2 or children[1].type != "member_name":
            return
        owner = _variable_name(children[0])
        if owner is None or _text(children[1]).lower() != "add":
            return
        arguments = _invocation_arguments(node)
        if len(arguments) == 1:
            self.list_adds.setdefault(owner, []).append((scope, arguments[0]))

    # -- lookups ---------------------------------------------------------------------------

    def scope_of(self, node: tree_sitter.Node) -> int:
        parent = node.parent
        while parent is not None:
            if parent.type == "function_statement":
                return parent.id
            parent = parent.parent
        return 0

    def function_of(self, node: tree_sitter.Node) -> str | None:
        parent = node.parent
        while parent is not None:
            if parent.type == "function_statement":
                name = next((c for c in parent.named_children if c.type == "function_name"), None)
                return _text(name).lower() if name is not None else None
            parent = parent.parent
        return None

    def visible(
        self, table: dict[str, list[_Assignment]], name: str, scope: int
    ) -> list[_Assignment]:
        """The assignments of `name` in this function, else in the script."""
        found = table.get(name, [])
        here = [a for a in found if a.scope == scope]
        return here or [a for a in found if a.scope == 0]

    # -- values ----------------------------------------------------------------------------

    def strings(self, node: tree_sitter.Node | None, scope: int, depth: int = 0) -> set[str]:
        """The values a string expression can have; computed parts read as `*`."""
        if node is None or depth > MAX_DEPTH:
            return {UNKNOWN}
        node = _unwrap(node)
        kind = node.type
        constant = _constant(node)
        if constant is not None:
            return {constant}
        if kind == "string_literal":
            return self._expandable(node, scope, depth)
        if kind == "variable":
            return self._variable(node, scope, depth)
        if kind == "member_access":
            return self._member(node, scope, depth)
        if kind == "command":
            return self._join_path(node, scope, depth)
        if kind == "format_expression":
            template = _constant(node.named_children[0]) if node.named_child_count else None
            return {_FORMAT_ITEM.sub(UNKNOWN, template)} if template is not None else {UNKNOWN}
        if kind in ("additive_expression", "additive_argument_expression"):
            return concatenate([self.strings(o, scope, depth + 1) for o in node.named_children], "")
        if kind == "if_statement":
            values: set[str] = set()
            for block in (n for n in _walk(node) if n.type == "statement_block"):
                statements = [c for c in block.named_children if c.type == "statement_list"]
                for statement_list in statements:
                    if statement_list.named_child_count:
                        last = statement_list.named_children[-1]
                        values |= self.strings(last, scope, depth + 1)
            return values or {UNKNOWN}
        if kind == "invocation_expression" and node.named_child_count >= 2:
            owner, member = node.named_children[0], node.named_children[1]
            if _PATH_COMBINE.match(f"{_text(owner)}::{_text(member)}"):
                parts = [self.strings(a, scope, depth + 1) for a in _invocation_arguments(node)]
                return concatenate(parts, "\\")
        return {UNKNOWN}

    def _expandable(self, node: tree_sitter.Node, scope: int, depth: int) -> set[str]:
        literal = node.named_children[0] if node.named_child_count else node
        body_start, body_end = literal.start_byte + 1, literal.end_byte - 1
        pieces: list[set[str]] = []
        cursor = body_start
        source = literal.text or b""
        for embedded in literal.named_children:
            text = source[cursor - literal.start_byte : embedded.start_byte - literal.start_byte]
            pieces.append({text.decode("utf-8")})
            if embedded.type == "variable":
                pieces.append(self._variable(embedded, scope, depth))
            else:
                pieces.append({UNKNOWN})
            cursor = embedded.end_byte
        tail = source[cursor - literal.start_byte : body_end - literal.start_byte]
        pieces.append({tail.decode("utf-8")})
        return concatenate(pieces, "")

    def _variable(self, node: tree_sitter.Node, scope: int, depth: int) -> set[str]:
        name = _variable_name(node)
        if name is None or ":" in name:
            return {UNKNOWN}  # $env:X and other drives: the machine's, not the script's
        values: set[str] = set()
        for assignment in self.visible(self.assignments, name, scope):
            if _is_null(assignment.value):
                continue  # `$x = $null` resets the variable; no call is made with it
            values |= self.strings(assignment.value, assignment.scope, depth + 1)
        return values or {UNKNOWN}

    def _member(self, node: tree_sitter.Node, scope: int, depth: int) -> set[str]:
        """`$item.PSPath` of a `foreach ($item in (Get-ChildItem -LiteralPath X))`: `X\\*`."""
        owner, member = node.named_children[0], node.named_children[-1]
        name = _variable_name(owner)
        if name is None or _text(member).lower() not in _PATH_MEMBERS:
            return {UNKNOWN}
        values: set[str] = set()
        for loop in self.visible(self.loops, name, scope):
            listing = next((n for n in _walk(loop.value) if n.type == "command"), None)
            if listing is None or _command_name(listing).lower() != "get-childitem":
                continue
            arguments = self.arguments(listing)[0]
            path = arguments.get("literalpath") or arguments.get("path")
            parent = self.strings(path.value if path else None, loop.scope, depth + 1)
            values |= concatenate([parent, {UNKNOWN}], "\\")
        return values or {UNKNOWN}

    def _join_path(self, node: tree_sitter.Node, scope: int, depth: int) -> set[str]:
        if _command_name(node).lower() != "join-path":
            return {UNKNOWN}
        arguments, positional = self.arguments(node)
        parent = arguments.get("path")
        child = arguments.get("childpath")
        parent_node = parent.value if parent else (positional[0] if positional else None)
        child_node = child.value if child else (positional[1] if len(positional) > 1 else None)
        if parent_node is None or child_node is None:
            return {UNKNOWN}
        return concatenate(
            [
                self.strings(parent_node, scope, depth + 1),
                self.strings(child_node, scope, depth + 1),
            ],
            "\\",
        )

    # -- commands --------------------------------------------------------------------------

    def arguments(
        self, command: tree_sitter.Node
    ) -> tuple[dict[str, _Argument], list[tree_sitter.Node]]:
        """Named arguments (lower-case parameter -> value) and positional ones."""
        named: dict[str, _Argument] = {}
        positional: list[tree_sitter.Node] = []
        elements = next((c for c in command.named_children if c.type == "command_elements"), None)
        if elements is None:
            return named, positional
        items = [
            c
            for c in elements.named_children
            if c.type not in ("command_argument_sep", "redirection")
        ]
        index = 0
        while index < len(items):
            item = items[index]
            if item.type == "command_parameter":
                name = _parameter_name(item)
                following = items[index + 1] if index + 1 < len(items) else None
                if following is not None and following.type != "command_parameter":
                    named[name.lower()] = _Argument(following, _line(item))
                    index += 2
                    continue
                named[name.lower()] = _Argument(None, _line(item))
            elif _splat_name(item) is None:
                positional.append(item)
            index += 1
        for name in (splat[0] for splat in self.splats(command)):
            for key, value, line in self.splat_entries.get(name, []):
                named.setdefault(key.lower(), _Argument(value, line))
        return named, positional

    def splats(self, command: tree_sitter.Node) -> list[tuple[str, str]]:
        """The splatted variables: (name in lower case, name as written)."""
        elements = next((c for c in command.named_children if c.type == "command_elements"), None)
        if elements is None:
            return []
        found: list[tuple[str, str]] = []
        for child in elements.named_children:
            name = _splat_name(child)
            if name is not None:
                found.append((name, _text(_unwrap(child))[1:]))
        return found


def _splat_name(node: tree_sitter.Node) -> str | None:
    node = _unwrap(node)
    if node.type == "variable" and _text(node).startswith("@"):
        return _variable_name(node)
    return None


def _parameter_name(node: tree_sitter.Node) -> str:
    return _text(node).lstrip("-").rstrip(":")


def _command_name(command: tree_sitter.Node) -> str:
    name = next((c for c in command.named_children if c.type == "command_name"), None)
    return _text(name) if name is not None else ""


def _is_null(node: tree_sitter.Node) -> bool:
    node = _unwrap(node)
    return node.type == "variable" and _text(node).lower() == "$null"


def _constant(node: tree_sitter.Node) -> str | None:
    """The value of a string literal without interpolation, or of a bare word."""
    node = _unwrap(node)
    if node.type == "generic_token":
        return _text(node)
    if node.type != "string_literal":
        return None
    return string_literal_value(node)


def _hash_entries(table: tree_sitter.Node) -> Iterator[tuple[str, tree_sitter.Node | None]]:
    for body in (c for c in table.named_children if c.type == "hash_literal_body"):
        for entry in (c for c in body.named_children if c.type == "hash_entry"):
            key_node = next((c for c in entry.named_children if c.type == "key_expression"), None)
            value = next((c for c in entry.named_children if c.type != "key_expression"), None)
            if key_node is None or not key_node.named_child_count:
                continue
            inner = key_node.named_children[0]
            key = _text(inner) if inner.type == "simple_name" else _constant(inner)
            if key:
                yield key, value


def _invocation_arguments(node: tree_sitter.Node) -> list[tree_sitter.Node]:
    argument_list = next((c for c in node.named_children if c.type == "argument_list"), None)
    if argument_list is None:
        return []
    expressions = next(
        (c for c in argument_list.named_children if c.type == "argument_expression_list"), None
    )
    if expressions is None:
        return []
    return [c for c in expressions.named_children if c.type == "argument_expression"]


def _list_elements(node: tree_sitter.Node) -> list[tree_sitter.Node] | None:
    """The element expressions of `@(...)` or `a, b`, statements flattened; None otherwise."""
    node = _unwrap(node)
    if node.type == "array_literal_expression":
        return list(node.named_children)
    if node.type != "array_expression":
        return None
    elements: list[tree_sitter.Node] = []
    for statement_list in (c for c in node.named_children if c.type == "statement_list"):
        for statement in statement_list.named_children:
            inner = _list_elements(statement)
            elements.extend(inner if inner is not None else [statement])
    return elements


def _element_prefix(node: tree_sitter.Node) -> tuple[str, bool]:
    """An argument's constant prefix and whether the argument is that constant entirely."""
    node = _unwrap(node)
    constant = _constant(node)
    if constant is not None:
        return constant, True
    if node.type == "string_literal" and node.named_child_count:
        literal = node.named_children[0]
        first = literal.named_children[0] if literal.named_child_count else None
        end = first.start_byte if first is not None else literal.end_byte - 1
        prefix = (literal.text or b"")[1 : end - literal.start_byte].decode("utf-8")
        return prefix, False
    if node.type in ("additive_expression", "additive_argument_expression"):
        head = node.named_children[0] if node.named_child_count else None
        if head is not None:
            return _element_prefix(head)[0], False
    return "", False


class _Reader:
    def __init__(
        self, script: _Script, calls: FileCalls, project_functions: frozenset[str]
    ) -> None:
        self.script = script
        self.calls = calls
        self.project_functions = project_functions

    def read(self) -> None:
        for node in _walk(self.script.root):
            if node.type == "command":
                self._command(node)

    def _command(self, node: tree_sitter.Node) -> None:
        line = _line(node)
        if any(c.type == "command_invocation_operator" for c in node.named_children):
            if self.script.function_of(node) == NATIVE_WRAPPER.lower():
                return  # the wrapper runs the program its caller names; the caller is read
            self.calls.cannot_read(
                line,
                f"`{_text(node).splitlines()[0].strip()}` runs a command through the call"
                f" operator, which this check cannot follow; run native programs through"
                f" {NATIVE_WRAPPER} -FilePath <program> -ArgumentList <array>",
            )
            return
        name = _command_name(node)
        lowered = name.lower()
        if lowered == NATIVE_WRAPPER.lower():
            self._native(node)
            return
        arguments = self.script.arguments(node)[0]
        resolving = RESOLVING_PARAMETERS.get(lowered)
        if lowered in PURE_LANGUAGE_CMDLETS and (resolving is None or resolving not in arguments):
            return
        if lowered in self.project_functions:
            return
        parameters = self._parameters(node)
        self.calls.add_command(name, parameters, line)
        scope = self.script.scope_of(node)
        if lowered == "get-ciminstance":
            self._cim(arguments, "ClassName", DEFAULT_CIM_NAMESPACE, name, line, scope)
        elif lowered == "get-cimassociatedinstance":
            self._cim(arguments, "ResultClassName", INPUT_OBJECT_NAMESPACE, name, line, scope)
        elif lowered == "get-itemproperty":
            self._registry(arguments, line, scope)

    def _parameters(self, node: tree_sitter.Node) -> list[str]:
        elements = next((c for c in node.named_children if c.type == "command_elements"), None)
        found: list[str] = []
        if elements is None:
            return found
        for child in elements.named_children:
            if child.type == "command_parameter":
                found.append(_parameter_name(child))
        for splat, shown in self.script.splats(node):
            if splat not in self.script.hashtables:
                self.calls.cannot_read(
                    _line(node),
                    f"`@{shown}` splats a variable that no `${shown} = @{{...}}` in this file"
                    " assigns: its parameters cannot be read",
                )
                continue
            found.extend(entry[0] for entry in self.script.splat_entries.get(splat, []))
        return found

    def _single(self, argument: _Argument | None, scope: int) -> set[str] | None:
        if argument is None or argument.value is None:
            return None
        return self.script.strings(argument.value, scope)

    def _cim(
        self,
        arguments: dict[str, _Argument],
        class_parameter: str,
        default_namespace: str,
        command: str,
        line: int,
        scope: int,
    ) -> None:
        classes = self._single(arguments.get(class_parameter.lower()), scope)
        namespaces = self._single(arguments.get("namespace"), scope) or {default_namespace}
        if not classes or any(UNKNOWN in c for c in classes):
            self.calls.cannot_read(
                line, f"{command} names no class by a literal -{class_parameter}"
            )
            return
        if any(UNKNOWN in n for n in namespaces):
            self.calls.cannot_read(line, f"{command} -Namespace is not a literal")
            return
        for namespace, class_name in itertools.product(sorted(namespaces), sorted(classes)):
            self.calls.add(Kind.CIM, (namespace, class_name), line)

    def _registry(self, arguments: dict[str, _Argument], line: int, scope: int) -> None:
        path_argument = arguments.get("literalpath") or arguments.get("path")
        paths = self._single(path_argument, scope) or {UNKNOWN}
        name_argument = arguments.get("name")
        names: set[str] = {UNKNOWN}
        if name_argument is not None and name_argument.value is not None:
            items = _list_elements(name_argument.value) or [name_argument.value]
            constants = [_constant(item) for item in items]
            if any(c is None for c in constants):
                self.calls.cannot_read(line, "Get-ItemProperty -Name is not a literal")
                return
            names = {c for c in constants if c is not None}
        for path, value in itertools.product(sorted(paths), sorted(names)):
            self.calls.add(Kind.REGISTRY, (path, value), line)

    def _native(self, node: tree_sitter.Node) -> None:
        line = _line(node)
        scope = self.script.scope_of(node)
        arguments = self.script.arguments(node)[0]
        programs = self._programs(arguments.get("filepath"), scope)
        if not programs:
            self.calls.cannot_read(
                line,
                f"{NATIVE_WRAPPER}: no file name literal in the value given to -FilePath"
                " (or in the assignment of its variable)",
            )
            return
        alternatives = self._argument_arrays(arguments.get("argumentlist"), scope)
        if alternatives is None:
            self.calls.cannot_read(
                line,
                f"{NATIVE_WRAPPER}: -ArgumentList is not an @(...) literal or a List[string]"
                " filled with .Add(...) in the same function or script",
            )
            return
        for program in sorted(programs):
            for elements in alternatives:
                verb, flags = native_words([_element_prefix(e) for e in elements])
                self.calls.add_native(program, verb, flags, line)

    def _programs(self, argument: _Argument | None, scope: int) -> set[str]:
        if argument is None or argument.value is None:
            return set()
        value = _unwrap(argument.value)
        sources: list[tree_sitter.Node] = [value]
        name = _variable_name(value)
        if name is not None:
            sources = [a.value for a in self.script.visible(self.script.assignments, name, scope)]
        programs: set[str] = set()
        for source in sources:
            literals = [c for c in (_constant(n) for n in _walk(source)) if c is not None]
            named = [file_name(c) for c in literals if re.search(r"\.[A-Za-z0-9]+$", c)]
            if named:
                programs.add(named[-1])
        return programs

    def _argument_arrays(
        self, argument: _Argument | None, scope: int
    ) -> list[list[tree_sitter.Node]] | None:
        if argument is None or argument.value is None:
            return None
        value = _unwrap(argument.value)
        inline = _list_elements(value)
        if inline is not None:
            return [inline]
        # `$list.ToArray()`: in argument mode the grammar reads it as the member access
        # followed by a separate `()`.
        if (
            value.type in ("invocation_expression", "member_access")
            and value.named_child_count >= 2
        ):
            owner, member = value.named_children[0], value.named_children[1]
            if _text(member).lower() == "toarray":
                value = owner
        name = _variable_name(value)
        if name is None:
            return None
        alternatives: list[list[tree_sitter.Node]] = []
        for assignment in self.script.visible(self.script.assignments, name, scope):
            elements = _list_elements(assignment.value)
            if elements is not None:
                alternatives.append(elements)
            elif _LIST_TYPE.match(_text(_unwrap(assignment.value)).replace(" ", "")):
                adds = self.script.list_adds.get(name, [])
                alternatives.append([a for s, a in adds if s == assignment.scope])
            else:
                return None
        return alternatives or None


def read_powershell_calls(
    source: bytes, path: str, project_functions: Iterable[str] = ()
) -> FileCalls:
    """The Windows calls of one .ps1/.psm1; `project_functions` are not Windows calls."""
    calls = FileCalls(path)
    script = _Script(source)
    own = defined_functions(source)
    _Reader(script, calls, own | frozenset(f.lower() for f in project_functions)).read()
    return calls
