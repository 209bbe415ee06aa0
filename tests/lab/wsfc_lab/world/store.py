"""state.json under an exclusive lock: one writer at a time across every lab process.

The lock is fcntl.flock on a separate file (state.lock) so that state.json itself can be
replaced atomically (write a temporary file, then rename): a process killed mid-write
leaves the previous state whole. A transaction nested inside another in the same thread
shares the outer one's state (flock would otherwise deadlock on itself).
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

STATE_FILE = "state.json"
LOCK_FILE = "state.lock"

_open_transactions = threading.local()


class StateStore:
    def __init__(self, lab_dir: Path) -> None:
        self.lab_dir = lab_dir
        self.state_path = lab_dir / STATE_FILE
        self.lock_path = lab_dir / LOCK_FILE

    def exists(self) -> bool:
        return self.state_path.is_file()

    def read_unlocked(self) -> dict[str, Any]:
        """The last saved state, without waiting for the lock (it is always whole)."""
        return json.loads(self.state_path.read_text(encoding="utf-8"))

    def write_new(self, data: dict[str, Any]) -> None:
        self.lab_dir.mkdir(parents=True, exist_ok=True)
        with self._locked():
            self._write(data)

    @contextmanager
    def locked_data(self) -> Iterator[dict[str, Any]]:
        """The state dict for one transaction: saved on normal exit, dropped on error."""
        key = str(self.state_path.resolve())
        open_now: dict[str, dict[str, Any]] = getattr(_open_transactions, "by_path", {})
        _open_transactions.by_path = open_now
        if key in open_now:
            yield open_now[key]
            return
        with self._locked():
            if not self.exists():
                raise FileNotFoundError(f"no lab state at {self.state_path}")
            text = self.state_path.read_text(encoding="utf-8")
            data = json.loads(text)
            open_now[key] = data
            try:
                yield data
            finally:
                del open_now[key]
            if _serialise(data) != text:
                self._write(data)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.lab_dir.mkdir(parents=True, exist_ok=True)
        with self.lock_path.open("a+") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)

    def _write(self, data: dict[str, Any]) -> None:
        temporary = self.state_path.with_name(
            f".{STATE_FILE}.{os.getpid()}.{threading.get_ident()}.tmp"
        )
        temporary.write_text(_serialise(data), encoding="utf-8")
        os.replace(temporary, self.state_path)


def _serialise(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=1, sort_keys=False) + "\n"
