"""Injected faults and latencies as the world applies them."""

import time

import pytest
from wsfc_lab.spec import parse_spec
from wsfc_lab.world import DOWN, UP, WindowsError, World, faults
from wsfc_lab.world.windows_errors import ERROR_ACCESS_DENIED, ERROR_DISK_FULL

SPEC = {
    "cluster": "clu58",
    "network": "127.0.58.0",
    "credentials": {"password": "pw"},
    "nodes": [{"name": "n1", "release": "2022"}, {"name": "n2", "release": "2022"},
              {"name": "n3", "release": "2022"}],
    "file_servers": [{"name": "fs1", "shares": [{"name": "backups"}]}],
    "latencies": {"service_stop": 0.2},
}  # fmt: skip


@pytest.fixture
def world(tmp_path):
    return World.create(tmp_path / "lab", parse_spec(SPEC))


def test_a_failure_with_a_count_fails_that_many_times(world):
    with world.transaction() as state:
        faults.add_failure(state, "n1", "Stop-ClusterNode", ERROR_ACCESS_DENIED, count=2)
    for _attempt in range(2):
        with pytest.raises(WindowsError) as failed:
            world.operation("N1", "stop-clusternode")
        assert failed.value.code == ERROR_ACCESS_DENIED
    world.operation("n1", "Stop-ClusterNode")  # used up
    world.operation("n2", "Get-ClusterNode")


def test_a_failure_after_passes_lets_the_first_calls_succeed(world):
    with world.transaction() as state:
        faults.add_failure(state, "n1", "Get-FileHash", ERROR_ACCESS_DENIED, passes=2)
    world.operation("N1", "Get-FileHash")
    world.operation("n2", "Get-FileHash")  # another node's calls do not count
    world.operation("n1", "get-filehash")
    for _attempt in range(2):
        with pytest.raises(WindowsError):
            world.operation("n1", "Get-FileHash")
    with world.transaction() as state, pytest.raises(ValueError, match="negative"):
        faults.add_failure(state, "n1", "Get-FileHash", 5, passes=-1)


def test_a_failure_for_every_node_lasts_until_cleared(world):
    with world.transaction() as state:
        faults.add_failure(state, "*", "wbadmin start backup", 5, message="no way")
    for node in ("n1", "n2", "n1"):
        with pytest.raises(WindowsError, match="no way"):
            world.operation(node, "wbadmin start backup")
    with world.transaction() as state:
        assert faults.clear(state, ["fail"])
    world.operation("n1", "wbadmin start backup")


def test_latency_by_operation_class_and_by_name(world):
    started = time.monotonic()
    world.operation("n1", "Stop-ClusterNode")  # class service_stop: 0.2 s
    assert time.monotonic() - started >= 0.2
    started = time.monotonic()
    world.operation("n1", "Get-ClusterNode")
    assert time.monotonic() - started < 0.2
    with world.transaction() as state:
        state.latencies["Get-ClusterNode"] = 0.15
    started = time.monotonic()
    world.operation("n1", "Get-ClusterNode")
    assert time.monotonic() - started >= 0.15


def test_the_latency_is_slept_outside_the_lock(world):
    import threading

    with world.transaction() as state:
        state.latencies["slow-thing"] = 0.5
    sleeper = threading.Thread(target=world.operation, args=("n1", "slow-thing"))
    sleeper.start()
    time.sleep(0.05)
    started = time.monotonic()
    with world.transaction():
        waited = time.monotonic() - started
    sleeper.join()
    assert waited < 0.3


def test_disk_full_after_a_byte_budget_on_a_share(world):
    with world.transaction() as state:
        faults.add_disk_full(state, "fs1", "\\\\fs1\\backups", 100)
    world.write_file("n1", "\\\\fs1\\backups\\a.bin", b"x" * 60)
    with pytest.raises(WindowsError) as full:
        world.write_file("n2", "\\\\FS1\\Backups\\b.bin", b"y" * 60)
    assert full.value.code == ERROR_DISK_FULL
    world.write_file("n1", "C:\\elsewhere.bin", b"z" * 500)  # other volumes are not full
    with world.transaction() as state:
        faults.clear(state, ["disk_full"])
    world.write_file("n2", "\\\\fs1\\backups\\b.bin", b"y" * 60)


def test_disk_full_on_a_volume(world):
    with world.transaction() as state:
        faults.add_disk_full(state, "n2", "C:", 0)
    with pytest.raises(WindowsError):
        world.write_file("n2", "C:\\Windows\\Cluster\\x", b"1")


def test_corrupt_flips_bytes_and_clearing_flips_them_back(world):
    original = bytes(range(256)) * 4
    first = world.write_file("n1", "C:\\Backups\\set\\one.bin", original)
    second = world.write_file("n1", "C:\\Backups\\set\\sub\\two.bin", original)
    with world.transaction() as state:
        touched = faults.corrupt(state, "n1", "c:\\backups\\SET", flips_per_file=3)
    assert sorted(touched) == ["one.bin", "sub/two.bin"]
    for path in (first, second):
        damaged = path.read_bytes()
        assert len(damaged) == len(original)
        assert sum(a != b for a, b in zip(damaged, original, strict=True)) == 3
    with world.transaction() as state:
        faults.clear(state, ["corrupt"])
    assert first.read_bytes() == original and second.read_bytes() == original


def test_unreachable_and_slow_are_recorded_for_the_node_process(world):
    with world.transaction() as state:
        faults.set_unreachable(state, "n2")
        faults.set_slow(state, "n3", 1.5)
    saved = world.peek()["faults"]
    assert saved["unreachable"] == ["N2"] and saved["slow"] == {"N3": 1.5}
    with world.transaction() as state:
        assert faults.reply_delay(state, "n3") == 1.5
        assert sorted(faults.describe(state)) == ["slow N3 1.5s", "unreachable N2"]
        faults.clear(state)
        assert faults.describe(state) == []
        assert not faults.is_unreachable(state, "n2")


def test_crash_takes_the_node_down_and_clearing_brings_it_back(world):
    with world.transaction() as state:
        faults.set_crashed(state, "n3")
    with world.transaction() as state:
        assert state.cluster.node_state("n3") == DOWN
        assert state.cluster.formed  # two of three nodes
        assert faults.clear(state, ["crash"]) == ["crash N3"]
        assert state.cluster.node_state("n3") == UP
