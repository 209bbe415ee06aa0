"""Dicts and lists that note their own changes: how the store knows a transaction wrote.

The store keeps the parsed state between transactions (store.py) and writes state.json
only when a transaction changed it. Comparing the whole state with what was read costs as
much as the state is big, and the state grows with the cluster; instead every dict and
list of the parsed state is a TrackedDict or TrackedList that tells its Tracker when one
of its methods changes it. What a transaction learns costs as much as what it changed.

Two kinds of change:
- changed: a value differs from what was there (an assignment of an equal scalar is not
  a change, so the cluster rules may assign what they already hold);
- impure: a container (a dict or list built by the caller, or one moved from elsewhere in
  the state) was put into the state. Its own changes are not tracked, so the store saves
  such a state by comparing its text, and parses it afresh before the next transaction.

A change made while no transaction holds the state (through a reference kept from an
earlier one) is `stray`: the store then forgets its copy and reads the file again, so such
a change is lost as it always was, never saved by a later transaction.

Copies (copy.copy, copy.deepcopy, pickle, dict(), list(), slices) are plain dicts and
lists, as they were when the state was plain JSON.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from typing import Any, SupportsIndex


class Tracker:
    """What happened to one parsed state: `open` while a transaction holds it; `count`
    goes up with every change ever made to it, and `marks` is where users of the state
    note what they derived from it at a given count (world.py: the reconciled cluster)."""

    __slots__ = ("changed", "count", "impure", "marks", "open", "stray")

    def __init__(self) -> None:
        self.open = False
        self.changed = False
        self.impure = False
        self.stray = False
        self.count = 0
        self.marks: dict[str, Any] = {}

    def begin(self) -> None:
        self.open = True
        self.changed = False
        self.impure = False

    def note(self, changed: bool, impure: bool) -> None:
        if not (changed or impure):
            return
        self.count += 1
        if not self.open:
            self.stray = True
            return
        if changed:
            self.changed = True
        if impure:
            self.impure = True


def _is_container(value: object) -> bool:
    return isinstance(value, (dict, list))


def _differs(old: object, new: object) -> bool:
    # True == 1 in Python but not in JSON: a change of type is a change.
    return type(old) is not type(new) or old != new


def _note(container: TrackedDict | TrackedList, changed: bool, impure: bool) -> None:
    tracker = getattr(container, "_tracker", None)
    if tracker is not None:
        tracker.note(changed, impure)


class TrackedDict(dict):  # type: ignore[type-arg]
    __slots__ = ("_tracker",)

    def __setitem__(self, key: Any, value: Any) -> None:  # noqa: ANN401
        missing = object()
        old = dict.get(self, key, missing)
        dict.__setitem__(self, key, value)
        _note(self, old is missing or _differs(old, value), _is_container(value))

    def __delitem__(self, key: Any) -> None:  # noqa: ANN401
        dict.__delitem__(self, key)
        _note(self, True, False)

    def setdefault(self, key: Any, default: Any = None) -> Any:  # noqa: ANN401
        if key in self:
            return dict.__getitem__(self, key)
        dict.__setitem__(self, key, default)
        _note(self, True, _is_container(default))
        return default

    def pop(self, key: Any, *default: Any) -> Any:  # noqa: ANN401
        if key in self:
            _note(self, True, False)
        return dict.pop(self, key, *default)

    def popitem(self) -> tuple[Any, Any]:
        item = dict.popitem(self)
        _note(self, True, False)
        return item

    def clear(self) -> None:
        if self:
            _note(self, True, False)
        dict.clear(self)

    def update(self, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def __ior__(self, other: Any) -> TrackedDict:  # type: ignore[override,misc]  # noqa: ANN401
        self.update(other)
        return self

    def __copy__(self) -> dict[Any, Any]:
        return dict(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        memo[id(self)] = result
        for key, value in dict.items(self):
            result[key] = copy.deepcopy(value, memo)
        return result

    def __reduce_ex__(self, protocol: SupportsIndex) -> tuple[Any, ...]:
        return (dict, (dict(self),))


class TrackedList(list):  # type: ignore[type-arg]
    __slots__ = ("_tracker",)

    def append(self, value: Any) -> None:  # noqa: ANN401
        list.append(self, value)
        _note(self, True, _is_container(value))

    def extend(self, values: Iterable[Any]) -> None:
        items = list(values)
        list.extend(self, items)
        _note(self, bool(items), any(_is_container(v) for v in items))

    def __iadd__(self, values: Iterable[Any]) -> TrackedList:  # type: ignore[override,misc]
        self.extend(values)
        return self

    def __imul__(self, times: SupportsIndex) -> TrackedList:  # type: ignore[override,misc]
        before = len(self)
        list.__imul__(self, times)
        _note(self, len(self) != before, False)
        return self

    def insert(self, index: SupportsIndex, value: Any) -> None:  # noqa: ANN401
        list.insert(self, index, value)
        _note(self, True, _is_container(value))

    def remove(self, value: Any) -> None:  # noqa: ANN401
        list.remove(self, value)
        _note(self, True, False)

    def pop(self, index: SupportsIndex = -1) -> Any:  # noqa: ANN401
        value = list.pop(self, index)
        _note(self, True, False)
        return value

    def clear(self) -> None:
        if self:
            _note(self, True, False)
        list.clear(self)

    def sort(self, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401
        before = list(self)
        list.sort(self, *args, **kwargs)
        _note(self, before != self, False)

    def reverse(self) -> None:
        before = list(self)
        list.reverse(self)
        _note(self, before != self, False)

    def __setitem__(self, index: Any, value: Any) -> None:  # noqa: ANN401
        if isinstance(index, slice):
            before = list.__getitem__(self, index)
            values = list(value)
            list.__setitem__(self, index, values)
            changed = len(before) != len(values) or any(map(_differs, before, values))
            _note(self, changed, any(_is_container(v) for v in values))
            return
        old = list.__getitem__(self, index)
        list.__setitem__(self, index, value)
        _note(self, _differs(old, value), _is_container(value))

    def __delitem__(self, index: Any) -> None:  # noqa: ANN401
        before = len(self)
        list.__delitem__(self, index)
        _note(self, len(self) != before, False)

    def __copy__(self) -> list[Any]:
        return list(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> list[Any]:
        result: list[Any] = []
        memo[id(self)] = result
        result.extend(copy.deepcopy(value, memo) for value in list.__iter__(self))
        return result

    def __reduce_ex__(self, protocol: SupportsIndex) -> tuple[Any, ...]:
        return (list, (list(self),))


def tracker_of(container: object) -> Tracker | None:
    """The tracker a parsed state reports to; None for a plain dict or list."""
    if isinstance(container, (TrackedDict, TrackedList)):
        return getattr(container, "_tracker", None)
    return None


def parse(text: str, tracker: Tracker) -> TrackedDict:
    """The JSON object in `text` as tracked containers that report to `tracker`."""

    def tracked_list(values: list[Any]) -> TrackedList:
        result = TrackedList(tracked_list(v) if isinstance(v, list) else v for v in values)
        result._tracker = tracker
        return result

    def tracked_dict(pairs: dict[str, Any]) -> TrackedDict:
        # Objects inside are already tracked (the decoder builds them first); lists are not.
        for key, value in pairs.items():
            if isinstance(value, list):
                pairs[key] = tracked_list(value)
        result = TrackedDict(pairs)
        result._tracker = tracker
        return result

    data = json.loads(text, object_hook=tracked_dict)
    if not isinstance(data, TrackedDict):
        raise ValueError("the lab state is not a JSON object")
    return data
