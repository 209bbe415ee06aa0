"""The cluster rules of the simulated world (docs/windows-behaviour.md#join-sync, #forcequorum,
#stop-clusternode)."""

import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from cluster_support import cluster_world
from wsfc_lab.world import DOWN, JOINING, UP, ConfigChange, PaxosTag, WindowsError, faults
from wsfc_lab.world.windows_errors import ERROR_CLUSTER_NO_QUORUM, RPC_S_SERVER_UNAVAILABLE


def make_world(tmp_path, nodes=3, witness="disk"):
    return cluster_world(tmp_path, 58, nodes=nodes, witness=witness)


def change_parameter(value):
    return ConfigChange("parameter", "set", "Cluster Name", {"name": "Note", "value": value})


def states(state):
    return {n: state.cluster.node_state(n) for n in state.node_names()}


def tag_key(tag):
    return PaxosTag.parse(tag).key


def test_a_new_cluster_is_formed_with_every_node_up_at_one_version(tmp_path):
    world = make_world(tmp_path)
    with world.transaction() as state:
        assert state.cluster.formed
        assert states(state) == {"N1": UP, "N2": UP, "N3": UP}
        tags = {state.cluster.paxos_tag(n) for n in state.node_names()}
        assert tags == {state.cluster.tag} == {state.witness["database"]["paxos_tag"]}


def test_a_change_applies_to_every_member_and_the_witness_and_bumps_the_sequence(tmp_path):
    world = make_world(tmp_path)
    with world.transaction() as state:
        before = state.cluster.tag
        after = state.cluster.change_configuration("N2", change_parameter("x"))
        assert tag_key(after) == (tag_key(before)[0], tag_key(before)[1] + 1)
        for node in state.node_names():
            copy = state.node(node)["database"]
            assert copy["paxos_tag"] == after
            assert copy["objects"]["resources"]["Cluster Name"]["parameters"]["Note"] == "x"
        witness = state.witness["database"]
        assert witness["paxos_tag"] == after
        assert witness["objects"]["resources"]["Cluster Name"]["parameters"]["Note"] == "x"


def test_a_change_skips_nodes_that_are_down(tmp_path):
    world = make_world(tmp_path)
    with world.transaction() as state:
        state.cluster.stop_service("N3")
        old = state.cluster.paxos_tag("N3")
        new = state.cluster.change_configuration("N1", change_parameter(1))
        assert state.cluster.paxos_tag("N3") == old != new


def test_quorum_is_node_majority_plus_the_witness_vote(tmp_path):
    world = make_world(tmp_path)  # 3 nodes + disk witness: 4 votes, 3 needed
    with world.transaction() as state:
        cluster = state.cluster
        assert (cluster.total_votes(), cluster.majority()) == (4, 3)
        cluster.stop_service("N3")
        assert cluster.formed and cluster.votes_present() == 3
        # Losing N2 too would leave 2 of 4: Stop-ClusterNode refuses.
        with pytest.raises(WindowsError) as refused:
            cluster.stop_service("N2")
        assert refused.value.code == ERROR_CLUSTER_NO_QUORUM
        assert cluster.node_state("N2") == UP


def test_without_a_witness_a_majority_of_nodes_is_needed(tmp_path):
    world = make_world(tmp_path, nodes=3, witness="none")
    with world.transaction() as state:
        cluster = state.cluster
        assert (cluster.total_votes(), cluster.majority()) == (3, 2)
        cluster.stop_service("N1")
        with pytest.raises(WindowsError):
            cluster.stop_service("N2")


def test_stopping_the_service_directly_can_lose_quorum(tmp_path):
    world = make_world(tmp_path)
    with world.transaction() as state:
        cluster = state.cluster
        cluster.stop_service("N3", check_quorum=False)
        cluster.stop_service("N2", check_quorum=False)
        assert not cluster.formed
        assert states(state) == {"N1": JOINING, "N2": DOWN, "N3": DOWN}
        with pytest.raises(WindowsError) as refused:
            cluster.change_configuration("N1", change_parameter(1))
        assert refused.value.code == ERROR_CLUSTER_NO_QUORUM
        # Quorum comes back with a second node.
        assert cluster.start_service("N2") == UP
        assert cluster.formed and cluster.node_state("N1") == UP


def test_a_crashed_node_is_down_to_the_others_and_syncs_when_it_returns(tmp_path):
    world = make_world(tmp_path)
    with world.transaction() as state:
        faults.set_crashed(state, "N3", True)
        assert state.cluster.node_state("N3") == DOWN
        assert state.node("N3")["service"]["state"] == "running"  # the service is set to auto
        new = state.cluster.change_configuration("N1", change_parameter("while down"))
    with world.transaction() as state:
        faults.set_crashed(state, "N3", False)
    with world.transaction() as state:
        assert state.cluster.node_state("N3") == UP
        assert state.cluster.paxos_tag("N3") == new
        objects = state.node("N3")["database"]["objects"]
        assert objects["resources"]["Cluster Name"]["parameters"]["Note"] == "while down"


def test_join_sync_takes_the_clusters_copy(tmp_path):
    world = make_world(tmp_path)
    with world.transaction() as state:
        state.cluster.stop_service("N2")
        new = state.cluster.change_configuration("N1", change_parameter(2))
        assert state.cluster.start_service("N2") == UP
        assert state.cluster.paxos_tag("N2") == new


def test_a_stale_node_cannot_form_the_cluster_when_it_sees_a_newer_copy(tmp_path):
    # Two nodes and a file share witness: the witness remembers the newest tag.
    world = make_world(tmp_path, nodes=2, witness="file_share")
    with world.transaction() as state:
        cluster = state.cluster
        cluster.stop_service("N2")
        newest = cluster.change_configuration("N1", change_parameter("newest"))
        cluster.stop_service("N1", check_quorum=False)
        assert not cluster.formed
        state_after = cluster.start_service("N2")  # N2 holds the older copy
        assert state_after == JOINING and not cluster.formed
        assert [e["node"] for e in state.events(1561)] == ["N2"]
        # The node with the latest copy starts: the cluster forms from it and N2 syncs.
        assert cluster.start_service("N1") == UP
        assert cluster.node_state("N2") == UP
        assert cluster.paxos_tag("N2") == newest


def test_force_quorum_makes_a_stale_copy_authoritative(tmp_path):
    world = make_world(tmp_path, nodes=2, witness="file_share")
    with world.transaction() as state:
        cluster = state.cluster
        cluster.stop_service("N2")
        lost = cluster.change_configuration("N1", change_parameter("lost"))
        cluster.stop_service("N1", check_quorum=False)
        assert cluster.start_service("N2", force_quorum=True) == UP
        assert cluster.formed  # N2 and the witness: 2 of 3 votes, a majority
        forced = cluster.paxos_tag("N2")
        assert tag_key(forced) > tag_key(lost)
        # N1, newer before, takes the forced copy when it joins: its change is lost.
        assert cluster.start_service("N1") == UP
        assert cluster.paxos_tag("N1") == forced
        params = state.node("N1")["database"]["objects"]["resources"]["Cluster Name"]["parameters"]
        assert "Note" not in params


def test_force_quorum_forms_without_a_majority(tmp_path):
    world = make_world(tmp_path, nodes=3, witness="none")
    with world.transaction() as state:
        cluster = state.cluster
        for node in ("N1", "N2", "N3"):
            cluster.stop_service(node, check_quorum=False)
        assert cluster.start_service("N1") == JOINING
        assert cluster.start_service("N1", force_quorum=True) == UP
        assert cluster.forced and cluster.votes_present() < cluster.majority()
        assert cluster.start_service("N2") == UP
        assert not cluster.forced  # a majority is back


def test_prevent_quorum_joins_but_never_forms(tmp_path):
    world = make_world(tmp_path, nodes=2, witness="file_share")
    with world.transaction() as state:
        cluster = state.cluster
        cluster.stop_service("N2")
        cluster.stop_service("N1", check_quorum=False)
        # N1 (newest) and N2 together hold quorum, but N2 may not form and N1 is stopped.
        assert cluster.start_service("N2", prevent_quorum=True) == JOINING
        assert not cluster.formed
        assert cluster.start_service("N1") == UP
        assert cluster.node_state("N2") == UP


def test_prevent_quorum_node_takes_the_forced_copy_even_when_its_own_is_newer(tmp_path):
    world = make_world(tmp_path, nodes=3, witness="none")
    with world.transaction() as state:
        cluster = state.cluster
        cluster.stop_service("N3")
        newer = cluster.change_configuration("N1", change_parameter("newer"))
        for node in ("N1", "N2"):
            cluster.stop_service(node, check_quorum=False)
        cluster.start_service("N3", force_quorum=True)
        forced = cluster.paxos_tag("N3")
        assert cluster.start_service("N1", prevent_quorum=True) == UP
        assert cluster.paxos_tag("N1") == forced != newer


def test_the_disk_witness_copy_lets_a_stale_node_form_with_the_latest(tmp_path):
    # docs/windows-behaviour.md#join-sync: nodes and the disk witness compare tags to find the
    # latest copy.
    world = make_world(tmp_path, nodes=2, witness="disk")
    with world.transaction() as state:
        cluster = state.cluster
        cluster.stop_service("N2")
        latest = cluster.change_configuration("N1", change_parameter("latest"))
        cluster.stop_service("N1", check_quorum=False)
        assert cluster.start_service("N2") == UP
        assert cluster.paxos_tag("N2") == latest


def test_the_witness_disk_fails_over_to_a_running_member(tmp_path):
    world = make_world(tmp_path)
    with world.transaction() as state:
        assert state.disks["Cluster Disk 1"]["owner_node"] == "N1"
        faults.set_crashed(state, "N1", True)
        assert state.disks["Cluster Disk 1"]["owner_node"] in ("N2", "N3")


def test_service_operations_on_a_crashed_node_fail(tmp_path):
    world = make_world(tmp_path)
    with world.transaction() as state:
        faults.set_crashed(state, "N2", True)
        with pytest.raises(WindowsError) as failed:
            state.cluster.start_service("N2")
        assert failed.value.code == RPC_S_SERVER_UNAVAILABLE


def test_in_a_supervised_lab_a_node_whose_process_died_is_down(tmp_path):
    world = make_world(tmp_path)
    # A process that looks like a node process and then exits.
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)",
                              "wsfc_lab.node"])  # fmt: skip
    with world.transaction() as state:
        state.data["supervised"] = True
        for node in state.node_names():
            state.node(node)["process"]["pid"] = child.pid
    with world.transaction() as state:
        assert states(state) == {"N1": UP, "N2": UP, "N3": UP}
    child.kill()
    child.wait()
    with world.transaction() as state:
        assert states(state) == {"N1": DOWN, "N2": DOWN, "N3": DOWN}
        assert not state.cluster.formed


def test_make_authoritative_outranks_every_copy(tmp_path):
    world = make_world(tmp_path)
    with world.transaction() as state:
        state.cluster.stop_service("N3")
        state.cluster.change_configuration("N1", change_parameter(3))
        for node in ("N1", "N2"):
            state.cluster.stop_service(node, check_quorum=False)
        tag = state.cluster.make_authoritative("N3")
        others = [state.cluster.paxos_tag(n) for n in ("N1", "N2")]
        others.append(state.witness["database"]["paxos_tag"])
        assert all(tag_key(tag) > tag_key(t) for t in others)


# -- the PaxosTag as Windows writes it (docs/windows-behaviour.md#paxos-tag) -----------------

PLAIN = re.compile(r"^(\d+):(\d+):(\d+)$")
# NextEpoch and LastUpdateEpoch each as <YYYY/MM/DD-HH`MM`SS.mmm>_<n>, then the sequence.
STAMPED = re.compile(
    r"^(?P<stamp>\d{4}/\d{2}/\d{2}-\d{2}`\d{2}`\d{2}\.\d{3})_(?P<n>\d+)"
    r":(?P=stamp)_(?P=n):\d+$"
)


def test_a_new_cluster_writes_the_plain_three_part_form(tmp_path):
    world = make_world(tmp_path)
    with world.transaction() as state:
        match = PLAIN.match(state.cluster.tag)
        assert match and match[1] == match[2]  # NextEpoch:LastUpdateEpoch:Sequence
        after = state.cluster.change_configuration("N1", change_parameter("y"))
        moved = PLAIN.match(after)
        assert moved and moved.group(1, 2) == match.group(1, 2)
        assert int(moved[3]) == int(match[3]) + 1


def test_force_quorum_moves_to_a_stamped_epoch_on_the_labs_clock_in_utc(tmp_path):
    world = make_world(tmp_path, nodes=2, witness="none")
    with world.transaction() as state:
        cluster = state.cluster
        plain = cluster.tag
        cluster.stop_service("N2", check_quorum=False)
        cluster.stop_service("N1", check_quorum=False)
        started = datetime.now(UTC).replace(tzinfo=None)
        cluster.start_service("N2", force_quorum=True)
        forced = cluster.paxos_tag("N2")
        match = STAMPED.match(forced)
        assert match, forced
        stamp = datetime.strptime(match["stamp"], "%Y/%m/%d-%H`%M`%S.%f")
        assert started - timedelta(seconds=1) <= stamp <= datetime.now(UTC).replace(tzinfo=None)
        assert int(match["n"]) > int(PLAIN.match(plain)[2])
        assert tag_key(forced) > tag_key(plain)
        # Later changes keep the stamped epoch and move the sequence.
        changed = cluster.change_configuration("N2", change_parameter("z"))
        assert changed.rsplit(":", 1)[0] == forced.rsplit(":", 1)[0]
        assert int(changed.rsplit(":", 1)[1]) == int(forced.rsplit(":", 1)[1]) + 1


def test_lab_tags_order_as_the_sources_say():
    plain = "3:3:276"
    stamped = "2007/12/31-15`35`55.889_4:2007/12/31-15`35`55.889_4:294"
    later = "2008/01/02-09`00`00.001_5:2008/01/02-09`00`00.001_5:1"
    assert tag_key(plain) < tag_key(stamped) < tag_key(later)
    assert tag_key("9:9:900") < tag_key(stamped)  # a stamped epoch outranks plain ones
    assert tag_key("3:3:9") < tag_key("3:3:10")
    assert tag_key("5:3:276") == tag_key(plain)  # NextEpoch is not part of the version
    assert str(PaxosTag.parse(stamped)) == stamped
    with pytest.raises(ValueError):
        PaxosTag.parse("133772032000000000_2:41")
