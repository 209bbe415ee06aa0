"""The explanations of the faults a backup meets under concurrency, and of a failed
restore safety backup (plugin_utils._errors)."""

from __future__ import annotations

from ansible_collections.wsfc.clusterdb.plugins.plugin_utils import _errors as errors
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._backup_decisions import (
    explain_module_failure,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._errors import (
    BACKUP,
    ERROR_ALREADY_EXISTS,
    RESTORE,
    SAFETY_BACKUP,
    explain_win32_error,
    safety_backup_failure_message,
)

SAFETY_PATH = "\\\\FS01\\clusterbackups\\CLU01\\pre_restore"


def test_183_is_explained_as_a_concurrent_backup_of_the_same_cluster() -> None:
    explanation = explain_win32_error(183, BACKUP, path="\\\\FS01\\b\\CLU01", node="NODE1")
    assert ERROR_ALREADY_EXISTS == 183
    assert explanation.name == "ERROR_ALREADY_EXISTS"
    assert "another backup of this cluster" in explanation.cause
    assert "\\\\FS01\\b\\CLU01" in explanation.cause
    assert "run this backup again" in explanation.fix
    assert explanation.retryable
    assert "unknown error" not in explanation.message
    assert "net helpmsg" not in explanation.message


def test_a_staging_directory_that_exists_already_fails_as_the_concurrent_backup() -> None:
    # The raw failure the module returns when the staging directory appeared between
    # the inspect and the backup phase.
    raw = {
        "failed": True,
        "error_code": 183,
        "msg": "The staging directory '\\\\FS01\\b\\CLU01\\unfinished_x' exists already.",
    }
    blocked = explain_module_failure(raw, path="\\\\FS01\\b\\CLU01", node="NODE1")
    assert blocked.error_code == 183
    assert "another backup of this cluster" in blocked.message
    assert "Windows error 183, ERROR_ALREADY_EXISTS" in blocked.message
    assert "unfinished_x" in blocked.message  # the node's own words follow


def test_a_safety_backup_denied_access_names_restore_safety_backup_path() -> None:
    explanation = explain_win32_error(5, SAFETY_BACKUP, path=SAFETY_PATH, node="NODE1")
    assert explanation.message.startswith("The safety backup failed:")
    assert "restore_safety_backup_path" in explanation.message
    assert SAFETY_PATH in explanation.message
    assert "Nothing was stopped or restored" in explanation.fix
    # The backup's own wording stays for the backup role.
    assert "restore_safety_backup_path" not in explain_win32_error(5, BACKUP).message
    assert "restore_safety_backup_path" not in explain_win32_error(5, RESTORE).message


def test_a_safety_backup_keeps_the_backup_explanations_it_does_not_override() -> None:
    assert explain_win32_error(5949, SAFETY_BACKUP).name == "ERROR_CLUSTER_BACKUP_IN_PROGRESS"
    assert explain_win32_error(5925, SAFETY_BACKUP).cause == explain_win32_error(5925, BACKUP).cause
    # It explains every code the backup explains, and no other (every table is keyed by the
    # module's named codes).
    named = {v for k, v in vars(errors).items() if k.startswith(("ERROR_", "RPC_S_"))}
    assert named
    for code in named:
        assert (
            explain_win32_error(code, SAFETY_BACKUP).name == explain_win32_error(code, BACKUP).name
        )


def test_the_safety_backup_message_reads_the_cluster_backup_result() -> None:
    result = {
        "failed": True,
        "error_code": 5,
        "backup_path": SAFETY_PATH,
        "node_name": "NODE2",
        "msg": "The backup failed: the account ... (Windows error 5, ERROR_ACCESS_DENIED).",
    }
    message = safety_backup_failure_message(result)
    assert message.startswith("The safety backup failed:")
    assert "restore_safety_backup_path" in message and "NODE2" in message
    assert message.endswith(result["msg"])
    # Without a code the module's own message is kept as it is.
    assert safety_backup_failure_message({"msg": "NODE2 is Paused"}) == "NODE2 is Paused"
    assert "without a message" in safety_backup_failure_message({})
