"""The configuration objects inside a copy of the cluster database, and changes to them.

A copy's objects are plain JSON: {"groups": {...}, "resources": {...}, "networks": {...}},
each keyed by the object's name (looked up case-insensitively, as Windows does). The field
names are those cluster_info returns (plugins/modules/cluster_info.py, RETURN block).
Changes are applied by `Cluster.change_configuration`, which bumps the PaxosTag.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

OBJECT_KINDS = ("group", "resource", "parameter", "network")
ACTIONS = ("set", "remove")


class ConfigurationError(ValueError):
    """A change that names a missing object or leaves the configuration inconsistent."""


@dataclass(frozen=True)
class ConfigChange:
    """One change an administrator makes, e.g. ConfigChange("parameter", "set", "IP", {...}).

    kind "parameter": name is the resource, fields {"name": <parameter>, "value": <value>}
    (action "remove" drops the parameter named in fields["name"]).
    """

    kind: str
    action: str
    name: str
    fields: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in OBJECT_KINDS:
            raise ConfigurationError(f"kind must be one of {', '.join(OBJECT_KINDS)}")
        if self.action not in ACTIONS:
            raise ConfigurationError(f"action must be one of {', '.join(ACTIONS)}")

    def describe(self) -> str:
        return f"{self.action} {self.kind} {self.name!r} {self.fields or ''}".strip()


def empty_objects() -> dict[str, dict[str, Any]]:
    return {"groups": {}, "resources": {}, "networks": {}}


def find_key(table: dict[str, Any], name: str) -> str | None:
    """The stored key matching `name` case-insensitively."""
    for key in table:
        if key.upper() == name.upper():
            return key
    return None


def apply_change(objects: dict[str, Any], change: ConfigChange) -> None:
    handler = {
        ("group", "set"): _set_group,
        ("group", "remove"): _remove_group,
        ("resource", "set"): _set_resource,
        ("resource", "remove"): _remove_resource,
        ("parameter", "set"): _set_parameter,
        ("parameter", "remove"): _remove_parameter,
        ("network", "set"): _set_network,
        ("network", "remove"): _remove_network,
    }[(change.kind, change.action)]
    handler(objects, change.name, dict(change.fields))


def _set_group(objects: dict[str, Any], name: str, fields: dict[str, Any]) -> None:
    groups = objects["groups"]
    key = find_key(groups, name)
    group = groups.setdefault(
        key or name,
        {
            "name": name,
            "state": "Online",
            "owner_node": None,
            "preferred_owners": [],
            "is_core_group": False,
        },
    )
    _update(group, fields, {"state", "owner_node", "preferred_owners"})


def _remove_group(objects: dict[str, Any], name: str, fields: dict[str, Any]) -> None:
    key = _existing(objects["groups"], name, "group")
    if objects["groups"][key].get("is_core_group"):
        raise ConfigurationError(f"the core group {key!r} cannot be removed")
    members = [r for r, res in objects["resources"].items() if res["group"].upper() == key.upper()]
    if members and not fields.get("remove_resources"):
        raise ConfigurationError(f"group {key!r} still holds resources: {', '.join(members)}")
    for resource in members:
        _remove_resource(objects, resource, {})
    del objects["groups"][key]


def _set_resource(objects: dict[str, Any], name: str, fields: dict[str, Any]) -> None:
    resources = objects["resources"]
    key = find_key(resources, name)
    if key is None:
        if "type" not in fields or "group" not in fields:
            raise ConfigurationError(f"a new resource {name!r} needs a type and a group")
        group = objects["groups"].get(find_key(objects["groups"], fields["group"]) or "")
        resources[name] = {
            "name": name,
            "type": fields["type"],
            "group": fields["group"],
            "state": "Online",
            "owner_node": group["owner_node"] if group else None,
            "parameters": {},
            "dependencies": [],
            "possible_owners": [],
        }
        key = name
    if "group" in fields:
        fields["group"] = _existing(objects["groups"], fields["group"], "group")
    for dependency in fields.get("dependencies", []):
        _existing(resources, dependency, "resource")
    _update(
        resources[key],
        fields,
        {"type", "group", "state", "owner_node", "parameters", "dependencies", "possible_owners"},
    )


def _remove_resource(objects: dict[str, Any], name: str, fields: dict[str, Any]) -> None:
    key = _existing(objects["resources"], name, "resource")
    del objects["resources"][key]
    for resource in objects["resources"].values():
        resource["dependencies"] = [d for d in resource["dependencies"] if d.upper() != key.upper()]


def _set_parameter(objects: dict[str, Any], name: str, fields: dict[str, Any]) -> None:
    key = _existing(objects["resources"], name, "resource")
    if "name" not in fields or "value" not in fields:
        raise ConfigurationError("a parameter change needs the parameter name and value")
    objects["resources"][key]["parameters"][str(fields["name"])] = fields["value"]


def _remove_parameter(objects: dict[str, Any], name: str, fields: dict[str, Any]) -> None:
    key = _existing(objects["resources"], name, "resource")
    parameters = objects["resources"][key]["parameters"]
    parameter = find_key(parameters, str(fields.get("name", "")))
    if parameter is None:
        raise ConfigurationError(f"resource {key!r} has no parameter {fields.get('name')!r}")
    del parameters[parameter]


def _set_network(objects: dict[str, Any], name: str, fields: dict[str, Any]) -> None:
    networks = objects["networks"]
    key = find_key(networks, name) or name
    network = networks.setdefault(
        key,
        {
            "name": name,
            "role": "ClusterAndClient",
            "address": "",
            "address_mask": "",
            "state": "Up",
        },
    )
    _update(network, fields, {"role", "address", "address_mask", "state"})


def _remove_network(objects: dict[str, Any], name: str, fields: dict[str, Any]) -> None:
    del objects["networks"][_existing(objects["networks"], name, "network")]


def _existing(table: dict[str, Any], name: str, what: str) -> str:
    key = find_key(table, name)
    if key is None:
        raise ConfigurationError(f"no {what} named {name!r}")
    return key


def _update(record: dict[str, Any], fields: dict[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise ConfigurationError(f"unknown field {unknown[0]!r} (allowed: {sorted(allowed)})")
    record.update(fields)
