"""The backup role's filters and the controller's set report (the lookup)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from ansible.errors import AnsibleFilterError, AnsibleLookupError
from ansible.parsing.splitter import parse_kv
from ansible.plugins.loader import lookup_loader
from ansible_collections.wsfc.clusterdb.plugins.filter.backup_node import backup_node
from ansible_collections.wsfc.clusterdb.plugins.filter.retention_plan import (
    parse_duration,
    retention_plan,
)
from ansible_collections.wsfc.clusterdb.plugins.filter.temporary_share import temporary_share
from ansible_collections.wsfc.clusterdb.plugins.filter.windows_path import windows_path
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._controller_sets import (
    controller_backup_sets,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._manifest import (
    build_manifest,
    manifest_to_json,
)

NOW = "2026-11-22T12:00:00Z"


def _set(name: str, status: str = "complete", *, cluster: str = "CLU01", verified: bool = True):
    created = None
    if not name.startswith("unfinished_") and status != "incomplete":
        stamp = datetime.strptime(name[:16], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        created = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "name": name,
        "path": f"\\\\fs01\\b\\{cluster}\\{name}",
        "status": status,
        "verified": verified,
        "created": created,
        "cluster": {"name": cluster} if created else None,
    }


def _actions(plan: list[dict[str, str]]) -> dict[str, str]:
    return {d["name"]: d["action"] for d in plan}


def test_retention_keeps_the_newest_complete_sets_and_deletes_older_ones() -> None:
    sets = [_set(f"202611{day:02d}T020304Z_clusterdb_e1s{day}") for day in (18, 19, 20, 21)]
    plan = retention_plan({"sets": sets}, keep=2, leftover_age="1d", now=NOW)
    assert _actions(plan) == {
        "20261118T020304Z_clusterdb_e1s18": "delete",
        "20261119T020304Z_clusterdb_e1s19": "delete",
        "20261120T020304Z_clusterdb_e1s20": "keep",
        "20261121T020304Z_clusterdb_e1s21": "keep",
    }
    assert plan[0]["path"] == sets[0]["path"]
    assert plan[0]["reason"]


def test_retention_never_deletes_the_last_complete_set_behind_corrupt_ones() -> None:
    sets = [
        _set("20261118T020304Z_clusterdb_e1s18"),
        _set("20261121T020304Z_clusterdb_e1s21", "corrupt"),
        _set("20261122T020304Z_clusterdb_e1s22", "corrupt"),
    ]
    plan = retention_plan(sets, keep=1, leftover_age="1d", now=NOW)
    assert set(_actions(plan).values()) == {"keep"}


def test_retention_clears_old_leftovers_and_keeps_young_ones() -> None:
    sets = [
        _set("20261122T020304Z_clusterdb_e1s22"),
        _set("unfinished_20261101T000000Z_clusterdb_e1s5", "incomplete"),
        _set("unfinished_20261122T110000Z_clusterdb_e1s23", "incomplete"),
        _set("20261102T000000Z_clusterdb_e1s6", "incomplete"),
    ]
    plan = _actions(retention_plan(sets, keep=3, leftover_age="12h", now=NOW))
    assert plan["unfinished_20261101T000000Z_clusterdb_e1s5"] == "delete"
    assert plan["20261102T000000Z_clusterdb_e1s6"] == "delete"
    assert plan["unfinished_20261122T110000Z_clusterdb_e1s23"] == "keep"


def test_retention_never_touches_another_clusters_sets() -> None:
    sets = [
        _set("20261118T020304Z_clusterdb_e1s18", cluster="CLU02"),
        _set("20261120T020304Z_clusterdb_e1s20"),
        _set("20261121T020304Z_clusterdb_e1s21"),
    ]
    plan = retention_plan(sets, keep=1, leftover_age="1d", cluster_name="clu01", now=NOW)
    assert _actions(plan) == {
        "20261118T020304Z_clusterdb_e1s18": "keep",
        "20261120T020304Z_clusterdb_e1s20": "delete",
        "20261121T020304Z_clusterdb_e1s21": "keep",
    }


@pytest.mark.parametrize("keep", [0, -1, True, "none"])
def test_retention_refuses_a_keep_that_could_delete_everything(keep: object) -> None:
    with pytest.raises(AnsibleFilterError):
        retention_plan([_set("20261121T020304Z_clusterdb_e1s21")], keep=keep, leftover_age="1d")


@pytest.mark.parametrize(
    ("text", "seconds"), [("90", 90), (90, 90), ("15m", 900), ("12h", 43200), ("2d", 172800)]
)
def test_durations(text: object, seconds: int) -> None:
    assert parse_duration(text).total_seconds() == seconds


def test_a_duration_without_a_known_unit_is_refused() -> None:
    with pytest.raises(AnsibleFilterError, match="not a duration"):
        parse_duration("2 fortnights")


def _facts(states: dict[str, str], *, core_owner: str = "NODE2", read_on: str = "NODE1"):
    return {
        "node_name": read_on,
        "nodes": [{"name": name, "state": state} for name, state in states.items()],
        "core_group_owner": core_owner,
        "configuration": {
            "groups": [
                {"name": "Available Storage", "is_core_group": True, "owner_node": "NODE3"},
                {"name": "Cluster Group", "is_core_group": True, "owner_node": core_owner},
                {"name": "SQL", "is_core_group": False, "owner_node": "NODE3"},
            ]
        },
    }


UP = {"NODE1": "Up", "NODE2": "Up", "NODE3": "Up"}
HOSTS = ["node1.corp.example.com", "node2.corp.example.com", "node3.corp.example.com"]


def test_the_owner_of_the_cluster_group_takes_the_backup() -> None:
    assert backup_node(_facts(UP), HOSTS) == "node2.corp.example.com"


def test_a_named_group_owner_is_preferred_when_asked() -> None:
    assert backup_node(_facts(UP), HOSTS, group="sql") == "node3.corp.example.com"
    with pytest.raises(AnsibleFilterError, match="no group named 'Web'"):
        backup_node(_facts(UP), HOSTS, group="Web")


def test_a_down_owner_gives_way_to_the_node_that_read_the_facts() -> None:
    facts = _facts({"NODE1": "Up", "NODE2": "Down", "NODE3": "Up"})
    assert backup_node(facts, HOSTS) == "node1.corp.example.com"
    # An owner that is Up but not a candidate (unreachable) is passed over as well.
    assert backup_node(_facts(UP, read_on="NODE3"), [HOSTS[0], HOSTS[2]]) == HOSTS[2]


def test_no_up_candidate_fails_naming_the_states() -> None:
    facts = _facts({"NODE1": "Down", "NODE2": "Paused", "NODE3": "Down"})
    with pytest.raises(AnsibleFilterError, match="NODE2 Paused"):
        backup_node(facts, HOSTS)


@pytest.mark.parametrize(
    "typed",
    # Escapes that decode into control characters (\n, \t, ...) are refused instead: see
    # tests/unit/filter/test_windows_path_refusals.py.
    [r"\\fs01\clusterbackups", r"\\fs01\Backups\New", r"D:\Backups\Temp", "C:\\", r"E:\A\B"],
)
def test_windows_path_undoes_key_value_unescaping(typed: str) -> None:
    received = parse_kv(f"backup_path={typed}")["backup_path"]
    assert windows_path(received) == typed


def test_windows_path_leaves_a_proper_path_alone() -> None:
    assert windows_path(r"\\fs01\share\x") == r"\\fs01\share\x"
    assert windows_path(r"\rooted") == r"\rooted"


def _write_set(folder: Path, name: str) -> Path:
    files = {"chk0001.tmp": b"snapshot" * 10, "sub/00000001.CPT": b"checkpoint"}
    directory = folder / name
    for relative, data in files.items():
        (directory / relative).parent.mkdir(parents=True, exist_ok=True)
        (directory / relative).write_bytes(data)
    manifest = build_manifest(
        cluster={"name": "CLU01", "id": "6f1c3c9b-4d6e-4f5a-8f0e-2f7f9a3b1c11"},
        source_node="NODE1",
        route="clusapi",
        paxos_tag="1:1:" + name.rsplit("s", 1)[1],
        quorum=None,
        configuration={"groups": [], "resources": [], "networks": []},
        files=[
            {"path": p, "size": len(d), "sha256": hashlib.sha256(d).hexdigest()}
            for p, d in files.items()
        ],
        created=datetime.strptime(name[:16], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC),
    )
    (directory / "manifest.json").write_text(manifest_to_json(manifest), encoding="utf-8")
    (directory / "backup.complete").write_bytes(b"")
    return directory


def test_controller_sets_are_verified_against_their_manifest(tmp_path: Path) -> None:
    good = _write_set(tmp_path, "20261121T020304Z_clusterdb_e1s7")
    bad = _write_set(tmp_path, "20261122T020304Z_clusterdb_e1s8")
    (bad / "sub" / "00000001.CPT").write_bytes(b"checkpoinT")
    (tmp_path / "notes").mkdir()

    report = controller_backup_sets(str(tmp_path), cluster_name="clu01")
    statuses = {s["name"]: (s["status"], s["verified"]) for s in report["sets"]}
    assert statuses == {good.name: ("complete", True), bad.name: ("corrupt", True)}
    assert report["newest_complete"]["name"] == good.name
    assert report["newest_complete"]["path"] == str(good)
    assert report["other_directories"] == ["notes"]
    problems = next(s for s in report["sets"] if s["name"] == bad.name)["problems"]
    assert [p["file"] for p in problems] == ["sub/00000001.CPT"]


def test_a_missing_controller_folder_has_no_sets(tmp_path: Path) -> None:
    report = controller_backup_sets(str(tmp_path / "absent"))
    assert report["exists"] is False
    assert report["sets"] == []
    assert report["newest_complete"] is None


class TestTemporaryShare:
    """The temporary share is on the backup node: a loopback wbadmin target for route vss."""

    @pytest.mark.parametrize("route", ["vss", "auto"])
    def test_refused_without_the_opt_in(self, route: str) -> None:
        decision = temporary_share(True, route)
        assert decision["refused"] is True
        assert "backup_loopback_target: true" in decision["msg"]
        assert "not documented" in decision["msg"]

    @pytest.mark.parametrize(
        ("enabled", "route", "opt_in"),
        [
            (True, "clusapi", False),
            (True, "vss", True),
            (True, "auto", "true"),
            (False, "vss", False),
        ],
    )
    def test_allowed(self, enabled: object, route: str, opt_in: object) -> None:
        assert temporary_share(enabled, route, opt_in) == {"refused": False, "msg": ""}


def test_the_lookup_reports_each_folder_and_hashes_only_when_asked(tmp_path: Path) -> None:
    good = _write_set(tmp_path, "20261121T020304Z_clusterdb_e1s7")
    lookup = lookup_loader.get("wsfc.clusterdb.controller_backup_sets")

    hashed, absent = lookup.run([str(tmp_path), str(tmp_path / "absent")], {})
    assert [(s["name"], s["status"], s["verified"]) for s in hashed["sets"]] == [
        (good.name, "complete", True)
    ]
    assert hashed["sets"][0]["path"] == str(good)
    assert absent["exists"] is False and absent["sets"] == []
    # Without hashing, a set is there and complete, but not verified.
    (unhashed,) = lookup.run([str(tmp_path)], {}, hash_files=False)
    assert [(s["status"], s["verified"]) for s in unhashed["sets"]] == [("complete", False)]


def test_the_lookup_refuses_a_file_for_a_folder(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(AnsibleLookupError, match="is a file, not a folder of backup sets"):
        lookup_loader.get("wsfc.clusterdb.controller_backup_sets").run([str(tmp_path / "file")], {})
