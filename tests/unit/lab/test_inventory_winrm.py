"""<lab_dir>/inventory.winrm: what ansible-core reads from it is what inventory.yml holds."""

import copy

import pytest
import yaml
from ansible.inventory.manager import InventoryManager
from ansible.parsing.dataloader import DataLoader
from ansible.vars.manager import VariableManager
from win_support import SPEC
from wsfc_lab.inventory_winrm import write_inventory_winrm
from wsfc_lab.lab import Lab
from wsfc_lab.spec import parse_spec

# Characters an INI line treats specially, in a password and a user name.
PASSWORD = "p#ss; w=rd \"q\" 'x' \\ %TEMP%"
USER = "CORP\\kit operator"


def host_vars(path, host):
    loader = DataLoader()
    inventory = InventoryManager(loader=loader, sources=[str(path)])
    variables = VariableManager(loader=loader, inventory=inventory)
    found = inventory.get_host(host)
    assert found is not None, host
    names = sorted(g.name for g in found.get_groups())
    return names, variables.get_vars(host=found)


@pytest.fixture
def lab(tmp_path):
    spec = copy.deepcopy(SPEC)
    spec["credentials"] = {"username": USER, "password": PASSWORD}
    lab = Lab(tmp_path / "lab")
    lab.create(parse_spec(spec))
    return lab


def test_the_lab_writes_both_inventories_with_the_same_hosts_and_connection(lab):
    assert lab.winrm_inventory_path.is_file() and lab.inventory_path.is_file()
    written = yaml.safe_load(lab.inventory_path.read_text())["all"]["children"]
    for name, host in written["windows"]["hosts"].items():
        groups, variables = host_vars(lab.winrm_inventory_path, name)
        assert groups == ["all", "clu91", "windows"]
        assert variables["ansible_host"] == host["ansible_host"]
        for key, value in {**written["windows"]["vars"], **written["clu91"]["vars"]}.items():
            assert variables[key] == value, key
        assert variables["ansible_password"] == PASSWORD
        assert variables["ansible_become_user"] == USER


def test_the_file_is_rewritten_from_the_state(lab, tmp_path):
    data = lab.world.peek()
    data["ports"]["https"] = 45986
    path = write_inventory_winrm(data, tmp_path / "other.winrm")
    assert host_vars(path, "N2")[1]["ansible_port"] == 45986
