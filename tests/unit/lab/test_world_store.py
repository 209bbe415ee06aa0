"""state.json: round trip, rollback, and one writer at a time across processes."""

import json
import multiprocessing

import pytest
from wsfc_lab.spec import parse_spec
from wsfc_lab.world import World

SPEC = {
    "cluster": "clu58",
    "network": "127.0.58.0",
    "credentials": {"password": "pw"},
    "nodes": [{"name": "n1", "release": "2022"}, {"name": "n2", "release": "2022"}],
}


@pytest.fixture
def world(tmp_path):
    return World.create(tmp_path / "lab", parse_spec(SPEC))


def test_changes_are_saved_and_read_back(world, tmp_path):
    with world.transaction() as state:
        state.extension("wbadmin")["versions"] = ["01/02/2026-03:04"]
    again = World(tmp_path / "lab")
    with again.transaction() as state:
        assert state.extension("wbadmin") == {"versions": ["01/02/2026-03:04"]}
    on_disk = json.loads((tmp_path / "lab" / "state.json").read_text())
    assert on_disk["extensions"]["wbadmin"]["versions"] == ["01/02/2026-03:04"]


def test_a_failed_transaction_changes_nothing(world):
    with pytest.raises(RuntimeError), world.transaction() as state:
        state.node("n1")["service"]["state"] = "stopped"
        raise RuntimeError("boom")
    with world.transaction() as state:
        assert state.node("n1")["service"]["state"] == "running"


def test_nested_transactions_share_one_state(world):
    with world.transaction() as outer:
        outer.extension("x")["a"] = 1
        with world.transaction() as inner:
            assert inner.extension("x")["a"] == 1
            inner.extension("x")["b"] = 2
    assert world.read().extension("x") == {"a": 1, "b": 2}


def test_create_refuses_to_overwrite(world, tmp_path):
    with pytest.raises(FileExistsError):
        World.create(tmp_path / "lab", parse_spec(SPEC))


def _increment(lab_dir, times):
    world = World(lab_dir)
    for _increment_number in range(times):
        with world.transaction() as state:
            counter = state.extension("counter")
            value = counter.get("value", 0)
            # Widen the window between read and write: without the lock, updates get lost.
            for _spin in range(2000):
                pass
            counter["value"] = value + 1


def test_the_lock_serialises_writers_across_processes(world):
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_increment, args=(world.lab_dir, 40)) for _worker in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
        assert worker.exitcode == 0
    assert world.read().extension("counter")["value"] == 160
