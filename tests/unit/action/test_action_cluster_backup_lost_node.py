"""The cluster_backup action when the node stops answering in the middle of a backup, and
when another backup of the same cluster took the new set's name (183)."""

from __future__ import annotations

import typing as t

import pytest
from ansible.errors import AnsibleConnectionFailure
from test_action_cluster_backup import SHARE, FakeNode, run_backup


class LosingNode(FakeNode):
    """A node whose connection fails once the given phase is sent: refused (Ansible's
    connection failure) or cut in the middle (the transport's own error, an OSError)."""

    def __init__(self, lost_in: str, error: Exception | None = None) -> None:
        super().__init__()
        self.lost_in = lost_in
        self.error = error or AnsibleConnectionFailure("connection refused")

    def __call__(self, module_name=None, module_args=None, task_vars=None, **_):
        if module_args["_phase"] == self.lost_in:
            self.runs.append({"module": module_name, "args": dict(module_args)})
            raise self.error
        return super().__call__(module_name, module_args, task_vars)


@pytest.mark.parametrize(
    ("phase", "changed", "left"),
    [
        ("inspect", False, "nothing had been written yet"),
        ("backup", True, "unfinished_<set name>"),
        ("finalize", True, "completion marker"),
    ],
)
def test_a_node_lost_during_a_phase_is_unreachable_and_says_what_may_be_left(
    phase: str, changed: bool, left: str
) -> None:
    node = LosingNode(phase)
    result = run_backup(node, dict(SHARE))

    # Unreachable, not failed: Ansible then treats the host as any unreachable host.
    assert "failed" not in result
    assert result["unreachable"] is True
    assert result["changed"] is changed
    # The inspect phase is what names the node; lost there, it is "the node".
    who = "the node" if phase == "inspect" else "NODE1"
    assert f"{who} stopped answering during the {phase} phase" in result["msg"]
    assert "connection refused" in result["msg"]
    assert left in result["msg"]
    assert "run the backup again" in result["msg"]
    # The phase that was cut counts: it was sent to the node.
    assert result["phases"][-1] == phase
    assert result["module_runs"] == len(node.runs)


def test_a_connection_cut_in_the_middle_of_a_phase_is_a_lost_node() -> None:
    cut = ConnectionResetError(104, "Connection reset by peer")
    result = run_backup(LosingNode("backup", cut), dict(SHARE))
    assert result["unreachable"] is True
    assert "NODE1 stopped answering during the backup phase" in result["msg"]
    assert "Connection reset by peer" in result["msg"]


def test_a_staging_directory_taken_meanwhile_is_the_concurrent_backup() -> None:
    node = FakeNode()
    node.fail_phase["backup"] = {
        "error_code": 183,
        "msg": "The staging directory '\\\\FS01\\clusterbackups\\unfinished_x' exists already.",
    }
    result: dict[str, t.Any] = run_backup(node, dict(SHARE))

    assert result["failed"] is True
    assert result["error_code"] == 183
    assert result["error"]["name"] == "ERROR_ALREADY_EXISTS"
    assert "another backup of this cluster" in result["msg"]
    assert "unknown error" not in result["msg"]
    # The finalize phase never ran: nothing of the other backup is touched.
    assert result["phases"] == ["inspect", "backup"]
