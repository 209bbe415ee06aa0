"""The wbadmin target and the policy that keeps it off the cluster's own nodes."""

from __future__ import annotations

import pytest
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._paths import validate_backup_path
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._refusal import PolicyRefusal
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._wbadmin_target import (
    check_local_path,
    check_remote_target,
    check_temporary_share,
    loopback_server,
    wbadmin_target_for,
)

NODES = [{"name": "NODE1", "id": "1", "state": "Up"}, {"name": "NODE2", "id": "2", "state": "Up"}]


def path(value: str):
    return validate_backup_path(value, option="path")


def refusal_of(value: str, **kwargs) -> PolicyRefusal:
    with pytest.raises(PolicyRefusal) as caught:
        check_remote_target(path(value), node_name="NODE1", cluster_nodes=NODES, **kwargs)
    return caught.value


class TestTargetPath:
    def test_local_path_goes_through_the_admin_share(self) -> None:
        assert wbadmin_target_for(path("D:\\Backups\\x"), "NODE1", "s") == (
            "\\\\NODE1\\D$\\Backups\\x\\s"
        )

    def test_unc_path_is_used_as_it_is(self) -> None:
        assert wbadmin_target_for(path("\\\\fs01\\share"), "NODE1", "s") == "\\\\fs01\\share\\s"


class TestRemoteTarget:
    def test_local_path_is_refused_with_path_reason_and_fixes(self) -> None:
        refusal = refusal_of("D:\\Backups")
        message = str(refusal)
        assert "D:\\Backups" in message
        assert "NODE1" in message
        assert "shared folder on another computer" in message
        assert "not documented" in message
        assert "docs/windows-behaviour.md#wbadmin-backup-target" in message
        assert "backup_path=\\\\fs01\\clusterbackups" in message
        assert "loopback_target=true" in message
        assert "backup_loopback_target: true" in message

    @pytest.mark.parametrize(
        "unc",
        [
            "\\\\NODE1\\share",  # this node
            "\\\\node1\\D$\\Backups",  # this node, other case, admin share
            "\\\\NODE2\\share",  # another node by NetBIOS name
            "\\\\node2.corp.example\\share",  # another node by FQDN
            "\\\\NODE2.CORP.EXAMPLE\\share\\x",
            "\\\\localhost\\share",
        ],
    )
    def test_unc_to_a_cluster_node_is_refused(self, unc: str) -> None:
        refusal = refusal_of(unc)
        assert unc in str(refusal)
        assert "not documented" in refusal.problem
        assert "loopback_target=true" in refusal.fix

    @pytest.mark.parametrize("unc", ["\\\\fs01\\clusterbackups", "\\\\fs01.corp.example\\b"])
    def test_unc_to_a_file_server_is_accepted(self, unc: str) -> None:
        assert loopback_server(path(unc), "NODE1", NODES) is None
        check_remote_target(path(unc), node_name="NODE1", cluster_nodes=NODES)

    def test_a_node_name_that_only_starts_like_the_server_is_not_a_match(self) -> None:
        assert loopback_server(path("\\\\NODE10\\share"), "NODE1", NODES) is None

    @pytest.mark.parametrize("value", ["D:\\Backups", "\\\\NODE2\\share", "\\\\node1\\D$\\x"])
    def test_opt_in_allows_the_loopback_target(self, value: str) -> None:
        check_remote_target(
            path(value), node_name="NODE1", cluster_nodes=NODES, loopback_target=True
        )

    def test_restore_names_its_role_variable(self) -> None:
        refusal = refusal_of("D:\\Backups", role_opt_in="restore_loopback_target")
        assert "restore_loopback_target: true" in refusal.fix


class TestBeforeAnyModuleRun:
    def test_local_path_with_route_vss_is_refused(self) -> None:
        with pytest.raises(PolicyRefusal, match="not documented"):
            check_local_path(path("D:\\Backups"), route="vss")

    @pytest.mark.parametrize("route", ["auto", "clusapi"])
    def test_local_path_waits_for_the_route(self, route: str) -> None:
        # auto: decided after inspect; clusapi (Windows Server 2003) has no wbadmin target.
        check_local_path(path("D:\\Backups"), route=route)

    def test_opt_in_and_unc_paths_pass(self) -> None:
        check_local_path(path("D:\\Backups"), route="vss", loopback_target=True)
        check_local_path(path("\\\\NODE2\\share"), route="vss")


class TestTemporaryShare:
    @pytest.mark.parametrize("route", ["vss", "auto"])
    def test_refused_without_the_opt_in(self, route: str) -> None:
        with pytest.raises(PolicyRefusal) as caught:
            check_temporary_share(route=route)
        message = str(caught.value)
        assert "backup_loopback_target: true" in message
        assert f"backup_route={route}" in message
        assert "docs/windows-behaviour.md#wbadmin-backup-target" in message

    def test_clusapi_route_and_opt_in_pass(self) -> None:
        check_temporary_share(route="clusapi")
        check_temporary_share(route="vss", loopback_target=True)
