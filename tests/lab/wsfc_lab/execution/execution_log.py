"""The execution log: one JSON line per module run the lab dispatches, for benchmarks.

`<lab dir>/executions.jsonl`, one object a line:

  {"time": 1790000000.123,           # when the run started (seconds since the epoch)
   "node": "NODE1",                   # the node that ran it
   "module": "wsfc.clusterdb.cluster_backup",   # fully qualified module name
   "phase": "inspect",                # the module's internal `_phase` argument,
                                      # or null
   "duration": 0.042,                 # seconds, the emulation's run (latency included)
   "failed": false}                   # the module failed (exit code not 0), or the lab
                                      # refused it (not emulated, lab error)

Every node process appends to the same file; each line is written with one write on a
file opened for appending, so lines from concurrent runs do not interleave.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

LOG_NAME = "executions.jsonl"


def log_path(lab_dir: Path) -> Path:
    return lab_dir / LOG_NAME


def record_execution(
    lab_dir: Path | None,
    *,
    started: float,
    node: str,
    module: str,
    arguments: dict[str, Any],
    duration: float,
    failed: bool,
) -> None:
    """Append one line for a module run (nothing when the world has no lab directory)."""
    if lab_dir is None:
        return
    # The phased modules (cluster_backup, cluster_restore) name their phase in the internal
    # option `_phase`, which only their action plugins set.
    phase = arguments.get("_phase")
    line = {
        "time": round(started, 6),
        "node": node,
        "module": module,
        "phase": phase if isinstance(phase, str) else None,
        "duration": round(duration, 6),
        "failed": failed,
    }
    data = (json.dumps(line, separators=(",", ":")) + "\n").encode("utf-8")
    descriptor = os.open(log_path(lab_dir), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(descriptor, data)
    finally:
        os.close(descriptor)


def read_executions(lab_dir: Path) -> list[dict[str, Any]]:
    """Every logged run, oldest first (empty when nothing ran)."""
    path = log_path(lab_dir)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
