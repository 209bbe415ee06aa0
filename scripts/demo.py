"""The demo: back up, change and restore a 3-node failover cluster, over WinRM, on the lab.

Called by scripts/demo.sh (which runs the bootstrap first). The story, on the lab of
tests/lab/examples/three-node.yml in a temporary directory:
1. start the lab: three simulated Windows Server 2022 nodes, each a WinRM endpoint;
2. read the cluster with wsfc.clusterdb.cluster_info on every node, through ansible-playbook;
3. back the cluster up twice with the backup playbook: the second run changes nothing;
4. change the configuration with the lab's CLI, as an administrator would;
5. restore the backup with the restore playbook, with force=true and consent;
6. show the configuration as backed up, before the restore and after it.
The lab is stopped on every way out (an error, Ctrl+C, SIGTERM).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

import yaml
from rich.console import Console
from rich.table import Table
from wsfc_lab.lab import Lab
from wsfc_lab.spec import load_spec

REPO_ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = REPO_ROOT / "tests" / "lab" / "examples" / "three-node.yml"
BACKUP_PATH = "\\\\FS01\\clusterbackups"
# The administrator's change: a resource parameter, and a network's role.
CHANGES = [
    ["parameter", "set", "FileServer-01 IP", "Address", "10.0.0.99"],
    ["network", "set", "Cluster Network 2", "--role", "None"],
]

# Wide enough for the tables when the output is not a terminal (a log, a pipe).
console = Console(width=None if sys.stdout.isatty() else 110)


class DemoError(RuntimeError):
    """A step of the demo failed; the message says which."""


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


@contextmanager
def running_lab(workdir: Path) -> Iterator[Lab]:
    lab = Lab(workdir / "lab")
    lab.create(load_spec(EXAMPLE))
    try:
        lab.start()
        yield lab
    finally:
        if lab.exists():
            lab.stop()
            console.print(f"[dim]lab stopped ({lab.lab_dir})[/dim]")


def ansible_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("ANSIBLE_COLLECTIONS_PATH", str(REPO_ROOT / ".cache" / "collections"))
    env.setdefault("ANSIBLE_CONFIG", str(REPO_ROOT / "tests" / "ansible.cfg"))
    env.update(ANSIBLE_NOCOLOR="1", ANSIBLE_FORKS="3")
    return env


def playbook(lab: Lab, path: Path, extra: dict[str, Any] | None = None) -> str:
    """Runs ansible-playbook against the lab; returns its output, raises when it failed."""
    command = ["ansible-playbook", "-i", str(lab.inventory_path), str(path)]
    if extra:
        command += ["-e", json.dumps(extra)]
    run = subprocess.run(
        command, env=ansible_env(), capture_output=True, text=True, check=False, cwd=REPO_ROOT
    )
    if run.returncode != 0:
        console.print(run.stdout[-6000:], run.stderr[-2000:], markup=False)
        raise DemoError(f"{path.name} failed (exit code {run.returncode})")
    return run.stdout


def changed_tasks(output: str) -> int:
    """The changed count of every host in the PLAY RECAP lines, summed."""
    return sum(int(n) for n in re.findall(r"changed=(\d+)", output))


def write_yaml(path: Path, document: object) -> Path:
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def read_cluster(lab: Lab, workdir: Path, name: str) -> dict[str, dict[str, Any]]:
    """cluster_info on every node through ansible-playbook; each node's result."""
    out = workdir / name
    out.mkdir()
    tasks = [
        {"name": "Read the cluster facts", "wsfc.clusterdb.cluster_info": {}, "register": "f"},
        {
            "name": "Keep them on the controller",
            "ansible.builtin.copy": {
                "content": "{{ f | to_json }}",
                "dest": f"{out}/{{{{ inventory_hostname }}}}.json",
                "mode": "0644",
            },
            "delegate_to": "localhost",
        },
    ]
    play = [{"name": "Read the cluster", "hosts": "all", "gather_facts": False, "tasks": tasks}]
    playbook(lab, write_yaml(workdir / f"{name}.yml", play))
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(out.glob("*.json"))}


def show_cluster(facts: dict[str, dict[str, Any]]) -> None:
    first = next(iter(facts.values()))
    cluster, quorum = first["cluster"], first["quorum"]
    witness = quorum["witness"]
    console.print(
        f"Cluster [bold]{cluster['name']}[/bold].{cluster['domain']} (id {cluster['id']}), "
        f"quorum {quorum['type']}, witness {witness['type']} {witness.get('resource') or ''}"
    )
    table = Table("node", "state", "Cluster service", "configuration version", "OS", "backup route")
    for host, result in facts.items():
        state = next((n["state"] for n in result["nodes"] if n["name"] == result["node_name"]), "?")
        table.add_row(
            host,
            state,
            result["cluster_service"]["state"],
            # The PaxosTag as Windows writes it (a stamped epoch after a restore).
            str(result["configuration_version"]["paxos_tag"]),
            result["os"]["name"].removeprefix("Microsoft Windows "),
            result["backup_routes"]["auto"] or "-",
        )
    console.print(table)


def flat_configuration(facts: dict[str, dict[str, Any]]) -> dict[tuple[str, str], str]:
    """(object, field) -> value, for the groups, resources and networks one node reports."""
    configuration = next(iter(facts.values()))["configuration"]
    values: dict[tuple[str, str], str] = {}
    for group in configuration["groups"]:
        owners = ", ".join(group["preferred_owners"]) or "-"
        values[(f"group {group['name']}", "preferred_owners")] = owners
    for network in configuration["networks"]:
        values[(f"network {network['name']}", "role")] = str(network["role"])
    for resource in configuration["resources"]:
        for key, value in sorted(resource["parameters"].items()):
            values[(f"resource {resource['name']}", key)] = str(value)
    return values


def show_configuration(
    backed_up: dict[tuple[str, str], str],
    before: dict[tuple[str, str], str],
    after: dict[tuple[str, str], str],
) -> None:
    """Every field, as backed up, before the restore and after it; changed ones in colour."""
    table = Table("object", "field", "backed up", "before the restore", "after the restore")
    keys = sorted(set(backed_up) | set(before) | set(after))
    for key in keys:
        old, changed, restored = backed_up.get(key, "-"), before.get(key, "-"), after.get(key, "-")
        style = "yellow" if changed != old else None
        mark = "green" if restored == old else "red"
        table.add_row(key[0], key[1], old, changed, f"[{mark}]{restored}[/{mark}]", style=style)
    console.print(table)
    same = sum(1 for key in keys if after.get(key) == backed_up.get(key))
    console.print(f"After the restore {same} of {len(keys)} fields are as backed up.")


def restore(lab: Lab, workdir: Path) -> list[str]:
    """The restore playbook with force and consent; returns the role's report."""
    report = workdir / "restore_report.json"
    keep = {
        "name": "Keep the report on the controller",
        "ansible.builtin.copy": {
            "content": "{{ restore_report | to_json }}",
            "dest": str(report),
            "mode": "0644",
        },
        "delegate_to": "localhost",
        "run_once": True,
    }
    document = [
        {"name": "Restore", "ansible.builtin.import_playbook": "wsfc.clusterdb.restore"},
        {"name": "Report", "hosts": "all", "gather_facts": False, "tasks": [keep]},
    ]
    extra = {"backup_path": BACKUP_PATH, "force": True, "restore_consent": True}
    playbook(lab, write_yaml(workdir / "restore.yml", document), extra)
    return list(json.loads(report.read_text(encoding="utf-8"))["lines"])


def connection_line(lab: Lab) -> str:
    """How the playbooks reach the nodes, from the inventory the lab wrote: the backup share
    is a second hop from each node, which NTLM alone gives no credentials for, so the
    modules run under runas become (docs/backup.md, Credentials for the backup share)."""
    inventory = yaml.safe_load(lab.inventory_path.read_text(encoding="utf-8"))
    settings = inventory["all"]["children"]["windows"]["vars"]
    if not settings.get("ansible_become"):
        raise DemoError("the lab's inventory does not run the modules under become")
    return (
        f"connection: {settings['ansible_connection']} with "
        f"{settings['ansible_winrm_transport'].upper()}; modules under "
        f"{settings['ansible_become_method']} become as {settings['ansible_become_user']}, "
        f"which gives them credentials for {BACKUP_PATH} (the second hop)"
    )


def step(number: int, text: str) -> None:
    console.rule(f"[bold]{number}. {text}")


def story(lab: Lab, workdir: Path) -> None:
    step(1, "A 3-node failover cluster, each node a WinRM endpoint")
    console.print(f"lab in {lab.lab_dir}; inventory {lab.inventory_path}")
    console.print(connection_line(lab), markup=False)

    step(2, "cluster_info on every node, through ansible-playbook")
    initial = read_cluster(lab, workdir, "initial")
    show_cluster(initial)

    step(3, "Back up with the backup playbook, twice")
    backup = REPO_ROOT / "playbooks" / "backup.yml"
    first = changed_tasks(playbook(lab, backup, {"backup_path": BACKUP_PATH}))
    console.print(f"first run: {first} task(s) changed: a set was written under {BACKUP_PATH}")
    second = changed_tasks(playbook(lab, backup, {"backup_path": BACKUP_PATH}))
    verdict = "nothing changed" if second == 0 else f"{second} task(s) changed (unexpected)"
    console.print(f"second run: {verdict}: the newest set already holds this configuration")

    step(4, "An administrator changes the configuration (wsfc-lab change)")
    for change in CHANGES:
        command = ["wsfc-lab", "change", *change, "-d", str(lab.lab_dir)]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        console.print(f"$ {' '.join(command[:-2])}\n  {done.stdout.strip()}", markup=False)
    changed = read_cluster(lab, workdir, "changed")

    step(5, "Restore the backup: force=true, restore_consent=true")
    started = time.monotonic()
    for line in restore(lab, workdir):
        console.print(line, markup=False, highlight=False)
    console.print(f"restore took {time.monotonic() - started:.0f} s")

    step(6, "The configuration: backed up, before the restore, after it")
    restored = read_cluster(lab, workdir, "restored")
    show_configuration(
        flat_configuration(initial), flat_configuration(changed), flat_configuration(restored)
    )
    show_cluster(restored)


def main() -> int:
    signal.signal(signal.SIGTERM, _terminate)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="wsfc_demo_") as temporary:
        workdir = Path(temporary)
        try:
            with running_lab(workdir) as lab:
                story(lab, workdir)
        except DemoError as error:
            console.print(f"[red]demo failed: {error}[/red]")
            return 1
    console.print(f"[bold green]demo done in {time.monotonic() - started:.0f} s[/bold green]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
