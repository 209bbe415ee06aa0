"""Compares the declarations of one module: PowerShell spec, documentation, lab emulation.

Each comparison yields `Drift` items that name the module, what differs (an option and
its attribute, a result key, check mode) and the two sides with what each one says.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

# The attributes of an option that the three sides must agree on, with Ansible.Basic's
# defaults (and ansible-doc's: an option without `type` is a str there too).
OPTION_DEFAULTS: dict[str, Any] = {
    "type": "str",
    "required": False,
    "default": None,
    "choices": None,
    "elements": None,
    "aliases": [],
}
# Attributes whose order carries no meaning.
UNORDERED_ATTRIBUTES = frozenset({"choices", "aliases"})

# Keys every module result may carry, set by Ansible.Basic or Ansible itself; they need
# not be declared anywhere.
STANDARD_RESULT_KEYS = frozenset(
    {"changed", "failed", "msg", "skipped", "invocation", "warnings", "deprecations",
     "exception", "diff"}
)  # fmt: skip


@dataclass(frozen=True)
class Side:
    """One declaration of a module, as the report names it."""

    label: str


@dataclass(frozen=True)
class Drift:
    module: str
    subject: str
    detail: str

    def __str__(self) -> str:
        return f"{self.module}: {self.subject}: {self.detail}"


def _as_list(value: Any) -> list[Any] | None:  # noqa: ANN401 - spec values are untyped data
    if value is None:
        return None
    return list(value) if isinstance(value, list | tuple | set | frozenset) else [value]


def same_value(left: Any, right: Any) -> bool:  # noqa: ANN401 - spec values are untyped data
    """Equality that keeps apart what Python equates but a spec does not: True and 1, 1 and '1'."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(same_value, left, right))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(same_value(left[k], right[k]) for k in left)
    return left == right


def _sort_key(value: Any) -> str:  # noqa: ANN401 - spec values are untyped data
    return repr(value)


def normalise_option(raw: Mapping[str, Any], suboptions_key: str) -> dict[str, Any]:
    """An option's compared attributes with defaults filled in; sub-options under 'options'."""
    lowered = {str(k).lower(): v for k, v in raw.items()}
    option = {name: lowered.get(name, default) for name, default in OPTION_DEFAULTS.items()}
    option["type"] = option["type"] if option["type"] is not None else "str"
    option["required"] = lowered.get("required") or False
    for name in ("choices", "aliases"):
        listed = _as_list(option[name])
        option[name] = sorted(listed, key=_sort_key) if listed is not None else None
    option["aliases"] = option["aliases"] or []
    option["options"] = normalise_options(lowered.get(suboptions_key) or {}, suboptions_key)
    return option


def normalise_options(raw: Mapping[str, Any], suboptions_key: str) -> dict[str, dict[str, Any]]:
    return {str(name): normalise_option(spec or {}, suboptions_key) for name, spec in raw.items()}


def compare_options(
    module: str,
    left: Mapping[str, Mapping[str, Any]],
    right: Mapping[str, Mapping[str, Any]],
    sides: tuple[Side, Side],
    prefix: str = "",
) -> Iterator[Drift]:
    """Drift between two normalised option tables (and their sub-options)."""
    left_side, right_side = sides
    for name in sorted(left.keys() | right.keys()):
        path = f"{prefix}{name}"
        if name not in right:
            yield Drift(
                module, f"option {path!r}", f"in {left_side.label}, missing in {right_side.label}"
            )
            continue
        if name not in left:
            yield Drift(
                module, f"option {path!r}", f"in {right_side.label}, missing in {left_side.label}"
            )
            continue
        for attribute in OPTION_DEFAULTS:
            mine, theirs = left[name][attribute], right[name][attribute]
            if not same_value(mine, theirs):
                yield Drift(
                    module,
                    f"option {path!r} key {attribute!r}",
                    f"{left_side.label} has {mine!r}, {right_side.label} has {theirs!r}",
                )
        yield from compare_options(
            module, left[name]["options"], right[name]["options"], sides, prefix=f"{path}."
        )


def compare_check_mode(
    module: str, left: object, right: object, sides: tuple[Side, Side]
) -> Iterator[Drift]:
    if not same_value(left, right):
        yield Drift(
            module,
            "check mode support",
            f"{sides[0].label} says {left!r}, {sides[1].label} says {right!r}",
        )


def compare_keys(
    module: str,
    left: Iterable[str],
    right: Iterable[str],
    sides: tuple[Side, Side],
) -> Iterator[Drift]:
    """Result keys one side declares and the other does not (standard keys left out)."""
    left_keys = set(left) - STANDARD_RESULT_KEYS
    right_keys = set(right) - STANDARD_RESULT_KEYS
    for key in sorted(left_keys - right_keys):
        yield Drift(
            module, f"result key {key!r}", f"in {sides[0].label}, missing in {sides[1].label}"
        )
    for key in sorted(right_keys - left_keys):
        yield Drift(
            module, f"result key {key!r}", f"in {sides[1].label}, missing in {sides[0].label}"
        )
