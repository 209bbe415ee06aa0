"""The backup role under faults and concurrency, on a 3-node lab: the safety backup's folder
after a backup through the temporary share, a share of the temporary share's name that the
run did not create, two backups of one cluster at once, and a backup node that crashes
while it writes through the temporary share."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from backup_runs import (
    CLUSTER,
    PRIMARY,
    SHARE,
    STAGING_DIR,
    apply_role,
    change_configuration,
    complete_sets,
    failure_message,
    finish,
    folder,
    removal_command,
    run_removal,
    sets_in,
    shares_named,
    start_role,
    summary,
)
from playbook import run_adhoc, run_playbook
from restore_scenarios import write_play
from wsfc_lab.execution.execution_log import read_executions
from wsfc_lab.lab import Lab
from wsfc_lab.world import acl

CLUSTER_FOLDER = PRIMARY + "\\" + CLUSTER
SHARE_VARS = {
    "backup_path": PRIMARY,
    "backup_temporary_share": True,
    # The temporary share is on the backup node: a loopback wbadmin target.
    "backup_loopback_target": True,
}
NODE_ACCOUNTS = ["CORP\\NODE1$", "CORP\\NODE2$", "CORP\\NODE3$"]


def safety_backup(lab: Lab, tmp_path: Path, path: str) -> dict:
    """cluster_backup into `path` on NODE1, as the restore role's safety backup step runs it."""
    play = write_play(
        tmp_path,
        "safety",
        "NODE1",
        [
            {
                "name": "Safety backup",
                "wsfc.clusterdb.cluster_backup": {"path": path},
                "ignore_errors": True,
            }
        ],
    )
    return run_playbook(play, lab.inventory_path).result_of("Safety backup", "NODE1")


def acl_of(lab: Lab, windows_path: str) -> dict | None:
    with lab.world.transaction() as state:
        return acl.get_acl(state, "NODE1", windows_path)


def test_after_a_backup_through_the_temporary_share_the_default_safety_backup_is_written(
    three_node_lab: Lab, tmp_path: Path
) -> None:
    lab = three_node_lab
    run = apply_role(lab, tmp_path, **SHARE_VARS)
    assert run.rc == 0, run.output
    # The role leaves the primary folder to Administrators and SYSTEM.
    entries = acl_of(lab, CLUSTER_FOLDER)["entries"]
    assert {e["principal"] for e in entries} == {"BUILTIN\\Administrators", "NT AUTHORITY\\SYSTEM"}
    change_configuration(lab, "10.0.0.61")

    # The restore's safety backup goes to pre_restore beside the set by default.
    safety = safety_backup(lab, tmp_path, CLUSTER_FOLDER + "\\pre_restore")

    assert safety["failed"] is False, safety["msg"]
    assert safety["changed"] is True and safety["home_created"] is True
    assert complete_sets(lab, CLUSTER_FOLDER + "\\pre_restore") == {safety["set_name"]}
    # The folder it made is the nodes' and the administrators' only, nothing inherited.
    home = acl_of(lab, CLUSTER_FOLDER + "\\pre_restore")
    assert home["protected"] is True
    assert [(e["principal"], e["access"]) for e in home["entries"]] == [
        ("BUILTIN\\Administrators", "full"),
        ("NT AUTHORITY\\SYSTEM", "full"),
        *((account, "modify") for account in NODE_ACCOUNTS),
    ]


def test_a_safety_backup_at_its_own_path_gets_the_protective_acl(
    three_node_lab: Lab, tmp_path: Path
) -> None:
    lab = three_node_lab
    custom = PRIMARY + "\\safety\\" + CLUSTER  # a restore_safety_backup_path of the operator's
    safety = safety_backup(lab, tmp_path, custom)

    assert safety["failed"] is False, safety["msg"]
    home = acl_of(lab, custom)
    assert home is not None and home["protected"] is True
    assert {e["principal"] for e in home["entries"]} == {
        "BUILTIN\\Administrators",
        "NT AUTHORITY\\SYSTEM",
        *NODE_ACCOUNTS,
    }
    # An ordinary account of the domain may not read the set.
    with lab.world.transaction() as state:
        refused = not acl.allowed(
            state, folder(lab, custom + "\\" + safety["set_name"]), ["CORP\\alice"], "read"
        )
    assert refused


def test_a_share_of_that_name_that_the_run_did_not_create_is_refused_and_kept(
    three_node_lab: Lab, tmp_path: Path
) -> None:
    lab = three_node_lab
    for args in ("path=C:\\Other state=directory", f"name={SHARE} path=C:\\Other"):
        module = "ansible.windows.win_file" if "state=" in args else "ansible.windows.win_share"
        assert run_adhoc("clu01", module, lab.inventory_path, args=args).rc == 0
    before = shares_named(lab)
    runs_before = len(read_executions(lab.lab_dir))

    run = apply_role(lab, tmp_path, **SHARE_VARS)

    assert run.rc != 0
    message = failure_message(run)
    assert message is not None
    assert f"A share named {SHARE} exists already on NODE1" in message
    assert "backup_temporary_share_name" in message  # the option, and the fix
    assert "Nothing was changed" in message
    # The share is still there, on every node, as it was.
    assert shares_named(lab) == before
    # Nothing was touched: the role read, looked for the share, and stopped.
    ran = {r["module"] for r in read_executions(lab.lab_dir)[runs_before:]}
    assert ran <= {
        "wsfc.clusterdb.cluster_backup",
        "wsfc.clusterdb.cluster_info",
        "ansible.windows.win_share",
        "ansible.windows.win_ping",
    }
    assert not folder(lab, CLUSTER_FOLDER).exists()
    assert not folder(lab, STAGING_DIR).exists()


def test_two_backups_at_once_through_the_temporary_share(
    three_node_lab: Lab, tmp_path: Path
) -> None:
    lab = three_node_lab
    # A backup long enough for the two runs to overlap.
    lab.set_latency("backup", 4.0)
    first = start_role(lab, tmp_path, "first", **SHARE_VARS)
    second = start_role(lab, tmp_path, "second", **SHARE_VARS)
    runs = [finish(first, tmp_path, "first"), finish(second, tmp_path, "second")]

    succeeded = [r for r in runs if r.rc == 0]
    refused = [r for r in runs if r.rc != 0]
    written = complete_sets(lab, CLUSTER_FOLDER)
    assert succeeded, [failure_message(r) for r in runs]
    # Two complete sets, or one and a clear refusal.
    assert {summary(r)["set_name"] for r in succeeded} <= written
    assert len(written) == len(succeeded)
    for run in refused:
        message = failure_message(run)
        assert message is not None, run.output
        # Which refusal the loser meets depends on timing: the share the other run
        # created, or the cluster's own refusal of a second backup (5949).
        if "Windows error 5949" in message:
            assert "another backup of the cluster is running" in message, message
            continue
        assert "not this run's" in message or "Another run" in message, message
        assert "untouched" in message
    # Nothing is left behind: no share, no staging directory, no unfinished set.
    assert shares_named(lab) == {}
    assert [s.name for s in sets_in(lab, CLUSTER_FOLDER) if not s.complete] == []
    assert sets_in(lab, STAGING_DIR) == []
    print(f"two runs at once: {len(succeeded)} set(s) written, {len(refused)} refused")


def test_two_backups_at_once_into_one_folder_explain_the_loser(
    three_node_lab: Lab, tmp_path: Path
) -> None:
    lab = three_node_lab
    lab.set_latency("backup", 4.0)
    first = start_role(lab, tmp_path, "first", backup_path=PRIMARY)
    second = start_role(lab, tmp_path, "second", backup_path=PRIMARY)
    runs = [finish(first, tmp_path, "first"), finish(second, tmp_path, "second")]

    written = complete_sets(lab, CLUSTER_FOLDER)
    succeeded = [r for r in runs if r.rc == 0]
    assert succeeded and {summary(r)["set_name"] for r in succeeded} <= written
    for run in (r for r in runs if r.rc != 0):
        message = failure_message(run)
        assert message is not None, run.output
        # The set name taken by the other run (183) or wbadmin busy with it (5949).
        assert "another backup of" in message.lower(), message
        assert "unknown error" not in message and "net helpmsg" not in message
        assert "untouched" in message
    # The winner's set is whole, whatever the loser did.
    assert len(written) == len(succeeded)


def crash_while_wbadmin_runs(lab: Lab, *, back_after: float | None) -> threading.Thread:
    """Kills the node whose wbadmin runs, once it runs; starts it again after `back_after`
    seconds (None: it stays down)."""

    def watch() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            running = lab.world.peek().get("extensions", {}).get("wbadmin", {}).get("running")
            if running:
                node = running["node"]
                lab.inject("crash", node)
                if back_after is not None:
                    time.sleep(back_after)
                    lab.start_node(node)
                return
            time.sleep(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    return watcher


def test_a_crash_during_a_temporary_share_backup_removes_the_share_once_the_node_is_back(
    three_node_lab: Lab, tmp_path: Path
) -> None:
    lab = three_node_lab
    lab.set_latency("backup", 3.0)
    watcher = crash_while_wbadmin_runs(lab, back_after=4.0)
    run = apply_role(lab, tmp_path, **SHARE_VARS, backup_share_cleanup_wait=60)
    watcher.join(timeout=60)

    assert run.rc != 0
    message = failure_message(run)
    assert message is not None, run.output
    assert "NODE1 stopped answering during the backup phase" in message
    assert f"the temporary share {SHARE} was removed" in message
    assert shares_named(lab) == {}
    assert "Next: run the backup again" in message
    # The next run converges.
    lab.set_latency("backup", 0)
    again = apply_role(lab, tmp_path, **SHARE_VARS)
    assert again.rc == 0, failure_message(again) or again.output
    assert summary(again)["set_name"] in complete_sets(lab, CLUSTER_FOLDER)


def test_a_crash_during_a_temporary_share_backup_names_the_share_left_and_its_removal(
    three_node_lab: Lab, tmp_path: Path
) -> None:
    lab = three_node_lab
    lab.set_latency("backup", 3.0)
    watcher = crash_while_wbadmin_runs(lab, back_after=None)
    run = apply_role(lab, tmp_path, **SHARE_VARS, backup_share_cleanup_wait=3)
    watcher.join(timeout=60)

    assert run.rc != 0
    message = failure_message(run)
    assert message is not None, run.output
    assert f"The temporary share {SHARE} that this run created on NODE1 is still there" in message
    assert f"Remove-SmbShare -Name '{SHARE}' -Force" in message
    assert set(shares_named(lab)) == {"NODE1"}  # what the message says is left, is left
    # The operator brings the node back and runs what the message names, then the backup.
    lab.start_node("NODE1")
    lab.set_latency("backup", 0)
    removal = run_removal(lab, removal_command(message))
    assert removal.rc == 0, removal.output
    assert shares_named(lab) == {}
    again = apply_role(lab, tmp_path, **SHARE_VARS)
    assert again.rc == 0, failure_message(again) or again.output
    assert summary(again)["set_name"] in complete_sets(lab, CLUSTER_FOLDER)
