"""The fleet's drift report: its document, the schema it validates against, HTML and Markdown."""

from __future__ import annotations

import copy
import json
import re
import stat
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._drift import assess, choose_set
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._drift_report import (
    FILE_NAMES,
    SCHEMA_PATH,
    ReportError,
    cluster_entry,
    fleet_report,
    markdown_text,
    render,
    summary_lines,
    write_reports,
)
from drift_schema import SchemaError, errors

from .drift_samples import NOW, backup_set, changed_configuration, inspect, options, resource

DAY = timedelta(days=1)
SCHEMA = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
HOSTILE = 'App <script>alert("x")</script> | `tick` *'


def _result(running: dict, name: str = "CLU01", **option_overrides) -> dict:
    opts = options(cluster_name=name, **option_overrides)
    record = assess(running, opts, choose_set(running, opts, every_hashed=False), hosts=["N1"])
    return {**record, "msg": record["message"], "changed": record["state"] == "drifted"}


def _drifted() -> dict:
    def change(config: dict) -> None:
        resource(config, "FS01 IP")["parameters"]["Address"] = "10.0.0.51"
        config["resources"].append(
            {"name": HOSTILE, "type": "Generic Service", "group": "FS01", "parameters": {}}
        )

    return _result(inspect([backup_set(NOW - 3 * DAY)], changed_configuration(change)))


def _fleet() -> dict:
    in_sync = _result(inspect([backup_set(NOW - DAY)]))
    in_sync["cluster"] = "CLU02"
    none = _result(inspect([]))
    none["cluster"] = "CLU03"
    outcomes = [
        {
            "cluster": "CLU01",
            "hosts": ["N1", "N2"],
            "path": "p",
            "result": _drifted(),
            "errors": [],
        },
        {"cluster": "CLU02", "hosts": ["N3"], "path": "p", "result": in_sync, "errors": []},
        {"cluster": "CLU03", "hosts": ["N5"], "path": "p", "result": none, "errors": []},
        {
            "cluster": "CLU04",
            "hosts": ["N7", "N8"],
            "path": "p",
            "result": None,
            "errors": ["N7: unreachable - no answer", "N8: failed - Cluster service stopped"],
        },
    ]
    return fleet_report(outcomes, generated=NOW, max_age="2d", max_age_seconds=172800)


def test_the_fleet_document_lists_every_cluster_by_name_with_a_summary() -> None:
    report = _fleet()
    assert [c["cluster"] for c in report["clusters"]] == ["CLU01", "CLU02", "CLU03", "CLU04"]
    assert [c["state"] for c in report["clusters"]] == [
        "drifted",
        "in_sync",
        "no_backup",
        "not_checked",
    ]
    assert report["summary"] == {
        "clusters": 4,
        "in_sync": 1,
        "drifted": 1,
        "no_backup": 1,
        "not_checked": 1,
        "flagged": 2,
    }
    not_checked = report["clusters"][3]
    assert not_checked["reason"] == "no_node"
    assert not_checked["errors"] == [
        "N7: unreachable - no answer",
        "N8: failed - Cluster service stopped",
    ]
    assert "No node of cluster CLU04 could be read: N7: unreachable" in not_checked["message"]
    lines = summary_lines(report)
    assert lines[0].startswith("4 cluster(s): 1 in sync, 1 drifted, 1 without a backup")
    assert lines[1].startswith("CLU01: Cluster CLU01 drifted since set")


def test_changes_are_grouped_by_object_in_the_order_of_the_items() -> None:
    entry = cluster_entry({"cluster": "CLU01", "hosts": [], "result": _drifted(), "errors": []})
    objects = [(o["object_type"], o["object"], o["change"]) for o in entry["objects"]]
    assert objects == [("resource", HOSTILE, "added"), ("resource", "FS01 IP", "changed")]
    (address,) = entry["objects"][1]["items"]
    assert address == {
        "item": "parameter",
        "name": "Address",
        "change": "changed",
        "field": "parameters.Address",
        "before": "10.0.0.50",
        "after": "10.0.0.51",
    }


def test_the_json_report_validates_against_the_schema() -> None:
    text = render(_fleet(), "json")
    assert list(errors(json.loads(text), SCHEMA)) == []


@pytest.mark.parametrize(
    ("breakage", "expected"),
    [
        (lambda r: r["clusters"][0].pop("state"), "'state' is required"),
        (lambda r: r["clusters"][0].update(state="unknown"), "is not one of"),
        (lambda r: r["clusters"][0].update(colour="red"), "'colour' is not allowed"),
        (lambda r: r["summary"].update(drifted=-1), "is less than 0"),
        (lambda r: r.update(generated="yesterday"), "does not match"),
        (lambda r: r["clusters"][1].update(set=[]), "matches 0 of the oneOf schemas"),
        (lambda r: r["clusters"][0].update(flagged=1), "is not of type boolean"),
        (lambda r: r.update(schema_version=True), "is not 1"),
    ],
)
def test_the_validator_finds_a_report_that_breaks_the_schema(breakage, expected: str) -> None:
    report = copy.deepcopy(_fleet())
    breakage(report)
    found = list(errors(report, SCHEMA))
    assert any(expected in e for e in found), found


def test_the_validator_refuses_a_keyword_it_does_not_implement() -> None:
    with pytest.raises(SchemaError, match="uniqueItems"):
        list(errors([1], {"type": "array", "uniqueItems": True}))


class _Page(HTMLParser):
    """The tags, attributes and visible text of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend(attrs)
        self._skip += tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag == "style"

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)


def test_the_html_report_is_self_contained_and_shows_every_value_escaped() -> None:
    html = render(_fleet(), "html")
    page = _Page()
    page.feed(html)
    # Nothing runs and nothing is fetched: no script, no external resource of any kind.
    assert "script" not in page.tags and "link" not in page.tags and "img" not in page.tags
    assert not [a for a in page.attributes if a[0] in ("src", "srcset") or a[0].startswith("on")]
    links = [value for name, value in page.attributes if name == "href"]
    assert links and all(str(link).startswith("#") for link in links)
    assert not re.search(r"url\(|@import|https?://", html.split("</style>")[0])
    text = " ".join(page.text)
    # The hostile resource name is shown as written, as text.
    assert HOSTILE in text
    for name in ("CLU01", "CLU02", "CLU03", "CLU04"):
        assert name in text
    assert "10.0.0.50" in text and "10.0.0.51" in text


def test_an_age_past_the_threshold_is_highlighted_in_the_summary() -> None:
    html = render(_fleet(), "html")
    rows = re.findall(r"<tr>(.*?)</tr>", html, flags=re.DOTALL)
    old = next(r for r in rows if ">CLU01<" in r)
    fresh = next(r for r in rows if ">CLU02<" in r)
    assert '<td class="old">3d (older than 2d)</td>' in old
    assert '<td class="">1d</td>' in fresh


def test_the_markdown_report_holds_the_same_content_escaped() -> None:
    markdown = render(_fleet(), "markdown")
    assert "| CLU01 | **3d (older than 2d)** | drifted | 2 | NODE1 |" in markdown
    assert "| CLU02 | 1d | in sync | 0 |" in markdown
    assert "## CLU01: drifted" in markdown and "## CLU03: no backup" in markdown
    assert "## CLU04: not checked" in markdown
    assert "| parameter | Address | changed | 10.0.0.50 | 10.0.0.51 |" in markdown
    # The hostile name cannot open an HTML tag or break the table.
    assert "<script>" not in markdown
    assert markdown_text(HOSTILE) in markdown
    assert markdown_text("a | b\nc") == "a \\| b c"


def test_reports_are_written_for_their_owner_and_replace_the_previous_ones(tmp_path: Path) -> None:
    dest = tmp_path / "reports" / "fleet"
    written = write_reports(_fleet(), str(dest))
    assert [Path(p).name for p in written] == list(FILE_NAMES.values())
    assert stat.S_IMODE(dest.stat().st_mode) == 0o700
    for path in written:
        assert stat.S_IMODE(Path(path).stat().st_mode) == 0o600
    first = (dest / "drift-report.json").read_text(encoding="utf-8")
    write_reports(fleet_report([], generated=NOW, max_age="1d", max_age_seconds=86400), str(dest))
    again = json.loads((dest / "drift-report.json").read_text(encoding="utf-8"))
    assert again["summary"]["clusters"] == 0 and first != json.dumps(again)
    assert sorted(p.name for p in dest.iterdir()) == sorted(FILE_NAMES.values())


def test_an_outcome_without_a_name_or_twice_the_same_cluster_is_refused() -> None:
    with pytest.raises(ReportError, match="without a cluster name"):
        cluster_entry({"hosts": []})
    twice = [{"cluster": "CLU01", "result": None}, {"cluster": "clu01", "result": None}]
    with pytest.raises(ReportError, match="in the outcomes twice"):
        fleet_report(twice, generated=NOW, max_age="2d", max_age_seconds=1)
