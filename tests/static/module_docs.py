"""Reads what a module's Python side declares: its documentation and controller-added keys.

Documentation (plugins/modules/<m>.py) is read the way ansible-doc reads it, with
ansible-core's own reader: from the file's syntax tree, never by importing it, with
documentation fragments merged in. The action plugin's ADDED_RESULT_KEYS (and
RAW_RESULTS_KEY, ADDED_OPTIONS) are read with `ast` from the plugin's source, so checking
them runs none of the plugin's code.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ansible.plugins.loader import fragment_loader, init_plugin_loader
from ansible.utils.plugin_docs import get_docstring

ADDED_RESULT_KEYS_NAME = "ADDED_RESULT_KEYS"
# The options an action plugin reads on the controller and never passes to the module.
ADDED_OPTIONS_NAME = "ADDED_OPTIONS"
# The result key under which an action plugin keeps the module's raw result of each phase
# (RETURN documents it with `contains`, one entry per phase, each with `contains`).
RAW_RESULTS_KEY_NAME = "RAW_RESULTS_KEY"
# attributes.check_mode.support values that let a module run under --check.
CHECK_MODE_SUPPORTED = frozenset({"full", "partial"})


class DocsReadError(Exception):
    """A module's documentation or its action plugin cannot be read."""


@dataclass(frozen=True)
class DocumentedModule:
    options: dict[str, Any]
    supports_check_mode: bool
    return_keys: frozenset[str]
    returns: dict[str, Any]


def _load_fragments() -> None:
    """Let the reader resolve fragments such as ansible.builtin.action_common_attributes.

    ansible-doc initialises the plugin loader before it reads a docstring; so must we, once.
    """
    if not getattr(_load_fragments, "done", False):
        init_plugin_loader()
        _load_fragments.done = True  # type: ignore[attr-defined]


def read_module_docs(path: Path, collection_name: str) -> DocumentedModule:
    """DOCUMENTATION's options and check_mode support, and RETURN's top-level keys."""
    _load_fragments()
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
        returns=dict(returns or {}),
    )


def nested_return_keys(returns: dict[str, Any], key: str) -> frozenset[str]:
    """The keys documented under each entry of RETURN's `key` (its phases), together.

    `key` holds one entry per phase in `contains`, each a dict with its own `contains`.
    """
    entry = returns.get(key)
    phases = entry.get("contains") if isinstance(entry, dict) else None
    if not isinstance(phases, dict) or not phases:
        raise DocsReadError(f"RETURN's {key} has no contains with one entry per phase")
    keys: set[str] = set()
    for phase, documented in phases.items():
        contained = documented.get("contains") if isinstance(documented, dict) else None
        if not isinstance(contained, dict):
            raise DocsReadError(f"RETURN's {key}.{phase} has no contains")
        keys.update(str(name) for name in contained)
    return frozenset(keys)


def _module_constant(tree: ast.Module, name: str) -> ast.expr | None:
    """The value of a module-level `name = ...` / `name: T = ...`, if any."""
    for statement in tree.body:
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            if statement.target.id == name and statement.value is not None:
                return statement.value
        elif isinstance(statement, ast.Assign):
            if any(isinstance(t, ast.Name) and t.id == name for t in statement.targets):
                return statement.value
    return None


def _imported_source(tree: ast.Module, name: str, path: Path, collection: str) -> tuple[Path, str]:
    """The file and original name of `from <this collection's plugins...> import name`."""
    root = path.parents[2]  # <root>/plugins/<type>/<file>.py
    prefix = f"ansible_collections.{collection}."
    for statement in tree.body:
        if not isinstance(statement, ast.ImportFrom):
            continue
        for alias in statement.names:
            if (alias.asname or alias.name) != name:
                continue
            module = statement.module or ""
            if statement.level:  # relative: from ..plugin_utils.x import name
                base = path.parent
                for _level_above_the_first in range(statement.level - 1):
                    base = base.parent
                return base.joinpath(*module.split(".")).with_suffix(".py"), alias.name
            if module.startswith(prefix):
                return root.joinpath(*module.removeprefix(prefix).split(".")).with_suffix(
                    ".py"
                ), alias.name
    raise DocsReadError(
        f"{path}: {name} is neither a literal nor imported from this collection's plugins"
    )


def _string_set(node: ast.expr, path: Path, collection: str, depth: int = 0) -> frozenset[str]:
    """The strings of a frozenset literal, following names to their definition (with ast)."""
    if depth > 5:
        raise DocsReadError(f"{path}: {ADDED_RESULT_KEYS_NAME} refers too deep")
    if isinstance(node, ast.Name):
        tree = ast.parse(path.read_bytes(), filename=str(path))
        value = _module_constant(tree, node.id)
        if value is not None:
            return _string_set(value, path, collection, depth + 1)
        source, original = _imported_source(tree, node.id, path, collection)
        if not source.is_file():
            raise DocsReadError(f"{path}: {node.id} comes from {source}, which does not exist")
        source_tree = ast.parse(source.read_bytes(), filename=str(source))
        value = _module_constant(source_tree, original)
        if value is None:
            raise DocsReadError(f"{source}: no module-level {original}")
        return _string_set(value, source, collection, depth + 1)
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


def read_added_result_keys(action_plugin: Path, collection: str) -> frozenset[str]:
    """The result keys an action plugin adds on the controller; none without a plugin.

    ADDED_RESULT_KEYS is a frozenset literal, or a name bound to one in the plugin or in a
    module of this collection it imports the name from (read with ast too).
    """
    return _read_added(action_plugin, collection, ADDED_RESULT_KEYS_NAME)


def read_added_options(action_plugin: Path, collection: str) -> frozenset[str]:
    """The options only the action plugin reads (ADDED_OPTIONS, read like ADDED_RESULT_KEYS).

    They are documented for the task but are not in the PowerShell module's spec, since
    the plugin never passes them on.
    """
    return _read_added(action_plugin, collection, ADDED_OPTIONS_NAME)


def read_raw_results_key(action_plugin: Path) -> str | None:
    """RAW_RESULTS_KEY of an action plugin, a string literal; None without one.

    With it, the module's result keys are documented under that key, not at the top.
    """
    if not action_plugin.is_file():
        return None
    tree = ast.parse(action_plugin.read_bytes(), filename=str(action_plugin))
    value = _module_constant(tree, RAW_RESULTS_KEY_NAME)
    if value is None:
        return None
    if not isinstance(value, ast.Constant) or not isinstance(value.value, str):
        raise DocsReadError(f"{action_plugin}: {RAW_RESULTS_KEY_NAME} must be a string literal")
    return value.value


def _read_added(action_plugin: Path, collection: str, name: str) -> frozenset[str]:
    if not action_plugin.is_file():
        return frozenset()
    tree = ast.parse(action_plugin.read_bytes(), filename=str(action_plugin))
    value = _module_constant(tree, name)
    if value is None:
        return frozenset()
    return _string_set(value, action_plugin, collection)
