"""The configuration version of a cluster database copy: the PaxosTag.

docs/windows-behaviour.md#paxos-tag: `HKLM\\Cluster\\PaxosTag` is three colon-separated parts,
NextEpoch:LastUpdateEpoch:Sequence. A cluster never force-started nor authoritatively
restored writes plain numbers (`3:3:276`); a ForceQuorum start or an authoritative restore
moves to an epoch written with a time stamp (`2007/12/31-15`35`55.889_4`, in both epochs).
The sequence grows with every configuration change.

What the lab does where the sources are silent (each *unconfirmed*):
- a new cluster starts at `1:1:1`;
- a forced or restored copy takes an epoch numbered one above every epoch any copy holds,
  stamped with the lab's clock in UTC (the zone Windows uses is not documented), and its
  sequence moves on by one;
- NextEpoch changes only with that new epoch: the source says the epoch numbers change every
  time the cluster forms, but not which of the two nor how, so the lab leaves them alone;
- order, as plugins/plugin_utils/_paxos.py decides it (the lab keeps its own copy, it must
  not import the collection): by LastUpdateEpoch, then Sequence; a stamped epoch is newer
  than any plain one, two stamped ones order by stamp then number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

_STAMP = r"\d{4}/\d{2}/\d{2}-\d{2}`\d{2}`\d{2}\.\d{3}"
_EPOCH = re.compile(rf"^(?:(?P<stamp>{_STAMP})_)?(?P<value>\d+)$")
_SEQUENCE = re.compile(r"^\d+$")


def stamp_now() -> str:
    """The lab's clock (UTC) as Windows writes an epoch's time stamp."""
    now = datetime.now(UTC)
    return f"{now:%Y/%m/%d-%H`%M`%S}.{now.microsecond // 1000:03d}"


@dataclass(frozen=True)
class Epoch:
    value: int
    stamp: str | None = None  # as written, e.g. 2007/12/31-15`35`55.889

    @classmethod
    def parse(cls, text: str) -> Epoch:
        match = _EPOCH.match(text)
        if not match:
            raise ValueError(f"not an epoch (<n> or <time stamp>_<n>): {text!r}")
        return cls(int(match["value"]), match["stamp"])

    def __str__(self) -> str:
        return f"{self.stamp}_{self.value}" if self.stamp else str(self.value)

    @property
    def key(self) -> tuple[bool, str, int]:
        # The stamp's fixed-width text sorts as its time.
        return (self.stamp is not None, self.stamp or "", self.value)


@dataclass(frozen=True)
class PaxosTag:
    next_epoch: Epoch
    epoch: Epoch  # LastUpdateEpoch
    sequence: int

    @classmethod
    def parse(cls, text: str) -> PaxosTag:
        parts = text.strip().split(":")
        if len(parts) != 3 or not _SEQUENCE.match(parts[2]):
            raise ValueError(f"not a PaxosTag (NextEpoch:LastUpdateEpoch:Sequence): {text!r}")
        return cls(Epoch.parse(parts[0]), Epoch.parse(parts[1]), int(parts[2]))

    @classmethod
    def first(cls) -> PaxosTag:
        return cls(Epoch(1), Epoch(1), 1)

    def __str__(self) -> str:
        return f"{self.next_epoch}:{self.epoch}:{self.sequence}"

    @property
    def key(self) -> tuple[tuple[bool, str, int], int]:
        return (self.epoch.key, self.sequence)

    def next_sequence(self) -> PaxosTag:
        """The tag after one configuration change."""
        return PaxosTag(self.next_epoch, self.epoch, self.sequence + 1)

    def next_epoch_tag(self, others: list[PaxosTag]) -> PaxosTag:
        """A tag newer than every one of `others` (a forced or restored copy): a new stamped
        epoch in both places."""
        numbers = [e.value for t in [self, *others] for e in (t.next_epoch, t.epoch)]
        epoch = Epoch(max(numbers) + 1, stamp_now())
        return PaxosTag(epoch, epoch, self.sequence + 1)


def newer(a: str | None, b: str | None) -> bool:
    """Whether tag string `a` is strictly newer than `b` (None is older than any tag)."""
    if a is None:
        return False
    if b is None:
        return True
    return PaxosTag.parse(a).key > PaxosTag.parse(b).key


def newest(tags: list[str | None]) -> str | None:
    best: str | None = None
    for tag in tags:
        if newer(tag, best):
            best = tag
    return best
