"""The lab's emulation of wsfc.clusterdb.backup_set_info and the shared set listing
(emulation/modules/_wsfc_backup_set.py), against the module's documentation."""

import hashlib
from pathlib import Path

import pytest
import yaml
from wsfc_lab.emulation import lookup
from wsfc_lab.emulation.framework.invocation import invoke
from wsfc_lab.spec import load_spec
from wsfc_lab.world import World, acl, faults

ROOT = Path(__file__).resolve().parents[3]
THREE_NODE = ROOT / "tests" / "lab" / "examples" / "three-node.yml"
MODULE_DOC = ROOT / "plugins" / "modules" / "backup_set_info.py"
BASE = "\\\\FS01\\clusterbackups"


@pytest.fixture
def world(tmp_path):
    world = World.create(tmp_path / "lab", load_spec(THREE_NODE))
    root = world.resolve_path("FS01", "C:\\Shares\\clusterbackups")
    complete = root / "20261122T020304Z_clusterdb_e1s1"
    (complete / "sub").mkdir(parents=True)
    (complete / "sub" / "b.bin").write_bytes(b"bb")
    (complete / "a.bin").write_bytes(b"a")
    (complete / "manifest.json").write_bytes(b'\xef\xbb\xbf{"m": 1}')  # with a BOM
    (complete / "backup.complete").write_bytes(b"")
    (root / "unfinished_20261123T000000Z_clusterdb_e1s2").mkdir()
    (root / "Zeta").mkdir()
    (root / "loose.txt").write_text("a file, not a set")
    return world


def run(world, node="NODE1", **arguments):
    outcome = invoke(lookup("wsfc.clusterdb.backup_set_info"), arguments, world=world, node=node)
    return outcome.result


def documented_module_keys():
    namespace: dict = {}
    exec(compile(MODULE_DOC.read_text(), str(MODULE_DOC), "exec"), namespace)
    doc = yaml.safe_load(namespace["RETURN"])
    return {k for k, v in doc.items() if "Raw result of the module" in str(v["description"])}


def test_returns_the_documented_raw_keys(world):
    result = run(world, path=BASE)
    assert set(result) - {"changed", "invocation"} == documented_module_keys() - {"error_code"}
    assert result["changed"] is False and result["node_name"] == "NODE1"
    assert result["path_info"] == {"exists": True, "is_directory": True}


def test_every_directory_is_listed_in_ordinal_order_and_hashed(world):
    sets = run(world, path=BASE)["sets"]
    # Ordinal: upper case before lower case, digits before letters.
    assert [s["name"] for s in sets] == [
        "20261122T020304Z_clusterdb_e1s1", "Zeta", "unfinished_20261123T000000Z_clusterdb_e1s2",
    ]  # fmt: skip
    complete = sets[0]
    assert complete["marker_present"] is True
    assert complete["manifest_text"] == '{"m": 1}'
    assert [f["path"] for f in complete["files"]] == [
        "a.bin", "backup.complete", "manifest.json", "sub\\b.bin",
    ]  # fmt: skip
    b_file = complete["files"][-1]
    assert b_file["size"] == 2 and b_file["sha256"] == hashlib.sha256(b"bb").hexdigest()
    assert sets[2] == {"name": sets[2]["name"], "marker_present": False, "manifest_text": None,
                       "signature_text": None, "files": []}  # fmt: skip


def test_verify_false_hashes_nothing(world):
    sets = run(world, path=BASE, verify=False, cluster_name="ignored")["sets"]
    assert all(s["files"] is None for s in sets)


def test_a_missing_path_lists_nothing_and_a_file_is_not_a_directory(world):
    assert run(world, path=BASE + "\\nothing")["sets"] == []
    assert run(world, path="\\\\FS01\\nosuchshare")["path_info"]["exists"] is False
    file_result = run(world, path=BASE + "\\loose.txt")
    assert file_result["path_info"] == {"exists": True, "is_directory": False}
    assert file_result["sets"] == []


def test_a_corrupted_file_shows_a_different_hash(world):
    before = run(world, path=BASE)["sets"][0]["files"]
    with world.transaction() as state:
        faults.corrupt(
            state, "FS01", "C:\\Shares\\clusterbackups\\20261122T020304Z_clusterdb_e1s1\\a.bin"
        )
    after = run(world, path=BASE)["sets"][0]["files"]
    changed = [b["path"] for b, a in zip(before, after, strict=True) if b["sha256"] != a["sha256"]]
    assert changed == ["a.bin"]


def test_access_denied_fails_with_5(world):
    with world.transaction() as state:
        acl.set_acl(state, "FS01", "C:\\Shares\\clusterbackups",
                    [{"principal": "Everyone", "access": "read", "type": "deny"}])  # fmt: skip
    result = run(world, path=BASE)
    assert result["failed"] and result["error_code"] == 5
    assert "Failed to list the backup sets" in result["msg"]


def test_a_fault_on_hashing_fails_with_its_code(world):
    with world.transaction() as state:
        faults.add_failure(state, "NODE1", "Get-FileHash", 32, count=1)
    result = run(world, path=BASE)
    assert result["failed"] and result["error_code"] == 32
    assert not run(world, path=BASE).get("failed")


def test_check_mode_lists_the_same(world):
    normal = run(world, path=BASE)
    checked = run(world, path=BASE, _ansible_check_mode=True)
    assert checked["sets"] == normal["sets"]


def test_the_signature_beside_the_manifest_is_listed_as_text(world):
    root = world.resolve_path("FS01", "C:\\Shares\\clusterbackups")
    (root / "20261122T020304Z_clusterdb_e1s1" / "manifest.sig").write_bytes(b'{"s": 1}\n')
    sets = run(world, path=BASE, verify=False)["sets"]
    assert sets[0]["signature_text"] == '{"s": 1}\n'
    assert sets[1]["signature_text"] is None
