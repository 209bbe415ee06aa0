"""The lab's emulation of wsfc.clusterdb.cluster_backup, phase by phase, against its
documentation (plugins/modules/cluster_backup.py) and the world."""

import json
import re
from pathlib import Path

import pytest
import yaml
from wsfc_lab.emulation import lookup
from wsfc_lab.emulation.framework.invocation import invoke
from wsfc_lab.spec import load_spec, parse_spec
from wsfc_lab.world import World, acl, faults

ROOT = Path(__file__).resolve().parents[3]
THREE_NODE = ROOT / "tests" / "lab" / "examples" / "three-node.yml"
LEGACY = ROOT / "tests" / "lab" / "examples" / "legacy-2003.yml"
MODULE_DOC = ROOT / "plugins" / "modules" / "cluster_backup.py"
COMMON = {"changed", "invocation", "warnings", "failed", "msg", "error_code"}


def documented():
    namespace: dict = {}
    exec(compile(MODULE_DOC.read_text(), str(MODULE_DOC), "exec"), namespace)
    return yaml.safe_load(namespace["RETURN"])


def keys_documented_for(phase):
    """The raw result keys RETURN documents for the phase (phase_results.<phase>)."""
    return set(documented()["phase_results"]["contains"][phase]["contains"])


@pytest.fixture
def world(tmp_path):
    return World.create(tmp_path / "lab", load_spec(THREE_NODE))


@pytest.fixture
def legacy(tmp_path):
    return World.create(tmp_path / "legacy", load_spec(LEGACY))


def run(world, node="NODE1", check=False, **arguments):
    if check:
        arguments["_ansible_check_mode"] = True
    outcome = invoke(lookup("wsfc.clusterdb.cluster_backup"), arguments, world=world, node=node)
    return outcome.result


def vss_backup(world, path="C:\\Backups", staging="unfinished_s", node="NODE1", **extra):
    target = "\\\\" + node + "\\C$\\" + path[3:] + "\\" + staging
    return run(world, node=node, path=path, _phase="backup", route="vss",
               _staging_name=staging, _wbadmin_target=target, **extra)  # fmt: skip


@pytest.mark.parametrize("phase", ["inspect", "backup", "finalize"])
def test_each_phase_returns_the_keys_documented_for_it(world, phase):
    vss_backup(world, staging="unfinished_before")
    arguments = {"path": "C:\\Backups", "_phase": phase}
    if phase == "backup":
        result = vss_backup(world)
    else:
        if phase == "finalize":
            arguments.update(_staging_name="unfinished_before", _set_name="s1", _manifest="{}")
        result = run(world, **arguments)
    assert not result.get("failed"), result
    assert set(result) - COMMON == keys_documented_for(phase) - {"error_code", "condition"}


def test_inspect_reports_the_node_the_cluster_and_the_sets(world):
    vss_backup(world, staging="unfinished_a")
    run(world, path="C:\\Backups", _phase="finalize", _staging_name="unfinished_a",
        _set_name="20261122T020304Z_clusterdb_e1s1", _manifest='{"x": 1}')  # fmt: skip
    result = run(world, node="NODE2", path="C:\\Backups")
    assert result["path_info"] == {"exists": False, "is_directory": False}  # NODE2's C:
    result = run(world, path="C:\\Backups")
    assert result["node_name"] == "NODE1" and result["cluster"]["name"] == "CLU01"
    assert result["core_group_owner"] == "NODE1" and result["cluster_error"] is None
    assert result["configuration_version"]["source"] == "cluster"
    (entry,) = result["sets"]
    assert entry["marker_present"] and entry["manifest_text"] == '{"x": 1}'
    assert [f["path"] for f in entry["files"]][-2:] == ["backup.complete", "manifest.json"]
    assert all(re.fullmatch(r"[0-9a-f]{64}", f["sha256"]) for f in entry["files"])


def test_inspect_without_quorum_reports_cluster_error(world):
    with world.transaction() as state:
        for node in ("NODE2", "NODE3"):
            state.cluster.stop_service(node, check_quorum=False)
        state.witness["online"] = False
        state.cluster.reconcile()
    result = run(world, path="C:\\Backups")
    assert result["cluster"] is None and result["nodes"] == []
    assert result["cluster_error"]["code"] is None and result["cluster_error"]["message"]


def test_inspect_with_a_stopped_service_has_no_paxos_tag(world):
    with world.transaction() as state:
        state.cluster.stop_service("NODE3")
    result = run(world, node="NODE3", path="C:\\Backups")
    assert result["configuration_version"] == {"paxos_tag": None, "source": "none"}


def test_a_vss_backup_lists_what_wbadmin_wrote(world):
    result = vss_backup(world)
    assert result["changed"] is True and result["route_exit_code"] == 0
    assert result["route_command"][1:3] == ["start", "systemstatebackup"]
    assert result["paxos_tag"] == result["paxos_tag_before"]
    paths = [f["path"] for f in result["files"]]
    assert (
        paths == sorted(paths)
        and paths[-1] == "WindowsImageBackup\\NODE1\\Catalog\\BackupGlobalCatalog"
    )
    real = world.resolve_path("NODE1", result["staging_path"])
    assert {f["size"] for f in result["files"]} == {
        (real / f["path"].replace("\\", "/")).stat().st_size for f in result["files"]
    }


def test_check_mode_creates_nothing(world):
    backup = vss_backup(world, check=True)
    assert backup["changed"] is True and backup["route_exit_code"] is None
    finalize = run(world, check=True, path="C:\\Backups", _phase="finalize",
                   _staging_name="unfinished_s", _set_name="s", _manifest="{}")  # fmt: skip
    assert finalize["changed"] is True
    assert not world.resolve_path("NODE1", "C:\\Backups").exists()


def test_an_existing_staging_directory_is_never_reused(world):
    vss_backup(world)
    again = vss_backup(world)
    assert again["failed"] and again["error_code"] == 183


def test_a_path_that_names_a_file_fails_before_anything_is_written(world):
    world.resolve_path("NODE1", "C:\\f").write_text("x")
    result = vss_backup(world, path="C:\\f")
    assert result["failed"] and result["error_code"] == 267
    assert result["changed"] is False
    assert world.resolve_path("NODE1", "C:\\f").read_text() == "x"


def test_without_wbadmin_the_condition_is_reported(tmp_path):
    spec = yaml.safe_load(THREE_NODE.read_text())
    spec["nodes"][0]["windows_server_backup"] = False
    world = World.create(tmp_path / "lab", parse_spec(spec))
    result = vss_backup(world)
    assert result["failed"] and result["condition"] == "windows_server_backup_missing"


def test_clusapi_on_2022_answers_120_and_writes_nothing(world):
    result = run(world, path="C:\\Backups", _phase="backup", route="clusapi",
                 _staging_name="unfinished_c")  # fmt: skip
    assert result["route_exit_code"] == 120
    assert result["files"] == []


def test_clusapi_on_2003_writes_the_file_set(legacy):
    result = run(legacy, node="OLD1", path="C:\\Backups", _phase="backup", route="clusapi",
                 _staging_name="unfinished_c")  # fmt: skip
    assert result["route_exit_code"] == 0 and result["route_output"] == ""
    names = [f["path"] for f in result["files"]]
    assert "Clusbackup.dat" in names and "quolog.log" in names
    assert any(re.fullmatch(r"chk[0-9A-F]{4}\.tmp", n) for n in names)


def test_clusapi_writes_where_the_quorum_owner_sees_the_path(legacy):
    # OLD1 owns the core group (a node majority cluster): a local path given on OLD2 names
    # a directory on OLD1, which does not exist there.
    result = run(legacy, node="OLD2", path="C:\\Backups", _phase="backup", route="clusapi",
                 _staging_name="unfinished_c")  # fmt: skip
    assert result["route_exit_code"] == 3 and result["files"] == []


def test_an_injected_fault_on_the_legacy_call_is_its_code(legacy):
    with legacy.transaction() as state:
        faults.add_failure(state, "OLD1", "BackupClusterDatabase", 1722, count=1)
    result = run(legacy, node="OLD1", path="C:\\Backups", _phase="backup", route="clusapi",
                 _staging_name="unfinished_c")  # fmt: skip
    assert result["route_exit_code"] == 1722


def test_finalize_writes_manifest_then_marker_then_renames(world):
    vss_backup(world)
    manifest = json.dumps({"cluster": "CLU01", "name": "Ünïcode"}, ensure_ascii=False)
    result = run(world, path="C:\\Backups", _phase="finalize", _staging_name="unfinished_s",
                 _set_name="s1", _manifest=manifest)  # fmt: skip
    assert result["set_path"] == "C:\\Backups\\s1"
    done = world.resolve_path("NODE1", "C:\\Backups\\s1")
    assert (done / "manifest.json").read_bytes() == manifest.encode("utf-8")  # no BOM
    assert (done / "backup.complete").read_bytes() == b""
    assert not world.resolve_path("NODE1", "C:\\Backups\\unfinished_s").exists()


def test_finalize_writes_the_signature_after_the_manifest_and_before_the_marker(world):
    vss_backup(world)
    with world.transaction() as state:
        # Room for the manifest, not for the signature too.
        faults.add_disk_full(state, "NODE1", "C:\\Backups", 40)
    signature = '{"signature": "' + "A" * 60 + '"}'
    result = run(world, path="C:\\Backups", _phase="finalize", _staging_name="unfinished_s",
                 _set_name="s1", _manifest="{}", _signature=signature)  # fmt: skip
    assert result["failed"] and result["error_code"] == 112
    staging = world.resolve_path("NODE1", "C:\\Backups\\unfinished_s")
    assert (staging / "manifest.json").read_bytes() == b"{}"
    assert not (staging / "backup.complete").exists()


def test_finalize_with_a_signature_writes_it_beside_the_manifest(world):
    vss_backup(world)
    run(world, path="C:\\Backups", _phase="finalize", _staging_name="unfinished_s",
        _set_name="s1", _manifest="{}", _signature='{"s": 1}\n')  # fmt: skip
    done = world.resolve_path("NODE1", "C:\\Backups\\s1")
    assert (done / "manifest.sig").read_bytes() == b'{"s": 1}\n'
    assert (done / "backup.complete").exists()


def test_finalize_on_a_full_disk_leaves_no_marker(world):
    vss_backup(world)
    with world.transaction() as state:
        faults.add_disk_full(state, "NODE1", "C:\\Backups", 10)
    result = run(world, path="C:\\Backups", _phase="finalize", _staging_name="unfinished_s",
                 _set_name="s1", _manifest="{" + " " * 100 + "}")  # fmt: skip
    assert result["failed"] and result["error_code"] == 112
    staging = world.resolve_path("NODE1", "C:\\Backups\\unfinished_s")
    assert staging.is_dir() and not (staging / "backup.complete").exists()


def test_finalize_refuses_a_missing_staging_or_an_existing_set(world):
    missing = run(world, path="C:\\Backups", _phase="finalize", _staging_name="unfinished_x",
                  _set_name="s1", _manifest="{}")  # fmt: skip
    assert missing["error_code"] == 3
    vss_backup(world)
    world.resolve_path("NODE1", "C:\\Backups\\s1").mkdir()
    taken = run(world, path="C:\\Backups", _phase="finalize", _staging_name="unfinished_s",
                _set_name="s1", _manifest="{}")  # fmt: skip
    assert taken["error_code"] == 183


def test_required_options_per_phase(world):
    result = run(world, path="C:\\Backups", _phase="backup", route="vss")
    assert result["failed"] and "_staging_name" in result["msg"]
    auto = run(world, path="C:\\Backups", _phase="backup", _staging_name="x")
    assert auto["failed"] and "auto" in auto["msg"]


def test_inspect_names_the_sets_in_each_folder_of_copies(world):
    # On FS01's share: one folder with a set and the leftovers retention meets, one folder
    # the account may not list, one file; and a folder that does not exist.
    base = world.resolve_path("FS01", "C:\\Shares\\clusterbackups")
    good = base / "copy1"
    for name, files in {
        "20261122T020304Z_clusterdb_e1s1": ["backup.complete", "manifest.json"],
        "unfinished_20261123T020304Z_clusterdb_e1s2": ["manifest.json"],  # no marker
        "20261121T020304Z_clusterdb_e1s0": ["backup.complete"],  # no manifest
    }.items():
        (good / name).mkdir(parents=True)
        for file in files:
            (good / name / file).write_text("{}" if file == "manifest.json" else "")
    (base / "locked").mkdir()
    (base / "notes.txt").write_text("x")
    with world.transaction() as state:
        acl.set_acl(state, "FS01", "C:\\Shares\\clusterbackups\\locked",
                    [{"principal": "Everyone", "access": "read", "type": "deny"}])  # fmt: skip
    share = "\\\\FS01\\clusterbackups"
    folders = [f"{share}\\copy1", f"{share}\\locked", f"{share}\\notes.txt", f"{share}\\none"]
    result = run(world, path="C:\\Backups", copies=folders, check=True)
    assert not result.get("failed"), result
    good_entry, locked, file, missing = result["copies"]
    assert good_entry == {"path": folders[0], "exists": True, "is_directory": True,
                          "sets": ["20261122T020304Z_clusterdb_e1s1"], "error_code": None,
                          "message": None}  # fmt: skip
    assert locked["exists"] and locked["sets"] is None and locked["error_code"] == 5
    assert locked["message"]
    assert file == {"path": folders[2], "exists": True, "is_directory": False, "sets": None,
                    "error_code": None, "message": None}  # fmt: skip
    assert missing == {"path": folders[3], "exists": False, "is_directory": False,
                       "sets": None, "error_code": None, "message": None}  # fmt: skip
    # Read only: nothing was created or changed.
    assert sorted(p.name for p in good.iterdir()) == [
        "20261121T020304Z_clusterdb_e1s0",
        "20261122T020304Z_clusterdb_e1s1",
        "unfinished_20261123T020304Z_clusterdb_e1s2",
    ]


def test_inspect_without_copies_lists_none(world):
    assert run(world, path="C:\\Backups")["copies"] == []
