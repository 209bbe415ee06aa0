"""labs.SavedWorld, which the fault matrices' cases start from: putting a saved world back
undoes what a case did to the lab (its faults, latencies, configuration changes, files,
module runs and crashed nodes) and leaves every node process running and answering."""

from __future__ import annotations

import socket
from pathlib import Path

from labs import SavedWorld
from restore_scenarios import change_configuration, executions, ip_address, nodes
from wsfc_lab.lab import Lab
from wsfc_lab.world.liveness import process_alive


def test_a_saved_world_put_back_undoes_a_case(three_node_lab: Lab, tmp_path: Path) -> None:
    lab = three_node_lab
    marker = lab.world.resolve_path("NODE1", "C:\\kept.txt")
    marker.write_text("before", encoding="utf-8")
    saved = SavedWorld(lab, tmp_path / "saved")
    before = lab.world.read().data
    states = nodes(lab)

    # What a case does: a change, a file written and one removed, faults and a latency,
    # a crashed node, a module run logged.
    change_configuration(lab, "10.0.0.77")
    lab.world.resolve_path("NODE2", "C:\\left.txt").write_text("x", encoding="utf-8")
    marker.unlink()
    lab.inject("unreachable", "NODE2")
    lab.inject("fail", "NODE3", operation="Stop-ClusterNode", code=5)
    lab.set_latency("restore", 3)
    lab.kill_node("NODE3")
    (lab.lab_dir / "executions.jsonl").write_text('{"module": "x"}\n', encoding="utf-8")
    assert ip_address(lab) == "10.0.0.77"

    saved.restore()

    after = lab.world.read().data
    assert {k: v for k, v in after.items() if k != "nodes"} == {
        k: v for k, v in before.items() if k != "nodes"
    }
    for name, node in after["nodes"].items():
        unchanged = {k: v for k, v in node.items() if k != "process"}
        assert unchanged == {k: v for k, v in before["nodes"][name].items() if k != "process"}
        assert process_alive(node["process"]["pid"]), name
    assert ip_address(lab) == "10.0.0.50"
    assert nodes(lab) == states
    assert marker.read_text(encoding="utf-8") == "before"
    assert not lab.world.resolve_path("NODE2", "C:\\left.txt").exists()
    assert executions(lab) == []
    # The node made unreachable answers again, and the crashed one runs a new process.
    for node in lab.status()["nodes"]:
        assert node["process_alive"], node
        with socket.create_connection((node["address"], after["ports"]["https"]), timeout=5):
            pass
