"""The execution log: one line in <lab dir>/executions.jsonl per module run dispatched."""

import json

from test_execution_support import module_command, module_payload
from win_support import make_world
from wsfc_lab.execution.execution_log import log_path, read_executions, record_execution
from wsfc_lab.execution.node_command_runner import NodeCommandRunner


def dispatch(runner, stdin):
    command, arguments = module_command()
    return runner.run(command, arguments, stdin)


def test_each_module_run_appends_one_line_with_its_outcome(tmp_path):
    world = make_world(tmp_path)
    runner = NodeCommandRunner(world, "N2")
    assert read_executions(world.lab_dir) == []

    ok = dispatch(runner, module_payload("win_ping.ps1", {}))
    bad = dispatch(runner, module_payload("win_stat.ps1", {"path": "C:\\", "bogus": 1}))
    missing = dispatch(runner, module_payload("win_hostname.ps1", {"name": "x"}))
    assert (ok.exit_code, bad.exit_code, missing.exit_code) == (0, 1, 1)

    lines = read_executions(world.lab_dir)
    assert [(e["node"], e["module"], e["failed"]) for e in lines] == [
        ("N2", "ansible.windows.win_ping", False),
        ("N2", "ansible.windows.win_stat", True),
        ("N2", "ansible.windows.win_hostname", True),
    ]
    assert all(e["phase"] is None and e["duration"] >= 0 for e in lines)
    assert lines[0]["time"] <= lines[1]["time"] <= lines[2]["time"]
    assert set(lines[0]) == {"time", "node", "module", "phase", "duration", "failed"}


def test_the_phase_argument_and_the_latency_are_recorded(tmp_path):
    world = make_world(tmp_path)
    with world.transaction() as state:
        state.latencies["Get-Item"] = 0.2
    dispatch(NodeCommandRunner(world, "N1"), module_payload("win_stat.ps1", {"path": "C:\\"}))
    (entry,) = read_executions(world.lab_dir)
    assert entry["duration"] >= 0.2

    record_execution(world.lab_dir, started=1.5, node="N1", module="wsfc.clusterdb.cluster_backup",
                     arguments={"_phase": "inspect", "path": "x"}, duration=0.25,
                     failed=False)  # fmt: skip
    last = json.loads(log_path(world.lab_dir).read_text().splitlines()[-1])
    assert last == {"time": 1.5, "node": "N1", "module": "wsfc.clusterdb.cluster_backup",
                    "phase": "inspect", "duration": 0.25, "failed": False}  # fmt: skip


def test_no_lab_directory_means_no_log(tmp_path):
    record_execution(None, started=0.0, node="N1", module="a.b.c", arguments={}, duration=0.0,
                     failed=False)  # fmt: skip
    assert list(tmp_path.iterdir()) == []
