"""What an emulation may ask of the simulated world: docs/lab.md, Contract 3."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol


class WorldApi(Protocol):
    def transaction(self) -> AbstractContextManager[Any]: ...

    def operation(self, node: str, name: str) -> None: ...

    def resolve_path(self, node: str, windows_path: str) -> Path: ...

    def node_facts(self, node: str) -> Mapping[str, Any]: ...

    # Writes a file as a program on the node would: the disk_full fault applies, and the
    # ACLs when a user is given.
    def write_file(
        self, node: str, windows_path: str, data: bytes, *, user: str | None = None
    ) -> Path: ...

    # ERROR_ACCESS_DENIED unless the user may "read" or "write" at the path: share
    # permissions and ACLs (world/acl.py check_path_access).
    def check_access(self, node: str, windows_path: str, user: str, right: str) -> None: ...

    # Accounts for bytes about to be written (disk_full); the real path.
    def charge_write(self, node: str, windows_path: str, nbytes: int) -> Path: ...
