"""The windows_path filter refuses control characters instead of guessing a separator."""

from __future__ import annotations

import json

import pytest
from ansible.errors import AnsibleFilterError
from ansible.parsing.splitter import parse_kv
from ansible_collections.wsfc.clusterdb.plugins.filter.windows_path import windows_path


@pytest.mark.parametrize(
    ("typed", "character"),
    [
        (r"\\fs01\backups\new", "\\n"),
        (r"D:\Backups\tmp", "\\t"),
        (r"E:\a\b", "\\x07"),
        (r"C:\backups", "\\x08"),
        (r"C:\reports", "\\r"),
    ],
)
def test_a_key_value_escape_is_refused_with_how_to_pass_the_path(
    typed: str, character: str
) -> None:
    received = parse_kv(f"backup_path={typed}")["backup_path"]
    with pytest.raises(AnsibleFilterError) as raised:
        windows_path(received, option="backup_path")
    message = str(raised.value)
    assert "backup_path contains the control character" in message
    assert character in message
    # The fix: JSON, a vars file, or doubled backslashes.
    assert '-e \'{"backup_path":' in message
    assert "-e @vars.yml" in message
    assert "double every backslash" in message


def test_a_control_character_from_json_is_refused_not_turned_into_a_separator() -> None:
    # Before: "C:\\Backups" + newline + "ew" came back as C:\Backups\new, another folder.
    value = json.loads('"C:\\\\Backups\\new"')
    assert "\n" in value
    with pytest.raises(AnsibleFilterError, match="control character '\\\\n'"):
        windows_path(value)


@pytest.mark.parametrize(
    "value",
    [r"\\fs01\clusterbackups", r"D:\Backups\new", r"C:\100%", "C:\\", r"\\fs01\a b\c;d$"],
)
def test_json_input_without_control_characters_is_returned_unchanged(value: str) -> None:
    # What -e '{"backup_path": "..."}' delivers: the real backslashes.
    assert windows_path(json.loads(json.dumps(value))) == value


def test_a_unc_path_that_lost_its_first_backslash_gets_it_back() -> None:
    received = parse_kv(r"backup_path=\\fs01\Backups")["backup_path"]
    assert received == r"\fs01\Backups"
    assert windows_path(received) == r"\\fs01\Backups"
