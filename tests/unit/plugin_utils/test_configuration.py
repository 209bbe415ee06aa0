"""Configuration fingerprint, diff and the disks a restore leaves offline."""

from __future__ import annotations

import pytest
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._configuration import (
    ADDED,
    CHANGED,
    REMOVED,
    configuration_fingerprint,
    diff_configurations,
    disks_left_offline,
    normalize_configuration,
    render_configuration,
)

from .samples import configuration


def test_fingerprint_is_sha256_hex_and_stable() -> None:
    first = configuration_fingerprint(configuration())
    assert len(first) == 64 and int(first, 16) >= 0
    assert configuration_fingerprint(configuration()) == first


def test_fingerprint_ignores_listing_order() -> None:
    raw = configuration()
    raw["groups"].reverse()
    raw["resources"].reverse()
    raw["resources"][0]["possible_owners"].reverse()
    raw["resources"][0]["parameters"] = dict(reversed(raw["resources"][0]["parameters"].items()))
    assert configuration_fingerprint(raw) == configuration_fingerprint(configuration())


def test_fingerprint_ignores_run_time_state_and_owner() -> None:
    raw = configuration()
    raw["groups"][1]["owner_node"] = "NODE1"  # a failover
    raw["resources"][2]["state"] = "Offline"
    raw["networks"][0]["state"] = "Down"
    assert configuration_fingerprint(raw) == configuration_fingerprint(configuration())


def test_dependency_expression_spacing_is_not_significant() -> None:
    raw = configuration()
    raw["resources"][3]["dependencies"] = "  [FS01 IP]  "
    assert configuration_fingerprint(raw) == configuration_fingerprint(configuration())


@pytest.mark.parametrize(
    "change",
    [
        lambda raw: raw["resources"][2]["parameters"].update(Address="10.0.0.51"),
        lambda raw: raw["groups"][1]["preferred_owners"].reverse(),  # order matters here
        lambda raw: raw["resources"][3].update(dependencies="[FS01 IP] and [Other]"),
        lambda raw: raw["resources"][0]["possible_owners"].remove("NODE2"),
        lambda raw: raw["networks"][0].update(role=1),
        lambda raw: raw["resources"].pop(),
        lambda raw: raw["groups"][1].update(name="FS02"),
    ],
)
def test_fingerprint_changes_with_the_configuration(change) -> None:
    raw = configuration()
    change(raw)
    assert configuration_fingerprint(raw) != configuration_fingerprint(configuration())


def test_missing_sections_are_empty() -> None:
    assert normalize_configuration(None).objects == ()
    assert normalize_configuration({"groups": None}).objects == ()


def test_duplicate_names_are_refused_ignoring_case() -> None:
    raw = configuration()
    raw["groups"].append(dict(raw["groups"][1], name="fs01"))
    with pytest.raises(ValueError, match="twice"):
        normalize_configuration(raw)


@pytest.mark.parametrize(
    "bad",
    [
        {"groups": [{"state": "Online"}]},
        {"resources": [{"name": "r", "parameters": [1]}]},
        {"resources": [{"name": "r", "dependencies": 5}]},
    ],
)
def test_malformed_objects_are_refused(bad: dict) -> None:
    with pytest.raises(ValueError):
        normalize_configuration(bad)


def test_get_ignores_case() -> None:
    config = normalize_configuration(configuration())
    obj = config.get("resource", "fs01 ip")
    assert obj is not None and obj.name == "FS01 IP"
    assert config.get("group", "FS01 IP") is None


def test_as_facts_round_trip() -> None:
    config = normalize_configuration(configuration())
    assert normalize_configuration(config.as_facts()) == config


class TestDiff:
    def test_no_change(self) -> None:
        config = normalize_configuration(configuration())
        diff = diff_configurations(config, normalize_configuration(configuration()))
        assert diff.is_empty
        assert diff.as_result() == []
        assert "No configuration object would change" in diff.prepared()

    def test_added_removed_changed_with_field_values(self) -> None:
        running = configuration()
        running["resources"][2]["parameters"]["Address"] = "10.0.0.99"
        running["resources"].append(
            {
                "name": "Cluster Disk 3",
                "type": "Physical Disk",
                "group": "FS01",
                "parameters": {},
                "possible_owners": [],
            }
        )
        del running["networks"][0]
        diff = diff_configurations(
            normalize_configuration(running), normalize_configuration(configuration())
        )
        # before = running, after = backup: the restore removes Disk 3, adds the network back.
        assert [(c.kind, c.name) for c in diff.removed] == [("resource", "Cluster Disk 3")]
        assert [(c.kind, c.name) for c in diff.added] == [("network", "Cluster Network 1")]
        (changed,) = diff.changed
        assert (changed.kind, changed.name) == ("resource", "FS01 IP")
        (field,) = changed.fields
        assert (field.field, field.before, field.after) == (
            "parameters.Address",
            "10.0.0.99",
            "10.0.0.50",
        )
        assert {c["change"] for c in diff.as_result()} == {ADDED, REMOVED, CHANGED}

    def test_run_time_fields_only_when_asked(self) -> None:
        running = configuration()
        running["groups"][1]["owner_node"] = "NODE1"
        before = normalize_configuration(running)
        after = normalize_configuration(configuration())
        assert diff_configurations(before, after).is_empty
        diff = diff_configurations(before, after, include_runtime=True)
        (change,) = diff.changed
        assert change.fields[0].field == "runtime.owner_node"

    def test_a_rename_in_case_only_is_a_change_of_name(self) -> None:
        running = configuration()
        running["groups"][1]["name"] = "fs01"
        diff = diff_configurations(
            normalize_configuration(running), normalize_configuration(configuration())
        )
        (change,) = diff.changed
        assert [(f.field, f.before, f.after) for f in change.fields] == [("name", "fs01", "FS01")]

    def test_prepared_text_names_each_change(self) -> None:
        running = configuration()
        running["resources"][2]["parameters"]["Address"] = "10.0.0.99"
        text = diff_configurations(
            normalize_configuration(running), normalize_configuration(configuration())
        ).prepared()
        expected = '~ resource FS01 IP: changed\n    parameters.Address: "10.0.0.99" -> "10.0.0.50"'
        assert expected in text

    def test_ansible_diff_shows_before_and_after_text(self) -> None:
        running = configuration()
        running["resources"][2]["parameters"]["Address"] = "10.0.0.99"
        diff = diff_configurations(
            normalize_configuration(running), normalize_configuration(configuration())
        ).ansible_diff()
        assert set(diff) == {"before", "after", "before_header", "after_header"}
        assert '  parameters.Address: "10.0.0.99"' in diff["before"]
        assert '  parameters.Address: "10.0.0.50"' in diff["after"]
        assert diff["before"].count("\n") == diff["after"].count("\n")


def test_render_is_stable_and_readable() -> None:
    text = render_configuration(normalize_configuration(configuration()))
    assert text.startswith("group: Cluster Group\n")
    assert "resource: FS01 Name\n" in text
    assert '  dependencies: "[FS01 IP]"' in text
    assert render_configuration(normalize_configuration(None)) == ""


class TestDisksLeftOffline:
    def test_nothing_when_unchanged(self) -> None:
        config = normalize_configuration(configuration())
        assert disks_left_offline(config, config, "Cluster Disk 1") == ()

    def test_added_and_changed_disks_but_not_the_witness_or_other_resources(self) -> None:
        running = configuration()
        running["resources"][0]["parameters"]["DiskSignature"] = "0xFFFF"  # the witness
        running["resources"][1]["parameters"]["DiskSignature"] = "0xEEEE"
        running["resources"][2]["parameters"]["Address"] = "10.0.0.99"  # not a disk
        running["resources"].append(
            {"name": "Cluster Disk 3", "type": "physical disk", "group": "FS01"}
        )
        offline = disks_left_offline(
            normalize_configuration(running),
            normalize_configuration(configuration()),
            "cluster disk 1",
        )
        assert offline == ("Cluster Disk 2", "Cluster Disk 3")

    def test_without_a_disk_witness_every_changed_disk_counts(self) -> None:
        running = configuration()
        running["resources"][0]["parameters"]["DiskSignature"] = "0xFFFF"
        offline = disks_left_offline(
            normalize_configuration(running), normalize_configuration(configuration()), None
        )
        assert offline == ("Cluster Disk 1",)
