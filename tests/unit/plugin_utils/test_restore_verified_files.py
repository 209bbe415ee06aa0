"""The restore's second listing of a set compared with the check's hashed one
(plugin_utils._restore_decisions.with_verified_hashes): the set is hashed once per restore."""

from __future__ import annotations

import typing as t

import pytest
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._restore_decisions import (
    RestoreBlocked,
    check_set_path,
    set_changes_since,
    with_verified_hashes,
)

SET_PATH = "\\\\FS01\\clusterbackups\\CLU01\\wsfc-e4-20261201T101500000s7-NODE1"
WHEN = "2026-12-01T10:15:03.1234560Z"
LATER = "2026-12-01T10:17:44.0000000Z"


def entry(path: str, size: int = 10, when: str = WHEN, sha256: str | None = None) -> dict:
    return {"path": path, "size": size, "last_write_utc": when, "sha256": sha256}


VERIFIED = [
    entry("backup.complete", 0, sha256="e3" * 32),
    entry("manifest.json", 900, sha256="a1" * 32),
    entry("WindowsImageBackup\\NODE1\\data.vhdx", 4096, sha256="b2" * 32),
]


def unhashed(files: list[dict]) -> list[dict]:
    return [dict(f, sha256=None) for f in files]


def inspect_of(files: list[dict]) -> dict[str, t.Any]:
    return {"node_name": "NODE1", "set": {"name": "x", "marker_present": True, "files": files}}


def test_an_unchanged_set_takes_the_verified_hashes() -> None:
    result = with_verified_hashes(
        inspect_of(unhashed(VERIFIED)), VERIFIED, check_set_path(SET_PATH)
    )
    assert [f["sha256"] for f in result["set"]["files"]] == [f["sha256"] for f in VERIFIED]
    assert result["set"]["marker_present"] is True


@pytest.mark.parametrize(
    ("listed", "phrase"),
    [
        (unhashed(VERIFIED[:2]), "WindowsImageBackup\\NODE1\\data.vhdx was removed"),
        ([*unhashed(VERIFIED), entry("planted.ps1")], "planted.ps1 was added"),
        (
            [*unhashed(VERIFIED[:2]), entry(VERIFIED[2]["path"], 4096, LATER)],
            "data.vhdx was rewritten",
        ),
        ([*unhashed(VERIFIED[:2]), entry(VERIFIED[2]["path"], 4097)], "data.vhdx was rewritten"),
    ],
    ids=["removed", "added", "same size, later write", "other size"],
)
def test_a_set_that_changed_since_it_was_verified_is_refused_as_corrupt(
    listed: list[dict], phrase: str
) -> None:
    with pytest.raises(RestoreBlocked) as blocked:
        with_verified_hashes(inspect_of(listed), VERIFIED, check_set_path(SET_PATH))
    assert blocked.value.error_code == 5087
    assert phrase in blocked.value.message
    assert "changed since it was verified" in blocked.value.message
    assert "run the restore again" in blocked.value.message


def test_a_verified_listing_without_hashes_is_not_taken_as_verified() -> None:
    verified = [dict(VERIFIED[0]), dict(VERIFIED[1], sha256=None)]
    with pytest.raises(RestoreBlocked, match=r"no SHA-256 for manifest\.json"):
        with_verified_hashes(inspect_of(unhashed(verified)), verified, check_set_path(SET_PATH))


def test_no_set_listed_is_left_to_the_usual_checks() -> None:
    inspect = {"node_name": "NODE1", "set": None}
    assert with_verified_hashes(inspect, VERIFIED, check_set_path(SET_PATH)) is inspect


def test_the_changes_are_named_in_a_stable_order() -> None:
    listed = [entry("b"), entry("d", 11)]
    verified = [entry("a"), entry("c"), entry("d")]
    assert set_changes_since(listed, verified) == [
        "b was added", "a was removed", "c was removed", "d was rewritten",
    ]  # fmt: skip
