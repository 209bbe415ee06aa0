"""The cluster_restore action plugin, with the node replaced by a scripted _execute_module.

The fake node answers each phase with raw results shaped as plugins/modules/cluster_restore.py
documents them, from a small description of the cluster and of the set on disk.
"""

from __future__ import annotations

import copy
import hashlib
import typing as t
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
import yaml
from action_harness import make_action
from ansible_collections.wsfc.clusterdb.plugins.action import cluster_restore
from ansible_collections.wsfc.clusterdb.plugins.action.cluster_restore import ActionModule
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._manifest import (
    build_manifest,
    manifest_to_json,
)

SET_NAME = "20261122T020304Z_clusterdb_e2s41"
LOCATION = r"\\fs01\clusterbackups"
SET_PATH = LOCATION + "\\" + SET_NAME
BACKUP_TAG = "2:2:41"
CURRENT_TAG = "2:2:57"
WBADMIN_VERSION = "11/22/2026-02:03"
PARTITIONS = [{"number": 1, "offset": 1048576, "size": 536870912}]


def configuration(disk_parameters: dict[str, object] | None = None) -> dict[str, list]:
    """Two groups and their resources; the SQL disk's parameters vary between tests."""
    return {
        "groups": [
            {"name": "Cluster Group", "state": "Online", "owner_node": "N1",
             "preferred_owners": [], "is_core_group": True},
            {"name": "SQL", "state": "Online", "owner_node": "N1",
             "preferred_owners": ["N1", "N2"], "is_core_group": False},
        ],
        "resources": [
            {"name": "Cluster Disk 1", "type": "Physical Disk", "group": "Cluster Group",
             "state": "Online", "owner_node": "N1", "parameters": {"DiskSignature": "1A2B"},
             "dependencies": "", "possible_owners": ["N1", "N2", "N3"]},
            {"name": "SQL Disk", "type": "Physical Disk", "group": "SQL", "state": "Online",
             "owner_node": "N1", "parameters": disk_parameters or {"DiskSignature": "3C4D"},
             "dependencies": "", "possible_owners": ["N1", "N2", "N3"]},
        ],
        "networks": [
            {"name": "Cluster Network 1", "role": "ClusterAndClient", "address": "10.0.0.0",
             "address_mask": "255.255.255.0", "state": "Up"},
        ],
    }  # fmt: skip


def quorum(partitions: list[dict] | None = None) -> dict[str, object]:
    return {
        "type": "NodeAndDiskMajority",
        "witness": {
            "type": "disk", "resource": "Cluster Disk 1", "owner_node": "N1", "path": None,
            "disk": {"number": 1, "signature": "1A2B", "drive_letter": "Q:",
                     "partitions": partitions if partitions is not None else PARTITIONS},
        },
    }  # fmt: skip


@dataclass
class BackupSet:
    """A set on disk: its files, its manifest, its marker."""

    cluster_id: str = "6f1c3c9b-0000-4000-8000-000000000001"
    cluster_name: str = "CLU01"
    source_node: str = "N1"
    route: str = "vss"
    paxos_tag: str = BACKUP_TAG
    configuration: dict = field(default_factory=configuration)
    quorum: dict = field(default_factory=quorum)
    contents: dict[str, bytes] = field(
        default_factory=lambda: {
            "WindowsImageBackup/N1/Catalog/BackupGlobalCatalog": b"catalog",
            "WindowsImageBackup/N1/SystemState.vhdx": b"system state",
        }
    )
    marker_present: bool = True
    tampered: dict[str, bytes] = field(default_factory=dict)

    def listing(self) -> dict[str, object]:
        manifest = build_manifest(
            cluster={"name": self.cluster_name, "id": self.cluster_id},
            source_node=self.source_node,
            route=self.route,
            paxos_tag=self.paxos_tag,
            quorum=self.quorum,
            configuration=self.configuration,
            files=[
                {"path": p, "size": len(b), "sha256": hashlib.sha256(b).hexdigest()}
                for p, b in self.contents.items()
            ],
            created=datetime(2026, 11, 22, 2, 3, 4, tzinfo=UTC),
            wbadmin_version=WBADMIN_VERSION if self.route == "vss" else None,
        )
        on_disk = {**self.contents, **self.tampered}
        return {
            "name": SET_NAME,
            "marker_present": self.marker_present,
            "manifest_text": manifest_to_json(manifest),
            "files": [
                {"path": p.replace("/", "\\"), "size": len(b),
                 "sha256": hashlib.sha256(b).hexdigest()}
                for p, b in sorted(on_disk.items())
            ],
        }  # fmt: skip


@dataclass
class Cluster:
    """The cluster as the node sees it, and how the route behaves."""

    cluster_id: str = "6f1c3c9b-0000-4000-8000-000000000001"
    paxos_tag: str = CURRENT_TAG
    configuration: dict = field(default_factory=lambda: configuration({"DiskSignature": "9999"}))
    quorum: dict = field(default_factory=quorum)
    others: dict[str, str | None] = field(
        default_factory=lambda: {"N2": "running", "N3": "running"}
    )
    os_version: str = "10.0.20348"
    backup_set: BackupSet = field(default_factory=BackupSet)
    route_exit_code: int = 0
    route_output: str = "The recovery operation completed successfully."
    child_sets: list[str] | None = None

    def inspect(self) -> dict[str, t.Any]:
        return {
            "changed": False,
            "phase": "inspect",
            "node_name": "N1",
            "cluster_service": {"installed": True, "state": "running", "start_mode": "auto"},
            "os": {"name": "Windows Server 2022", "version": self.os_version},
            "backup_tools": {"windows_server_backup": True, "wbadmin": True, "clusapi": True},
            "configuration_version": {"paxos_tag": self.paxos_tag, "source": "cluster"},
            "cluster": {"name": "CLU01", "id": self.cluster_id, "domain": "corp.example.com"},
            "nodes": [
                {"name": "N1", "id": "1", "state": "Up"},
                *({"name": n, "id": str(i + 2), "state": "Up" if s == "running" else "Down"}
                  for i, (n, s) in enumerate(self.others.items())),
            ],
            "core_group_owner": "N1",
            "quorum": self.quorum,
            "configuration": self.configuration,
            "cluster_error": None,
            "local_database": {"present": True, "source": "cluster", "paxos_tag": self.paxos_tag,
                               "cluster_name": "CLU01", "nodes": ["N1", *self.others]},
            "node_list_source": "cluster",
            "node_services": [{"name": n, "state": s, "error": None if s else "RPC"}
                              for n, s in self.others.items()],
            "path_info": {"exists": True, "is_directory": True},
            "set": None if self.child_sets else self.backup_set.listing(),
            "child_sets": self.child_sets,
        }  # fmt: skip

    def restore(self, args: dict[str, t.Any]) -> dict[str, t.Any]:
        before = [{"name": n, "state": self.others.get(n), "error": None}
                  for n in args["_other_nodes"]]  # fmt: skip
        listed = [
            {key: entry.get(key) for key in ("path", "size", "last_write_utc")}
            for entry in self.backup_set.listing()["files"]  # type: ignore[union-attr]
        ]
        guard = self.guard(args, before, listed)
        if guard:
            return {"failed": True, "msg": "the route did not run", "phase": "restore",
                    "node_name": "N1", "node_services_before": before, "set_files": listed,
                    "condition": guard}  # fmt: skip
        succeeded = self.route_exit_code == 0
        return {
            "changed": True,
            "phase": "restore",
            "node_name": "N1",
            "node_services_before": before,
            "set_files": listed if args.get("_checked_files") is not None else None,
            "cluster_service": {"installed": True, "state": "stopped", "start_mode": "auto"},
            "route": args["route"],
            "route_command": ["wbadmin.exe", "start", "recovery"],
            "route_exit_code": self.route_exit_code,
            "route_output": self.route_output,
            "paxos_tag": self.backup_set.paxos_tag if succeeded else self.paxos_tag,
            "node_services": [{"name": n, "state": "stopped", "error": None}
                              for n in args["_other_nodes"]],
            "error_code": None,
        }  # fmt: skip

    @staticmethod
    def guard(args: dict[str, t.Any], before: list[dict], listed: list[dict]) -> str | None:
        """The restore phase's reading again, as cluster_restore.ps1 does it."""
        if args.get("_checked_node") not in (None, "N1"):
            return "other_node"
        if args.get("_checked_files") is not None and args["_checked_files"] != listed:
            return "set_changed"
        must_answer = set(args.get("_must_answer") or [])
        if any(e["name"] in must_answer and e["state"] is None for e in before):
            return "node_unreachable"
        must_be_stopped = set(args.get("_must_be_stopped") or [])
        if any(e["name"] in must_be_stopped and e["state"] not in (None, "stopped")
               for e in before):  # fmt: skip
            return "node_running"
        return None


class ScriptedNode:
    """Records every module run (phase and arguments) and answers from the Cluster."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.runs: list[dict[str, t.Any]] = []

    @property
    def phases(self) -> list[str]:
        return [run["_phase"] for run in self.runs]

    def __call__(self, module_name=None, module_args=None, task_vars=None, **_):
        assert module_name == "wsfc.clusterdb.cluster_restore"
        self.runs.append(copy.deepcopy(module_args))
        if module_args["_phase"] == "inspect":
            raw = self.cluster.inspect()
        else:
            raw = self.cluster.restore(module_args)
        # Ansible.Basic echoes every option it was given, the internal ones included.
        raw.setdefault("invocation", {"module_args": copy.deepcopy(module_args)})
        return raw


def run_action(
    args: dict[str, t.Any],
    cluster: Cluster | None = None,
    *,
    check_mode: bool = False,
    diff: bool = False,
) -> tuple[dict[str, t.Any], ScriptedNode]:
    node = ScriptedNode(cluster or Cluster())
    action = make_action(
        ActionModule, "cluster_restore", args, node, check_mode=check_mode, diff=diff
    )
    return action.run(task_vars={}), node


class TestBadInput:
    @pytest.mark.parametrize(
        ("args", "expected"),
        [
            ({}, "path"),
            ({"path": "backups\\set"}, "relative path"),
            ({"path": "D:\\"}, "root of a drive or a share"),
            ({"path": "\\\\fs01\\clusterbackups"}, "root of a drive or a share"),
            ({"path": SET_PATH, "quorum_drive": "Q"}, "quorum_drive"),
            ({"path": SET_PATH, "quorum_drive": "Q:\\"}, "quorum_drive"),
            ({"path": SET_PATH, "quorum_drive": "QQ:"}, "quorum_drive"),
            ({"path": SET_PATH, "route": "tape"}, "route"),
            ({"path": SET_PATH, "force": "sometimes"}, "force"),
            ({"path": SET_PATH, "phase": "restore"}, "phase"),
            ({"path": SET_PATH, "wbadmin_target": "\\\\x\\y"}, "wbadmin_target"),
            ({"path": SET_PATH, "_phase": "restore"}, "_phase is an internal option"),
            ({"path": SET_PATH, "_wbadmin_target": "\\\\x\\y"}, "_wbadmin_target is an"),
            (
                {"path": SET_PATH, "_other_nodes": ["N2"], "_phase": "inspect"},
                "_other_nodes, _phase are internal options",
            ),
        ],
    )
    def test_is_refused_without_any_module_run(self, args, expected) -> None:
        result, node = run_action(args)
        assert result["failed"] is True
        assert expected in result["msg"]
        assert node.runs == []
        assert result["module_runs"] == 0

    def test_quorum_drive_is_upper_cased_and_passed_on(self) -> None:
        cluster = Cluster(others={"N2": "stopped", "N3": "stopped"})
        result, node = run_action({"path": SET_PATH, "quorum_drive": "r:"}, cluster)
        assert not result.get("failed"), result.get("msg")
        assert [run["quorum_drive"] for run in node.runs] == ["R:", "R:"]


class TestSetRefusals:
    def test_corrupt_file_is_5087_before_any_restore(self) -> None:
        cluster = Cluster(others={"N2": "stopped", "N3": "stopped"})
        cluster.backup_set.tampered = {"WindowsImageBackup/N1/SystemState.vhdx": b"system stat3"}
        result, node = run_action({"path": SET_PATH, "force": True}, cluster)
        assert result["failed"] is True
        assert result["error_code"] == 5087
        assert node.phases == ["inspect"]
        assert result["changed"] is False
        assert result["set"]["status"] == "corrupt"
        assert "SystemState.vhdx" in result["msg"]
        assert "Restore from another set" in result["msg"]

    def test_set_without_marker_is_incomplete_5087(self) -> None:
        cluster = Cluster()
        cluster.backup_set.marker_present = False
        result, node = run_action({"path": SET_PATH, "force": True}, cluster)
        assert result["error_code"] == 5087
        assert result["set"]["status"] == "incomplete"
        assert "did not finish" in result["msg"]
        assert node.phases == ["inspect"]

    def test_set_of_another_cluster_is_refused_even_with_force(self) -> None:
        cluster = Cluster()
        cluster.backup_set.cluster_id = "0d0d0d0d-0000-4000-8000-0000000000ff"
        cluster.backup_set.cluster_name = "CLU99"
        result, node = run_action({"path": SET_PATH, "force": True}, cluster)
        assert result["failed"] is True
        assert result["error"]["name"] == "OTHER_CLUSTER"
        assert "CLU99" in result["msg"] and "CLU01" in result["msg"]
        assert node.phases == ["inspect"]

    def test_location_of_sets_names_the_newest(self) -> None:
        cluster = Cluster(child_sets=["20261101T000000Z_clusterdb_e2s30", SET_NAME])
        result, node = run_action({"path": LOCATION + "\\daily"}, cluster)
        assert result["error"]["name"] == "NOT_A_SET"
        assert f"path={LOCATION}\\daily\\{SET_NAME}" in result["msg"]
        assert node.phases == ["inspect"]


class TestPathOnTheNode:
    @pytest.mark.parametrize(
        ("path_info", "code"),
        [
            ({"exists": False, "is_directory": False}, 3),
            ({"exists": True, "is_directory": False}, 267),
        ],
    )
    def test_missing_or_file_path_is_refused_after_inspect(self, path_info, code) -> None:
        class OddPath(Cluster):
            def inspect(self) -> dict[str, t.Any]:
                return {**super().inspect(), "path_info": path_info, "set": None}

        result, node = run_action({"path": SET_PATH, "force": True}, OddPath())
        assert result["error_code"] == code
        assert SET_PATH in result["msg"]
        assert node.phases == ["inspect"]


class TestUnansweredNode:
    def test_node_that_may_still_run_is_refused_even_with_force(self) -> None:
        cluster = Cluster(others={"N2": None, "N3": "stopped"})
        # The cluster still lists N2 as Up: its service may be running.
        original = cluster.inspect

        def inspect() -> dict[str, t.Any]:
            raw = original()
            raw["nodes"][1]["state"] = "Up"
            return raw

        cluster.inspect = inspect  # type: ignore[method-assign]
        result, node = run_action({"path": SET_PATH, "force": True}, cluster)
        assert result["error"]["name"] == "NODE_UNREACHABLE"
        assert "N2" in result["msg"]
        assert node.phases == ["inspect"]


class TestRefusalsWithoutForce:
    def test_running_node_is_5056_with_the_options(self) -> None:
        cluster = Cluster(others={"N2": "running", "N3": "stopped"})
        result, node = run_action({"path": SET_PATH}, cluster)
        assert result["failed"] is True
        assert result["error_code"] == 5056
        assert "N2" in result["msg"] and "N3" not in result["error"]["cause"]
        assert "state=stopped" in result["msg"]
        assert "force=true" in result["msg"]
        assert node.phases == ["inspect"]

    def test_quorum_layout_difference_is_5086_with_the_options(self) -> None:
        moved = [{"number": 1, "offset": 2097152, "size": 536870912}]
        cluster = Cluster(others={"N2": "stopped", "N3": "stopped"}, quorum=quorum(moved))
        result, node = run_action({"path": SET_PATH}, cluster)
        assert result["error_code"] == 5086
        assert "partition offsets" in result["msg"]
        assert "quorum_drive" in result["msg"]
        assert "force=true" in result["msg"]
        assert node.phases == ["inspect"]

    def test_quorum_drive_skips_the_layout_comparison(self) -> None:
        moved = [{"number": 1, "offset": 2097152, "size": 536870912}]
        cluster = Cluster(others={"N2": "stopped", "N3": "stopped"}, quorum=quorum(moved))
        result, node = run_action({"path": SET_PATH, "quorum_drive": "R:"}, cluster)
        assert not result.get("failed"), result.get("msg")
        assert node.phases == ["inspect", "restore"]


class TestIdempotence:
    def test_cluster_already_on_the_set_changes_nothing(self) -> None:
        cluster = Cluster(paxos_tag=BACKUP_TAG, configuration=configuration())
        result, node = run_action({"path": SET_PATH}, cluster)
        assert not result.get("failed"), result.get("msg")
        assert result["changed"] is False
        assert node.phases == ["inspect"]
        assert result["module_runs"] == 1
        assert result["stopped_nodes"] == []
        assert result["configuration_changes"] == []


class TestCheckMode:
    def test_reports_what_would_happen_and_runs_inspect_only(self) -> None:
        result, node = run_action({"path": SET_PATH, "force": True}, check_mode=True)
        assert not result.get("failed"), result.get("msg")
        assert result["changed"] is True
        assert node.phases == ["inspect"]
        assert result["stopped_nodes"] == ["N2", "N3"]
        assert result["offline_disks"] == ["SQL Disk"]
        assert result["configuration_version"]["after"] == CURRENT_TAG


class TestDiff:
    def test_diff_names_the_changed_parameter(self) -> None:
        result, _node = run_action({"path": SET_PATH, "force": True}, check_mode=True, diff=True)
        diff = result["diff"]
        assert "DiskSignature" in diff["before"]
        assert '"9999"' in diff["before"] and '"3C4D"' in diff["after"]
        assert diff["after_header"] == SET_PATH
        change = result["configuration_changes"]
        assert [(c["kind"], c["name"], c["change"]) for c in change] == [
            ("resource", "SQL Disk", "changed")
        ]
        assert change[0]["fields"] == [
            {"field": "parameters.DiskSignature", "before": "9999", "after": "3C4D"}
        ]

    def test_no_diff_key_without_diff_mode(self) -> None:
        result, _node = run_action({"path": SET_PATH, "force": True}, check_mode=True)
        assert "diff" not in result


class TestForcedRestore:
    def test_restore_runs_with_force_and_reports_stopped_nodes(self) -> None:
        result, node = run_action({"path": SET_PATH, "force": True})
        assert not result.get("failed"), result.get("msg")
        assert node.phases == ["inspect", "restore"]
        restore = node.runs[1]
        assert restore["force"] is True
        assert restore["route"] == "vss"
        assert restore["_wbadmin_version"] == WBADMIN_VERSION
        assert restore["_wbadmin_target"] == SET_PATH
        # -machine goes with every -backupTarget, the backup of this very node included.
        assert restore["_wbadmin_machine"] == "N1"
        assert sorted(restore["_other_nodes"]) == ["N2", "N3"]
        assert result["changed"] is True
        assert result["stopped_nodes"] == ["N2", "N3"]
        assert result["configuration_version"] == {
            "before": CURRENT_TAG,
            "after": BACKUP_TAG,
            "backup": BACKUP_TAG,
        }
        assert result["offline_disks"] == ["SQL Disk"]
        assert result["module_runs"] == 2
        assert result["error_code"] is None

    def test_local_set_of_another_node_goes_through_the_admin_share(self) -> None:
        cluster = Cluster(others={"N2": "stopped", "N3": "stopped"})
        cluster.backup_set.source_node = "N2"
        # The admin share of the node itself is a loopback target: only with the opt-in.
        result, node = run_action(
            {"path": "D:\\Backups\\" + SET_NAME, "loopback_target": True}, cluster
        )
        assert not result.get("failed"), result.get("msg")
        restore = node.runs[1]
        assert restore["_wbadmin_target"] == "\\\\N1\\D$\\Backups\\" + SET_NAME
        assert restore["_wbadmin_machine"] == "N2"


class TestLoopbackTarget:
    def test_local_set_with_route_vss_is_refused_before_any_module_run(self) -> None:
        result, node = run_action({"path": "D:\\Backups\\" + SET_NAME, "route": "vss"})
        assert result["failed"] is True
        assert "D:\\Backups" in result["msg"]
        assert "shared folder on another computer" in result["msg"]
        assert "restore_loopback_target: true" in result["msg"]
        assert node.runs == []
        assert result["changed"] is False

    def test_local_set_with_route_auto_is_refused_after_inspect_only(self) -> None:
        cluster = Cluster(others={"N2": "stopped", "N3": "stopped"})
        result, node = run_action({"path": "D:\\Backups\\" + SET_NAME}, cluster)
        assert result["failed"] is True
        assert "not documented" in result["msg"]
        assert node.phases == ["inspect"]
        assert result["changed"] is False

    @pytest.mark.parametrize("server", ["N2", "n3.corp.example"])
    def test_set_on_a_cluster_node_share_is_refused_after_inspect(self, server: str) -> None:
        cluster = Cluster(others={"N2": "stopped", "N3": "stopped"})
        path = f"\\\\{server}\\clusterbackups\\{SET_NAME}"
        result, node = run_action({"path": path}, cluster)
        assert result["failed"] is True
        assert server in result["msg"]
        assert "loopback_target=true" in result["msg"]
        assert node.phases == ["inspect"]

    def test_set_on_a_file_server_needs_no_opt_in(self) -> None:
        cluster = Cluster(others={"N2": "stopped", "N3": "stopped"})
        result, node = run_action({"path": SET_PATH}, cluster)
        assert not result.get("failed"), result.get("msg")
        assert node.phases == ["inspect", "restore"]


class TestRouteFailures:
    def test_wbadmin_access_denied_is_explained(self) -> None:
        cluster = Cluster(
            others={"N2": "stopped", "N3": "stopped"},
            route_exit_code=1,
            route_output="ERROR - Access is denied. (0x80070005)",
        )
        result, node = run_action({"path": SET_PATH}, cluster)
        assert result["failed"] is True
        assert result["error_code"] == 5
        assert "become" in result["msg"]
        assert node.phases == ["inspect", "restore"]

    def test_failed_route_that_stopped_nodes_says_so(self) -> None:
        cluster = Cluster(route_exit_code=1, route_output="ERROR - (0x8007138D)")
        result, _node = run_action({"path": SET_PATH, "force": True}, cluster)
        assert result["failed"] is True
        assert result["error_code"] == 5005
        assert result["changed"] is True
        assert result["stopped_nodes"] == ["N2", "N3"]
        assert "start them again" in result["msg"]

    def test_clusapi_set_on_a_current_windows_is_refused_before_restoring(self) -> None:
        cluster = Cluster(others={"N2": "stopped", "N3": "stopped"})
        cluster.backup_set.route = "clusapi"
        result, node = run_action({"path": SET_PATH}, cluster)
        assert result["failed"] is True
        assert "route=clusapi cannot be used on N1" in result["msg"]
        assert node.phases == ["inspect"]

    def test_other_route_than_the_sets_is_refused(self) -> None:
        result, node = run_action({"path": SET_PATH, "route": "clusapi", "force": True})
        assert "written by the vss route" in result["msg"]
        assert node.phases == ["inspect"]

    def test_clusapi_code_on_server_2003_is_explained(self) -> None:
        cluster = Cluster(others={"N2": "stopped", "N3": "stopped"}, os_version="5.2.3790")
        cluster.backup_set.route = "clusapi"
        cluster.route_exit_code = 5086
        result, node = run_action({"path": SET_PATH, "force": True}, cluster)
        assert node.runs[1]["route"] == "clusapi"
        assert "_wbadmin_version" not in node.runs[1]
        assert result["error_code"] == 5086
        assert result["error"]["name"] == "ERROR_QUORUM_DISK_NOT_FOUND"


def test_added_keys_are_documented() -> None:
    from ansible_collections.wsfc.clusterdb.plugins.modules import cluster_restore as docs

    for key in cluster_restore.ADDED_RESULT_KEYS:
        assert f"\n{key}:\n" in docs.RETURN


def documented_return() -> dict[str, t.Any]:
    from ansible_collections.wsfc.clusterdb.plugins.modules import cluster_restore as docs

    return yaml.safe_load(docs.RETURN)


# Keys Ansible gives any task result; RETURN need not list them.
ANSIBLE_RESULT_KEYS = {"failed", "invocation", "warnings", "deprecations"}


class TestPublicInterface:
    def test_internal_option_is_refused_before_any_module_run(self) -> None:
        result, node = run_action({"path": SET_PATH, "force": True, "_phase": "restore"})
        assert result["failed"] is True
        assert result["msg"].startswith("_phase is an internal option of cluster_restore")
        assert "a task cannot set it" in result["msg"]
        assert node.runs == []
        assert result["phases"] == []
        assert result["phase_results"] == {}
        assert result["changed"] is False

    def test_invocation_shows_the_task_options_only(self) -> None:
        result, node = run_action({"path": SET_PATH, "force": True})
        assert not result.get("failed"), result.get("msg")
        # The node was given the internal options; the task result does not show them.
        assert {"_phase", "_other_nodes", "_wbadmin_target"} <= set(node.runs[1])
        shown = result["invocation"]["module_args"]
        assert [key for key in shown if key.startswith("_")] == []
        assert shown == {
            "path": SET_PATH,
            "force": True,
            "quorum_drive": None,
            "route": "auto",
            "loopback_target": False,
            "verified_files": None,
            "checked": None,
            "trusted_keys": [],
            "require_signature": False,
        }

    def test_raw_keys_are_under_phase_results_by_phase(self) -> None:
        cluster = Cluster()
        result, _node = run_action({"path": SET_PATH, "force": True}, cluster)
        assert not result.get("failed"), result.get("msg")
        raw = result["phase_results"]
        assert sorted(raw) == ["inspect", "restore"]
        inspected = cluster.inspect()
        assert raw["inspect"]["node_services"] == inspected["node_services"]
        assert raw["inspect"]["set"] == inspected["set"]
        assert raw["inspect"]["configuration_version"] == {
            "paxos_tag": CURRENT_TAG,
            "source": "cluster",
        }
        assert raw["restore"]["route_exit_code"] == 0
        assert raw["restore"]["route_output"] == cluster.route_output
        assert raw["restore"]["node_services"][0]["state"] == "stopped"
        # What a run carries for Ansible is the task's own, not a phase's data.
        assert not {"changed", "invocation"} & (set(raw["inspect"]) | set(raw["restore"]))
        for key in ("node_services", "route_exit_code", "local_database", "child_sets"):
            assert key not in result
        assert result["node_name"] == "N1"

    def test_top_level_holds_only_the_documented_keys(self) -> None:
        documented = set(documented_return())
        for args, check_mode in (
            ({"path": SET_PATH, "force": True}, False),
            ({"path": SET_PATH, "force": True}, True),
            ({"path": SET_PATH}, False),  # refused with 5056
        ):
            result, _node = run_action(args, check_mode=check_mode)
            assert set(result) - ANSIBLE_RESULT_KEYS <= documented, sorted(result)

    def test_phase_results_document_every_raw_key_a_phase_returns(self) -> None:
        phases = documented_return()["phase_results"]["contains"]
        cluster = Cluster()
        result, _node = run_action({"path": SET_PATH, "force": True}, cluster)
        for phase in ("inspect", "restore"):
            assert set(result["phase_results"][phase]) <= set(phases[phase]["contains"])

    def test_a_failed_phase_keeps_its_raw_result(self) -> None:
        class MissingWbadmin(Cluster):
            def restore(self, args: dict[str, t.Any]) -> dict[str, t.Any]:
                return {
                    "failed": True,
                    "msg": "wbadmin.exe was not found at 'C:\\Windows\\system32\\wbadmin.exe'.",
                    "phase": "restore",
                    "node_name": "N1",
                    "condition": "windows_server_backup_missing",
                }

        result, node = run_action({"path": SET_PATH, "force": True}, MissingWbadmin())
        assert result["failed"] is True
        assert node.phases == ["inspect", "restore"]
        assert result["phase_results"]["restore"] == {
            "phase": "restore",
            "node_name": "N1",
            "condition": "windows_server_backup_missing",
        }

    def test_warnings_of_every_phase_reach_the_task(self) -> None:
        class Warned(Cluster):
            def inspect(self) -> dict[str, t.Any]:
                return {**super().inspect(), "warnings": ["inspect: a copy was left loaded"]}

            def restore(self, args: dict[str, t.Any]) -> dict[str, t.Any]:
                return {**super().restore(args), "warnings": ["restore: a copy was left"]}

        result, _node = run_action({"path": SET_PATH, "force": True}, Warned())
        assert result["warnings"][:2] == [
            "inspect: a copy was left loaded",
            "restore: a copy was left",
        ]
        # Then the plugin's own: force stops the running nodes.
        assert "force=true" in result["warnings"][2]


def registered_check(args: dict[str, t.Any], cluster: Cluster) -> dict[str, t.Any]:
    """The check-mode run of ``args`` as a task registers it (Ansible drops invocation)."""
    check, _check_node = run_action(args, cluster, check_mode=True)
    check.pop("invocation", None)
    return check


def checked_run(
    args: dict[str, t.Any], cluster: Cluster
) -> tuple[dict[str, t.Any], dict[str, t.Any], ScriptedNode]:
    """The check-mode run of ``args``, registered, then the run given it."""
    check = registered_check(args, cluster)
    assert not check.get("failed"), check.get("msg")
    result, node = run_action({**args, "checked": check}, cluster)
    return check, result, node


class TestChecked:
    """The run given its check-mode run's result decides on those facts: one module run."""

    def test_restores_in_one_module_run_with_the_checks_decisions(self) -> None:
        cluster = Cluster()
        check, result, node = checked_run({"path": SET_PATH, "force": True}, cluster)
        assert not result.get("failed"), result.get("msg")
        assert node.phases == ["restore"]
        assert result["module_runs"] == 1
        restore = node.runs[0]
        assert restore["_checked_node"] == "N1"
        assert restore["_checked_files"] == [
            {"path": e["path"], "size": e["size"], "last_write_utc": None}
            for e in cluster.backup_set.listing()["files"]  # type: ignore[union-attr]
        ]
        assert restore["_must_be_stopped"] == []
        assert restore["_wbadmin_version"] == WBADMIN_VERSION
        assert sorted(restore["_other_nodes"]) == ["N2", "N3"]
        # The same conclusions as the check's, on the running cluster's facts.
        for key in ("set", "route", "configuration_changes", "offline_disks"):
            assert result[key] == check[key], key
        assert result["configuration_version"] == {
            "before": CURRENT_TAG,
            "after": BACKUP_TAG,
            "backup": BACKUP_TAG,
        }
        assert result["stopped_nodes"] == ["N2", "N3"]
        assert sorted(result["phase_results"]) == ["restore"]

    def test_nodes_stopped_since_the_check_are_not_reported_as_stopped_by_the_route(
        self,
    ) -> None:
        cluster = Cluster()
        check = registered_check({"path": SET_PATH, "force": True}, cluster)
        assert check["stopped_nodes"] == ["N2", "N3"]
        # The role's stop step stops both before the step that restores.
        cluster.others = {"N2": "stopped", "N3": "stopped"}
        result, node = run_action({"path": SET_PATH, "force": True, "checked": check}, cluster)
        assert not result.get("failed"), result.get("msg")
        assert node.phases == ["restore"]
        assert result["stopped_nodes"] == []
        assert not [w for w in result.get("warnings") or [] if "force=true" in w]

    def test_a_set_rewritten_since_the_check_is_refused_with_nothing_stopped(self) -> None:
        cluster = Cluster()
        check = registered_check({"path": SET_PATH, "force": True}, cluster)
        cluster.backup_set.tampered = {
            "WindowsImageBackup/N1/SystemState.vhdx": b"rewritten, longer"
        }
        result, node = run_action({"path": SET_PATH, "force": True, "checked": check}, cluster)
        assert result["failed"] is True
        assert node.phases == ["restore"]
        assert result["error_code"] == 5087
        assert "WindowsImageBackup\\N1\\SystemState.vhdx was rewritten" in result["msg"]
        assert "nothing was stopped" in result["msg"]
        assert result["changed"] is False
        assert result["stopped_nodes"] == []

    def test_without_force_a_node_started_since_the_check_is_refused(self) -> None:
        cluster = Cluster(others={"N2": "stopped", "N3": None})
        check = registered_check({"path": SET_PATH}, cluster)
        assert not check.get("failed"), check.get("msg")
        cluster.others = {"N2": "running", "N3": None}
        result, node = run_action({"path": SET_PATH, "checked": check}, cluster)
        assert sorted(node.runs[0]["_must_be_stopped"]) == ["N2", "N3"]
        assert result["failed"] is True
        assert result["error_code"] == 5056
        assert "the Cluster service runs on N2" in result["msg"]
        assert result["changed"] is False

    def test_without_force_a_node_that_still_does_not_answer_is_left_alone(self) -> None:
        cluster = Cluster(others={"N2": "stopped", "N3": None})
        _check, result, node = checked_run({"path": SET_PATH}, cluster)
        assert not result.get("failed"), result.get("msg")
        assert node.phases == ["restore"]

    def test_a_node_that_no_longer_answers_is_refused_even_with_force(self) -> None:
        cluster = Cluster()
        check = registered_check({"path": SET_PATH, "force": True}, cluster)
        cluster.others = {"N2": "stopped", "N3": None}
        result, node = run_action({"path": SET_PATH, "force": True, "checked": check}, cluster)
        assert sorted(node.runs[0]["_must_answer"]) == ["N2", "N3"]
        assert result["failed"] is True
        assert result["error"]["name"] == "NODE_UNREACHABLE"
        assert "N3 answered when the restore was decided" in result["msg"]
        assert result["changed"] is False

    def test_with_force_a_node_down_at_the_check_that_now_runs_is_refused(self) -> None:
        cluster = Cluster(others={"N2": "running", "N3": None})
        check = registered_check({"path": SET_PATH, "force": True}, cluster)
        cluster.others = {"N2": "stopped", "N3": "running"}
        result, node = run_action({"path": SET_PATH, "force": True, "checked": check}, cluster)
        assert node.runs[0]["_must_be_stopped"] == ["N3"]
        assert result["failed"] is True
        assert result["error_code"] == 5056
        assert "the Cluster service runs on N3" in result["msg"]

    def test_the_facts_of_another_node_are_refused_by_the_node(self) -> None:
        cluster = Cluster()
        check = registered_check({"path": SET_PATH, "force": True}, cluster)
        check["phase_results"]["inspect"]["node_name"] = "N9"
        result, _node = run_action({"path": SET_PATH, "force": True, "checked": check}, cluster)
        assert result["failed"] is True
        assert result["error"]["name"] == "CHECKED_ON_ANOTHER_NODE"
        assert "facts of N9" in result["msg"]
        assert result["changed"] is False

    @pytest.mark.parametrize(
        ("change", "expected"),
        [
            (lambda c: c.update(skipped=True), "was skipped"),
            (lambda c: c.update(failed=True, msg="the set is corrupt"), "the set is corrupt"),
            (lambda c: c.update(phases=["inspect", "restore"]), "phases it ran: inspect, restore"),
            (lambda c: c["phase_results"].pop("inspect"), "phases it ran"),
            (lambda c: c.pop("decided_with"), "no decided_with"),
            (lambda c: c["decided_with"].update(force=False), "force was False, here True"),
            (lambda c: c["decided_with"].update(path=SET_PATH + "x"), "path was"),
            (
                lambda c: c["phase_results"]["inspect"]["set"]["files"][0].update(sha256=None),
                "without hashing",
            ),
        ],
    )
    def test_a_result_that_is_not_this_restores_check_is_refused_without_any_module_run(
        self, change, expected
    ) -> None:
        cluster = Cluster()
        check = registered_check({"path": SET_PATH, "force": True}, cluster)
        change(check)
        result, node = run_action({"path": SET_PATH, "force": True, "checked": check}, cluster)
        assert result["failed"] is True
        assert expected in result["msg"]
        assert "Register the check-mode run" in result["msg"]
        assert node.runs == []

    def test_checked_and_verified_files_together_are_refused(self) -> None:
        cluster = Cluster()
        check = registered_check({"path": SET_PATH, "force": True}, cluster)
        result, node = run_action(
            {"path": SET_PATH, "force": True, "checked": check, "verified_files": []}, cluster
        )
        assert result["failed"] is True
        assert "mutually exclusive" in result["msg"]
        assert node.runs == []

    def test_without_checked_the_restore_phase_is_given_the_inspected_listing(self) -> None:
        cluster = Cluster()
        result, node = run_action({"path": SET_PATH, "force": True}, cluster)
        assert not result.get("failed"), result.get("msg")
        assert node.phases == ["inspect", "restore"]
        assert node.runs[1]["_checked_node"] == "N1"
        assert len(node.runs[1]["_checked_files"]) == 2
