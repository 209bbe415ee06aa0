"""Figures a connection's end-to-end tests write to tests/output/<name>-timings.json."""

from __future__ import annotations

import fcntl
import json

from playbook import REPO_ROOT

OUTPUT = REPO_ROOT / "tests" / "output"


def record_timing(file_name: str, name: str, seconds: float) -> None:
    """Adds a figure to tests/output/<file_name>-timings.json (locked: xdist workers share it)."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    timings = OUTPUT / f"{file_name}-timings.json"
    with (OUTPUT / f"{file_name}-timings.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        figures = json.loads(timings.read_text()) if timings.exists() else {}
        figures[name] = round(seconds, 2)
        timings.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n")
