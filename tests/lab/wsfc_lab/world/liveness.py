"""Whether a simulated node is running: powered on and, when it has one, its process alive.

In a supervised lab (one the Lab runs, with a process per node) a node runs while it is
powered on and its recorded process is alive: a node whose process is gone is down, as a
crashed machine is. In a world used directly (unit tests, no processes) a node runs while
it is powered on. The process check reads /proc so that a recycled pid does not count.
"""

from __future__ import annotations

import os
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


def node_running(node: dict[str, Any], supervised: bool) -> bool:
    if node.get("power", "on") != "on":
        return False
    if not supervised:
        return True
    pid = node.get("process", {}).get("pid")
    return pid is not None and process_alive(int(pid))
