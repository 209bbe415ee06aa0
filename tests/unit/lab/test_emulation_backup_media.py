"""The lab's backup media (world/backup_media.py): what the writers write, the readers read."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from wsfc_lab.spec import load_spec
from wsfc_lab.world import ConfigChange, WindowsError, World, faults
from wsfc_lab.world.backup_media import (
    CLUSAPI_MARKER,
    BackupMediaError,
    read_clusapi_snapshot,
    read_vss_catalog,
    read_vss_snapshot,
    take_snapshot,
    write_clusapi_backup,
    write_vss_backup,
)

ROOT = Path(__file__).resolve().parents[3]
THREE_NODE = ROOT / "tests" / "lab" / "examples" / "three-node.yml"
LEGACY = ROOT / "tests" / "lab" / "examples" / "legacy-2003.yml"
TARGET = "\\\\FS01\\clusterbackups\\t1"
WHEN = datetime(2026, 11, 22, 2, 3, 4, tzinfo=UTC)


@pytest.fixture
def world(tmp_path):
    world = World.create(tmp_path / "lab", load_spec(THREE_NODE))
    world.resolve_path("NODE1", TARGET).mkdir()
    return world


def snapshot_of(world, node="NODE1", when=WHEN):
    with world.transaction() as state:
        return take_snapshot(state, node, when)


def test_a_vss_backup_reads_back_as_written(world):
    snapshot = snapshot_of(world)
    version = write_vss_backup(world, "NODE1", TARGET, snapshot, WHEN)
    assert version.version_id == "11/22/2026-02:03"
    assert read_vss_catalog(world, "NODE1", TARGET) == [version]
    assert read_vss_snapshot(world, "NODE1", TARGET, version.version_id) == snapshot
    root = world.resolve_path("NODE1", TARGET) / "WindowsImageBackup" / "NODE1"
    assert (root / "Catalog" / "BackupGlobalCatalog").is_file()
    assert (root / "Backup 2026-11-22 020304" / version.vhdx).is_file()


def test_the_snapshot_holds_the_database_and_the_quorum_disk_layout(world):
    snapshot = snapshot_of(world)
    with world.transaction() as state:
        assert snapshot.database() == state.node("NODE1")["database"]
        assert snapshot.cluster["id"] == state.data["cluster"]["id"]
    assert snapshot.quorum_disk()["partitions"] == [
        {"number": 1, "offset": 1048576, "size": 535822336}
    ]


def test_a_target_keeps_every_version_oldest_first(world):
    first = write_vss_backup(world, "NODE1", TARGET, snapshot_of(world), WHEN)
    with world.transaction() as state:
        state.cluster.change_configuration("NODE1", ConfigChange("group", "set", "G2", {}))
    later = WHEN + timedelta(minutes=5)
    second = write_vss_backup(world, "NODE1", TARGET, snapshot_of(world, when=later), later)
    assert [v.version_id for v in read_vss_catalog(world, "NODE1", TARGET)] == [
        first.version_id, second.version_id,
    ]  # fmt: skip
    assert read_vss_snapshot(world, "NODE1", TARGET, first.version_id).paxos_tag != (
        read_vss_snapshot(world, "NODE1", TARGET, second.version_id).paxos_tag
    )


def test_another_node_reads_a_backup_by_machine(world):
    version = write_vss_backup(world, "NODE1", TARGET, snapshot_of(world), WHEN)
    assert read_vss_catalog(world, "NODE2", TARGET) == []
    found = read_vss_snapshot(world, "NODE2", TARGET, version.version_id, machine="NODE1")
    assert found.node == "NODE1"


def test_a_changed_byte_makes_the_snapshot_unreadable(world):
    version = write_vss_backup(world, "NODE1", TARGET, snapshot_of(world), WHEN)
    with world.transaction() as state:
        faults.corrupt(state, "FS01", "C:\\Shares\\clusterbackups\\t1\\WindowsImageBackup\\NODE1\\"
                       f"{version.directory}\\{version.vhdx}")  # fmt: skip
    with pytest.raises(BackupMediaError) as raised:
        read_vss_snapshot(world, "NODE1", TARGET, version.version_id)
    assert raised.value.code == 5087


def test_an_unknown_version_is_file_not_found(world):
    write_vss_backup(world, "NODE1", TARGET, snapshot_of(world), WHEN)
    with pytest.raises(BackupMediaError) as raised:
        read_vss_snapshot(world, "NODE1", TARGET, "01/01/2020-00:00")
    assert raised.value.code == 2


def test_a_full_disk_cuts_the_snapshot_and_leaves_the_catalog_alone(world):
    first = write_vss_backup(world, "NODE1", TARGET, snapshot_of(world), WHEN)
    with world.transaction() as state:
        faults.add_disk_full(state, "FS01", "C:\\Shares\\clusterbackups", 20_000)
    later = WHEN + timedelta(minutes=1)
    with pytest.raises(WindowsError) as raised:
        write_vss_backup(world, "NODE1", TARGET, snapshot_of(world, when=later), later)
    assert raised.value.code == 112
    assert read_vss_catalog(world, "NODE1", TARGET) == [first]
    cut = (
        world.resolve_path("NODE1", TARGET)
        / "WindowsImageBackup"
        / "NODE1"
        / ("Backup 2026-11-22 020404")
    )
    (partial,) = cut.iterdir()
    assert 0 < partial.stat().st_size <= 20_000


def test_a_volume_target_writes_at_the_volume_root(tmp_path):
    spec = load_spec(THREE_NODE)
    world = World.create(tmp_path / "lab", spec)
    version = write_vss_backup(world, "NODE3", "E:", snapshot_of(world, "NODE3"), WHEN)
    assert (tmp_path / "lab" / "fs" / "NODE3" / "E" / "WindowsImageBackup" / "NODE3").is_dir()
    assert read_vss_snapshot(world, "NODE3", "E:\\", version.version_id).node == "NODE3"


# -- clusapi ---------------------------------------------------------------------------------


@pytest.fixture
def legacy(tmp_path):
    world = World.create(tmp_path / "legacy", load_spec(LEGACY))
    world.resolve_path("OLD1", "C:\\Backups").mkdir()
    return world


def test_a_clusapi_backup_holds_the_documented_files_and_reads_back(legacy):
    snapshot = snapshot_of(legacy, "OLD1")
    write_clusapi_backup(legacy, "OLD1", "C:\\Backups", snapshot)
    root = legacy.resolve_path("OLD1", "C:\\Backups")
    names = sorted(p.name for p in root.iterdir() if p.is_file())
    assert names[0] == CLUSAPI_MARKER
    assert names[1].startswith("chk") and names[1].endswith(".tmp") and len(names[1]) == 11
    assert names[2] == "quolog.log"
    guid_dirs = [p for p in root.iterdir() if p.is_dir()]
    assert len(guid_dirs) == len(snapshot.objects["resources"])
    assert all(sorted(f.suffix for f in d.iterdir()) == [".CPR", ".CPT"] for d in guid_dirs)
    marker = root / CLUSAPI_MARKER
    assert marker.stat().st_size == 0 and not marker.stat().st_mode & 0o222
    assert read_clusapi_snapshot(legacy, "OLD1", "C:\\Backups") == snapshot


def test_a_clusapi_backup_without_its_marker_is_refused(legacy):
    write_clusapi_backup(legacy, "OLD1", "C:\\Backups", snapshot_of(legacy, "OLD1"))
    (legacy.resolve_path("OLD1", "C:\\Backups") / CLUSAPI_MARKER).unlink()
    with pytest.raises(BackupMediaError) as raised:
        read_clusapi_snapshot(legacy, "OLD1", "C:\\Backups")
    assert raised.value.code == 5087 and CLUSAPI_MARKER in raised.value.message


def test_a_changed_checkpoint_is_refused(legacy):
    write_clusapi_backup(legacy, "OLD1", "C:\\Backups", snapshot_of(legacy, "OLD1"))
    root = legacy.resolve_path("OLD1", "C:\\Backups")
    checkpoint = next(root.rglob("*.CPT"))
    with legacy.transaction() as state:
        relative = "\\".join(checkpoint.relative_to(root).parts)
        faults.corrupt(state, "OLD1", f"C:\\Backups\\{relative}")
    with pytest.raises(BackupMediaError) as raised:
        read_clusapi_snapshot(legacy, "OLD1", "C:\\Backups")
    assert raised.value.code == 5087


def test_a_second_clusapi_backup_overwrites_the_first(legacy):
    write_clusapi_backup(legacy, "OLD1", "C:\\Backups", snapshot_of(legacy, "OLD1"))
    with legacy.transaction() as state:
        state.cluster.change_configuration("OLD1", ConfigChange("group", "set", "G2", {}))
    newer = snapshot_of(legacy, "OLD1")
    write_clusapi_backup(legacy, "OLD1", "C:\\Backups", newer)
    root = legacy.resolve_path("OLD1", "C:\\Backups")
    assert len(list(root.glob("chk*.tmp"))) == 1
    assert read_clusapi_snapshot(legacy, "OLD1", "C:\\Backups").paxos_tag == newer.paxos_tag


def test_a_full_disk_leaves_no_marker(legacy):
    with legacy.transaction() as state:
        faults.add_disk_full(state, "OLD1", "C:\\Backups", 500)
    with pytest.raises(WindowsError):
        write_clusapi_backup(legacy, "OLD1", "C:\\Backups", snapshot_of(legacy, "OLD1"))
    root = legacy.resolve_path("OLD1", "C:\\Backups")
    assert not (root / CLUSAPI_MARKER).exists()
    with pytest.raises(BackupMediaError):
        read_clusapi_snapshot(legacy, "OLD1", "C:\\Backups")


def test_reading_a_missing_path_or_a_file(legacy):
    with pytest.raises(WindowsError) as missing:
        read_clusapi_snapshot(legacy, "OLD1", "C:\\Nowhere")
    assert missing.value.code == 3
    legacy.resolve_path("OLD1", "C:\\file.txt").write_text("x")
    with pytest.raises(WindowsError) as a_file:
        read_clusapi_snapshot(legacy, "OLD1", "C:\\file.txt")
    assert a_file.value.code == 267
