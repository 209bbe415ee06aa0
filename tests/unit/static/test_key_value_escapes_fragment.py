"""The key_value_escapes doc fragment: every module that names it shows its notes (read as
ansible-doc reads them), and what the notes say about ansible-core's key=value parser
holds for the installed ansible-core (its own parse_kv) and for the modules' path check."""

from __future__ import annotations

from pathlib import Path

import pytest
from ansible.parsing.splitter import parse_kv
from ansible.plugins.loader import fragment_loader
from ansible.utils.plugin_docs import get_docstring
from ansible_collections.wsfc.clusterdb.plugins.doc_fragments.key_value_escapes import (
    ModuleDocFragment,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._paths import validate_backup_path
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._refusal import PolicyRefusal
from yaml import safe_load

MODULES = Path(__file__).resolve().parents[3] / "plugins" / "modules"
NOTES = safe_load(ModuleDocFragment.DOCUMENTATION)["notes"]


@pytest.mark.parametrize(
    "module",
    ["backup_set_info", "cluster_backup", "cluster_info", "cluster_node", "cluster_restore"],
)
def test_each_module_shows_the_notes_as_ansible_doc_reads_them(module: str) -> None:
    # get_docstring merges the fragments in, as ansible-doc does (tests/unit/conftest.py
    # set up the plugin loader that resolves wsfc.clusterdb.key_value_escapes).
    doc = get_docstring(str(MODULES / f"{module}.py"), fragment_loader)[0]
    assert all(note in doc["notes"] for note in NOTES)


@pytest.mark.parametrize(
    ("typed", "received"),
    [
        # What the notes say the module receives.
        (r"path=\\fs01\clusterbackups", "\\fs01\\clusterbackups"),
        (r"path=D:\Backups\new", "D:\\Backups\new"),
        (r"path=D:\Builds\x64", "D:\\Buildsd"),
        (r"path='\\fs01\clusterbackups'", "\\fs01\\clusterbackups"),
        (r'path="\\fs01\clusterbackups"', "\\fs01\\clusterbackups"),
        (r"path=\\fs01\b", "\\fs01\b"),
        (r"path=\\fs01\N{BULLET}\x41\u00e9\'", "\\fs01\u2022A\u00e9'"),
        # The ways the notes give.
        (r"path=\\\\fs01\\clusterbackups", r"\\fs01\clusterbackups"),
        (r"path=//fs01/clusterbackups", "//fs01/clusterbackups"),
        # A backslash before another character is kept.
        (r"path=D:\Backups\Cluster", r"D:\Backups\Cluster"),
    ],
)
def test_the_key_value_parser_decodes_as_the_notes_say(typed: str, received: str) -> None:
    assert parse_kv(typed)["path"] == received


def test_what_the_notes_say_the_module_does_with_each_value() -> None:
    with pytest.raises(PolicyRefusal, match="no drive letter"):
        validate_backup_path(parse_kv(r"path=\\fs01\clusterbackups")["path"], "path")
    with pytest.raises(PolicyRefusal, match="control character"):
        validate_backup_path(parse_kv(r"path=D:\Backups\new")["path"], "path")
    for typed in (r"path=\\\\fs01\\clusterbackups", "path=//fs01/clusterbackups"):
        assert validate_backup_path(parse_kv(typed)["path"], "path").path == (
            r"\\fs01\clusterbackups"
        )
