"""`wsfc-lab` on a three-node lab: start, status (table and JSON), change, fault, stop."""

import json

import pytest
import yaml
from wsfc_lab.cli import main
from wsfc_lab.lab import Lab
from wsfc_lab.ports import free_port_pair
from wsfc_lab.world.liveness import process_alive


@pytest.fixture
def spec_file(tmp_path):
    http, https = free_port_pair([f"127.0.58.{11 + i}" for i in range(3)])
    spec = {
        "cluster": "clu58",
        "network": "127.0.58.0",
        "ports": {"http": http, "https": https},
        "credentials": {"password": "Lab-Passw0rd!"},
        "nodes": [
            {"name": f"n{i}", "release": r} for i, r in enumerate(["2022", "2019", "2016"], 1)
        ],
        "witness": {"type": "none"},
    }
    path = tmp_path / "lab.yml"
    path.write_text(yaml.safe_dump(spec))
    return path


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_start_status_change_fault_stop(tmp_path, spec_file, capsys):
    lab_dir = str(tmp_path / "lab")
    try:
        code, out, _err = run(capsys, "start", "-f", str(spec_file), "-d", lab_dir)
        assert code == 0
        rows = {
            line.split()[0]: line.split()
            for line in out.splitlines()
            if line.startswith("N") and line.split()[0] != "NODE"
        }
        assert set(rows) == {"N1", "N2", "N3"}
        assert rows["N2"][1:3] == ["127.0.58.12", "2019"]
        assert all(r[3] == "alive" and r[5] == "running" and r[6] == "Up" for r in rows.values())

        code, out, _err = run(
            capsys, "change", "parameter", "set", "Cluster Name", "Note", "42", "-d", lab_dir
        )
        assert code == 0 and "PaxosTag" in out
        code, out, _err = run(capsys, "status", "--json", "-d", lab_dir)
        status = json.loads(out)
        assert status["cluster"]["formed"] is True
        assert status["cluster"]["paxos_tag"].endswith(":2")
        assert {n["paxos_tag"] for n in status["nodes"]} == {status["cluster"]["paxos_tag"]}

        code, _out, err = run(capsys, "change", "service", "stop", "N1", "-d", lab_dir)
        assert code == 0
        code, _out, err = run(capsys, "change", "service", "stop", "N2", "-d", lab_dir)
        assert code == 1 and "5925" in err  # the last two of three: below quorum

        code, out, _err = run(
            capsys, "fault", "fail", "N3", "Stop-ClusterNode", "5", "--count", "1", "-d", lab_dir
        )
        assert code == 0
        code, out, _err = run(capsys, "status", "-d", lab_dir)
        assert "fail N3 Stop-ClusterNode -> 5 (1 more)" in out
        code, out, _err = run(capsys, "clear", "-d", lab_dir)
        assert "cleared fail N3" in out

        pids = [n["pid"] for n in Lab(lab_dir).status()["nodes"]]
        code, out, _err = run(capsys, "stop", "-d", lab_dir)
        assert code == 0
        assert not any(process_alive(pid) for pid in pids)
        code, out, _err = run(capsys, "status", "--json", "-d", lab_dir)
        assert [n["state"] for n in json.loads(out)["nodes"]] == ["Down"] * 3
    finally:
        if Lab(lab_dir).exists():
            Lab(lab_dir).stop()


def test_errors_are_one_line_and_exit_1(tmp_path, capsys):
    code, _out, err = run(capsys, "status", "-d", str(tmp_path / "none"))
    assert code == 1 and err.startswith("wsfc-lab: no lab in")
    bad = tmp_path / "bad.yml"
    bad.write_text("cluster: c\ncredentials: {password: x}\nnodes: [{name: a, release: '95'}]\n")
    code, _out, err = run(capsys, "start", "-f", str(bad), "-d", str(tmp_path / "lab"))
    assert code == 1 and "nodes[0].release" in err
