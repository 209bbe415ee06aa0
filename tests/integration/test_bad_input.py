"""Bad input, against one 3-node lab: every row of INPUTS is one value given to a playbook,
a role or a module, and what must become of it.

- REFUSED rows must fail before any module runs on a node, with a message that holds the
  words given (the option, the problem, the fix). All of them run first, in parallel (each
  its own ansible-playbook run); then the lab's execution log must be empty: no module ran
  on any node. Each run's own records say the same for that row: no task that reaches a node
  ran.
- ACCEPTED rows are literal data: the run goes past every check, and the value is found as
  given (in the check's message, the set path, the folder on the file server).

The table is the test: a row per input, with where it goes, the value as typed, and the
expectation. The counts are printed at the end (-s shows them).
"""

# The table keeps one input a line (two for the longest), under the 160 columns of pep8 sanity.
# ruff: noqa: E501

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from labs import example, running_lab
from playbook import REPO_ROOT, AnsibleRun, _run
from wsfc_lab.execution.execution_log import read_executions
from wsfc_lab.lab import Lab

BACKUP = REPO_ROOT / "playbooks" / "backup.yml"
RESTORE = REPO_ROOT / "playbooks" / "restore.yml"
SHARE = r"\\fs01\clusterbackups"
# Actions that run on the controller only: a record of one of them is no node touched.
CONTROLLER_ACTIONS = {
    "ansible.builtin.assert",
    "ansible.builtin.set_fact",
    "ansible.builtin.debug",
    "ansible.builtin.fail",
    "ansible.builtin.validate_argument_spec",
    "ansible.builtin.include_tasks",
    "ansible.builtin.import_tasks",
    "ansible.builtin.meta",
}
WORKERS = 3

BOOL = ("not a boolean", "true or false")
ANSIBLE_BOOL = ("is not a valid boolean", "Valid booleans include")
CONTROL = ("control character", "-e @vars.yml")
ENVIRONMENT = ("environment variables are not expanded", "Give the expanded path")


@dataclass(frozen=True)
class Expect:
    """``words``: what a refusal's message must hold; None: accepted, ``found`` must hold."""

    words: tuple[str, ...] | None = None
    found: tuple[str, ...] = ()

    @property
    def refused(self) -> bool:
        return self.words is not None


def refused(*words: str) -> Expect:
    return Expect(words=words)


def accepted(*found: str) -> Expect:
    return Expect(found=found)


@dataclass(frozen=True)
class Row:
    """One input. ``where``: "backup.yml -e", "restore.yml -e" (``value`` the raw -e
    argument, key=value or JSON), "backup role", "restore role" (``value`` the role's
    variables), or a module name (``value`` its options)."""

    where: str
    value: Any
    expect: Expect
    check_mode: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.where} {json.dumps(self.value, ensure_ascii=False)}"


def kv(text: str) -> str:
    """An -e key=value argument, exactly as typed (Ansible decodes its escapes)."""
    return text


def js(**values: Any) -> str:
    """An -e JSON argument: the values reach Ansible unchanged."""
    return json.dumps(values)


# fmt: off
INPUTS: list[Row] = [
    # --- playbooks/backup.yml, -e key=value: what Ansible's parser does to backslashes.
    Row("backup.yml -e", kv("backup_path="), refused("backup_path is empty", "backup_path is required", "Set backup_path")),
    Row("backup.yml -e", kv("backup_path=C:"), refused("backup_path 'C:'", "without a backslash", "C:\\Backups")),
    Row("backup.yml -e", kv(r"backup_path=\\fs01\new"), refused("backup_path", "'\\n'", *CONTROL)),
    Row("backup.yml -e", kv(r"backup_path=C:\backups"), refused("backup_path", "'\\x08'", *CONTROL)),
    Row("backup.yml -e", kv(r"backup_path=C:\tmp"), refused("backup_path", "'\\t'", *CONTROL)),
    Row("backup.yml -e", kv(r"backup_path=D:\reports"), refused("backup_path", "'\\r'", *CONTROL)),
    Row("backup.yml -e", kv(r"backup_path=E:\archive"), refused("backup_path", "'\\x07'", *CONTROL)),
    Row("backup.yml -e", kv(r"backup_path=F:\vault"), refused("backup_path", "'\\x0b'", *CONTROL)),
    Row("backup.yml -e", kv(r"backup_path=G:\files"), refused("backup_path", "'\\x0c'", *CONTROL)),
    Row("backup.yml -e", kv(r"backup_path=C:\%TEMP%\x"), refused("backup_path", "%TEMP%", *ENVIRONMENT)),
    Row("backup.yml -e", kv(r"backup_path=%SystemDrive%\Backups"), refused("backup_path", "%SystemDrive%", *ENVIRONMENT)),
    Row("backup.yml -e", kv(r"backup_path=C:\Backups\..\Windows"), refused("backup_path", "'..'", "without . or .. components")),
    Row("backup.yml -e", kv(r"backup_path=C:\Backups\."), refused("backup_path", "'.'", "without . or .. components")),
    Row("backup.yml -e", kv(r"backup_path=Backups\CLU"), refused("backup_path", "relative path", "absolute path")),
    Row("backup.yml -e", kv(r"backup_path=\\fs01\clusterbackups\..\other"), refused("backup_path", "'..'", "without . or ..")),
    Row("backup.yml -e", kv("backup_retention_kep=3"),
        refused("backup_retention_kep is not an option of the backup role", "Did you mean backup_retention_keep?", "argument_specs.yml")),
    Row("backup.yml -e", kv(r"backup_destination=D:\Copies"),
        refused("backup_destination is not an option", "Did you mean backup_destinations?", "Correct or remove")),
    Row("backup.yml -e", kv("backup_refresh_copie=true"), refused("backup_refresh_copie is not an option", "backup_refresh_copies", "Correct or remove")),
    Row("backup.yml -e", kv("backup_temporary_share=maybe"), refused("backup_temporary_share", *ANSIBLE_BOOL)),
    Row("backup.yml -e", kv("backup_refresh_copies=perhaps"), refused("backup_refresh_copies", *ANSIBLE_BOOL)),
    Row("backup.yml -e", kv("backup_loopback_target=2"), refused("backup_loopback_target", *ANSIBLE_BOOL)),
    Row("backup.yml -e", kv("backup_retention_keep=0"), refused("backup_retention_keep is 0", "1 or more")),
    Row("backup.yml -e", kv("backup_retention_keep=many"), refused("backup_retention_keep", "convert to int")),
    Row("backup.yml -e", kv("backup_leftover_age=soon"), refused("backup_leftover_age 'soon' is not a duration", "12h")),
    Row("backup.yml -e", js(backup_path=SHARE, backup_leftover_age="2 fortnights"), refused("backup_leftover_age", "not a duration", "s, m, h, d or w")),
    Row("backup.yml -e", kv("backup_route=fast"), refused("backup_route", "fast", "auto, vss, clusapi")),
    Row("backup.yml -e", kv("backup_temporary_share_name=a;b"), refused("backup_temporary_share_name", "';'", "Choose a name")),
    Row("backup.yml -e", kv("backup_temporary_share_name=pipe"), refused("backup_temporary_share_name", "reserves", "Choose another name")),
    Row("backup.yml -e", kv("backup_temporary_share_name=a=b"), refused("backup_temporary_share_name", "'='", "Choose a name")),
    Row("backup.yml -e", kv("backup_node_attempts=0"), refused("backup_node_attempts is 0", "1 or more")),
    Row("backup.yml -e", kv("backup_controller_dir=relative/dir"), refused("backup_controller_dir", "relative path", "absolute path")),
    Row("backup.yml -e", kv("backup_controller_dir=$HOME/sets"), refused("backup_controller_dir", "environment variable", "expanded path")),
    Row("backup.yml -e", kv("backup_controller_dir=/etc/passwd"), refused("backup_controller_dir", "is a file", "Give a folder")),
    Row("backup.yml -e", kv("backup_cluster_name=CLU:01"), refused("backup_cluster_name", "':'", "Remove ':'")),
    Row("backup.yml -e", kv("backup_cluster_name="), refused("backup_cluster_name is empty", "wsfc_cluster_name", "group_vars")),
    Row("backup.yml -e", kv("backup_cluster_name=CON"), refused("backup_cluster_name", "reserves for a device", "Choose another")),
    # --- playbooks/backup.yml, -e JSON: typed values, real backslashes.
    Row("backup.yml -e", js(backup_path=SHARE, backup_destinations=r"D:\Copies"),
        refused("backup_destinations", "not a list of folders", "Give backup_destinations as a list")),
    Row("backup.yml -e", js(backup_path=SHARE, backup_destinations=[r"C:\Backups\..\Windows"]), refused("backup_destinations[0]", "'..'", "without . or ..")),
    Row("backup.yml -e", js(backup_path=SHARE, backup_destinations=[r"D:\%DEST%"]), refused("backup_destinations[0]", "%DEST%", *ENVIRONMENT)),
    Row("backup.yml -e", js(backup_path=SHARE, backup_destinations=[5]), refused("backup_destinations[0] is 5", "not a path", "as a string")),
    Row("backup.yml -e", js(backup_path=SHARE, backup_destinations=["\\\\?\\C:\\x"]),
        refused("backup_destinations[0]", "extended-length prefix", "without the")),
    Row("backup.yml -e", js(backup_path=SHARE, backup_destinations=["C:"]), refused("backup_destinations[0] 'C:'", "without a backslash", "C:\\Backups")),
    Row("backup.yml -e", js(backup_path=SHARE, backup_destinations=[r"D:\ok", "D:\\a\tb"]),
        refused("backup_destinations[1]", "control character", "Remove the control character")),
    Row("backup.yml -e", js(backup_path="C:\\Back\nups"), refused("backup_path", "'\\n'", *CONTROL)),
    Row("backup.yml -e", js(backup_path=r"C:\Backups\NUL"), refused("backup_path", "reserves for a device", "Choose another directory name")),
    Row("backup.yml -e", js(backup_path=r"C:\Backups\name."), refused("backup_path", "ends with a space or a dot", "Remove the trailing")),
    Row("backup.yml -e", js(backup_path=r"C:\a<b"), refused("backup_path", "'<'", "Remove '<'")),
    Row("backup.yml -e", js(backup_path=r"C:\a|b"), refused("backup_path", "'|'", "Remove '|'")),
    Row("backup.yml -e", js(backup_path=r"C:\a?b"), refused("backup_path", "'?'", "Remove '?'")),
    Row("backup.yml -e", js(backup_path=r" C:\Backups"), refused("backup_path", "white space", "Remove the spaces")),
    Row("backup.yml -e", js(backup_path=r"\\fs01"), refused("backup_path", "no share", "\\\\fs01\\<share>")),
    Row("backup.yml -e", js(backup_path=r"\\fs01\sha*re"), refused("backup_path", "share name", "real name")),
    Row("backup.yml -e", js(backup_path=r"\\-bad\share"), refused("backup_path", "does not name a server", "\\\\server\\share")),
    Row("backup.yml -e", js(backup_path=r"1:\x"), refused("backup_path", "not a drive", "drive letter A-Z")),
    Row("backup.yml -e", js(backup_path=r"\\?\C:\Backups"), refused("backup_path", "extended-length prefix", "without the")),
    Row("backup.yml -e", js(backup_path=[r"C:\x"]), refused("backup_path is a list", "single string")),
    Row("backup.yml -e", js(backup_path="C:\\" + "a" * 256), refused("backup_path", "directory name of 256 characters", "at most 255")),
    Row("backup.yml -e", js(backup_path=SHARE, backup_temporary_share_dir=r"\\fs01\x"), refused("backup_temporary_share_dir", "UNC path", "local path")),
    Row("backup.yml -e", js(backup_path=SHARE, backup_temporary_share_dir="D:\\"),
        refused("backup_temporary_share_dir", "root of a drive", "folder below the root")),
    Row("backup.yml -e", js(backup_path=SHARE, backup_temporary_share_dir=r"C:\%TEMP%\share"), refused("backup_temporary_share_dir", "%TEMP%", *ENVIRONMENT)),
    Row("backup.yml -e", js(backup_path=SHARE, backup_temporary_share_name=""),
        refused("backup_temporary_share_name is empty", "needs a name", "WsfcClusterBackup$")),
    Row("backup.yml -e", js(backup_path=SHARE, backup_temporary_share_name="x" * 80),
        refused("backup_temporary_share_name is 80 characters", "shorter than 80", "shorter name")),
    Row("backup.yml -e", js(backup_path=SHARE, backup_node_account_domain="CORP\\"),
        refused("backup_node_account_domain", "more than the domain", "NetBIOS name")),
    Row("backup.yml -e", js(backup_path=SHARE, backup_cluster_group="Cluster\tGroup"),
        refused("backup_cluster_group", "control character", "Remove the control")),
    Row("backup.yml -e", js(backup_path=SHARE, backup_retention_keep=-1), refused("backup_retention_keep is -1", "1 or more")),
    Row("backup.yml -e", js(backup_path=SHARE, backup_leftover_age=-5), refused("backup_leftover_age '-5' is negative", "such as 1d")),
    Row("backup.yml -e", js(backup_path=SHARE, backup_node_attempts="three"), refused("backup_node_attempts", "convert to int")),
    Row("backup.yml -e", js(backup_path=SHARE, backup_loopback_target="sometimes"), refused("backup_loopback_target", *ANSIBLE_BOOL)),
    Row("backup.yml -e", js(backup_path=SHARE, backup_controller_dir=None), refused("backup_controller_dir is null", '""')),
    Row("backup.yml -e", js(backup_path=None), refused("backup_path")),
    # --- the backup role, its variables given by a play.
    Row("backup role", {"backup_path": "C:"}, refused("backup_path 'C:'", "without a backslash", "C:\\Backups")),
    Row("backup role", {"backup_path": ""}, refused("backup_path is empty", "backup_path is required", "Set backup_path")),
    Row("backup role", {"backup_path": SHARE, "backup_destinations": r"C:\x"}, refused("backup_destinations", "not a list", "as a list")),
    Row("backup role", {"backup_path": SHARE, "backup_temporary_share": "maybe"}, refused("backup_temporary_share", *ANSIBLE_BOOL)),
    Row("backup role", {"backup_path": SHARE, "backup_retention_keep": 0}, refused("backup_retention_keep is 0", "1 or more")),
    Row("backup role", {"backup_path": SHARE, "backup_retension_keep": 3},
        refused("backup_retension_keep is not an option", "Did you mean backup_retention_keep?", "Correct or remove")),
    Row("backup role", {"backup_path": r"%BACKUPROOT%\clusters"}, refused("backup_path", "%BACKUPROOT%", *ENVIRONMENT)),
    Row("backup role", {"backup_path": r"C:\a\..\b", "backup_retention_keep": 0}, refused("refuses 2 of its options", "'..'", "1 or more")),
    Row("backup role", {"backup_path": SHARE, "backup_temporary_share_name": "bad,name"}, refused("backup_temporary_share_name", "','", "Choose a name")),
    Row("backup role", {"backup_path": SHARE, "backup_controller_dir": "sets"}, refused("backup_controller_dir", "relative path", "absolute path")),
    # --- playbooks/restore.yml, -e: the playbook's own names, then the role's.
    Row("restore.yml -e", kv("force=maybe"), refused("force is 'maybe'", *BOOL), extra={"backup_path": SHARE}),
    Row("restore.yml -e", kv("force=perhaps"), refused("force is 'perhaps'", *BOOL), extra={"backup_path": SHARE}),
    Row("restore.yml -e", kv("force=2"), refused("force is '2'", *BOOL), extra={"backup_path": SHARE}),
    Row("restore.yml -e", kv("force=tru"), refused("force is 'tru'", *BOOL), extra={"backup_path": SHARE}),
    Row("restore.yml -e", js(force="sometimes", backup_path=SHARE), refused("force is 'sometimes'", *BOOL)),
    Row("restore.yml -e", kv("quorum_drive=Q"), refused("quorum_drive 'Q'", "drive letter followed by a colon", "Q:"), extra={"backup_path": SHARE}),
    Row("restore.yml -e", kv("quorum_drive=QQ:"), refused("quorum_drive 'QQ:'", "drive letter", "single letter")),
    Row("restore.yml -e", kv("quorum_drive=Q:\\"), refused("quorum_drive", "drive letter", "no backslash"), extra={"backup_path": SHARE}),
    Row("restore.yml -e", kv("backup_path="), refused("backup_path is empty", "required", "-e backup_path=")),
    Row("restore.yml -e", kv(r"backup_path=\\fs01\new"), refused("backup_path", "'\\n'", *CONTROL)),
    Row("restore.yml -e", kv(r"backup_path=C:\%TEMP%"), refused("backup_path", "%TEMP%", *ENVIRONMENT)),
    Row("restore.yml -e", kv("backup_path=C:"), refused("backup_path 'C:'", "without a backslash", "C:\\Backups")),
    Row("restore.yml -e", kv(r"backup_path=C:\Backups\..\Windows"), refused("backup_path", "'..'", "without . or ..")),
    Row("restore.yml -e", kv("restore_sett=20261122T020304Z_clusterdb_e1s1"),
        refused("restore_sett is not an option of the restore role", "Did you mean restore_set?", "argument_specs.yml"), extra={"backup_path": SHARE}),
    Row("restore.yml -e", kv("restore_nod=NODE2"),
        refused("restore_nod is not an option", "Did you mean restore_node?", "Correct or remove"), extra={"backup_path": SHARE}),
    Row("restore.yml -e", kv("restore_consnet=true"),
        refused("restore_consnet is not an option", "Did you mean restore_consent?", "Correct or remove"), extra={"backup_path": SHARE}),
    Row("restore.yml -e", kv("restore_consent=maybe"), refused("restore_consent", *ANSIBLE_BOOL), extra={"backup_path": SHARE}),
    Row("restore.yml -e", kv(r"restore_set=..\..\Windows"),
        refused("restore_set", "path separator", "only the directory's own name"), extra={"backup_path": SHARE}),
    Row("restore.yml -e", kv("restore_set=.."), refused("restore_set", "'..'", "without . or .."), extra={"backup_path": SHARE}),
    Row("restore.yml -e", kv("restore_set=%SET%"), refused("restore_set", "%SET%", *ENVIRONMENT), extra={"backup_path": SHARE}),
    Row("restore.yml -e", kv("restore_safety_backup_path=C:"),
        refused("restore_safety_backup_path 'C:'", "without a backslash", "C:\\Backups"), extra={"backup_path": SHARE}),
    Row("restore.yml -e", kv("restore_safety_backup=sometimes"), refused("restore_safety_backup", *ANSIBLE_BOOL), extra={"backup_path": SHARE}),
    Row("restore.yml -e", kv("restore_route=legacy"), refused("restore_route", "legacy", "auto, vss, clusapi"), extra={"backup_path": SHARE}),
    Row("restore.yml -e", kv("restore_start_timeout=0"), refused("restore_start_timeout is 0", "1 or more"), extra={"backup_path": SHARE}),
    Row("restore.yml -e", kv("restore_wait_retries=soon"), refused("restore_wait_retries", "convert to int"), extra={"backup_path": SHARE}),
    Row("restore.yml -e", kv("restore_wait_delay=-1"), refused("restore_wait_delay is -1", "0 or more"), extra={"backup_path": SHARE}),
    Row("restore.yml -e", kv("restore_loopback_target=maybe"), refused("restore_loopback_target", *ANSIBLE_BOOL), extra={"backup_path": SHARE}),
    Row("restore.yml -e", js(backup_path=SHARE, restore_node="NODE1\n"), refused("restore_node", "control character", "Remove the control")),
    Row("restore.yml -e", js(backup_path=SHARE, restore_safety_backup_path=r"C:\%TEMP%"), refused("restore_safety_backup_path", "%TEMP%", *ENVIRONMENT)),
    Row("restore.yml -e", js(backup_path=SHARE, restore_set="a/b"), refused("restore_set", "path separator", "only the directory's own name")),
    Row("restore.yml -e", js(backup_path=SHARE, restore_set="bad:name"), refused("restore_set", "':'", "Remove ':'")),
    Row("restore.yml -e", js(backup_path=[SHARE]), refused("backup_path is a list", "single string")),
    # --- the restore role, its variables given by a play.
    Row("restore role", {"restore_backup_path": SHARE, "restore_force": "maybe"}, refused("restore_force", *ANSIBLE_BOOL)),
    Row("restore role", {"restore_backup_path": SHARE, "restore_sett": "x"},
        refused("restore_sett is not an option", "Did you mean restore_set?", "Correct or remove")),
    Row("restore role", {"restore_backup_path": SHARE, "restore_set": ".."}, refused("restore_set", "'..'", "without . or ..")),
    Row("restore role", {"restore_backup_path": ""}, refused("restore_backup_path is empty", "required", "restore_backup_path with the role")),
    Row("restore role", {"restore_backup_path": SHARE, "restore_quorum_drive": "Q"}, refused("restore_quorum_drive 'Q'", "drive letter", "Q:")),
    # --- the modules' options (a task on NODE1).
    Row("cluster_backup", {"path": ""}, refused("path is empty", "path is required", "Set path")),
    Row("cluster_backup", {"path": "C:"}, refused("path 'C:'", "without a backslash", "C:\\Backups")),
    Row("cluster_backup", {"path": r"C:\Backups\..\Windows"}, refused("path", "'..'", "without . or ..")),
    Row("cluster_backup", {"path": r"C:\%TEMP%\x"}, refused("path", "%TEMP%", *ENVIRONMENT)),
    Row("cluster_backup", {"path": "C:\\Back\nups"}, refused("path", "'\\n'", "Remove the control character")),
    Row("cluster_backup", {"path": "relative"}, refused("path", "relative path", "absolute path")),
    Row("cluster_backup", {"path": r"\\?\C:\x"}, refused("path", "extended-length prefix", "without the")),
    Row("cluster_backup", {"path": SHARE, "route": "fast"}, refused("route", "fast", "auto, vss, clusapi")),
    Row("cluster_backup", {"path": SHARE, "loopback_target": "maybe"}, refused("loopback_target", "not a valid boolean")),
    Row("cluster_backup", {"path": SHARE, "pathh": SHARE}, refused("pathh", "Invalid options")),
    Row("cluster_backup", {"path": r"C:\Backups", "route": "vss"}, refused("loopback_target", "C:\\Backups")),
    Row("cluster_restore", {"path": ""}, refused("path is empty", "path is required", "Set path")),
    Row("cluster_restore", {"path": "C:\\"}, refused("root of a drive or a share", "directory of one set")),
    Row("cluster_restore", {"path": r"\\fs01\clusterbackups\%SET%"}, refused("path", "%SET%", *ENVIRONMENT)),
    Row("cluster_restore", {"path": r"..\set"}, refused("path", "relative path", "absolute path")),
    Row("cluster_restore", {"path": SHARE + r"\CLU01\x", "quorum_drive": "Q"}, refused("quorum_drive 'Q'", "drive letter", "Q:")),
    Row("cluster_restore", {"path": SHARE + r"\CLU01\x", "quorum_drive": "QQ:"}, refused("quorum_drive 'QQ:'", "drive letter", "single letter")),
    Row("cluster_restore", {"path": SHARE + r"\CLU01\x", "force": "maybe"}, refused("force", "not a valid boolean")),
    Row("cluster_restore", {"path": SHARE + r"\CLU01\x", "route": "legacy"}, refused("route", "legacy", "auto, vss, clusapi")),
    Row("cluster_restore", {"path": r"\\fs01"}, refused("path", "no share", "\\\\fs01\\<share>")),
    Row("backup_set_info", {"path": ""}, refused("path is empty", "path is required", "Set path")),
    Row("backup_set_info", {"path": r"C:\a\..\b"}, refused("path", "'..'", "without . or ..")),
    Row("backup_set_info", {"path": r"%ProgramData%\sets"}, refused("path", "%ProgramData%", *ENVIRONMENT)),
    Row("backup_set_info", {"path": SHARE, "verify": "maybe"}, refused("verify", "not a valid boolean")),
    Row("backup_set_info", {"path": "D:\\a\tb"}, refused("path", "'\\t'", "Remove the control character")),
    Row("backup_set_info", {"path": SHARE, "cluster": "CLU01"}, refused("cluster", "Invalid options")),
    Row("cluster_node", {"state": "maybe"}, refused("state", "maybe", "started")),
    Row("cluster_node", {"state": "started", "timeout": "soon"}, refused("timeout", "convert to int")),
    Row("cluster_node", {"state": "started", "timeout": 0}, refused("timeout is 0 seconds", "at least 1 second")),
    Row("cluster_node", {"state": "started", "force_quorum": "maybe"}, refused("force_quorum", "not a valid boolean")),
    Row("cluster_node", {"state": "started", "force_quorum": True, "prevent_quorum": True},
        refused("force_quorum and prevent_quorum are both set", "Use force_quorum")),
    Row("cluster_node", {"state": "stopped", "force_quorum": True}, refused("force_quorum applies when the Cluster service starts", "Remove force_quorum")),
    Row("cluster_info", {"include_configuration": "maybe"}, refused("include_configuration", "not a valid boolean")),
    Row("cluster_info", {"include_configurations": False}, refused("include_configurations", "Invalid options")),
    # --- accepted as literal data: legal in Windows names, and the forms Ansible repairs.
    Row("backup.yml -e", js(backup_path=SHARE + r"\odd ;$(x)&'`name"), accepted(SHARE + r"\odd ;$(x)&'`name\CLU01"), check_mode=True),
    Row("backup.yml -e", js(backup_path=SHARE + r"\100%"), accepted(SHARE + r"\100%\CLU01"), check_mode=True),
    Row("backup.yml -e", js(backup_path=SHARE + r"\Sauvegardes été"), accepted(SHARE + r"\Sauvegardes été\CLU01"), check_mode=True),
    Row("backup.yml -e", js(backup_path=SHARE + r"\a[1]b"), accepted(SHARE + r"\a[1]b\CLU01"), check_mode=True),
    Row("backup.yml -e", kv(r"backup_path=\\fs01\clusterbackups\Weekly"), accepted(SHARE + r"\Weekly\CLU01"), check_mode=True),
    Row("backup.yml -e", kv("backup_temporary_share=yes"),
        accepted("Check mode: would back up"), check_mode=True, extra={"backup_path": SHARE, "backup_loopback_target": True}),
    Row("backup.yml -e", js(backup_path=SHARE + r"\50% off"), accepted(SHARE + r"\50% off\CLU01")),
    Row("restore.yml -e", kv("force=yes"), accepted("no complete backup set"), check_mode=True, extra={"backup_path": SHARE + r"\empty"}),
    Row("restore.yml -e", js(force="false", backup_path=SHARE + r"\empty"), accepted("no complete backup set"), check_mode=True),
    Row("restore.yml -e", kv("restore_set=odd;$(x)&name"), accepted("odd;$(x)&name"), check_mode=True, extra={"backup_path": SHARE}),
    Row("backup_set_info", {"path": SHARE + r"\odd;$(x)&'name"}, accepted(SHARE + r"\odd;$(x)&'name")),
    Row("backup_set_info", {"path": SHARE + r"\100%"}, accepted(SHARE + r"\100%")),
    Row("cluster_backup", {"path": SHARE + r"\$(Get-Date) x"}, accepted(SHARE + r"\$(Get-Date) x"), check_mode=True),
]
# fmt: on


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    with running_lab(example("three-node"), tmp_path_factory.mktemp("bad_input")) as started:
        yield started


def _playbook(row: Row, directory: Path) -> tuple[Path, list[str]]:
    """The playbook and the -e arguments that give the row's value where it goes."""
    if row.where in ("backup.yml -e", "restore.yml -e"):
        arguments = ["-e", json.dumps(row.extra)] if row.extra else []
        return (BACKUP if row.where.startswith("backup") else RESTORE), [
            *arguments,
            "-e",
            row.value,
        ]
    path = directory / "play.yml"
    if row.where in ("backup role", "restore role"):
        role = "wsfc.clusterdb." + row.where.split()[0]
        play = {
            "hosts": "clu01",
            "gather_facts": False,
            "roles": [{"role": role, "vars": row.value}],
        }
    else:
        task = {"name": "The module", f"wsfc.clusterdb.{row.where}": row.value}
        play = {"hosts": "NODE1", "gather_facts": False, "tasks": [task]}
    path.write_text(yaml.safe_dump([play], allow_unicode=True), encoding="utf-8")
    return path, []


def _run_row(lab: Lab, row: Row, directory: Path) -> AnsibleRun:
    directory.mkdir(parents=True, exist_ok=True)
    playbook, arguments = _playbook(row, directory)
    command = ["ansible-playbook", "-i", str(lab.inventory_path), str(playbook), *arguments]
    if row.check_mode:
        command.append("--check")
    return _run(command, None, 600, None)


def _touched_nodes(run: AnsibleRun) -> list[str]:
    """The tasks of the run that reached a node: a module that is not a controller action
    and that did not fail on the controller. A module refused by its action plugin is a
    failed record (its module_runs 0 where the plugin counts them); that it ran nothing on
    the node is the lab's execution log's to say."""
    return [
        f"{r.host}: {r.task} ({r.action}, {r.status})"
        for r in run.records
        if r.action not in CONTROLLER_ACTIONS
        and (r.status not in ("skipped", "failed") or r.result.get("module_runs", 0) > 0)
    ]


def _messages(run: AnsibleRun) -> str:
    return "\n".join(str(r.result.get("msg", "")) for r in run.records if r.status == "failed")


def _parallel(rows: list[tuple[int, Row]], action: Callable[[int, Row], Any]) -> list[Any]:
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(lambda item: action(*item), rows))


def test_the_table_covers_every_playbook_role_and_module() -> None:
    assert len(INPUTS) >= 100
    wheres = {row.where for row in INPUTS}
    assert wheres >= {
        "backup.yml -e", "restore.yml -e", "backup role", "restore role", "cluster_info",
        "cluster_backup", "cluster_restore", "cluster_node", "backup_set_info",
    }  # fmt: skip
    labels = [row.label for row in INPUTS]
    assert len(labels) == len(set(labels)), "a row is listed twice"


def test_bad_input_is_refused_before_any_node_is_touched_and_data_is_accepted(
    lab: Lab, tmp_path: Path
) -> None:
    refused_rows = [(n, row) for n, row in enumerate(INPUTS) if row.expect.refused]
    accepted_rows = [(n, row) for n, row in enumerate(INPUTS) if not row.expect.refused]
    assert read_executions(lab.lab_dir) == [], "the lab ran a module before the test did"

    runs = _parallel(refused_rows, lambda n, row: _run_row(lab, row, tmp_path / f"row{n}"))
    problems = []
    for (n, row), run in zip(refused_rows, runs, strict=True):
        messages = _messages(run)
        missing = [w for w in row.expect.words or () if w not in messages]
        if run.rc == 0 or missing or _touched_nodes(run):
            problems.append(
                f"row {n} {row.label}: rc={run.rc}, missing {missing}, "
                f"reached {_touched_nodes(run)}\n{messages or run.output[-2000:]}"
            )
    # The lab's own record: no module ran on any node during all the refused runs.
    executions = read_executions(lab.lab_dir)
    assert not problems, "\n\n".join(problems)
    assert executions == [], executions

    # Accepted rows go past every check, one after the other (some write a set).
    accepted_problems = []
    for n, row in accepted_rows:
        run = _run_row(lab, row, tmp_path / f"row{n}")
        text = json.dumps([r.result for r in run.records], ensure_ascii=False) + run.output
        validation = [r for r in run.records if r.task.endswith("before any node is touched")] + [
            r for r in run.records if r.action == "ansible.builtin.validate_argument_spec"
        ]
        missing = [f for f in row.expect.found if f not in text and f not in _unescaped(text)]
        if any(r.status == "failed" for r in validation) or missing:
            accepted_problems.append(
                f"row {n} {row.label}: missing {missing}\n{run.output[-3000:]}"
            )
    assert not accepted_problems, "\n\n".join(accepted_problems)

    # A value accepted as data is written as given: the folder with the row's literal name.
    written = lab.world.resolve_path("FS01", r"C:\Shares\clusterbackups\50% off\CLU01")
    assert written.is_dir() and any(p.is_dir() for p in written.iterdir())

    report = (
        f"bad input: {len(INPUTS)} inputs tried, {len(refused_rows)} refused before any node "
        f"was touched, {len(accepted_rows)} accepted as data"
    )
    print(report)
    (Path(os.environ.get("WSFC_BAD_INPUT_REPORT", tmp_path / "report.txt"))).write_text(
        report + "\n", encoding="utf-8"
    )


def _unescaped(text: str) -> str:
    """JSON text with its backslash escapes undone, to find a Windows path in it."""
    return text.replace("\\\\", "\\")
