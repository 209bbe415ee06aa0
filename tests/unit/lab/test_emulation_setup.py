"""ansible.windows.setup's emulation: facts from the world, gather_subset as setup.ps1."""

import json

import pytest
from test_execution_support import FakeWorld
from wsfc_lab.emulation import lookup
from wsfc_lab.emulation.framework.invocation import invoke
from wsfc_lab.emulation.framework.node_environment import node_environment


@pytest.fixture
def world(tmp_path):
    return FakeWorld(tmp_path / "lab")


def gather(world, **arguments):
    outcome = invoke(lookup("ansible.windows.setup"), arguments, world=world, node="NODE1")
    assert outcome.exit_code == 0, outcome.result
    return outcome.result


def test_min_facts_describe_the_node_from_the_world(world):
    # setup.ps1 starts from all and only removes what is excluded: "!all" leaves min.
    facts = gather(world, gather_subset=["!all"])["ansible_facts"]

    assert facts["ansible_hostname"] == "NODE1"
    assert facts["ansible_domain"] == "lab.local"
    assert facts["ansible_fqdn"] == "NODE1.lab.local"
    assert facts["ansible_distribution"] == "Microsoft Windows Server 2019 Datacenter"
    assert facts["ansible_distribution_version"] == "10.0.17763.0"
    assert facts["ansible_distribution_major_version"] == "10"
    assert facts["ansible_kernel"] == "10.0.17763.0"
    assert facts["ansible_os_family"] == "Windows"
    assert facts["ansible_powershell_version"] == 5
    assert facts["ansible_user_id"] == "Administrator"
    assert facts["ansible_env"]["TEMP"] == "C:\\Users\\Administrator\\AppData\\Local\\Temp"
    assert facts["gather_subset"] == ["!all"]
    assert facts["module_setup"] is True
    # min leaves the network subsets out.
    assert "ansible_ip_addresses" not in facts
    assert "ansible_interfaces" not in facts


def test_the_default_subset_is_all_with_the_network_facts(world):
    result = gather(world)
    assert "warnings" not in result
    facts = result["ansible_facts"]
    assert facts["gather_subset"] == ["all"]
    assert facts["ansible_ip_addresses"] == ["127.0.61.11"]
    assert facts["ansible_interfaces"][0]["ipv4"]["address"] == "127.0.61.11"
    assert facts["ansible_windows_domain"] == "lab.local"
    assert facts["ansible_windows_domain_member"] is True


def test_exclusions_and_single_subsets(world):
    facts = gather(world, gather_subset=["!all", "!min", "platform"])["ansible_facts"]
    assert facts["ansible_hostname"] == "NODE1"
    assert "ansible_env" not in facts
    # Naming a group adds to all rather than narrowing it, as in setup.ps1.
    assert "ansible_ip_addresses" in gather(world, gather_subset=["min"])["ansible_facts"]
    only_network = gather(world, gather_subset=["!min", "network"])["ansible_facts"]
    assert "ansible_ip_addresses" in only_network
    assert "ansible_distribution" not in only_network


def test_an_unknown_subset_warns(world):
    result = gather(world, gather_subset=["!all", "bogus"])
    assert result["warnings"] == ["invalid value bogus specified in gather_subset"]


def test_gather_facts_extra_arguments_are_accepted(world):
    # The gather_facts action passes its own arguments through; setup.ps1 adds them to
    # its spec as raw options.
    result = gather(world, gather_subset=["!all"], filter=["ansible_*"], gather_timeout=10)
    assert result["invocation"]["module_args"]["filter"] == ["ansible_*"]


def test_local_facts_from_json_files(world):
    directory = world.resolve_path("NODE1", "C:\\facts")
    directory.mkdir(parents=True)
    (directory / "site.json").write_text(json.dumps({"rack": "R1"}))
    facts = gather(world, gather_subset=["!all"], fact_path="C:\\facts")["ansible_facts"]
    assert facts["ansible_site"] == {"rack": "R1"}

    result = gather(world, gather_subset=["!all"], fact_path="C:\\missing")
    assert result["warnings"] == ["Non existing path was set for local facts - C:\\missing"]


def test_the_user_environment_follows_the_account():
    environment = node_environment({"hostname": "NODE2", "domain": "lab.local"}, "LAB\\svc")
    assert environment["USERPROFILE"] == "C:\\Users\\svc"
    assert environment["USERDOMAIN"] == "LAB"
    assert environment["COMPUTERNAME"] == "NODE2"
