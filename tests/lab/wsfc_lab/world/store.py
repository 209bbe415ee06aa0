"""state.json under an exclusive lock: one writer at a time across every lab process.

The lock is fcntl.flock on a separate file (state.lock) so that state.json itself can be
replaced atomically (write a temporary file, then rename): a process killed mid-write
leaves the previous state whole. A transaction nested inside another in the same thread
shares the outer one's state (flock would otherwise deadlock on itself).

What a transaction costs must not grow with the state, which grows with the cluster (a
module run makes tens of transactions):
- Each thread keeps the state it parsed last and uses it again while state.json is the
  file it came from. Every write puts a new token into state.lock before it replaces
  state.json (a writer killed in between only makes the others read the file again); the
  token and the file's inode, size and modification time, read under the lock, tell
  whether the file changed since.
- The parsed state is made of tracked containers (tracked.py): a transaction that changed
  nothing writes nothing and serialises nothing. One that did serialises the state once,
  and writes it when the text differs.
- The copy is per thread, as each transaction had its own copy before: the objects a
  transaction handed out change only in this thread's later transactions that change
  them (World.read gives a copy to keep). A change made to them outside a transaction is
  not saved: this thread reads the file again instead.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wsfc_lab.world.tracked import TrackedDict, Tracker, parse

STATE_FILE = "state.json"
LOCK_FILE = "state.lock"
TOKEN_BYTES = 32  # the write token at the start of state.lock (hexadecimal)

# Per thread: the transactions open now, the last parsed state and the last peeked one,
# each by the resolved path of state.json.
_per_thread = threading.local()

FileKey = tuple[bytes, int, int, int, int]


@dataclass
class _Parsed:
    """A thread's copy of state.json: its text and, once built, the tracked state."""

    key: FileKey
    text: str
    tracker: Tracker
    data: TrackedDict | None = None

    def state(self) -> TrackedDict:
        """The tracked state; parsed again from the text after a change that was dropped
        (a failed transaction) or made outside a transaction."""
        if self.data is None or self.tracker.stray:
            self.tracker = Tracker()
            self.data = parse(self.text, self.tracker)
        return self.data


# How many labs' states a thread keeps: a node process uses one, a test run or a benchmark
# many after each other (a fleet of 16 at once), and each copy holds the whole state.
KEPT_PER_THREAD = 32


def _table(name: str) -> dict[str, Any]:
    table: dict[str, Any] | None = getattr(_per_thread, name, None)
    if table is None:
        table = {}
        setattr(_per_thread, name, table)
    return table


def _recall(name: str, path: str) -> Any:  # noqa: ANN401
    """What this thread kept for `path` in the table `name`, now the last one used."""
    table = _table(name)
    kept = table.pop(path, None)
    if kept is not None:
        table[path] = kept
    return kept


def _keep(name: str, path: str, value: object) -> None:
    """Keep `value` for `path`, forgetting the least recently used beyond KEPT_PER_THREAD."""
    table = _table(name)
    table.pop(path, None)
    table[path] = value
    while len(table) > KEPT_PER_THREAD:
        del table[next(iter(table))]


def _file_key(token: bytes, stat: os.stat_result) -> FileKey:
    return (token, stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)


class StateStore:
    def __init__(self, lab_dir: Path) -> None:
        self.lab_dir = lab_dir
        self.state_path = lab_dir / STATE_FILE
        self.lock_path = lab_dir / LOCK_FILE
        self._name = str(self.state_path.resolve())

    def exists(self) -> bool:
        return self.state_path.is_file()

    def read_unlocked(self) -> dict[str, Any]:
        """The last saved state, without waiting for the lock (it is always whole).

        For frequent polling: while the file is unchanged, this thread gets the same dict
        again without reading it (read it, do not change it)."""
        token = self._token_unlocked()
        with self.state_path.open("rb") as file:
            key = _file_key(token, os.fstat(file.fileno()))
            last = _recall("peeked", self._name)
            if last is not None and last[0] == key:
                return last[1]
            data: dict[str, Any] = json.loads(file.read().decode("utf-8"))
        _keep("peeked", self._name, (key, data))
        return data

    def write_new(self, data: dict[str, Any]) -> None:
        self.lab_dir.mkdir(parents=True, exist_ok=True)
        with self._locked() as lock:
            text = _serialise(data)
            key = self._write(lock, text)
            _keep("parsed", self._name, _Parsed(key, text, Tracker()))

    @contextmanager
    def locked_data(self) -> Iterator[dict[str, Any]]:
        """The state dict for one transaction: saved on normal exit, dropped on error."""
        open_now = _table("open")
        if self._name in open_now:
            yield open_now[self._name]
            return
        with self._locked() as lock:
            parsed = self._parsed(lock)
            data = parsed.state()
            tracker = parsed.tracker
            tracker.begin()
            open_now[self._name] = data
            completed = False
            try:
                yield data
                completed = True
            finally:
                del open_now[self._name]
                tracker.open = False
                if not completed and (tracker.changed or tracker.impure):
                    parsed.data = None  # the changes are dropped: parse the text again
            self._save(lock, parsed, data)

    def _parsed(self, lock: int) -> _Parsed:
        """This thread's copy of the state, read again when state.json changed."""
        token = os.pread(lock, TOKEN_BYTES, 0)
        try:
            key = _file_key(token, os.stat(self.state_path))
            parsed: _Parsed | None = _recall("parsed", self._name)
            if parsed is not None and parsed.key == key:
                return parsed
            with self.state_path.open("rb") as file:
                key = _file_key(token, os.fstat(file.fileno()))
                text = file.read().decode("utf-8")
        except FileNotFoundError:
            raise FileNotFoundError(f"no lab state at {self.state_path}") from None
        parsed = _Parsed(key, text, Tracker())
        _keep("parsed", self._name, parsed)
        return parsed

    def _save(self, lock: int, parsed: _Parsed, data: TrackedDict) -> None:
        tracker = parsed.tracker
        if not (tracker.changed or tracker.impure):
            return
        text = _serialise(data)
        if text != parsed.text:
            parsed.key = self._write(lock, text)
            parsed.text = text
        if tracker.impure:
            # Containers the transaction put in are not tracked: parse the text again
            # before the next transaction.
            parsed.data = None

    @contextmanager
    def _locked(self) -> Iterator[int]:
        self.lab_dir.mkdir(parents=True, exist_ok=True)
        lock = os.open(self.lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield lock
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
        finally:
            os.close(lock)

    def _token_unlocked(self) -> bytes:
        try:
            with self.lock_path.open("rb") as lock:
                return lock.read(TOKEN_BYTES)
        except FileNotFoundError:
            return b""

    def _write(self, lock: int, text: str) -> FileKey:
        # The token first: from here on every other copy is stale, even if this process
        # is killed before state.json is replaced.
        token = uuid.uuid4().hex.encode("ascii")
        os.pwrite(lock, token, 0)
        temporary = self.state_path.with_name(
            f".{STATE_FILE}.{os.getpid()}.{threading.get_ident()}.tmp"
        )
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, self.state_path)
        return _file_key(token, os.stat(self.state_path))


def _serialise(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=1, sort_keys=False) + "\n"
