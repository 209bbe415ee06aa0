"""Ansible.Basic's option type converters, as they behave on Windows PowerShell 5.1.

A module's arguments reach Ansible.Basic as what ConvertFrom-Json made of the JSON that
ansible-core sent (ansible/module_utils/csharp/Ansible.Basic.cs, ParseBool ... ParseStr).
Each converter here takes the Python value decoded from that JSON and returns the
converted value or raises ConversionError with the text the C# converter's exception
carries, so that failure messages read as on a real host.
"""

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

BOOLEANS_TRUE = ("y", "yes", "on", "1", "true", "t", "1.0")
BOOLEANS_FALSE = ("n", "no", "off", "0", "false", "f", "0.0")

# .NET's Int32.Parse messages.
_FORMAT_ERROR = "Input string was not in a correct format."
_INT32_OVERFLOW = "Value was either too large or too small for an Int32."
_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1

# Path.GetInvalidPathChars() on .NET Framework: the quote, angle brackets, pipe and the
# control characters.
_INVALID_PATH_CHARS = frozenset('"<>|' + "".join(chr(c) for c in range(32)))


class ConversionError(Exception):
    """A value could not be converted to an option type; str() is .NET's message."""


def dotnet_type_name(value: object) -> str:
    """The .NET type PowerShell 5.1's ConvertFrom-Json gives a JSON value.

    exec_wrapper.ps1 turns JSON objects into Hashtables and arrays into object[]; the
    JavaScriptSerializer behind ConvertFrom-Json reads integers as Int32 (Int64 when
    larger) and other numbers as Decimal.
    """
    if isinstance(value, bool):
        return "System.Boolean"
    if isinstance(value, int):
        return "System.Int32" if _INT32_MIN <= value <= _INT32_MAX else "System.Int64"
    if isinstance(value, float):
        return "System.Decimal"
    if isinstance(value, str):
        return "System.String"
    if isinstance(value, list | tuple):
        return "System.Object[]"
    if isinstance(value, Mapping):
        return "System.Collections.Hashtable"
    return f"System.{type(value).__name__}"


def parse_str(value: object) -> str:
    """Object.ToString() of a converted JSON value."""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return repr(value)
    # Collections print their type name, as .NET's default ToString() does.
    return dotnet_type_name(value)


def _is_int32(value: object) -> bool:
    return (
        isinstance(value, int) and not isinstance(value, bool) and _INT32_MIN <= value <= _INT32_MAX
    )


def parse_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = parse_str(value).lower().strip()
    if text in BOOLEANS_TRUE:
        return True
    if text in BOOLEANS_FALSE:
        return False
    valid = ", ".join(BOOLEANS_TRUE + BOOLEANS_FALSE)
    raise ConversionError(
        f"The value '{text}' is not a valid boolean. Valid booleans include: {valid}"
    )


def parse_int(value: object) -> int:
    if _is_int32(value):
        return int(value)  # type: ignore[call-overload]
    text = parse_str(value)
    # Int32.Parse with NumberStyles.Integer: optional white space and sign, digits.
    if not re.fullmatch(r"\s*[+-]?\d+\s*", text):
        raise ConversionError(_FORMAT_ERROR)
    number = int(text)
    if not _INT32_MIN <= number <= _INT32_MAX:
        raise ConversionError(_INT32_OVERFLOW)
    return number


def parse_float(value: object) -> float:
    if isinstance(value, float):
        return value
    text = parse_str(value)
    # float.Parse with NumberStyles.Float | AllowThousands.
    if not re.fullmatch(r"\s*[+-]?(\d[\d,]*)?(\.\d*)?([eE][+-]?\d+)?\s*", text) or not re.search(
        r"\d", text
    ):
        raise ConversionError(_FORMAT_ERROR)
    return float(text.replace(",", ""))


def parse_list(value: object) -> list[Any] | None:
    if value is None:
        return None
    if isinstance(value, list | tuple):
        return list(value)
    if isinstance(value, str):
        return [part.strip() for part in value.split(",")]
    if _is_int32(value):
        return [value]
    raise ConversionError(f"{dotnet_type_name(value)} cannot be converted to a list")


def _split_key_value_fields(text: str) -> list[str]:
    """Ansible.Basic's ParseDict tokenizer for 'a=1 b="x y"' strings."""
    fields: list[str] = []
    buffer: list[str] = []
    in_quote: str | None = None
    in_escape = False
    for char in text:
        if in_escape:
            buffer.append(char)
            in_escape = False
        elif char == "\\":
            in_escape = True
        elif in_quote is None and char in "'\"":
            in_quote = char
        elif in_quote is not None and char == in_quote:
            in_quote = None
        elif in_quote is None and char in ", ":
            if buffer:
                fields.append("".join(buffer))
            buffer = []
        else:
            buffer.append(char)
    if buffer:
        fields.append("".join(buffer))
    return list(dict.fromkeys(fields))  # Distinct(), keeping the first occurrence's order


def parse_dict(value: object) -> dict[str, Any]:
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, str):
        if value.startswith("{") and value.endswith("}"):
            try:
                decoded = json.loads(value)
            except ValueError as error:
                raise ConversionError(f"Invalid JSON primitive: {error}") from error
            if not isinstance(decoded, dict):
                raise ConversionError("string cannot be converted to a dict")
            return decoded
        if "=" in value:
            result: dict[str, Any] = {}
            for field in _split_key_value_fields(value):
                key, sep, item = field.partition("=")
                result[key] = item if sep else None
            return result
        raise ConversionError(
            "string cannot be converted to a dict, must either be a JSON string or in the "
            "key=value form"
        )
    raise ConversionError(f"{dotnet_type_name(value)} cannot be converted to a dict")


def parse_json(value: object) -> str:
    if isinstance(value, Mapping):
        return json.dumps(value, separators=(",", ":"))
    if isinstance(value, str):
        return value
    raise ConversionError(f"{dotnet_type_name(value)} cannot be converted to json")


def make_parse_path(expand_environment: Callable[[str], str]) -> Callable[[object], str]:
    """ParsePath, which expands %VARIABLES% with the node's environment."""

    def parse_path(value: object) -> str:
        text = parse_str(value)
        if text.startswith("\\\\?\\"):
            return text
        text = expand_environment(text)
        if any(char in _INVALID_PATH_CHARS for char in text):
            raise ConversionError(
                "string value contains invalid path characters, cannot convert to path"
            )
        return text

    return parse_path


def parse_raw(value: object) -> object:
    return value


def converters(expand_environment: Callable[[str], str]) -> dict[str, Callable[[Any], Any]]:
    """The option types Ansible.Basic knows, except 'sid' (no accounts in the lab)."""
    return {
        "bool": parse_bool,
        "dict": parse_dict,
        "float": parse_float,
        "int": parse_int,
        "json": parse_json,
        "list": parse_list,
        "path": make_parse_path(expand_environment),
        "raw": parse_raw,
        "str": parse_str,
    }


# Every type name Ansible.Basic accepts in a spec, in its own order (optionTypes).
ANSIBLE_BASIC_TYPES = ("bool", "dict", "float", "int", "json", "list", "path", "raw", "sid", "str")
