# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of ``drift_report``: the fleet's drift report, written on the controller.

It runs on the controller only; no node is contacted. It takes each cluster's outcome (the
wsfc.clusterdb.cluster_drift result of the node that answered, or the errors of the nodes
tried), builds the report with plugin_utils._drift_report and writes it as HTML, Markdown
and JSON into ``dest``. In check mode nothing is written; the report is returned the same.
Writing a report changes nothing that Ansible manages, so the task is never ``changed``:
``changed`` stays the drift check's word for a drifted cluster.
"""

from __future__ import annotations

import typing as t
from datetime import UTC, datetime

from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.action import ActionBase
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._drift_report import (
    FORMATS,
    ReportError,
    fleet_report,
    report_paths,
    summary_lines,
    write_reports,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._duration import parse_duration
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._refusal import PolicyRefusal

ARGUMENT_SPEC: dict[str, dict[str, t.Any]] = {
    "outcomes": {"type": "list", "elements": "dict", "required": True},
    "dest": {"type": "str", "default": ""},
    "max_age": {"type": "str", "default": "2d"},
    "formats": {
        "type": "list",
        "elements": "str",
        "default": list(FORMATS),
        "choices": list(FORMATS),
    },
}


def _utc_now() -> datetime:
    return datetime.now(UTC)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False
    _VALID_ARGS = frozenset(ARGUMENT_SPEC)
    _supports_check_mode = True
    _supports_async = False

    # The report's time stamp; tests replace it.
    clock: t.Callable[[], datetime] = staticmethod(_utc_now)

    def run(
        self, tmp: str | None = None, task_vars: dict[str, t.Any] | None = None
    ) -> dict[str, t.Any]:
        result = super().run(tmp, task_vars or {})
        result["changed"] = False
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        max_age_text = to_text(args["max_age"])
        try:
            max_age = parse_duration(max_age_text, "max_age")
            report = fleet_report(
                args["outcomes"],
                generated=self.clock(),
                max_age=max_age_text,
                max_age_seconds=int(max_age.total_seconds()),
            )
        except (PolicyRefusal, ReportError) as err:
            result.update(failed=True, msg=str(err))
            return result
        dest = to_text(args["dest"] or "")
        formats = [to_text(f) for f in args["formats"]]
        lines = summary_lines(report)
        files: list[str] = []
        if dest and self._task.check_mode:
            files = report_paths(dest, formats)
            lines.append("Check mode: the reports were not written (" + ", ".join(files) + ").")
        elif dest:
            try:
                files = write_reports(report, dest, formats)
            except OSError as err:
                result.update(
                    failed=True,
                    report=report,
                    msg=f"The drift report could not be written to {dest}: {err}. Give a "
                    "folder the user ansible-playbook runs as may write (drift_report_dir).",
                )
                return result
            lines.append("Written: " + ", ".join(files) + ".")
        result.update(report=report, summary=report["summary"], files=files, msg=lines)
        return result
