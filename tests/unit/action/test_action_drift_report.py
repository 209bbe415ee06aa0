"""The drift_report action plugin: the fleet's report on the controller, never a change."""

from __future__ import annotations

import json
import typing as t
from datetime import UTC, datetime
from pathlib import Path

from action_harness import make_action
from ansible_collections.wsfc.clusterdb.plugins.action.drift_report import ActionModule

NOW = datetime(2026, 11, 24, 12, 0, 0, tzinfo=UTC)
OUTCOMES = [
    {
        "cluster": "CLU02",
        "hosts": ["N3"],
        "path": "p",
        "result": None,
        "errors": ["N3: unreachable"],
    },
]


def _run(args: dict[str, t.Any], check_mode: bool = False) -> dict[str, t.Any]:
    action = make_action(ActionModule, "drift_report", args, check_mode=check_mode)
    action.clock = lambda: NOW  # type: ignore[method-assign]
    return action.run(task_vars={})


def test_the_reports_are_written_and_the_task_is_not_changed(tmp_path: Path) -> None:
    result = _run({"outcomes": OUTCOMES, "dest": str(tmp_path)})
    assert result["changed"] is False and "failed" not in result
    names = ["drift-report.html", "drift-report.md", "drift-report.json"]
    assert result["files"] == [str(tmp_path / n) for n in names]
    document = json.loads((tmp_path / "drift-report.json").read_text(encoding="utf-8"))
    assert document == result["report"]
    assert document["generated"] == "2026-11-24T12:00:00Z"
    assert result["summary"]["not_checked"] == 1
    assert result["msg"][-1] == "Written: " + ", ".join(result["files"]) + "."


def test_check_mode_writes_nothing_and_answers_the_same(tmp_path: Path) -> None:
    dest = tmp_path / "reports"
    written = _run({"outcomes": OUTCOMES, "dest": str(tmp_path / "other")})
    checked = _run({"outcomes": OUTCOMES, "dest": str(dest), "formats": ["json"]}, check_mode=True)
    assert not dest.exists()
    assert checked["report"] == written["report"]
    assert checked["files"] == [str(dest / "drift-report.json")]
    assert checked["msg"][-1].startswith("Check mode: the reports were not written")


def test_a_folder_that_cannot_be_written_fails_naming_it(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = _run({"outcomes": OUTCOMES, "dest": str(blocker / "reports")})
    assert result["failed"] is True
    assert f"could not be written to {blocker / 'reports'}" in result["msg"]


def test_a_bad_outcome_or_age_is_refused() -> None:
    assert "without a cluster name" in _run({"outcomes": [{"hosts": []}]})["msg"]
    assert "not a duration" in _run({"outcomes": OUTCOMES, "max_age": "soon"})["msg"]
