"""What the lab's helper daemons (its KDC, its sshd) share: the pid file they write, stopping
them by it, and waiting for their port."""

from __future__ import annotations

import os
import signal
import socket
import time
from pathlib import Path


def pid_from_file(pid_file: Path) -> int | None:
    """The pid in `pid_file` while that process lives; None otherwise."""
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    return pid


def stop_by_pid_file(pid_file: Path, timeout: float = 10.0) -> None:
    """SIGTERM the process of `pid_file`, SIGKILL it after `timeout`; remove the file."""
    pid = pid_from_file(pid_file)
    if pid is None:
        return
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while pid_from_file(pid_file) is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    if pid_from_file(pid_file) is not None:
        os.kill(pid, signal.SIGKILL)
    pid_file.unlink(missing_ok=True)


def accepts(address: str, port: int) -> bool:
    """Whether a TCP connection to address:port is accepted now."""
    try:
        with socket.create_connection((address, port), timeout=0.2):
            return True
    except OSError:
        return False
