"""What the backup role's fault tests share: a play that applies the role, its outcome read
back from the recorded task results, and what the lab holds afterwards (sets, shares,
ACLs) read from the lab's world, never from what the role reported."""

from __future__ import annotations

import hashlib
import json
import shlex
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from playbook import AnsibleRun, TaskRecord, ansible_environment, run_adhoc, run_playbook
from wsfc_lab.lab import Lab
from wsfc_lab.world import ConfigChange

PRIMARY = "\\\\FS01\\clusterbackups"
CLUSTER = "CLU01"
SHARE = "WsfcClusterBackup$"
STAGING_DIR = "C:\\WsfcClusterBackup\\" + CLUSTER
ROLE = "wsfc.clusterdb.backup : "
FAILURE_TASK = ROLE + "Fail with what went wrong"
SUMMARY_TASK = ROLE + "Gather the outcome of the cluster's backup"
REPORT_TASK = ROLE + "Report the backup of the cluster"


def role_play(tmp_path: Path, name: str = "backup", **role_vars: Any) -> Path:
    """A playbook over the lab's cluster group that applies the role with these variables."""
    play = [
        {
            "name": "Back up the cluster",
            "hosts": "clu01",
            "gather_facts": False,
            "roles": [{"role": "wsfc.clusterdb.backup", "vars": role_vars}],
        }
    ]
    path = tmp_path / f"{name}_{time.monotonic_ns()}.yml"
    path.write_text(yaml.safe_dump(play), encoding="utf-8")
    return path


def apply_role(lab: Lab, tmp_path: Path, **role_vars: Any) -> AnsibleRun:
    return run_playbook(role_play(tmp_path, **role_vars), lab.inventory_path)


def start_role(lab: Lab, tmp_path: Path, name: str, **role_vars: Any) -> subprocess.Popen[str]:
    """ansible-playbook with the role, started and left running (for runs at the same time);
    its records go to <tmp_path>/<name>.jsonl."""
    play = role_play(tmp_path, name, **role_vars)
    env = ansible_environment({"WSFC_RECORD_FILE": str(tmp_path / f"{name}.jsonl")})
    command = ["ansible-playbook", "-i", str(lab.inventory_path), str(play)]
    return subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def finish(process: subprocess.Popen[str], tmp_path: Path, name: str) -> AnsibleRun:
    output, _errors = process.communicate(timeout=600)
    lines = (tmp_path / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    records = [TaskRecord(**json.loads(line)) for line in lines if line.strip()]
    return AnsibleRun(list(map(str, process.args)), process.returncode, output, records)


def failure_message(run: AnsibleRun) -> str | None:
    """The role's final message, None when the run did not fail there."""
    found = [r for r in run.records if r.task == FAILURE_TASK and r.status == "failed"]
    return str(found[-1].result["msg"]) if found else None


def summary(run: AnsibleRun) -> dict[str, Any]:
    (record,) = [r for r in run.on_hosts(SUMMARY_TASK).values() if r.status == "ok"]
    return record.result["ansible_facts"]["backup_summary"]


def report(run: AnsibleRun) -> list[str]:
    """The lines of the role's report task."""
    (record,) = [r for r in run.on_hosts(REPORT_TASK).values() if r.status == "ok"]
    return list(record.result["msg"])


def change_configuration(lab: Lab, address: str) -> str:
    return lab.change(
        ConfigChange("parameter", "set", "FileServer-01 IP", {"name": "Address", "value": address})
    )


def folder(lab: Lab, windows_path: str, node: str = "NODE1") -> Path:
    return lab.world.resolve_path(node, windows_path)


def dir_names(lab: Lab, windows_path: str, node: str = "NODE1") -> list[str]:
    """The names of the directories under a folder, sorted, whether sets or not."""
    root = folder(lab, windows_path, node)
    return sorted(p.name for p in root.iterdir() if p.is_dir()) if root.is_dir() else []


@dataclass(frozen=True)
class SetState:
    name: str
    complete: bool  # marker and manifest present, every listed file with its size and hash


def sets_in(lab: Lab, windows_path: str, node: str = "NODE1") -> list[SetState]:
    """The set directories under a folder, each checked against its own manifest."""
    root = folder(lab, windows_path, node)
    found = []
    for entry in sorted(root.iterdir()) if root.is_dir() else []:
        if not entry.is_dir() or entry.name == "pre_restore":
            continue
        manifest_path = entry / "manifest.json"
        complete = (entry / "backup.complete").is_file() and manifest_path.is_file()
        if complete:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            for item in manifest["files"]:
                path = entry / item["path"].replace("\\", "/")
                if not path.is_file() or path.stat().st_size != item["size"]:
                    complete = False
                    break
                if hashlib.sha256(path.read_bytes()).hexdigest() != item["sha256"]:
                    complete = False
                    break
        found.append(SetState(entry.name, complete))
    return found


def complete_sets(lab: Lab, windows_path: str, node: str = "NODE1") -> set[str]:
    return {s.name for s in sets_in(lab, windows_path, node) if s.complete}


def shares_named(lab: Lab, name: str = SHARE) -> dict[str, dict[str, Any]]:
    """Each host's share of that name, as the lab's world holds it."""
    found = {}
    for host, shares in lab.world.peek()["shares"].items():
        if name.lower() in shares:
            found[host] = shares[name.lower()]
    return found


def removal_command(message: str) -> list[str]:
    """The ad-hoc command a message names to remove a share, as a POSIX shell splits it."""
    marker = "from the controller: "
    start = message.index(marker) + len(marker)
    end = message.index(", then run the backup again", start)
    return shlex.split(message[start:end])


def run_removal(lab: Lab, command: list[str]) -> AnsibleRun:
    """Run the ad-hoc command a message names (ansible <host> [-i inv] -m <module> -a <args>)."""
    assert command[0] == "ansible", command
    host = command[1]
    module = command[command.index("-m") + 1]
    args = command[command.index("-a") + 1]
    inventory = Path(command[command.index("-i") + 1]) if "-i" in command else lab.inventory_path
    return run_adhoc(host, module, inventory, args=args)
