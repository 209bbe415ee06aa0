"""Reads what a module's Python side declares: its documentation and controller-added keys.

Documentation (plugins/modules/<m>.py) is read the way ansible-doc reads it, with
ansible-core's own reader: from the file's syntax tree, never by importing it, with
documentation fragments merged in. The action plugin's ADDED_RESULT_KEYS is read with
`ast` from the plugin's source, so checking it runs none of the plugin's code.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ansible.plugins.loader import fragment_loader
from ansible.utils.plugin_docs import get_docstring

ADDED_RESULT_KEYS_NAME = "ADDED_RESULT_KEYS"
# attributes.check_mode.support values that let a module run under --check.
CHECK_MODE_SUPPORTED = frozenset({"full", "partial"})


class DocsReadError(Exception):
    """A module's documentation or its action plugin cannot be read."""


@dataclass(frozen=True)
class DocumentedModule:
    options: dict[str, Any]
    supports_check_mode: bool
    return_keys: frozenset[str]


def read_module_docs(path: Path, collection_name: str) -> DocumentedModule:
    """DOCUMENTATION's options and check_mode support, and RETURN's top-level keys."""
    try:
        documentation, _examples, returns, _metadata = get_docstring(
            str(path.resolve()), fragment_loader, collection_name=collection_name, is_module=True
        )
    except Exception as error:  # ansible-core raises several types for a broken docstring
        raise DocsReadError(f"{path}: {error}") from error
    if not documentation:
        raise DocsReadError(f"{path}: no DOCUMENTATION")
    check_mode = (documentation.get("attributes") or {}).get("check_mode") or {}
    return DocumentedModule(
        options=dict(documentation.get("options") or {}),
        supports_check_mode=check_mode.get("support") in CHECK_MODE_SUPPORTED,
        return_keys=frozenset(returns or {}),
    )


def _frozenset_literal(node: ast.expr, path: Path) -> frozenset[str]:
    """The value of `frozenset({...})`, `frozenset()` or a literal set/list/tuple of strings."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "frozenset"
    ):
        if node.keywords or len(node.args) > 1:
            raise DocsReadError(f"{path}: {ADDED_RESULT_KEYS_NAME} must be a literal frozenset")
        if not node.args:
            return frozenset()
        node = node.args[0]
    try:
        value = ast.literal_eval(node)
    except ValueError as error:
        raise DocsReadError(
            f"{path}: {ADDED_RESULT_KEYS_NAME} must be a frozenset of string literals"
        ) from error
    if not isinstance(value, set | list | tuple) or not all(isinstance(k, str) for k in value):
        raise DocsReadError(f"{path}: {ADDED_RESULT_KEYS_NAME} must be a frozenset of strings")
    return frozenset(value)


def read_added_result_keys(action_plugin: Path) -> frozenset[str]:
    """The result keys an action plugin adds on the controller; none without a plugin."""
    if not action_plugin.is_file():
        return frozenset()
    tree = ast.parse(action_plugin.read_bytes(), filename=str(action_plugin))
    for statement in tree.body:
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            targets, value = [statement.target], statement.value
        elif isinstance(statement, ast.Assign):
            targets, value = statement.targets, statement.value
        else:
            continue
        names = [t.id for t in targets if isinstance(t, ast.Name)]
        if ADDED_RESULT_KEYS_NAME in names and value is not None:
            return _frozenset_literal(value, action_plugin)
    return frozenset()
