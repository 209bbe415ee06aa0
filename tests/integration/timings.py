"""Figures the connection tests measure, kept in tests/output/<name>-timings.json."""

from __future__ import annotations

import fcntl
import json

from playbook import REPO_ROOT

OUTPUT = REPO_ROOT / "tests" / "output"


def record_timing(file_name: str, figure: str, seconds: float) -> None:
    """Adds a figure to tests/output/<file_name>-timings.json (locked: xdist workers share
    it)."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / f"{file_name}-timings.json"
    with (OUTPUT / f"{file_name}-timings.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        figures = json.loads(path.read_text()) if path.exists() else {}
        figures[figure] = round(seconds, 2)
        path.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n")
