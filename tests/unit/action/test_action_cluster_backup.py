"""The cluster_backup action plugin against a scripted node.

The node is a small in-memory stand-in for the PowerShell module: it keeps the backup
directory's sets as files with contents, answers each phase with the raw result keys that
plugins/modules/cluster_backup.py documents (hashes computed from the contents), and
records every module run. So a set written by one run is read, hashed and verified by the
next.
"""

from __future__ import annotations

import copy
import hashlib
import json
import typing as t
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from ansible.errors import AnsibleActionFail
from ansible_collections.wsfc.clusterdb.plugins.action import cluster_backup
from ansible_collections.wsfc.clusterdb.plugins.action.cluster_backup import ActionModule
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._manifest import (
    COMPLETION_MARKER_NAME,
    MANIFEST_NAME,
    verify_backup_set,
)

CLOCK = datetime(2026, 11, 22, 2, 3, 4, tzinfo=UTC)
SERVER_2022 = "10.0.20348"
SERVER_2003 = "5.2.3790"
PAXOS = "2:2:41"
CLUSTER = {"name": "CLU01", "id": "6f1c3c9b-4d6e-4f5a-8f0e-2f7f9a3b1c11", "domain": "corp"}
WBADMIN_OK = (
    "wbadmin 1.0 - Backup command-line tool\r\n"
    "Starting a system state backup...\r\n"
    "The backup operation successfully completed.\r\n"
)
VERSIONS = (
    "Backup time: 11/22/2026 2:03 AM\r\n"
    "Backup target: Network Share labeled {target}\r\n"
    "Version identifier: 11/22/2026-02:03\r\n"
    "Can recover: Volume(s), File(s), Application(s), System State\r\n"
)
VERSION_ID = "11/22/2026-02:03"
# wbadmin get items in the shape public transcripts show (Microsoft shows none).
ITEMS = (
    "wbadmin 1.0 - Backup command-line tool\r\n"
    "\r\n"
    "Application = Registry\r\n"
    "Component = Registry\r\n"
    "\r\n"
    "Application = Cluster\r\n"
    "Component = Cluster Database\r\n"
)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class FakeNode:
    """One Windows node with a backup directory, as the module's documentation describes."""

    def __init__(
        self,
        *,
        os_version: str = SERVER_2022,
        windows_server_backup: bool = True,
        node_state: str = "Up",
        service_state: str = "running",
        cluster: dict | None = None,
        cluster_error: dict | None = None,
        paxos_tag: str | None = PAXOS,
        path_is_file: bool = False,
    ) -> None:
        self.os_version = os_version
        self.windows_server_backup = windows_server_backup
        self.node_state = node_state
        self.service_state = service_state
        self.cluster = copy.deepcopy(CLUSTER) if cluster is None else cluster
        self.cluster_error = cluster_error
        self.paxos_tag = paxos_tag
        self.paxos_tag_after_backup: str | None = None
        self.path_is_file = path_is_file
        # directory name -> {relative path (backslashes): contents}
        self.directories: dict[str, dict[str, bytes]] = {}
        self.route_exit_code = 0
        self.route_output = WBADMIN_OK
        self.versions_output = VERSIONS  # {target} is the staging target
        # version identifier -> wbadmin get items text; None: the new version's own listing.
        self.items_outputs: dict[str, str] | None = None
        self.fail_phase: dict[str, dict[str, t.Any]] = {}
        self.runs: list[dict[str, t.Any]] = []
        self.check_mode = False
        # The other folders the inspect lists for `copies`: path -> the names of the sets
        # it holds (marker and manifest), or the raw entry of a folder that is not listed.
        self.copy_folders: dict[str, list[str] | dict[str, t.Any]] = {}

    # The ActionBase._execute_module signature, as PhasedAction calls it.
    def __call__(self, module_name=None, module_args=None, task_vars=None, **_):
        args = dict(module_args)
        self.runs.append({"module": module_name, "args": args, "check_mode": self.check_mode})
        phase = args["_phase"]
        if phase in self.fail_phase:
            result = {"failed": True, "changed": False, "phase": phase, **self.fail_phase[phase]}
        else:
            result = getattr(self, f"_{phase}")(args)
        self.runs[-1]["result"] = copy.deepcopy(result)
        return result

    @property
    def phases(self) -> list[str]:
        return [run["args"]["_phase"] for run in self.runs]

    def listing(self, hash_sets: str) -> list[dict[str, t.Any]]:
        entries = []
        for name in sorted(self.directories):
            files = self.directories[name]
            manifest = files.get(MANIFEST_NAME)
            entries.append(
                {
                    "name": name,
                    "marker_present": COMPLETION_MARKER_NAME in files,
                    "manifest_text": manifest.decode("utf-8") if manifest is not None else None,
                    "files": None,
                }
            )
        if hash_sets == "all":
            chosen = entries
        elif hash_sets == "newest":
            marked = [e for e in entries if e["marker_present"]]
            chosen = marked[-1:]
        else:
            chosen = []
        for entry in chosen:
            entry["files"] = self.file_listing(entry["name"])
        return entries

    def file_listing(self, name: str) -> list[dict[str, t.Any]]:
        return [
            {"path": path, "size": len(data), "sha256": sha256(data)}
            for path, data in sorted(self.directories[name].items())
        ]

    def _inspect(self, args: dict[str, t.Any]) -> dict[str, t.Any]:
        running = self.service_state == "running"
        has_cluster = running and self.cluster_error is None
        path_exists = self.path_is_file or bool(self.directories)
        return {
            "changed": False,
            "phase": "inspect",
            "node_name": "NODE1",
            "os": {"name": "Microsoft Windows Server", "version": self.os_version},
            "backup_tools": {
                "windows_server_backup": self.windows_server_backup,
                "wbadmin": self.windows_server_backup,
                "clusapi": True,
            },
            "cluster_service": {
                "installed": True,
                "state": self.service_state,
                "start_mode": "auto",
            },
            "configuration_version": {
                "paxos_tag": self.paxos_tag if running else None,
                "source": "cluster" if running else "none",
            },
            "cluster": self.cluster if has_cluster else None,
            "nodes": [
                {"name": "NODE1", "id": "1", "state": self.node_state},
                {"name": "NODE2", "id": "2", "state": "Up"},
            ]
            if has_cluster
            else [],
            "core_group_owner": "NODE1" if has_cluster else None,
            "quorum": {
                "type": "NodeAndDiskMajority",
                "witness": {
                    "type": "disk",
                    "resource": "Cluster Disk 1",
                    "owner_node": "NODE1",
                    "path": None,
                    "disk": {
                        "number": 1,
                        "signature": "1A2B3C4D",
                        "drive_letter": "Q:",
                        "partitions": [{"number": 1, "offset": 1048576, "size": 1072693248}],
                    },
                },
            }
            if has_cluster
            else None,
            "configuration": {"groups": [], "resources": [], "networks": []}
            if has_cluster and args.get("_include_configuration")
            else None,
            "cluster_error": self.cluster_error,
            "path_info": {"exists": path_exists, "is_directory": not self.path_is_file},
            "sets": [] if self.path_is_file else self.listing(args["_hash_sets"]),
            "copies": [self.copy_listing(path) for path in args.get("copies") or []],
        }

    def copy_listing(self, path: str) -> dict[str, t.Any]:
        found = self.copy_folders.get(path)
        entry = {"path": path, "exists": True, "is_directory": True, "sets": None,
                 "error_code": None, "message": None}  # fmt: skip
        if found is None:
            entry.update(exists=False, is_directory=False)
        elif isinstance(found, dict):
            entry.update(found)
        else:
            entry["sets"] = list(found)
        return entry

    def _backup(self, args: dict[str, t.Any]) -> dict[str, t.Any]:
        assert not self.check_mode, "the backup phase must not run in check mode"
        staging = args["_staging_name"]
        route = args["route"]
        assert staging not in self.directories
        if route == "vss":
            files = {
                "WindowsImageBackup\\NODE1\\SystemStateBackup\\Backup 2026-11-22 020304\\"
                "disk.vhdx": b"system state " * 100,
                "WindowsImageBackup\\NODE1\\Catalog\\BackupGlobalCatalog": b"catalog",
            }
            versions = self.versions_output.format(target=args["_wbadmin_target"])
            items = {VERSION_ID: ITEMS} if self.items_outputs is None else self.items_outputs
        else:
            files = {
                "chk0001.tmp": b"snapshot",
                "quolog.log": b"quorum log",
                "0a1b2c3d-0000-0000-0000-000000000001\\00000001.CPT": b"checkpoint",
                "Clusbackup.dat": b"",
            }
            versions = None
            items = {}
        self.directories[staging] = files if self.route_exit_code == 0 else {}
        after = self.paxos_tag_after_backup or self.paxos_tag
        return {
            "changed": True,
            "phase": "backup",
            "staging_path": args["path"] + "\\" + staging,
            "route": route,
            "route_command": ["wbadmin.exe", "start", "systemstatebackup"],
            "route_exit_code": self.route_exit_code,
            "route_output": self.route_output if route == "vss" else "",
            "route_started": "2026-11-22T02:03:05Z",
            "versions_output": versions,
            "items_outputs": items,
            "paxos_tag_before": self.paxos_tag,
            "paxos_tag": after,
            "files": self.file_listing(staging),
        }

    def _finalize(self, args: dict[str, t.Any]) -> dict[str, t.Any]:
        assert not self.check_mode, "the finalize phase must not run in check mode"
        files = self.directories.pop(args["_staging_name"])
        files[MANIFEST_NAME] = args["_manifest"].encode("utf-8")
        files[COMPLETION_MARKER_NAME] = b""
        self.directories[args["_set_name"]] = files
        return {
            "changed": True,
            "phase": "finalize",
            "staging_path": args["path"] + "\\" + args["_staging_name"],
            "set_path": args["path"] + "\\" + args["_set_name"],
        }


def run_backup(node: FakeNode, args: dict[str, t.Any], *, check_mode: bool = False):
    task = SimpleNamespace(
        args=args, async_val=0, check_mode=check_mode, diff=False, action="cluster_backup"
    )
    connection = SimpleNamespace(_shell=SimpleNamespace(tmpdir="/tmp/unused"))
    action = ActionModule(task, connection, None, None, None)
    action._load_name = "wsfc.clusterdb.cluster_backup"
    action.clock = lambda: CLOCK
    node.check_mode = check_mode
    action._execute_module = node
    return action.run(task_vars={})


# A share on a file server, the target wbadmin is documented to take; the tests of
# something else than the target back up there.
SHARE = {"path": "\\\\FS01\\clusterbackups"}
UNC = {"path": "\\\\fs01\\clusterbackups"}
# A local path, reached through the node's own admin share: only with the opt-in.
LOCAL = {"path": "D:\\Backups"}
LOCAL_OPT_IN = {"path": "D:\\Backups", "loopback_target": True}


class TestBadPaths:
    @pytest.mark.parametrize(
        ("path", "expected"),
        [
            ("", "path is empty"),
            ("Backups\\cluster", "relative path"),
            ("D:", "without a backslash"),
            ("\\Backups", "no drive letter"),
            ("\\\\fs01", "no share"),
            ("D:\\Back\nups", "control character"),
            ("D:\\Back`\nups", "control character"),
            ("D:\\Backups\\a|b", "'|'"),
            ("D:\\Backups\\..\\Windows", "'..'"),
        ],
    )
    def test_refused_before_any_module_run(self, path: str, expected: str) -> None:
        node = FakeNode()
        result = run_backup(node, {"path": path})
        assert result["failed"] is True
        assert expected in result["msg"]
        assert result["module_runs"] == 0
        assert result["phases"] == []
        assert node.runs == []
        assert result["changed"] is False

    @pytest.mark.parametrize(
        "path",
        [
            "\\\\FS01\\clusterbackups\\it's",
            "\\\\FS01\\clusterbackups\\a;b",
            "\\\\FS01\\clusterbackups\\$(Stop-Computer -Force)",
            "\\\\FS01\\clusterbackups\\tick`n",
            "\\\\fs01\\share\\x'; calc; '",
        ],
    )
    def test_metacharacters_reach_the_module_as_data(self, path: str) -> None:
        # Legal in Windows names (plugin_utils._paths): carried unchanged, never refused.
        node = FakeNode()
        result = run_backup(node, {"path": path})
        assert result.get("failed") is not True, result.get("msg")
        assert {run["args"]["path"] for run in node.runs} == {path}
        assert result["set_path"] == path + "\\" + result["set_name"]

    def test_a_file_is_refused_with_error_directory_before_the_backup(self) -> None:
        node = FakeNode(path_is_file=True)
        result = run_backup(node, {"path": "D:\\Backups\\notes.txt"})
        assert result["failed"] is True
        assert result["error_code"] == 267
        assert "names a file, not a directory" in result["msg"]
        assert "D:\\Backups\\notes.txt" in result["msg"]
        assert result["phases"] == ["inspect"]
        assert result["changed"] is False

    def test_unknown_route_is_refused_before_any_module_run(self) -> None:
        node = FakeNode()
        with pytest.raises(AnsibleActionFail, match="route"):
            run_backup(node, {"path": "D:\\Backups", "route": "tape"})
        assert node.runs == []


class TestBackup:
    def test_needed_backup_runs_three_phases_and_writes_a_verifiable_set(self) -> None:
        node = FakeNode()
        result = run_backup(node, SHARE)
        assert result.get("failed") is not True, result.get("msg")
        assert result["changed"] is True
        assert result["phases"] == ["inspect", "backup", "finalize"]
        assert result["module_runs"] == 3
        assert result["route"] == "vss"
        assert result["set_name"] == "20261122T020304Z_clusterdb_e2s41"
        assert result["set_path"] == "\\\\FS01\\clusterbackups\\20261122T020304Z_clusterdb_e2s41"
        assert result["configuration_version"]["paxos_tag"] == PAXOS
        assert result["cluster"]["name"] == "CLU01"
        assert result["wbadmin_version"] == "11/22/2026-02:03"
        # Only the finished set is left; its listing verifies against its manifest.
        assert list(node.directories) == [result["set_name"]]
        written = node.directories[result["set_name"]]
        verdict = verify_backup_set(
            marker_present=COMPLETION_MARKER_NAME in written,
            manifest_text=written[MANIFEST_NAME].decode("utf-8"),
            files=node.file_listing(result["set_name"]),
            set_name=result["set_name"],
        )
        assert verdict.is_complete and verdict.hashes_checked, verdict.message
        manifest = json.loads(written[MANIFEST_NAME])
        assert manifest["source_node"] == "NODE1"
        assert manifest["cluster"]["id"] == CLUSTER["id"]
        assert {f["sha256"] for f in result["files"]} == {
            sha256(data)
            for path, data in written.items()
            if path not in (MANIFEST_NAME, COMPLETION_MARKER_NAME)
        }

    def test_local_path_gives_wbadmin_the_admin_share_of_the_staging_directory(self) -> None:
        node = FakeNode()
        run_backup(node, LOCAL_OPT_IN)
        backup = node.runs[1]["args"]
        assert backup["_staging_name"] == "unfinished_20261122T020304Z_clusterdb_e2s41"
        assert backup["_wbadmin_target"] == (
            "\\\\NODE1\\D$\\Backups\\unfinished_20261122T020304Z_clusterdb_e2s41"
        )

    def test_unc_path_is_the_wbadmin_target_itself(self) -> None:
        node = FakeNode()
        run_backup(node, UNC)
        assert node.runs[1]["args"]["_wbadmin_target"] == (
            "\\\\fs01\\clusterbackups\\unfinished_20261122T020304Z_clusterdb_e2s41"
        )

    def test_second_run_is_one_module_run_and_changes_nothing(self) -> None:
        node = FakeNode()
        first = run_backup(node, SHARE)
        before = copy.deepcopy(node.directories)
        node.runs.clear()
        second = run_backup(node, SHARE)
        assert second.get("failed") is not True, second.get("msg")
        assert second["changed"] is False
        assert second["module_runs"] == 1
        assert second["phases"] == ["inspect"]
        assert node.runs[0]["args"]["_hash_sets"] == "newest"
        assert second["set_name"] == first["set_name"]
        assert second["files"] == first["files"]
        assert node.directories == before

    def test_new_configuration_version_makes_a_new_set(self) -> None:
        node = FakeNode()
        first = run_backup(node, SHARE)
        node.paxos_tag = "2:2:42"
        second = run_backup(node, SHARE)
        assert second["changed"] is True
        assert second["set_name"] == "20261122T020304Z_clusterdb_e2s42"
        assert sorted(node.directories) == sorted([first["set_name"], second["set_name"]])

    def test_corrupted_newest_set_is_not_taken_as_up_to_date(self) -> None:
        node = FakeNode()
        first = run_backup(node, SHARE)
        files = node.directories[first["set_name"]]
        victim = next(p for p in files if p.endswith(".vhdx"))
        files[victim] = b"flipped" + files[victim][7:]
        second = run_backup(node, SHARE)
        assert second["changed"] is True
        assert second["phases"] == ["inspect", "backup", "finalize"]
        assert second["set_name"] != first["set_name"]

    def test_set_of_another_cluster_is_not_taken_as_up_to_date(self) -> None:
        node = FakeNode()
        run_backup(node, SHARE)
        node.cluster = dict(CLUSTER, id="00000000-0000-0000-0000-0000000000ff")
        second = run_backup(node, SHARE)
        assert second["changed"] is True
        assert second["module_runs"] == 3

    def test_a_change_during_the_backup_gives_a_complete_set_recorded_with_the_range(
        self,
    ) -> None:
        node = FakeNode()
        node.paxos_tag_after_backup = "2:2:43"
        result = run_backup(node, SHARE)
        assert result.get("failed") is not True, result.get("msg")
        assert result["phases"] == ["inspect", "backup", "finalize"]
        assert result["set_name"] == "20261122T020304Z_clusterdb_e2s41"  # the version before
        assert result["configuration_version"]["paxos_tag"] == PAXOS
        assert result["configuration_version"]["paxos_tag_after"] == "2:2:43"
        assert "2:41 to 2:43" in result["msg"]
        files = node.directories[result["set_name"]]
        assert COMPLETION_MARKER_NAME in files
        document = json.loads(files[MANIFEST_NAME])
        assert document["configuration_version"]["paxos_tag"] == PAXOS
        assert document["configuration_version_after"]["paxos_tag"] == "2:2:43"
        listed = [
            {"path": p, "size": len(d), "sha256": sha256(d)}
            for p, d in files.items()
            if p not in (MANIFEST_NAME, COMPLETION_MARKER_NAME)
        ]
        verdict = verify_backup_set(
            marker_present=True,
            manifest_text=files[MANIFEST_NAME].decode("utf-8"),
            files=listed,
            set_name=result["set_name"],
        )
        assert verdict.is_complete, verdict.message

    def test_the_next_run_after_a_ranged_set_backs_up_again(self) -> None:
        node = FakeNode()
        node.paxos_tag_after_backup = "2:2:43"
        first = run_backup(node, SHARE)
        node.paxos_tag, node.paxos_tag_after_backup = "2:2:43", None
        second = run_backup(node, SHARE)
        assert second["changed"] is True
        assert second["phases"] == ["inspect", "backup", "finalize"]
        assert second["set_name"] == "20261122T020304Z_clusterdb_e2s43"
        assert sorted(node.directories) == sorted([first["set_name"], second["set_name"]])
        third = run_backup(node, SHARE)  # an ordinary set: the next run has nothing to do
        assert third["changed"] is False and third["phases"] == ["inspect"]

    def test_a_ranged_set_is_never_the_current_version_even_at_its_first_tag(self) -> None:
        node = FakeNode()
        node.paxos_tag_after_backup = "2:2:43"
        first = run_backup(node, SHARE)
        node.paxos_tag_after_backup = None  # the cluster reads the set's first tag again
        second = run_backup(node, SHARE)
        assert second["changed"] is True
        assert second["set_name"] != first["set_name"]

    def test_a_tag_that_went_back_during_the_backup_is_refused_with_5083(self) -> None:
        node = FakeNode(paxos_tag="2:2:42")
        node.paxos_tag_after_backup = "2:2:41"
        result = run_backup(node, SHARE)
        assert result["failed"] is True
        assert result["error_code"] == 5083
        assert "2:2:42 before the backup, 2:2:41 after it" in result["msg"]
        assert result["phases"] == ["inspect", "backup"]
        assert not any(name.startswith("2026") for name in node.directories)


class TestCheckMode:
    def test_check_mode_reports_the_plan_after_inspect_only(self) -> None:
        node = FakeNode()
        result = run_backup(node, SHARE, check_mode=True)
        assert result.get("failed") is not True, result.get("msg")
        assert result["changed"] is True
        assert result["phases"] == ["inspect"]
        assert result["module_runs"] == 1
        assert result["set_name"] == "20261122T020304Z_clusterdb_e2s41"
        assert result["set_path"] == "\\\\FS01\\clusterbackups\\20261122T020304Z_clusterdb_e2s41"
        assert result["route"] == "vss"
        assert result["backup_path"] == "\\\\FS01\\clusterbackups"
        assert "would back up" in result["msg"]
        assert node.directories == {}

    def test_check_mode_on_an_up_to_date_directory_reports_no_change(self) -> None:
        node = FakeNode()
        run_backup(node, SHARE)
        result = run_backup(node, SHARE, check_mode=True)
        assert result["changed"] is False
        assert result["phases"] == ["inspect"]


class TestLoopbackTarget:
    def test_local_path_with_route_vss_is_refused_before_any_module_run(self) -> None:
        node = FakeNode()
        result = run_backup(node, {**LOCAL, "route": "vss"})
        assert result["failed"] is True
        assert "D:\\Backups" in result["msg"]
        assert "shared folder on another computer" in result["msg"]
        assert "docs/windows-behaviour.md#wbadmin-backup-target" in result["msg"]
        assert "backup_path=\\\\fs01\\clusterbackups" in result["msg"]
        assert "loopback_target=true" in result["msg"]
        assert node.runs == []
        assert result["module_runs"] == 0
        assert result["changed"] is False

    def test_local_path_with_route_auto_is_refused_after_the_read_only_inspect(self) -> None:
        node = FakeNode()
        result = run_backup(node, LOCAL)
        assert result["failed"] is True
        assert "not documented" in result["msg"]
        assert node.phases == ["inspect"]
        assert node.directories == {}
        assert result["changed"] is False

    def test_local_path_is_refused_in_check_mode_too(self) -> None:
        node = FakeNode()
        result = run_backup(node, LOCAL, check_mode=True)
        assert result["failed"] is True
        assert node.phases == ["inspect"]

    @pytest.mark.parametrize(
        "server", ["NODE1", "node1", "NODE2", "node2.corp.example", "NODE2.CORP.EXAMPLE"]
    )
    def test_unc_to_a_cluster_node_is_refused_after_inspect(self, server: str) -> None:
        node = FakeNode()
        path = f"\\\\{server}\\clusterbackups"
        result = run_backup(node, {"path": path, "route": "vss"})
        assert result["failed"] is True
        assert path in result["msg"]
        assert "backup_loopback_target: true" in result["msg"]
        assert node.phases == ["inspect"]
        assert node.directories == {}

    def test_unc_to_a_file_server_writes_a_set(self) -> None:
        node = FakeNode()
        result = run_backup(node, {**SHARE, "route": "vss"})
        assert result.get("failed") is not True, result.get("msg")
        assert node.phases == ["inspect", "backup", "finalize"]

    @pytest.mark.parametrize(
        "args", [LOCAL_OPT_IN, {"path": "\\\\NODE2\\b", "loopback_target": True}]
    )
    def test_opt_in_writes_through_the_node(self, args: dict[str, t.Any]) -> None:
        node = FakeNode()
        result = run_backup(node, {**args, "route": "vss"})
        assert result.get("failed") is not True, result.get("msg")
        assert node.phases == ["inspect", "backup", "finalize"]
        # Controller only: the PowerShell module never receives the option.
        assert all("loopback_target" not in run["args"] for run in node.runs)

    def test_clusapi_route_on_a_local_path_needs_no_opt_in(self) -> None:
        node = FakeNode(os_version=SERVER_2003, windows_server_backup=False)
        result = run_backup(node, {**LOCAL, "route": "auto"})
        assert result.get("failed") is not True, result.get("msg")
        assert result["route"] == "clusapi"
        assert node.phases == ["inspect", "backup", "finalize"]


class TestRoutes:
    def test_auto_on_server_2022_is_vss(self) -> None:
        node = FakeNode(os_version=SERVER_2022)
        result = run_backup(node, {**SHARE, "route": "auto"})
        assert result["route"] == "vss"
        assert node.runs[1]["args"]["route"] == "vss"

    def test_auto_on_server_2003_is_clusapi_with_no_wbadmin_target(self) -> None:
        node = FakeNode(os_version=SERVER_2003, windows_server_backup=False)
        result = run_backup(node, {"path": "\\\\fs01\\clusterbackups", "route": "auto"})
        assert result.get("failed") is not True, result.get("msg")
        assert result["route"] == "clusapi"
        backup_args = node.runs[1]["args"]
        assert backup_args["route"] == "clusapi"
        assert "_wbadmin_target" not in backup_args
        assert result["wbadmin_version"] is None
        written = node.directories[result["set_name"]]
        assert json.loads(written[MANIFEST_NAME])["route"] == "clusapi"

    def test_clusapi_on_server_2022_is_refused_naming_vss(self) -> None:
        node = FakeNode(os_version=SERVER_2022)
        result = run_backup(node, {"path": "D:\\Backups", "route": "clusapi"})
        assert result["failed"] is True
        assert result["error_code"] == 120
        assert "route=vss" in result["msg"]
        assert "2008 or later" in result["msg"]
        assert result["phases"] == ["inspect"]

    def test_vss_without_the_feature_is_refused_naming_the_install(self) -> None:
        node = FakeNode(os_version=SERVER_2022, windows_server_backup=False)
        result = run_backup(node, {"path": "D:\\Backups", "route": "auto"})
        assert result["failed"] is True
        assert "Install-WindowsFeature Windows-Server-Backup" in result["msg"]
        assert result["phases"] == ["inspect"]


def hresult_output(hresult: str, text: str) -> str:
    return f"Starting a system state backup...\r\nERROR - {text} ({hresult})\r\n"


class TestWindowsErrors:
    @pytest.mark.parametrize(
        ("hresult", "text", "code", "expected"),
        [
            ("0x80070070", "There is not enough space on the disk.", 112, "ran out of space"),
            ("0x80070005", "Access is denied.", 5, "may not write to"),
            ("0x8007173D", "A backup is already running.", 5949, "another backup"),
            ("0x80071725", "The cluster has no quorum.", 5925, "has no quorum"),
        ],
    )
    def test_wbadmin_failure_codes_become_explanations(self, hresult, text, code, expected):
        node = FakeNode()
        node.route_exit_code = 1
        node.route_output = hresult_output(hresult, text)
        result = run_backup(node, SHARE)
        assert result["failed"] is True
        assert result["error_code"] == code
        assert expected in result["msg"]
        assert text in result["msg"]
        assert result["error"]["fix"] in result["msg"]
        assert result["route_exit_code"] == 1
        assert result["phases"] == ["inspect", "backup"]
        # Nothing finished: the previous sets are whole, only a staging directory is left.
        assert all(name.startswith("unfinished_") for name in node.directories)

    def test_wbadmin_failure_without_a_code_quotes_wbadmin(self) -> None:
        node = FakeNode()
        node.route_exit_code = 2
        node.route_output = "ERROR - The specified backup storage location is not valid.\r\n"
        result = run_backup(node, SHARE)
        assert result["failed"] is True
        assert result["error_code"] is None
        assert "The specified backup storage location is not valid." in result["msg"]
        assert "exited with code 2" in result["msg"]
        assert "Microsoft-Windows-Backup" in result["msg"]

    def test_legacy_route_answering_120_names_vss(self) -> None:
        node = FakeNode(os_version=SERVER_2003, windows_server_backup=False)
        node.route_exit_code = 120
        result = run_backup(node, UNC)
        assert result["failed"] is True
        assert result["error_code"] == 120
        assert "route=vss" in result["msg"]

    @pytest.mark.parametrize(
        ("phase", "code", "expected"),
        [
            ("inspect", 5, "ERROR_ACCESS_DENIED"),
            ("backup", 5, "ERROR_ACCESS_DENIED"),
            ("backup", 267, "names a file"),
            ("finalize", 112, "ran out of space"),
        ],
    )
    def test_module_failures_with_a_code_are_explained(self, phase, code, expected) -> None:
        node = FakeNode()
        node.fail_phase[phase] = {"msg": "raw text from the node", "error_code": code}
        result = run_backup(node, SHARE)
        assert result["failed"] is True
        assert result["error_code"] == code
        assert expected in result["msg"]
        assert "raw text from the node" in result["msg"]
        assert result["phases"][-1] == phase

    def test_feature_missing_when_the_route_runs(self) -> None:
        node = FakeNode()
        node.fail_phase["backup"] = {
            "msg": "wbadmin.exe was not found",
            "condition": "windows_server_backup_missing",
            "error_code": None,
        }
        result = run_backup(node, SHARE)
        assert result["failed"] is True
        assert "Windows Server Backup feature" in result["msg"]
        assert "Install-WindowsFeature" in result["msg"]

    def test_no_quorum_is_5925(self) -> None:
        node = FakeNode(cluster_error={"code": 5925, "message": "no quorum"})
        result = run_backup(node, SHARE)
        assert result["failed"] is True
        assert result["error_code"] == 5925
        assert "has no quorum" in result["msg"]
        assert result["module_runs"] == 1

    def test_cluster_unreachable_without_a_code_is_taken_as_no_quorum(self) -> None:
        node = FakeNode(cluster_error={"code": None, "message": "cannot connect"})
        result = run_backup(node, SHARE)
        assert result["error_code"] == 5925
        assert "cannot connect" in result["msg"]

    def test_service_stopped_is_1062(self) -> None:
        node = FakeNode(service_state="stopped")
        result = run_backup(node, SHARE)
        assert result["error_code"] == 1062
        assert "Cluster service is not running" in result["msg"]

    def test_node_down_is_5050(self) -> None:
        result = run_backup(FakeNode(node_state="Down"), SHARE)
        assert result["error_code"] == 5050

    def test_paused_node_is_refused_with_the_way_out(self) -> None:
        result = run_backup(FakeNode(node_state="Paused"), SHARE)
        assert result["failed"] is True
        assert "Resume-ClusterNode" in result["msg"]
        assert result["phases"] == ["inspect"]


# The lab's own non-English stand-ins for wbadmin's labels (tests/lab/wsfc_lab/world/wbadmin.py):
# Windows' real localized wording is not known; only identifiers and names stay as they are.
LOCALIZED_VERSIONS = (
    "wbadmin 1.0 - Sicherungsbefehlszeilenprogramm\r\n"
    "\r\n"
    "Sicherungszeitpunkt: 22.11.2026 02:03\r\n"
    "Sicherungsziel: Netzwerkfreigabe {target}\r\n"
    "Versionsbezeichner: " + VERSION_ID + "\r\n"
    "Wiederherstellbar: Anwendung(en), Systemstatus\r\n"
)
LOCALIZED_ITEMS = (
    "wbadmin 1.0 - Sicherungsbefehlszeilenprogramm\r\n"
    "\r\n"
    "Anwendung = Registry\r\n"
    "Komponente = Registrierung\r\n"
    "\r\n"
    "Anwendung = Cluster\r\n"
    "Komponente = Clusterdatenbank\r\n"
)


class TestClusterComponent:
    """A new system state backup is sealed only when wbadmin get items lists Cluster."""

    def assert_refused_before_finalize(self, node: FakeNode, result: dict) -> None:
        assert result["failed"] is True
        assert result["phases"] == ["inspect", "backup"]
        assert result["changed"] is True
        # The staging directory stays unfinished: no manifest, no completion marker.
        (name,) = node.directories
        assert name.startswith("unfinished_")
        assert MANIFEST_NAME not in node.directories[name]
        assert COMPLETION_MARKER_NAME not in node.directories[name]
        assert result["staging_path"] == "\\\\FS01\\clusterbackups\\" + name
        assert result["staging_path"] in result["msg"]

    def test_a_version_without_the_cluster_application_is_not_sealed(self) -> None:
        node = FakeNode()
        node.items_outputs = {
            VERSION_ID: "Application = Registry\r\nComponent = Registry\r\n",
        }
        result = run_backup(node, SHARE)
        self.assert_refused_before_finalize(node, result)
        assert "does not hold the Cluster application" in result["msg"]
        assert "it lists Registry" in result["msg"]
        assert VERSION_ID in result["msg"]
        assert "Cluster service is running" in result["msg"]  # the fix

    def test_a_failed_get_items_is_quoted(self) -> None:
        node = FakeNode()
        node.items_outputs = {VERSION_ID: "ERROR - The backup version was not found.\r\n"}
        result = run_backup(node, SHARE)
        self.assert_refused_before_finalize(node, result)
        assert "The backup version was not found." in result["msg"]

    def test_no_listing_for_the_new_version_is_not_sealed(self) -> None:
        node = FakeNode()
        node.items_outputs = {"11/21/2026-01:00": ITEMS}  # another version only
        result = run_backup(node, SHARE)
        self.assert_refused_before_finalize(node, result)
        assert "returned no 'wbadmin get items' listing" in result["msg"]

    def test_the_check_reads_the_listing_of_the_new_version(self) -> None:
        node = FakeNode()
        node.items_outputs = {
            "11/21/2026-01:00": "Application = Registry\r\n",
            VERSION_ID: ITEMS,
        }
        result = run_backup(node, SHARE)
        assert result.get("failed") is not True, result.get("msg")
        assert result["phases"] == ["inspect", "backup", "finalize"]

    def test_a_localized_node_is_backed_up_and_sealed(self) -> None:
        node = FakeNode()
        node.route_output = "wbadmin 1.0\r\nDie Sicherung wurde abgeschlossen.\r\n"
        node.versions_output = LOCALIZED_VERSIONS
        node.items_outputs = {VERSION_ID: LOCALIZED_ITEMS}
        result = run_backup(node, SHARE)
        assert result.get("failed") is not True, result.get("msg")
        assert result["wbadmin_version"] == VERSION_ID
        assert result["phases"] == ["inspect", "backup", "finalize"]
        assert list(node.directories) == [result["set_name"]]

    def test_a_localized_listing_without_cluster_is_refused(self) -> None:
        node = FakeNode()
        node.items_outputs = {
            VERSION_ID: "Anwendung = Registry\r\nKomponente = Registrierung\r\n",
        }
        result = run_backup(node, SHARE)
        self.assert_refused_before_finalize(node, result)
        assert "it lists Registry" in result["msg"]

    def test_the_legacy_route_has_no_wbadmin_listing_to_check(self) -> None:
        node = FakeNode(os_version=SERVER_2003, windows_server_backup=False)
        result = run_backup(node, UNC)
        assert result.get("failed") is not True, result.get("msg")
        assert result["phases"] == ["inspect", "backup", "finalize"]


# Keys Ansible and Ansible.Basic put in any result (tests/static/contract_compare.py).
STANDARD_KEYS = {"changed", "failed", "msg", "invocation", "warnings", "deprecations"}
RUN_KEYS = {"changed", "failed", "msg", "invocation", "warnings", "deprecations", "unreachable"}


@pytest.mark.parametrize(
    ("node", "check_mode"),
    [
        (FakeNode(), False),  # a backup: every phase
        (FakeNode(), True),  # check mode: inspect only
        (FakeNode(node_state="Paused"), False),  # refused after the inspect
    ],
    ids=["backup", "check-mode", "refused"],
)
def test_every_key_of_the_task_result_is_declared(node: FakeNode, check_mode: bool) -> None:
    result = run_backup(node, SHARE, check_mode=check_mode)
    assert set(result) - STANDARD_KEYS <= cluster_backup.ADDED_RESULT_KEYS


class TestPhaseResults:
    """Each phase's raw result is under phase_results, by phase name; the top level holds
    what the controller concluded."""

    def test_each_phase_raw_result_is_kept_by_phase_name(self) -> None:
        node = FakeNode()
        result = run_backup(node, SHARE)
        assert list(result["phase_results"]) == ["inspect", "backup", "finalize"]
        for run in node.runs:
            phase = run["args"]["_phase"]
            raw = {k: v for k, v in run["result"].items() if k not in RUN_KEYS}
            assert result["phase_results"][phase] == raw
        # The raw listing and the route's raw output are there, not at the top.
        assert result["phase_results"]["inspect"]["sets"] == []
        assert "sets" not in result and "path_info" not in result
        assert "versions_output" not in result and "paxos_tag_before" not in result
        assert result["phase_results"]["backup"]["route_output"] == WBADMIN_OK
        assert "route_output" not in result  # the route succeeded
        # The controller's configuration version (with its parts), the raw one below.
        assert result["configuration_version"]["sequence"] == 41
        assert result["phase_results"]["inspect"]["configuration_version"] == {
            "paxos_tag": PAXOS,
            "source": "cluster",
        }

    def test_a_failed_phase_is_kept_with_what_it_returned(self) -> None:
        node = FakeNode()
        node.fail_phase["finalize"] = {"msg": "disk full", "error_code": 112}
        result = run_backup(node, SHARE)
        assert result["failed"] is True
        assert result["phase_results"]["finalize"] == {"phase": "finalize", "error_code": 112}

    def test_a_run_refused_before_any_module_run_has_none(self) -> None:
        result = run_backup(FakeNode(), {"path": "relative"})
        assert result["phase_results"] == {}

    def test_a_failed_inspect_still_names_the_node(self) -> None:
        node = FakeNode()
        node.fail_phase["inspect"] = {"msg": "denied", "error_code": 5, "node_name": "NODE1"}
        result = run_backup(node, SHARE)
        assert result["failed"] is True
        assert result["node_name"] == "NODE1"


INTERNAL_OPTIONS = [
    "_phase",
    "_include_configuration",
    "_hash_sets",
    "_staging_name",
    "_wbadmin_target",
    "_set_name",
    "_manifest",
    "_home_writers",
]


class TestInternalOptions:
    @pytest.mark.parametrize("name", INTERNAL_OPTIONS)
    def test_an_internal_option_is_refused_before_any_module_run(self, name: str) -> None:
        node = FakeNode()
        result = run_backup(node, {**SHARE, name: "x"})
        assert result["failed"] is True
        assert result["msg"].startswith(
            f"{name} is an internal option of cluster_backup, set by its action plugin"
        )
        assert "a task cannot set it" in result["msg"]
        options = (
            "The task's options are path, route, loopback_target, node_account_domain, copies, "
            "signing_key."
        )
        assert options in result["msg"]
        assert node.runs == []
        assert result["module_runs"] == 0 and result["changed"] is False

    def test_several_are_named_together(self) -> None:
        node = FakeNode()
        result = run_backup(node, {**SHARE, "_set_name": "x", "_phase": "finalize"})
        assert result["msg"].startswith("_phase, _set_name are internal options of")
        assert "a task cannot set them" in result["msg"]
        assert node.runs == []

    @pytest.mark.parametrize("name", ["phase", "staging_name", "manifest"])
    def test_the_old_public_names_are_unknown_options(self, name: str) -> None:
        node = FakeNode()
        with pytest.raises(AnsibleActionFail, match=f"Invalid options for .*{name}"):
            run_backup(node, {**SHARE, name: "x"})
        assert node.runs == []

    def test_each_phase_gets_its_internal_options(self) -> None:
        node = FakeNode()
        run_backup(node, SHARE)
        inspect, backup, finalize = (run["args"] for run in node.runs)
        assert inspect == {
            "path": SHARE["path"],
            "route": "auto",
            "copies": [],
            "_include_configuration": True,
            "_hash_sets": "newest",
            "_phase": "inspect",
        }
        assert {k for k in backup if k.startswith("_")} == {
            "_phase", "_staging_name", "_wbadmin_target", "_home_writers",
        }  # fmt: skip
        assert {k for k in finalize if k.startswith("_")} == {
            "_phase", "_staging_name", "_set_name", "_manifest",
        }  # fmt: skip

    def test_the_invocation_shows_the_task_options_only(self) -> None:
        class InvokedNode(FakeNode):
            def __call__(self, module_name=None, module_args=None, task_vars=None, **_):
                result = super().__call__(module_name, module_args, task_vars)
                # As Ansible.Basic reports it: every option the module received.
                return {**result, "invocation": {"module_args": dict(module_args)}}

        result = run_backup(InvokedNode(), {**SHARE, "node_account_domain": "CORP"})
        assert result["invocation"]["module_args"] == {
            "path": SHARE["path"],
            "route": "auto",
            "copies": [],
            # The controller's own options, which the module never receives.
            "loopback_target": False,
            "node_account_domain": "CORP",
            "signing_key": None,
        }

    def test_the_module_warnings_reach_the_task(self) -> None:
        class WarningNode(FakeNode):
            def _inspect(self, args):
                return {**super()._inspect(args), "warnings": ["inspect said so"]}

        result = run_backup(WarningNode(), SHARE)
        assert result["warnings"] == ["inspect said so"]
        assert "warnings" not in result["phase_results"]["inspect"]
