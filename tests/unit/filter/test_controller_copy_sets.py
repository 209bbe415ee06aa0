"""The controller copy, encrypted and opened for a restore (plugin_utils._controller_sets,
_controller_restore), and the role options of a restore from it (_role_options). Beside
test_backup_filters, whose set writer it uses."""

from __future__ import annotations

import base64
import os
import shutil
from pathlib import Path

import pytest
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils import _controller_crypto as crypto
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._controller_restore import (
    STAGING_PREFIX,
    open_copy,
    seal,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._controller_sets import (
    ENCRYPTED,
    controller_backup_sets,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._refusal import PolicyRefusal
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._role_options import (
    check_role_options,
    load_role_spec,
)
from test_backup_filters import _write_set

OLD = "20261121T020304Z_clusterdb_e1s7"
NEW = "20261122T020304Z_clusterdb_e1s8"
KEY = os.urandom(32)


@pytest.fixture
def sealed(tmp_path: Path) -> Path:
    """The cluster's folder of an encrypted controller copy with two sets."""
    plain, folder = tmp_path / "plain", tmp_path / "controller" / "CLU01"
    for name in (OLD, NEW):
        seal(KEY, str(_write_set(plain, name)), str(folder), name)
    shutil.rmtree(plain)
    return folder


def flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-3] ^= 0x01
    path.write_bytes(bytes(data))


class TestLookup:
    def test_an_encrypted_copy_verifies_with_the_key(self, sealed: Path) -> None:
        report = controller_backup_sets(str(sealed), "CLU01", encryption_key=KEY)
        assert {
            (s["name"], s["status"], s["verified"], s["encrypted"]) for s in report["sets"]
        } == {
            (OLD, "complete", True, True),
            (NEW, "complete", True, True),
        }
        assert report["newest_complete"]["name"] == NEW
        assert report["encrypted_without_key"] == []

    def test_without_the_key_the_copy_is_said_encrypted(self, sealed: Path) -> None:
        report = controller_backup_sets(str(sealed))
        assert {s["status"] for s in report["sets"]} == {ENCRYPTED}
        assert report["newest_complete"] is None
        assert report["encrypted_without_key"] == [OLD, NEW]
        assert "no encryption key was given" in report["sets"][0]["message"]

    def test_a_flipped_byte_makes_the_set_corrupt(self, sealed: Path) -> None:
        flip(sealed / NEW / "sub" / "00000001.CPT.aesgcm")
        report = controller_backup_sets(str(sealed), encryption_key=KEY)
        bad = next(s for s in report["sets"] if s["name"] == NEW)
        assert (bad["status"], bad["verified"]) == ("corrupt", False)
        assert "sub\\00000001.CPT does not decrypt" in bad["message"]
        assert report["newest_complete"]["name"] == OLD

    def test_files_swapped_between_sets_do_not_verify(self, sealed: Path) -> None:
        shutil.copy(sealed / OLD / "chk0001.tmp.aesgcm", sealed / NEW / "chk0001.tmp.aesgcm")
        report = controller_backup_sets(str(sealed), encryption_key=KEY)
        assert next(s for s in report["sets"] if s["name"] == NEW)["status"] == "corrupt"


class TestOpen:
    def test_the_newest_set_is_decrypted_and_verified(self, sealed: Path, tmp_path: Path) -> None:
        opened = open_copy(
            str(sealed), "CLU01", key=KEY, staging_path="C:\\Stage", work_dir=str(tmp_path)
        )
        assert opened["set"]["name"] == NEW and opened["set"]["encrypted"] is True
        source = Path(opened["source"])
        assert (source / "sub" / "00000001.CPT").read_bytes() == b"checkpoint"
        assert source.parent == Path(opened["plain_copy"])
        assert Path(opened["plain_copy"]).stat().st_mode & 0o077 == 0
        assert opened["staging_folder"].startswith("C:\\Stage\\" + STAGING_PREFIX)
        assert opened["staging_set_path"] == opened["staging_folder"] + "\\CLU01\\" + NEW

    def test_each_run_has_a_staging_folder_of_its_own(self, sealed: Path, tmp_path: Path) -> None:
        folders = {
            open_copy(str(sealed), "CLU01", key=KEY, staging_path="C:\\S", work_dir=str(tmp_path))[
                "staging_folder"
            ]
            for _run in range(3)
        }
        assert len(folders) == 3

    def test_a_named_set_with_a_flipped_byte_is_refused_and_nothing_is_left(
        self, sealed: Path, tmp_path: Path
    ) -> None:
        flip(sealed / OLD / "chk0001.tmp.aesgcm")
        work = tmp_path / "work"
        work.mkdir()
        with pytest.raises(PolicyRefusal) as refused:
            open_copy(
                str(sealed),
                "CLU01",
                set_name=OLD,
                key=KEY,
                staging_path="C:\\S",
                work_dir=str(work),
            )
        assert OLD in str(refused.value) and "does not decrypt" in str(refused.value)
        assert "Nothing was sent to any node" in str(refused.value)
        assert list(work.iterdir()) == []

    def test_the_wrong_key_is_refused(self, sealed: Path) -> None:
        with pytest.raises(PolicyRefusal, match="no complete, verified set"):
            open_copy(str(sealed), "CLU01", key=os.urandom(32), staging_path="C:\\S")

    def test_an_encrypted_copy_without_a_key_is_refused(self, sealed: Path) -> None:
        with pytest.raises(PolicyRefusal, match="restore_controller_encryption_key"):
            open_copy(str(sealed), "CLU01", staging_path="C:\\S")

    def test_a_plain_copy_is_sent_as_it_is(self, tmp_path: Path) -> None:
        folder = tmp_path / "CLU01"
        _write_set(folder, OLD)
        opened = open_copy(str(folder), "CLU01", staging_path="\\\\fs02\\stage")
        assert opened["plain_copy"] is None and opened["source"] == str(folder / OLD)
        assert opened["set"]["encrypted"] is False
        assert opened["staging_folder"].startswith("\\\\fs02\\stage\\" + STAGING_PREFIX)


def refusals(**values: object) -> list[str]:
    return [r.text for r in check_role_options(load_role_spec("restore"), values)]


class TestRoleOptions:
    def test_a_complete_restore_from_the_controller_copy_is_accepted(self, tmp_path: Path) -> None:
        assert (
            refusals(
                restore_backup_path="",
                restore_controller_dir=str(tmp_path),
                restore_controller_encryption_key=base64.b64encode(KEY).decode(),
                restore_staging_path="C:\\Stage",
                restore_loopback_target=True,
                restore_safety_backup_path="C:\\Safety",
            )
            == []
        )

    def test_a_bad_key_is_refused_without_quoting_it(self, tmp_path: Path) -> None:
        bad = base64.b64encode(b"x" * 31).decode()
        found = refusals(
            restore_controller_dir=str(tmp_path),
            restore_controller_encryption_key=bad,
            restore_staging_path="\\\\fs02\\stage",
            restore_safety_backup=False,
        )
        assert len(found) == 1 and "31 bytes" in found[0] and bad not in found[0]

    def test_a_local_staging_folder_needs_the_loopback_opt_in(self, tmp_path: Path) -> None:
        found = refusals(
            restore_controller_dir=str(tmp_path),
            restore_staging_path="C:\\Stage",
            restore_safety_backup_path="C:\\Safety",
        )
        assert len(found) == 1 and "restore_loopback_target: true" in found[0]

    def test_the_staging_path_and_the_safety_backup_path_are_needed(self, tmp_path: Path) -> None:
        found = " ".join(refusals(restore_controller_dir=str(tmp_path), restore_staging_path=""))
        assert "restore_staging_path is empty" in found
        assert "restore_safety_backup_path" in found

    def test_both_locations_are_refused(self, tmp_path: Path) -> None:
        found = refusals(
            restore_backup_path="\\\\fs01\\b",
            restore_controller_dir=str(tmp_path),
            restore_staging_path="\\\\fs02\\stage",
            restore_safety_backup=False,
        )
        assert len(found) == 1 and "both given" in found[0]

    def test_no_location_at_all_is_refused_as_before(self) -> None:
        (found,) = refusals(restore_backup_path="")
        assert "restore_backup_path is empty: restore_backup_path is required." in found

    def test_a_key_without_a_folder_is_refused(self) -> None:
        found = refusals(
            restore_backup_path="\\\\fs01\\b",
            restore_controller_encryption_key=base64.b64encode(KEY).decode(),
        )
        assert len(found) == 1 and "no controller copy to decrypt" in found[0]


def test_the_sealed_files_are_the_owners_only(sealed: Path) -> None:
    for path in sealed.rglob("*"):
        assert path.stat().st_mode & 0o077 == 0, path
    assert crypto.is_encrypted_set(sealed / NEW)
