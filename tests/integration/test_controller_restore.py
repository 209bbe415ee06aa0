"""The restore role from the controller copy, with the backup share gone: plain and
encrypted, end to end; an encrypted copy with a flipped byte refused before any node is
touched; the key never shown."""

from __future__ import annotations

import base64
import json
import os
import shutil
from pathlib import Path
from typing import Any

import backup_runs
import pytest
import yaml
from playbook import run_playbook
from restore_scenarios import (
    BACKED_UP_ADDRESS,
    CHANGED_ADDRESS,
    ROLE,
    apply_role,
    change_configuration,
    changing_runs,
    executions,
    ip_address,
    nodes,
)
from signing_keys import new_key as new_signing_key
from wsfc_lab.lab import Lab

PRIMARY = r"\\fs01\clusterbackups"
STAGING = r"C:\ClusterDbStaging"
SAFETY = r"C:\SafetyBackups"
CLUSTER = "CLU01"
VERBOSE = {"ANSIBLE_VERBOSITY": "4"}


def new_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def back_up_to_controller(lab: Lab, tmp_path: Path, controller: Path, key: str = "") -> str:
    """The backup role keeps a copy on the controller; returns the set's name."""
    extra = {"backup_controller_encryption_key": key} if key else {}
    run = backup_runs.apply_role(
        lab, tmp_path, backup_path=PRIMARY, backup_controller_dir=str(controller), **extra
    )
    assert run.rc == 0, run.output
    outcome = backup_runs.summary(run)
    assert outcome["controller"]["set_status"] == "complete"
    assert outcome["controller"]["verified"] is True
    return str(outcome["set_name"])


def remove_the_share(lab: Lab) -> None:
    """The case the copies exist for: the file server's share and its folder are gone."""
    shutil.rmtree(backup_runs.folder(lab, PRIMARY))
    with lab.world.transaction() as state:
        state.remove_share("FS01", "clusterbackups")


def restore_from_controller(lab: Lab, tmp_path: Path, controller: Path, **extra: Any):
    return apply_role(
        lab,
        tmp_path,
        restore_backup_path="",
        restore_controller_dir=str(controller),
        restore_staging_path=STAGING,
        restore_loopback_target=True,
        restore_safety_backup_path=SAFETY,
        **extra,
    )


def encrypted_copy_without_the_share(lab: Lab, tmp_path: Path) -> tuple[Path, str, str]:
    """An encrypted controller copy of the running configuration, then a change, then the
    share gone; returns the controller folder, the key and the set's name."""
    controller = tmp_path / "controller"
    key = new_key()
    set_name = back_up_to_controller(lab, tmp_path, controller, key)
    change_configuration(lab)
    remove_the_share(lab)
    return controller, key, set_name


def from_the_controller(controller: Path, key: str) -> dict[str, Any]:
    """The restore role's options of a restore from the encrypted controller copy, staged on
    the restoring node (the loopback opt-in given)."""
    return {
        "restore_controller_dir": str(controller),
        "restore_controller_encryption_key": key,
        "restore_staging_path": STAGING,
        "restore_loopback_target": True,
        "restore_safety_backup_path": SAFETY,
    }


def role_play(tmp_path: Path, name: str, role_vars: dict[str, Any]) -> Path:
    """A play over every node that applies the restore role with these variables."""
    play = tmp_path / f"{name}.yml"
    role = {"role": "wsfc.clusterdb.restore", "vars": role_vars}
    document = [{"name": "Restore", "hosts": "all", "gather_facts": False, "roles": [role]}]
    play.write_text(yaml.safe_dump(document), encoding="utf-8")
    return play


def staging_left(lab: Lab) -> list[str]:
    root = backup_runs.folder(lab, STAGING)
    return sorted(p.name for p in root.iterdir()) if root.is_dir() else []


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
def test_a_restore_from_the_controller_copy_with_the_share_gone(
    three_node_lab: Lab, tmp_path: Path, encrypted: bool
) -> None:
    lab = three_node_lab
    controller = tmp_path / "controller"
    key = new_key() if encrypted else ""
    set_name = back_up_to_controller(lab, tmp_path, controller, key)
    copy = controller / CLUSTER / set_name
    sealed = sorted(p.name for p in copy.rglob("*") if p.is_file())
    if encrypted:
        assert sealed and all(name.endswith(".aesgcm") for name in sealed)
    else:
        assert "manifest.json" in sealed
    change_configuration(lab)
    assert ip_address(lab) == CHANGED_ADDRESS
    remove_the_share(lab)
    runs_before = len(executions(lab))

    extra = {"restore_controller_encryption_key": key} if key else {}
    run = restore_from_controller(lab, tmp_path, controller, **extra)

    assert run.rc == 0, run.output
    # The backed-up configuration runs again, on every node.
    assert ip_address(lab) == BACKED_UP_ADDRESS
    assert {state for _service, state, _tag in nodes(lab).values()} == {"Up"}
    runs = executions(lab)[runs_before:]
    uploads = [r for r in runs if r["module"] == "ansible.windows.win_copy"]
    assert uploads and {r["node"] for r in uploads} == {"NODE1"}
    restored = [r for r in changing_runs(runs) if r["module"] == "wsfc.clusterdb.cluster_restore"]
    assert len(restored) == 1
    opened = run.of(
        ROLE + "Pick, decrypt and verify the controller copy on the controller", "NODE1"
    )
    assert opened.result["set"]["name"] == set_name
    assert opened.result["set"]["encrypted"] is encrypted
    staging = opened.result["staging_folder"]
    assert staging.startswith(STAGING + "\\wsfc-clusterdb-restore-")
    # The node-side check hashed the uploaded set there, and the restore read it from there.
    check = run.of(ROLE + "Verify the set and what restoring it would change (check mode)", "NODE1")
    assert check.result["set"]["path"].startswith(staging + "\\")
    # The staging folder is gone, and the decrypted copy on the controller too.
    assert staging_left(lab) == []
    if opened.result["plain_copy"]:
        assert not Path(opened.result["plain_copy"]).exists()
    if encrypted:
        assert key not in run.output


def test_an_encrypted_copy_with_a_flipped_byte_is_refused_before_any_node_is_touched(
    three_node_lab: Lab, tmp_path: Path
) -> None:
    lab = three_node_lab
    controller, key, set_name = encrypted_copy_without_the_share(lab, tmp_path)
    copy = controller / CLUSTER / set_name
    victim = max((p for p in copy.rglob("*.aesgcm")), key=lambda p: p.stat().st_size)
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0x01
    victim.write_bytes(bytes(data))
    before, runs_before = nodes(lab), len(executions(lab))

    run = restore_from_controller(lab, tmp_path, controller, restore_controller_encryption_key=key)

    assert run.rc != 0
    refusal = run.of(
        ROLE + "Stop here when the controller copy does not verify (no node was touched)", "NODE1"
    )
    assert refusal.status == "failed"
    message = refusal.result["msg"]
    assert set_name in message and "does not decrypt" in message
    assert "Nothing was sent to any node" in message
    # No node changed, nothing was uploaded, only reads ran.
    assert nodes(lab) == before
    runs = executions(lab)[runs_before:]
    assert changing_runs(runs) == []
    assert [r for r in runs if r["module"] == "ansible.windows.win_copy"] == []
    assert ip_address(lab) == CHANGED_ADDRESS
    assert staging_left(lab) == []
    assert key not in run.output


def test_a_key_that_does_not_parse_is_refused_before_any_node_is_touched(
    three_node_lab: Lab, tmp_path: Path
) -> None:
    lab = three_node_lab
    controller = tmp_path / "controller"
    controller.mkdir()
    bad = base64.b64encode(b"sixteen byte key").decode()
    runs_before = len(executions(lab))

    run = restore_from_controller(lab, tmp_path, controller, restore_controller_encryption_key=bad)

    assert run.rc != 0
    assert "restore_controller_encryption_key holds 16 bytes" in run.output
    assert bad not in run.output
    assert executions(lab)[runs_before:] == []


def test_a_local_staging_folder_without_the_loopback_opt_in_is_refused(
    three_node_lab: Lab, tmp_path: Path
) -> None:
    controller = tmp_path / "controller"
    controller.mkdir()
    runs_before = len(executions(three_node_lab))
    run = apply_role(
        three_node_lab,
        tmp_path,
        restore_backup_path="",
        restore_controller_dir=str(controller),
        restore_staging_path=STAGING,
        restore_safety_backup_path=SAFETY,
    )
    assert run.rc != 0
    assert "restore_loopback_target: true" in run.output
    assert "UNC restore_staging_path" in run.output
    assert executions(three_node_lab)[runs_before:] == []


def test_the_encryption_key_is_never_shown_nor_written_to_a_node(
    three_node_lab: Lab, tmp_path: Path
) -> None:
    """A signed, encrypted controller copy restored at -vvvv: the set's signature is
    verified on the controller with the trusted key, and the encryption key is in no
    output, no task result, no file of the controller copy and no file of any node."""
    lab = three_node_lab
    controller = tmp_path / "controller"
    key = new_key()
    private, public = new_signing_key()
    backup = run_playbook(
        backup_runs.role_play(
            tmp_path, backup_path=PRIMARY, backup_controller_dir=str(controller),
            backup_controller_encryption_key=key, backup_signing_key=private,
        ),
        lab.inventory_path, env=VERBOSE,
    )  # fmt: skip
    assert backup.rc == 0, backup.output
    change_configuration(lab)
    remove_the_share(lab)
    role_vars = {
        **from_the_controller(controller, key),
        "restore_trusted_keys": [public],
        "restore_require_signature": True,
        "restore_force": True,
        "restore_consent": True,
        "restore_node": "NODE1",
        "restore_wait_delay": 1,
    }
    restored = run_playbook(
        role_play(tmp_path, "restore_verbose", role_vars), lab.inventory_path, env=VERBOSE
    )

    assert restored.rc == 0, restored.output
    assert ip_address(lab) == BACKED_UP_ADDRESS
    opened = restored.of(
        ROLE + "Pick, decrypt and verify the controller copy on the controller", "NODE1"
    )
    assert opened.result["set"]["signature"]["status"] == "verified"
    assert "ESTABLISH WINRM CONNECTION" in restored.output  # the runs were at -vvvv
    raw = base64.b64decode(key)
    texts = [backup.output, restored.output]
    texts += [json.dumps([r.result for r in run.records]) for run in (backup, restored)]
    for text in texts:
        assert key not in text
    for folder in (controller, lab.lab_dir):
        for path in folder.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                assert key.encode() not in data and raw not in data, path


def test_check_mode_verifies_the_copy_on_the_controller_and_touches_no_node(
    three_node_lab: Lab, tmp_path: Path
) -> None:
    lab = three_node_lab
    controller, key, set_name = encrypted_copy_without_the_share(lab, tmp_path)
    before, runs_before = nodes(lab), len(executions(lab))
    role_vars = {
        **from_the_controller(controller, key),
        "restore_force": True,
        "restore_node": "NODE1",
    }
    run = run_playbook(
        role_play(tmp_path, "restore_check", role_vars), lab.inventory_path, check=True
    )

    assert run.rc != 0
    stop = run.of(
        ROLE + "Stop here in check mode (the upload would change the restoring node)", "NODE1"
    )
    assert stop.status == "failed"
    assert f"the controller copy of set {set_name} verified on the" in stop.result["msg"]
    opened = run.of(
        ROLE + "Pick, decrypt and verify the controller copy on the controller", "NODE1"
    )
    assert not Path(opened.result["plain_copy"]).exists()
    assert nodes(lab) == before
    runs = executions(lab)[runs_before:]
    assert changing_runs(runs) == []
    assert [r for r in runs if r["module"] == "ansible.windows.win_copy"] == []
