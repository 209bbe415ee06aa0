"""The drift playbook over a fleet of two lab clusters in one inventory: one module run per
cluster, a report that validates, and an HTML report that headless Chromium renders with a
section for every drifted cluster."""

from __future__ import annotations

import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import yaml
from drift_schema import errors
from labs import REPO_ROOT, example
from playbook import run_adhoc, run_playbook
from wsfc_lab.execution.execution_log import read_executions
from wsfc_lab.fleet import fleet_inventory
from wsfc_lab.world import ConfigChange

PLAYBOOK = REPO_ROOT / "playbooks" / "drift.yml"
SCHEMA = json.loads((REPO_ROOT / "docs" / "drift-report.schema.json").read_text("utf-8"))
SHARE = "\\\\FS01\\clusterbackups"


def _second_cluster() -> dict[str, Any]:
    """The three-node example as CLU02 with two nodes, BNODE1 and BNODE2."""
    text = yaml.safe_dump(example("three-node"))
    spec = yaml.safe_load(text.replace("NODE", "BNODE").replace("CLU01", "CLU02"))
    spec["nodes"] = spec["nodes"][:2]
    return spec


class _Sections(HTMLParser):
    """The heading text of each cluster section of the page, as the browser built it."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[str] = []
        self._in_section = False
        self._heading: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "section" and ("class", "cluster") in attrs:
            self._in_section = True
        elif tag == "h2" and self._in_section:
            self._heading = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2" and self._heading is not None:
            self.headings.append(" ".join("".join(self._heading).split()))
            self._heading = None
        elif tag == "section":
            self._in_section = False

    def handle_data(self, data: str) -> None:
        if self._heading is not None:
            self._heading.append(data)


def _rendered_dom(html: Path, profile: Path) -> str:
    """The page as headless Chromium built it (--dump-dom)."""
    chromium = shutil.which("chromium")
    assert chromium, "chromium is missing: run scripts/bootstrap.sh, which installs it"
    completed = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", f"--user-data-dir={profile}", "--dump-dom", html.as_uri()],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


def test_a_fleet_report_names_every_drifted_cluster_and_chromium_shows_them(
    start_lab, tmp_path: Path
) -> None:
    first, second = start_lab("three-node"), start_lab(_second_cluster())
    for lab, node in ((first, "NODE1"), (second, "BNODE1")):
        cluster = "CLU01" if lab is first else "CLU02"
        backed_up = run_adhoc(
            node, "wsfc.clusterdb.cluster_backup", lab.inventory_path,
            args=json.dumps({"path": f"{SHARE}\\{cluster}"}),
        )  # fmt: skip
        assert backed_up.of("wsfc.clusterdb.cluster_backup", node).result["changed"] is True
    address = {"name": "Address", "value": "10.0.0.77"}
    first.change(ConfigChange("parameter", "set", "FileServer-01 IP", address))
    second.change(ConfigChange("group", "set", "Reporting", {"preferred_owners": ["BNODE2"]}))
    inventory = fleet_inventory([first, second], tmp_path / "fleet.yml")
    before = [len(read_executions(lab.lab_dir)) for lab in (first, second)]

    reports = tmp_path / "reports"
    run = run_playbook(
        PLAYBOOK, inventory, extra_vars={"backup_path": SHARE, "drift_report_dir": str(reports)}
    )
    assert run.rc == 0, run.output
    # One module run per cluster, each the inspect of the cluster's first host.
    runs = [
        [(e["node"], e["phase"]) for e in read_executions(lab.lab_dir)[skip:]]
        for lab, skip in zip((first, second), before, strict=True)
    ]
    assert runs == [[("NODE1", "inspect")], [("BNODE1", "inspect")]]

    document = json.loads((reports / "drift-report.json").read_text("utf-8"))
    assert list(errors(document, SCHEMA)) == []
    assert document["summary"]["drifted"] == 2
    states = {c["cluster"]: c["state"] for c in document["clusters"]}
    assert states == {"CLU01": "drifted", "CLU02": "drifted"}

    dom = _rendered_dom(reports / "drift-report.html", tmp_path / "chromium-profile")
    sections = _Sections()
    sections.feed(dom)
    assert sorted(sections.headings) == ["CLU01 drifted", "CLU02 drifted"]
    assert "10.0.0.77" in dom and "Reporting" in dom
