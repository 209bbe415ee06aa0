# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What changed in a cluster since its last good backup: the drift check's policy.

Input: the raw result of cluster_backup's read-only ``inspect`` phase (docs/internals.md):
the running cluster's facts with its configuration objects, and the set listing of the
folder that holds the cluster's sets, the newest set hashed (or every set, for a named set
or the second look this module asks for when the newest set fails verification).

Output: one record per cluster, ``state``:

- ``in_sync``: the newest complete, verified set of this cluster holds the configuration
  objects the cluster runs;
- ``drifted``: it does not; ``changes`` names each group, resource and network added,
  removed or changed since the set, and within a changed object each parameter,
  dependency, owner and property, with the value in the set (``before``) and the running
  one (``after``);
- ``no_backup``: no set to compare with, ``reason`` says why: ``no_set`` (none of this
  cluster, or no set of the name asked for), ``corrupt`` (every set, or the named one,
  is corrupt or incomplete), ``unreadable`` (the location could not be listed).

Run-time fields (a group's or resource's state and current owner node) move with every
failover without the configuration changing: they are left out, as the restore's
comparison leaves them out (plugin_utils._configuration). "Owner" here is configuration: a
group's preferred owners, a resource's possible owners.

Freshness: a cluster is ``flagged`` when it drifted since the set, when its set is older than
the oldest acceptable age and no longer holds the configuration version the cluster runs,
when it has no set to compare with, or when its newest set was passed over as corrupt; a
flagged cluster names the command that takes a fresh backup. A set that holds the running
version is current however old it is: the backup role writes a new set only when the version
moved, so for it a fresh backup would write nothing (its age is still reported, ``too_old``).
"""

from __future__ import annotations

import json
import re
import shlex
import typing as t
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._backup_set_report import (
    report_backup_sets,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._configuration import (
    ADDED,
    CHANGED,
    GROUP,
    NETWORK,
    REMOVED,
    RESOURCE,
    Configuration,
    ConfigurationDiff,
    ObjectChange,
    diff_configurations,
    normalize_configuration,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._manifest import (
    COMPLETE,
    Manifest,
    verify_backup_set,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._paths import BackupPath
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._paxos import (
    PaxosTag,
    PaxosTagError,
    parse_paxos_tag,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._set_naming import (
    SET_KIND,
)

RawResult = t.Mapping[str, t.Any]

IN_SYNC = "in_sync"
DRIFTED = "drifted"
NO_BACKUP = "no_backup"
# No node of the cluster answered: set by the fleet report, never by one node's check.
NOT_CHECKED = "not_checked"
STATES = (IN_SYNC, DRIFTED, NO_BACKUP, NOT_CHECKED)

# Why a cluster has no set to compare with.
NO_SET = "no_set"
CORRUPT_SETS = "corrupt"
UNREADABLE = "unreadable"
# Why no node answered (NOT_CHECKED).
NO_NODE = "no_node"
REASONS = (NO_SET, CORRUPT_SETS, UNREADABLE, NO_NODE)

# Why a cluster is flagged for a fresh backup.
FLAG_AGE = "age"
FLAG_DRIFT = "drift"
FLAG_NO_BACKUP = "no_backup"
FLAG_CORRUPT_NEWEST = "corrupt_newest"
FLAGS = (FLAG_AGE, FLAG_DRIFT, FLAG_NO_BACKUP, FLAG_CORRUPT_NEWEST)

# What a change is about: a whole object, or one item of a changed object.
PARAMETER = "parameter"
DEPENDENCY = "dependency"
OWNER = "owner"
PROPERTY = "property"
ITEMS = (GROUP, RESOURCE, NETWORK, PARAMETER, DEPENDENCY, OWNER, PROPERTY)

# The owner lists of the configuration: a group's preferred owners (their order is the
# failover order), a resource's possible owners (a set).
_OWNER_FIELDS = ("preferred_owners", "possible_owners")
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

# Windows errors a listing of the location can meet, named for the message
# (docs/windows-behaviour.md#win32-error-codes); the fix is the drift check's own.
_LOCATION_ERRORS: dict[int, tuple[str, str]] = {
    3: ("ERROR_PATH_NOT_FOUND", "Check the path: a folder above the cluster's is missing."),
    5: (
        "ERROR_ACCESS_DENIED",
        "The account the module runs as may not read the folder: give it read access, and "
        "for a UNC path the credentials for the second hop (become, or Kerberos "
        "delegation; docs/backup.md, Credentials for the backup share).",
    ),
    53: ("ERROR_BAD_NETPATH", "Check the server's name and that the node reaches it."),
    67: ("ERROR_BAD_NET_NAME", "Check the share's name on the server."),
    267: ("ERROR_DIRECTORY", "The path names a file: give the folder that holds the sets."),
}


class DriftCheckFailed(Exception):
    """This node cannot answer for its cluster (its cluster could not be read, or it is not
    the cluster the inventory names): the task fails, and another node may be asked."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class DriftOptions:
    """What the check is asked: where the sets are, which one, how old one may be."""

    path: BackupPath
    set_name: str | None
    max_age: timedelta
    max_age_text: str
    now: datetime
    cluster_name: str | None = None
    backup_command: str = ""


@dataclass(frozen=True)
class SetChoice:
    """The set to compare with, or why there is none.

    ``passed_over``: the sets newer than the chosen one that failed verification (name,
    status, message), newest first. ``needs_every_hash``: a complete set older than the
    newest was not hashed by this listing, so it cannot count as verified yet; the caller
    lists again with every set hashed.
    """

    name: str | None
    manifest: Manifest | None
    passed_over: tuple[dict[str, t.Any], ...] = ()
    needs_every_hash: bool = False
    reason: str | None = None
    message: str = ""


@dataclass(frozen=True)
class ChangeItem:
    """One thing that differs between the set and the running cluster."""

    object_type: str
    object: str
    item: str
    name: str
    change: str
    field: str | None = None
    before: object = None
    after: object = None

    def as_result(self) -> dict[str, t.Any]:
        return {
            "object_type": self.object_type,
            "object": self.object,
            "item": self.item,
            "name": self.name,
            "change": self.change,
            "field": self.field,
            "before": self.before,
            "after": self.after,
        }


@dataclass(frozen=True)
class Drift:
    """The running configuration against the set's: object changes and their items."""

    diff: ConfigurationDiff
    items: tuple[ChangeItem, ...] = field(default_factory=tuple)

    @property
    def is_empty(self) -> bool:
        return self.diff.is_empty


def hash_sets_for(set_name: str | None) -> str:
    """What the inspect hashes: every set when one is named (any may be it), else the
    newest (the one compared with, unless it fails verification)."""
    return "all" if set_name else "newest"


def check_cluster_readable(inspect: RawResult) -> None:
    """The node read its cluster's configuration objects; else another node is asked."""
    node = inspect.get("node_name") or "the node"
    service = inspect.get("cluster_service") or {}
    if service and not service.get("installed", True):
        raise DriftCheckFailed(
            f"{node} is not a node of a failover cluster (the Cluster service is not "
            "installed); check the inventory."
        )
    if inspect.get("cluster_error") or inspect.get("configuration") is None:
        cause = inspect.get("cluster_error") or "no configuration objects were read"
        raise DriftCheckFailed(
            f"{node} could not read its cluster's configuration: {cause}. Another node of the "
            "cluster may answer; start the Cluster service on this one "
            "(wsfc.clusterdb.cluster_node state=started) if it should be Up."
        )


def check_cluster_name(inspect: RawResult, expected: str | None) -> None:
    """The node belongs to the cluster the inventory names (names compared ignoring case)."""
    reported = str((inspect.get("cluster") or {}).get("name") or "")
    if expected and reported.casefold() != expected.casefold():
        node = inspect.get("node_name") or "the node"
        raise DriftCheckFailed(
            f"The inventory puts {node} in cluster {expected}, but the node reports cluster "
            f"{reported or 'none'}. Correct backup_cluster_name (or wsfc_cluster_name) for "
            "this host's group; the sets of one cluster are never compared with another."
        )


def location_problem(inspect: RawResult, failed: bool, path: str) -> tuple[str, str] | None:
    """(reason, message) when the location could not be listed; None when it was.

    The inspect fails on the listing after it read the cluster (the facts are there, the
    listing is not); a location that does not exist lists no set, which is not a failure.
    """
    node = inspect.get("node_name") or "the node"
    info = inspect.get("path_info") or {}
    if failed or "sets" not in inspect:
        code = inspect.get("error_code")
        return UNREADABLE, _location_message(path, node, code, str(inspect.get("msg") or ""))
    if info.get("exists") and info.get("is_directory") is False:
        return UNREADABLE, _location_message(path, node, 267, f"'{path}' names a file")
    return None


def _location_message(path: str, node: object, code: object, detail: str) -> str:
    text = f"The sets under {path} could not be listed from {node}"
    fix = "Check the location and run the drift check again."
    if isinstance(code, int) and not isinstance(code, bool):
        name, fix = _LOCATION_ERRORS.get(code, ("", fix))
        text += f" (Windows error {code}{', ' + name if name else ''})"
    if detail:
        text += f": {detail.rstrip('.')}"
    return f"{text}. {fix}"


def choose_set(inspect: RawResult, options: DriftOptions, every_hashed: bool) -> SetChoice:
    """The set to compare with: the named one, else the newest complete and verified one
    of this cluster; the newer ones that fail verification are passed over and named."""
    cluster = inspect.get("cluster") or {}
    listing = list(inspect.get("sets") or [])
    report = report_backup_sets(
        options.path, listing, verify=True, cluster_name=str(cluster.get("name") or "")
    )
    path = options.path.path
    if options.set_name:
        return _named_set(report.sets, report.rejected, listing, options.set_name, path)
    sets = [s for s in report.sets if s["kind"] == SET_KIND]
    ours = [s for s in sets if _same_cluster_id(s.get("cluster"), cluster.get("id"))]
    # A cluster rebuilt under the same name is another cluster: its sets are not compared.
    other_ids = [s for s in sets if s not in ours]
    passed_over: list[dict[str, t.Any]] = []
    for described in sorted(ours, key=lambda s: s["name"], reverse=True):
        if described["status"] == COMPLETE and described["verified"]:
            manifest = _manifest_of(listing, described["name"])
            return SetChoice(described["name"], manifest, tuple(passed_over))
        if described["status"] == COMPLETE and not every_hashed:
            # Complete by its marker and manifest, but this listing did not hash it.
            return SetChoice(None, None, tuple(passed_over), needs_every_hash=True)
        passed_over.append(_passed(described))
    foreign = [r for r in report.rejected if r.get("reason") == "foreign"]
    if passed_over:
        names = "; ".join(f"{p['name']}: {p['message']}" for p in passed_over)
        return SetChoice(
            None,
            None,
            tuple(passed_over),
            reason=CORRUPT_SETS,
            message=f"No set under {path} is complete and verified ({names}).",
        )
    message = f"There is no backup set of cluster {cluster.get('name')} under {path}."
    if other_ids:
        message += (
            f" {len(other_ids)} set(s) there name this cluster with another id (a cluster of "
            f"the same name, not this one): {', '.join(s['name'] for s in other_ids)}."
        )
    if foreign:
        owners = sorted({str((r.get("cluster") or {}).get("name")) for r in foreign})
        message += f" The sets there belong to {', '.join(owners)}."
    return SetChoice(None, None, reason=NO_SET, message=message)


def _named_set(
    sets: list[dict[str, t.Any]],
    rejected: list[dict[str, t.Any]],
    listing: list[dict[str, t.Any]],
    name: str,
    path: str,
) -> SetChoice:
    wanted = name.casefold()
    for described in sets:
        if described["name"].casefold() != wanted:
            continue
        if described["status"] == COMPLETE and described["verified"]:
            return SetChoice(described["name"], _manifest_of(listing, described["name"]))
        return SetChoice(
            None,
            None,
            (_passed(described),),
            reason=CORRUPT_SETS,
            message=f"Set {described['name']} under {path} is {described['status']}: "
            f"{described['message']}",
        )
    for described in rejected:
        if described["name"].casefold() == wanted:
            return SetChoice(None, None, reason=NO_SET, message=str(described["message"]))
    return SetChoice(
        None, None, reason=NO_SET, message=f"There is no set named {name} under {path}."
    )


def _same_cluster_id(owner: object, cluster_id: object) -> bool:
    """A set of this cluster by its id too, when both are known: a cluster rebuilt under the
    same name is another cluster, and its sets hold another configuration."""
    if not isinstance(owner, dict) or not owner.get("id") or not cluster_id:
        return True
    return str(owner["id"]).casefold() == str(cluster_id).casefold()


def _passed(described: dict[str, t.Any]) -> dict[str, t.Any]:
    return {
        "name": described["name"],
        "status": described["status"],
        "message": described["message"],
    }


def _manifest_of(listing: list[dict[str, t.Any]], name: str) -> Manifest | None:
    for entry in listing:
        if str(entry.get("name")) == name:
            return verify_backup_set(
                marker_present=bool(entry.get("marker_present")),
                manifest_text=entry.get("manifest_text"),
                files=entry.get("files"),
                set_name=name,
            ).manifest
    return None


def compare(running: RawResult, manifest: Manifest) -> Drift:
    """What changed from the set (before) to the running cluster (after)."""
    backup = normalize_configuration(manifest.configuration)
    current = normalize_configuration(running.get("configuration"))
    diff = diff_configurations(backup, current)
    items: list[ChangeItem] = []
    for change in diff.changes:
        items.extend(_items_of(change, backup, current))
    return Drift(diff, tuple(items))


def _items_of(
    change: ObjectChange, backup: Configuration, current: Configuration
) -> list[ChangeItem]:
    if change.change in (ADDED, REMOVED):
        source = current if change.change == ADDED else backup
        obj = source.get(change.kind, change.name)
        fields = _jsonable(obj.fields) if obj is not None else None
        before, after = (None, fields) if change.change == ADDED else (fields, None)
        return [
            ChangeItem(change.kind, change.name, change.kind, change.name, change.change,
                       None, before, after)
        ]  # fmt: skip
    old = backup.get(change.kind, change.name)
    new = current.get(change.kind, change.name)
    old_fields = old.fields if old is not None else {}
    new_fields = new.fields if new is not None else {}
    items: list[ChangeItem] = []
    for fc in change.fields:
        item = ChangeItem(change.kind, change.name, PROPERTY, fc.field, CHANGED, fc.field)
        if fc.field.startswith("parameters."):
            parameter = fc.field.removeprefix("parameters.")
            had = parameter in (old_fields.get("parameters") or {})
            has = parameter in (new_fields.get("parameters") or {})
            kind = ADDED if has and not had else REMOVED if had and not has else CHANGED
            items.append(_with(item, PARAMETER, parameter, kind, fc.before, fc.after))
        elif fc.field == "dependencies":
            items.extend(_dependency_items(item, fc.before, fc.after))
        elif fc.field in _OWNER_FIELDS:
            before_list = list(fc.before or []) if isinstance(fc.before, list) else []
            after_list = list(fc.after or []) if isinstance(fc.after, list) else []
            members = _members(item, OWNER, before_list, after_list)
            items.extend(members)
            if not members:
                # The same owners in another order: the failover order changed.
                items.append(_with(item, OWNER, "order", CHANGED, fc.before, fc.after))
        else:
            items.append(_with(item, PROPERTY, fc.field, CHANGED, fc.before, fc.after))
    return items


def _dependency_items(item: ChangeItem, before: object, after: object) -> list[ChangeItem]:
    """Each dependency gained or lost, by resource name, when both sides are lists of names
    or expressions that only AND names (``[A] and [B]``: each name is needed on its own);
    otherwise, with an ``or``, one change of the whole expression, whose meaning is the
    combination (docs/windows-behaviour.md#get-clusterresourcedependency)."""
    old, new = _dependency_names(before), _dependency_names(after)
    if old is not None and new is not None:
        return _members(item, DEPENDENCY, old, new)
    change = ADDED if not before else REMOVED if not after else CHANGED
    return [_with(item, DEPENDENCY, "expression", change, before or None, after or None)]


# "[Resource Name 1] and [Resource Name 2]": every name in brackets, joined by and.
_AND_EXPRESSION = re.compile(r"\[[^\]]*\](?:\s+and\s+\[[^\]]*\])*", re.IGNORECASE)
_BRACKETED = re.compile(r"\[([^\]]*)\]")


def _dependency_names(value: object) -> list[str] | None:
    """The names a dependency value requires all of; None for an expression with ``or``."""
    if value in (None, ""):
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    text = str(value).strip()
    if not _AND_EXPRESSION.fullmatch(text):
        return None
    return _BRACKETED.findall(text)


def _with(
    item: ChangeItem, kind: str, name: str, change: str, before: object, after: object
) -> ChangeItem:
    return ChangeItem(
        item.object_type, item.object, kind, name, change, item.field,
        _jsonable(before), _jsonable(after),
    )  # fmt: skip


def _members(item: ChangeItem, kind: str, before: list, after: list) -> list[ChangeItem]:
    """Each name a list gained or lost (names compared ignoring case, as the cluster does)."""
    old = {str(v).casefold(): str(v) for v in before}
    new = {str(v).casefold(): str(v) for v in after}
    found = [_with(item, kind, new[key], ADDED, None, new[key]) for key in new if key not in old]
    found += [_with(item, kind, old[key], REMOVED, old[key], None) for key in old if key not in new]
    return sorted(found, key=lambda i: (i.change != ADDED, i.name.casefold()))


def _jsonable(value: object) -> object:
    """Plain JSON data (tuples become lists), so every output format shows the same value."""
    return json.loads(json.dumps(value, default=str))


def format_age(seconds: float) -> str:
    """An age for people: the two largest units (``3d 4h``, ``5h 12m``, ``40s``)."""
    remaining = max(int(seconds), 0)
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        amount, remaining = divmod(remaining, size)
        if amount or (unit == "s" and not parts):
            parts.append(f"{amount}{unit}")
        if len(parts) == 2:
            break
    return " ".join(parts)


def fresh_backup_command(
    path: BackupPath,
    cluster_name: str,
    *,
    inventory: str | None,
    hosts: t.Sequence[str],
    given: str = "",
) -> str:
    """The command that takes a fresh backup of this cluster.

    ``given`` is the operator's own backup command (with its destinations and controller
    copy); the cluster's hosts are added as ``--limit``. Otherwise, for the backup role's
    layout (the sets in ``<backup_path>\\<cluster>``) the backup playbook with that
    backup_path, as JSON so that the backslashes of a UNC path arrive as written; for any
    other folder, cluster_backup into it.
    """
    limit = ",".join(hosts)
    if given:
        return f"{given} --limit {shlex.quote(limit)}" if limit else given
    source = f" -i {shlex.quote(inventory)}" if inventory else ""
    components = path.components
    if components and components[-1].casefold() == cluster_name.casefold():
        root = path.path[: -len(components[-1])].rstrip("\\")
        if root.endswith(":"):
            root += "\\"  # the drive's root, not the drive's current directory
        extra = shlex.quote(json.dumps({"backup_path": root}))
        command = f"ansible-playbook{source} wsfc.clusterdb.backup -e {extra}"
        return f"{command} --limit {shlex.quote(limit)}" if limit else command
    target = shlex.quote(hosts[0]) if hosts else "<host>"
    args = shlex.quote(json.dumps({"path": path.path}))
    return f"ansible {target}{source} -m wsfc.clusterdb.cluster_backup -a {args}"


def assess(
    inspect: RawResult,
    options: DriftOptions,
    choice: SetChoice,
    *,
    location: tuple[str, str] | None = None,
    hosts: t.Sequence[str] = (),
    inventory: str | None = None,
) -> dict[str, t.Any]:
    """The cluster's drift record (docs/drift.md, Outputs) from one node's answer."""
    cluster = inspect.get("cluster") or {}
    cluster_name = str(cluster.get("name") or options.cluster_name or "")
    record: dict[str, t.Any] = {
        "cluster": cluster_name,
        "cluster_id": cluster.get("id"),
        "state": NO_BACKUP,
        "reason": None,
        "message": "",
        "checked_on": inspect.get("node_name"),
        "checked_at": options.now.strftime(_TIME_FORMAT),
        "path": options.path.path,
        "requested_set": options.set_name,
        "set": None,
        "passed_over": list(choice.passed_over),
        "configuration_version": {
            "running": getattr(_running_tag(inspect), "version", None),
            "backup": None,
            "equal": False,
        },
        "changes": [],
        "change_count": 0,
        "change_counts": {ADDED: 0, REMOVED: 0, CHANGED: 0},
        "max_age": options.max_age_text,
        "max_age_seconds": int(options.max_age.total_seconds()),
        "flagged": False,
        "flags": [],
        "next_command": None,
    }
    flags: list[str] = []
    if location is not None:
        record["reason"], record["message"] = location
        flags.append(FLAG_NO_BACKUP)
    elif choice.manifest is None or choice.name is None:
        record["reason"] = choice.reason or NO_SET
        record["message"] = choice.message
        flags.append(FLAG_NO_BACKUP)
    else:
        manifest = choice.manifest
        age = (options.now - manifest.created).total_seconds()
        too_old = age > options.max_age.total_seconds()
        record["set"] = {
            "name": choice.name,
            "path": options.path.child(choice.name),
            "created": manifest.created.strftime(_TIME_FORMAT),
            "age_seconds": int(age),
            "age": format_age(age),
            "too_old": too_old,
            "source_node": manifest.source_node,
            "configuration_version": manifest.configuration_version.version,
        }
        running = _running_tag(inspect)
        record["configuration_version"] = {
            "running": running.version if running is not None else None,
            "backup": manifest.configuration_version.version,
            # A set whose tag moved while it was written holds one version of a range, which
            # one is not known: never equal to the running one (PaxosTag compares spans).
            "equal": running is not None and running == manifest.configuration_version,
        }
        drift = compare(inspect, manifest)
        record["changes"] = [item.as_result() for item in drift.items]
        record["change_count"] = len(drift.items)
        for item in drift.items:
            record["change_counts"][item.change] += 1
        record["state"] = IN_SYNC if drift.is_empty else DRIFTED
        if not drift.is_empty:
            flags.append(FLAG_DRIFT)
        if too_old and not record["configuration_version"]["equal"]:
            # A set that holds the very version the cluster runs is current however old: the
            # backup role writes a set only when the version moved (its check of the newest
            # set), so a fresh backup would write nothing.
            flags.append(FLAG_AGE)
        if choice.passed_over:
            flags.append(FLAG_CORRUPT_NEWEST)
        record["message"] = _summary(record, choice, options)
    record["flags"] = flags
    record["flagged"] = bool(flags)
    if flags:
        record["next_command"] = fresh_backup_command(
            options.path,
            cluster_name,
            inventory=inventory,
            hosts=hosts,
            given=options.backup_command,
        )
    return record


def task_message(record: t.Mapping[str, t.Any]) -> str:
    """The record's message, and for a flagged cluster the command to run next."""
    if record.get("next_command"):
        return f"{record['message']} Next: take a fresh backup: {record['next_command']}"
    return str(record["message"])


def _running_tag(inspect: RawResult) -> PaxosTag | None:
    """The running cluster's configuration version, None when the node read none."""
    try:
        return parse_paxos_tag((inspect.get("configuration_version") or {}).get("paxos_tag"))
    except PaxosTagError:
        return None


def _summary(record: dict[str, t.Any], choice: SetChoice, options: DriftOptions) -> str:
    backup_set = record["set"]
    name = record["cluster"]
    text = (
        f"Cluster {name} is in sync with set {backup_set['name']}"
        if record["state"] == IN_SYNC
        else f"Cluster {name} drifted since set {backup_set['name']}: "
        f"{_count_text(record['change_counts'])}"
    )
    text += f" (taken {backup_set['age']} ago)."
    if choice.passed_over:
        newer = ", ".join(f"{p['name']} ({p['status']})" for p in choice.passed_over)
        text += (
            f" The newer set{'s' if len(choice.passed_over) > 1 else ''} {newer} failed "
            f"verification, so the previous complete set {backup_set['name']} was used."
        )
    if backup_set["too_old"] and record["configuration_version"]["equal"]:
        text += (
            f" The set is older than the oldest acceptable backup ({options.max_age_text}) but "
            f"holds the configuration version the cluster runs "
            f"({backup_set['configuration_version']}), so a backup would write no new set: "
            "the backup role writes one when the version moves."
        )
    elif backup_set["too_old"]:
        text += f" The set is older than the oldest acceptable backup ({options.max_age_text})."
    if record["state"] == IN_SYNC and not record["configuration_version"]["equal"]:
        text += (
            f" The configuration version moved ({backup_set['configuration_version']} in the "
            f"set, {record['configuration_version']['running']} running), but no group, "
            "resource or network the set records differs."
        )
    return text


def _count_text(counts: dict[str, int]) -> str:
    parts = [f"{counts[kind]} {kind}" for kind in (ADDED, REMOVED, CHANGED) if counts[kind]]
    return ", ".join(parts) if parts else "no change"
