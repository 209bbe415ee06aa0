"""Windows error codes explained for a backup and a restore."""

from __future__ import annotations

import pytest
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils import _errors as errors
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._errors import (
    BACKUP,
    RESTORE,
    WINDOWS_SERVER_BACKUP_MISSING,
    explain_condition,
    explain_win32_error,
    win32_code_from_hresult,
)

REQUIRED_CODES = [
    5,
    112,
    120,
    267,
    1060,
    1062,
    1722,
    5034,
    5036,
    5042,
    5050,
    5056,
    5083,
    5086,
    5087,
    5925,
    5932,
    5949,
]


@pytest.mark.parametrize("operation", [BACKUP, RESTORE])
@pytest.mark.parametrize("code", REQUIRED_CODES)
def test_every_required_code_has_a_specific_explanation(operation: str, code: int) -> None:
    explanation = explain_win32_error(code, operation, path=r"\\fs01\b", node="NODE1")
    assert explanation.code == code
    assert explanation.name.startswith(("ERROR_", "RPC_S_"))
    assert explanation.cause and explanation.fix
    assert "{" not in explanation.message  # every placeholder filled
    assert f"Windows error {code}, {explanation.name}" in explanation.message


def test_names_match_the_winerror_constants() -> None:
    for code in REQUIRED_CODES:
        name = explain_win32_error(code, RESTORE).name
        assert getattr(errors, name) == code


def test_legacy_route_on_2008_names_vss() -> None:
    explanation = explain_win32_error(120, BACKUP, node="NODE1")
    assert "NODE1 runs Windows Server 2008 or later" in explanation.cause
    assert "route=vss" in explanation.fix


def test_directory_error_names_the_path() -> None:
    explanation = explain_win32_error(267, BACKUP, path=r"D:\Backups\file.txt")
    assert r"D:\Backups\file.txt names a file, not a directory" in explanation.cause


def test_disk_full() -> None:
    assert "ran out of space" in explain_win32_error(112, BACKUP, path="E:\\").cause


def test_node_up_on_restore_gives_both_options() -> None:
    explanation = explain_win32_error(5056, RESTORE)
    assert len(explanation.options) == 2
    assert any("stop the Cluster service" in o for o in explanation.options)
    assert any("force=true" in o for o in explanation.options)
    assert "(1) " in explanation.message and "(2) " in explanation.message


def test_node_up_on_restore_never_offers_a_stop_the_cluster_refuses() -> None:
    # Stop-ClusterNode refuses the stop that leaves the cluster below quorum (5925), so
    # "cluster_node state=stopped on every other node" cannot be followed on three nodes.
    options = explain_win32_error(5056, RESTORE).options
    assert not any("cluster_node state=stopped" in o for o in options)
    assert any("ansible.windows.win_service name=ClusSvc state=stopped" in o for o in options)


def test_quorum_layout_on_restore_gives_three_options() -> None:
    explanation = explain_win32_error(5086, RESTORE)
    assert "partition layout" in explanation.cause
    joined = " ".join(explanation.options)
    assert "force=true" in joined
    assert "quorum_drive" in joined
    assert "partition the quorum disk" in joined


def test_corrupt_set_on_restore() -> None:
    assert "incomplete or corrupt" in explain_win32_error(5087, RESTORE, path="S").cause


def test_no_quorum_on_backup_says_a_running_cluster_with_quorum_is_needed() -> None:
    cause = explain_win32_error(5925, BACKUP).cause
    assert "running cluster with quorum" in cause


def test_backup_in_progress_is_retryable() -> None:
    explanation = explain_win32_error(5949, BACKUP)
    assert explanation.retryable
    assert "Wait" in explanation.fix


def test_access_denied_differs_between_backup_and_restore() -> None:
    backup = explain_win32_error(5, BACKUP, path="P")
    restore = explain_win32_error(5, RESTORE, path="P")
    assert "write" in backup.cause and "read" in restore.cause


def test_hresult_wrapping_a_win32_code_is_unwrapped() -> None:
    assert win32_code_from_hresult(0x80070005) == 5
    assert win32_code_from_hresult(0x80070070) == 112
    assert win32_code_from_hresult(-2147024891) == 5  # 0x80070005 as a signed int
    assert win32_code_from_hresult(0x807800C5) is None  # facility 120 (backup), not Win32
    assert win32_code_from_hresult(5) is None
    assert explain_win32_error(0x80070005, BACKUP).code == 5


def test_unknown_code_is_explained_generically() -> None:
    explanation = explain_win32_error(0x807800C5, BACKUP)
    assert explanation.name == "unknown error"
    assert "0x807800C5" in explanation.cause
    assert "net helpmsg" in explanation.fix


def test_feature_missing_condition() -> None:
    explanation = explain_condition(WINDOWS_SERVER_BACKUP_MISSING, BACKUP, node="NODE2")
    assert explanation.code is None
    assert "Windows Server Backup" in explanation.cause and "NODE2" in explanation.cause
    assert "Windows-Server-Backup" in explanation.fix
    assert explanation.message.startswith("The backup failed:")
    assert "Windows error" not in explanation.message


def test_unknown_condition_and_operation_are_programming_errors() -> None:
    with pytest.raises(ValueError, match="unknown condition"):
        explain_condition("nope", BACKUP)
    with pytest.raises(ValueError, match="operation"):
        explain_win32_error(5, "copy")


def test_as_result() -> None:
    result = explain_win32_error(5056, RESTORE).as_result()
    assert result["code"] == 5056
    assert result["name"] == "ERROR_CLUSTER_NODE_UP"
    assert isinstance(result["options"], list) and len(result["options"]) == 2
    assert result["message"] == explain_win32_error(5056, RESTORE).message
