"""The validation kit: the collection's integration targets and the real_cluster scenario
against a cluster, with an evidence report (docs/validating-on-a-real-cluster.md).

  python tests/kit/kit.py run --inventory inventory.winrm [--report DIR]
  python tests/kit/kit.py lab [--report DIR] [--no-scenario]

`run` runs every target of tests/integration/targets through `ansible-test
windows-integration --inventory` (the destructive ones only when the inventory sets
clusterdb_kit_allow_changes=true), then `molecule test -s real_cluster` against the same
inventory (only then too), and writes report.md and report.json into the report directory
with the logs of both. `lab` starts one two-node lab, writes its inventory.winrm with the
kit's variables, runs `run` against it, checks that no credential of the lab's inventory is
in the report, and stops the lab.

Run it after `. scripts/bootstrap.sh` (tests/kit/run_kit.sh and tests/kit/run_against_lab.sh
do that).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from evidence_report import Redactor, Step, group_steps, read_evidence, write_report

REPO_ROOT = Path(__file__).resolve().parents[2]
TARGETS = REPO_ROOT / "tests" / "integration" / "targets"
SCENARIO = "real_cluster"
REPORT_FILES = ("report.md", "report.json", "ansible-test.log", "molecule.log", "cleanup.log")
CLEANUP = REPO_ROOT / "tests" / "kit" / "cleanup.yml"
CALLBACKS = TARGETS / "setup_clusterdb_kit" / "callback_plugins"
LAB_EXAMPLE = REPO_ROOT / "tests" / "lab" / "examples" / "two-node-file-share-witness.yml"
PASSWORD_VARIABLES = (
    "ansible_password",
    "ansible_ssh_pass",
    "ansible_winrm_password",
    "ansible_psrp_password",
    "ansible_become_password",
    "ansible_become_pass",
)
USER_VARIABLES = (
    "ansible_user",
    "ansible_ssh_user",
    "ansible_winrm_user",
    "ansible_psrp_user",
    "ansible_become_user",
)


class KitError(Exception):
    """The kit cannot run as asked; the message names the problem and the fix."""


# -- the inventory -------------------------------------------------------------------------


@dataclass(frozen=True)
class KitInventory:
    path: Path
    hosts: list[str]
    allow_changes: bool
    backup_path: str
    passwords: frozenset[str]
    users: frozenset[str]

    @property
    def redactor(self) -> Redactor:
        return Redactor(self.passwords, self.users)


def _truthy(value: object) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on", "y", "t")


def read_inventory(path: Path) -> KitInventory:
    """The inventory as ansible-test reads it (an INI file it copies as inventory.winrm)."""
    if not path.is_file():
        raise KitError(f"{path} does not exist. Give the path of the cluster's inventory.winrm.")
    from ansible.inventory.manager import InventoryManager
    from ansible.parsing.dataloader import DataLoader
    from ansible.template import Templar
    from ansible.vars.manager import VariableManager

    with tempfile.TemporaryDirectory() as scratch:
        # Under the name ansible-test gives it: only the INI plugin reads such a file.
        copy_path = Path(scratch) / "inventory.winrm"
        shutil.copyfile(path, copy_path)
        loader = DataLoader()
        inventory = InventoryManager(loader=loader, sources=[str(copy_path)])
        variables = VariableManager(loader=loader, inventory=inventory)
        group = inventory.groups.get("windows")
        hosts = [h.name for h in group.get_hosts()] if group is not None else []
        if len(hosts) < 2:
            raise KitError(
                f"{path} has {len(hosts)} host(s) in a [windows] group; the kit runs against "
                "every node of one cluster of two or more nodes, listed under [windows] in an "
                "INI inventory (docs/validating-on-a-real-cluster.md shows one)."
            )
        passwords: set[str] = set()
        users: set[str] = set()
        first: dict[str, Any] = {}
        for name in hosts:
            host_vars = variables.get_vars(host=inventory.get_host(name))
            first = first or host_vars
            templar = Templar(loader=loader, variables=host_vars)
            for names, found in ((PASSWORD_VARIABLES, passwords), (USER_VARIABLES, users)):
                for key in names:
                    if key in host_vars:
                        value = templar.template(host_vars[key])
                        if isinstance(value, str) and value:
                            found.add(value)
        return KitInventory(
            path=path.resolve(),
            hosts=hosts,
            allow_changes=_truthy(first.get("clusterdb_kit_allow_changes", False)),
            backup_path=str(first.get("clusterdb_kit_backup_path") or ""),
            passwords=frozenset(passwords),
            users=frozenset(users),
        )


# -- the runs ------------------------------------------------------------------------------


def content_root() -> Path:
    """Where ansible-test finds the collection: .../ansible_collections/wsfc/clusterdb."""
    cache = Path(os.environ.get("WSFC_CACHE", REPO_ROOT / ".cache"))
    root = cache / "collections" / "ansible_collections" / "wsfc" / "clusterdb"
    if not root.is_dir():
        raise KitError(f"{root} is missing: run `. scripts/bootstrap.sh` first.")
    return root


def targets() -> dict[str, bool]:
    """Each integration target by name, and whether it changes the cluster (destructive)."""
    found = {}
    for directory in sorted(TARGETS.iterdir()):
        aliases = directory / "aliases"
        if directory.name.startswith("setup_") or not aliases.is_file():
            continue
        lines = [line.split("#")[0].strip() for line in aliases.read_text().splitlines()]
        found[directory.name] = "destructive" in lines
    return found


def run_logged(
    command: list[str], log: Path, redactor: Redactor, *, cwd: Path, env: dict[str, str]
) -> int:
    """Run a command, printing its output and keeping it, credentials removed, in `log`."""
    print(f"\n==== {' '.join(command)}", flush=True)
    with log.open("w", encoding="utf-8") as kept:
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, errors="replace",
        )  # fmt: skip
        assert process.stdout is not None
        for line in process.stdout:
            sys.stdout.write(line)
            kept.write(redactor.text(line))
        return process.wait()


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def run_kit(inventory_path: Path, report_dir: Path, *, scenario: bool = True) -> int:
    """Run the targets and the scenario against the inventory; write the report."""
    inventory = read_inventory(inventory_path)
    redactor = inventory.redactor
    report_dir.mkdir(parents=True, exist_ok=True)
    for name in REPORT_FILES:  # an earlier run's, which this run may not write again
        (report_dir / name).unlink(missing_ok=True)
    root = content_root()
    evidence_dir = root / "tests" / "output" / "clusterdb-kit"
    shutil.rmtree(evidence_dir, ignore_errors=True)
    evidence_dir.mkdir(parents=True)
    known = targets()
    started, clock = now(), time.monotonic()
    timings: dict[str, float] = {}

    env = dict(os.environ, ANSIBLE_TEST_CONTENT_ROOT=str(root))
    command = [
        "ansible-test", "windows-integration", "--local",
        "--python", f"{sys.version_info.major}.{sys.version_info.minor}",
        "--color", "no", "--continue-on-error", "--inventory", str(inventory.path),
    ]  # fmt: skip
    if inventory.allow_changes:
        command.append("--allow-destructive")
    run_started = time.monotonic()
    tests_rc = run_logged(command, report_dir / "ansible-test.log", redactor, cwd=root, env=env)
    timings["integration targets"] = round(time.monotonic() - run_started, 1)

    scenario_rc: int | None = None
    scenario_reason = ""
    if not scenario:
        scenario_reason = "not asked for (--no-scenario)"
    elif not inventory.allow_changes:
        scenario_reason = "it restores the cluster, and the inventory does not allow changes"
    else:
        env = dict(
            os.environ,
            CLUSTERDB_KIT_INVENTORY=str(inventory.path),
            CLUSTERDB_KIT_EVIDENCE=str(evidence_dir / "scenario.jsonl"),
            ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0", NO_COLOR="1", PY_COLORS="0",
        )  # fmt: skip
        run_started = time.monotonic()
        scenario_rc = run_logged(
            ["molecule", "test", "-s", SCENARIO], report_dir / "molecule.log", redactor,
            cwd=REPO_ROOT, env=env,
        )  # fmt: skip
        timings["real_cluster scenario"] = round(time.monotonic() - run_started, 1)

    cleanup_rc: int | None = None
    if inventory.allow_changes:
        env = dict(
            os.environ,
            CLUSTERDB_KIT_EVIDENCE=str(evidence_dir / "cleanup.jsonl"),
            CLUSTERDB_KIT_SCENARIO="kit",
            ANSIBLE_CONFIG=str(REPO_ROOT / "tests" / "ansible.cfg"),
            ANSIBLE_CALLBACK_PLUGINS=f"{REPO_ROOT / 'tests' / 'callback_plugins'}:{CALLBACKS}",
        )
        cleanup_rc = run_logged(
            ["ansible-playbook", "-i", str(inventory.path), str(CLEANUP)],
            report_dir / "cleanup.log", redactor, cwd=REPO_ROOT, env=env,
        )  # fmt: skip

    steps = group_steps(
        read_evidence(
            [evidence_dir / n for n in ("evidence.jsonl", "scenario.jsonl", "cleanup.jsonl")]
        )
    )
    ran = {s.name for s in steps}
    for name, destructive in known.items():
        if name not in ran:
            reason = (
                "destructive: the inventory does not set clusterdb_kit_allow_changes=true"
                if destructive and not inventory.allow_changes
                else "no task of it ran; see ansible-test.log"
            )
            steps.append(Step(name, "target", outcome="not run", reason=reason))
    scenario_step = f"{SCENARIO} (scenario)"
    if scenario_rc is None:
        steps.append(Step(scenario_step, "scenario", outcome="not run", reason=scenario_reason))
    elif scenario_rc != 0 and not failed_of(steps, "scenario"):
        reason = f"molecule exited with {scenario_rc}; see molecule.log"
        steps.append(Step(scenario_step, "scenario", outcome="failed", reason=reason))
    if tests_rc != 0 and not failed_of(steps, "target"):
        reason = f"ansible-test exited with {tests_rc}; see ansible-test.log"
        steps.append(Step("ansible-test", "target", outcome="failed", reason=reason))

    if cleanup_rc not in (None, 0) and not any(
        s.name == "kit cleanup" for s in failed_of(steps, "scenario")
    ):
        reason = f"ansible-playbook exited with {cleanup_rc}; see cleanup.log"
        steps.append(Step("kit cleanup", "scenario", outcome="failed", reason=reason))

    timings["total"] = round(time.monotonic() - clock, 1)
    kit = {
        "started": started,
        "ended": now(),
        "seconds": timings,
        "collection": _collection_version(),
        "ansible_core": _ansible_version(),
        "inventory_hosts": inventory.hosts,
        "changes_allowed": inventory.allow_changes,
        "backup_path": inventory.backup_path,
    }
    as_json, as_markdown = write_report(steps, kit, report_dir, redactor)
    failed = [s.name for s in steps if s.status == "failed"]
    print(f"\n==== validation kit: {'failed: ' + ', '.join(failed) if failed else 'passed'}")
    for step in steps:
        print(f"  {step.name:32} {step.status:8} {step.duration or '':>7} {step.reason}")
    print(f"  seconds: {json.dumps(timings)}")
    logs = ("ansible-test.log", "molecule.log", "cleanup.log")
    kept = ", ".join([as_json.name, *(n for n in logs if (report_dir / n).exists())])
    print(f"  report: {as_markdown} (and {kept})")
    return 1 if failed or tests_rc != 0 or scenario_rc not in (None, 0) or cleanup_rc else 0


def failed_of(steps: list[Step], kind: str) -> list[Step]:
    return [s for s in steps if s.kind == kind and s.status == "failed"]


def _collection_version() -> str:
    galaxy = yaml.safe_load((REPO_ROOT / "galaxy.yml").read_text(encoding="utf-8"))
    return f"{galaxy['namespace']}.{galaxy['name']} {galaxy['version']}"


def _ansible_version() -> str:
    from ansible.release import __version__

    return str(__version__)


# -- against a lab -------------------------------------------------------------------------


def lab_description() -> dict[str, Any]:
    """The two-node example with Windows Server Backup on both nodes (the kit needs it on
    every node, as a real test cluster has it), on a loopback network of its own."""
    spec = copy.deepcopy(yaml.safe_load(LAB_EXAMPLE.read_text(encoding="utf-8")))
    for node in spec["nodes"]:
        node.pop("windows_server_backup", None)
    spec["network"] = "127.0.241.0"
    return spec


def kit_inventory_text(lab_inventory: str, backup_path: str) -> str:
    """The lab's inventory.winrm with the kit's variables, as a user adds them."""
    return (
        lab_inventory
        + "\n# The validation kit's variables (docs/validating-on-a-real-cluster.md).\n"
        + "[windows:vars]\n"
        + "clusterdb_kit_allow_changes=True\n"
        + f"clusterdb_kit_backup_path={json.dumps(backup_path)}\n"
    )


def leaked_credentials(report_dir: Path, inventory: KitInventory) -> list[str]:
    """Each report file that holds a password or user name of the inventory."""
    found = []
    for path in sorted(report_dir.iterdir()):
        text = path.read_text(encoding="utf-8", errors="replace")
        for password in inventory.passwords:
            if password in text:
                found.append(f"{path.name}: a password")
        for user in inventory.users:
            if re.search(r"(?<![A-Za-z0-9_])" + re.escape(user) + r"(?![A-Za-z0-9_])", text, re.I):
                found.append(f"{path.name}: the user name {user}")
    return found


def run_against_lab(report_dir: Path, keep_lab: bool = False, *, scenario: bool = True) -> int:
    from wsfc_lab.lab import Lab
    from wsfc_lab.ports import free_port_pair
    from wsfc_lab.spec import parse_spec

    spec = lab_description()
    base = spec["network"].rsplit(".", 1)[0]
    addresses = [f"{base}.{11 + i}" for i in range(len(spec["nodes"]))] + [f"{base}.31"]
    http, https = free_port_pair(addresses)
    spec["ports"] = {"http": http, "https": https}
    lab_dir = Path(tempfile.mkdtemp(prefix="clusterdb-kit-lab-"))
    lab = Lab(lab_dir)
    clock = time.monotonic()
    try:
        lab.create(parse_spec(spec))
        lab.start()
        share = spec["file_servers"][0]["name"]
        inventory_path = lab_dir / "kit.winrm"
        inventory_path.write_text(
            kit_inventory_text(
                lab.winrm_inventory_path.read_text(encoding="utf-8"), f"\\\\{share}\\clusterbackups"
            ),
            encoding="utf-8",
        )
        print(f"lab started in {time.monotonic() - clock:.1f} s; its inventory: {inventory_path}")
        status = run_kit(inventory_path, report_dir, scenario=scenario)
        leaks = leaked_credentials(report_dir, read_inventory(inventory_path))
        if leaks:
            print("credentials of the lab's inventory in the report: " + "; ".join(leaks))
            status = 1
        else:
            print("no password or user name of the lab's inventory in the report")
    finally:
        lab.stop()
        if not keep_lab:
            shutil.rmtree(lab_dir, ignore_errors=True)
    print(f"validation kit against the lab: {time.monotonic() - clock:.1f} s in all")
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run the kit against the cluster of an inventory")
    run.add_argument("--inventory", required=True, type=Path, help="the INI inventory.winrm")
    run.add_argument("--report", type=Path, default=Path("clusterdb-kit-report"))
    run.add_argument("--no-scenario", action="store_true", help="the targets only")
    lab = commands.add_parser("lab", help="run the kit against a two-node lab")
    lab.add_argument("--report", type=Path, default=None)
    lab.add_argument("--keep-lab", action="store_true", help="leave the lab's directory")
    lab.add_argument("--no-scenario", action="store_true", help="the targets only")
    args = parser.parse_args(argv)
    try:
        if args.command == "run":
            return run_kit(args.inventory, args.report.resolve(), scenario=not args.no_scenario)
        report = args.report or REPO_ROOT / "tests" / "output" / "clusterdb-kit-report"
        return run_against_lab(
            report.resolve(), keep_lab=args.keep_lab, scenario=not args.no_scenario
        )
    except KitError as error:
        print(f"kit: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
