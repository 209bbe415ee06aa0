"""What a transaction costs does not grow with the cluster, and the store stays correct.

The lab makes tens of transactions per module run. A transaction that changes nothing
serialises, parses and writes nothing; the node processes are read from /proc once, not
on every transaction; the cluster is reconciled again only when something it reads
changed. Counted with spies, not timed. Alongside: what callers see stays as it was (a
change made outside a transaction is not saved, a change by another process or thread is
seen, containers put into the state are saved with what is put into them later).
"""

from __future__ import annotations

import copy
import json
import multiprocessing
import os
import pickle
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cluster_support import cluster_world
from wsfc_lab.world import DOWN, UP, World, liveness, store
from wsfc_lab.world.cluster import Cluster

TRANSACTIONS = 20


class Spy:
    """Counts the calls of a function it replaces, and calls it."""

    def __init__(self, function):
        self.function = function
        self.calls = 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self.function(*args, **kwargs)


@pytest.fixture
def spies(monkeypatch):
    counted = {
        "serialise": Spy(store._serialise),
        # The store parses with tracked.parse; a store without it parses nothing else.
        "parse": Spy(getattr(store, "parse", json.loads)),
        "process_alive": Spy(liveness.process_alive),
        "reconcile": Spy(Cluster.reconcile),
    }
    monkeypatch.setattr(store, "_serialise", counted["serialise"])
    monkeypatch.setattr(store, "parse", counted["parse"], raising=False)
    monkeypatch.setattr(liveness, "process_alive", counted["process_alive"])

    def reconcile(self, **kwargs):
        return counted["reconcile"](self, **kwargs)

    monkeypatch.setattr(Cluster, "reconcile", reconcile)
    return counted


def file_identity(world: World) -> tuple[int, int, bytes]:
    path = world.lab_dir / "state.json"
    stat = path.stat()
    return stat.st_ino, stat.st_mtime_ns, path.read_bytes()


def node_processes(count: int) -> list[subprocess.Popen[bytes]]:
    """Processes that pass for node processes (the marker is in their command line), once
    they run the program (until then /proc shows the command line of the fork)."""
    script = "import time; time.sleep(120)"
    marker = liveness.NODE_PROCESS_MARKER
    processes = [
        subprocess.Popen([sys.executable, "-c", script, marker.decode()]) for _node in range(count)
    ]
    deadline = time.monotonic() + 10
    for process in processes:
        cmdline = Path(f"/proc/{process.pid}/cmdline")
        while marker not in cmdline.read_bytes() and time.monotonic() < deadline:
            time.sleep(0.01)
    return processes


@pytest.fixture
def supervised() -> Iterator[tuple[list[subprocess.Popen[bytes]], Callable[[Path, int], World]]]:
    """A maker of supervised worlds whose nodes are processes; the processes end after."""
    started: list[subprocess.Popen[bytes]] = []

    def make(tmp_path: Path, nodes: int) -> World:
        world = cluster_world(tmp_path, 58, nodes=nodes)
        processes = node_processes(nodes)
        started.extend(processes)
        with world.transaction() as state:
            state.data["supervised"] = True
            for name, process in zip(state.node_names(), processes, strict=True):
                state.node(name)["process"] = {"pid": process.pid}
        return world

    yield started, make
    for process in started:
        process.kill()
        process.wait()


# -- the cost does not grow with the nodes --------------------------------------------------


@pytest.mark.parametrize("nodes", [2, 8])
def test_a_transaction_that_changes_nothing_serialises_parses_and_writes_nothing(
    tmp_path, spies, nodes
):
    world = cluster_world(tmp_path, 58, nodes=nodes)
    with world.transaction():
        pass  # the first one of this thread parses the file
    before = file_identity(world)
    counts = {name: spy.calls for name, spy in spies.items()}
    for _transaction in range(TRANSACTIONS):
        with world.transaction() as state:
            assert state.cluster.formed and len(state.cluster.members()) == nodes
            state.node("N1")["service"]["state"] = "running"  # what it already is
            state.witness["online"] = True
    assert file_identity(world) == before
    assert spies["serialise"].calls == counts["serialise"]
    assert spies["parse"].calls == counts["parse"]
    assert spies["reconcile"].calls == counts["reconcile"]


@pytest.mark.parametrize("nodes", [2, 8])
def test_node_processes_are_read_from_proc_once_not_on_every_transaction(
    tmp_path, spies, supervised, nodes
):
    _started, make = supervised
    world = make(tmp_path, nodes)
    with world.transaction() as state:
        assert {state.cluster.node_state(n) for n in state.node_names()} == {UP}
    checked = spies["process_alive"].calls
    assert checked <= nodes  # each process once, when first seen
    for _transaction in range(TRANSACTIONS):
        with world.transaction() as state:
            assert {state.cluster.node_state(n) for n in state.node_names()} == {UP}
    assert spies["process_alive"].calls == checked


def test_a_node_process_that_ends_is_down_in_the_next_transaction(tmp_path, supervised):
    started, make = supervised
    world = make(tmp_path, 3)
    with world.transaction() as state:
        assert state.cluster.node_state("N3") == UP
    started[2].kill()
    started[2].wait()  # reaped or a zombie: either way it has ended
    with world.transaction() as state:
        assert state.cluster.node_state("N3") == DOWN
        assert state.cluster.members() == ["N1", "N2"]
    # A new process for the node: Up again once it is recorded.
    replacement = node_processes(1)
    started.extend(replacement)
    with world.transaction() as state:
        state.node("N3")["process"] = {"pid": replacement[0].pid}
    with world.transaction() as state:
        assert state.cluster.node_state("N3") == UP


def test_a_zombie_node_process_is_down(tmp_path, supervised):
    started, make = supervised
    world = make(tmp_path, 2)
    with world.transaction() as state:
        assert state.cluster.node_state("N2") == UP
    started[1].kill()
    os.waitid(os.P_PID, started[1].pid, os.WEXITED | os.WNOWAIT)  # ended, not reaped
    with world.transaction() as state:
        assert state.cluster.node_state("N2") == DOWN


def test_the_cluster_is_reconciled_after_a_transaction_changed_what_it_reads(tmp_path):
    world = cluster_world(tmp_path, 58, nodes=3)
    with world.transaction() as state:
        for node in ("N2", "N3"):
            state.node(node)["power"] = "off"  # as the crash fault does, without reconciling
    with world.transaction() as state:
        assert not state.data["cluster"]["formed"]  # reconcile saw that quorum is lost


def test_a_nested_transaction_reconciles_what_the_outer_one_changed(tmp_path):
    world = cluster_world(tmp_path, 58, nodes=3)
    with world.transaction() as outer:
        for node in ("N2", "N3"):
            outer.node(node)["power"] = "off"
        with world.transaction() as inner:
            assert not inner.data["cluster"]["formed"]


# -- what callers see stays the same -------------------------------------------------------


def test_a_change_made_outside_a_transaction_is_not_saved_nor_seen(tmp_path):
    world = cluster_world(tmp_path, 58)
    with world.transaction() as state:
        kept = state.node("N1")
    kept["service"]["state"] = "stopped"  # a reference kept after the transaction
    with world.transaction() as state:
        assert state.node("N1")["service"]["state"] == "running"
        state.extension("x")["y"] = 1  # a real change: saved without the stray one
    on_disk = json.loads((world.lab_dir / "state.json").read_text())
    assert on_disk["nodes"]["N1"]["service"]["state"] == "running"
    assert on_disk["extensions"]["x"] == {"y": 1}


def test_what_is_put_into_a_container_after_it_entered_the_state_is_saved(tmp_path):
    world = cluster_world(tmp_path, 58)
    with world.transaction() as state:
        entry: dict = {}
        state.extension("x")["entry"] = entry
        entry["a"] = [1]
        entry["a"].append(2)
        same = copy.deepcopy(state.disks)
        state.data["disks"] = same  # equal when put in, changed after
        same["Cluster Disk 1"]["drive_letter"] = "R"
    with world.transaction() as state:
        assert state.extension("x")["entry"] == {"a": [1, 2]}
        assert state.disks["Cluster Disk 1"]["drive_letter"] == "R"
        state.extension("x")["entry"]["a"].append(3)  # tracked again once saved
    on_disk = json.loads((world.lab_dir / "state.json").read_text())
    assert on_disk["extensions"]["x"]["entry"] == {"a": [1, 2, 3]}


def test_a_change_by_another_process_is_seen_by_the_next_transaction(tmp_path):
    world = cluster_world(tmp_path, 58)
    with world.transaction() as state:
        assert state.extension("x") == {}
    context = multiprocessing.get_context("fork")
    child = context.Process(target=_set_extension, args=(world.lab_dir, "from the child"))
    child.start()
    child.join(30)
    assert child.exitcode == 0
    with world.transaction() as state:
        assert state.extension("x") == {"value": "from the child"}


def _set_extension(lab_dir: Path, value: str) -> None:
    with World(lab_dir).transaction() as state:
        state.extension("x")["value"] = value


def test_a_change_by_another_thread_is_seen_by_the_next_transaction(tmp_path):
    world = cluster_world(tmp_path, 58)
    with world.transaction() as state:
        assert state.extension("x") == {}
    thread = threading.Thread(target=_set_extension, args=(world.lab_dir, "from a thread"))
    thread.start()
    thread.join(30)
    with world.transaction() as state:
        assert state.extension("x") == {"value": "from a thread"}


def test_a_file_replaced_without_the_lock_token_is_read_again(tmp_path):
    world = cluster_world(tmp_path, 58)
    with world.transaction() as state:
        assert state.node("N1")["service"]["state"] == "running"
    path = world.lab_dir / "state.json"
    text = path.read_text().replace('"state": "running"', '"state": "stopped"', 1)
    replacement = path.with_name("replacement.json")
    replacement.write_text(text)
    os.replace(replacement, path)  # as a writer that knows nothing of the token would
    with world.transaction() as state:
        assert "stopped" in {state.node(n)["service"]["state"] for n in state.node_names()}


def test_every_write_changes_the_token_in_the_lock_file(tmp_path):
    world = cluster_world(tmp_path, 58)
    lock = world.lab_dir / "state.lock"
    tokens = {lock.read_bytes()}
    for value in range(3):
        with world.transaction() as state:
            state.extension("x")["value"] = value
        tokens.add(lock.read_bytes())
    assert len(tokens) == 4 and all(len(t) == store.TOKEN_BYTES for t in tokens)


def test_copies_of_the_state_are_plain_json_values(tmp_path):
    world = cluster_world(tmp_path, 58)
    with world.transaction() as state:
        node = state.node("N1")
        assert isinstance(node, dict) and isinstance(node["volumes"], list)
        for duplicate in (copy.copy(node), copy.deepcopy(node), pickle.loads(pickle.dumps(node))):
            assert duplicate.__class__ is dict and duplicate == node
        assert copy.deepcopy(node)["volumes"].__class__ is list
        assert json.loads(json.dumps(state.data)) == state.data
    snapshot = world.read()
    assert snapshot.data["nodes"].__class__ is dict


def test_peek_reads_the_file_again_only_when_it_changed(tmp_path, monkeypatch):
    world = cluster_world(tmp_path, 58)
    first = world.peek()
    loads = Spy(json.loads)
    monkeypatch.setattr(store.json, "loads", loads)
    assert world.peek() is first and loads.calls == 0
    with world.transaction() as state:
        state.extension("x")["value"] = 1
    again = world.peek()
    assert loads.calls == 1 and again["extensions"]["x"] == {"value": 1}


def test_tracked_containers_note_only_real_changes():
    from wsfc_lab.world import tracked

    tracker = tracked.Tracker()
    data = tracked.parse('{"a": 1, "b": [1, {"c": true}], "d": {}}', tracker)
    tracker.begin()
    data["a"] = 1
    data["b"][1]["c"] = True
    data.pop("missing", None)
    data.setdefault("a", 2)
    del data["b"][5:]
    assert not tracker.changed and not tracker.impure
    data["b"][1]["c"] = 1  # true and 1 differ in JSON
    assert tracker.changed and not tracker.impure
    data["d"]["e"] = []
    assert tracker.impure
    tracker.open = False
    data["a"] = 5
    assert tracker.stray


def test_a_thread_keeps_the_states_of_a_bounded_number_of_labs(tmp_path, monkeypatch):
    monkeypatch.setattr(store, "KEPT_PER_THREAD", 2)
    worlds = [cluster_world(tmp_path / str(number), 58, nodes=2) for number in range(4)]
    for number, world in enumerate(worlds):
        with world.transaction() as state:
            state.extension("x")["value"] = number
        world.peek()
    assert len(store._table("parsed")) == 2 and len(store._table("peeked")) == 2
    for number, world in enumerate(worlds):  # a forgotten one is read again
        with world.transaction() as state:
            assert state.extension("x") == {"value": number}
        assert world.peek()["extensions"]["x"] == {"value": number}
