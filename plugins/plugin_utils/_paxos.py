# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The configuration version of a cluster database: the PaxosTag.

``HKLM\\Cluster\\PaxosTag`` is three colon-separated parts, ``NextEpoch:LastUpdateEpoch:
Sequence`` (docs/windows-behaviour.md#paxos-tag):

- ``3:3:276`` on a cluster never force-started nor authoritatively restored;
- ``2007/12/31-15`35`55.889_4:2007/12/31-15`35`55.889_4:294`` after a ForceQuorum start or
  an authoritative restore: each epoch is then a time stamp, an underscore and the number.

The sequence grows with every configuration change. Two copies hold the same configuration
version when their LastUpdateEpoch and Sequence agree; NextEpoch is parsed and kept but
plays no part in equality or order, because it can move without the configuration moving
(the source says the epoch numbers change every time the cluster forms).

What the sources leave open, and how this module decides it (each *unconfirmed*):
- the registry value's type. The parser takes text (REG_SZ), a one-element list (as
  REG_MULTI_SZ would read) and UTF-16LE or ASCII bytes (as REG_BINARY might);
- the time zone of the time stamp: it is kept as written, without a zone;
- the order of two epochs. Windows' comparer (``ResUtilLeftPaxosIsLessThanRight``) says
  that one tag is older but not by which rule. Here an epoch with a time stamp is newer
  than any plain one (the source calls a copy with the stamped form the golden copy, which
  the joining nodes take); two stamped epochs order by time stamp, then by number (the SDK's
  ``PaxosTagCStruct`` holds each epoch as a date-time and a value, in that order); two plain
  ones by number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

# The time stamp as the documented sample writes it: 2007/12/31-15`35`55.889.
_STAMP = (
    r"(?P<year>\d{4})/(?P<month>\d{2})/(?P<day>\d{2})"
    r"-(?P<hour>\d{2})`(?P<minute>\d{2})`(?P<second>\d{2})\.(?P<millisecond>\d{3})"
)
_EPOCH = re.compile(rf"^(?:{_STAMP}_)?(?P<value>\d+)$")
_SEQUENCE = re.compile(r"^\d+$")
PLAIN_SAMPLE = "3:3:276"
TIMESTAMPED_SAMPLE = "2007/12/31-15`35`55.889_4:2007/12/31-15`35`55.889_4:294"
_EXPECTED = (
    "expected NextEpoch:LastUpdateEpoch:Sequence, three parts separated by colons, "
    f"as in {PLAIN_SAMPLE} or, after a ForceQuorum start or an authoritative restore, "
    f"{TIMESTAMPED_SAMPLE}"
)


class PaxosTagError(ValueError):
    """A value that is not a PaxosTag."""


@dataclass(frozen=True)
class Epoch:
    """One epoch of a tag: a number, with the time stamp Windows writes before it after a
    ForceQuorum start or an authoritative restore (None for a plain epoch)."""

    value: int
    stamp: datetime | None = None

    @property
    def text(self) -> str:
        """The epoch as Windows writes it."""
        if self.stamp is None:
            return str(self.value)
        stamp = self.stamp
        return f"{stamp:%Y/%m/%d-%H`%M`%S}.{stamp.microsecond // 1000:03d}_{self.value}"

    @property
    def order_key(self) -> tuple[bool, datetime, int]:
        # *Unconfirmed* (module docstring): stamped after plain, then stamp, then number.
        return (self.stamp is not None, self.stamp or datetime.min, self.value)

    @property
    def stamp_text(self) -> str | None:
        """The time stamp in ISO 8601 form without a zone (none is written), or None."""
        if self.stamp is None:
            return None
        return self.stamp.isoformat(timespec="milliseconds")


class PaxosTag:
    """A parsed PaxosTag: ``raw`` as read, ``next_epoch``, ``epoch`` (LastUpdateEpoch) and
    ``sequence``. Equal and ordered by configuration version, (epoch, sequence)."""

    __slots__ = ("epoch", "next_epoch", "raw", "sequence")

    def __init__(self, raw: str, next_epoch: Epoch, epoch: Epoch, sequence: int) -> None:
        object.__setattr__(self, "raw", raw)
        object.__setattr__(self, "next_epoch", next_epoch)
        object.__setattr__(self, "epoch", epoch)
        object.__setattr__(self, "sequence", sequence)

    raw: str
    next_epoch: Epoch
    epoch: Epoch
    sequence: int

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a PaxosTag is immutable ({name})")

    def __reduce__(self) -> tuple[type, tuple]:
        # copy, deepcopy and pickle rebuild through __init__ (the slots are read-only).
        return (PaxosTag, (self.raw, self.next_epoch, self.epoch, self.sequence))

    @property
    def key(self) -> tuple[tuple[bool, datetime, int], int]:
        """What identifies and orders the configuration version."""
        return (self.epoch.order_key, self.sequence)

    def span(self) -> tuple[tuple, tuple]:
        """The first and last configuration version this value stands for (one here)."""
        return (self.key, self.key)

    @property
    def first(self) -> PaxosTag:
        return self

    @property
    def last(self) -> PaxosTag:
        return self

    @property
    def moved(self) -> bool:
        """Whether the value spans more than one configuration version."""
        return False

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PaxosTag):
            return NotImplemented
        return self.span() == other.span()

    def __hash__(self) -> int:
        return hash(self.span())

    # Ordered by the first version; a range that moved equals no single tag (VersionRange).
    def __lt__(self, other: object) -> bool:
        if not isinstance(other, PaxosTag):
            return NotImplemented
        return self.key < other.key

    def __le__(self, other: object) -> bool:
        if not isinstance(other, PaxosTag):
            return NotImplemented
        return self.key <= other.key

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, PaxosTag):
            return NotImplemented
        return self.key > other.key

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, PaxosTag):
            return NotImplemented
        return self.key >= other.key

    def __repr__(self) -> str:
        return f"PaxosTag({self.raw!r})"

    @property
    def version(self) -> str:
        """``<LastUpdateEpoch>:<Sequence>`` as written: the configuration version."""
        return f"{self.epoch.text}:{self.sequence}"

    def tag_facts(self) -> dict[str, object]:
        """This tag's parts as plain data (JSON-safe)."""
        return {
            "paxos_tag": self.raw,
            "next_epoch": self.next_epoch.value,
            "next_epoch_time": self.next_epoch.stamp_text,
            "epoch": self.epoch.value,
            "epoch_time": self.epoch.stamp_text,
            "sequence": self.sequence,
        }

    def as_facts(self) -> dict[str, object]:
        """The form the modules return: the raw tag with its parsed parts."""
        return self.tag_facts()


class VersionRange(PaxosTag):
    """The configuration versions a backup spans: the tag read before it (this object's
    own parts) and ``after``, the newer tag read once it was done.

    A backup is not instantaneous (how long a system state backup takes is not documented)
    and the sequence moves with every change, so the configuration can change while it
    runs; the set then holds one of the versions between the two, which one is not known.
    So a range that moved equals no single tag: no decision may take such a set for one
    holding a given version. It orders as its first version (the oldest the set may hold).
    """

    __slots__ = ("after",)

    def __init__(self, before: PaxosTag, after: PaxosTag) -> None:
        if after < before:
            raise PaxosTagError(
                f"the tag read after ({after.raw!r}) is older than the one read before "
                f"({before.raw!r})"
            )
        super().__init__(before.raw, before.next_epoch, before.epoch, before.sequence)
        object.__setattr__(self, "after", after.last)

    after: PaxosTag

    def span(self) -> tuple[tuple, tuple]:
        return (self.key, self.after.key)

    @property
    def first(self) -> PaxosTag:
        return PaxosTag(self.raw, self.next_epoch, self.epoch, self.sequence)

    @property
    def last(self) -> PaxosTag:
        return self.after

    @property
    def moved(self) -> bool:
        return self.after.key != self.key

    def __reduce__(self) -> tuple[type, tuple]:
        return (VersionRange, (self.first, self.after))

    def __repr__(self) -> str:
        return f"VersionRange({self.raw!r}, {self.after.raw!r})"

    @property
    def version(self) -> str:
        if not self.moved:
            return super().version
        return f"{super().version} to {self.after.version}"

    def as_facts(self) -> dict[str, object]:
        facts = self.tag_facts()
        if self.moved:
            facts["paxos_tag_after"] = self.after.raw
        return facts


def version_range(before: PaxosTag, after: PaxosTag) -> PaxosTag:
    """``before`` itself when ``after`` holds the same version, else the range of both;
    PaxosTagError when ``after`` is older."""
    if after.key == before.key:
        return before.first
    return VersionRange(before, after)


def parse_paxos_tag(value: object) -> PaxosTag:
    """Parse a PaxosTag as read from the registry; raise PaxosTagError if it is not one."""
    text = _as_text(value).strip()
    parts = text.split(":")
    if len(parts) == 2:
        raise PaxosTagError(
            f"{text!r} is not a PaxosTag: it has two parts and Windows writes three, {_EXPECTED}."
        )
    if len(parts) != 3 or not _SEQUENCE.match(parts[2]):
        raise PaxosTagError(f"{text!r} is not a PaxosTag: {_EXPECTED}.")
    next_epoch = _parse_epoch(parts[0], text)
    epoch = _parse_epoch(parts[1], text)
    return PaxosTag(raw=text, next_epoch=next_epoch, epoch=epoch, sequence=int(parts[2]))


def parse_version_facts(facts: object) -> PaxosTag | None:
    """A configuration version from its facts (``as_facts``): a range when they carry
    ``paxos_tag_after``; None when there is no readable tag."""
    if not isinstance(facts, dict) or not facts.get("paxos_tag"):
        return None
    try:
        tag = parse_paxos_tag(facts["paxos_tag"])
        after = facts.get("paxos_tag_after")
        return version_range(tag, parse_paxos_tag(after)) if after else tag
    except PaxosTagError:
        return None


def _parse_epoch(text: str, whole: str) -> Epoch:
    match = _EPOCH.match(text)
    if not match:
        raise PaxosTagError(
            f"{whole!r} is not a PaxosTag: the epoch {text!r} is not a number (or a time "
            f"stamp, an underscore and a number); {_EXPECTED}."
        )
    if match.group("year") is None:
        return Epoch(int(match.group("value")))
    try:
        stamp = datetime(
            int(match.group("year")),
            int(match.group("month")),
            int(match.group("day")),
            int(match.group("hour")),
            int(match.group("minute")),
            int(match.group("second")),
            int(match.group("millisecond")) * 1000,
        )
    except ValueError as err:
        raise PaxosTagError(
            f"{whole!r} is not a PaxosTag: the time stamp in {text!r} is not a date and time "
            f"({err})."
        ) from err
    return Epoch(int(match.group("value")), stamp)


def _as_text(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)) and len(value) == 1 and isinstance(value[0], str):
        return value[0]
    if isinstance(value, (bytes, bytearray)):
        raw = bytes(value)
        # UTF-16LE text (REG_SZ read as bytes) has a NUL after each ASCII character.
        text = (
            raw.decode("utf-16-le", errors="replace")
            if b"\x00" in raw
            else raw.decode("ascii", errors="replace")
        )
        return text.rstrip("\x00")
    raise PaxosTagError(f"{value!r} is not a PaxosTag: {_EXPECTED}.")
