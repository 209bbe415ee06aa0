"""The lab description: examples load, defaults fill in, errors name the bad field."""

import copy
from pathlib import Path

import pytest
from wsfc_lab.spec import SpecError, load_spec, parse_spec

EXAMPLES = Path(__file__).resolve().parents[2] / "lab" / "examples"

MINIMAL = {
    "cluster": "clu9",
    "credentials": {"password": "pw"},
    "nodes": [{"name": "n1", "release": "2019"}, {"name": "n2", "release": "2012 R2"}],
}


def with_changes(**changes):
    data = copy.deepcopy(MINIMAL)
    data.update(changes)
    return data


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yml")), ids=lambda p: p.name)
def test_every_example_loads(path):
    spec = load_spec(path)
    assert spec.nodes


def test_three_node_example_describes_a_disk_witness_cluster():
    spec = load_spec(EXAMPLES / "three-node.yml")
    assert [n.name for n in spec.nodes] == ["NODE1", "NODE2", "NODE3"]
    assert [n.address for n in spec.nodes] == ["127.0.5.11", "127.0.5.12", "127.0.5.13"]
    assert spec.witness.type == "disk"
    assert spec.disks[0].partitions[0].offset == 1048576
    assert spec.file_servers[0].address == "127.0.5.31"


def test_defaults_fill_in():
    spec = parse_spec(MINIMAL)
    assert (spec.http_port, spec.https_port) == (5985, 5986)
    assert spec.username == "Administrator"
    assert parse_spec({k: v for k, v in MINIMAL.items() if k != "credentials"}).password
    assert spec.network == "127.0.5.0"
    assert spec.witness.type == "none"
    assert spec.nodes[1].release.os_version == "6.3.9600"
    assert spec.nodes[0].release.os_name == "Microsoft Windows Server 2019 Datacenter"
    assert spec.nodes[0].windows_server_backup is True


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"nodes": [{"name": "n1", "release": "2030"}]}, "nodes[0].release"),
        ({"nodes": [{"name": "n1"}]}, "nodes[0].release"),
        ({"nodes": [{"name": "n1", "release": "2022"}, {"name": "N1", "release": "2022"}]},
         "nodes[1].name"),
        ({"nodes": [{"name": "n1", "release": "2003", "windows_server_backup": True}]},
         "nodes[0].windows_server_backup"),
        ({"credentials": {"username": "x", "password": ""}}, "credentials.password"),
        ({"network": "10.0.0.0"}, "network"),
        ({"network": "127.0.5.7"}, "network"),
        ({"ports": {"http": 70000}}, "ports.http"),
        ({"witness": {"type": "cloud"}}, "witness.type"),
        ({"witness": {"type": "disk"}}, "witness.disk"),
        ({"witness": {"type": "file_share", "path": "\\\\fs9\\w"}}, "witness.path"),
        ({"colour": "blue"}, "colour"),
        ({"latencies": {"backup": -1}}, "latencies.backup"),
        ({"configuration": {"resources": [{"name": "r", "type": "t", "group": "nope"}]}},
         "configuration.resources[0].group"),
    ],
)  # fmt: skip
def test_errors_name_the_field(changes, field):
    with pytest.raises(SpecError) as raised:
        parse_spec(with_changes(**changes))
    assert raised.value.field_path == field
    assert str(raised.value).startswith(f"{field}: ")


def test_disk_partitions_must_not_overlap():
    disks = [{"name": "d", "signature": "12345678", "drive_letter": "Q",
              "partitions": [{"offset": 0, "size": 100}, {"offset": 50, "size": 10}]}]  # fmt: skip
    with pytest.raises(SpecError, match=r"^disks\[0\]\.partitions\[1\]"):
        parse_spec(with_changes(disks=disks))
