"""The cluster_node action plugin, with the node replaced by a scripted _execute_module."""

from __future__ import annotations

import typing as t

import pytest
from action_harness import make_action
from ansible_collections.wsfc.clusterdb.plugins.action import cluster_node
from ansible_collections.wsfc.clusterdb.plugins.action.cluster_node import ActionModule


class ScriptedNode:
    """Stands in for the node: records every module run and answers from a script."""

    def __init__(self, answer: t.Callable[[dict[str, t.Any], bool], dict[str, t.Any]]) -> None:
        self.answer = answer
        self.runs: list[dict[str, t.Any]] = []

    def __call__(self, module_name=None, module_args=None, task_vars=None, **_):
        self.runs.append({"module": module_name, "args": dict(module_args)})
        return self.answer(dict(module_args), self.check_mode)

    check_mode = False


def run_action(args: dict[str, t.Any], node: ScriptedNode, *, check_mode: bool = False):
    node.check_mode = check_mode
    action = make_action(ActionModule, "cluster_node", args, node, check_mode=check_mode)
    return action.run(task_vars={})


def windows_node(service: str, node_state: str | None, *, refuse_with: int | None = None):
    """A node whose Cluster service is `service`; behaves as the module's documentation says."""

    def answer(args: dict[str, t.Any], check_mode: bool) -> dict[str, t.Any]:
        wanted = "running" if args["state"] == "started" else "stopped"
        needs_change = service != wanted
        raw = {
            "changed": needs_change,
            "node_name": "N1",
            "cluster_name": "CLU01",
            "node_state_before": node_state,
            "node_state_after": node_state,
            "service_state_before": service,
            "service_state_after": service,
            "timed_out": False,
            "elapsed": 0.5,
            "error_code": None,
        }
        if check_mode or not needs_change:
            return raw
        if refuse_with is not None:
            raw.update(changed=False, error_code=refuse_with, failed=True, msg="refused")
            return raw
        after_state = "Up" if wanted == "running" else None
        raw.update(service_state_after=wanted, node_state_after=after_state)
        return raw

    return answer


class TestBadInput:
    @pytest.mark.parametrize(
        ("args", "expected"),
        [
            ({}, "state"),
            ({"state": "paused"}, "state"),
            ({"state": "started", "force_quorum": True, "prevent_quorum": True}, "both set"),
            ({"state": "stopped", "force_quorum": True}, "force_quorum applies"),
            ({"state": "stopped", "prevent_quorum": True}, "prevent_quorum applies"),
            ({"state": "started", "timeout": 0}, "at least 1 second"),
            ({"state": "started", "timeout": "soon"}, "timeout"),
            ({"state": "started", "colour": "blue"}, "colour"),
        ],
    )
    def test_is_refused_without_any_module_run(self, args, expected) -> None:
        node = ScriptedNode(windows_node("stopped", None))
        result = run_action(args, node)
        assert result["failed"] is True
        assert expected in result["msg"]
        assert node.runs == []


class TestIdempotence:
    def test_started_node_is_left_alone(self) -> None:
        node = ScriptedNode(windows_node("running", "Up"))
        result = run_action({"state": "started"}, node)
        assert result["changed"] is False
        assert not result.get("failed")
        assert result["node_state"] == "Up"
        assert len(node.runs) == 1

    def test_stopped_node_without_cluster_answer_is_down(self) -> None:
        node = ScriptedNode(windows_node("stopped", None))
        result = run_action({"state": "stopped"}, node)
        assert result["changed"] is False
        assert result["node_state"] == "Down"

    def test_start_reports_change_and_up(self) -> None:
        node = ScriptedNode(windows_node("stopped", None))
        result = run_action({"state": "started", "force_quorum": True, "timeout": 30}, node)
        assert result["changed"] is True
        assert result["node_state"] == "Up"
        assert result["error"] is None
        assert node.runs[0]["args"] == {
            "state": "started",
            "force_quorum": True,
            "prevent_quorum": False,
            "wait": True,
            "timeout": 30,
        }


class TestCheckMode:
    def test_reports_the_change_and_the_unchanged_state(self) -> None:
        node = ScriptedNode(windows_node("running", "Up"))
        result = run_action({"state": "stopped"}, node, check_mode=True)
        assert result["changed"] is True
        assert result["service_state_after"] == "running"
        assert result["node_state"] == "Up"
        assert len(node.runs) == 1


class TestFailures:
    def test_stop_below_quorum_names_the_options(self) -> None:
        node = ScriptedNode(windows_node("running", "Up", refuse_with=5925))
        result = run_action({"state": "stopped"}, node)
        assert result["failed"] is True
        assert result["error_code"] == 5925
        assert result["error"]["name"] == "ERROR_CLUSTER_NO_QUORUM"
        assert "lose quorum" in result["msg"]
        assert "Stop-Cluster" in result["msg"]
        assert "force=true" in result["msg"]
        assert len(result["error"]["options"]) == 3

    def test_hresult_is_unwrapped_to_the_win32_code(self) -> None:
        # HRESULT_FROM_WIN32(5925): facility 7 with the failure bit set.
        node = ScriptedNode(windows_node("running", "Up", refuse_with=0x80071725))
        result = run_action({"state": "stopped"}, node)
        assert result["error"]["code"] == 5925
        assert result["error"]["name"] == "ERROR_CLUSTER_NO_QUORUM"

    def test_unknown_code_points_to_net_helpmsg(self) -> None:
        node = ScriptedNode(windows_node("stopped", None, refuse_with=1234))
        result = run_action({"state": "started"}, node)
        assert result["error"]["name"] == "unknown error"
        assert "net helpmsg 1234" in result["msg"]

    def test_stale_copy_on_start_explains_event_1561(self) -> None:
        node = ScriptedNode(windows_node("stopped", None, refuse_with=5083))
        result = run_action({"state": "started"}, node)
        assert "1561" in result["msg"]
        assert "force_quorum=true" in result["msg"]

    def test_wait_that_runs_out_fails_with_the_state_reached(self) -> None:
        def slow(args, check_mode):
            return {
                "changed": True,
                "node_name": "N2",
                "cluster_name": "CLU01",
                "node_state_before": None,
                "node_state_after": "Joining",
                "service_state_before": "stopped",
                "service_state_after": "running",
                "timed_out": True,
                "elapsed": 10.0,
                "error_code": None,
            }

        result = run_action({"state": "started", "timeout": 10}, ScriptedNode(slow))
        assert result["failed"] is True
        assert result["changed"] is True
        assert result["error"]["name"] == "TIMEOUT"
        assert "N2 was not Up after 10 seconds; it is Joining" in result["msg"]

    def test_unreachable_host_is_passed_on_unexplained(self) -> None:
        node = ScriptedNode(lambda args, check: {"unreachable": True, "msg": "no route"})
        result = run_action({"state": "started"}, node)
        assert result["unreachable"] is True
        assert "node_state" not in result


def test_added_keys_are_documented() -> None:
    from ansible_collections.wsfc.clusterdb.plugins.modules import cluster_node as docs

    for key in cluster_node.ADDED_RESULT_KEYS:
        assert f"\n{key}:\n" in docs.RETURN
