"""Signed manifests through the action plugins: cluster_backup signs on the controller and
sends the node only the signature; backup_set_info and cluster_restore verify it, and the
restore refuses a forged set before any node is stopped (only the inspect phase runs).
The scripted nodes are those of the plugins' own tests, keeping manifest.sig as a file."""

from __future__ import annotations

import dataclasses
import json
import typing as t

import pytest
import test_action_backup_set_info as info_tests
import test_action_cluster_backup as backup_tests
import test_action_cluster_restore as restore_tests
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._manifest import (
    MANIFEST_NAME,
    SIGNATURE_NAME,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._signing import (
    HIDDEN,
    load_signing_key,
    sign_manifest,
)
from signing_keys import new_key, pem_body

PRIVATE, PUBLIC = new_key()
OLD_PRIVATE, OLD_PUBLIC = new_key()
STRANGER_PRIVATE, _STRANGER_PUBLIC = new_key()
FINGERPRINT = load_signing_key(PRIVATE).fingerprint


class SigningNode(backup_tests.FakeNode):
    """cluster_backup's node, writing _signature as manifest.sig and listing it back."""

    def __call__(self, module_name=None, module_args=None, task_vars=None, **_):
        result = super().__call__(module_name, module_args, task_vars)
        # Ansible.Basic echoes every option it was given.
        result.setdefault("invocation", {"module_args": dict(module_args)})
        return result

    def listing(self, hash_sets: str) -> list[dict[str, t.Any]]:
        entries = super().listing(hash_sets)
        for entry in entries:
            signature = self.directories[entry["name"]].get(SIGNATURE_NAME)
            entry["signature_text"] = None if signature is None else signature.decode()
        return entries

    def _finalize(self, args: dict[str, t.Any]) -> dict[str, t.Any]:
        staged = self.directories[args["_staging_name"]]
        if args.get("_signature"):
            staged[SIGNATURE_NAME] = args["_signature"].encode("utf-8")
        return super()._finalize(args)


def leaks(text: str, private: str = PRIVATE) -> bool:
    return pem_body(private) in text or private.strip() in text


class TestBackupSigns:
    def test_the_set_is_signed_and_the_key_goes_nowhere(self) -> None:
        node = SigningNode()
        result = backup_tests.run_backup(node, {**backup_tests.SHARE, "signing_key": PRIVATE})
        assert result.get("failed") is not True, result.get("msg")
        assert result["signed_by"] == FINGERPRINT
        written = node.directories[result["set_name"]]
        signature = json.loads(written[SIGNATURE_NAME])
        assert signature["key_fingerprint"] == FINGERPRINT
        assert "_signature" in node.runs[2]["args"]
        # Never in a module's arguments, never in the task result (invocation shows it hidden).
        assert not any(leaks(json.dumps(run["args"])) for run in node.runs)
        assert not leaks(json.dumps(result))
        assert result["invocation"]["module_args"]["signing_key"] == HIDDEN

    def test_without_a_key_no_signature_is_written(self) -> None:
        node = SigningNode()
        result = backup_tests.run_backup(node, backup_tests.SHARE)
        assert SIGNATURE_NAME not in node.directories[result["set_name"]]
        assert "_signature" not in node.runs[2]["args"]
        assert "signed_by" not in result

    def test_a_key_that_does_not_parse_is_refused_before_any_module_run(self) -> None:
        node = SigningNode()
        bad = PRIVATE.replace("MC4CAQ", "MC4CAX")
        result = backup_tests.run_backup(node, {**backup_tests.SHARE, "signing_key": bad})
        assert result["failed"] is True
        assert node.runs == []
        assert "signing_key does not hold a private key" in result["msg"]
        assert not leaks(json.dumps(result), bad)

    def test_an_unsigned_up_to_date_set_does_not_stop_a_signed_one(self) -> None:
        node = SigningNode()
        first = backup_tests.run_backup(node, backup_tests.SHARE)
        node.runs.clear()
        signed = backup_tests.run_backup(node, {**backup_tests.SHARE, "signing_key": PRIVATE})
        assert signed["changed"] is True, signed.get("msg")
        assert signed["phases"] == ["inspect", "backup", "finalize"]
        assert SIGNATURE_NAME in node.directories[signed["set_name"]]
        assert signed["set_name"] != first["set_name"]
        node.runs.clear()
        again = backup_tests.run_backup(node, {**backup_tests.SHARE, "signing_key": PRIVATE})
        assert (again["changed"], again["phases"]) == (False, ["inspect"])
        assert again["signed_by"] == FINGERPRINT


class SignedSet(restore_tests.BackupSet):
    """A set with manifest.sig: signed by ``signer``; ``forge`` edits the manifest and
    recomputes its file hashes, as an attacker who can write the location would."""

    signer: str | None = PRIVATE
    forge: bool = False

    def listing(self) -> dict[str, object]:
        entry = super().listing()
        text = str(entry["manifest_text"])
        if self.signer is not None:
            entry["signature_text"] = sign_manifest(load_signing_key(self.signer), text)
        else:
            entry["signature_text"] = None
        if self.forge:
            # The same set with other data, its manifest built again: the hashes agree.
            planted = dataclasses.replace(
                self,
                contents={
                    **self.contents,
                    "WindowsImageBackup/N1/SystemState.vhdx": b"planted Generic Script resource",
                },
            )
            forged = restore_tests.BackupSet.listing(planted)
            entry.update(manifest_text=forged["manifest_text"], files=forged["files"])
        return entry


def restore(args: dict[str, t.Any], backup_set: SignedSet, **kwargs: t.Any):
    cluster = restore_tests.Cluster(backup_set=backup_set)
    return restore_tests.run_action(
        {"path": restore_tests.SET_PATH, "force": True, **args}, cluster, **kwargs
    )


class TestRestoreVerifies:
    def test_a_signed_set_is_verified_and_restored(self) -> None:
        result, node = restore({"trusted_keys": [PUBLIC]}, SignedSet())
        assert result.get("failed") is not True, result.get("msg")
        assert result["set"]["signature"]["status"] == "verified"
        assert result["set"]["signature"]["key_fingerprint"] == FINGERPRINT
        assert node.phases == ["inspect", "restore"]

    def test_a_forged_set_is_refused_before_any_node_is_stopped(self) -> None:
        forged = SignedSet()
        forged.forge = True
        result, node = restore({"trusted_keys": [PUBLIC]}, forged)
        assert result["failed"] is True
        assert node.phases == ["inspect"]
        assert result["error"]["name"] == "FORGED_SET"
        assert result["set"]["signature"]["reason"] == "bad_signature"
        assert restore_tests.SET_NAME in result["msg"] and FINGERPRINT in result["msg"]
        assert "Do not restore it" in result["msg"]

    def test_the_forged_set_verifies_by_its_hashes_alone(self) -> None:
        # Proof that the hashes were recomputed: without keys the same set restores.
        forged = SignedSet()
        forged.forge = True
        result, node = restore({}, forged)
        assert result.get("failed") is not True, result.get("msg")
        assert node.phases == ["inspect", "restore"]

    def test_a_signature_by_an_untrusted_key_is_refused(self) -> None:
        stranger = SignedSet()
        stranger.signer = STRANGER_PRIVATE
        result, node = restore({"trusted_keys": [PUBLIC]}, stranger)
        assert result["error"]["name"] == "FORGED_SET"
        assert "not among the trusted keys" in result["msg"]
        assert node.phases == ["inspect"]

    def test_an_unsigned_set_is_refused_when_required(self) -> None:
        unsigned = SignedSet()
        unsigned.signer = None
        result, node = restore({"trusted_keys": [PUBLIC], "require_signature": True}, unsigned)
        assert result["error"]["name"] == "UNSIGNED_SET"
        assert node.phases == ["inspect"]

    def test_an_unsigned_set_is_restored_with_a_warning_when_not_required(self) -> None:
        unsigned = SignedSet()
        unsigned.signer = None
        result, node = restore({"trusted_keys": [PUBLIC]}, unsigned)
        assert result.get("failed") is not True, result.get("msg")
        assert node.phases == ["inspect", "restore"]
        assert any("is not signed" in w for w in result["warnings"])

    def test_a_set_signed_by_the_previous_key_restores_after_rotation(self) -> None:
        previous = SignedSet()
        previous.signer = OLD_PRIVATE
        result, node = restore({"trusted_keys": [PUBLIC, OLD_PUBLIC]}, previous)
        assert result.get("failed") is not True, result.get("msg")
        assert result["set"]["signature"]["status"] == "verified"
        assert node.phases == ["inspect", "restore"]

    @pytest.mark.parametrize(
        "args",
        [
            {"trusted_keys": ["not a key"]},
            {"trusted_keys": [PRIVATE]},
            {"require_signature": True},
        ],
    )
    def test_bad_keys_are_refused_before_any_module_run(self, args: dict[str, t.Any]) -> None:
        result, node = restore(args, SignedSet())
        assert result["failed"] is True
        assert node.runs == []
        assert not leaks(json.dumps(result))


class SignedInfoNode(info_tests.FakeNode):
    def __call__(self, module_name=None, module_args=None, task_vars=None, **_):
        result = super().__call__(module_name, module_args, task_vars)
        for entry in result.get("sets") or []:
            signature = self.directories[entry["name"]].get(SIGNATURE_NAME)
            entry["signature_text"] = None if signature is None else signature.decode()
            if entry["files"] is not None:
                entry["files"] = [f for f in entry["files"] if f["path"] != SIGNATURE_NAME]
        return result


class TestBackupSetInfo:
    def test_forged_and_unsigned_sets_are_rejected_with_the_fingerprint(self) -> None:
        node = SignedInfoNode()
        good = node.write_set(info_tests.SET_41)
        good[SIGNATURE_NAME] = sign_manifest(
            load_signing_key(PRIVATE), good[MANIFEST_NAME].decode()
        ).encode()
        forged = node.write_set(info_tests.SET_42, paxos="2:2:42")
        forged[SIGNATURE_NAME] = good[SIGNATURE_NAME]
        node.write_set(info_tests.SET_43, paxos="2:2:43")
        result = info_tests.run_info(
            node, {**info_tests.PATH, "trusted_keys": [PUBLIC], "require_signature": True}
        )
        assert result.get("failed") is not True, result.get("msg")
        assert [s["name"] for s in result["sets"]] == [info_tests.SET_41]
        assert result["sets"][0]["signature"]["status"] == "verified"
        assert result["newest_complete"]["name"] == info_tests.SET_41
        rejected = {r["name"]: r for r in result["rejected"]}
        assert rejected[info_tests.SET_42]["reason"] == "forged"
        assert FINGERPRINT in rejected[info_tests.SET_42]["message"]
        assert rejected[info_tests.SET_43]["reason"] == "unsigned"

    def test_without_keys_the_sets_are_reported_as_before(self) -> None:
        node = SignedInfoNode()
        node.write_set(info_tests.SET_41)
        result = info_tests.run_info(node, info_tests.PATH)
        assert result["rejected"] == []
        assert result["sets"][0]["signature"]["status"] == "unsigned"
