"""Ansible.Basic argument specs: the keys a spec may hold and their defaults.

An emulation declares its spec in the same form as the PowerShell module's `$spec`
(`options`, `supports_check_mode`, `mutually_exclusive`, `required_if`, ...), so that the
contract check can compare the two. Ansible.Basic rejects a spec with an unknown key or
type (ValidateArgumentSpec) and fills in the missing keys (SetArgumentSpecDefaults); the
lab does both when an emulation is registered, so a wrong spec fails at import.
"""

import copy
from collections.abc import Mapping
from typing import Any

from wsfc_lab.emulation.framework.basic_types import ANSIBLE_BASIC_TYPES

# Ansible.Basic.cs specDefaults: key -> default value (a fresh copy per use).
SPEC_DEFAULTS: dict[str, Any] = {
    "apply_defaults": False,
    "aliases": [],
    "choices": [],
    "default": None,
    "deprecated_aliases": [],
    "elements": None,
    "mutually_exclusive": [],
    "no_log": False,
    "options": {},
    "removed_in_version": None,
    "removed_at_date": None,
    "removed_from_collection": None,
    "required": False,
    "required_by": {},
    "required_if": [],
    "required_one_of": [],
    "required_together": [],
    "supports_check_mode": False,
    "type": "str",
}

# The types the lab can emulate: every Ansible.Basic type but 'sid' (no accounts here).
EMULATED_TYPES = tuple(name for name in ANSIBLE_BASIC_TYPES if name != "sid")


class SpecError(ValueError):
    """An argument spec Ansible.Basic would refuse, or one the lab cannot emulate."""


def _context(path: list[str]) -> str:
    return f" - found in {' -> '.join(path)}" if path else ""


def _check_spec(spec: Mapping[str, Any], path: list[str]) -> None:
    for key, value in spec.items():
        if key not in SPEC_DEFAULTS:
            valid = ", ".join(SPEC_DEFAULTS)
            raise SpecError(
                f"argument spec entry contains an invalid key '{key}', valid keys: {valid}"
                + _context(path)
            )
        if key in ("type", "elements") and value is not None:
            if not isinstance(value, str) or value not in ANSIBLE_BASIC_TYPES:
                raise SpecError(
                    f"{key} '{value}' is unsupported{_context(path)}. Valid types are: "
                    + ", ".join(ANSIBLE_BASIC_TYPES)
                )
            if value not in EMULATED_TYPES:
                raise SpecError(f"the lab does not emulate the option type '{value}'")
    for name, option in spec.get("options", {}).items():
        if not isinstance(option, Mapping):
            raise SpecError(f"option '{name}' must be a mapping{_context(path)}")
        _check_spec(option, [*path, name])
        if option.get("required") and option.get("default") is not None:
            raise SpecError(f"required and default are mutually exclusive for {name}")


def _with_defaults(spec: Mapping[str, Any]) -> dict[str, Any]:
    full = {key: copy.deepcopy(default) for key, default in SPEC_DEFAULTS.items()}
    full.update(copy.deepcopy(dict(spec)))
    full["options"] = {name: _with_defaults(option) for name, option in full["options"].items()}
    return full


def normalise_spec(spec: Mapping[str, Any]) -> dict[str, Any]:
    """Check a module spec as Ansible.Basic does and return it with every key filled in."""
    _check_spec(spec, [])
    return _with_defaults(spec)
