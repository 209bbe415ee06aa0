"""Reads what a PowerShell module declares: its Ansible.Basic spec and its result keys.

The spec is the `$spec = @{ ... }` hashtable a module passes to
`[Ansible.Basic.AnsibleModule]::Create($args, $spec)`. It is read from the syntax tree,
never run: literals become Python values ($true -> True, @('a', 'b') -> ['a', 'b'],
@{ k = v } -> dict), and anything computed (a variable, a call, an interpolated string)
becomes an `Unevaluated` holding its source text, which compares unequal to any
documented value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

import tree_sitter
from pwsh_tree import first_syntax_problem, parse_powershell, string_literal_value

# Nodes that only wrap a single expression.
_WRAPPERS = frozenset(
    {"pipeline", "pipeline_chain", "unary_expression", "assignment_value", "argument_expression"}
)
_CONSTANT_VARIABLES: dict[str, bool | None] = {"$true": True, "$false": False, "$null": None}


class SpecReadError(Exception):
    """The module's spec or results cannot be read from its source."""


@dataclass(frozen=True)
class Unevaluated:
    """A value the spec computes at run time; only its source text is known here."""

    source: str


PowerShellValue: TypeAlias = (
    "str | int | float | bool | Unevaluated | list[PowerShellValue]"
    " | dict[str, PowerShellValue] | None"
)


@dataclass(frozen=True)
class ComputedResultKey:
    """A result key named at run time (`$module.Result[$key] = ...`): unknown statically."""

    line: int
    source: str


@dataclass(frozen=True)
class PowerShellDeclaration:
    spec: dict[str, PowerShellValue]
    result_keys: frozenset[str]
    computed_result_keys: tuple[ComputedResultKey, ...] = ()


def _text(node: tree_sitter.Node) -> str:
    return (node.text or b"").decode("utf-8")


def _unwrap(node: tree_sitter.Node) -> tree_sitter.Node:
    while node.type in _WRAPPERS and node.named_child_count == 1:
        node = node.named_children[0]
    return node


def _string_value(node: tree_sitter.Node) -> str | Unevaluated:
    value = string_literal_value(node)
    if value is not None:
        return value
    literal = node.named_children[0] if node.named_child_count else node
    return Unevaluated(_text(literal))


def _integer_value(node: tree_sitter.Node) -> int:
    text = _text(node).lower()
    return int(text, 16) if text.startswith("0x") else int(text)


def _list_items(node: tree_sitter.Node) -> list[PowerShellValue]:
    """The elements of `a, b` or of `@(...)` (its statements flattened, as in PowerShell)."""
    if node.type == "array_literal_expression":
        return [evaluate(child) for child in node.named_children]
    items: list[PowerShellValue] = []
    for statement_list in (c for c in node.named_children if c.type == "statement_list"):
        for statement in statement_list.named_children:
            value = evaluate(statement)
            if isinstance(value, list):
                items.extend(value)
            else:
                items.append(value)
    return items


def _hashtable(node: tree_sitter.Node) -> dict[str, PowerShellValue]:
    table: dict[str, PowerShellValue] = {}
    for body in (c for c in node.named_children if c.type == "hash_literal_body"):
        for entry in (c for c in body.named_children if c.type == "hash_entry"):
            key_node = next(c for c in entry.named_children if c.type == "key_expression")
            value_node = next(c for c in entry.named_children if c.type != "key_expression")
            key = evaluate(key_node.named_children[0]) if key_node.named_child_count else None
            if key_node.named_child_count and key_node.named_children[0].type == "simple_name":
                key = _text(key_node.named_children[0])
            if not isinstance(key, str):
                raise SpecReadError(f"line {entry.start_point.row + 1}: a computed hashtable key")
            table[key] = evaluate(value_node)
    return table


def evaluate(node: tree_sitter.Node) -> PowerShellValue:
    """The Python value of a literal PowerShell expression, or `Unevaluated`."""
    node = _unwrap(node)
    kind = node.type
    if kind == "hash_literal_expression":
        return _hashtable(node)
    if kind in ("array_literal_expression", "array_expression"):
        return _list_items(node)
    if kind == "string_literal":
        return _string_value(node)
    if kind == "integer_literal":
        return _integer_value(node)
    if kind == "real_literal":
        return float(_text(node))
    if kind == "variable" and _text(node).lower() in _CONSTANT_VARIABLES:
        return _CONSTANT_VARIABLES[_text(node).lower()]
    if kind == "parenthesized_expression":
        if node.named_child_count == 1:
            return evaluate(node.named_children[0])
    if kind == "expression_with_unary_operator" and _text(node.children[0]) == ",":
        return [evaluate(node.named_children[-1])]  # the unary comma: a one-element array
    if kind == "expression_with_unary_operator" and _text(node.children[0]) == "-":
        operand = evaluate(node.named_children[-1])
        if isinstance(operand, int | float) and not isinstance(operand, bool):
            return -operand
    return Unevaluated(_text(node))


def _walk(node: tree_sitter.Node) -> list[tree_sitter.Node]:
    found = [node]
    for child in node.named_children:
        found.extend(_walk(child))
    return found


def _assignment_target(assignment: tree_sitter.Node) -> tree_sitter.Node:
    left = next(c for c in assignment.named_children if c.type == "left_assignment_expression")
    return _unwrap(left.named_children[0]) if left.named_child_count else left


def _assignment_value(assignment: tree_sitter.Node) -> tree_sitter.Node:
    return next(c for c in assignment.named_children if c.type == "assignment_value")


def _is_module_result(node: tree_sitter.Node, module_variable: str) -> bool:
    """Whether `node` is `$module.Result` (names compare case-insensitively, as in PowerShell)."""
    if node.type != "member_access" or node.named_child_count != 2:
        return False
    owner, member = node.named_children
    return (
        owner.type == "variable"
        and _text(owner).lower() == module_variable
        and _text(member).lower() == "result"
    )


def _result_key(target: tree_sitter.Node, module_variable: str) -> str | Unevaluated | None:
    """`key` for `$module.Result.key` and `$module.Result["key"]`, None when `target` is not
    a result key, `Unevaluated` when the key is computed (`$module.Result[$name]`)."""
    if target.type not in ("member_access", "element_access") or not target.named_child_count:
        return None
    if not _is_module_result(target.named_children[0], module_variable):
        return None
    key_node = target.named_children[-1]
    if target.type == "member_access":
        simple = (
            key_node.named_child_count == 1 and key_node.named_children[0].type == "simple_name"
        )
        return _text(key_node) if simple else Unevaluated(_text(key_node))
    key = evaluate(key_node)
    return key if isinstance(key, str) else Unevaluated(_text(key_node))


def _added_result_key(
    invocation: tree_sitter.Node, module_variable: str
) -> str | Unevaluated | None:
    """`key` for `$module.Result.Add("key", value)`."""
    children = invocation.named_children
    if len(children) < 2 or children[1].type != "member_name":
        return None
    owner, method = children[0], children[1]
    if not _is_module_result(owner, module_variable) or _text(method).lower() != "add":
        return None
    arguments = [n for n in _walk(invocation) if n.type == "argument_expression"]
    if not arguments:
        return None
    key = evaluate(arguments[0])
    return key if isinstance(key, str) else Unevaluated(_text(arguments[0]))


def _module_variable(nodes: list[tree_sitter.Node]) -> str:
    """The variable holding `[Ansible.Basic.AnsibleModule]::Create(...)`; `$module` by default."""
    for node in nodes:
        if node.type == "assignment_expression":
            value = _text(_assignment_value(node)).replace(" ", "").lower()
            if value.startswith("[ansible.basic.ansiblemodule]::create("):
                target = _assignment_target(node)
                if target.type == "variable":
                    return _text(target).lower()
    return "$module"


def read_powershell_module(source: bytes) -> PowerShellDeclaration:
    """The spec (`$spec = @{...}`) and the result keys a module's source declares."""
    tree = parse_powershell(source)
    problem = first_syntax_problem(tree)
    if problem is not None:
        raise SpecReadError(f"line {problem.line}: {problem.description}")
    nodes = _walk(tree.root_node)
    module_variable = _module_variable(nodes)
    spec: dict[str, PowerShellValue] | None = None
    keys: set[str] = set()
    computed: list[ComputedResultKey] = []
    for node in nodes:
        if node.type == "assignment_expression":
            target = _assignment_target(node)
            if spec is None and target.type == "variable" and _text(target).lower() == "$spec":
                value = evaluate(_assignment_value(node))
                if not isinstance(value, dict):
                    raise SpecReadError("$spec is not a literal hashtable")
                spec = value
            key = _result_key(target, module_variable)
        elif node.type == "invocation_expression":
            key = _added_result_key(node, module_variable)
        else:
            continue
        if isinstance(key, str):
            keys.add(key)
        elif isinstance(key, Unevaluated):
            computed.append(ComputedResultKey(node.start_point.row + 1, key.source))
    if spec is None:
        raise SpecReadError("no `$spec = @{ ... }` assignment found")
    return PowerShellDeclaration(spec, frozenset(keys), tuple(computed))
