"""A JSON Schema validator for the keywords docs/drift-report.schema.json uses, and no more.

jsonschema is not one of the project's requirements (requirements.txt), and the report's
schema needs a dozen keywords of draft 2020-12: type, const, enum, pattern, minimum,
properties, required, additionalProperties (false), items, oneOf, and $ref into $defs. Each
is implemented here as the specification defines it. A keyword the validator does not know
makes it refuse the schema rather than ignore the keyword, so the schema cannot come to rely
on a rule nobody checks.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

# Keywords that only describe (annotations), or that name the dialect.
_ANNOTATIONS = frozenset({"$schema", "$id", "title", "description", "$defs"})
_ASSERTIONS = frozenset(
    {"type", "const", "enum", "pattern", "minimum", "properties", "required",
     "additionalProperties", "items", "oneOf", "$ref"}
)  # fmt: skip
_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    # JSON's integer: a number without a fraction; a boolean is not a number.
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


class SchemaError(ValueError):
    """The schema uses what this validator does not implement."""


def errors(
    instance: Any,
    schema: Mapping[str, Any],
    root: Mapping[str, Any] | None = None,
    where: str = "$",
) -> Iterator[str]:
    """Every place where ``instance`` breaks ``schema``, as ``<path>: <what>``."""
    root = root if root is not None else schema
    unknown = set(schema) - _ANNOTATIONS - _ASSERTIONS
    if unknown:
        raise SchemaError(f"{where}: keywords this validator does not implement: {sorted(unknown)}")
    if "$ref" in schema:
        yield from errors(instance, _resolve(root, schema["$ref"]), root, where)
    if "type" in schema:
        names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_TYPES[name](instance) for name in names):
            yield f"{where}: {instance!r} is not of type {' or '.join(names)}"
            return
    if "const" in schema and not _equal(instance, schema["const"]):
        yield f"{where}: {instance!r} is not {schema['const']!r}"
    if "enum" in schema and not any(_equal(instance, v) for v in schema["enum"]):
        yield f"{where}: {instance!r} is not one of {schema['enum']!r}"
    if "pattern" in schema and isinstance(instance, str):
        # ECMA 262 regular expressions, unanchored; the schema's patterns are in the subset
        # Python reads the same way.
        if not re.search(schema["pattern"], instance):
            yield f"{where}: {instance!r} does not match {schema['pattern']!r}"
    if "minimum" in schema and _TYPES["number"](instance) and instance < schema["minimum"]:
        yield f"{where}: {instance!r} is less than {schema['minimum']!r}"
    if "oneOf" in schema:
        passing = [s for s in schema["oneOf"] if not list(errors(instance, s, root, where))]
        if len(passing) != 1:
            yield f"{where}: {instance!r} matches {len(passing)} of the oneOf schemas, not 1"
    if isinstance(instance, dict):
        yield from _object_errors(instance, schema, root, where)
    if isinstance(instance, list) and "items" in schema:
        for number, item in enumerate(instance):
            yield from errors(item, schema["items"], root, f"{where}[{number}]")


def _object_errors(
    instance: dict, schema: Mapping[str, Any], root: Mapping[str, Any], where: str
) -> Iterator[str]:
    properties = schema.get("properties") or {}
    for name in schema.get("required") or []:
        if name not in instance:
            yield f"{where}: {name!r} is required"
    for name, value in instance.items():
        if name in properties:
            yield from errors(value, properties[name], root, f"{where}.{name}")
        elif schema.get("additionalProperties", True) is False:
            yield f"{where}: {name!r} is not allowed"
        elif isinstance(schema.get("additionalProperties"), dict):
            raise SchemaError(f"{where}: additionalProperties as a schema is not implemented")


def _resolve(root: Mapping[str, Any], reference: str) -> Mapping[str, Any]:
    if not reference.startswith("#/$defs/"):
        raise SchemaError(f"only local references into $defs are implemented, not {reference}")
    return root["$defs"][reference.removeprefix("#/$defs/")]


def _equal(left: Any, right: Any) -> bool:
    """JSON equality: true is not 1, as Python's == would have it."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    return bool(left == right)
