"""The kit's report: steps from the evidence, the state before and after each, the Windows
output, and every credential of the inventory removed once more."""

from __future__ import annotations

import json
from typing import Any

from evidence_report import (
    Redactor,
    group_steps,
    read_evidence,
    states_after,
    states_before,
    windows_output,
    write_report,
)


def info(node: str, tag: str, groups: list[str]) -> dict[str, Any]:
    return {
        "node_name": node,
        "cluster": {"name": "CLU9", "id": "id-9"},
        "nodes": [{"name": "N1", "state": "Up"}, {"name": "N2", "state": "Up"}],
        "cluster_service": {"state": "running"},
        "configuration_version": {"paxos_tag": tag},
        "configuration_fingerprint": "ab" * 32,
        "configuration": {"groups": [{"name": g} for g in groups]},
        "quorum": {"type": "NodeAndFileShareMajority", "witness": {"type": "file_share"}},
        "core_group_owner": "N1",
        "os": {"name": "Windows Server 2022", "version": "10.0.20348"},
    }


def task(
    step: str,
    name: str,
    host: str,
    result: dict[str, Any],
    *,
    status: str = "ok",
    action: str = "wsfc.clusterdb.cluster_info",
    second: int = 0,
) -> dict[str, Any]:
    return {
        "kind": "task", "step": step, "task": name, "host": host, "action": action,
        "status": status, "check_mode": False, "duration": 0.5, "result": result,
        "started": f"2026-01-01T00:00:{second:02d}.000+00:00",
        "ended": f"2026-01-01T00:00:{second + 1:02d}.000+00:00",
    }  # fmt: skip


RESTORED = "2026/01/01-00`00`09.000_2:1"
EVIDENCE = [
    {"kind": "play", "step": "cluster_restore", "time": "2026-01-01T00:00:00.000+00:00"},
    task("cluster_restore", "Cluster state before", "N1", info("N1", "1:1:5", ["Cluster Group"])),
    task(
        "cluster_restore",
        "Read the cluster",
        "N1",
        info("N1", "1:1:6", ["Cluster Group", "probe"]),
        second=3,
    ),
    task(
        "cluster_restore",
        "Restore with force",
        "N1",
        {
            "phase_results": {"restore": {"route_output": "wbadmin 1.0\r\nDone.\r\n"}},
            "msg": "refused for CORP\\op with pw-123",
        },
        action="wsfc.clusterdb.cluster_restore",
        status="failed",
        second=5,
    ),
    task(
        "cluster_restore",
        "Cluster state after",
        "N1",
        info("N1", RESTORED, ["Cluster Group"]),
        second=9,
    ),
    {"kind": "play", "step": "real_cluster verify", "time": "2026-01-01T00:01:00.000+00:00"},
    task("real_cluster verify", "Read the cluster", "N2", info("N2", "1:1:7", []), second=40),
]


def test_steps_their_states_and_the_windows_output():
    steps = group_steps(EVIDENCE)
    restore, verify = steps
    assert [s.name for s in steps] == ["cluster_restore", "real_cluster verify"]
    assert (restore.kind, verify.kind) == ("target", "scenario")
    assert restore.status == "failed" and verify.status == "passed"
    assert restore.duration == 10.0
    # The named reads win over the other cluster_info results of the step.
    assert states_before(restore)["N1"]["paxos_tag"] == "1:1:5"
    assert states_after(restore)["N1"]["paxos_tag"].startswith("2026/01/01")
    assert states_after(restore)["N1"]["groups"] == ["Cluster Group"]
    # Without named reads: the first and the last cluster_info of the step.
    assert states_before(verify)["N2"]["paxos_tag"] == states_after(verify)["N2"]["paxos_tag"]
    [output] = windows_output(steps)
    assert output["field"] == "phase_results.restore.route_output"
    assert output["text"].startswith("wbadmin 1.0")


def test_the_report_files_hold_no_credential(tmp_path):
    evidence = tmp_path / "evidence.jsonl"
    evidence.write_text("\n".join(json.dumps(r) for r in EVIDENCE) + "\n", encoding="utf-8")
    steps = group_steps(read_evidence([evidence, tmp_path / "absent.jsonl"]))
    redactor = Redactor(passwords=["pw-123"], users=["CORP\\op"])
    as_json, as_markdown = write_report(
        steps, {"inventory_hosts": ["N1", "N2"]}, tmp_path, redactor
    )
    for path in (as_json, as_markdown):
        text = path.read_text(encoding="utf-8")
        assert "pw-123" not in text and "CORP\\op" not in text and "CORP\\\\op" not in text
        assert "<redacted>" in text
    data = json.loads(as_json.read_text(encoding="utf-8"))
    assert data["result"] == "failed" and data["failed_steps"] == ["cluster_restore"]
    assert data["cluster"]["name"] == "CLU9"
    assert [s["status"] for s in data["steps"]] == ["failed", "passed"]
    markdown = as_markdown.read_text(encoding="utf-8")
    assert "| cluster_restore | failed | 10.0 | 4 | Restore with force |" in markdown
    assert "<details><summary>Restore with force on N1: the result</summary>" in markdown
    assert "wbadmin 1.0\nDone." in markdown


def test_a_step_that_recorded_no_task_result_is_not_passed():
    # Its play started, but no task result reached the evidence (the callback failed on
    # every result, as it did on an ansible-core whose TaskResult has no .result).
    [step] = group_steps([EVIDENCE[0]])
    assert step.tasks == [] and step.status == "failed"
