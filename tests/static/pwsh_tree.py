"""PowerShell parsing with tree-sitter-pwsh, shared by the static checks.

tree-sitter-pwsh is the grammar that parses ansible-core's own PowerShell without false
errors (toolchain notes); no PowerShell runs on our machines, so it is what stands in for
the PowerShell parser.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass

import tree_sitter
import tree_sitter_pwsh


@functools.cache
def _parser() -> tree_sitter.Parser:
    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_pwsh.language()))


def parse_powershell(source: bytes) -> tree_sitter.Tree:
    """The syntax tree of a PowerShell script (UTF-8 bytes, a BOM is fine)."""
    return _parser().parse(source)


@dataclass(frozen=True)
class SyntaxProblem:
    """Where a script stops being PowerShell, 1-based as editors count."""

    line: int
    column: int
    description: str


def _error_nodes(node: tree_sitter.Node) -> Iterator[tree_sitter.Node]:
    """ERROR and MISSING nodes in document order (pre-order visits starts in order)."""
    if node.type == "ERROR" or node.is_missing:
        yield node
        return
    for child in node.children:
        if child.has_error or child.is_missing:
            yield from _error_nodes(child)


def first_syntax_problem(tree: tree_sitter.Tree) -> SyntaxProblem | None:
    """The first error of a parsed script, or None when it parses cleanly."""
    if not tree.root_node.has_error:
        return None
    node = next(_error_nodes(tree.root_node), tree.root_node)
    if node.is_missing:
        description = f"missing {node.type!r}"
    else:
        text = (node.text or b"").decode("utf-8", "replace").splitlines()
        near = text[0].strip()[:60] if text else ""
        description = f"unexpected syntax near {near!r}"
    return SyntaxProblem(node.start_point.row + 1, node.start_point.column + 1, description)


def string_literal_value(node: tree_sitter.Node) -> str | None:
    """The value of a PowerShell string literal with nothing to expand: a '...' string with
    '' for a quote, or a "..." string without a variable, subexpression or backtick escape
    ("" for a quote); None for a string PowerShell would expand at run time."""
    literal = node.named_children[0] if node.named_child_count else node
    text = (literal.text or b"").decode("utf-8", errors="replace")
    if literal.type == "verbatim_string_characters":
        return text[1:-1].replace("''", "'")
    if literal.type == "expandable_string_literal" and literal.named_child_count == 0:
        inner = text[1:-1]
        if "`" not in inner:
            return inner.replace('""', '"')
    return None
