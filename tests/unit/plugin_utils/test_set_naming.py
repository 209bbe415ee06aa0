"""Set and staging directory names."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._paxos import (
    parse_paxos_tag,
    version_range,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._set_naming import (
    OTHER_KIND,
    SET_KIND,
    STAGING_KIND,
    STAGING_PREFIX,
    classify_directory,
    make_set_name,
    parse_set_name,
    parse_staging_name,
)

TAG = parse_paxos_tag("2:2:41")
# The documented sample after a ForceQuorum start (docs/windows-behaviour.md#paxos-tag).
STAMPED = parse_paxos_tag("2007/12/31-15`35`55.889_4:2007/12/31-15`35`55.889_4:294")
WHEN = datetime(2026, 11, 22, 2, 3, 4, 567000, tzinfo=UTC)


def test_name_shape() -> None:
    name = make_set_name(WHEN, TAG)
    assert name.name == "20261122T020304Z_clusterdb_e2s41"
    assert name.staging_name == STAGING_PREFIX + name.name
    assert name.holds_version(TAG)
    assert not name.holds_version(parse_paxos_tag("2:2:42"))
    assert name.holds_version(parse_paxos_tag("3:2:41"))  # NextEpoch is not in the version


def test_a_stamped_epoch_gives_a_file_name_safe_token() -> None:
    name = make_set_name(WHEN, STAMPED)
    assert name.name == "20261122T020304Z_clusterdb_e4-20071231T153555889s294"
    assert not set(name.name) & set('\\/:*?"<>|`')  # nothing Windows or PowerShell minds
    assert parse_set_name(name.name) == name
    assert name.holds_version(STAMPED)
    assert not name.holds_version(parse_paxos_tag("4:4:294"))  # the same number, no stamp
    assert not make_set_name(WHEN, parse_paxos_tag("4:4:294")).holds_version(STAMPED)
    other_time = "2008/01/01-00`00`00.000_4"
    assert not name.holds_version(parse_paxos_tag(f"{other_time}:{other_time}:294"))


def test_a_range_is_named_after_its_first_version() -> None:
    spanned = version_range(TAG, parse_paxos_tag("2:2:43"))
    name = make_set_name(WHEN, spanned)
    assert name.name == make_set_name(WHEN, TAG).name
    assert name.holds_version(spanned)


def test_local_time_is_converted_to_utc() -> None:
    local = WHEN.astimezone(timezone(timedelta(hours=-5)))
    assert make_set_name(local, TAG).name.startswith("20261122T020304Z")


def test_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        make_set_name(datetime(2026, 1, 1), TAG)


def test_round_trip() -> None:
    name = make_set_name(WHEN, TAG)
    parsed = parse_set_name(name.name)
    assert parsed == name
    assert parsed.created == WHEN.replace(microsecond=0)
    assert parse_staging_name(name.staging_name) == name


def test_a_taken_name_gets_a_counter_and_never_overwrites() -> None:
    first = make_set_name(WHEN, TAG)
    second = make_set_name(WHEN, TAG, [first.name])
    third = make_set_name(WHEN, TAG, [first.name.lower(), second.name])  # case ignored
    assert second.name == first.name + "_001"
    assert third.name == first.name + "_002"
    assert parse_set_name(third.name) == third
    assert first < second < third


def test_a_staging_directory_also_takes_the_name() -> None:
    first = make_set_name(WHEN, TAG)
    assert make_set_name(WHEN, TAG, [first.staging_name]).counter == 1


def test_names_sort_by_time() -> None:
    times = [WHEN + timedelta(seconds=s) for s in (3600 * 24 * 40, 0, 59, 3600)]
    names = [make_set_name(t, TAG).name for t in times]
    assert sorted(names) == [make_set_name(t, TAG).name for t in sorted(times)]


def test_parse_accepts_any_case_and_rejects_others() -> None:
    assert parse_set_name("20261122t020304z_CLUSTERDB_E2S41") is not None
    for name in [
        "20261322T020304Z_clusterdb_e2s41",  # month 13
        "20261122T020304Z_clusterdb_e2",
        "20261122T020304_clusterdb_e2s41",
        "backup_20261122T020304Z_clusterdb_e2s41",
        "20261122T020304Z_clusterdb_e2s41_1",
        "20261122T020304Z_clusterdb_e4-20071231T153555s294",  # stamp without milliseconds
        "20261122T020304Z_clusterdb_e4-20071331T153555889s294",  # month 13
        "20261122T020304Z_clusterdb_e4_20071231T153555889s294",
        "",
    ]:
        assert parse_set_name(name) is None, name


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("20261122T020304Z_clusterdb_e2s41", SET_KIND),
        ("unfinished_20261122T020304Z_clusterdb_e2s41", STAGING_KIND),
        ("UNFINISHED_20261122T020304Z_clusterdb_e2s41_003", STAGING_KIND),
        ("unfinished_whatever", OTHER_KIND),
        ("WindowsImageBackup", OTHER_KIND),
    ],
)
def test_classify(name: str, kind: str) -> None:
    assert classify_directory(name) == kind
