"""What the restore removes of earlier safety backups: the leftovers (staging directories,
sets without their completion marker) in the safety backup's folder older than
restore_leftover_age, as the safety backup's own listing shows them; never a complete set,
a corrupt one, or a directory that is not this collection's."""

from __future__ import annotations

import typing as t
from datetime import UTC, datetime

import pytest
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._restore_procedure import (
    plan,
    record_step,
    safety_leftovers,
    summary,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._role_options import (
    check_role_options,
    load_role_spec,
)

from .test_restore_procedure import check, facts
from .test_restore_procedure import preflight as found

NOW = datetime(2026, 11, 22, 12, 0, 0, tzinfo=UTC)
FOLDER = "\\\\fs01\\b\\CLU01\\pre_restore"
OLD = "20261119T020304Z_clusterdb_e2s41"  # three days before NOW
OLDER = "20261118T020304Z_clusterdb_e2s40"
YOUNG = "20261122T110000Z_clusterdb_e2s41"  # an hour before NOW
MANIFEST = '{"not": "read"}'


def listed(name: str, *, marker: bool = False, manifest: str | None = None) -> dict[str, t.Any]:
    return {"name": name, "marker_present": marker, "manifest_text": manifest, "files": None}


LISTING = [
    listed("unfinished_" + OLD),  # a safety backup interrupted three days ago
    listed("unfinished_" + YOUNG),  # one that may still be running
    listed(OLDER),  # a set without its marker, nor its manifest
    listed(OLD, marker=True, manifest=MANIFEST),  # a complete safety set
    listed("20261117T020304Z_clusterdb_e2s39", marker=True),  # marker, no manifest
    listed("20261116T020304Z_clusterdb_e2s38", manifest="not json"),  # corrupt, no marker
    listed("unfinished_notes"),  # not a staging name of this collection
    listed("notes"),
]


def backed_up(sets: list[dict[str, t.Any]] | None = None, **overrides: t.Any) -> dict[str, t.Any]:
    """The safety backup's cluster_backup result, with its inspect listing of the folder
    (LISTING unless ``sets``)."""
    result = {
        "changed": True,
        "backup_path": FOLDER,
        "set_path": FOLDER + "\\20261122T115900Z_clusterdb_e2s57",
        "phase_results": {"inspect": {"sets": LISTING if sets is None else sets}},
    }
    result.update(overrides)
    return result


def test_only_old_staging_directories_and_sets_without_marker_are_removed():
    removed = safety_leftovers(backed_up(), "1d", NOW)
    assert [(r["name"], r["path"]) for r in removed] == [
        ("unfinished_" + OLD, f"{FOLDER}\\unfinished_{OLD}"),
        (OLDER, f"{FOLDER}\\{OLDER}"),
    ]
    assert removed[0]["reason"] == (
        "the staging folder of a safety backup that did not finish, older than 1d "
        "(restore_leftover_age)"
    )
    assert removed[1]["reason"] == (
        "a set without its completion marker, older than 1d (restore_leftover_age)"
    )
    # With a longer age the three-day-old ones are young enough to keep.
    assert safety_leftovers(backed_up(), "1w", NOW) == []


def test_a_listing_without_leftovers_or_without_a_folder_removes_nothing():
    complete = [listed(OLD, marker=True, manifest=MANIFEST), listed("notes")]
    assert safety_leftovers(backed_up(complete), "0", NOW) == []
    assert safety_leftovers(backed_up(backup_path=None), "0", NOW) == []
    assert safety_leftovers({"changed": True}, "0", NOW) == []


def restore_data(**options: t.Any) -> dict[str, t.Any]:
    return plan(found(facts()), check(), force=True, **options)


def test_the_safety_backups_record_names_the_leftovers_with_the_plans_age():
    data = restore_data(leftover_age="2d")
    record = record_step(
        {"NODE1": backed_up()}, data, "safety_backup", finished="2026-11-22T12:00:00+00:00"
    )
    assert [r["name"] for r in record["leftovers"]] == ["unfinished_" + OLD, OLDER]
    assert "older than 2d (restore_leftover_age)" in record["leftovers"][0]["reason"]
    # A safety backup that failed wrote nothing and lists no leftovers to remove.
    failed = backed_up(failed=True, msg="Access is denied.")
    assert record_step({"NODE1": failed}, data, "safety_backup")["leftovers"] == []
    assert record_step({"NODE2": {"changed": True}}, data, "stop")["leftovers"] == []


def test_a_bad_leftover_age_refuses_the_restore_before_anything_changes():
    refused = restore_data(leftover_age="soon")
    assert refused["steps"] == []
    assert "restore_leftover_age 'soon' is not a duration" in refused["message"]
    problems = check_role_options(load_role_spec("restore"), {"restore_leftover_age": "soon"})
    assert [p.option for p in problems] == ["restore_leftover_age"]


@pytest.mark.parametrize("check_mode", [False, True])
def test_the_report_names_what_was_removed_and_what_could_not_be(check_mode: bool):
    data = restore_data()
    record = record_step(
        {"NODE1": backed_up()}, data, "safety_backup", finished="2026-11-22T12:00:00+00:00"
    )
    first, second = (r["path"] for r in record["leftovers"])
    removal = {
        "changed": True,
        "results": [
            {"item": {"path": first}, "changed": True},
            {"item": {"path": second}, "failed": True, "msg": "Access is denied."},
        ],
    }
    report = summary(data, [record], None, removal, check_mode=check_mode)
    heading = "that would be removed:" if check_mode else "removed:"
    assert f"Leftovers of earlier safety backups {heading}" in report["lines"]
    assert any(line.strip().startswith(first + " (the staging folder") for line in report["lines"])
    assert any(
        f"{second} could not be removed: Access is denied." in line for line in report["lines"]
    )
    assert report["leftovers"] == {"removed": [first], "failed": [second], "kept": []}
    # The run stopped before the removal: nothing is claimed removed.
    stopped = summary(data, [record])
    assert stopped["leftovers"] == {"removed": [], "failed": [], "kept": [first, second]}
    named = [line for line in stopped["lines"] if line.startswith("  " + FOLDER)]
    assert len(named) == 2 and all("not removed, the run stopped before" in n for n in named)
