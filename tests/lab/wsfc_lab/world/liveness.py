"""Whether a simulated node is running: powered on and, when it has one, its process alive.

In a supervised lab (one the Lab runs, with a process per node) a node runs while it is
powered on and its recorded process is alive: a node whose process is gone is down, as a
crashed machine is. In a world used directly (unit tests, no processes) a node runs while
it is powered on. The process check reads /proc so that a recycled pid does not count.

Every transaction asks about every node (quorum counts them all), so inside a transaction
(`checked_once`) a process found alive is not read from /proc again: each lab process
holds a pidfd for it (pidfd_open, Linux 5.3), and one poll over all of them at the start
of the transaction tells which have ended since. A process that ended, a pid not seen
before and a system without pidfds get the full check, as outside a transaction.
"""

from __future__ import annotations

import os
import select
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

NODE_PROCESS_MARKER = b"wsfc_lab.node"


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    cmdline = Path(f"/proc/{pid}/cmdline")
    try:
        text = cmdline.read_bytes()
    except OSError:
        return True  # no /proc: trust the signal check
    if _is_zombie(pid):
        return False
    return NODE_PROCESS_MARKER in text


def _is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    # The state letter follows the parenthesised command name.
    return stat.rsplit(")", 1)[-1].split()[0] in ("Z", "X")


class _RunningProcesses:
    """The node processes this process found alive, each with a pidfd that becomes
    readable when the process ends (a zombie has ended)."""

    def __init__(self) -> None:
        self._fds: dict[int, int] = {}  # pid -> pidfd
        self._pids: dict[int, int] = {}  # pidfd -> pid
        self._reset()

    def _reset(self) -> None:
        self._lock = threading.Lock()
        self._fds = {}
        self._pids = {}
        self._poll = select.poll()
        self._local = threading.local()
        # Up by one whenever a process is kept or found ended: what the answers were
        # based on changed.
        self.generation = 0
        # Up by one for every answer no pidfd stands for (a process not running, or no
        # pidfds here): such an answer may change without the generation changing.
        self.unpinned = 0

    def close_all(self) -> None:
        """Close every pidfd, without the lock (a forked child: another thread of the
        parent may have held it at the fork)."""
        for fd in self._pids:
            os.close(fd)
        self._reset()

    @contextmanager
    def checked_once(self) -> Iterator[None]:
        """Within the block, a process found alive stays alive unless its pidfd said at the
        start that it ended."""
        depth = getattr(self._local, "depth", 0)
        if depth == 0:
            self._drop_ended()
        self._local.depth = depth + 1
        try:
            yield
        finally:
            self._local.depth = depth

    def alive(self, pid: int) -> bool:
        if not getattr(self._local, "depth", 0):
            return process_alive(pid)
        with self._lock:
            if pid in self._fds:
                return True
        return self._check_and_keep(pid)

    def _drop_ended(self) -> None:
        with self._lock:
            if not self._pids:
                return
            for fd, _events in self._poll.poll(0):
                pid = self._pids.pop(fd)
                del self._fds[pid]
                self._poll.unregister(fd)
                os.close(fd)
                self.generation += 1

    def _unpinned(self, answer: bool) -> bool:
        with self._lock:
            self.unpinned += 1
        return answer

    def _check_and_keep(self, pid: int) -> bool:
        try:
            # Opened before the check, so that the pidfd is of the process checked.
            fd = os.pidfd_open(pid)
        except ProcessLookupError:
            return self._unpinned(False)
        except (AttributeError, OSError):
            return self._unpinned(process_alive(pid))  # no pidfds: the full check each time
        if not process_alive(pid):
            os.close(fd)
            return self._unpinned(False)
        with self._lock:
            if pid in self._fds:  # another thread kept it meanwhile
                os.close(fd)
            else:
                self._fds[pid] = fd
                self._pids[fd] = pid
                self._poll.register(fd, select.POLLIN)
                self.generation += 1
        return True


RUNNING = _RunningProcesses()
# A forked child (multiprocessing) starts afresh: its own lock, no inherited pidfds.
os.register_at_fork(after_in_child=RUNNING.close_all)


def checked_once() -> AbstractContextManager[None]:
    """The block of one transaction: see _RunningProcesses.checked_once."""
    return RUNNING.checked_once()


def node_running(node: dict[str, Any], supervised: bool) -> bool:
    if node.get("power", "on") != "on":
        return False
    if not supervised:
        return True
    pid = node.get("process", {}).get("pid")
    return pid is not None and RUNNING.alive(int(pid))
