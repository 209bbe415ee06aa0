"""PaxosTag parsing and ordering."""

from __future__ import annotations

import pytest
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils.paxos import (
    PaxosTagError,
    compare_paxos_tags,
    newest_paxos_tag,
    parse_paxos_tag,
)


def test_the_seen_string_form() -> None:
    tag = parse_paxos_tag("133772032000000000_2:41")
    assert (tag.prefix, tag.epoch, tag.sequence) == ("133772032000000000", 2, 41)
    assert tag.raw == "133772032000000000_2:41"
    assert tag.version == "2:41"
    assert tag.as_facts() == {"paxos_tag": tag.raw, "epoch": 2, "sequence": 41}


@pytest.mark.parametrize(
    ("value", "prefix"),
    [
        ("2:41", ""),
        ("  1337_2:41\n", "1337"),
        ("anything_at_all_2:41", "anything_at_all"),
        ("_2:41", ""),
        (["1337_2:41"], "1337"),
        (b"1337_2:41", "1337"),
        ("1337_2:41".encode("utf-16-le") + b"\x00\x00", "1337"),
    ],
)
def test_lenient_about_prefix_and_container(value: object, prefix: str) -> None:
    tag = parse_paxos_tag(value)
    assert (tag.prefix, tag.epoch, tag.sequence) == (prefix, 2, 41)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "1337",
        "1337_2",
        "1337_2:",
        "1337_:41",
        "1337_-2:41",
        "1337_2:+41",
        "1337_2:4a",
        "1337_0x2:41",
        "1337_2: 41",
        "1337_2:41_",
        241,
        None,
        ["a", "b"],
    ],
)
def test_strict_about_epoch_and_sequence(value: object) -> None:
    with pytest.raises(PaxosTagError):
        parse_paxos_tag(value)


def test_error_names_the_expected_form() -> None:
    with pytest.raises(PaxosTagError, match="<epoch>:<sequence>"):
        parse_paxos_tag("nonsense")


def test_order_is_numeric_epoch_then_sequence() -> None:
    older = parse_paxos_tag("999_2:9")
    newer = parse_paxos_tag("1_2:10")  # a smaller prefix does not make it older
    next_epoch = parse_paxos_tag("1_3:0")
    assert older < newer < next_epoch
    assert compare_paxos_tags(older, newer) == -1
    assert compare_paxos_tags(next_epoch, newer) == 1
    assert sorted([next_epoch, older, newer]) == [older, newer, next_epoch]


def test_equal_versions_compare_equal_whatever_the_prefix() -> None:
    left, right = parse_paxos_tag("1_2:41"), parse_paxos_tag("2_2:41")
    assert left == right
    assert hash(left) == hash(right)
    assert compare_paxos_tags(left, right) == 0
    assert left <= right and left >= right


def test_newest() -> None:
    tags = [parse_paxos_tag(t) for t in ("a_1:5", "b_2:1", "c_1:99")]
    newest = newest_paxos_tag(tags)
    assert newest is not None and newest.raw == "b_2:1"
    assert newest_paxos_tag([]) is None
