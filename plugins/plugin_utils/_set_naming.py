# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Names of backup set directories, and of the staging directories a backup writes first.

A set is named ``<UTC time>_clusterdb_<version>``, for example
``20261122T020304Z_clusterdb_e3s276``:
- the UTC time comes first, fixed width, so names sort by time and the greatest name is the
  newest set (docs/internals.md relies on this);
- the configuration version (the PaxosTag's LastUpdateEpoch and Sequence) is in the name, so
  an operator sees what a set holds: ``e<epoch>s<sequence>``, the epoch's time stamp added
  as ``-<YYYYMMDD>T<HHMMSS><milliseconds>`` when Windows wrote one (after a ForceQuorum start
  or an authoritative restore; docs/windows-behaviour.md#paxos-tag), because the stamp's
  slashes and backquotes have no place in a directory name: ``e4-20071231T153555889s294``
  for ``2007/12/31-15`35`55.889_4:294``. A backup during which the configuration changed is
  named after the version read when it began;
- a name already taken at the destination gets a counter (``_001``, ``_002``...), so a
  later backup never writes into an earlier set.

A backup writes into ``unfinished_<set name>`` and renames it only once the manifest and the
completion marker are written; a directory with that prefix is the leftover of a backup
that did not finish.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._paxos import PaxosTag

STAGING_PREFIX = "unfinished_"
SET_KIND = "set"
STAGING_KIND = "staging"
OTHER_KIND = "other"

_TIME_FORMAT = "%Y%m%dT%H%M%SZ"
_SET_NAME = re.compile(
    r"^(?P<time>\d{8}T\d{6}Z)_clusterdb_e(?P<epoch>\d+)(?:-(?P<stamp>\d{8}T\d{9}))?"
    r"s(?P<sequence>\d+)(?:_(?P<counter>\d{3}))?$",
    re.IGNORECASE,
)
_STAMP_FORMAT = "%Y%m%dT%H%M%S"
_MAX_COUNTER = 999


@dataclass(frozen=True, order=True)
class SetName:
    """A parsed set name. Orders by time first (then by the fields below, in order).

    ``epoch_stamp`` is the epoch's time stamp as the name writes it (``20071231T153555889``),
    empty for a plain epoch.
    """

    created: datetime
    epoch: int
    sequence: int
    counter: int = 0
    epoch_stamp: str = ""

    @property
    def version_token(self) -> str:
        stamp = f"-{self.epoch_stamp}" if self.epoch_stamp else ""
        return f"e{self.epoch}{stamp}s{self.sequence}"

    @property
    def name(self) -> str:
        base = (
            f"{self.created.astimezone(UTC).strftime(_TIME_FORMAT)}_clusterdb_{self.version_token}"
        )
        return f"{base}_{self.counter:03d}" if self.counter else base

    @property
    def staging_name(self) -> str:
        return STAGING_PREFIX + self.name

    def holds_version(self, tag: PaxosTag) -> bool:
        """Whether the set's name carries this configuration version (a range's first)."""
        first = tag.first
        return (self.epoch, self.epoch_stamp.upper(), self.sequence) == (
            first.epoch.value,
            _stamp_token(first),
            first.sequence,
        )


def _stamp_token(tag: PaxosTag) -> str:
    stamp = tag.epoch.stamp
    if stamp is None:
        return ""
    return f"{stamp.strftime(_STAMP_FORMAT)}{stamp.microsecond // 1000:03d}"


def make_set_name(created: datetime, tag: PaxosTag, existing: Iterable[str] = ()) -> SetName:
    """The name for a new set taken at ``created`` (timezone-aware) of version ``tag``.

    ``existing`` are the directory names already at the destination (sets and staging
    directories); the result differs from each of them, compared as Windows does (ignoring
    case). A range (the configuration changed during the backup) is named after its first
    version.
    """
    if created.tzinfo is None or created.utcoffset() is None:
        raise ValueError("created must be timezone-aware (set names are in UTC)")
    created = created.astimezone(UTC).replace(microsecond=0)
    taken = {name.casefold() for name in existing}
    first = tag.first
    for counter in range(_MAX_COUNTER + 1):
        candidate = SetName(
            created, first.epoch.value, first.sequence, counter, _stamp_token(first)
        )
        if (
            candidate.name.casefold() not in taken
            and candidate.staging_name.casefold() not in taken
        ):
            return candidate
    raise ValueError(f"more than {_MAX_COUNTER} sets named for the same second and version")


def parse_set_name(name: str) -> SetName | None:
    """The parsed name of a set directory, or None when ``name`` is not one."""
    match = _SET_NAME.match(name)
    if not match:
        return None
    stamp = (match.group("stamp") or "").upper()
    try:
        created = datetime.strptime(match.group("time").upper(), _TIME_FORMAT)
        if stamp:
            datetime.strptime(stamp[:-3], _STAMP_FORMAT)
    except ValueError:
        return None
    return SetName(
        created=created.replace(tzinfo=UTC),
        epoch=int(match.group("epoch")),
        sequence=int(match.group("sequence")),
        counter=int(match.group("counter") or 0),
        epoch_stamp=stamp,
    )


def parse_staging_name(name: str) -> SetName | None:
    """The set a staging directory was meant to become, or None when it is not one."""
    if not name.casefold().startswith(STAGING_PREFIX):
        return None
    return parse_set_name(name[len(STAGING_PREFIX) :])


def classify_directory(name: str) -> str:
    """``set``, ``staging`` (an unfinished backup) or ``other`` (not ours: never touched)."""
    if parse_set_name(name) is not None:
        return SET_KIND
    if parse_staging_name(name) is not None:
        return STAGING_KIND
    return OTHER_KIND
