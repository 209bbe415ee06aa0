"""The drift playbook on one 3-node lab: in sync, every kind of change the lab can make, no
backup, an old backup, a corrupt newest set, an unreachable node, a named set.

One lab for the module; each test keeps its sets in a folder of its own under the share
(<share>\\<test>\\CLU01), takes its set with cluster_backup, and reads the outcome from the
task results, the report files and the lab's execution log. The configuration changes of one
test stay in the lab, so a test compares only with a set it took itself.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from drift_schema import errors
from labs import REPO_ROOT, example, running_lab
from playbook import AnsibleRun, ansible_environment, run_adhoc, run_playbook
from wsfc_lab.execution.execution_log import read_executions
from wsfc_lab.lab import Lab
from wsfc_lab.world import ConfigChange

PLAYBOOK = REPO_ROOT / "playbooks" / "drift.yml"
SCHEMA = json.loads((REPO_ROOT / "docs" / "drift-report.schema.json").read_text("utf-8"))
SHARE = "\\\\FS01\\clusterbackups"
CHECK = "wsfc.clusterdb.drift : Compare the running configuration with the newest backup set"
REPORT = "wsfc.clusterdb.drift : Build and write the fleet's drift report"


class DriftLab:
    def __init__(self, lab: Lab, tmp: Path) -> None:
        self.lab = lab
        self.tmp = tmp

    def root(self, name: str) -> str:
        return f"{SHARE}\\{name}"

    def back_up(self, root: str) -> str:
        """A set of the running configuration in <root>\\CLU01; its name."""
        run = run_adhoc(
            "NODE1",
            "wsfc.clusterdb.cluster_backup",
            self.lab.inventory_path,
            args=json.dumps({"path": f"{root}\\CLU01"}),
        )
        result = run.of("wsfc.clusterdb.cluster_backup", "NODE1").result
        assert result.get("changed") is True, run.output
        return str(result["set_name"])

    def backup_and_wait(self, root: str, seconds: float) -> str:
        """A set, then time for it to age past a max_age of less than ``seconds``."""
        name = self.back_up(root)
        time.sleep(seconds)
        return name

    def drift(self, root: str, *, check: bool = False, **extra: Any) -> Drift:
        reports = self.tmp / f"reports_{time.monotonic_ns()}"
        before = len(read_executions(self.lab.lab_dir))
        run = run_playbook(
            PLAYBOOK,
            self.lab.inventory_path,
            extra_vars={"backup_path": root, "drift_report_dir": str(reports), **extra},
            check=check,
        )
        return Drift(run, reports, read_executions(self.lab.lab_dir)[before:])

    def change(self, kind: str, action: str, target: str, **fields: Any) -> None:
        self.lab.change(ConfigChange(kind, action, target, fields))


class Drift:
    """One run of the playbook: the check's result per host, the report, the module runs."""

    def __init__(self, run: AnsibleRun, reports: Path, executions: list[dict]) -> None:
        self.run = run
        self.reports = reports
        self.executions = executions

    def result(self) -> dict[str, Any]:
        """The result of the host that answered for the cluster (exactly one did)."""
        checked = [r for r in self.run.records if r.task == CHECK and r.status != "skipped"]
        answers = [r for r in checked if r.result.get("state")]
        assert len(answers) == 1, self.run.output
        return answers[0].result

    def report(self) -> dict[str, Any]:
        document = json.loads((self.reports / "drift-report.json").read_text("utf-8"))
        assert list(errors(document, SCHEMA)) == []
        return document

    def cluster(self) -> dict[str, Any]:
        (entry,) = self.report()["clusters"]
        return entry

    def module_runs(self) -> list[tuple[str, str, str | None]]:
        return [(e["node"], e["module"], e["phase"]) for e in self.executions]


@pytest.fixture(scope="module")
def drift_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DriftLab]:
    root = tmp_path_factory.mktemp("drift")
    with running_lab(example("three-node"), root / "lab") as lab:
        yield DriftLab(lab, root)


INSPECT_ON_NODE1 = [("NODE1", "wsfc.clusterdb.cluster_backup", "inspect")]


def test_a_cluster_in_sync_costs_one_module_run_and_changes_nothing(drift_lab: DriftLab) -> None:
    root = drift_lab.root("in_sync")
    name = drift_lab.back_up(root)
    outcome = drift_lab.drift(root)
    assert outcome.run.rc == 0, outcome.run.output
    result = outcome.result()
    assert (result["state"], result["changed"], result["flagged"]) == ("in_sync", False, False)
    assert result["set"]["name"] == name and result["checked_on"] == "NODE1"
    assert outcome.module_runs() == INSPECT_ON_NODE1
    entry = outcome.cluster()
    assert (entry["cluster"], entry["state"], entry["change_count"]) == ("CLU01", "in_sync", 0)
    assert "changed=0" in outcome.run.output.split("PLAY RECAP")[1]


def test_every_kind_of_change_is_reported_with_both_values_in_check_mode_too(
    drift_lab: DriftLab,
) -> None:
    lab = drift_lab
    # Objects that exist in the set and are then removed or changed.
    lab.change("group", "set", "Old App", preferred_owners=["NODE1", "NODE2"])
    lab.change("resource", "set", "Old App IP", type="IP Address", group="Old App")
    lab.change("resource", "set", "Old Svc", type="Generic Service", group="Old App")
    lab.change("parameter", "set", "Old Svc", name="ServiceName", value="oldsvc")
    lab.change("parameter", "set", "Old Svc", name="StartupParameters", value="-q")
    lab.change("resource", "set", "Old Svc", dependencies=["Old App IP"])
    lab.change("network", "set", "Old Net", role="Cluster", address="10.9.0.0",
               address_mask="255.255.0.0")  # fmt: skip
    lab.change("network", "set", "Kept Net", role="Cluster", address="10.8.0.0",
               address_mask="255.255.0.0")  # fmt: skip
    lab.change("group", "set", "Gone", preferred_owners=[])
    root = lab.root("changes")
    lab.back_up(root)

    lab.change("group", "set", "New App", preferred_owners=["NODE3"])
    lab.change("group", "remove", "Gone")
    lab.change("group", "set", "Old App", preferred_owners=["NODE2", "NODE3"])
    lab.change("resource", "set", "New Svc", type="Generic Service", group="Old App")
    lab.change("resource", "remove", "Old App IP")  # also drops Old Svc's dependency on it
    lab.change("resource", "set", "Old Svc", possible_owners=["NODE1"])
    lab.change("parameter", "set", "Old Svc", name="ServiceName", value="newsvc")
    lab.change("parameter", "remove", "Old Svc", name="StartupParameters")
    lab.change("parameter", "set", "Old Svc", name="CheckpointKey", value="SOFTWARE\\App")
    lab.change("resource", "set", "New Svc", dependencies=["Old Svc"])
    lab.change("network", "remove", "Old Net")
    lab.change("network", "set", "New Net", role="ClusterAndClient", address="10.7.0.0",
               address_mask="255.255.0.0")  # fmt: skip
    lab.change("network", "set", "Kept Net", role="None")

    outcome = lab.drift(root)
    assert outcome.run.rc == 0, outcome.run.output
    result = outcome.result()
    assert result["state"] == "drifted" and result["changed"] is True
    assert outcome.module_runs() == INSPECT_ON_NODE1
    found = {
        (c["object_type"], c["object"], c["item"], c["name"], c["change"]): (
            c["before"],
            c["after"],
        )
        for c in result["changes"]
    }
    expected_values = {
        ("group", "New App", "group", "New App", "added"): (
            None, {"is_core_group": False, "preferred_owners": ["NODE3"]}),
        ("group", "Gone", "group", "Gone", "removed"): (
            {"is_core_group": False, "preferred_owners": []}, None),
        ("group", "Old App", "owner", "NODE3", "added"): (None, "NODE3"),
        ("group", "Old App", "owner", "NODE1", "removed"): ("NODE1", None),
        ("resource", "Old App IP", "resource", "Old App IP", "removed"): (
            {"type": "IP Address", "group": "Old App", "parameters": {}, "dependencies": "",
             "possible_owners": []}, None),
        ("resource", "Old Svc", "parameter", "ServiceName", "changed"): ("oldsvc", "newsvc"),
        ("resource", "Old Svc", "parameter", "StartupParameters", "removed"): ("-q", None),
        ("resource", "Old Svc", "parameter", "CheckpointKey", "added"): (None, "SOFTWARE\\App"),
        ("resource", "Old Svc", "dependency", "Old App IP", "removed"): ("Old App IP", None),
        ("resource", "Old Svc", "owner", "NODE1", "added"): (None, "NODE1"),
        ("resource", "New Svc", "resource", "New Svc", "added"): (
            None, {"type": "Generic Service", "group": "Old App", "parameters": {},
                   "dependencies": "[Old Svc]", "possible_owners": []}),
        ("network", "Old Net", "network", "Old Net", "removed"): (
            {"role": "Cluster", "address": "10.9.0.0", "address_mask": "255.255.0.0"}, None),
        ("network", "New Net", "network", "New Net", "added"): (
            None, {"role": "ClusterAndClient", "address": "10.7.0.0",
                   "address_mask": "255.255.0.0"}),
        ("network", "Kept Net", "property", "role", "changed"): ("Cluster", "None"),
    }  # fmt: skip
    assert found == expected_values
    assert result["change_counts"] == {"added": 6, "removed": 6, "changed": 2}

    # The report groups them by object; the JSON holds the same items.
    entry = outcome.cluster()
    objects = {(o["object_type"], o["object"]): o["change"] for o in entry["objects"]}
    assert objects[("group", "New App")] == "added"
    assert objects[("resource", "Old Svc")] == "changed"
    assert sum(len(o["items"]) for o in entry["objects"]) == len(expected_values)
    assert entry["flags"] == ["drift"] and entry["next_command"]

    # Check mode: the same read-only run, the same answer, changed as well; no report file.
    checked = lab.drift(root, check=True)
    assert checked.run.rc == 0, checked.run.output
    again = checked.result()
    assert again["changed"] is True
    assert again["changes"] == result["changes"] and again["state"] == "drifted"
    assert checked.module_runs() == INSPECT_ON_NODE1
    assert not checked.reports.exists()


def test_no_backup_says_why_no_set_every_set_corrupt_or_an_unreadable_location(
    drift_lab: DriftLab,
) -> None:
    lab = drift_lab
    empty = lab.drift(lab.root("never_backed_up"))
    assert empty.run.rc == 0, empty.run.output
    result = empty.result()
    assert (result["state"], result["reason"], result["changed"]) == ("no_backup", "no_set", False)
    assert result["flags"] == ["no_backup"] and result["next_command"]
    assert "There is no backup set of cluster CLU01 under" in result["msg"]
    assert empty.module_runs() == INSPECT_ON_NODE1

    root = lab.root("all_corrupt")
    name = lab.back_up(root)
    touched = lab.lab.inject("corrupt", "NODE1", path=f"{root}\\CLU01\\{name}\\WindowsImageBackup")
    assert touched
    corrupt = lab.drift(root).result()
    assert (corrupt["state"], corrupt["reason"]) == ("no_backup", "corrupt")
    assert [(p["name"], p["status"]) for p in corrupt["passed_over"]] == [(name, "corrupt")]
    assert "does not have the SHA-256 the manifest records" in corrupt["msg"]

    # The folder exists (the set above is in it); listing it is refused.
    lab.lab.inject("fail", "NODE1", operation="Get-ChildItem", code=5)
    try:
        unreadable = lab.drift(root)
    finally:
        lab.lab.clear_faults()
    answer = unreadable.result()
    assert (answer["state"], answer["reason"]) == ("no_backup", "unreadable")
    assert "(Windows error 5, ERROR_ACCESS_DENIED)" in answer["msg"]
    # An answer of NODE1's, not a node that failed: nobody else was asked.
    assert answer["checked_on"] == "NODE1"
    assert unreadable.module_runs() == [("NODE1", "wsfc.clusterdb.cluster_backup", "inspect")]


def test_an_old_backup_is_flagged_and_the_command_it_names_takes_a_fresh_one(
    drift_lab: DriftLab,
) -> None:
    lab = drift_lab
    root = lab.root("old")
    old_set = lab.backup_and_wait(root, seconds=2.0)
    # Older than max_age, but it holds the version the cluster runs: the backup role would
    # write no new set, so the age is shown (highlighted) and the cluster is not flagged.
    current = lab.drift(root, drift_max_age="1s")
    assert current.run.rc == 0, current.run.output
    result = current.result()
    assert (result["state"], result["flags"], result["set"]["too_old"]) == ("in_sync", [], True)
    assert "so a backup would write no new set" in result["msg"]
    assert '<td class="old">' in (current.reports / "drift-report.html").read_text("utf-8")

    # A change undone: the same objects, a newer version. Now the old set is stale.
    lab.change("parameter", "set", "FileServer-01", name="UndoneByTheOldTest", value=1)
    lab.change("parameter", "remove", "FileServer-01", name="UndoneByTheOldTest")
    stale = lab.drift(root, drift_max_age="1s").result()
    assert (stale["state"], stale["flags"]) == ("in_sync", ["age"])
    assert stale["set"]["name"] == old_set
    assert "older than the oldest acceptable backup (1s)" in stale["msg"]

    # The named command is the backup playbook for this cluster's hosts: run as printed, it
    # takes a set that the next check finds in sync, young and of the running version.
    command = shlex.split(stale["next_command"])
    assert command[:2] == ["ansible-playbook", "-i"]
    fresh = subprocess.run(
        command, env=ansible_environment(), capture_output=True, text=True, check=False,
        cwd=REPO_ROOT, timeout=600,
    )  # fmt: skip
    assert fresh.returncode == 0, fresh.stdout + fresh.stderr
    after = lab.drift(root, drift_max_age="1h").result()
    assert (after["state"], after["flagged"]) == ("in_sync", False)
    assert after["set"]["name"] != old_set and after["configuration_version"]["equal"] is True


def test_a_corrupt_newest_set_is_passed_over_for_the_previous_complete_one(
    drift_lab: DriftLab,
) -> None:
    lab = drift_lab
    root = lab.root("corrupt_newest")
    lab.change("parameter", "set", "FileServer-01", name="CorruptNewestTest", value="before")
    previous = lab.back_up(root)
    lab.change("parameter", "set", "FileServer-01", name="CorruptNewestTest", value="after")
    newest = lab.back_up(root)
    lab.lab.inject("corrupt", "NODE1", path=f"{root}\\CLU01\\{newest}\\WindowsImageBackup")
    outcome = lab.drift(root)
    assert outcome.run.rc == 0, outcome.run.output
    result = outcome.result()
    assert result["set"]["name"] == previous
    assert [p["name"] for p in result["passed_over"]] == [newest]
    assert result["state"] == "drifted"
    (change,) = result["changes"]
    assert (change["name"], change["before"], change["after"]) == (
        "CorruptNewestTest",
        "before",
        "after",
    )
    assert result["flags"] == ["drift", "corrupt_newest"]
    assert f"The newer set {newest} (corrupt) failed verification" in result["msg"]
    # The older set was not hashed by the first listing: a second read-only run hashes it.
    assert outcome.module_runs() == INSPECT_ON_NODE1 * 2
    assert outcome.cluster()["passed_over"][0]["status"] == "corrupt"


def test_a_named_set_is_compared_instead_of_the_newest(drift_lab: DriftLab) -> None:
    lab = drift_lab
    root = lab.root("named")
    older = lab.back_up(root)
    lab.change("network", "set", "Named Net", role="Cluster", address="10.6.0.0",
               address_mask="255.255.0.0")  # fmt: skip
    lab.back_up(root)
    outcome = lab.drift(root, drift_set=older)
    result = outcome.result()
    assert result["set"]["name"] == older and result["requested_set"] == older
    assert [(c["object"], c["change"]) for c in result["changes"]] == [("Named Net", "added")]
    assert outcome.module_runs() == INSPECT_ON_NODE1


def test_an_unreachable_node_hands_the_check_to_the_next_and_none_is_reported(
    drift_lab: DriftLab,
) -> None:
    lab = drift_lab
    root = lab.root("unreachable")
    lab.back_up(root)
    lab.lab.inject("unreachable", "NODE1")
    try:
        outcome = lab.drift(root)
        for node in ("NODE2", "NODE3"):
            lab.lab.inject("unreachable", node)
        nobody = lab.drift(root)
    finally:
        lab.lab.clear_faults()
    assert outcome.run.rc == 0, outcome.run.output
    tried = [
        (r.host, r.status) for r in outcome.run.records if r.task == CHECK and r.status != "skipped"
    ]
    assert tried == [("NODE1", "unreachable"), ("NODE2", "ok")]
    result = outcome.result()
    assert (result["checked_on"], result["state"]) == ("NODE2", "in_sync")
    assert outcome.module_runs() == [("NODE2", "wsfc.clusterdb.cluster_backup", "inspect")]

    # No node answers: the report names the cluster as not checked, then the play fails.
    assert nobody.run.rc != 0
    entry = nobody.cluster()
    assert (entry["state"], entry["reason"]) == ("not_checked", "no_node")
    assert [e.split(":")[0] for e in entry["errors"]] == ["NODE1", "NODE2", "NODE3"]
    assert "No node of cluster CLU01 could be read" in nobody.run.output


def test_a_bad_option_is_refused_before_any_node_is_touched(drift_lab: DriftLab) -> None:
    outcome = drift_lab.drift(drift_lab.root("refused"), drift_max_age="soon")
    assert outcome.run.rc != 0
    assert "drift_max_age 'soon' is not a duration" in outcome.run.output
    assert outcome.executions == []
