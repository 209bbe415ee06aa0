"""The backup_folders action plugin and the backup_folder_rules filter: the options refused
before the node is contacted, the module's codes explained."""

from __future__ import annotations

import typing as t

import pytest
from action_harness import make_action
from ansible.errors import AnsibleFilterError
from ansible_collections.wsfc.clusterdb.plugins.action.backup_folders import ActionModule
from ansible_collections.wsfc.clusterdb.plugins.filter.backup_folder_rules import (
    backup_folder_rules,
)

ADMINS = {"account": "BUILTIN\\Administrators", "rights": "FullControl"}


class ScriptedNode:
    def __init__(self, answer: dict[str, t.Any]) -> None:
        self.answer = answer
        self.runs: list[dict[str, t.Any]] = []

    def __call__(self, module_name=None, module_args=None, task_vars=None, **_):
        self.runs.append({"module": module_name, "args": module_args})
        return dict(self.answer)


def answer(**extra: t.Any) -> dict[str, t.Any]:
    raw: dict[str, t.Any] = {
        "changed": False,
        "node_name": "NODE1",
        "folders": [],
        "not_directories": [],
        "unresolved_accounts": [],
        "error_code": None,
    }
    raw.update(extra)
    return raw


def run_action(folders: object, node: ScriptedNode) -> dict[str, t.Any]:
    action = make_action(ActionModule, "backup_folders", {"folders": folders}, node)
    return action.run(task_vars={})


@pytest.mark.parametrize(
    ("folders", "words"),
    [
        ([], "folders is empty"),
        ([{"path": "D:\\", "access": [ADMINS]}], "root of a drive or a share"),
        ([{"path": "\\\\fs01\\backups", "access": [ADMINS]}], "root of a drive or a share"),
        ([{"path": "Backups\\CLU01", "access": [ADMINS]}], "folders[0].path"),
        (
            [{"path": "D:\\B\\CLU01", "access": []}, {"path": "d:\\b\\clu01\\", "access": []}],
            "is named twice",
        ),
        (
            [{"path": "D:\\B\\CLU01", "access": [ADMINS, dict(ADMINS, rights="Modify")]}],
            "has two rules",
        ),
        ([{"path": "D:\\B\\CLU01", "access": [{"account": "x", "rights": "Read"}]}], "rights"),
    ],
)
def test_bad_folders_are_refused_before_the_node_is_contacted(folders, words) -> None:
    node = ScriptedNode(answer())
    result = run_action(folders, node)
    assert result["failed"] is True
    assert words in result["msg"]
    assert node.runs == []


def test_the_module_gets_each_path_normalised() -> None:
    node = ScriptedNode(answer())
    result = run_action([{"path": "D:/Backups/CLU01/", "access": [ADMINS]}], node)
    assert "failed" not in result or result["failed"] is False
    sent = node.runs[0]["args"]["folders"]
    assert [f["path"] for f in sent] == ["D:\\Backups\\CLU01"]
    assert result["error"] is None


def test_a_file_where_a_folder_is_to_be_is_explained_as_error_267() -> None:
    node = ScriptedNode(
        answer(failed=True, msg="raw", error_code=267, not_directories=["\\\\fs01\\backups\\x"])
    )
    result = run_action([{"path": "\\\\fs01\\backups\\x\\CLU01", "access": [ADMINS]}], node)
    assert result["failed"] is True
    assert result["error"]["name"] == "ERROR_DIRECTORY"
    assert "\\\\fs01\\backups\\x names a file" in result["msg"]


def test_an_account_that_does_not_resolve_is_explained_as_error_1332() -> None:
    node = ScriptedNode(
        answer(failed=True, msg="raw", error_code=1332, unresolved_accounts=["CORP\\N9$"])
    )
    result = run_action([{"path": "D:\\B\\CLU01", "access": [ADMINS]}], node)
    assert result["error"]["name"] == "ERROR_NONE_MAPPED"
    assert "NODE1 found no security identifier for CORP\\N9$" in result["msg"]
    assert "backup_node_account_domain" in result["msg"]


def test_access_denied_names_the_folder_that_failed() -> None:
    node = ScriptedNode(
        answer(failed=True, msg="raw", error_code=5, folders=[{"path": "D:\\B\\CLU01"}])
    )
    result = run_action([{"path": "D:\\B\\CLU01", "access": [ADMINS]}], node)
    assert result["error"]["name"] == "ERROR_ACCESS_DENIED"
    assert "D:\\B\\CLU01" in result["msg"]


def test_the_filter_gives_the_writers_rules_to_their_folder_only() -> None:
    got = backup_folder_rules(
        ["P\\CLU01", "L\\CLU01"],
        full_control=["A", "S"],
        writers=["N1$"],
        writers_folder="P\\CLU01",
        writers_state="absent",
    )
    owners = [
        {"account": "A", "rights": "FullControl", "state": "present"},
        {"account": "S", "rights": "FullControl", "state": "present"},
    ]
    assert got == [
        {
            "path": "P\\CLU01",
            "access": [*owners, {"account": "N1$", "rights": "Modify", "state": "absent"}],
        },
        {"path": "L\\CLU01", "access": owners},
    ]
    with pytest.raises(AnsibleFilterError, match="writers_state"):
        backup_folder_rules([], full_control=[], writers_state="gone")
