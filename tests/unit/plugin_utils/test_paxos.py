"""PaxosTag parsing and ordering on the forms Windows writes (windows-behaviour.md#paxos-tag)."""

from __future__ import annotations

import copy
import pickle
from datetime import datetime
from pathlib import Path

import pytest
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._paxos import (
    Epoch,
    PaxosTagError,
    VersionRange,
    parse_paxos_tag,
    parse_version_facts,
    version_range,
)

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "windows"


def sample(name: str) -> str:
    """A documented sample, as Microsoft's page prints it (one line)."""
    return (SAMPLES / name).read_text(encoding="utf-8").rstrip("\n")


PLAIN = sample("paxos-tag-plain.txt")
STAMPED = sample("paxos-tag-timestamped.txt")


def test_the_plain_sample() -> None:
    tag = parse_paxos_tag(PLAIN)
    assert tag.raw == PLAIN
    assert tag.next_epoch == Epoch(3)
    assert tag.epoch == Epoch(3)
    assert tag.sequence == 276
    assert tag.version == "3:276"
    assert tag.as_facts() == {
        "paxos_tag": PLAIN,
        "next_epoch": 3,
        "next_epoch_time": None,
        "epoch": 3,
        "epoch_time": None,
        "sequence": 276,
    }


def test_the_timestamped_sample() -> None:
    tag = parse_paxos_tag(STAMPED)
    stamp = datetime(2007, 12, 31, 15, 35, 55, 889000)
    assert tag.next_epoch == Epoch(4, stamp)
    assert tag.epoch == Epoch(4, stamp)
    assert tag.sequence == 294
    assert tag.version == "2007/12/31-15`35`55.889_4:294"
    # Each part writes back as it was read.
    assert f"{tag.next_epoch.text}:{tag.version}" == STAMPED
    assert tag.as_facts()["epoch_time"] == "2007-12-31T15:35:55.889"
    assert tag.as_facts()["next_epoch"] == 4


@pytest.mark.parametrize(
    "value",
    [
        PLAIN,
        f"  {PLAIN}\r\n",
        [PLAIN],  # REG_MULTI_SZ reads as a list of strings
        PLAIN.encode("ascii"),
        PLAIN.encode("utf-16-le") + b"\x00\x00",  # REG_SZ read as bytes, with its NUL
    ],
)
def test_the_value_as_the_registry_may_give_it(value: object) -> None:
    assert parse_paxos_tag(value).raw == PLAIN


def test_the_timestamped_sample_as_registry_text() -> None:
    assert parse_paxos_tag([STAMPED]) == parse_paxos_tag(STAMPED.encode("utf-16-le"))


@pytest.mark.parametrize(
    "value",
    [
        "133772032000000000_2:41",  # the two-part form Windows does not write
        "2:41",
        "3:3:276:1",
        "",
        "3::276",
        "3:3:",
        "-3:3:276",
        "3:3:+276",
        "3:3:27a",
        "0x3:3:276",
        "3:3: 276",
        "2007/12/31-15`35`55_4:4:1",  # no milliseconds
        "2007/12/31 15:35:55.889_4:4:1",
        "2007/13/31-15`35`55.889_4:2007/13/31-15`35`55.889_4:1",  # month 13
        "2007/12/31-15`35`55.889:3:276",  # a stamp without its number
        276,
        None,
        ["3:3:276", "3:3:277"],
    ],
)
def test_anything_else_is_refused(value: object) -> None:
    with pytest.raises(PaxosTagError):
        parse_paxos_tag(value)


def test_the_two_part_form_is_refused_naming_the_documented_form() -> None:
    with pytest.raises(PaxosTagError, match="NextEpoch:LastUpdateEpoch:Sequence") as raised:
        parse_paxos_tag("133772032000000000_2:41")
    assert "two parts" in str(raised.value)
    assert PLAIN in str(raised.value) and STAMPED in str(raised.value)


def test_versions_order_by_sequence_within_an_epoch() -> None:
    older, newer = parse_paxos_tag("3:3:9"), parse_paxos_tag("3:3:10")  # numbers, not text
    assert older < newer and newer > older


def test_a_force_quorum_epoch_is_newer_than_the_plain_epochs() -> None:
    plain = parse_paxos_tag(PLAIN)
    forced = parse_paxos_tag(STAMPED)
    assert plain < forced and forced > plain
    # The stamped epoch wins even over a plain epoch with a greater number and sequence
    # (the stamped form marks the copy every joining node takes).
    assert parse_paxos_tag("9:9:900") < forced


def test_two_stamped_epochs_order_by_time_stamp() -> None:
    earlier = parse_paxos_tag("2007/12/31-15`35`55.889_4:2007/12/31-15`35`55.889_4:300")
    later = parse_paxos_tag("2008/01/02-09`00`00.001_5:2008/01/02-09`00`00.001_5:1")
    assert earlier < later
    assert sorted([later, earlier]) == [earlier, later]


def test_next_epoch_plays_no_part_in_the_version() -> None:
    left, right = parse_paxos_tag("3:3:276"), parse_paxos_tag("5:3:276")
    assert left == right
    assert hash(left) == hash(right)
    assert left <= right and left >= right
    assert parse_paxos_tag("3:3:276") != parse_paxos_tag("3:3:277")


# -- versions a backup spans ----------------------------------------------------------------


def test_a_range_that_did_not_move_is_the_tag_itself() -> None:
    before, after = parse_paxos_tag("3:3:276"), parse_paxos_tag("4:3:276")
    same = version_range(before, after)
    assert not isinstance(same, VersionRange)
    assert same == before and not same.moved


def test_a_range_that_moved_equals_no_single_version() -> None:
    before, after = parse_paxos_tag(PLAIN), parse_paxos_tag("3:3:278")
    spanned = version_range(before, after)
    assert isinstance(spanned, VersionRange) and spanned.moved
    assert spanned != before and spanned != after
    assert (spanned.first, spanned.last) == (before, after)
    assert spanned == version_range(parse_paxos_tag(PLAIN), parse_paxos_tag("3:3:278"))
    assert spanned.version == "3:276 to 3:278"
    assert spanned.raw == PLAIN
    # Ordered as its first version, the oldest the set may hold.
    assert parse_paxos_tag("3:3:275") < spanned <= before < after
    assert spanned.as_facts() == {**before.as_facts(), "paxos_tag_after": "3:3:278"}


def test_a_range_across_a_force_quorum_start() -> None:
    spanned = version_range(parse_paxos_tag(PLAIN), parse_paxos_tag(STAMPED))
    assert spanned.moved and spanned.last.epoch.stamp is not None


def test_a_tag_that_went_back_is_no_range() -> None:
    with pytest.raises(PaxosTagError, match="older"):
        version_range(parse_paxos_tag(STAMPED), parse_paxos_tag(PLAIN))


def test_a_range_survives_copy_and_pickle() -> None:
    spanned = version_range(parse_paxos_tag(PLAIN), parse_paxos_tag("3:3:278"))
    assert copy.deepcopy(spanned) == spanned
    assert pickle.loads(pickle.dumps(spanned)) == spanned
    assert copy.copy(parse_paxos_tag(STAMPED)) == parse_paxos_tag(STAMPED)


def test_tags_are_immutable() -> None:
    tag = parse_paxos_tag(PLAIN)
    with pytest.raises(AttributeError):
        tag.sequence = 1  # type: ignore[misc]


def test_version_facts_read_back() -> None:
    spanned = version_range(parse_paxos_tag(PLAIN), parse_paxos_tag("3:3:278"))
    assert parse_version_facts(spanned.as_facts()) == spanned
    assert parse_version_facts(parse_paxos_tag(STAMPED).as_facts()) == parse_paxos_tag(STAMPED)
    assert parse_version_facts({"paxos_tag": "1337_2:41"}) is None
    assert parse_version_facts(None) is None
