"""Windows paths on the simulated hosts: volumes, cluster disks, UNC through shares."""

import pytest
from wsfc_lab.spec import parse_spec
from wsfc_lab.world import WindowsError, World
from wsfc_lab.world.windows_errors import (
    ERROR_ACCESS_DENIED,
    ERROR_BAD_NET_NAME,
    ERROR_BAD_NETPATH,
    ERROR_PATH_NOT_FOUND,
)

SPEC = {
    "cluster": "clu58",
    "domain": "corp.example.com",
    "network": "127.0.58.0",
    "credentials": {"password": "pw"},
    "nodes": [{"name": "n1", "release": "2022", "volumes": ["E"]},
              {"name": "n2", "release": "2022"}],
    "disks": [{"name": "Cluster Disk 1", "signature": "1A2B3C4D", "drive_letter": "Q",
               "partitions": [{"offset": 1048576, "size": 1073741824}]}],
    "witness": {"type": "disk"},
    "file_servers": [{"name": "fs1", "shares": [{"name": "Backups", "path": "D:\\Data\\Backups"}]}],
}  # fmt: skip


@pytest.fixture
def world(tmp_path):
    return World.create(tmp_path / "lab", parse_spec(SPEC))


def test_a_local_path_maps_under_the_nodes_volume(world):
    path = world.resolve_path("n1", "C:\\Backups\\set1\\file.txt")
    assert path == world.lab_dir / "fs" / "N1" / "C" / "Backups" / "set1" / "file.txt"
    assert world.resolve_path("N1", "e:/x") == world.lab_dir / "fs" / "N1" / "E" / "x"


def test_existing_names_match_case_insensitively(world):
    real = world.lab_dir / "fs" / "N1" / "C" / "Backups" / "Set1"
    real.mkdir(parents=True)
    assert world.resolve_path("n1", "c:\\BACKUPS\\set1\\New") == real / "New"


def test_dot_dot_stays_inside_and_may_not_climb_above_the_root(world):
    assert world.resolve_path("n1", "C:\\a\\..\\b") == world.lab_dir / "fs" / "N1" / "C" / "b"
    with pytest.raises(WindowsError) as refused:
        world.resolve_path("n1", "C:\\a\\..\\..\\..\\N2\\C")
    assert refused.value.code == ERROR_ACCESS_DENIED
    with pytest.raises(WindowsError):
        world.resolve_path("n1", "\\\\fs1\\backups\\..\\..\\x")


def test_unc_paths_go_through_the_share_table(world):
    share_dir = world.lab_dir / "fs" / "FS1" / "D" / "Data" / "Backups"
    assert share_dir.is_dir()  # created with the lab
    for unc in ("\\\\fs1\\backups\\x", "\\\\FS1.corp.example.com\\BACKUPS\\x",
                "\\\\127.0.58.31\\Backups\\x", "//fs1/backups/x"):  # fmt: skip
        assert world.resolve_path("n2", unc) == share_dir / "x"


def test_admin_shares_and_new_shares(world):
    expected = world.lab_dir / "fs" / "N1" / "C" / "Temp" / "x"
    assert world.resolve_path("n2", "\\\\n1\\c$\\Temp\\x") == expected
    with world.transaction() as state:
        state.add_share("n1", "ClusterBackup$tmp", "C:\\Temp", temporary=True)
    assert world.resolve_path("n2", "\\\\N1\\clusterbackup$tmp\\x") == expected
    with world.transaction() as state:
        state.remove_share("n1", "ClusterBackup$tmp")
    with pytest.raises(WindowsError) as gone:
        world.resolve_path("n2", "\\\\N1\\clusterbackup$tmp\\x")
    assert gone.value.code == ERROR_BAD_NET_NAME


def test_unknown_hosts_shares_and_volumes_fail_as_on_windows(world):
    with pytest.raises(WindowsError) as host:
        world.resolve_path("n1", "\\\\nowhere\\share\\x")
    assert host.value.code == ERROR_BAD_NETPATH
    with pytest.raises(WindowsError) as volume:
        world.resolve_path("n2", "E:\\x")
    assert volume.value.code == ERROR_PATH_NOT_FOUND


def test_a_cluster_disk_is_reachable_only_on_its_owner(world):
    assert world.resolve_path("n1", "Q:\\Cluster") == world.lab_dir / "disks" / "1" / "Cluster"
    with pytest.raises(WindowsError) as elsewhere:
        world.resolve_path("n2", "Q:\\Cluster")
    assert elsewhere.value.code == ERROR_PATH_NOT_FOUND


def test_node_facts(world):
    assert world.node_facts("n2") == {
        "hostname": "N2",
        "address": "127.0.58.12",
        "domain": "corp.example.com",
        "os_name": "Microsoft Windows Server 2022 Datacenter",
        "os_version": "10.0.20348",
        "os_release": "2022",
    }
