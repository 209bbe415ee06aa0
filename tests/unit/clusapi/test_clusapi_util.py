"""The clusapi P/Invoke util (plugins/module_utils/ClusApi.cs) called through Mono.

The util is compiled as PowerShell 5.1 would accept it (mcs -langversion:5), a driver calls
its public API, and Mono maps "clusapi.dll" to a C stub that records every argument as the
native side sees it (UTF-16 code units, BOOL, NULL pointers, handles) and returns the codes
each test chooses. Codes and their meaning: docs/windows-behaviour.md#clusapi-backup-restore and
#win32-error-codes.
"""

import re
import subprocess
from pathlib import Path

import pytest
from clusapi_build import (
    REPO_ROOT,
    UTIL_SOURCE,
    ClusApiBench,
    DriverRun,
    build_bench,
    compile_csharp_library,
    encode_argument,
    run_driver,
)

UNC_PATH_WITH_ACCENT = "\\\\fs01\\sauvegardes\\clusterdé\\"
# Outside the Basic Multilingual Plane: must cross as a UTF-16 surrogate pair.
PATH_WITH_SURROGATE_PAIR = "D:\\Backups\\cluster-𝄞"

ERROR_SUCCESS = 0
ERROR_ACCESS_DENIED = 5
ERROR_CALL_NOT_IMPLEMENTED = 120
ERROR_DIRECTORY = 267
RPC_S_SERVER_UNAVAILABLE = 1722
ERROR_CLUSTER_NODE_UP = 5056
ERROR_QUORUM_DISK_NOT_FOUND = 5086
ERROR_CLUSTER_NOT_INSTALLED = 5932


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> ClusApiBench:
    return build_bench(tmp_path_factory.mktemp("clusapi"))


@pytest.fixture
def log(tmp_path: Path) -> Path:
    return tmp_path / "clusapi_calls.jsonl"


def backup(
    bench: ClusApiBench, log: Path, name: str | None, path: str, **stub_env: str
) -> DriverRun:
    arguments = ["backup", encode_argument(name), encode_argument(path)]
    return run_driver(bench, log, arguments, stub_env)


def restore(
    bench: ClusApiBench,
    log: Path,
    path: str,
    force: bool,
    drive: str | None,
    **stub_env: str,
):
    arguments = [
        "restore",
        encode_argument(path),
        str(force).lower(),
        encode_argument(drive),
    ]
    return run_driver(bench, log, arguments, stub_env)


# --- the util as a collection C# util ------------------------------------------------------


def test_namespace_matches_the_name_ansiblerequires_uses() -> None:
    # ansible-core finds `#AnsibleRequires -CSharpUtil ansible_collections.<ns>.<coll>.
    # plugins.module_utils.<Name>` at plugins/module_utils/<Name>.cs; ansible.windows' utils
    # name their namespace exactly so, and so does this one.
    galaxy = (REPO_ROOT / "galaxy.yml").read_text(encoding="utf-8")
    namespace = re.search(r"^namespace:\s*(\S+)", galaxy, re.MULTILINE).group(1)
    collection = re.search(r"^name:\s*(\S+)", galaxy, re.MULTILINE).group(1)
    relative = UTIL_SOURCE.relative_to(REPO_ROOT).with_suffix("")
    expected = ".".join(["ansible_collections", namespace, collection, *relative.parts])
    declared = re.findall(r"^namespace\s+([\w.]+)", UTIL_SOURCE.read_text(), re.MULTILINE)
    assert declared == [expected]


def test_the_language_gate_refuses_csharp_6(tmp_path: Path) -> None:
    # The util compiles under MCS_LANGVERSION (the bench fixture would fail otherwise); this
    # shows that gate is real: C# 6 syntax that PowerShell 5.1 refuses is refused here too.
    source = tmp_path / "csharp6.cs"
    source.write_text('public static class C { public static string S(int x) => $"{x}"; }\n')
    with pytest.raises(RuntimeError, match=r"not part of the C# 5\.0 language"):
        compile_csharp_library(source, tmp_path / "csharp6.dll")


def test_the_util_declares_the_four_imports_as_unicode_with_last_error() -> None:
    text = UTIL_SOURCE.read_text(encoding="utf-8")
    imports = re.findall(
        r"\[DllImport\(([^)]*)\)\]\s*(?:\[return:[^\]]*\]\s*)?public static "
        r"extern \w+ (\w+)\(",
        text,
    )
    assert sorted(name for _attributes, name in imports) == [
        "BackupClusterDatabase",
        "CloseCluster",
        "OpenCluster",
        "RestoreClusterDatabase",
    ]
    for attributes, _name in imports:
        assert attributes == '"clusapi.dll", CharSet = CharSet.Unicode, SetLastError = true'


# --- backup ---------------------------------------------------------------------------------


def test_backup_of_the_local_cluster_opens_with_null(bench: ClusApiBench, log: Path) -> None:
    run = backup(bench, log, None, UNC_PATH_WITH_ACCENT)
    assert run.only("OpenCluster")["cluster_name"] is None


def test_backup_with_an_empty_cluster_name_opens_with_null(bench: ClusApiBench, log: Path) -> None:
    # PowerShell turns $null into "" for a [string] parameter: both mean the local cluster.
    run = backup(bench, log, "", UNC_PATH_WITH_ACCENT)
    assert run.only("OpenCluster")["cluster_name"] is None


def test_backup_of_a_named_cluster_opens_that_name(bench: ClusApiBench, log: Path) -> None:
    run = backup(bench, log, "CLUSTER-É1", UNC_PATH_WITH_ACCENT)
    assert run.only("OpenCluster")["cluster_name"] == "CLUSTER-É1"


@pytest.mark.parametrize(
    "path",
    [UNC_PATH_WITH_ACCENT, PATH_WITH_SURROGATE_PAIR, "C:\\ClusterBackup\\"],
    ids=["unc-accent-trailing-backslash", "surrogate-pair", "local-trailing-backslash"],
)
def test_backup_path_arrives_as_utf16_unchanged(bench: ClusApiBench, log: Path, path: str) -> None:
    run = backup(bench, log, None, path)
    assert run.only("BackupClusterDatabase")["path"] == path


def test_backup_uses_the_opened_handle_and_closes_it_once(bench: ClusApiBench, log: Path) -> None:
    run = backup(bench, log, None, UNC_PATH_WITH_ACCENT)
    assert run.functions() == ["OpenCluster", "BackupClusterDatabase", "CloseCluster"]
    handle = run.only("OpenCluster")["handle"]
    assert handle != 0
    assert run.only("BackupClusterDatabase")["handle"] == handle
    assert run.only("BackupClusterDatabase")["handle_open"] is True
    assert run.only("CloseCluster") == {
        "function": "CloseCluster",
        "handle": handle,
        "handle_open": True,
    }


@pytest.mark.parametrize(
    "code",
    [
        ERROR_SUCCESS,
        ERROR_CALL_NOT_IMPLEMENTED,
        ERROR_DIRECTORY,
        ERROR_ACCESS_DENIED,
        ERROR_CLUSTER_NODE_UP,
    ],
)
def test_backup_returns_the_code_unchanged_and_still_closes(
    bench: ClusApiBench, log: Path, code: int
) -> None:
    run = backup(bench, log, None, UNC_PATH_WITH_ACCENT, STUB_BACKUP_RESULT=str(code))
    assert run.code == code
    assert run.functions().count("CloseCluster") == 1


@pytest.mark.parametrize(
    "code", [ERROR_ACCESS_DENIED, RPC_S_SERVER_UNAVAILABLE, ERROR_CLUSTER_NOT_INSTALLED]
)
def test_backup_when_open_fails_returns_its_last_error_and_backs_nothing_up(
    bench: ClusApiBench, log: Path, code: int
) -> None:
    # The stub sets the last error the way Mono reads it on Linux (errno, see the stub's
    # header); several distinct codes show the value is carried, not guessed.
    run = backup(
        bench,
        log,
        "CL1",
        UNC_PATH_WITH_ACCENT,
        STUB_OPEN_FAILS=str(code),
        STUB_BACKUP_RESULT="0",
    )
    assert run.code == code
    assert run.functions() == ["OpenCluster"]
    assert run.only("OpenCluster")["handle"] == 0


# --- restore --------------------------------------------------------------------------------


@pytest.mark.parametrize(("force", "expected"), [(True, 1), (False, 0)])
def test_restore_passes_force_as_a_win32_bool(
    bench: ClusApiBench, log: Path, force: bool, expected: int
) -> None:
    run = restore(bench, log, UNC_PATH_WITH_ACCENT, force, None)
    assert run.only("RestoreClusterDatabase")["force"] == expected


@pytest.mark.parametrize("drive", [None, ""], ids=["null", "empty"])
def test_restore_without_a_drive_letter_passes_null(
    bench: ClusApiBench, log: Path, drive: str | None
) -> None:
    run = restore(bench, log, UNC_PATH_WITH_ACCENT, False, drive)
    assert run.only("RestoreClusterDatabase")["quorum_drive_letter"] is None


def test_restore_passes_the_drive_letter_and_path_unchanged(bench: ClusApiBench, log: Path) -> None:
    run = restore(bench, log, UNC_PATH_WITH_ACCENT, True, "K:")
    assert run.calls == [
        {
            "function": "RestoreClusterDatabase",
            "path": UNC_PATH_WITH_ACCENT,
            "force": 1,
            "quorum_drive_letter": "K:",
        }
    ]


@pytest.mark.parametrize(
    "code",
    [
        ERROR_SUCCESS,
        ERROR_CALL_NOT_IMPLEMENTED,
        ERROR_CLUSTER_NODE_UP,
        ERROR_QUORUM_DISK_NOT_FOUND,
        ERROR_DIRECTORY,
        ERROR_ACCESS_DENIED,
    ],
)
def test_restore_returns_the_code_unchanged(bench: ClusApiBench, log: Path, code: int) -> None:
    run = restore(bench, log, UNC_PATH_WITH_ACCENT, False, None, STUB_RESTORE_RESULT=str(code))
    assert run.code == code


def test_restore_does_not_open_the_cluster(bench: ClusApiBench, log: Path) -> None:
    # RestoreClusterDatabase takes no cluster handle (it runs on the restoring node).
    run = restore(bench, log, UNC_PATH_WITH_ACCENT, False, None)
    assert run.functions() == ["RestoreClusterDatabase"]


def test_the_stub_is_reached_through_the_dllmap_only(bench: ClusApiBench) -> None:
    # Guards the bench itself: the stub does not sit beside the assemblies, so only the
    # <dllmap> config can have led Mono to it; and it exports the four Windows names.
    assert bench.stub.parent != bench.util.parent
    assert not list(bench.util.parent.glob("*clusapi.so"))
    symbols = subprocess.run(
        ["nm", "-D", "--defined-only", str(bench.stub)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    exported = {line.split()[-1] for line in symbols.splitlines() if " T " in line}
    assert exported == {
        "OpenCluster",
        "CloseCluster",
        "BackupClusterDatabase",
        "RestoreClusterDatabase",
    }
