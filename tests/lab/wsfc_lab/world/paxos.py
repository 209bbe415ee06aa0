"""The configuration version of a cluster database copy: the PaxosTag.

windows-cluster-facts.md section 2: `HKLM\\Cluster\\PaxosTag` is a tag of epoch and
sequence that grows with every change; nodes and the disk witness compare tags to find the
latest copy. *Unconfirmed* on that page: the registry value type; the string form seen is
`<time>_<epoch>:<sequence>`. The lab stores and reports that string form and treats
<time> as a FILETIME (100 ns ticks since 1601, as in the sample of cluster_info's
documentation) stamped when the epoch began. Tags compare by (epoch, sequence).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

_TAG = re.compile(r"^(\d+)_(\d+):(\d+)$")
_FILETIME_UNIX_EPOCH = 116444736000000000  # 1970-01-01 in FILETIME ticks


def filetime_now() -> int:
    return _FILETIME_UNIX_EPOCH + int(time.time() * 10_000_000)


@dataclass(frozen=True, order=False)
class PaxosTag:
    time: int
    epoch: int
    sequence: int

    @classmethod
    def parse(cls, text: str) -> PaxosTag:
        match = _TAG.match(text.strip())
        if not match:
            raise ValueError(f"not a PaxosTag (<time>_<epoch>:<sequence>): {text!r}")
        return cls(int(match[1]), int(match[2]), int(match[3]))

    @classmethod
    def first(cls) -> PaxosTag:
        return cls(filetime_now(), 1, 1)

    def __str__(self) -> str:
        return f"{self.time}_{self.epoch}:{self.sequence}"

    @property
    def key(self) -> tuple[int, int]:
        return (self.epoch, self.sequence)

    def next_sequence(self) -> PaxosTag:
        """The tag after one configuration change."""
        return PaxosTag(self.time, self.epoch, self.sequence + 1)

    def next_epoch(self, newest_epoch: int) -> PaxosTag:
        """A tag newer than every copy whose epoch is at most `newest_epoch` (forced copy)."""
        return PaxosTag(filetime_now(), max(newest_epoch, self.epoch) + 1, self.sequence + 1)


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
