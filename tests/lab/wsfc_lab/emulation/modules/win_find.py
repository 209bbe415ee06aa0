"""ansible.windows.win_find: the files and folders under paths that pass the filters.

Follows win_find.ps1 (ansible.windows 3.3.0): paths, recurse, depth (1 = no descent),
file_type (file, directory, any), patterns (aliases regex, regexp: -like wildcards, or
regular expressions with use_regex, case-insensitive unless case_sensitive), age and
age_stamp, size, get_checksum and checksum_algorithm, hidden and follow (the lab has no
hidden items and no links, so both change nothing). A path that is missing or a file is
skipped with win_find.ps1's warning. `files` is sorted by path; `examined` counts every
entry looked at, `matched` the ones returned. Listing goes through world.operation
(Get-ChildItem).
"""

from __future__ import annotations

import fnmatch
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from wsfc_lab.emulation.framework.basic import EmulatedModule
from wsfc_lab.emulation.framework.registry import emulates
from wsfc_lab.emulation.modules._windows_files import (
    CHECKSUM_ALGORITHMS,
    checksum,
    full_name,
    item_info,
    join_path,
)

SPEC = {
    "options": {
        "paths": {"type": "list", "elements": "str", "required": True},
        "age": {"type": "str"},
        "age_stamp": {"type": "str", "default": "mtime", "choices": ["mtime", "ctime", "atime"]},
        "file_type": {"type": "str", "default": "file", "choices": ["file", "directory", "any"]},
        "follow": {"type": "bool", "default": False},
        "hidden": {"type": "bool", "default": False},
        "patterns": {"type": "list", "elements": "str", "aliases": ["regex", "regexp"]},
        "recurse": {"type": "bool", "default": False},
        "size": {"type": "str"},
        "use_regex": {"type": "bool", "default": False},
        "get_checksum": {"type": "bool", "default": True},
        "checksum_algorithm": {
            "type": "str",
            "default": "sha1",
            "choices": list(CHECKSUM_ALGORITHMS),
        },
        "depth": {"type": "int"},
        "case_sensitive": {"type": "bool", "default": False},
    },
    "supports_check_mode": True,
}

SECONDS_PER_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
BYTES_PER_UNIT = {"b": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
AGE_STAMPS = {"mtime": "st_mtime", "ctime": "st_ctime", "atime": "st_atime"}

Filter = Callable[[Path], bool]


def _age_filter(module: EmulatedModule, age: str) -> Filter:
    match = re.fullmatch(r"(-?\d+)([smhdw])?", age, re.IGNORECASE)
    if not match:
        module.fail_json("Invalid age pattern specified")
    seconds = int(match[1]) * SECONDS_PER_UNIT[(match[2] or "s").lower()]
    stamp = AGE_STAMPS[module.params["age_stamp"]]
    limit = time.time() - abs(seconds)
    if seconds >= 0:
        return lambda item: getattr(item.stat(), stamp) <= limit  # older than the age
    return lambda item: getattr(item.stat(), stamp) >= limit  # newer than the age


def _size_filter(module: EmulatedModule, size: str) -> Filter:
    match = re.fullmatch(r"(-?\d+)([bkmgt])?", size, re.IGNORECASE)
    if not match:
        module.fail_json("Invalid size pattern specified")
    wanted = int(match[1]) * BYTES_PER_UNIT[(match[2] or "b").lower()]
    # A folder has no Length: $null -ge N is false, $null -le N is true.
    if wanted >= 0:
        return lambda item: item.is_file() and item.stat().st_size >= wanted
    return lambda item: item.is_dir() or item.stat().st_size <= -wanted


def _pattern_filter(module: EmulatedModule, patterns: list[str]) -> Filter:
    if module.params["use_regex"]:
        flags = 0 if module.params["case_sensitive"] else re.IGNORECASE
        compiled = [re.compile(pattern, flags) for pattern in patterns]
        return lambda item: any(regex.search(item.name) for regex in compiled)
    # -like is case-insensitive whatever case_sensitive says.
    folded = [pattern.lower() for pattern in patterns]
    return lambda item: any(fnmatch.fnmatchcase(item.name.lower(), p) for p in folded)


def _type_filter(file_type: str) -> Filter:
    if file_type == "any":
        return lambda item: True
    if file_type == "directory":
        return lambda item: item.is_dir()
    return lambda item: not item.is_dir()


class _Search:
    def __init__(self, module: EmulatedModule, filters: list[Filter]) -> None:
        self.module = module
        self.filters = filters
        self.checked: set[str] = set()
        self.found: list[dict[str, Any]] = []

    def search(self, path: str, depth: int) -> None:
        real = self.module.world.resolve_path(self.module.node, path)
        if not real.exists():
            self.module.warn(
                f"Argument path '{path}' does not exist or is not accessible, skipping"
            )
            return
        if not real.is_dir():
            self.module.warn(f"Argument path '{path}' is a file not a directory, skipping")
            return
        self.module.world.operation(self.module.node, "Get-ChildItem")
        for child in sorted(real.iterdir(), key=lambda p: p.name.lower()):
            child_path = full_name(join_path(path, child.name), child)
            if child.is_dir() and self.module.params["recurse"] and depth != 1:
                self.search(child_path, depth - 1)
            if child_path.lower() in self.checked:
                continue
            self.checked.add(child_path.lower())
            self.module.result["examined"] += 1
            if all(accepts(child) for accepts in self.filters):
                self.module.result["matched"] += 1
                self.found.append(self.describe(child_path, child))

    def describe(self, path: str, real: Path) -> dict[str, Any]:
        info = item_info(self.module, path, real)
        info.setdefault("extension", None)
        info.setdefault("sharename", None)
        info.update(checksum=None, size=None, lnk_source=None, lnk_target=None)
        if real.is_file():
            info["size"] = real.stat().st_size
            if self.module.params["get_checksum"]:
                info["checksum"] = checksum(real, self.module.params["checksum_algorithm"])
        return info


@emulates("ansible.windows.win_find", spec=SPEC, returns={"examined", "files", "matched"})
def win_find(module: EmulatedModule) -> None:
    module.result.update(examined=0, files=[], matched=0)
    filters = [_type_filter(module.params["file_type"])]
    if module.params["age"] is not None:
        filters.append(_age_filter(module, module.params["age"]))
    if module.params["patterns"] is not None:
        filters.append(_pattern_filter(module, module.params["patterns"]))
    if module.params["size"] is not None:
        filters.append(_size_filter(module, module.params["size"]))
    search = _Search(module, filters)
    for path in module.params["paths"]:
        search.search(path, module.params["depth"] or 0)
    module.result["files"] = sorted(search.found, key=lambda info: info["path"].lower())
