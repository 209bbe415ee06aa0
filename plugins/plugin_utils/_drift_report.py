# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The drift report of a fleet: one document for every cluster, as JSON, Markdown and HTML.

Input: each cluster's outcome, as the drift role gathers it: the cluster's name and hosts,
the drift record of the node that answered (plugin_utils._drift.assess, the result of
wsfc.clusterdb.cluster_drift), or the errors of the nodes that were tried when none did.

The document (docs/drift-report.schema.json) lists the clusters by name with a summary:
how many are in sync, drifted, without a backup, not checked, flagged. Each cluster's
changes are grouped by object (a group, resource or network, then its items), which is how
an operator reads them. The three files hold the same content: JSON for programs, Markdown
for a ticket or a wiki, HTML (self-contained: its CSS inline, no network resource) for
people. Markdown and HTML are rendered with Jinja2 from the collection's template files
(roles/drift/templates), the HTML with every value escaped.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import typing as t
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path

import jinja2
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._drift import (
    DRIFTED,
    FLAG_AGE,
    FLAG_CORRUPT_NEWEST,
    FLAG_DRIFT,
    FLAG_NO_BACKUP,
    IN_SYNC,
    NO_BACKUP,
    NO_NODE,
    NOT_CHECKED,
    STATES,
)

REPORT_FORMAT = "wsfc.clusterdb/drift-report"
SCHEMA_VERSION = 1
# plugins/plugin_utils/ -> the collection's root.
COLLECTION_ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIR = COLLECTION_ROOT / "roles" / "drift" / "templates"
SCHEMA_PATH = COLLECTION_ROOT / "docs" / "drift-report.schema.json"

HTML = "html"
MARKDOWN = "markdown"
JSON = "json"
FORMATS = (HTML, MARKDOWN, JSON)
FILE_NAMES = {HTML: "drift-report.html", MARKDOWN: "drift-report.md", JSON: "drift-report.json"}
_TEMPLATES = {HTML: "drift_report.html.j2", MARKDOWN: "drift_report.md.j2"}
# The reports name the cluster's configuration (addresses, names): its owner reads them.
FILE_MODE = 0o600
DIRECTORY_MODE = 0o700

_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
# The keys of a cluster's drift record that the report keeps (plugin_utils._drift.assess).
_RECORD_KEYS = (
    "cluster",
    "state",
    "reason",
    "message",
    "checked_on",
    "checked_at",
    "path",
    "requested_set",
    "set",
    "passed_over",
    "configuration_version",
    "change_count",
    "change_counts",
    "flagged",
    "flags",
    "next_command",
)


# How the reports name each state and flag.
STATE_LABELS = {
    IN_SYNC: "in sync",
    DRIFTED: "drifted",
    NO_BACKUP: "no backup",
    NOT_CHECKED: "not checked",
}
FLAG_LABELS = {
    FLAG_AGE: "backup too old",
    FLAG_DRIFT: "drifted since the backup",
    FLAG_NO_BACKUP: "no backup to compare with",
    FLAG_CORRUPT_NEWEST: "newest set corrupt",
}


class ReportError(ValueError):
    """An outcome the report cannot read; names the cluster and what is wrong."""


def cluster_entry(outcome: Mapping[str, t.Any]) -> dict[str, t.Any]:
    """One cluster of the report, from its outcome (``cluster``, ``hosts``, ``result``,
    ``errors``): the drift record of the node that answered, with its changes grouped by
    object; or, when no node answered, the cluster as not checked, with each node's error."""
    name = outcome.get("cluster")
    if not isinstance(name, str) or not name:
        raise ReportError(f"an outcome without a cluster name: {dict(outcome)!r}")
    hosts = [str(h) for h in outcome.get("hosts") or []]
    result = outcome.get("result")
    if isinstance(result, Mapping) and result.get("state") in STATES:
        entry = {key: _plain(result.get(key)) for key in _RECORD_KEYS}
        entry["cluster"] = name if not entry["cluster"] else entry["cluster"]
        entry["hosts"] = hosts
        entry["objects"] = group_by_object(result.get("changes") or [])
        entry["errors"] = [str(e) for e in outcome.get("errors") or []]
        return entry
    errors = [str(e) for e in outcome.get("errors") or []] or ["no host of the cluster ran"]
    return {
        "cluster": name,
        "state": NOT_CHECKED,
        "reason": NO_NODE,
        "message": f"No node of cluster {name} could be read: {'; '.join(errors)}. Bring a "
        "node back (wsfc.clusterdb.cluster_info shows what it answers), then run the drift "
        "check again.",
        "checked_on": None,
        "checked_at": None,
        "path": outcome.get("path"),
        "requested_set": None,
        "set": None,
        "passed_over": [],
        "configuration_version": {"running": None, "backup": None, "equal": False},
        "change_count": 0,
        "change_counts": {"added": 0, "removed": 0, "changed": 0},
        "flagged": False,
        "flags": [],
        "next_command": None,
        "hosts": hosts,
        "objects": [],
        "errors": errors,
    }


def group_by_object(changes: Iterable[Mapping[str, t.Any]]) -> list[dict[str, t.Any]]:
    """The change items grouped by the object they belong to, in the items' order: a whole
    object added or removed is one group with that change; any other group is changed."""
    groups: dict[tuple[str, str], dict[str, t.Any]] = {}
    for item in changes:
        key = (str(item["object_type"]), str(item["object"]))
        group = groups.setdefault(
            key,
            {"object_type": key[0], "object": key[1], "change": "changed", "items": []},
        )
        if item["item"] == item["object_type"]:
            group["change"] = item["change"]
        group["items"].append(
            {
                "item": item["item"],
                "name": item["name"],
                "change": item["change"],
                "field": item.get("field"),
                "before": _plain(item.get("before")),
                "after": _plain(item.get("after")),
            }
        )
    return list(groups.values())


def fleet_report(
    outcomes: Sequence[Mapping[str, t.Any]],
    *,
    generated: datetime,
    max_age: str,
    max_age_seconds: int,
) -> dict[str, t.Any]:
    """The report's document: its summary and every cluster, by name."""
    clusters = sorted((cluster_entry(o) for o in outcomes), key=lambda c: c["cluster"].casefold())
    seen: set[str] = set()
    for entry in clusters:
        if entry["cluster"].casefold() in seen:
            raise ReportError(f"cluster {entry['cluster']} is in the outcomes twice")
        seen.add(entry["cluster"].casefold())
    summary = {"clusters": len(clusters)}
    summary.update({state: sum(1 for c in clusters if c["state"] == state) for state in STATES})
    summary["flagged"] = sum(1 for c in clusters if c["flagged"])
    return {
        "format": REPORT_FORMAT,
        "schema_version": SCHEMA_VERSION,
        "generated": generated.strftime(_TIME_FORMAT),
        "max_age": max_age,
        "max_age_seconds": max_age_seconds,
        "summary": summary,
        "clusters": clusters,
    }


def summary_lines(report: Mapping[str, t.Any]) -> list[str]:
    """The report in a few lines for the play's output: the counts, then each cluster."""
    summary = report["summary"]
    lines = [
        f"{summary['clusters']} cluster(s): {summary[IN_SYNC]} in sync, {summary[DRIFTED]} "
        f"drifted, {summary[NO_BACKUP]} without a backup, {summary[NOT_CHECKED]} not checked; "
        f"{summary['flagged']} flagged for a fresh backup."
    ]
    lines.extend(f"{c['cluster']}: {c['message']}" for c in report["clusters"])
    return lines


def render(report: Mapping[str, t.Any], what: str, template_dir: Path = TEMPLATE_DIR) -> str:
    """The report as ``what`` (html, markdown, json)."""
    if what == JSON:
        return json.dumps(report, indent=2, ensure_ascii=False) + "\n"
    if what not in _TEMPLATES:
        raise ValueError(f"unknown report format {what!r}; known: {', '.join(FORMATS)}")
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_dir)),
        # HTML: every value escaped, so a name or a parameter value is shown, never run.
        autoescape=what == HTML,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["show"] = show_value
    environment.filters["item_label"] = item_label
    environment.filters["md"] = markdown_text
    template = environment.get_template(_TEMPLATES[what])
    return template.render(report=report, **_view(report))


def _view(report: Mapping[str, t.Any]) -> dict[str, t.Any]:
    """What the templates show besides the document: the clusters by section."""
    clusters = list(report["clusters"])
    return {
        # Links from the summary table to each cluster's section.
        "anchors": {c["cluster"]: f"cluster-{n}" for n, c in enumerate(clusters, 1)},
        "state_labels": STATE_LABELS,
        "flag_labels": FLAG_LABELS,
        "drifted": [c for c in clusters if c["state"] == DRIFTED],
        "without_backup": [c for c in clusters if c["state"] in (NO_BACKUP, NOT_CHECKED)],
        "flagged_other": [
            c
            for c in clusters
            if c["flagged"] and c["state"] == IN_SYNC and FLAG_NO_BACKUP not in c["flags"]
        ],
    }


# How the reports name an item of a changed object, by its configuration field.
_FIELD_LABELS = {"preferred_owners": "preferred owner", "possible_owners": "possible owner"}


def item_label(item: Mapping[str, t.Any]) -> str:
    """What an item is, for people: an owner names its list, the rest their kind."""
    if item.get("item") == "owner":
        return _FIELD_LABELS.get(str(item.get("field")), "owner")
    return str(item.get("item"))


def show_value(value: object) -> str:
    """A value as the reports show it: a text as it is, anything else as compact JSON."""
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, separators=(", ", ": "), ensure_ascii=False)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def markdown_text(value: object) -> str:
    """A value for Markdown: punctuation that Markdown reads escaped, on one line (a table
    cell cannot hold a line break), so a name shows as written and no HTML comes through."""
    text = show_value(value) if not isinstance(value, str) else value
    text = " ".join(text.splitlines())
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def write_reports(
    report: Mapping[str, t.Any],
    dest: str,
    formats: Sequence[str] = FORMATS,
    template_dir: Path = TEMPLATE_DIR,
) -> list[str]:
    """Writes each format into ``dest`` (created, owner only) and returns the paths. Each
    file is written beside its final name and renamed over it, so a reader never sees half a
    report, and a failed run leaves the previous report whole."""
    folder = Path(os.path.expanduser(dest))
    folder.mkdir(mode=DIRECTORY_MODE, parents=True, exist_ok=True)
    written = []
    for what in formats:
        text = render(report, what, template_dir)
        target = folder / FILE_NAMES[what]
        descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=str(folder))
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.chmod(temporary, FILE_MODE)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        written.append(str(target))
    return written


def report_paths(dest: str, formats: Sequence[str] = FORMATS) -> list[str]:
    """Where write_reports puts each format."""
    folder = Path(os.path.expanduser(dest))
    return [str(folder / FILE_NAMES[what]) for what in formats]


def _plain(value: object) -> t.Any:  # noqa: ANN401 - JSON data of any shape
    """Plain JSON data: Ansible's wrapped strings, lists and dicts become Python's own."""
    return json.loads(json.dumps(value, default=str))
