# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which directories at a backup destination retention deletes, each decision with its reason.

Rules, in order:
- a directory whose name is not a set or staging name of this collection is never touched;
- the ``keep`` newest complete sets are kept, and so is the newest complete set whose
  hashes were verified, so retention never deletes the last good set; older complete sets
  are deleted;
- leftovers of interrupted backups (staging directories, sets without their marker or
  manifest) are deleted once older than ``leftover_age``; younger ones may belong to a
  backup that is still running and are kept;
- corrupt sets are kept and reported: they cannot be restored, but they are evidence of a
  storage problem, so only the operator deletes them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._manifest import (
    COMPLETE,
    CORRUPT,
    INCOMPLETE,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._refusal import PolicyRefusal
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._set_naming import (
    OTHER_KIND,
    STAGING_KIND,
    classify_directory,
)

KEEP = "keep"
DELETE = "delete"


@dataclass(frozen=True)
class SetAtDestination:
    """A directory at the destination.

    ``status`` is the verification outcome (complete, incomplete, corrupt; ignored for a
    staging directory); ``verified`` whether its hashes were checked; ``created`` when it
    was made (timezone-aware: from the set name, or the directory's time for staging).
    """

    name: str
    created: datetime
    status: str
    verified: bool = False


@dataclass(frozen=True)
class RetentionDecision:
    name: str
    action: str
    reason: str


@dataclass(frozen=True)
class RetentionPlan:
    decisions: tuple[RetentionDecision, ...]

    def as_result(self) -> list[dict[str, str]]:
        return [{"name": d.name, "action": d.action, "reason": d.reason} for d in self.decisions]


def plan_retention(
    entries: Iterable[SetAtDestination],
    *,
    keep: int,
    leftover_age: timedelta,
    now: datetime,
) -> RetentionPlan:
    """Decide, for every directory at the destination, whether retention deletes it."""
    if isinstance(keep, bool) or not isinstance(keep, int) or keep < 1:
        raise PolicyRefusal(
            f"retention keep={keep!r} would allow deleting every complete set.",
            "Set keep to 1 or more (the number of complete sets to keep).",
        )
    if leftover_age < timedelta(0):
        raise PolicyRefusal(
            f"retention leftover_age {leftover_age} is negative.",
            "Give the age after which leftovers of interrupted backups are removed.",
        )
    entries = list(entries)
    for entry in entries:
        _check_aware(entry.created, entry.name)
    _check_aware(now, "now")

    decisions: dict[str, RetentionDecision] = {}
    complete: list[SetAtDestination] = []
    for entry in entries:
        kind = classify_directory(entry.name)
        if kind == OTHER_KIND:
            decisions[entry.name] = RetentionDecision(
                entry.name, KEEP, "not a backup set of this collection: never touched"
            )
        elif kind == STAGING_KIND:
            decisions[entry.name] = _leftover(entry, now, leftover_age, "staging directory")
        elif entry.status == COMPLETE:
            complete.append(entry)
        elif entry.status == CORRUPT:
            decisions[entry.name] = RetentionDecision(
                entry.name,
                KEEP,
                "corrupt: cannot be restored, kept as evidence; delete it once the cause is "
                "understood",
            )
        elif entry.status == INCOMPLETE:
            decisions[entry.name] = _leftover(entry, now, leftover_age, "incomplete set")
        else:
            raise ValueError(f"{entry.name}: unknown status {entry.status!r}")

    complete.sort(key=lambda e: (e.created, e.name), reverse=True)
    newest_verified = next((e for e in complete if e.verified), None)
    for position, entry in enumerate(complete):
        if position < keep:
            reason = f"one of the {keep} newest complete sets"
            if position == 0:
                reason = "the newest complete set"
            decisions[entry.name] = RetentionDecision(entry.name, KEEP, reason)
        elif entry is newest_verified:
            decisions[entry.name] = RetentionDecision(
                entry.name,
                KEEP,
                "the newest complete set whose hashes were verified (the newer ones were "
                "not verified)",
            )
        else:
            decisions[entry.name] = RetentionDecision(
                entry.name, DELETE, f"older than the {keep} newest complete sets"
            )
    return RetentionPlan(tuple(decisions[e.name] for e in entries))


def _leftover(
    entry: SetAtDestination, now: datetime, leftover_age: timedelta, what: str
) -> RetentionDecision:
    age = now - entry.created
    if age > leftover_age:
        return RetentionDecision(
            entry.name,
            DELETE,
            f"{what} left by an interrupted backup, older than {leftover_age}",
        )
    return RetentionDecision(
        entry.name,
        KEEP,
        f"{what} younger than {leftover_age}: a backup may still be writing it",
    )


def _check_aware(moment: datetime, what: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what}: times must be timezone-aware")
