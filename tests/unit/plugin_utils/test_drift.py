"""The drift check's policy: which set is compared with, what changed, when a cluster is flagged."""

from __future__ import annotations

import json
import shlex
from datetime import timedelta

import pytest
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._drift import (
    DriftCheckFailed,
    assess,
    check_cluster_name,
    check_cluster_readable,
    choose_set,
    format_age,
    fresh_backup_command,
    hash_sets_for,
    location_problem,
    task_message,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._paths import validate_backup_path

from .drift_samples import (
    NOW,
    backup_set,
    changed_configuration,
    group,
    inspect,
    options,
    resource,
)

DAY = timedelta(days=1)
HOSTS = ["NODE1", "NODE2"]


def _record(running: dict, **option_overrides) -> dict:
    opts = options(**option_overrides)
    choice = choose_set(running, opts, every_hashed=False)
    return assess(running, opts, choice, hosts=HOSTS, inventory="/srv/inventory.yml")


def _changes(config: dict, **kwargs) -> list[dict]:
    """The change items of a cluster running ``config`` against one set of the sample."""
    record = _record(inspect([backup_set(NOW - DAY)], config), **kwargs)
    assert record["state"] == "drifted", record["message"]
    return record["changes"]


def _item(changes: list[dict], **match) -> dict:
    found = [c for c in changes if all(c.get(k) == v for k, v in match.items())]
    assert len(found) == 1, (match, changes)
    return found[0]


def test_a_cluster_running_the_sets_configuration_is_in_sync_and_not_flagged() -> None:
    record = _record(inspect([backup_set(NOW - DAY)]))
    assert record["state"] == "in_sync"
    assert record["changes"] == [] and record["change_count"] == 0
    assert record["flagged"] is False and record["next_command"] is None
    assert record["set"]["age"] == "1d" and record["set"]["too_old"] is False
    assert record["configuration_version"] == {"running": "1:7", "backup": "1:7", "equal": True}
    assert task_message(record) == record["message"]
    assert "in sync with set 20261123T120000Z_clusterdb_e1s7 (taken 1d ago)" in record["message"]


def test_run_time_fields_are_not_drift() -> None:
    def failover(config: dict) -> None:
        for item in config["groups"] + config["resources"]:
            item["owner_node"] = "NODE9"
            item["state"] = "Offline"
        config["networks"][0]["state"] = "Down"

    record = _record(inspect([backup_set(NOW - DAY)], changed_configuration(failover)))
    assert record["state"] == "in_sync", record["changes"]


def test_a_changed_parameter_names_both_values() -> None:
    config = changed_configuration(
        lambda c: resource(c, "FS01 IP")["parameters"].update(Address="10.0.0.51")
    )
    item = _item(_changes(config), item="parameter")
    assert item == {
        "object_type": "resource",
        "object": "FS01 IP",
        "item": "parameter",
        "name": "Address",
        "change": "changed",
        "field": "parameters.Address",
        "before": "10.0.0.50",
        "after": "10.0.0.51",
    }


def test_a_parameter_added_and_one_removed_are_told_from_their_presence() -> None:
    def change(config: dict) -> None:
        parameters = resource(config, "FS01 IP")["parameters"]
        del parameters["SubnetMask"]
        parameters["EnableDhcp"] = 0

    changes = _changes(changed_configuration(change))
    removed = _item(changes, name="SubnetMask")
    assert (removed["change"], removed["before"], removed["after"]) == (
        "removed",
        "255.255.255.0",
        None,
    )
    added = _item(changes, name="EnableDhcp")
    assert (added["change"], added["before"], added["after"]) == ("added", None, 0)


def test_whole_objects_added_and_removed_carry_their_configuration() -> None:
    def change(config: dict) -> None:
        config["groups"].append(
            {"name": "SQL", "preferred_owners": ["NODE1"], "is_core_group": False}
        )
        config["resources"] = [r for r in config["resources"] if r["name"] != "Cluster Disk 2"]
        config["networks"].append(
            {"name": "Backup Net", "role": 1, "address": "192.168.5.0", "address_mask": "/24"}
        )

    changes = _changes(changed_configuration(change))
    added_group = _item(changes, object="SQL")
    assert (added_group["item"], added_group["change"], added_group["before"]) == (
        "group",
        "added",
        None,
    )
    assert added_group["after"] == {"preferred_owners": ["NODE1"], "is_core_group": False}
    removed = _item(changes, object="Cluster Disk 2")
    assert (removed["item"], removed["change"], removed["after"]) == ("resource", "removed", None)
    assert removed["before"]["parameters"] == {"DiskSignature": "0x5E6F7081"}
    network = _item(changes, object="Backup Net")
    assert (network["object_type"], network["change"]) == ("network", "added")


def test_a_removed_group_and_network_are_named() -> None:
    def change(config: dict) -> None:
        config["groups"] = [g for g in config["groups"] if g["name"] != "FS01"]
        config["networks"] = []

    changes = _changes(changed_configuration(change))
    assert _item(changes, object="FS01", item="group")["change"] == "removed"
    assert _item(changes, object="Cluster Network 1")["change"] == "removed"


def test_dependencies_that_only_and_names_are_told_name_by_name() -> None:
    def change(config: dict) -> None:
        resource(config, "FS01 Name")["dependencies"] = "[Cluster Disk 2] and [FS01 IP2]"

    changes = _changes(changed_configuration(change))
    gained = [c for c in changes if c["item"] == "dependency" and c["change"] == "added"]
    lost = [c for c in changes if c["item"] == "dependency" and c["change"] == "removed"]
    assert [c["name"] for c in gained] == ["Cluster Disk 2", "FS01 IP2"]
    assert [(c["name"], c["before"]) for c in lost] == [("FS01 IP", "FS01 IP")]


def test_a_dependency_expression_with_or_is_one_change_of_the_whole_expression() -> None:
    def change(config: dict) -> None:
        resource(config, "FS01 Name")["dependencies"] = "[FS01 IP] or [FS01 IP2]"

    item = _item(_changes(changed_configuration(change)), item="dependency")
    assert (item["name"], item["change"]) == ("expression", "changed")
    assert (item["before"], item["after"]) == ("[FS01 IP]", "[FS01 IP] or [FS01 IP2]")


def test_dependencies_as_lists_are_told_name_by_name() -> None:
    def change(config: dict) -> None:
        resource(config, "Cluster Disk 2")["dependencies"] = ["FS01 IP"]

    item = _item(_changes(changed_configuration(change)), item="dependency")
    assert (item["name"], item["change"], item["before"], item["after"]) == (
        "FS01 IP",
        "added",
        None,
        "FS01 IP",
    )


def test_preferred_owners_gained_lost_and_reordered() -> None:
    def swap(config: dict) -> None:
        group(config, "FS01")["preferred_owners"] = ["NODE1", "NODE2"]

    order = _item(_changes(changed_configuration(swap)), item="owner")
    assert (order["name"], order["change"], order["field"]) == (
        "order",
        "changed",
        "preferred_owners",
    )
    assert (order["before"], order["after"]) == (["NODE2", "NODE1"], ["NODE1", "NODE2"])

    def replace(config: dict) -> None:
        group(config, "FS01")["preferred_owners"] = ["NODE2", "NODE3"]

    changes = _changes(changed_configuration(replace))
    assert _item(changes, item="owner", name="NODE3")["change"] == "added"
    assert _item(changes, item="owner", name="NODE1")["change"] == "removed"


def test_possible_owners_are_a_set() -> None:
    def reorder(config: dict) -> None:
        resource(config, "FS01 IP")["possible_owners"] = ["NODE2", "NODE1"]

    in_sync = _record(inspect([backup_set(NOW - DAY)], changed_configuration(reorder)))
    assert in_sync["state"] == "in_sync"

    def drop(config: dict) -> None:
        resource(config, "FS01 IP")["possible_owners"] = ["NODE1"]

    item = _item(_changes(changed_configuration(drop)), item="owner")
    assert (item["name"], item["change"], item["field"]) == ("NODE2", "removed", "possible_owners")


def test_other_fields_are_properties() -> None:
    def change(config: dict) -> None:
        resource(config, "FS01 IP")["group"] = "Cluster Group"
        config["networks"][0]["role"] = 1

    changes = _changes(changed_configuration(change))
    moved = _item(changes, item="property", object="FS01 IP")
    assert (moved["name"], moved["before"], moved["after"]) == ("group", "FS01", "Cluster Group")
    role = _item(changes, item="property", object="Cluster Network 1")
    assert (role["name"], role["before"], role["after"]) == ("role", 3, 1)


def test_a_drifted_cluster_is_flagged_with_the_backup_playbook_for_its_hosts() -> None:
    config = changed_configuration(lambda c: resource(c, "FS01 IP")["parameters"].clear())
    record = _record(inspect([backup_set(NOW - DAY)], config))
    assert record["flags"] == ["drift"]
    assert record["change_counts"] == {"added": 0, "removed": 2, "changed": 0}
    command = shlex.split(record["next_command"])
    assert command[:4] == ["ansible-playbook", "-i", "/srv/inventory.yml", "wsfc.clusterdb.backup"]
    assert command[4:] == ["-e", '{"backup_path": "\\\\\\\\fs01\\\\clusterbackups"}', "--limit",
                           "NODE1,NODE2"]  # fmt: skip
    assert task_message(record).endswith("Next: take a fresh backup: " + record["next_command"])


def test_an_old_set_flags_the_cluster_once_the_version_moved_since_it() -> None:
    old = NOW - 3 * DAY - timedelta(hours=4)
    moved = _record(inspect([backup_set(old, tag="1:1:7")], tag="1:1:8"))
    assert moved["state"] == "in_sync"
    assert moved["flags"] == ["age"] and moved["set"]["too_old"] is True
    assert moved["set"]["age"] == "3d 4h"
    assert "The set is older than the oldest acceptable backup (2d)." in moved["message"]
    assert moved["next_command"]
    younger = _record(inspect([backup_set(NOW - DAY)], tag="1:1:8"), max_age=timedelta(hours=25))
    assert younger["flagged"] is False and younger["set"]["too_old"] is False


def test_an_old_set_that_holds_the_running_version_is_reported_old_but_not_flagged() -> None:
    # The backup role would write no new set for it: its version is the cluster's.
    record = _record(inspect([backup_set(NOW - 3 * DAY)]))
    assert record["set"]["too_old"] is True
    assert record["configuration_version"]["equal"] is True
    assert (record["flagged"], record["flags"], record["next_command"]) == (False, [], None)
    assert "holds the configuration version the cluster runs (1:7)" in record["message"]


def test_the_newest_complete_verified_set_is_the_one_compared_with() -> None:
    old_config = changed_configuration(lambda c: c["networks"].clear())
    sets = [backup_set(NOW - 3 * DAY, old_config, tag="1:1:5"), backup_set(NOW - DAY)]
    record = _record(inspect(sets))
    assert record["state"] == "in_sync"
    assert record["set"]["name"] == sets[1]["name"]


def test_a_corrupt_newest_set_asks_for_every_hash_then_uses_the_previous_complete_one() -> None:
    old_config = changed_configuration(lambda c: c["networks"].clear())
    older = backup_set(NOW - 3 * DAY, old_config, tag="1:1:5", hashed=False)
    newest = backup_set(NOW - DAY, corrupt=True)
    first = choose_set(inspect([older, newest]), options(), every_hashed=False)
    assert first.needs_every_hash and first.name is None

    listing = [backup_set(NOW - 3 * DAY, old_config, tag="1:1:5"), newest]
    running = inspect(listing)
    choice = choose_set(running, options(), every_hashed=True)
    record = assess(running, options(), choice, hosts=HOSTS)
    assert record["set"]["name"] == older["name"]
    assert record["passed_over"] == [
        {
            "name": newest["name"],
            "status": "corrupt",
            "message": "The set is corrupt: clusdb does not have the SHA-256 the manifest records.",
        }
    ]
    assert record["state"] == "drifted"  # the network added since the previous set
    assert record["flags"] == ["drift", "age", "corrupt_newest"]
    assert f"The newer set {newest['name']} (corrupt) failed verification" in record["message"]
    assert f"so the previous complete set {older['name']} was used" in record["message"]


def test_every_set_corrupt_is_no_backup_with_each_problem() -> None:
    sets = [
        backup_set(NOW - 2 * DAY, corrupt=True, tag="1:1:5"),
        backup_set(NOW - DAY, corrupt=True),
    ]
    running = inspect(sets)
    choice = choose_set(running, options(), every_hashed=True)
    record = assess(running, options(), choice, hosts=HOSTS)
    assert (record["state"], record["reason"]) == ("no_backup", "corrupt")
    assert record["flags"] == ["no_backup"] and record["set"] is None
    assert [p["name"] for p in record["passed_over"]] == [sets[1]["name"], sets[0]["name"]]
    assert (
        "No set under \\\\fs01\\clusterbackups\\CLU01 is complete and verified" in record["message"]
    )


def test_no_set_at_all_is_no_backup() -> None:
    running = inspect([])
    running["path_info"] = {"exists": False, "is_directory": False}
    assert location_problem(running, False, "x") is None
    record = _record(running)
    assert (record["state"], record["reason"], record["flags"]) == (
        "no_backup",
        "no_set",
        ["no_backup"],
    )
    assert record["message"].startswith("There is no backup set of cluster CLU01 under ")
    assert record["next_command"] is not None


def test_sets_of_another_cluster_or_of_a_rebuilt_one_are_not_compared() -> None:
    foreign = backup_set(NOW - DAY, cluster={"name": "CLU02", "id": "other"})
    rebuilt = backup_set(NOW - 2 * DAY, cluster={"name": "CLU01", "id": "old-id"}, tag="1:1:5")
    record = _record(inspect([foreign, rebuilt]))
    assert (record["state"], record["reason"]) == ("no_backup", "no_set")
    assert "belong to CLU02" in record["message"]
    assert "another id" in record["message"] and rebuilt["name"] in record["message"]


def test_a_named_set_is_compared_even_when_a_newer_one_exists() -> None:
    old_config = changed_configuration(lambda c: c["networks"].clear())
    sets = [backup_set(NOW - 3 * DAY, old_config, tag="1:1:5"), backup_set(NOW - DAY)]
    assert hash_sets_for(sets[0]["name"]) == "all" and hash_sets_for(None) == "newest"
    record = _record(inspect(sets), set_name=sets[0]["name"])
    assert record["state"] == "drifted" and record["set"]["name"] == sets[0]["name"]
    assert record["requested_set"] == sets[0]["name"]


def test_a_named_set_that_is_missing_or_corrupt_is_not_replaced_by_another() -> None:
    sets = [backup_set(NOW - 3 * DAY, tag="1:1:5", corrupt=True), backup_set(NOW - DAY)]
    corrupt = _record(inspect(sets), set_name=sets[0]["name"])
    assert (corrupt["state"], corrupt["reason"]) == ("no_backup", "corrupt")
    assert corrupt["message"].startswith(f"Set {sets[0]['name']} under ")
    missing = _record(inspect(sets), set_name="20200101T000000Z_clusterdb_e1s1")
    assert (missing["state"], missing["reason"]) == ("no_backup", "no_set")
    assert "There is no set named 20200101T000000Z_clusterdb_e1s1 under" in missing["message"]


def test_a_location_that_cannot_be_listed_is_unreadable_with_the_windows_error() -> None:
    running = inspect([])
    del running["sets"]
    running.update(error_code=5, msg="Failed to list the backup sets: Access is denied.")
    problem = location_problem(running, True, r"\\fs01\clusterbackups\CLU01")
    assert problem is not None
    reason, message = problem
    assert reason == "unreadable"
    assert message.startswith(
        "The sets under \\\\fs01\\clusterbackups\\CLU01 could not be listed from NODE1 "
        "(Windows error 5, ERROR_ACCESS_DENIED): Failed to list the backup sets: Access is denied."
    )
    assert "second hop" in message
    file_in_the_way = inspect([])
    file_in_the_way["path_info"] = {"exists": True, "is_directory": False}
    assert location_problem(file_in_the_way, False, "x")[0] == "unreadable"


def test_a_node_that_cannot_answer_for_its_cluster_is_refused() -> None:
    down = inspect([])
    down.update(configuration=None, cluster_error="The Cluster service is not running (1062).")
    with pytest.raises(DriftCheckFailed, match="NODE1 could not read its cluster's configuration"):
        check_cluster_readable(down)
    not_a_node = inspect([])
    not_a_node["cluster_service"] = {"installed": False}
    with pytest.raises(DriftCheckFailed, match="not a node of a failover cluster"):
        check_cluster_readable(not_a_node)
    with pytest.raises(DriftCheckFailed, match="reports cluster CLU01"):
        check_cluster_name(inspect([]), "CLU02")
    check_cluster_name(inspect([]), "clu01")
    check_cluster_name(inspect([]), None)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (r"\\fs01\clusterbackups\CLU01", r"\\fs01\clusterbackups"),
        (r"D:\Backups\CLU01", r"D:\Backups"),
        (r"D:\clu01", "D:\\"),
    ],
)
def test_the_backup_role_layout_names_the_backup_playbook(path: str, expected: str) -> None:
    command = fresh_backup_command(
        validate_backup_path(path), "CLU01", inventory=None, hosts=["NODE1"]
    )
    words = shlex.split(command)
    assert words[:2] == ["ansible-playbook", "wsfc.clusterdb.backup"]
    assert json.loads(words[3]) == {"backup_path": expected}
    assert words[4:] == ["--limit", "NODE1"]


def test_another_folder_names_cluster_backup_and_an_own_command_is_kept() -> None:
    path = validate_backup_path(r"\\fs01\share\special folder")
    command = fresh_backup_command(path, "CLU01", inventory="inv.yml", hosts=["NODE1", "NODE2"])
    assert shlex.split(command) == [
        "ansible", "NODE1", "-i", "inv.yml", "-m", "wsfc.clusterdb.cluster_backup",
        "-a", '{"path": "\\\\\\\\fs01\\\\share\\\\special folder"}',
    ]  # fmt: skip
    own = fresh_backup_command(
        path, "CLU01", inventory=None, hosts=["NODE1", "NODE2"],
        given="ansible-playbook -i prod.yml wsfc.clusterdb.backup -e @backup.yml",
    )  # fmt: skip
    assert own == (
        "ansible-playbook -i prod.yml wsfc.clusterdb.backup -e @backup.yml --limit NODE1,NODE2"
    )


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0s"), (40, "40s"), (3660, "1h 1m"), (86400, "1d"), (277_200, "3d 5h"), (-5, "0s")],
)
def test_ages_for_people(seconds: float, text: str) -> None:
    assert format_age(seconds) == text


def test_a_version_that_moved_without_an_object_change_is_in_sync_and_said() -> None:
    record = _record(inspect([backup_set(NOW - DAY)], tag="1:1:9"))
    assert record["state"] == "in_sync"
    assert record["configuration_version"] == {"running": "1:9", "backup": "1:7", "equal": False}
    assert "The configuration version moved (1:7 in the set, 1:9 running)" in record["message"]
