"""The World: the entry point emulations use (docs/lab.md, Contract 3)."""

from __future__ import annotations

import copy
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wsfc_lab.world import acl, concurrent_changes, faults, liveness
from wsfc_lab.world.paths import host_root
from wsfc_lab.world.state import LabState, initial_state
from wsfc_lab.world.store import StateStore
from wsfc_lab.world.tracked import tracker_of

if TYPE_CHECKING:
    from wsfc_lab.spec import LabSpec

# Which latency from the lab description an operation waits for when the description
# has no latency under the operation's own name (docs/lab.md: latencies per operation).
LATENCY_CLASSES: dict[str, str] = {
    "stop-clusternode": "service_stop",
    "stop-service clussvc": "service_stop",
    "start-clusternode": "service_start",
    "start-service clussvc": "service_start",
    "wbadmin start systemstatebackup": "backup",
    "wbadmin start backup": "backup",
    "backupclusterdatabase": "backup",
    "wbadmin start recovery": "restore",
    "wbadmin start systemstaterecovery": "restore",
    "restoreclusterdatabase": "restore",
}
RECONCILED = "reconciled"  # the mark _reconcile leaves on a state it reconciled


def _reconcile(state: LabState) -> None:
    """Reconcile the cluster, unless nothing it reads changed since it last did on this
    copy of the state: reconcile is a function of the state and of which node processes
    run, and reconciling its own result changes nothing. Without that, every transaction
    would look at every node again, and a module run makes tens of them."""
    tracker = tracker_of(state.data)
    running = liveness.RUNNING
    if tracker is not None and tracker.marks.get(RECONCILED) == (tracker.count, running.generation):
        return
    unpinned = running.unpinned
    state.cluster.reconcile()
    if tracker is not None and running.unpinned == unpinned:
        tracker.marks[RECONCILED] = (tracker.count, running.generation)


class World:
    """The simulated world kept in `<lab_dir>/state.json` and the files under `<lab_dir>`."""

    def __init__(self, lab_dir: str | Path) -> None:
        self.lab_dir = Path(lab_dir).resolve()
        self.store = StateStore(self.lab_dir)
        self.logon: acl.Logon | None = None

    def with_logon(self, logon: acl.Logon | None) -> World:
        """The same world as seen by a module run in `logon`: its transactions carry the
        logon, so that UNC paths follow the second-hop rule (world/acl.py). None: the
        world without a session, as the lab itself sees it."""
        view = copy.copy(self)
        view.logon = logon
        return view

    @classmethod
    def create(cls, lab_dir: str | Path, spec: LabSpec, *, replace: bool = False) -> World:
        """Build a fresh world from a lab description (refuses to overwrite one)."""
        world = cls(lab_dir)
        if world.store.exists() and not replace:
            raise FileExistsError(f"a lab already exists in {world.lab_dir}")
        data = initial_state(spec)
        world.store.write_new(data)
        with world.transaction() as state:
            for host in state.data["hosts"]:
                node = state.data["nodes"].get(host)
                for letter in node["volumes"] if node else ["C"]:
                    (host_root(state, host) / letter).mkdir(parents=True, exist_ok=True)
            for disk in state.disks.values():
                (world.lab_dir / "disks" / str(disk["number"])).mkdir(parents=True, exist_ok=True)
            for host, shares in state.shares.items():
                for share in shares.values():
                    state.resolve_path(host, share["path"]).mkdir(parents=True, exist_ok=True)
        return world

    # -- state -----------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[LabState]:
        """Read and change the state under the lab-wide lock; saved when the block ends
        normally, discarded when it raises. The cluster is reconciled first, so node
        states reflect node processes that died or came back since the last transaction
        (each process found alive is checked once per transaction, liveness.py)."""
        with self.store.locked_data() as data, liveness.checked_once():
            state = LabState(data, self.lab_dir, self.logon)
            _reconcile(state)
            yield state

    def read(self) -> LabState:
        """A reconciled snapshot of the state (changes to it are not saved)."""
        with self.transaction() as state:
            return LabState(copy.deepcopy(state.data), self.lab_dir, self.logon)

    def peek(self) -> dict[str, Any]:
        """The last saved state without taking the lock: for frequent polling (the same
        dict again while the state is unchanged: read it, do not change it)."""
        return self.store.read_unlocked()

    # -- Windows operations --------------------------------------------------------------

    def operation(self, node: str, name: str, *, latency: str | None = None) -> None:
        """A Windows capability used on `node`: raise an injected failure, or wait.

        The failure (`fail` fault) uses up one of its counts in the state; the latency
        (the operation's own, else its class's: service_stop, service_start, backup,
        restore, ...) is slept outside the lock. Configuration changes planned for this
        operation (world/concurrent_changes.py) are made once the latency has passed.
        """
        with self.transaction() as state:
            node = state.node_name(node)
            error = faults.take_failure(state, node, name)
            key = latency or LATENCY_CLASSES.get(name.lower())
            seconds = state.latencies.get(name, state.latencies.get(key or "", 0.0))
            changes_planned = error is None and concurrent_changes.is_planned(state, name)
        if error is not None:
            raise error
        if seconds:
            time.sleep(seconds)
        if changes_planned:
            with self.transaction() as state:
                concurrent_changes.apply_planned(state, name)

    def resolve_path(self, node: str, windows_path: str) -> Path:
        with self.transaction() as state:
            return state.resolve_path(node, windows_path)

    def charge_write(self, node: str, windows_path: str, nbytes: int) -> Path:
        """Account for `nbytes` about to be written at a path (disk_full fault); the path."""
        with self.transaction() as state:
            target = state.resolve_path(node, windows_path)
            faults.charge_write(state, target, nbytes)
            return target

    def check_access(self, node: str, windows_path: str, user: str, right: str) -> None:
        """Raise WindowsError(ERROR_ACCESS_DENIED) unless `user`, running a program on
        `node`, may `right` ("read" or "write") at the path: share permissions and ACLs
        (acl.check_path_access)."""
        with self.transaction() as state:
            acl.check_path_access(state, node, windows_path, user, right)

    def write_file(
        self, node: str, windows_path: str, data: bytes, *, user: str | None = None
    ) -> Path:
        """Write a file as a Windows program on `node` would (faults apply); as `user`,
        when given, the ACLs apply too."""
        self.operation(node, "write_file")
        if user is not None:
            self.check_access(node, windows_path, user, "write")
        target = self.charge_write(node, windows_path, len(data))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        return target

    def node_facts(self, node: str) -> dict[str, str]:
        """What the setup emulation reports about a node's host and operating system."""
        with self.transaction() as state:
            record = state.node(node)
            return {
                "hostname": record["name"],
                "address": record["address"],
                "domain": state.data["cluster"]["domain"],
                "os_name": record["os_name"],
                "os_version": record["os_version"],
                "os_release": record["os_release"],
            }
