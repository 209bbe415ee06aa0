"""Signed manifests on the lab: the backup role signs each set on the controller, the
signature travels with the set, backup_set_info and the restore role verify it; a forged,
a foreign-signed and an unsigned set are refused before any node stops; a set signed by
the previous key restores after a rotation; and no key appears in a run at -vvvv.

One lab for the module; each test writes its sets into a folder of its own."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from backup_runs import role_play
from labs import example, running_lab
from playbook import AnsibleRun, run_playbook
from restore_scenarios import (
    REPORT_TASK,
    change_configuration,
    changing_runs,
    executions,
    nodes,
    result_of,
    write_play,
)
from signing_keys import new_key, pem_body
from wsfc_lab.lab import Lab

OLD_PRIVATE, OLD_PUBLIC = new_key()
NEW_PRIVATE, NEW_PUBLIC = new_key()
STRANGER_PRIVATE, _STRANGER_PUBLIC = new_key()
SECRETS = (OLD_PRIVATE, NEW_PRIVATE)
VERBOSE = {"ANSIBLE_VERBOSITY": "4"}
REFUSAL_TASK = "Stop here when the restore is refused (no node was changed)"


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    root = tmp_path_factory.mktemp("signed")
    with running_lab(example("three-node"), root / "lab") as started:
        yield started


def assert_no_key_in(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret.strip() not in text
            assert pem_body(secret) not in text
            # The body as PEM wraps it, line by line: no line of it either.
            for line in secret.splitlines()[1:-1]:
                assert line not in text


def records_text(run: AnsibleRun) -> str:
    return json.dumps([r.result for r in run.records])


def fingerprint(public: str) -> str:
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_public_key(public.encode())
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def restore_role(lab: Lab, tmp_path: Path, location: str, **options: Any) -> AnsibleRun:
    role_vars = {
        "restore_backup_path": location,
        "restore_force": True,
        "restore_consent": True,
        "restore_node": "NODE1",
        "restore_wait_delay": 1,
        **options,
    }
    play = write_play(tmp_path, "restore", "all", [])
    document = [{"name": "Restore", "hosts": "all", "gather_facts": False,
                 "roles": [{"role": "wsfc.clusterdb.restore", "vars": role_vars}]}]  # fmt: skip
    play.write_text(json.dumps(document), encoding="utf-8")
    return run_playbook(play, lab.inventory_path, env=VERBOSE)


def module_task(lab: Lab, tmp_path: Path, name: str, module: str, args: dict, **task: Any):
    play = write_play(tmp_path, name, "NODE1", [{"name": name, module: args, **task}])
    run = run_playbook(play, lab.inventory_path)
    return run, run.result_of(name, "NODE1")


def written_set(run: AnsibleRun) -> dict[str, Any]:
    """The result of the backup role's cluster_backup that wrote a set."""
    (result,) = [
        r.result
        for r in run.records
        if r.action == "wsfc.clusterdb.cluster_backup"
        and r.result.get("phases", [""])[-1:] == ["finalize"]
    ]
    return result


def set_folder(lab: Lab, set_path: str) -> Path:
    return lab.world.resolve_path("NODE1", set_path)


def test_signed_sets_verify_and_the_previous_key_restores_after_rotation(
    lab: Lab, tmp_path: Path
) -> None:
    location = "\\\\FS01\\clusterbackups\\rotation"
    controller = tmp_path / "controller"
    # The old key signs a set; the configuration changes; the new key signs the next one.
    first = run_playbook(
        role_play(tmp_path, backup_path=location, backup_signing_key=OLD_PRIVATE,
                  backup_controller_dir=str(controller)),
        lab.inventory_path, env=VERBOSE,
    )  # fmt: skip
    assert first.rc == 0, first.output
    old_set = written_set(first)
    change_configuration(lab, "10.0.0.77")
    second = run_playbook(
        role_play(tmp_path, backup_path=location, backup_signing_key=NEW_PRIVATE),
        lab.inventory_path,
        env=VERBOSE,
    )
    assert second.rc == 0, second.output
    assert old_set["signed_by"] == fingerprint(OLD_PUBLIC)
    old_folder = set_folder(lab, old_set["set_path"])
    assert (old_folder / "manifest.sig").is_file()
    # The controller copy carries the signature too.
    assert (controller / "CLU01" / old_set["set_name"] / "manifest.sig").is_file()

    _run, listing = module_task(
        lab, tmp_path, "List", "wsfc.clusterdb.backup_set_info",
        {"path": location + "\\CLU01", "trusted_keys": [NEW_PUBLIC, OLD_PUBLIC],
         "require_signature": True},
    )  # fmt: skip
    verdicts = {s["name"]: s["signature"] for s in listing["sets"]}
    assert verdicts[old_set["set_name"]]["status"] == "verified"
    assert verdicts[old_set["set_name"]]["key_fingerprint"] == fingerprint(OLD_PUBLIC)
    assert listing["rejected"] == []
    assert len(verdicts) == 2

    # After the rotation the new key signs, and the set the old key signed still restores.
    restored = restore_role(
        lab, tmp_path, location,
        restore_set=old_set["set_name"],
        restore_trusted_keys=[NEW_PUBLIC, OLD_PUBLIC],
        restore_require_signature=True,
        restore_signing_key=NEW_PRIVATE,
    )  # fmt: skip
    assert restored.rc == 0, restored.output
    lines = restored.of(REPORT_TASK, "NODE1").result["msg"]
    assert f"Signature: verified, signed by trusted key {fingerprint(OLD_PUBLIC)}." in lines
    assert {state[:2] for state in nodes(lab).values()} == {("running", "Up")}

    # No key in any output at -vvvv, in any task result, nor in the controller copy.
    copied = "".join(p.read_text(errors="replace") for p in controller.rglob("*") if p.is_file())
    assert_no_key_in(
        first.output, second.output, restored.output,
        records_text(first), records_text(second), records_text(restored), copied,
    )  # fmt: skip
    assert "ESTABLISH WINRM CONNECTION" in first.output  # the runs were at -vvvv


def forge(folder: Path) -> None:
    """What an attacker who can write to the location does: plant other data, and write
    the manifest again with its sizes and hashes recomputed (the signature left as is)."""
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    entry = manifest["files"][0]
    data_file = folder / Path(*entry["path"].split("/"))
    planted = data_file.read_bytes() + b"planted Generic Script resource"
    data_file.write_bytes(planted)
    entry.update(size=len(planted), sha256=hashlib.sha256(planted).hexdigest())
    text = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    manifest_path.write_text(text, encoding="utf-8")


def test_forged_foreign_and_unsigned_sets_are_refused_before_any_node_stops(
    lab: Lab, tmp_path: Path
) -> None:
    location = "\\\\FS01\\clusterbackups\\refusals"
    made = {}
    for name, key in (("unsigned", None), ("stranger", STRANGER_PRIVATE), ("forged", NEW_PRIVATE)):
        change_configuration(lab, f"10.0.1.{len(made) + 1}")
        args = {"path": location} | ({"signing_key": key} if key else {})
        run, result = module_task(lab, tmp_path, "Back up", "wsfc.clusterdb.cluster_backup", args)
        assert run.rc == 0, run.output
        made[name] = result
    forge(set_folder(lab, made["forged"]["set_path"]))
    trusted = {"restore_trusted_keys": [NEW_PUBLIC]}

    # The attacker's manifest matches its files: only the signature gives it away.
    _run, unchecked = module_task(
        lab, tmp_path, "Check", "wsfc.clusterdb.cluster_restore",
        {"path": made["forged"]["set_path"], "force": True}, check_mode=True,
    )  # fmt: skip
    assert not unchecked["failed"], unchecked["msg"]
    assert unchecked["set"]["status"] == "complete"

    cases = [
        ("forged", trusted, ["forged", made["forged"]["set_name"], fingerprint(NEW_PUBLIC)]),
        ("stranger", trusted, ["not among the trusted keys"]),
        ("unsigned", {**trusted, "restore_require_signature": True}, ["not signed by a trusted"]),
    ]
    for name, options, expected in cases:
        before, runs_before = nodes(lab), len(executions(lab))
        run = restore_role(lab, tmp_path, location, restore_set=made[name]["set_name"], **options)
        assert run.rc != 0, run.output
        refusal = result_of(run, REFUSAL_TASK)["msg"]
        for text in expected:
            assert text in refusal, refusal
        assert nodes(lab) == before
        assert changing_runs(executions(lab)[runs_before:]) == []

    # Not required: an unsigned set is accepted, with a warning.
    _run, accepted = module_task(
        lab, tmp_path, "Check", "wsfc.clusterdb.cluster_restore",
        {"path": made["unsigned"]["set_path"], "force": True, "trusted_keys": [NEW_PUBLIC]},
        check_mode=True,
    )  # fmt: skip
    assert not accepted["failed"], accepted["msg"]
    assert any("is not signed" in w for w in accepted.get("warnings", []))
