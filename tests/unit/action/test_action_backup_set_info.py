"""The backup_set_info action plugin against a scripted node.

The node keeps a backup directory in memory (directory -> file -> contents) and answers as
plugins/modules/backup_set_info.py documents the raw result: the set listing, hashed when
verify is true. Sets are written the way cluster_backup writes them: files, then a manifest
built with plugin_utils._manifest, then the completion marker.
"""

from __future__ import annotations

import hashlib
import typing as t
from datetime import UTC, datetime

import pytest
from action_harness import make_action
from ansible_collections.wsfc.clusterdb.plugins.action import backup_set_info
from ansible_collections.wsfc.clusterdb.plugins.action.backup_set_info import ActionModule
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._manifest import (
    COMPLETION_MARKER_NAME,
    MANIFEST_NAME,
    build_manifest,
    manifest_to_json,
)

CLU01 = {"name": "CLU01", "id": "6f1c3c9b-4d6e-4f5a-8f0e-2f7f9a3b1c11"}
CLU02 = {"name": "CLU02", "id": "0b7e1f55-2a44-4c1e-9d1e-7a0c3b2d4e5f"}
QUORUM = {
    "type": "NodeAndDiskMajority",
    "witness": {
        "type": "disk",
        "resource": "Cluster Disk 1",
        "disk": {"drive_letter": "Q:", "signature": "1A2B3C4D", "partitions": []},
    },
}


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class FakeNode:
    def __init__(self, *, path_is_file: bool = False, fail_code: int | None = None) -> None:
        self.directories: dict[str, dict[str, bytes]] = {}
        self.path_is_file = path_is_file
        self.fail_code = fail_code
        self.runs: list[dict[str, t.Any]] = []
        self.check_mode = False

    def __call__(self, module_name=None, module_args=None, task_vars=None, **_):
        args = dict(module_args)
        self.runs.append({"module": module_name, "args": args, "check_mode": self.check_mode})
        if self.fail_code is not None:
            return {
                "failed": True,
                "changed": False,
                "node_name": "NODE1",
                "error_code": self.fail_code,
                "msg": f"Failed to list the backup sets under '{args['path']}': Access is denied",
            }
        sets = []
        for name in sorted(self.directories):
            files = self.directories[name]
            manifest = files.get(MANIFEST_NAME)
            listed = None
            if args["verify"]:
                listed = [
                    {"path": path, "size": len(data), "sha256": digest(data)}
                    for path, data in sorted(files.items())
                ]
            sets.append(
                {
                    "name": name,
                    "marker_present": COMPLETION_MARKER_NAME in files,
                    "manifest_text": None if manifest is None else manifest.decode("utf-8"),
                    "files": listed,
                }
            )
        exists = self.path_is_file or bool(self.directories)
        return {
            "changed": False,
            "node_name": "NODE1",
            "path_info": {"exists": exists, "is_directory": not self.path_is_file},
            "sets": [] if self.path_is_file else sets,
        }

    def write_set(
        self,
        name: str,
        *,
        cluster: dict | None = None,
        paxos: str = "2:2:41",
        created: datetime = datetime(2026, 11, 22, 2, 3, 4, tzinfo=UTC),
        marker: bool = True,
    ) -> dict[str, bytes]:
        files = {
            "chk0001.tmp": b"snapshot" * 10,
            "quolog.log": b"quorum log",
            "0a1b2c3d\\00000001.CPT": b"checkpoint",
        }
        manifest = build_manifest(
            cluster=CLU01 if cluster is None else cluster,
            source_node="NODE2",
            route="clusapi",
            paxos_tag=paxos,
            quorum=QUORUM,
            configuration={"groups": [], "resources": [], "networks": []},
            files=[{"path": p, "size": len(d), "sha256": digest(d)} for p, d in files.items()],
            created=created,
        )
        files[MANIFEST_NAME] = manifest_to_json(manifest).encode("utf-8")
        if marker:
            files[COMPLETION_MARKER_NAME] = b""
        self.directories[name] = files
        return files


def run_info(node: FakeNode, args: dict[str, t.Any], *, check_mode: bool = False):
    node.check_mode = check_mode
    action = make_action(ActionModule, "backup_set_info", args, node, check_mode=check_mode)
    return action.run(task_vars={})


SET_41 = "20261122T020304Z_clusterdb_e2s41"
SET_42 = "20261123T020304Z_clusterdb_e2s42"
SET_43 = "20261124T020304Z_clusterdb_e2s43"
PATH = {"path": "\\\\fs01\\clusterbackups"}


def by_name(result: dict[str, t.Any]) -> dict[str, dict[str, t.Any]]:
    return {s["name"]: s for s in result["sets"]}


class TestStatuses:
    def test_complete_set_is_described_from_its_manifest(self) -> None:
        node = FakeNode()
        node.write_set(SET_41)
        result = run_info(node, PATH)
        assert result.get("failed") is not True, result.get("msg")
        assert result["changed"] is False
        assert result["exists"] is True
        assert result["module_runs"] == 1
        (entry,) = result["sets"]
        assert entry["status"] == "complete"
        assert entry["verified"] is True
        assert entry["problems"] == []
        assert entry["path"] == "\\\\fs01\\clusterbackups\\" + SET_41
        assert entry["kind"] == "set"
        assert entry["cluster"] == CLU01
        assert entry["source_node"] == "NODE2"
        assert entry["route"] == "clusapi"
        assert entry["configuration_version"]["epoch"] == 2
        assert entry["configuration_version"]["sequence"] == 41
        assert entry["created"] == "2026-11-22T02:03:04Z"
        assert entry["file_count"] == 3
        assert entry["size"] == len(b"snapshot" * 10) + len(b"quorum log") + len(b"checkpoint")
        assert result["newest_complete"]["name"] == SET_41

    def test_missing_marker_is_incomplete(self) -> None:
        node = FakeNode()
        node.write_set(SET_41, marker=False)
        entry = run_info(node, PATH)["sets"][0]
        assert entry["status"] == "incomplete"
        assert any(COMPLETION_MARKER_NAME in p["text"] for p in entry["problems"])

    def test_missing_file_is_incomplete_and_named(self) -> None:
        node = FakeNode()
        del node.write_set(SET_41)["quolog.log"]
        entry = run_info(node, PATH)["sets"][0]
        assert entry["status"] == "incomplete"
        assert [p["file"] for p in entry["problems"]] == ["quolog.log"]

    def test_changed_file_is_corrupt_and_named(self) -> None:
        node = FakeNode()
        files = node.write_set(SET_41)
        files["0a1b2c3d\\00000001.CPT"] = b"checkpoinT"  # same size, other bytes
        result = run_info(node, PATH)
        entry = result["sets"][0]
        assert entry["status"] == "corrupt"
        assert [p["file"] for p in entry["problems"]] == ["0a1b2c3d/00000001.CPT"]
        assert "SHA-256" in entry["problems"][0]["text"]
        assert result["newest_complete"] is None

    def test_truncated_file_is_corrupt_and_named(self) -> None:
        node = FakeNode()
        files = node.write_set(SET_41)
        files["chk0001.tmp"] = b"snap"
        entry = run_info(node, PATH)["sets"][0]
        assert entry["status"] == "corrupt"
        assert entry["problems"][0]["file"] == "chk0001.tmp"
        assert "bytes" in entry["problems"][0]["text"]

    def test_unreadable_manifest_is_corrupt(self) -> None:
        node = FakeNode()
        node.write_set(SET_41)[MANIFEST_NAME] = b"{not json"
        entry = run_info(node, PATH)["sets"][0]
        assert entry["status"] == "corrupt"
        assert MANIFEST_NAME in entry["problems"][0]["text"]
        assert entry["cluster"] is None
        assert entry["file_count"] == 5  # what is there: 3 files, the manifest, the marker

    def test_staging_directory_is_an_incomplete_staging_entry(self) -> None:
        node = FakeNode()
        node.directories["unfinished_" + SET_41] = {"chk0001.tmp": b"partial"}
        entry = run_info(node, PATH)["sets"][0]
        assert entry["kind"] == "staging"
        assert entry["status"] == "incomplete"

    def test_newest_complete_skips_a_newer_broken_set(self) -> None:
        node = FakeNode()
        node.write_set(SET_41, created=datetime(2026, 11, 22, 2, 3, 4, tzinfo=UTC))
        node.write_set(
            SET_42,
            paxos="2:2:42",
            created=datetime(2026, 11, 23, 2, 3, 4, tzinfo=UTC),
        )
        newest_broken = node.write_set(
            SET_43,
            paxos="2:2:43",
            created=datetime(2026, 11, 24, 2, 3, 4, tzinfo=UTC),
        )
        newest_broken["quolog.log"] = b"quorum lot"
        result = run_info(node, PATH)
        statuses = {name: s["status"] for name, s in by_name(result).items()}
        assert statuses == {SET_41: "complete", SET_42: "complete", SET_43: "corrupt"}
        assert result["newest_complete"]["name"] == SET_42

    def test_other_directories_are_named_not_judged(self) -> None:
        node = FakeNode()
        node.write_set(SET_41)
        node.directories["scratch"] = {"notes.txt": b"hello"}
        result = run_info(node, PATH)
        assert [s["name"] for s in result["sets"]] == [SET_41]
        assert result["other_directories"] == ["scratch"]


class TestOptions:
    def test_verify_false_hashes_nothing_and_says_so(self) -> None:
        node = FakeNode()
        node.write_set(SET_41)["quolog.log"] = b"quorum lot"
        result = run_info(node, dict(PATH, verify=False))
        assert node.runs[0]["args"]["verify"] is False
        entry = result["sets"][0]
        assert entry["verified"] is False
        assert entry["status"] == "complete"

    def test_cluster_name_keeps_that_clusters_sets(self) -> None:
        node = FakeNode()
        node.write_set(SET_41, cluster=CLU01)
        node.write_set(SET_42, cluster=CLU02, paxos="2:2:42")
        result = run_info(node, dict(PATH, cluster_name="clu02"))
        assert [s["name"] for s in result["sets"]] == [SET_42]
        assert result["newest_complete"]["cluster"] == CLU02

    def test_check_mode_runs_the_same_read_only_listing(self) -> None:
        node = FakeNode()
        node.write_set(SET_41)
        normal = run_info(node, PATH)
        checked = run_info(node, PATH, check_mode=True)
        assert node.runs[-1]["check_mode"] is True
        assert checked == normal


class TestPaths:
    @pytest.mark.parametrize(
        ("path", "expected"),
        [("", "path is empty"), ("relative", "relative path"), ("D:\\a\tb", "control")],
    )
    def test_bad_path_is_refused_without_a_module_run(self, path: str, expected: str) -> None:
        node = FakeNode()
        result = run_info(node, {"path": path})
        assert result["failed"] is True
        assert expected in result["msg"]
        assert result["module_runs"] == 0
        assert node.runs == []

    def test_missing_directory_is_no_sets_not_an_error(self) -> None:
        result = run_info(FakeNode(), {"path": "D:\\Backups"})
        assert result.get("failed") is not True
        assert result["exists"] is False
        assert result["sets"] == []
        assert result["newest_complete"] is None

    def test_file_is_error_directory(self) -> None:
        result = run_info(FakeNode(path_is_file=True), {"path": "D:\\Backups\\x.zip"})
        assert result["failed"] is True
        assert result["error_code"] == 267
        assert "names a file, not a directory" in result["msg"]

    def test_access_denied_is_explained(self) -> None:
        result = run_info(FakeNode(fail_code=5), PATH)
        assert result["failed"] is True
        assert result["error_code"] == 5
        assert "ERROR_ACCESS_DENIED" in result["msg"]
        assert "Access is denied" in result["msg"]
        assert result["error"]["code"] == 5


def test_added_result_keys_cover_what_the_module_does_not_return() -> None:
    node = FakeNode()
    node.write_set(SET_41)
    result = run_info(node, PATH)
    raw = node(module_args={"path": PATH["path"], "verify": True})
    added = set(result) - set(raw) - {"changed", "failed", "msg"}
    assert added
    assert added <= backup_set_info.ADDED_RESULT_KEYS
