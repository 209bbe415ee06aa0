"""The cluster_backup action and `copies`: the other folders that keep the sets are listed by
the same inspect run, and the task says for each whether it holds the set of the result."""

from __future__ import annotations

import typing as t

import pytest
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._backup_decisions import (
    copies_report,
)
from test_action_cluster_backup import SHARE, FakeNode, run_backup

COPY_A = "\\\\FS02\\clusterbackups"
COPY_B = "E:\\ClusterBackups"


def up_to_date_node() -> tuple[FakeNode, str]:
    """A node whose primary folder already holds the current set, and that set's name."""
    node = FakeNode()
    first = run_backup(node, SHARE)
    node.runs.clear()
    return node, first["set_name"]


class TestAnIdempotentRun:
    def test_each_folder_says_whether_it_holds_the_set_in_the_one_module_run(self) -> None:
        node, name = up_to_date_node()
        node.copy_folders = {COPY_A: [name, "20261101T000000Z_clusterdb_e2s30"], COPY_B: []}
        result = run_backup(node, {**SHARE, "copies": [COPY_A, COPY_B]})
        assert result.get("failed") is not True, result.get("msg")
        assert result["changed"] is False
        assert result["module_runs"] == 1 and result["phases"] == ["inspect"]
        assert result["copies"] == [
            {"path": COPY_A, "has_set": True},
            {"path": COPY_B, "has_set": False},
        ]
        assert node.runs[0]["args"]["copies"] == [COPY_A, COPY_B]

    def test_a_missing_folder_is_reported_with_its_code_and_the_task_succeeds(self) -> None:
        node, name = up_to_date_node()
        node.copy_folders = {COPY_A: [name]}  # COPY_B does not exist
        result = run_backup(node, {**SHARE, "copies": [COPY_A, COPY_B]})
        assert result.get("failed") is not True, result.get("msg")
        missing = result["copies"][1]
        assert missing["has_set"] is False and missing["error_code"] == 3
        assert missing["message"].startswith(f"{COPY_B} does not exist or cannot be reached")
        assert "ERROR_PATH_NOT_FOUND" in missing["message"]
        assert "copy the set there" in missing["message"]
        assert result["copies"][0] == {"path": COPY_A, "has_set": True}

    def test_a_folder_that_cannot_be_read_is_reported_with_the_nodes_code(self) -> None:
        node, _name = up_to_date_node()
        node.copy_folders = {
            COPY_A: {"error_code": 5, "message": f"Access to the path '{COPY_A}' is denied."}
        }
        result = run_backup(node, {**SHARE, "copies": [COPY_A]})
        assert result.get("failed") is not True, result.get("msg")
        (entry,) = result["copies"]
        assert entry["has_set"] is False and entry["error_code"] == 5
        assert "Windows error 5, ERROR_ACCESS_DENIED" in entry["message"]
        assert f"Access to the path '{COPY_A}' is denied." in entry["message"]
        assert "is not known" in entry["message"]

    def test_a_file_is_not_a_folder_of_copies(self) -> None:
        node, _name = up_to_date_node()
        node.copy_folders = {COPY_A: {"is_directory": False}}
        result = run_backup(node, {**SHARE, "copies": [COPY_A]})
        (entry,) = result["copies"]
        assert entry["error_code"] == 267 and "names a file" in entry["message"]

    def test_set_names_are_compared_as_windows_compares_them(self) -> None:
        # path-rules: Windows names ignore letter case.
        node, name = up_to_date_node()
        node.copy_folders = {COPY_A: [name.upper()]}
        result = run_backup(node, {**SHARE, "copies": [COPY_A]})
        assert result["copies"] == [{"path": COPY_A, "has_set": True}]


class TestARunThatWrites:
    def test_check_mode_with_a_new_set_to_write_finds_it_nowhere(self) -> None:
        node = FakeNode()
        # A folder holding a set of the very name the run would give: still not that set.
        node.copy_folders = {COPY_A: ["20261122T020304Z_clusterdb_e2s41"]}
        result = run_backup(node, {**SHARE, "copies": [COPY_A]}, check_mode=True)
        assert result["changed"] is True and result["module_runs"] == 1
        assert result["set_name"] == "20261122T020304Z_clusterdb_e2s41"
        assert result["copies"] == [{"path": COPY_A, "has_set": False}]

    def test_a_new_set_is_in_no_copy_and_only_the_inspect_lists_them(self) -> None:
        node = FakeNode()
        node.copy_folders = {COPY_A: []}
        result = run_backup(node, {**SHARE, "copies": [COPY_A]})
        assert result["changed"] is True
        assert result["phases"] == ["inspect", "backup", "finalize"]
        assert result["copies"] == [{"path": COPY_A, "has_set": False}]
        assert [("copies" in run["args"]) for run in node.runs] == [True, False, False]

    def test_without_copies_there_is_no_copies_key(self) -> None:
        node, _name = up_to_date_node()
        result = run_backup(node, dict(SHARE))
        assert "copies" not in result
        assert node.runs[0]["args"]["copies"] == []

    def test_a_run_refused_after_the_inspect_reports_no_copies(self) -> None:
        node = FakeNode(node_state="Paused")
        node.copy_folders = {COPY_A: []}
        result = run_backup(node, {**SHARE, "copies": [COPY_A]})
        assert result["failed"] is True and "copies" not in result


class TestValidation:
    @pytest.mark.parametrize(
        ("copies", "expected"),
        [
            ([COPY_A, "relative"], "copies[1] 'relative' is a relative path"),
            (["D:\\Back\nups"], "copies[0] contains the control character"),
            (["C:\\%TEMP%\\x"], "copies[0] 'C:\\%TEMP%\\x' contains %TEMP%"),
            ([COPY_A, "\\\\fs02\\CLUSTERBACKUPS\\"],
             "copies[1] \\\\fs02\\CLUSTERBACKUPS is the same folder as copies[0]"),
            (["\\\\fs01\\clusterbackups"],
             "copies[0] \\\\fs01\\clusterbackups is the same folder as path"),
        ],
        ids=["relative", "control-character", "environment-variable", "twice", "the-primary"],
    )  # fmt: skip
    def test_each_folder_is_checked_before_any_module_run(
        self, copies: list[str], expected: str
    ) -> None:
        node = FakeNode()
        result = run_backup(node, {**SHARE, "copies": copies})
        assert result["failed"] is True
        assert expected in result["msg"], result["msg"]
        assert node.runs == [] and result["module_runs"] == 0
        assert result["changed"] is False

    def test_the_folders_reach_the_node_normalised(self) -> None:
        node = FakeNode()
        run_backup(node, {**SHARE, "copies": ["E:/ClusterBackups/"]}, check_mode=True)
        assert node.runs[0]["args"]["copies"] == [COPY_B]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"error_code": 67, "message": "The network name cannot be found."},
         {"error_code": 67, "has_set": False}),
        ({"error_code": None, "message": "The file cannot be accessed by the system."},
         {"error_code": None, "has_set": False}),
        ({"exists": True, "is_directory": True, "sets": ["s1"]}, {"has_set": True}),
        ({"exists": True, "is_directory": True, "sets": []}, {"has_set": False}),
    ],
    ids=["code-67", "no-code", "held", "not-held"],
)  # fmt: skip
def test_copies_report(raw: dict[str, t.Any], expected: dict[str, t.Any]) -> None:
    inspect = {"node_name": "NODE1", "copies": [{"path": COPY_A, **raw}]}
    (entry,) = copies_report(inspect, "s1")
    assert {k: entry[k] for k in expected} == expected
    if "error_code" in expected:
        assert entry["message"].startswith(f"{COPY_A} could not be read from NODE1")
        assert raw["message"] in entry["message"]
        label = "Windows error 67, ERROR_BAD_NET_NAME" if raw["error_code"] else "no Windows error"
        assert label in entry["message"]
    else:
        assert set(entry) == {"path", "has_set"}


def test_no_set_of_the_result_means_no_folder_holds_it() -> None:
    inspect = {"copies": [{"path": COPY_A, "exists": True, "is_directory": True, "sets": ["s1"]}]}
    assert copies_report(inspect, None) == [{"path": COPY_A, "has_set": False}]
