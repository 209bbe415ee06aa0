"""PowerShell objects as the ports see them: documented properties only.

A property that the object's type does not have reads as None, as `$object.Missing` reads as
$null in PowerShell without StrictMode (docs/windows-behaviour.md#powershell-strict-mode):
a port that reads an undocumented property gets nothing from it, as the real module would.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class PSObject:
    """An object of a named .NET / CIM type with a fixed set of properties."""

    __slots__ = ("_properties", "_text", "type_name")

    def __init__(
        self, type_name: str, properties: Mapping[str, Any], *, text: str | None = None
    ) -> None:
        object.__setattr__(self, "type_name", type_name)
        object.__setattr__(self, "_properties", dict(properties))
        # What [string]$object gives (its ToString()); the type name when it has none.
        object.__setattr__(self, "_text", type_name if text is None else text)

    def __str__(self) -> str:
        return self._text

    def __getattr__(self, name: str) -> Any:  # noqa: ANN401 - PowerShell's dynamic members
        if name.startswith("__"):
            raise AttributeError(name)
        # Case-insensitive, as PowerShell's member access is.
        for key, value in self._properties.items():
            if key.lower() == name.lower():
                return value
        return None

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{self.type_name} objects are read only in the lab")

    def __repr__(self) -> str:
        return f"<{self.type_name} {self._properties!r}>"


def as_list(value: object) -> list[Any]:
    """`@(value)`: None is an empty array, a list stays, anything else is one element."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return list(value)
    return [value]
