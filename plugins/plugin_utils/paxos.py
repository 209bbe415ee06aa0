# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The configuration version of a cluster database: the PaxosTag.

``HKLM\\Cluster\\PaxosTag`` holds an epoch and a sequence number that grow with every
change; nodes and the disk witness compare them to find the newest copy (reference page
``windows-cluster-facts.md`` §2, from the Windows Server failover clustering docs).

*Unconfirmed* (the reference page says so): the registry value's type. The string form
seen is ``<time>_<epoch>:<sequence>``. So the parser is lenient about everything before
the last underscore (kept as an opaque ``prefix``) and about the value's container (a
string, a one-element list as REG_MULTI_SZ would give, or UTF-16/ASCII bytes as REG_BINARY
might), and strict about the epoch and the sequence: two decimal integers, which alone
decide equality and order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import total_ordering

_EPOCH_SEQUENCE = re.compile(r"^(?P<epoch>[0-9]+):(?P<sequence>[0-9]+)$")


class PaxosTagError(ValueError):
    """A value that is not a PaxosTag."""


@total_ordering
@dataclass(frozen=True)
class PaxosTag:
    """A parsed PaxosTag. Equal and ordered by (epoch, sequence) only.

    ``raw`` is the text as read; ``prefix`` the part before the last underscore (a time
    stamp in the form seen, empty when absent). Two copies with the same epoch and sequence
    hold the same configuration version whatever their prefix.
    """

    raw: str = field(compare=False)
    prefix: str = field(compare=False)
    epoch: int
    sequence: int

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, PaxosTag):
            return NotImplemented
        return (self.epoch, self.sequence) < (other.epoch, other.sequence)

    @property
    def version(self) -> str:
        """``<epoch>:<sequence>``: the part that identifies the configuration version."""
        return f"{self.epoch}:{self.sequence}"

    def as_facts(self) -> dict[str, object]:
        """The form the modules return: the raw tag with its parsed parts."""
        return {"paxos_tag": self.raw, "epoch": self.epoch, "sequence": self.sequence}


def parse_paxos_tag(value: object) -> PaxosTag:
    """Parse a PaxosTag as read from the registry; raise PaxosTagError if it is not one."""
    text = _as_text(value).strip()
    prefix, separator, tail = text.rpartition("_")
    if not separator:
        prefix, tail = "", text
    match = _EPOCH_SEQUENCE.match(tail)
    if not match:
        raise PaxosTagError(
            f"{text!r} is not a PaxosTag: expected <epoch>:<sequence> (two decimal numbers) "
            "after the last underscore, as in 133772032000000000_2:41."
        )
    return PaxosTag(
        raw=text,
        prefix=prefix,
        epoch=int(match.group("epoch")),
        sequence=int(match.group("sequence")),
    )


def compare_paxos_tags(left: PaxosTag, right: PaxosTag) -> int:
    """-1, 0 or 1 as ``left`` is older than, the same version as, or newer than ``right``."""
    if left < right:
        return -1
    if right < left:
        return 1
    return 0


def newest_paxos_tag(tags: list[PaxosTag]) -> PaxosTag | None:
    """The newest of several tags, None for none (the first wins a tie)."""
    newest: PaxosTag | None = None
    for tag in tags:
        if newest is None or newest < tag:
            newest = tag
    return newest


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
    raise PaxosTagError(f"{value!r} is not a PaxosTag: expected text such as 1337_2:41.")
