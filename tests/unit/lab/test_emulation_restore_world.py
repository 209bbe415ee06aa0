"""The authoritative restore's rules in the world (world/restore.py, world/wbadmin_recovery.py).

Each test names the rule of docs/windows-behaviour.md it checks. Backups are written with
backup_media's writers (docs/lab.md, Contract 4), as the backup emulations write them.
"""

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime

import pytest
from cluster_support import QUORUM_DISK, cluster_world
from wsfc_lab.world import DOWN, JOINING, UP, ConfigChange, PaxosTag, faults, restore
from wsfc_lab.world.backup_media import (
    take_snapshot,
    vss_machine_directory,
    write_clusapi_backup,
    write_vss_backup,
)
from wsfc_lab.world.cluster import EVENT_STALE_COPY
from wsfc_lab.world.wbadmin import run_wbadmin
from wsfc_lab.world.wbadmin_recovery import STOP_OPERATION, restore_cluster_database
from wsfc_lab.world.windows_errors import (
    ERROR_ACCESS_DENIED,
    ERROR_CALL_NOT_IMPLEMENTED,
    ERROR_CLUSTER_NODE_UP,
    ERROR_DATABASE_BACKUP_CORRUPT,
    ERROR_QUORUM_DISK_NOT_FOUND,
    ERROR_SERVICE_DOES_NOT_EXIST,
)

TARGET = "C:\\Backups\\set1"
DATA = {"name": "Cluster Disk 2", "signature": "1A2B3C4E", "drive_letter": "S",
        "partitions": [{"offset": 1048576, "size": 2147483648}]}  # fmt: skip


def make_world(tmp_path, release="2022", nodes=3, witness="disk"):
    return cluster_world(
        tmp_path, 82, nodes=nodes, release=release, witness=witness, disks=(QUORUM_DISK, DATA)
    )


def note(value):
    return ConfigChange("parameter", "set", "Cluster Name", {"name": "Note", "value": value})


def backed_up_note(world, node="N1", target=TARGET):
    """Set Note=backed-up, back `node` up (vss), then change Note to changed; the version."""
    with world.transaction() as state:
        state.cluster.change_configuration(node, note("backed-up"))
        snapshot = take_snapshot(state, node)
    version = write_vss_backup(world, node, target, snapshot, datetime.now(UTC))
    with world.transaction() as state:
        state.cluster.change_configuration(node, note("changed"))
    return version.version_id


def clusapi_backup(world, node="N1"):
    with world.transaction() as state:
        state.cluster.change_configuration(node, note("backed-up"))
        snapshot = take_snapshot(state, node)
    world.resolve_path(node, TARGET).mkdir(parents=True)
    write_clusapi_backup(world, node, TARGET, snapshot)
    with world.transaction() as state:
        state.cluster.change_configuration(node, note("changed"))


def recover(world, version, node="N1", *extra, target=TARGET):
    # -machine goes with every -backupTarget (wbadmin start recovery): N1's backups unless a
    # test names another machine.
    machine = [] if any(e.lower().startswith("-machine:") for e in extra) else ["-machine:N1"]
    arguments = ["start", "recovery", f"-version:{version}", "-itemtype:app", "-items:cluster",
                 f"-backupTarget:{target}", *machine, *extra, "-quiet"]  # fmt: skip
    return run_wbadmin(world, node, "Administrator", arguments)


def notes(state):
    return {
        n: (state.node(n)["database"]["objects"]["resources"]["Cluster Name"]["parameters"])["Note"]
        for n in state.node_names()
    }


def services(state):
    return {n: state.node(n)["service"]["state"] for n in state.node_names()}


def test_vss_restore_stops_the_others_and_puts_the_backup_in_place_with_a_new_epoch(tmp_path):
    world = make_world(tmp_path)
    version = backed_up_note(world)
    with world.transaction() as state:
        before = max(PaxosTag.parse(state.cluster.paxos_tag(n)).key for n in state.node_names())
    output = recover(world, version)
    assert output.exit_code == 0, output.text
    assert "successfully completed" in output.text
    with world.transaction() as state:
        # The command stops ClusSvc on the other nodes, and this node's (CLUSDB is replaced).
        assert services(state) == {"N1": "stopped", "N2": "stopped", "N3": "stopped"}
        assert notes(state)["N1"] == "backed-up"
        assert notes(state)["N2"] == "changed"
        tag = PaxosTag.parse(state.cluster.paxos_tag("N1"))
        assert tag.key > before
        assert tag.epoch.stamp is not None and tag.next_epoch == tag.epoch  # restored form
        record = state.node_extension("N1", restore.EXTENSION)
        assert record["status"] == restore.COMPLETED
        assert record["stopped_nodes"] == ["N2", "N3"]


def test_after_a_restore_the_restoring_node_forms_the_cluster_and_the_others_take_its_copy(
    tmp_path,
):
    world = make_world(tmp_path)
    recover(world, backed_up_note(world))
    with world.transaction() as state:
        restored = state.cluster.paxos_tag("N1")
        assert state.cluster.start_service("N1", force_quorum=True) == UP
        state.cluster.start_service("N2")
        state.cluster.start_service("N3")
        assert {n: state.cluster.node_state(n) for n in state.node_names()} == dict.fromkeys(
            ("N1", "N2", "N3"), UP
        )
        assert set(notes(state).values()) == {"backed-up"}
        assert PaxosTag.parse(state.cluster.tag).key >= PaxosTag.parse(restored).key


def test_without_force_quorum_the_restoring_node_forms_once_a_majority_runs(tmp_path):
    world = make_world(tmp_path)
    recover(world, backed_up_note(world))
    with world.transaction() as state:
        assert state.cluster.start_service("N1") == JOINING  # 2 of 4 votes
        assert state.cluster.start_service("N2") == UP
        assert notes(state)["N2"] == "backed-up"


def test_a_node_with_the_pre_restore_copy_cannot_form_the_cluster_unless_forced(tmp_path):
    # 2 nodes + file share witness: N2 alone has a majority of votes, but its copy is older
    # than the restored one the witness knows: event 1561.
    world = make_world(tmp_path, nodes=2, witness="file_share")
    recover(world, backed_up_note(world))
    with world.transaction() as state:
        assert state.cluster.start_service("N2") == JOINING
        assert state.events(EVENT_STALE_COPY, "N2")
        assert notes(state)["N2"] == "changed"
        state.cluster.stop_service("N2")
        assert state.cluster.start_service("N2", force_quorum=True) == UP
        assert notes(state)["N2"] == "changed"  # forced: the restore is lost
        assert state.cluster.start_service("N1") == UP
        assert notes(state)["N1"] == "changed"


def test_vss_restore_needs_the_cluster_service_installed(tmp_path):
    world = make_world(tmp_path)
    version = backed_up_note(world)
    with world.transaction() as state:
        state.node("N1")["service"]["installed"] = False
    output = recover(world, version)
    assert output.exit_code != 0
    assert f"0x{0x80070000 | ERROR_SERVICE_DOES_NOT_EXIST:08X}" in output.text
    with world.transaction() as state:
        assert services(state) == {"N1": "running", "N2": "running", "N3": "running"}


def test_a_corrupt_snapshot_is_refused_before_any_node_is_stopped(tmp_path):
    world = make_world(tmp_path)
    version = backed_up_note(world)
    with world.transaction() as state:
        faults.corrupt(state, "N1", vss_machine_directory(TARGET, "N1"))
    output = recover(world, version)
    assert output.exit_code != 0
    assert f"0x{0x80070000 | ERROR_DATABASE_BACKUP_CORRUPT:08X}" in output.text
    with world.transaction() as state:
        assert set(services(state).values()) == {"running"}
        assert notes(state)["N1"] == "changed"


def test_an_unknown_version_is_refused_before_any_node_is_stopped(tmp_path):
    world = make_world(tmp_path)
    backed_up_note(world)
    output = recover(world, "01/01/2001-00:00")
    assert output.exit_code != 0
    assert "ERROR - " in output.text
    with world.transaction() as state:
        assert set(services(state).values()) == {"running"}


def test_a_backup_of_another_node_is_found_with_machine(tmp_path):
    world = make_world(tmp_path)
    share = "\\\\FS1\\w\\set1"
    world.resolve_path("N2", share).mkdir(parents=True)
    version = backed_up_note(world, node="N2", target=share)
    # The snapshot sits under WindowsImageBackup\N2: N1 finds it only with -machine.
    assert recover(world, version, target=share).exit_code != 0
    output = recover(world, version, "N1", "-machine:N2", target=share)
    assert output.exit_code == 0, output.text


def test_other_items_and_a_missing_quiet_are_refused(tmp_path):
    world = make_world(tmp_path)
    version = backed_up_note(world)
    other = run_wbadmin(world, "N1", "Administrator", [
        "start", "recovery", f"-version:{version}", "-itemtype:file", "-items:C:\\x",
        f"-backupTarget:{TARGET}", "-machine:N1", "-quiet",
    ])  # fmt: skip
    assert other.exit_code != 0
    assert "-items:cluster" in other.text
    asking = run_wbadmin(world, "N1", "Administrator", [
        "start", "recovery", f"-version:{version}", "-itemtype:app", "-items:cluster",
        f"-backupTarget:{TARGET}", "-machine:N1",
    ])  # fmt: skip
    assert asking.exit_code != 0
    with world.transaction() as state:
        assert set(services(state).values()) == {"running"}


def test_a_failed_stop_on_another_node_fails_the_restore_leaving_earlier_stops(tmp_path):
    world = make_world(tmp_path)
    version = backed_up_note(world)
    with world.transaction() as state:
        faults.add_failure(state, "N3", STOP_OPERATION, ERROR_ACCESS_DENIED)
    output = recover(world, version)
    assert output.exit_code != 0
    assert f"0x{0x80070000 | ERROR_ACCESS_DENIED:08X}" in output.text
    with world.transaction() as state:
        assert services(state) == {"N1": "running", "N2": "stopped", "N3": "running"}
        assert notes(state)["N1"] == "changed"
        assert restore.restore_status(state, "N1") == restore.FAILED


def test_an_injected_failure_of_the_recovery_leaves_the_copy_unchanged(tmp_path):
    world = make_world(tmp_path)
    version = backed_up_note(world)
    with world.transaction() as state:
        faults.add_failure(state, "N1", "wbadmin start recovery", ERROR_ACCESS_DENIED, count=1)
        tag = state.cluster.paxos_tag("N1")
    assert recover(world, version).exit_code != 0
    with world.transaction() as state:
        assert state.cluster.paxos_tag("N1") == tag
    assert recover(world, version).exit_code == 0


def test_disks_added_or_changed_since_the_backup_stay_offline(tmp_path):
    world = make_world(tmp_path)
    with world.transaction() as state:
        state.cluster.change_configuration(
            "N1", ConfigChange("resource", "set", "Cluster Disk 2",
                               {"type": "Physical Disk", "group": "Available Storage"})
        )  # fmt: skip
    version = backed_up_note(world)
    with world.transaction() as state:
        cluster = state.cluster
        cluster.change_configuration(
            "N1",
            ConfigChange(
                "parameter", "set", "Cluster Disk 2", {"name": "MaintenanceMode", "value": 1}
            ),
        )
        cluster.change_configuration(
            "N1",
            ConfigChange(
                "resource",
                "set",
                "Cluster Disk 9",
                {"type": "Physical Disk", "group": "Available Storage"},
            ),
        )
        cluster.change_configuration(
            "N1",
            ConfigChange(
                "parameter", "set", "Cluster Disk 1", {"name": "MaintenanceMode", "value": 1}
            ),
        )
    assert recover(world, version).exit_code == 0
    with world.transaction() as state:
        record = state.node_extension("N1", restore.EXTENSION)
        assert record["offline_disks"] == ["Cluster Disk 2", "Cluster Disk 9"]
        resources = state.node("N1")["database"]["objects"]["resources"]
        assert resources["Cluster Disk 2"]["state"] == "Offline"
        assert resources["Cluster Disk 1"]["state"] == "Online"  # the quorum disk
        assert "Cluster Disk 9" not in resources


def test_clusapi_answers_120_after_windows_server_2003(tmp_path):
    world = make_world(tmp_path)
    clusapi_backup(world)
    code = restore_cluster_database(world, "N1", TARGET, True, "")
    assert code == ERROR_CALL_NOT_IMPLEMENTED
    with world.transaction() as state:
        assert set(services(state).values()) == {"running"}
        assert notes(state)["N1"] == "changed"


def test_clusapi_without_force_refuses_while_other_nodes_are_active(tmp_path):
    world = make_world(tmp_path, release="2003")
    clusapi_backup(world)
    assert restore_cluster_database(world, "N1", TARGET, False, "") == ERROR_CLUSTER_NODE_UP
    with world.transaction() as state:
        assert set(services(state).values()) == {"running"}
        assert notes(state)["N1"] == "changed"


def quorum_partitions(state, offsets):
    state.disks["Cluster Disk 1"]["partitions"] = [
        {"number": i, "offset": o, "size": 1024**3} for i, o in enumerate(offsets, start=1)
    ]


def test_clusapi_without_force_refuses_a_quorum_disk_layout_that_differs(tmp_path):
    world = make_world(tmp_path, release="2003")
    clusapi_backup(world)
    with world.transaction() as state:
        for node in ("N3", "N2"):
            state.cluster.stop_service(node, check_quorum=False)
        quorum_partitions(state, [1048576, 2097152])  # two partitions now, one backed up
    assert restore_cluster_database(world, "N1", TARGET, False, "") == ERROR_QUORUM_DISK_NOT_FOUND
    with world.transaction() as state:
        quorum_partitions(state, [2097152])  # one partition, another offset
    assert restore_cluster_database(world, "N1", TARGET, False, "") == ERROR_QUORUM_DISK_NOT_FOUND
    with world.transaction() as state:
        quorum_partitions(state, [1048576])
        # Signature and drive letter need not match without force.
        state.disks["Cluster Disk 1"].update(signature="77777777", drive_letter="R")
    assert restore_cluster_database(world, "N1", TARGET, False, "") == 0
    with world.transaction() as state:
        assert notes(state)["N1"] == "backed-up"
        assert state.disks["Cluster Disk 1"]["signature"] == "77777777"


def test_clusapi_with_force_stops_the_others_and_rewrites_the_quorum_disk(tmp_path):
    world = make_world(tmp_path, release="2003")
    clusapi_backup(world)
    with world.transaction() as state:
        quorum_partitions(state, [2097152])
        state.disks["Cluster Disk 1"].update(signature="77777777", drive_letter="R")
    assert restore_cluster_database(world, "N1", TARGET, True, "") == 0
    with world.transaction() as state:
        assert services(state) == {"N1": "stopped", "N2": "stopped", "N3": "stopped"}
        disk = state.disks["Cluster Disk 1"]
        assert (disk["signature"], disk["drive_letter"]) == ("1A2B3C4D", "Q")
        assert notes(state)["N1"] == "backed-up"


def test_clusapi_quorum_drive_names_a_replacement_disk_by_its_letter(tmp_path):
    world = make_world(tmp_path, release="2003")
    clusapi_backup(world)
    with world.transaction() as state:
        for node in ("N3", "N2"):
            state.cluster.stop_service(node, check_quorum=False)
        quorum_partitions(state, [2097152])  # a new disk in the old one's place
        state.disks["Cluster Disk 1"].update(signature="77777777", drive_letter="R")
    assert restore_cluster_database(world, "N1", TARGET, False, "X:") == (
        ERROR_QUORUM_DISK_NOT_FOUND
    )
    assert restore_cluster_database(world, "N1", TARGET, False, "R:") == 0
    with world.transaction() as state:
        assert state.node_extension("N1", restore.EXTENSION)["quorum_disk"] == "Cluster Disk 1"


def test_clusapi_refuses_an_unfinished_or_corrupt_set_before_stopping_anything(tmp_path):
    world = make_world(tmp_path, release="2003")
    clusapi_backup(world)
    with world.transaction() as state:
        faults.corrupt(state, "N1", TARGET)
    assert restore_cluster_database(world, "N1", TARGET, True, "") == (
        ERROR_DATABASE_BACKUP_CORRUPT
    )
    with world.transaction() as state:
        assert set(services(state).values()) == {"running"}


CRASHING_RESTORE = """
import sys
from wsfc_lab.world import World
from wsfc_lab.world.wbadmin import run_wbadmin
import wsfc_lab.world.wbadmin_recovery
world = World(sys.argv[1])
run_wbadmin(world, "N1", "Administrator", sys.argv[2:])
"""


def test_a_node_killed_mid_restore_leaves_the_restore_interrupted_and_its_copy_unchanged(
    tmp_path,
):
    world = make_world(tmp_path)
    version = backed_up_note(world)
    with world.transaction() as state:
        state.latencies["restore"] = 30.0
        tag = state.cluster.paxos_tag("N1")
    arguments = ["start", "recovery", f"-version:{version}", "-itemtype:app", "-items:cluster",
                 f"-backupTarget:{TARGET}", "-machine:N1", "-quiet"]  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-c", CRASHING_RESTORE, str(world.lab_dir), *arguments]
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            data = world.peek()
            if data["nodes"]["N1"]["service"]["state"] == "stopped":
                break  # every stop done: the restore waits its latency
            time.sleep(0.05)
        with world.transaction() as state:
            assert restore.restore_status(state, "N1") == restore.IN_PROGRESS
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=10)
    with world.transaction() as state:
        faults.set_crashed(state, "N1", True)  # what Lab.kill_node records
        assert restore.restore_status(state, "N1") == restore.INTERRUPTED
        faults.set_crashed(state, "N1", False)
        assert restore.restore_status(state, "N1") == restore.INTERRUPTED
        assert state.cluster.paxos_tag("N1") == tag
        assert notes(state)["N1"] == "changed"
        assert services(state) == {"N1": "stopped", "N2": "stopped", "N3": "stopped"}
        state.latencies["restore"] = 0.0
    # Run again, the restore completes.
    output = recover(world, version)
    assert output.exit_code == 0, output.text
    with world.transaction() as state:
        assert restore.restore_status(state, "N1") == restore.COMPLETED
        assert notes(state)["N1"] == "backed-up"


@pytest.mark.parametrize("route", ["vss", "clusapi"])
def test_the_restore_latency_is_spent_in_the_route(tmp_path, route):
    world = make_world(tmp_path, release="2022" if route == "vss" else "2003")
    version = backed_up_note(world) if route == "vss" else clusapi_backup(world)
    with world.transaction() as state:
        state.latencies["restore"] = 0.5
    started = time.monotonic()
    if route == "vss":
        assert recover(world, version).exit_code == 0
    else:
        assert restore_cluster_database(world, "N1", TARGET, True, "") == 0
    assert time.monotonic() - started >= 0.5
    with world.transaction() as state:
        assert state.cluster.node_state("N2") == DOWN
