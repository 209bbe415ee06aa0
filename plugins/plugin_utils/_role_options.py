# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The options of the collection's roles, checked on the controller before any node is touched.

Each role checks every option it is given in its first task (the role_options filter), so that
a bad value is refused with the option named, the problem and the fix, before a module runs
on a node, instead of failing half way or being read as something else:

- the type the role's ``meta/argument_specs.yml`` gives (a boolean that is not one, ``maybe``,
  is refused instead of being read as false; a list given as a string is refused);
- what each option means: paths (plugin_utils._paths: ``..``, ``%NAME%``, control characters,
  a drive without a backslash), share names, durations, counts;
- a variable with the role's prefix that the role does not know (``restore_sett``): the
  options are read from the role's ``meta/argument_specs.yml`` and the names the role sets
  itself from its ``vars/main.yml`` and task files, so there is no second list to keep.

Values arrive as Ansible gives them to a role: YAML or JSON types, or strings from
``-e key=value``; a path then also carries what key=value decoding did to it
(plugin_utils._paths.restore_lost_unc_backslash, check_no_control_characters).
"""

from __future__ import annotations

import difflib
import getpass
import os
import re
import typing as t
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from ansible.module_utils.parsing.convert_bool import boolean
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._duration import parse_duration
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._paths import (
    BackupPath,
    check_no_control_characters,
    quoted,
    restore_lost_unc_backslash,
    validate_backup_path,
    validate_directory_name,
    validate_local_directory,
    validate_quorum_drive,
    validate_share_name,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._refusal import PolicyRefusal

# The modules that read keys are imported by the checks of those options only: this module
# is loaded in every worker that checks a role's options (the role_options filter), most of
# which set no key, and the manifest module they import is the largest of the collection.

# plugins/plugin_utils/ -> the collection's root, which holds roles/.
COLLECTION_ROOT = Path(__file__).resolve().parents[2]
# The role each prefix belongs to: a variable starting with it is the role's.
ROLE_PREFIXES = {"backup": "backup_", "restore": "restore_", "drift": "drift_"}

_INTEGER = re.compile(r"^[+-]?\d+$")
# $NAME or ${NAME}: expanded by the file and fetch modules on the controller, but not by
# every reader of the controller directory.
_POSIX_VARIABLE = re.compile(r"\$\{?[A-Za-z_]")
_SET_FACT = ("ansible.builtin.set_fact", "set_fact", "ansible.legacy.set_fact")
_BLOCK_KEYS = ("block", "rescue", "always")


@dataclass(frozen=True)
class OptionSpec:
    """One option as ``meta/argument_specs.yml`` declares it."""

    name: str
    type: str
    elements: str | None = None
    choices: tuple[t.Any, ...] | None = None
    required: bool = False
    default: t.Any = None


@dataclass(frozen=True)
class RoleSpec:
    role: str
    prefix: str
    options: Mapping[str, OptionSpec]
    # Names the role sets itself (vars/main.yml, set_fact, register, vars, loop_var): known,
    # but not options.
    internal: frozenset[str]

    def knows(self, name: str) -> bool:
        return name in self.options or name in self.internal


@dataclass(frozen=True)
class OptionRefusal:
    """A refused option: ``option`` as the operator named it, the problem and the fix."""

    option: str
    problem: str
    fix: str

    @property
    def text(self) -> str:
        return f"{self.problem} {self.fix}"

    def as_result(self) -> dict[str, str]:
        return {"option": self.option, "problem": self.problem, "fix": self.fix, "msg": self.text}


def _writable(path: str) -> bool:
    return os.access(path, os.W_OK | os.X_OK)


@dataclass(frozen=True)
class ControllerFiles:
    """The controller's file system as the controller-directory check reads it (tests
    replace it)."""

    exists: Callable[[str], bool] = os.path.exists
    is_dir: Callable[[str], bool] = os.path.isdir
    writable: Callable[[str], bool] = _writable
    user: Callable[[], str] = getpass.getuser


def load_role_spec(role: str, root: Path | None = None) -> RoleSpec:
    """The options and the role's own names of ``role`` (backup, restore)."""
    return _load_role_spec(role, str(root or COLLECTION_ROOT))


@lru_cache(maxsize=8)
def _load_role_spec(role: str, root: str) -> RoleSpec:
    if role not in ROLE_PREFIXES:
        raise ValueError(f"unknown role {role!r}; known: {', '.join(sorted(ROLE_PREFIXES))}")
    role_dir = Path(root) / "roles" / role
    specs = _yaml_mapping(role_dir / "meta" / "argument_specs.yml")
    entry = (specs.get("argument_specs") or {}).get("main") or {}
    options = {
        name: OptionSpec(
            name=name,
            type=str(spec.get("type") or "str"),
            elements=spec.get("elements"),
            choices=tuple(spec["choices"]) if spec.get("choices") else None,
            required=bool(spec.get("required")),
            default=spec.get("default"),
        )
        for name, spec in (entry.get("options") or {}).items()
    }
    # The options of the role's other entry points (tasks_from) are known names too.
    internal: set[str] = {
        name
        for other in (specs.get("argument_specs") or {}).values()
        if isinstance(other, dict)
        for name in (other.get("options") or {})
    }
    for name in ("defaults", "vars"):
        internal.update(_yaml_mapping(role_dir / name / "main.yml").keys())
    for tasks_file in sorted((role_dir / "tasks").glob("*.yml")):
        internal.update(_names_set_by(_yaml(tasks_file)))
    return RoleSpec(role, ROLE_PREFIXES[role], options, frozenset(internal - set(options)))


# libyaml's safe loader where PyYAML has it: the role's files are read in every worker
# process that checks the options, and the pure-Python loader takes most of that time.
_SAFE_LOADER: t.Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _yaml(path: Path) -> object:
    if not path.is_file():
        return None
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)


def _yaml_mapping(path: Path) -> dict[str, t.Any]:
    document = _yaml(path)
    return document if isinstance(document, dict) else {}


def _names_set_by(tasks: object) -> Iterator[str]:
    """The variable names a list of tasks sets: register, set_fact, vars, loop_var."""
    if not isinstance(tasks, list):
        return
    for task in tasks:
        if not isinstance(task, dict):
            continue
        if isinstance(task.get("register"), str):
            yield task["register"]
        for key in _SET_FACT:
            if isinstance(task.get(key), dict):
                yield from (k for k in task[key] if k != "cacheable")
        if isinstance(task.get("vars"), dict):
            yield from task["vars"]
        loop_var = (task.get("loop_control") or {}).get("loop_var")
        if isinstance(loop_var, str):
            yield loop_var
        for key in _BLOCK_KEYS:
            yield from _names_set_by(task.get(key))


def check_role_options(
    spec: RoleSpec,
    values: Mapping[str, t.Any],
    *,
    defined: Iterable[str] | None = None,
    aliases: Mapping[str, str] | None = None,
    controller: ControllerFiles | None = None,
) -> list[OptionRefusal]:
    """Every problem with the role's options, in the order of ``values``; empty when none.

    ``values`` maps the names the operator used to their values: the role's options, or
    with ``aliases`` a playbook's own names (``force`` for ``restore_force``). ``defined``
    lists every variable name the role can see; those with the role's prefix that the role
    does not know are refused.
    """
    aliases = dict(aliases or {})
    controller = controller or ControllerFiles()
    refusals: list[OptionRefusal] = []
    checked: dict[str, t.Any] = {}
    for given, value in values.items():
        option = aliases.get(given, given)
        if option not in spec.options:
            continue
        label = given
        try:
            typed = _typed(spec.options[option], label, value)
        except PolicyRefusal as refusal:
            refusals.append(OptionRefusal(given, refusal.problem, refusal.fix))
            continue
        element_check = _EACH_ELEMENT.get(option)
        if element_check is not None and isinstance(typed, list):
            # Every entry is checked, so that one run names every bad destination.
            checked[option] = []
            for number, item in enumerate(typed):
                try:
                    checked[option].append(element_check(f"{label}[{number}]", item, controller))
                except PolicyRefusal as refusal:
                    refusals.append(OptionRefusal(given, refusal.problem, refusal.fix))
            continue
        meaning = _MEANING.get(option)
        try:
            checked[option] = meaning(label, typed, controller) if meaning else typed
        except PolicyRefusal as refusal:
            refusals.append(OptionRefusal(given, refusal.problem, refusal.fix))
    refusals.extend(_check_together(spec, checked, controller))
    if defined is not None:
        refusals.extend(_unknown(spec, defined))
    return refusals


def refusal_message(what: str, refusals: list[OptionRefusal]) -> str:
    """One message for the operator: every refused option, and that no node was touched.

    ``what`` names who refuses: "backup role", "restore playbook".
    """
    if not refusals:
        return ""
    if len(refusals) == 1:
        return f"The {what} refuses its options; no node was touched. {refusals[0].text}"
    lines = [f"The {what} refuses {len(refusals)} of its options; no node was touched."]
    lines.extend(f"- {r.text}" for r in refusals)
    return "\n".join(lines)


def _unknown(spec: RoleSpec, defined: Iterable[str]) -> Iterator[OptionRefusal]:
    for name in sorted(set(defined)):
        if not name.startswith(spec.prefix) or spec.knows(name):
            continue
        close = difflib.get_close_matches(name, list(spec.options), n=1, cutoff=0.75)
        hint = f" Did you mean {close[0]}?" if close else ""
        yield OptionRefusal(
            name,
            f"{name} is not an option of the {spec.role} role, so it would be ignored.{hint}",
            f"Correct or remove {name}; the role's options are listed in "
            f"roles/{spec.role}/meta/argument_specs.yml (ansible-doc -t role "
            f"wsfc.clusterdb.{spec.role}).",
        )


def _typed(option: OptionSpec, label: str, value: object) -> object:
    if option.type == "bool":
        return _boolean(label, value)
    if option.type == "int":
        return _integer(label, value, option.default)
    if option.type == "list":
        if option.name in _KEY_LISTS and not isinstance(value, list | tuple):
            # Never quoted: a private key given here by mistake would be shown.
            raise PolicyRefusal(
                f"{label} is {_kind(value)}, not a list of public keys (the value is not shown).",
                f"Give {label} as a list of PEM texts, one per trusted key.",
            )
        return _string_list(label, value)
    text = _string(label, value, option)
    if option.choices is not None and text not in option.choices:
        choices = ", ".join(str(c) for c in option.choices)
        raise PolicyRefusal(
            f"{label} is {value!r}, which is not one of its choices ({choices}).",
            f"Set {label} to one of {choices}.",
        )
    if option.required and text == "":
        raise PolicyRefusal(f"{label} is empty: {label} is required.", _REQUIRED_FIX[option.name])
    return text


def _boolean(label: str, value: object) -> bool:
    try:
        return boolean(value, strict=True)
    except TypeError:
        raise PolicyRefusal(
            f"{label} is {value!r}, which is not a boolean (it would not be read as true or "
            "false, whatever was meant).",
            f"Set {label} to true or false (yes/no, on/off and 1/0 are read the same way).",
        ) from None


def _integer(label: str, value: object, default: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _INTEGER.match(value.strip()):
        return int(value)
    raise PolicyRefusal(
        f"{label} is {value!r}, which is not a whole number.",
        f"Set {label} to a whole number, such as {default}.",
    )


def _string(label: str, value: object, option: OptionSpec) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        example = option.default if option.default not in (None, "") else "a value"
        raise PolicyRefusal(
            f"{label} is null.",
            f'Give {label} a text value ({example}), or "" where empty means none.',
        )
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise PolicyRefusal(
        f"{label} is {_kind(value)}, not a text value.",
        f"Give {label} as a single string.",
    )


def _kind(value: object) -> str:
    """What a value is, in YAML's words (Ansible wraps lists and dicts in its own types)."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple | set):
        return "a list"
    return f"a {type(value).__name__}"


def _string_list(label: str, value: object) -> list[str]:
    if isinstance(value, str):
        raise PolicyRefusal(
            f"{label} is the string {quoted(value)}, not a list of folders.",
            f"Give {label} as a list: in YAML, or on the command line as JSON, "
            f'-e \'{{"{label}": ["D:\\\\Copies"]}}\'.',
        )
    if not isinstance(value, list | tuple):
        raise PolicyRefusal(
            f"{label} is {_kind(value)}, not a list of folders.",
            f"Give {label} as a list of paths, such as [D:\\Copies, \\\\fs02\\backups].",
        )
    items = []
    for number, item in enumerate(value):
        if not isinstance(item, str):
            raise PolicyRefusal(
                f"{label}[{number}] is {quoted(item)}, not a path.",
                f"Give every entry of {label} as a string, such as D:\\Copies.",
            )
        items.append(item)
    return items


# How to fix an empty required option.
_REQUIRED_FIX = {
    "backup_path": "Set backup_path to the folder that holds the backup sets, such as "
    "-e backup_path='\\\\fs01\\clusterbackups' or D:\\Backups.",
    "drift_backup_path": "Name the folder the backup role writes to: "
    "-e backup_path='\\\\fs01\\clusterbackups' with the playbook, drift_backup_path with the "
    "role.",
    "restore_backup_path": "Name the folder that holds the backup sets: "
    "-e backup_path='\\\\fs01\\clusterbackups' with the playbook, restore_backup_path with the "
    "role.",
}


def _windows_path(label: str, value: str, _controller: ControllerFiles) -> BackupPath:
    # The path the role will use: what windows_path makes of it (a control character is
    # refused, a lost UNC backslash put back), then the rules of a backup directory.
    check_no_control_characters(value, label)
    return validate_backup_path(restore_lost_unc_backslash(value), label)


def _optional_windows_path(
    label: str, value: str, controller: ControllerFiles
) -> BackupPath | None:
    return _windows_path(label, value, controller) if value != "" else None


def _local_directory(label: str, value: str, _controller: ControllerFiles) -> BackupPath:
    check_no_control_characters(value, label)
    return validate_local_directory(value, label)


def _share_name(label: str, value: str, _controller: ControllerFiles) -> str:
    return validate_share_name(value, label)


def _at_least(minimum: int, what: str) -> Callable[[str, int, ControllerFiles], int]:
    def check(label: str, value: int, _controller: ControllerFiles) -> int:
        if value < minimum:
            raise PolicyRefusal(
                f"{label} is {value}; it must be {minimum} or more ({what}).",
                f"Set {label} to {minimum} or more.",
            )
        return value

    return check


def _duration(label: str, value: str, _controller: ControllerFiles) -> str:
    parse_duration(value, label)
    return value


def _oldest_age(label: str, value: str, _controller: ControllerFiles) -> str:
    # parse_duration's own refusal of a negative age speaks of leftovers.
    if value.strip().startswith("-"):
        raise PolicyRefusal(
            f"{label} {value!r} is negative.",
            f"Give {label} as the age of the oldest acceptable backup, such as 2d.",
        )
    parse_duration(value, label)
    return value


def _report_directory(label: str, value: str, controller: ControllerFiles) -> str:
    if value == "":
        return value
    check_no_control_characters(value, label)
    if _POSIX_VARIABLE.search(value):
        raise PolicyRefusal(
            f"{label} {quoted(value)} refers to an environment variable, which is not expanded.",
            "Give the expanded path, such as /srv/drift-reports (~ for the home directory works).",
        )
    expanded = os.path.expanduser(value)
    if not os.path.isabs(expanded):
        raise PolicyRefusal(
            f"{label} {quoted(value)} is a relative path, read from whatever directory "
            "ansible-playbook was started in.",
            f"Give an absolute path for {label}, such as /srv/drift-reports.",
        )
    _writable_directory(label, expanded, controller)
    return value


def _report_format(label: str, value: str, _controller: ControllerFiles) -> str:
    if value not in _REPORT_FORMATS:
        raise PolicyRefusal(
            f"{label} is {value!r}, which is not a report format.",
            f"Give each of {label.split('[')[0]} as one of {', '.join(_REPORT_FORMATS)}.",
        )
    return value


def _plain_text(label: str, value: str, _controller: ControllerFiles) -> str:
    check_no_control_characters(value, label)
    return value


def _domain(label: str, value: str, _controller: ControllerFiles) -> str:
    check_no_control_characters(value, label)
    if any(c in value for c in "\\/@"):
        raise PolicyRefusal(
            f"{label} {value!r} holds more than the domain's name.",
            f"Give only the NetBIOS name of the domain in {label}, such as CORP (not "
            "CORP\\NODE1$ or corp.example.com\\).",
        )
    return value


def _set_name(label: str, value: str, _controller: ControllerFiles) -> str:
    return validate_directory_name(value, label) if value != "" else value


def _quorum_drive(label: str, value: str, _controller: ControllerFiles) -> str:
    validate_quorum_drive(value, label)
    return value


def _cluster_name(label: str, value: str, _controller: ControllerFiles) -> str:
    if value == "":
        raise PolicyRefusal(
            f"{label} is empty: the host does not say which cluster it is a node of.",
            f"Set {label} (or wsfc_cluster_name) in the group_vars of the cluster's "
            "inventory group.",
        )
    return validate_directory_name(value, label)


def _controller_directory(label: str, value: str, controller: ControllerFiles) -> str:
    if value == "":
        return value
    check_no_control_characters(value, label)
    if _POSIX_VARIABLE.search(value):
        raise PolicyRefusal(
            f"{label} {value!r} refers to an environment variable; environment variables are "
            f"not expanded in {label} by every step that reads it.",
            "Give the expanded path, such as /srv/clusterbackups (~ for the home directory works).",
        )
    expanded = os.path.expanduser(value)
    if not os.path.isabs(expanded):
        raise PolicyRefusal(
            f"{label} {value!r} is a relative path, which fetch reads from the playbook's "
            "directory and the file module from the working directory: two folders.",
            f"Give an absolute path for {label}, such as /srv/clusterbackups.",
        )
    _writable_directory(label, expanded, controller)
    return value


def _writable_directory(label: str, path: str, controller: ControllerFiles) -> None:
    """``path`` is a directory, or can be made one, that this controller user may write."""
    current = path
    while not controller.exists(current):
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    if not controller.is_dir(current):
        raise PolicyRefusal(
            f"{label}: {current} on the controller is a file, not a folder.",
            f"Give a folder for {label}, or move the file {current} away.",
        )
    if not controller.writable(current):
        raise PolicyRefusal(
            f"{label}: the folder {current} on the controller is not writable by "
            f"{controller.user()}, the user ansible-playbook runs as.",
            f"Give a folder {controller.user()} may write to, or change the permissions of "
            f"{current}.",
        )


def _signing_key(label: str, value: str, _controller: ControllerFiles) -> str:
    """A private key must parse; it is kept out of what was checked (a secret)."""
    if value == "":
        return ""
    from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._signing import (
        HIDDEN,
        load_signing_key,
    )

    load_signing_key(value, label)
    return HIDDEN


def _encryption_key(label: str, value: str, _controller: ControllerFiles) -> str:
    """An AES-256 key (base64) must parse; it is kept out of what was checked (a secret)."""
    if value == "":
        return ""
    from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._controller_crypto import (
        load_encryption_key,
    )
    from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._signing import HIDDEN

    load_encryption_key(value, label)
    return HIDDEN


def _trusted_keys(label: str, value: list[str], _controller: ControllerFiles) -> int:
    """Every public key must parse; the count of them is what the other checks read."""
    if isinstance(value, list) and not value:
        return 0
    from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._signing import load_trusted_keys

    return len(load_trusted_keys(value, label))


def _check_together(
    spec: RoleSpec, checked: Mapping[str, t.Any], controller: ControllerFiles
) -> Iterator[OptionRefusal]:
    """Rules that need two options: each cluster's folder under every location."""
    if spec.role == "drift":
        cluster, location = checked.get("drift_cluster_name"), checked.get("drift_backup_path")
        if isinstance(cluster, str) and cluster and isinstance(location, BackupPath):
            try:
                validate_backup_path(location.child(cluster), "drift_backup_path")
            except PolicyRefusal as refusal:
                yield OptionRefusal("drift_backup_path", refusal.problem, refusal.fix)
        return
    if spec.role == "restore":
        keys = checked.get("restore_trusted_keys")
        if checked.get("restore_require_signature") is True and keys == 0:
            yield OptionRefusal(
                "restore_require_signature",
                "restore_require_signature is true but restore_trusted_keys is empty, so no "
                "set could be verified.",
                "Give the public key(s) the backups are signed with in restore_trusted_keys "
                "(docs/security.md), or leave restore_require_signature false.",
            )
        yield from _controller_restore_together(checked)
        return
    if spec.role != "backup":
        return
    cluster = checked.get("backup_cluster_name")
    if not isinstance(cluster, str) or cluster == "":
        return
    locations = [("backup_path", checked.get("backup_path"))]
    locations += [
        (f"backup_destinations[{n}]", path)
        for n, path in enumerate(checked.get("backup_destinations") or [])
    ]
    for label, location in locations:
        if not isinstance(location, BackupPath):
            continue
        try:
            validate_backup_path(location.child(cluster), label)
        except PolicyRefusal as refusal:
            yield OptionRefusal(label, refusal.problem, refusal.fix)
    folder = checked.get("backup_controller_dir")
    # A key that parsed is checked as HIDDEN, no key as "" (_encryption_key).
    if checked.get("backup_controller_encryption_key") and not folder:
        yield OptionRefusal(
            "backup_controller_encryption_key",
            "backup_controller_encryption_key is given but backup_controller_dir is empty: "
            "there is no controller copy to encrypt.",
            "Give backup_controller_dir, or leave the key out.",
        )
    if isinstance(folder, str) and folder != "":
        cluster_folder = os.path.join(os.path.expanduser(folder), cluster)
        if controller.exists(cluster_folder) and not controller.is_dir(cluster_folder):
            yield OptionRefusal(
                "backup_controller_dir",
                f"backup_controller_dir: {cluster_folder}, the cluster's folder on the "
                "controller, is a file.",
                f"Move the file {cluster_folder} away, or give another backup_controller_dir.",
            )


@dataclass(frozen=True)
class _NoLocation:
    """An empty restore_backup_path: refused unless the set comes from the controller copy."""

    refusal: PolicyRefusal


def _restore_backup_path(
    label: str, value: str, controller: ControllerFiles
) -> BackupPath | _NoLocation:
    if value == "":
        return _NoLocation(
            PolicyRefusal(
                f"{label} is empty: {label} is required.", _REQUIRED_FIX["restore_backup_path"]
            )
        )
    return _windows_path(label, value, controller)


def _controller_folder_to_read(label: str, value: str, controller: ControllerFiles) -> str:
    if value == "":
        return value
    _controller_directory(label, value, controller)
    if not controller.is_dir(os.path.expanduser(value)):
        raise PolicyRefusal(
            f"{label}: {value} is not a folder on the controller.",
            f"Give the backup role's backup_controller_dir as {label}.",
        )
    return value


def _controller_restore_together(checked: Mapping[str, t.Any]) -> Iterator[OptionRefusal]:
    """A restore from the controller copy: where the set is staged on the restoring node,
    and where the safety backup goes (the staging folder is removed afterwards).

    Unconfirmed (docs/windows-behaviour.md#wbadmin-backup-target, status (1)): whether
    wbadmin recovers from a share of the restoring node itself, so a local staging folder
    needs the loopback opt-in, as any local set path does."""
    folder = checked.get("restore_controller_dir")
    location = checked.get("restore_backup_path")
    if not folder and isinstance(location, _NoLocation):
        yield OptionRefusal("restore_backup_path", location.refusal.problem, location.refusal.fix)
    if not folder:
        # A key that parsed is checked as HIDDEN, no key as "" (_encryption_key).
        if checked.get("restore_controller_encryption_key"):
            yield OptionRefusal(
                "restore_controller_encryption_key",
                "restore_controller_encryption_key is given but restore_controller_dir is "
                "empty: there is no controller copy to decrypt.",
                "Give restore_controller_dir, or leave the key out.",
            )
        return
    if isinstance(checked.get("restore_backup_path"), BackupPath):
        yield OptionRefusal(
            "restore_controller_dir",
            "restore_controller_dir and restore_backup_path are both given: the set comes "
            "from one of them.",
            "Leave restore_backup_path empty to restore from the controller copy, or leave "
            "restore_controller_dir empty to restore from the backup location.",
        )
    staging = checked.get("restore_staging_path")
    if not isinstance(staging, BackupPath):
        yield OptionRefusal(
            "restore_staging_path",
            "restore_staging_path is empty: restoring from the controller copy uploads the "
            "set to a folder of the restoring node (or a share it reaches) first.",
            "Give restore_staging_path, such as C:\\ClusterDbStaging (with "
            "restore_loopback_target: true) or a UNC path on another server.",
        )
    elif not staging.is_unc and checked.get("restore_loopback_target") is not True:
        yield OptionRefusal(
            "restore_staging_path",
            f"restore_staging_path {staging.path} is a folder of the restoring node: wbadmin "
            "would read it through a share on that same node (a loopback target), which is "
            "not documented to work (docs/windows-behaviour.md#wbadmin-backup-target).",
            "Set restore_loopback_target: true once validated on your own cluster "
            "(docs/backup.md, loopback), or give a UNC restore_staging_path on another "
            "server that the restoring node can write to.",
        )
    safety = checked.get("restore_safety_backup_path")
    if checked.get("restore_safety_backup") is not False and not isinstance(safety, BackupPath):
        yield OptionRefusal(
            "restore_safety_backup_path",
            "restoring from the controller copy, the safety backup would go beside the set, "
            "into the staging folder that is removed afterwards.",
            "Give restore_safety_backup_path (a folder that is kept), or set "
            "restore_safety_backup: false.",
        )


# The list options that hold keys: their values are never quoted in a refusal.
_KEY_LISTS = frozenset({"restore_trusted_keys"})
# The options whose every entry is checked on its own.
_EACH_ELEMENT: dict[str, Callable[[str, t.Any, ControllerFiles], t.Any]] = {
    "backup_destinations": _windows_path,
    "drift_report_formats": _report_format,
}
# The drift role's report formats (plugin_utils._drift_report.FORMATS).
_REPORT_FORMATS = ("html", "markdown", "json")
_MEANING: dict[str, Callable[[str, t.Any, ControllerFiles], t.Any]] = {
    "backup_path": _windows_path,
    "backup_controller_dir": _controller_directory,
    "backup_retention_keep": _at_least(1, "the newest complete sets each destination keeps"),
    "backup_leftover_age": _duration,
    "backup_temporary_share_name": _share_name,
    "backup_temporary_share_dir": _local_directory,
    "backup_cluster_name": _cluster_name,
    "backup_cluster_group": _plain_text,
    "backup_node_account_domain": _domain,
    "backup_node_attempts": _at_least(1, "the nodes tried"),
    "backup_signing_key": _signing_key,
    "backup_controller_encryption_key": _encryption_key,
    "restore_controller_encryption_key": _encryption_key,
    "restore_controller_dir": _controller_folder_to_read,
    "restore_staging_path": _optional_windows_path,
    "restore_backup_path": _restore_backup_path,
    "restore_trusted_keys": _trusted_keys,
    "restore_signing_key": _signing_key,
    "restore_set": _set_name,
    "restore_quorum_drive": _quorum_drive,
    "restore_node": _plain_text,
    "restore_safety_backup_path": _optional_windows_path,
    "restore_leftover_age": _duration,
    "restore_start_timeout": _at_least(1, "seconds to wait for a node to come Up"),
    "restore_wait_retries": _at_least(1, "reads of a node while waiting"),
    "restore_wait_delay": _at_least(0, "seconds between two reads"),
    "drift_backup_path": _windows_path,
    "drift_set": _set_name,
    "drift_max_age": _oldest_age,
    "drift_report_dir": _report_directory,
    "drift_cluster_name": _cluster_name,
    "drift_node_attempts": _at_least(1, "the nodes tried"),
    "drift_backup_command": _plain_text,
}
