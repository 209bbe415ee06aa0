"""Retention: what is deleted at a destination, and why."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._manifest import (
    COMPLETE,
    CORRUPT,
    INCOMPLETE,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._paxos import parse_paxos_tag
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._refusal import PolicyRefusal
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._retention import (
    DELETE,
    KEEP,
    SetAtDestination,
    plan_retention,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._set_naming import make_set_name

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def a_set(days_ago: float, status: str = COMPLETE, *, verified: bool = True, n: int = 0):
    created = NOW - timedelta(days=days_ago)
    name = make_set_name(created, parse_paxos_tag(f"1:1:{n or abs(int(days_ago * 10))}")).name
    return SetAtDestination(name, created, status, verified)


def staging(days_ago: float) -> SetAtDestination:
    created = NOW - timedelta(days=days_ago)
    name = make_set_name(created, parse_paxos_tag("9:9:9")).staging_name
    return SetAtDestination(name, created, INCOMPLETE)


def plan(entries, keep: int = 2, leftover_age: timedelta = DAY):
    return plan_retention(entries, keep=keep, leftover_age=leftover_age, now=NOW)


def named(result, action: str) -> tuple[str, ...]:
    """The names of the sets the plan gives that action, in the plan's order."""
    return tuple(d.name for d in result.decisions if d.action == action)


def decision(result, entry: SetAtDestination):
    (found,) = [d for d in result.decisions if d.name == entry.name]
    return found


def test_keeps_the_newest_n_complete_sets_and_deletes_older_ones() -> None:
    sets = [a_set(d) for d in (5, 1, 3, 2, 4)]
    result = plan(sets, keep=2)
    newest, second = sets[1], sets[3]
    assert set(named(result, KEEP)) == {newest.name, second.name}
    assert set(named(result, DELETE)) == {sets[0].name, sets[2].name, sets[4].name}
    assert decision(result, newest).reason == "the newest complete set"
    assert decision(result, second).reason == "one of the 2 newest complete sets"
    assert decision(result, sets[0]).reason == "older than the 2 newest complete sets"


def test_decisions_follow_the_input_order() -> None:
    sets = [a_set(d) for d in (5, 1, 3)]
    assert [d.name for d in plan(sets).decisions] == [s.name for s in sets]


def test_fewer_sets_than_keep_deletes_nothing() -> None:
    assert named(plan([a_set(10)], keep=5), DELETE) == ()


def test_the_last_complete_set_survives_even_when_very_old() -> None:
    only = a_set(400)
    result = plan([only, a_set(0.1, INCOMPLETE), staging(3)], keep=1)
    assert only.name in named(result, KEEP)


@pytest.mark.parametrize("keep", [0, -1, True, 1.5])
def test_keep_below_one_is_refused(keep) -> None:
    with pytest.raises(PolicyRefusal, match="keep"):
        plan([a_set(1)], keep=keep)


def test_negative_leftover_age_is_refused() -> None:
    with pytest.raises(PolicyRefusal, match="negative"):
        plan([], leftover_age=-DAY)


def test_old_leftovers_are_deleted_young_ones_kept() -> None:
    old_staging, young_staging = staging(2), staging(0.5)
    old_incomplete, young_incomplete = a_set(3, INCOMPLETE), a_set(0.2, INCOMPLETE)
    result = plan([a_set(1), old_staging, young_staging, old_incomplete, young_incomplete])
    assert set(named(result, DELETE)) == {old_staging.name, old_incomplete.name}
    assert "interrupted backup" in decision(result, old_staging).reason
    assert "may still be writing it" in decision(result, young_staging).reason
    assert decision(result, young_incomplete).action == KEEP


def test_leftover_exactly_at_the_threshold_is_kept() -> None:
    assert named(plan([staging(1)], leftover_age=DAY), DELETE) == ()


def test_a_set_with_a_future_time_counts_as_new() -> None:
    future = a_set(-1, INCOMPLETE)
    assert decision(plan([future]), future).action == KEEP


def test_corrupt_sets_are_kept_and_do_not_count_towards_keep() -> None:
    corrupt = a_set(0.5, CORRUPT)
    older = [a_set(d) for d in (1, 2, 3)]
    result = plan([corrupt, *older], keep=2)
    assert decision(result, corrupt).action == KEEP
    assert "corrupt" in decision(result, corrupt).reason
    assert named(result, DELETE) == (older[2].name,)


def test_newest_verified_set_is_kept_beyond_keep_when_newer_ones_are_unverified() -> None:
    unverified = [a_set(d, verified=False) for d in (1, 2)]
    verified_old, older = a_set(3), a_set(4)
    result = plan([*unverified, verified_old, older], keep=2)
    assert decision(result, verified_old).action == KEEP
    assert "verified" in decision(result, verified_old).reason
    assert named(result, DELETE) == (older.name,)


def test_directories_of_others_are_never_touched() -> None:
    foreign = SetAtDestination("WindowsImageBackup", NOW - 100 * DAY, INCOMPLETE)
    result = plan([foreign, a_set(1)])
    assert decision(result, foreign).action == KEEP
    assert "never touched" in decision(result, foreign).reason


def test_same_time_ties_break_by_name() -> None:
    first = a_set(1, n=5)
    second = SetAtDestination(first.name + "_001", first.created, COMPLETE, True)
    result = plan([first, second], keep=1)
    assert named(result, KEEP) == (second.name,)
    assert named(result, DELETE) == (first.name,)


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        plan([SetAtDestination(a_set(1).name, datetime(2026, 1, 1), COMPLETE)])


def test_unknown_status_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown status"):
        plan([SetAtDestination(a_set(1).name, NOW, "fine")])


def test_as_result() -> None:
    old, new = a_set(3), a_set(1)
    result = plan([old, new], keep=1).as_result()
    assert result[0] == {"name": old.name, "action": DELETE, "reason": result[0]["reason"]}
    assert result[1]["action"] == KEEP and result[1]["reason"] == "the newest complete set"
