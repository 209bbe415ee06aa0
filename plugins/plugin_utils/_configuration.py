# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cluster's configuration objects: a stable fingerprint, and a diff between two of them.

Input: the ``configuration`` fact of ``cluster_info`` (see its RETURN documentation):
``groups`` (name, state, owner_node, preferred_owners, is_core_group), ``resources`` (name,
type, group, state, owner_node, parameters, dependencies, possible_owners) and ``networks``
(name, role, address, address_mask, state).

Each object's fields are split in two:
- configuration fields, which the cluster database holds and a restore puts back: these
  make the fingerprint and the diff;
- run-time fields (state, owner node), which change with every failover without the
  configuration changing: kept for display, left out of the fingerprint, and left out of
  the diff unless asked, so that a restore of the configuration the cluster already runs
  is recognised as such.

Object names are matched ignoring case, as the cluster does.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

GROUP = "group"
RESOURCE = "resource"
NETWORK = "network"
KINDS = (GROUP, RESOURCE, NETWORK)
_SECTIONS = {GROUP: "groups", RESOURCE: "resources", NETWORK: "networks"}

# Resource types that are cluster disks (a CSV is a Physical Disk resource too).
DISK_RESOURCE_TYPES = frozenset({"physical disk"})

ADDED = "added"
REMOVED = "removed"
CHANGED = "changed"


@dataclass(frozen=True)
class ConfigObject:
    """One group, resource or network in canonical form."""

    kind: str
    name: str
    fields: dict[str, object]
    runtime: dict[str, object] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.name.casefold())

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name!r}"


@dataclass(frozen=True)
class Configuration:
    """The configuration objects of one cluster, in canonical form and order."""

    objects: tuple[ConfigObject, ...]

    def get(self, kind: str, name: str) -> ConfigObject | None:
        for obj in self.objects:
            if obj.key == (kind, name.casefold()):
                return obj
        return None

    @property
    def fingerprint(self) -> str:
        """SHA-256 (hex) of the canonical JSON of every object's configuration fields."""
        canonical = [[obj.kind, obj.name, obj.fields] for obj in self.objects]
        return hashlib.sha256(_canonical_json(canonical).encode("utf-8")).hexdigest()

    def as_facts(self) -> dict[str, list[dict[str, object]]]:
        """Back to the ``cluster_info`` shape (canonical order, every field)."""
        facts: dict[str, list[dict[str, object]]] = {section: [] for section in _SECTIONS.values()}
        for obj in self.objects:
            facts[_SECTIONS[obj.kind]].append({"name": obj.name, **obj.fields, **obj.runtime})
        return facts


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: object
    after: object


@dataclass(frozen=True)
class ObjectChange:
    kind: str
    name: str
    change: str
    fields: tuple[FieldChange, ...] = ()


@dataclass(frozen=True)
class ConfigurationDiff:
    """What changes when the cluster goes from ``before`` to ``after``.

    For a restore, ``before`` is what the cluster runs now and ``after`` the backup's.
    """

    before: Configuration
    after: Configuration
    changes: tuple[ObjectChange, ...]

    @property
    def is_empty(self) -> bool:
        return not self.changes

    def _of(self, change: str) -> tuple[ObjectChange, ...]:
        return tuple(c for c in self.changes if c.change == change)

    @property
    def added(self) -> tuple[ObjectChange, ...]:
        return self._of(ADDED)

    @property
    def removed(self) -> tuple[ObjectChange, ...]:
        return self._of(REMOVED)

    @property
    def changed(self) -> tuple[ObjectChange, ...]:
        return self._of(CHANGED)

    def as_result(self) -> list[dict[str, object]]:
        """The changes as plain data for a module result."""
        return [
            {
                "kind": c.kind,
                "name": c.name,
                "change": c.change,
                "fields": [
                    {"field": f.field, "before": f.before, "after": f.after} for f in c.fields
                ],
            }
            for c in self.changes
        ]

    def prepared(self) -> str:
        """A summary, one line per change, for Ansible's ``diff: {prepared: ...}``."""
        if self.is_empty:
            return "No configuration object would change.\n"
        lines = []
        for c in self.changes:
            sign = {ADDED: "+", REMOVED: "-", CHANGED: "~"}[c.change]
            lines.append(f"{sign} {c.kind} {c.name}: {c.change}")
            for f in c.fields:
                lines.append(f"    {f.field}: {_show(f.before)} -> {_show(f.after)}")
        return "\n".join(lines) + "\n"

    def ansible_diff(
        self, before_header: str = "running cluster", after_header: str = "backup set"
    ) -> dict[str, str]:
        """Ansible's ``diff`` result: both configurations as text, so ``--diff`` shows them."""
        return {
            "before": render_configuration(self.before),
            "after": render_configuration(self.after),
            "before_header": before_header,
            "after_header": after_header,
        }


def normalize_configuration(raw: dict | None) -> Configuration:
    """The canonical form of a ``configuration`` fact (missing sections are empty)."""
    raw = raw or {}
    objects: list[ConfigObject] = []
    for item in raw.get("groups") or []:
        objects.append(_group(item))
    for item in raw.get("resources") or []:
        objects.append(_resource(item))
    for item in raw.get("networks") or []:
        objects.append(_network(item))
    seen: set[tuple[str, str]] = set()
    for obj in objects:
        if obj.key in seen:
            raise ValueError(f"the configuration lists {obj.label} twice")
        seen.add(obj.key)
    objects.sort(key=lambda obj: (KINDS.index(obj.kind), obj.name.casefold(), obj.name))
    return Configuration(tuple(objects))


def configuration_fingerprint(raw: dict | None) -> str:
    """Fingerprint of a raw ``configuration`` fact."""
    return normalize_configuration(raw).fingerprint


def diff_configurations(
    before: Configuration, after: Configuration, *, include_runtime: bool = False
) -> ConfigurationDiff:
    """Added, removed and changed objects, with per-field before/after values."""
    before_by_key = {obj.key: obj for obj in before.objects}
    after_by_key = {obj.key: obj for obj in after.objects}
    changes: list[ObjectChange] = []
    order = sorted(
        set(before_by_key) | set(after_by_key), key=lambda key: (KINDS.index(key[0]), key[1])
    )
    for key in order:
        old, new = before_by_key.get(key), after_by_key.get(key)
        if old is None and new is not None:
            changes.append(ObjectChange(new.kind, new.name, ADDED))
        elif new is None and old is not None:
            changes.append(ObjectChange(old.kind, old.name, REMOVED))
        elif old is not None and new is not None:
            fields = _field_changes(old, new, include_runtime)
            if fields:
                changes.append(ObjectChange(new.kind, new.name, CHANGED, fields))
    return ConfigurationDiff(before, after, tuple(changes))


def disks_left_offline(
    current: Configuration, backup: Configuration, witness_resource: str | None
) -> tuple[str, ...]:
    """Cluster disks that would stay offline after restoring ``backup``.

    After a restore, disks other than the quorum disk that were added or changed since the
    backup stay offline (docs/windows-behaviour.md#clusapi-backup-restore): the disk resources of
    ``current`` that ``backup`` lacks or holds with other configuration fields.
    """
    witness = (witness_resource or "").casefold()
    names = []
    for obj in current.objects:
        if obj.kind != RESOURCE or obj.name.casefold() == witness:
            continue
        if str(obj.fields.get("type", "")).casefold() not in DISK_RESOURCE_TYPES:
            continue
        old = backup.get(RESOURCE, obj.name)
        if old is None or old.fields != obj.fields:
            names.append(obj.name)
    return tuple(names)


def render_configuration(configuration: Configuration) -> str:
    """Stable text of the configuration fields, one block per object."""
    lines = []
    for obj in configuration.objects:
        lines.append(f"{obj.kind}: {obj.name}")
        for name, value in _flat_fields(obj.fields).items():
            lines.append(f"  {name}: {_show(value)}")
    return "\n".join(lines) + ("\n" if lines else "")


def _group(item: dict) -> ConfigObject:
    return ConfigObject(
        GROUP,
        _name(item, GROUP),
        {
            # Order matters: the first preferred owner is tried first.
            "preferred_owners": [str(n) for n in item.get("preferred_owners") or []],
            "is_core_group": bool(item.get("is_core_group", False)),
        },
        {"state": item.get("state"), "owner_node": item.get("owner_node")},
    )


def _resource(item: dict) -> ConfigObject:
    parameters = item.get("parameters") or {}
    if not isinstance(parameters, dict):
        raise ValueError(f"resource {item.get('name')!r}: parameters must be a mapping")
    return ConfigObject(
        RESOURCE,
        _name(item, RESOURCE),
        {
            "type": str(item.get("type") or ""),
            "group": str(item.get("group") or ""),
            "parameters": {str(k): parameters[k] for k in sorted(parameters, key=str)},
            "dependencies": _dependencies(item.get("dependencies")),
            # A set: the order Windows lists possible owners in carries no meaning.
            "possible_owners": sorted(
                (str(n) for n in item.get("possible_owners") or []), key=str.casefold
            ),
        },
        {"state": item.get("state"), "owner_node": item.get("owner_node")},
    )


def _network(item: dict) -> ConfigObject:
    return ConfigObject(
        NETWORK,
        _name(item, NETWORK),
        {
            "role": item.get("role"),
            "address": item.get("address"),
            "address_mask": item.get("address_mask"),
        },
        {"state": item.get("state")},
    )


def _name(item: dict, kind: str) -> str:
    name = item.get("name") if isinstance(item, dict) else None
    if not isinstance(name, str) or not name:
        raise ValueError(f"a {kind} without a name: {item!r}")
    return name


def _dependencies(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, str):
        # The dependency expression; only its spacing is not significant.
        return " ".join(value.split())
    if isinstance(value, (list, tuple)):
        return sorted((str(v) for v in value), key=str.casefold)
    raise ValueError(f"dependencies must be an expression or a list, not {value!r}")


def _field_changes(
    old: ConfigObject, new: ConfigObject, include_runtime: bool
) -> tuple[FieldChange, ...]:
    before = _flat_fields(old.fields)
    after = _flat_fields(new.fields)
    if old.name != new.name:
        before["name"], after["name"] = old.name, new.name
    if include_runtime:
        before.update({f"runtime.{k}": v for k, v in old.runtime.items()})
        after.update({f"runtime.{k}": v for k, v in new.runtime.items()})
    changes = []
    for name in sorted(set(before) | set(after)):
        if before.get(name) != after.get(name):
            changes.append(FieldChange(name, before.get(name), after.get(name)))
    return tuple(changes)


def _flat_fields(fields: dict[str, object]) -> dict[str, object]:
    """Parameters become one field each (``parameters.Address``), so a diff names them."""
    flat: dict[str, object] = {}
    for name, value in fields.items():
        if name == "parameters" and isinstance(value, dict):
            for parameter, parameter_value in value.items():
                flat[f"parameters.{parameter}"] = parameter_value
        else:
            flat[name] = value
    return flat


def _show(value: object) -> str:
    return _canonical_json(value)


def _canonical_json(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
