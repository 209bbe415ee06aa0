"""plugins/plugin_utils/_wbadmin.py reads what has one documented form, not the wording: the
version identifiers, the value after `=` in `get items`, the HRESULTs. Tested on Microsoft's
documented samples (tests/samples/windows/wbadmin-*.txt: command lines and the two error lines
of KB 944530; Microsoft shows no other output), on the lab's non-English stand-in wording
(WORDING["de"] of the lab's wbadmin), and on labels in other scripts."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._wbadmin import (
    WbadminParseError,
    error_lines,
    lists_cluster_application,
    parse_get_items_applications,
    parse_get_versions,
    parse_run_output,
    parse_version_id,
)
from wsfc_lab.world.wbadmin import WORDING

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "windows"


def sample(name: str) -> str:
    return (SAMPLES / f"wbadmin-{name}.txt").read_text(encoding="utf-8")


# -- Microsoft's samples -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "identifier", "moment"),
    [
        ("version-identifier", "03/31/2020-09:00", datetime(2020, 3, 31, 9, 0, tzinfo=UTC)),
        ("get-items", "04/30/2013-09:00", datetime(2013, 4, 30, 9, 0, tzinfo=UTC)),
        ("start-recovery-cluster", "01/03/2018-02:04", datetime(2018, 1, 3, 2, 4, tzinfo=UTC)),
        ("start-systemstaterecovery", "04/30/2013-09:00", datetime(2013, 4, 30, 9, 0, tzinfo=UTC)),
    ],
)
def test_the_documented_identifiers_are_found_wherever_they_stand(name, identifier, moment):
    # A command line has no label at all: the identifier is found by its form alone.
    (version,) = parse_get_versions(sample(name))
    assert version.version_id == identifier
    assert version.created == moment == parse_version_id(identifier)


@pytest.mark.parametrize("name", ["get-versions", "start-systemstatebackup", "feature-install"])
def test_text_without_an_identifier_has_no_version(name):
    assert parse_get_versions(sample(name)) == ()


@pytest.mark.parametrize("name", ["critical-volume-2008", "critical-volume-2008r2"])
def test_the_documented_error_lines_are_read(name):
    text = sample(name)
    message = text.strip().removeprefix("ERROR - ")
    assert error_lines(text) == (message,)
    run = parse_run_output(text, "", None)
    assert not run.succeeded
    assert run.error_text == message
    assert run.hresult is None  # KB 944530 quotes them without a code


def test_the_documented_application_name_is_cluster():
    # The name start recovery takes (-items:cluster) is the one get items must list.
    assert "-items:cluster" in sample("start-recovery-cluster")
    assert lists_cluster_application("Application = cluster\n")
    assert lists_cluster_application("Application = Cluster\n")
    assert not lists_cluster_application("Application = Cluster Database\n")


# -- the lab's non-English stand-in wording ------------------------------------------------


def say(key: str, **values: object) -> str:
    return WORDING["de"][key].format(**values)


def localized_versions(*identifiers: str) -> str:
    lines = [say("banner"), say("copyright"), ""]
    for number, identifier in enumerate(identifiers):
        lines += [
            say("backup_time", time=f"2{number}.11.2026 02:03"),
            say("backup_location", location=say("share_location", target="\\\\FS01\\b")),
            say("version_identifier", version=identifier),
            say("can_recover"),
            say("snapshot_id", snapshot=f"{{2c1f6f3e-0000-4000-8000-00000000000{number}}}"),
            "",
        ]
    return "\r\n".join(lines)


def localized_items(*applications: str) -> str:
    lines = [say("banner"), say("copyright"), ""]
    for name in applications:
        lines += [say("application", name=name), say("component", name=name + " X"), ""]
    return "\r\n".join(lines)


def test_localized_versions_are_found_oldest_first_without_english_details():
    versions = parse_get_versions(localized_versions("11/22/2026-05:00", "11/21/2026-05:00"))
    assert [v.version_id for v in versions] == ["11/21/2026-05:00", "11/22/2026-05:00"]
    # Only the identifiers: the localized backup times (20.11.2026 02:03) are not taken for
    # versions, and no English detail is there to read.
    assert all(v.backup_time is None and v.can_recover == () for v in versions)


def test_localized_items_give_the_application_names():
    text = localized_items("Registry", "Cluster")
    assert parse_get_items_applications(text) == ("Registry", "Cluster")
    assert lists_cluster_application(text)
    assert not lists_cluster_application(localized_items("Registry"))


def test_a_localized_failure_is_read_by_its_hresult_and_exit_code():
    text = say("error", text="Kein Platz (0x80070070)")
    run = parse_run_output(text, "", 1)
    assert not run.succeeded and run.win32_code == 112
    assert parse_run_output(say("ssb_done", time="22.11.2026 02:03"), "", 0).succeeded


# -- labels in any script --------------------------------------------------------------------


def test_labels_in_another_script_and_a_volume_line():
    text = (
        "ボリューム ID = {00000000-0000-0000-0000-000000000000}\n"
        "アプリケーション = Registry\n"
        "コンポーネント = Registry\n"
        "\n"
        "アプリケーション = Cluster\n"
        "コンポーネント = Cluster Database\n"
        "\n"
        "アプリケーション = AD\n"
    )
    # The application label heads two blocks, the volume label one: the applications win.
    assert parse_get_items_applications(text) == ("Registry", "Cluster", "AD")
    versions = parse_get_versions("バージョン識別子: 11/22/2026-05:00\n作成: 11/22/2026 5:00\n")
    assert [v.version_id for v in versions] == ["11/22/2026-05:00"]


def test_english_labels_are_used_when_present_and_details_kept():
    text = (
        "Backup time: 11/21/2026 9:00 PM\n"
        "Version identifier: 11/22/2026-05:00\n"
        "Can recover: Application(s), System State\n"
    )
    (version,) = parse_get_versions(text)
    assert version.backup_time == "11/21/2026 9:00 PM"
    assert version.can_recover == ("Application(s)", "System State")


def test_an_impossible_identifier_is_an_error_not_a_version():
    with pytest.raises(WbadminParseError):
        parse_get_versions("Versionsbezeichner: 13/45/2026-05:00\n")


def test_nothing_to_read():
    assert parse_get_versions("") == ()
    assert parse_get_items_applications("") == ()
    assert parse_get_items_applications("wbadmin 1.0\nkein Eintrag\n") == ()
