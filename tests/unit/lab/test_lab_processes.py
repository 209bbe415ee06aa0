"""The Lab with real node processes: start, crash and restart, faults seen over WinRM."""

import os
import signal
import socket
import time

import pytest
import requests
import winrm
from wsfc_lab.lab import Lab
from wsfc_lab.ports import free_port_pair
from wsfc_lab.spec import parse_spec
from wsfc_lab.world import DOWN, UP, ConfigChange

NETWORK = "127.0.58.0"
PASSWORD = "Lab-Passw0rd!"


@pytest.fixture
def lab(tmp_path):
    addresses = [f"127.0.58.{11 + i}" for i in range(3)]
    http, https = free_port_pair(addresses)
    spec = parse_spec(
        {
            "cluster": "clu58",
            "network": NETWORK,
            "ports": {"http": http, "https": https},
            "credentials": {"password": PASSWORD},
            "nodes": [{"name": f"n{i}", "release": "2022"} for i in range(1, 4)],
            "witness": {"type": "none"},
        }
    )
    lab = Lab(tmp_path / "lab")
    lab.create(spec)
    lab.start()
    yield lab
    lab.stop()


def session(lab, node, https=False):
    data = lab.world.peek()
    address = data["nodes"][node]["address"]
    if https:
        url = f"https://{address}:{data['ports']['https']}/wsman"
        return winrm.Session(url, auth=("Administrator", PASSWORD), transport="ntlm",
                             server_cert_validation="ignore", read_timeout_sec=20,
                             operation_timeout_sec=15)  # fmt: skip
    url = f"http://{address}:{data['ports']['http']}/wsman"
    return winrm.Session(url, auth=("Administrator", PASSWORD), transport="ntlm",
                         read_timeout_sec=20, operation_timeout_sec=15)  # fmt: skip


def hostname(lab, node, https=False):
    return session(lab, node, https).run_cmd("hostname").std_out.decode().strip()


def node_states(lab):
    return {n["name"]: n["state"] for n in lab.status()["nodes"]}


def wait_for(condition, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_every_node_answers_over_http_and_https_as_itself(lab):
    assert [hostname(lab, n, https=n == "N2") for n in ("N1", "N2", "N3")] == ["N1", "N2", "N3"]
    assert node_states(lab) == {"N1": UP, "N2": UP, "N3": UP}


def test_a_node_killed_with_sigkill_comes_back_with_its_state(lab):
    pid = lab.status()["nodes"][1]["pid"]
    os.kill(pid, signal.SIGKILL)
    assert wait_for(lambda: node_states(lab)["N2"] == DOWN)
    tag = lab.change(ConfigChange("group", "set", "Finance", {"owner_node": "N1"}))
    with lab.world.transaction() as state:
        before = state.node("N2")["database"]["paxos_tag"]
    assert before != tag  # it missed the change while down
    lab.start_node("N2")
    assert hostname(lab, "N2") == "N2"
    status = {n["name"]: n for n in lab.status()["nodes"]}
    assert status["N2"]["state"] == UP and status["N2"]["pid"] != pid
    assert status["N2"]["paxos_tag"] == tag  # joined and took the cluster's copy


def test_the_crash_fault_kills_the_process_and_clear_restarts_it(lab):
    lab.inject("crash", "n3")
    status = {n["name"]: n for n in lab.status()["nodes"]}
    assert status["N3"]["state"] == DOWN and not status["N3"]["process_alive"]
    with pytest.raises(requests.exceptions.ConnectionError):
        session(lab, "N3").run_cmd("hostname")
    assert lab.clear_faults() == ["crash N3"]
    assert hostname(lab, "N3") == "N3"


def test_unreachable_refuses_connections_until_cleared(lab):
    data = lab.world.peek()
    address, port = data["nodes"]["N1"]["address"], data["ports"]["http"]

    def accepts():
        try:
            with socket.create_connection((address, port), timeout=0.5):
                return True
        except OSError:
            return False

    lab.inject("unreachable", "N1")
    assert wait_for(lambda: not accepts(), timeout=3)
    assert node_states(lab)["N1"] == UP  # the simulated node keeps running
    lab.clear_faults(["unreachable"])
    assert wait_for(accepts, timeout=3)
    assert hostname(lab, "N1") == "N1"


def test_slow_delays_every_reply(lab):
    started = time.monotonic()
    hostname(lab, "N3")
    quick = time.monotonic() - started
    lab.inject("slow", "N3", seconds=0.2)
    time.sleep(0.5)  # the node polls its faults about five times a second
    started = time.monotonic()
    hostname(lab, "N3")
    assert time.monotonic() - started >= quick + 0.4  # several replies, each delayed


def test_inventory_lists_every_node_in_both_groups(lab):
    import yaml

    inventory = yaml.safe_load(lab.inventory_path.read_text())
    children = inventory["all"]["children"]
    assert children["windows"]["hosts"]["N2"] == {"ansible_host": "127.0.58.12"}
    assert set(children["clu58"]["hosts"]) == {"N1", "N2", "N3"}
    connection = children["windows"]["vars"]
    assert connection["ansible_winrm_transport"] == "ntlm"
    assert connection["ansible_winrm_scheme"] == "https"
    assert connection["ansible_port"] == lab.world.peek()["ports"]["https"]
    assert connection["ansible_winrm_server_cert_validation"] == "ignore"
    assert connection["ansible_password"] == PASSWORD
