"""A set left out for a cluster name is reported in ``rejected`` with why, not as absent."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import pytest
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._backup_set_report import (
    report_backup_sets,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._manifest import (
    build_manifest,
    manifest_to_json,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._paths import validate_backup_path

LOCATION = validate_backup_path(r"\\fs01\clusterbackups\CLU01")
NAME = "20261122T020304Z_clusterdb_e1s7"
DATA = b"cluster database"


def _manifest(cluster: str = "CLU01") -> str:
    manifest = build_manifest(
        cluster={"name": cluster, "id": f"id-of-{cluster}"},
        source_node="NODE1",
        route="clusapi",
        paxos_tag="1:1:7",
        quorum=None,
        configuration={"groups": [], "resources": [], "networks": []},
        files=[{"path": "clusdb", "size": len(DATA), "sha256": hashlib.sha256(DATA).hexdigest()}],
        created=datetime(2026, 11, 22, 2, 3, 4, tzinfo=UTC),
    )
    return manifest_to_json(manifest)


def _escaping_manifest() -> str:
    document = json.loads(_manifest())
    document["files"][0]["path"] = "..\\..\\Windows\\x"
    return json.dumps(document)


def _listing(manifest_text: str | None) -> list[dict[str, object]]:
    return [
        {
            "name": NAME,
            "marker_present": True,
            "manifest_text": manifest_text,
            "files": [{"path": "clusdb", "size": len(DATA), "sha256": None}],
        }
    ]


@pytest.mark.parametrize(
    ("manifest_text", "reason", "words"),
    [
        ("{ not json", "corrupt", ("manifest.json is not valid JSON",)),
        (_escaping_manifest(), "corrupt", ("'..\\..\\Windows\\x'", "not a plain path")),
        (_manifest("CLU02"), "foreign", ("belongs to cluster CLU02", "not to CLU01")),
        (None, "incomplete", ("manifest.json is missing",)),
    ],
)
def test_a_set_left_out_for_the_cluster_says_why(
    manifest_text: str | None, reason: str, words: tuple[str, ...]
) -> None:
    report = report_backup_sets(
        LOCATION, _listing(manifest_text), verify=False, cluster_name="CLU01"
    )

    assert report.sets == []
    (rejected,) = report.rejected
    assert rejected["name"] == NAME
    assert rejected["path"] == rf"\\fs01\clusterbackups\CLU01\{NAME}"
    assert rejected["reason"] == reason
    for word in words:
        assert word in rejected["message"], rejected["message"]


def test_the_check_that_failed_is_among_the_problems() -> None:
    report = report_backup_sets(
        LOCATION, _listing(_escaping_manifest()), verify=False, cluster_name="CLU01"
    )
    (rejected,) = report.rejected
    assert rejected["status"] == "corrupt"
    assert [p["status"] for p in rejected["problems"]] == ["corrupt"]
    assert "files[0].path" in rejected["problems"][0]["text"]


def test_a_foreign_set_names_its_cluster() -> None:
    report = report_backup_sets(
        LOCATION, _listing(_manifest("CLU02")), verify=False, cluster_name="clu01"
    )
    (rejected,) = report.rejected
    assert rejected["cluster"] == {"name": "CLU02", "id": "id-of-CLU02"}


def test_a_set_of_the_cluster_is_listed_not_rejected() -> None:
    report = report_backup_sets(
        LOCATION, _listing(_manifest("clu01")), verify=False, cluster_name="CLU01"
    )
    assert [s["name"] for s in report.sets] == [NAME]
    assert report.rejected == []


def test_without_a_cluster_name_nothing_is_rejected() -> None:
    report = report_backup_sets(LOCATION, _listing("{ not json"), verify=False)
    assert [s["status"] for s in report.sets] == ["corrupt"]
    assert report.rejected == []
