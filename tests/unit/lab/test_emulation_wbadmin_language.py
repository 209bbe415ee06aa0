"""The lab's wbadmin (world/wbadmin.py, world/wbadmin_recovery.py): the `get items` blocks,
-machine required with -backupTarget by `start recovery`, and a node whose display language
is not English, read by the collection's parsers (plugins/plugin_utils/_wbadmin.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._wbadmin import (
    lists_cluster_application,
    parse_get_items_applications,
    parse_get_versions,
    parse_run_output,
)
from wsfc_lab.spec import SpecError, load_spec, parse_spec
from wsfc_lab.world import World, faults, wbadmin_recovery
from wsfc_lab.world.backup_media import read_vss_catalog
from wsfc_lab.world.wbadmin import WORDING, run_wbadmin

ROOT = Path(__file__).resolve().parents[3]
THREE_NODE = ROOT / "tests" / "lab" / "examples" / "three-node.yml"
# start recovery registers itself with wbadmin's dispatcher when its module is loaded.
assert wbadmin_recovery.RECOVERY_OPERATION
TARGET = "\\\\FS01\\clusterbackups"
# Every English label and message the lab's wbadmin prints; none may be in localized text.
ENGLISH = [
    text.split("{")[0].strip()
    for key, text in WORDING["en"].items()
    if key not in ("failed_code", "none") and len(text.split("{")[0].strip()) > 3
]


def make_world(tmp_path: Path, language: str | None = None) -> World:
    data = yaml.safe_load(THREE_NODE.read_text())
    if language is not None:
        data["nodes"][0]["display_language"] = language
    return World.create(tmp_path / "lab", parse_spec(data))


def wbadmin(world: World, *arguments: str, node: str = "NODE1"):
    return run_wbadmin(world, node, "Administrator", list(arguments))


def back_up(world: World, node: str = "NODE1"):
    return wbadmin(
        world, "start", "systemstatebackup", f"-backupTarget:{TARGET}", "-quiet", node=node
    )


def get_items(world: World, version: str, node: str = "NODE1", machine: str = "NODE1"):
    return wbadmin(
        world,
        "get",
        "items",
        f"-version:{version}",
        f"-backupTarget:{TARGET}",
        f"-machine:{machine}",
        node=node,
    )


def recover(world: World, version: str, *extra: str):
    arguments = ["start", "recovery", f"-version:{version}", "-itemtype:app", "-items:cluster",
                 f"-backupTarget:{TARGET}", *extra, "-quiet"]  # fmt: skip
    return wbadmin(world, *arguments)


def services(world: World) -> dict[str, str]:
    with world.transaction() as state:
        return {n: state.node(n)["service"]["state"] for n in state.node_names()}


# -- get items ---------------------------------------------------------------------------


def test_get_items_prints_one_block_per_application(tmp_path):
    world = make_world(tmp_path)
    assert back_up(world).exit_code == 0
    (version,) = read_vss_catalog(world, "NODE1", TARGET)
    items = get_items(world, version.version_id)
    assert items.exit_code == 0
    body = items.text.split("\r\n")[3:]
    assert body == [
        "Application = Cluster",
        "Component = Cluster Database",
        "",
        "Application = Registry",
        "Component = Registry",
        "",
    ]
    assert parse_get_items_applications(items.text) == ("Cluster", "Registry")


def test_get_items_of_an_unknown_version_fails(tmp_path):
    world = make_world(tmp_path)
    back_up(world)
    items = get_items(world, "01/01/2001-00:00")
    assert items.exit_code != 0
    assert not lists_cluster_application(items.text)
    assert "01/01/2001-00:00" in items.text


def test_get_items_of_another_machine_needs_its_name(tmp_path):
    world = make_world(tmp_path)
    back_up(world, node="NODE2")
    (version,) = read_vss_catalog(world, "NODE2", TARGET)
    assert get_items(world, version.version_id).exit_code != 0
    found = get_items(world, version.version_id, machine="NODE2")
    assert found.exit_code == 0 and lists_cluster_application(found.text)


# -- start recovery: -machine with -backupTarget -------------------------------------------


def test_recovery_with_a_target_and_no_machine_is_refused_before_anything_changes(tmp_path):
    world = make_world(tmp_path)
    back_up(world)
    (version,) = read_vss_catalog(world, "NODE1", TARGET)
    with world.transaction() as state:
        before = state.node("NODE1")["database"]["paxos_tag"]
    refused = recover(world, version.version_id)
    assert refused.exit_code == 1
    assert "ERROR - The -machine option is required when -backupTarget is given." in refused.text
    assert set(services(world).values()) == {"running"}
    with world.transaction() as state:
        assert state.node("NODE1")["database"]["paxos_tag"] == before
        assert not state.node_extension("NODE1", "restore")
    # The same command with -machine runs.
    done = recover(world, version.version_id, "-machine:NODE1")
    assert done.exit_code == 0, done.text
    assert services(world)["NODE2"] == "stopped"


# -- another display language -------------------------------------------------------------


def test_the_display_language_goes_from_the_description_to_the_node(tmp_path):
    world = make_world(tmp_path, "de-DE")
    with world.transaction() as state:
        assert state.node("NODE1")["display_language"] == "de-DE"
        assert state.node("NODE2")["display_language"] == "en-US"
    assert load_spec(THREE_NODE).nodes[0].display_language == "en-US"


@pytest.mark.parametrize(
    ("language", "problem"),
    [("Deutsch", "is not a language tag"), ("fr-FR", "has no wording for 'fr-FR'"), (7, "")],
)
def test_a_language_the_lab_has_no_wording_for_is_refused(language, problem):
    data = yaml.safe_load(THREE_NODE.read_text())
    data["nodes"][1]["display_language"] = language
    with pytest.raises(SpecError) as raised:
        parse_spec(data)
    assert raised.value.field_path == "nodes[1].display_language"
    assert problem in raised.value.problem


def test_a_localized_node_backs_up_and_its_versions_and_items_are_read(tmp_path):
    world = make_world(tmp_path, "de-DE")
    run = back_up(world)
    assert run.exit_code == 0
    assert parse_run_output(run.text, "", run.exit_code).succeeded
    listing = wbadmin(world, "get", "versions", f"-backupTarget:{TARGET}", "-machine:NODE1")
    (catalog,) = read_vss_catalog(world, "NODE1", TARGET)
    for text in (run.text, listing.text):
        assert not [english for english in ENGLISH if english in text]
    versions = parse_get_versions(listing.text)
    assert [v.version_id for v in versions] == [catalog.version_id]
    assert versions[0].backup_time is None  # the English extras are not there to read
    items = get_items(world, catalog.version_id)
    assert "Application" not in items.text and "Anwendung = Cluster" in items.text
    assert parse_get_items_applications(items.text) == ("Cluster", "Registry")
    assert lists_cluster_application(items.text)


def test_a_localized_failure_is_read_from_its_hresult_and_exit_code(tmp_path):
    world = make_world(tmp_path, "de-DE")
    with world.transaction() as state:
        faults.add_disk_full(state, "FS01", "C:\\Shares\\clusterbackups", 10_000)
    output = back_up(world)
    assert "ERROR" not in output.text and "FEHLER - " in output.text
    run = parse_run_output(output.text, "", output.exit_code)
    assert not run.succeeded and run.win32_code == 112


def test_a_localized_node_restores(tmp_path):
    world = make_world(tmp_path, "de-DE")
    back_up(world)
    (version,) = read_vss_catalog(world, "NODE1", TARGET)
    refused = recover(world, version.version_id)
    assert refused.exit_code == 1 and "FEHLER - " in refused.text
    done = recover(world, version.version_id, "-machine:NODE1")
    assert done.exit_code == 0, done.text
    assert parse_run_output(done.text, "", done.exit_code).succeeded
    assert not [english for english in ENGLISH if english in done.text]
