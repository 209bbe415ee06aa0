"""Parsing wbadmin's text output."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._wbadmin import (
    WbadminParseError,
    parse_get_items_applications,
    parse_get_versions,
    parse_run_output,
    parse_version_id,
    version_created_since,
)

BANNER = """wbadmin 1.0 - Backup command-line tool
(C) Copyright Microsoft Corporation. All rights reserved.

"""

GET_VERSIONS = (
    BANNER
    + """Backup time: 11/21/2026 9:00 PM
Backup location: Network Share labeled \\\\fs01\\clusterbackups
Version identifier: 11/22/2026-05:00
Can recover: Volume(s), File(s), Application(s), Bare Metal Recovery, System State
Snapshot ID: {2c1f6f3e-0000-4000-8000-000000000001}

Backup time: 11/20/2026 9:00 PM
Backup target: Fixed Disk labeled E:
Version identifier: 11/21/2026-05:00
Can recover: System State
Snapshot ID: {2c1f6f3e-0000-4000-8000-000000000002}
"""
)


def test_a_version_id_reads_as_the_time_it_names() -> None:
    assert parse_version_id("11/22/2026-05:00") == datetime(2026, 11, 22, 5, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "text", ["2026-11-22 05:00", "11/22/2026 05:00", "13/22/2026-05:00", "1/2/2026-5:00", "", 5]
)
def test_bad_version_ids(text) -> None:
    with pytest.raises(WbadminParseError):
        parse_version_id(text)


def test_get_versions_lists_each_version_oldest_first() -> None:
    versions = parse_get_versions(GET_VERSIONS)
    assert [v.version_id for v in versions] == ["11/21/2026-05:00", "11/22/2026-05:00"]
    newest = versions[-1]
    assert newest.backup_time == "11/21/2026 9:00 PM"
    assert newest.target == r"Network Share labeled \\fs01\clusterbackups"
    assert "Application(s)" in newest.can_recover
    assert newest.snapshot_id == "{2c1f6f3e-0000-4000-8000-000000000001}"
    assert versions[0].target == "Fixed Disk labeled E:"
    assert versions[0].can_recover == ("System State",)


def test_get_versions_tolerates_spacing_case_and_crlf() -> None:
    text = "  backup   time:  x \r\n  VERSION IDENTIFIER :   11/22/2026-05:00  \r\n"
    (version,) = parse_get_versions(text)
    assert version.version_id == "11/22/2026-05:00"
    assert version.backup_time == "x"


def test_get_versions_without_any_version() -> None:
    text = BANNER + "No backups were found.\n"  # assumed wording; nothing to parse
    assert parse_get_versions(text) == ()


def test_get_versions_blocks_without_backup_time_lines() -> None:
    text = "Version identifier: 11/21/2026-05:00\nVersion identifier: 11/22/2026-05:00\n"
    assert len(parse_get_versions(text)) == 2


def test_version_created_since() -> None:
    versions = parse_get_versions(GET_VERSIONS)
    started = datetime(2026, 11, 22, 5, 0, 41, tzinfo=UTC)
    found = version_created_since(versions, started)
    assert found is not None and found.version_id == "11/22/2026-05:00"
    later = datetime(2026, 11, 22, 5, 1, tzinfo=UTC)
    assert version_created_since(versions, later) is None


def test_get_items_applications() -> None:
    text = (
        BANNER
        + "Volume ID = {00000000-0000-0000-0000-000000000000}\n"
        + "Application = Registry\nComponent = Registry (\\Registry)\n\n"
        + "Application =Cluster\nComponent = Cluster Database (\\Cluster Database)\n"
        + "Application: Cluster\n"
    )
    assert parse_get_items_applications(text) == ("Registry", "Cluster")


SUCCESS = (
    BANNER
    + """Starting System State Backup [11/22/2026 5:00 AM]
Retrieving volume information...
This will back up the system state from volume(s) Local Disk (C:) to \\\\fs01\\clusterbackups.
Starting a backup of the system state...
Creating a shadow copy of the volumes specified for backup...
The system state backup successfully completed [11/22/2026 5:04 AM].

Log of files successfully backed up:
C:\\Windows\\Logs\\WindowsServerBackup\\Backup-22-11-2026_05-00-00.log
"""
)


def test_backup_success() -> None:
    run = parse_run_output(SUCCESS, "", 0)
    assert run.succeeded
    assert run.error_text is None
    assert run.version_id is None  # the success text carries no version identifier
    assert run.log_files == (r"C:\Windows\Logs\WindowsServerBackup\Backup-22-11-2026_05-00-00.log",)


def test_success_judged_from_text_when_the_exit_code_is_unknown() -> None:
    assert parse_run_output(SUCCESS).succeeded
    assert not parse_run_output(BANNER + "Starting...\n").succeeded


def test_version_id_in_the_output_is_extracted() -> None:
    run = parse_run_output(SUCCESS + "Version identifier: 11/22/2026-05:00\n", "", 0)
    assert run.version_id == "11/22/2026-05:00"


def test_backup_failure_with_an_hresult() -> None:
    stdout = (
        BANNER
        + "Starting System State Backup [11/22/2026 5:00 AM]\n"
        + "ERROR - The backup operation that started at '2026-11-22T05:00:00.000Z' has "
        + "failed with following error code '0x80070070' (There is not enough space on the "
        + "disk.).\n"
    )
    run = parse_run_output(stdout, "", 1)
    assert not run.succeeded
    assert run.hresult == 0x80070070
    assert run.win32_code == 112
    assert "not enough space" in run.error_text


def test_backup_failure_with_a_backup_facility_hresult() -> None:
    run = parse_run_output("ERROR - Failed: error code '0x807800C5'.", "", 2)
    assert run.hresult == 0x807800C5
    assert run.win32_code is None


def test_failure_message_without_a_code() -> None:
    run = parse_run_output(BANNER + "ERROR - Access is denied.\n", "", 5)
    assert not run.succeeded
    assert run.win32_code == 5
    assert run.error_text == "Access is denied."


def test_an_error_line_fails_the_run_even_with_exit_code_zero() -> None:
    assert not parse_run_output(SUCCESS + "ERROR - Something.\n", "", 0).succeeded


def test_nonzero_exit_without_error_lines_reports_the_last_line() -> None:
    run = parse_run_output(BANNER + "The operation ended before completion.\n", "", 3)
    assert not run.succeeded
    assert run.error_text == "The operation ended before completion."
    assert parse_run_output("", "", 3).error_text == "wbadmin exited with code 3"


@pytest.mark.parametrize(
    "stderr",
    [
        "'wbadmin' is not recognized as an internal or external command,",
        "wbadmin : The term 'wbadmin' is not recognized as the name of a cmdlet",
        "The term 'wbadmin.exe' is not recognized as the name of a cmdlet, function",
    ],
)
def test_wbadmin_missing_is_recognised(stderr: str) -> None:
    run = parse_run_output("", stderr, 1)
    assert run.feature_missing
    assert not run.succeeded
    assert "Windows Server Backup" in run.error_text
