"""ansible.windows.win_service for ClusSvc through the cluster rules; win_feature_info."""

import pytest
from win_support import failed, make_world, ok, run


@pytest.fixture
def world(tmp_path):
    return make_world(tmp_path)


def service(world, node="N2"):
    with world.transaction() as state:
        return dict(state.node(node)["service"]), state.cluster.node_state(node)


def test_stopping_and_starting_the_cluster_service(world):
    result = ok(world, "win_service", on="N2", name="ClusSvc", state="stopped")
    assert result["changed"] is True and result["state"] == "stopped"
    record, node_state = service(world)
    assert record["state"] == "stopped" and node_state == "Down"
    assert ok(world, "win_service", on="N2", name="clussvc", state="stopped")["changed"] is False
    started = ok(world, "win_service", on="N2", name="Cluster Service", state="started")
    assert started["changed"] is True and started["state"] == "running"
    assert service(world)[1] == "Up"


def test_check_mode_and_diff(world):
    result = ok(world, "win_service", on="N2", name="ClusSvc", state="stopped",
                start_mode="manual", _ansible_check_mode=True, _ansible_diff=True)  # fmt: skip
    assert result["changed"] is True
    assert result["diff"]["before"]["state"] == "started"
    assert result["diff"]["after"] == {**result["diff"]["before"], "state": "stopped",
                                       "start_mode": "manual"}  # fmt: skip
    record, node_state = service(world)
    assert record["state"] == "running" and record["start_mode"] == "auto" and node_state == "Up"


def test_start_mode_disabled_keeps_the_service_from_starting(world):
    ok(world, "win_service", on="N2", name="ClusSvc", state="stopped", start_mode="disabled")
    outcome = run(world, "win_service", on="N2", name="ClusSvc", state="started")
    assert outcome.exit_code == 1
    assert outcome.result["msg"].startswith(
        "Unhandled exception while executing module: Service 'Cluster Service (ClusSvc)' "
        "cannot be started"
    )


def test_restarted_always_changes(world):
    assert ok(world, "win_service", on="N1", name="ClusSvc", state="restarted")["changed"]
    assert service(world, "N1")[1] == "Up"


def test_what_the_lab_does_not_emulate_fails_loudly(world):
    assert failed(world, "win_service", name="W32Time", state="started")["msg"] == (
        "the lab does not emulate win_service with the service W32Time (only ClusSvc)"
    )
    assert "with path" in failed(world, "win_service", name="ClusSvc", path="C:\\x.exe")["msg"]
    assert failed(world, "win_service", name="ClusSvc", state="paused")["msg"] == (
        "the lab does not emulate win_service with state paused"
    )


def test_feature_info_reports_the_nodes_features(world):
    result = ok(world, "win_feature_info", name="Windows-Server-*")
    assert result["exists"] is True
    assert [f["name"] for f in result["features"]] == ["Windows-Server-Backup"]
    assert result["features"][0]["installed"] is True
    assert ok(world, "win_feature_info", name="Web-Server")["exists"] is False
