"""Sourcing scripts/bootstrap.sh gives the caller its shell options back, errexit included:
scripts/test.sh, which CI runs, must stop at the first tier that fails."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def run_bash(script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
    )


def test_a_caller_with_errexit_still_stops_on_an_error() -> None:
    run = run_bash("set -euo pipefail; . scripts/bootstrap.sh; false; echo went-on")
    assert run.returncode != 0
    assert "went-on" not in run.stdout


def test_a_caller_without_errexit_is_left_without_it() -> None:
    run = run_bash(". scripts/bootstrap.sh; false; echo went-on")
    assert "went-on" in run.stdout
