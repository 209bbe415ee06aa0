# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The retention_plan filter: which directories at a backup destination retention deletes."""

from __future__ import annotations

DOCUMENTATION = r"""
---
name: retention_plan
short_description: Decide which backup sets at a destination retention deletes
version_added: 0.1.0
description:
  - Takes the report of M(wsfc.clusterdb.backup_set_info) for one destination (or the report
    of P(wsfc.clusterdb.controller_backup_sets#lookup) for a folder on the controller) and
    decides, for every directory in it, whether retention keeps or deletes it, with the
    reason.
  - The decision is the collection's retention policy (C(plugin_utils._retention)); the role
    only carries it out. The newest O(keep) complete sets are kept, and so is the newest
    complete set whose hashes were verified, so the last good set is never deleted. Older
    complete sets are deleted. Leftovers of interrupted backups (C(unfinished_*) staging
    directories, sets without their marker or manifest) are deleted once older than
    O(leftover_age). Corrupt sets are kept as evidence. Directories that are not sets of
    this collection are never touched.
  - With O(cluster_name), complete sets whose manifest names another cluster are kept and
    do not count towards O(keep); another cluster's sets are never deleted for this one.
options:
  _input:
    description: The backup_set_info result (with C(sets)) or its C(sets) list.
    type: raw
    required: true
  keep:
    description: How many of the newest complete sets to keep; 1 or more.
    type: int
    required: true
  leftover_age:
    description:
      - The age after which a leftover of an interrupted backup is deleted.
      - A number of seconds, or a number with a unit - C(s), C(m), C(h), C(d) or C(w)
        (V(12h), V(2d)).
    type: raw
    required: true
  cluster_name:
    description: The cluster whose sets these are; sets of other clusters are kept.
    type: str
  now:
    description:
      - The current time, UTC, as C(YYYY-MM-DDTHH:MM:SSZ); the controller's clock when
        omitted. For tests and reports.
    type: str
author:
  - wsfc.clusterdb maintainers (@wsfc-clusterdb)
"""

EXAMPLES = r"""
- name: List and verify the sets at a destination
  wsfc.clusterdb.backup_set_info:
    path: \\fs01\clusterbackups\CLU01
  register: destination

- name: Delete what retention gives up
  ansible.windows.win_file:
    path: "{{ item.path }}"
    state: absent
  loop: >-
    {{ destination | wsfc.clusterdb.retention_plan(keep=7, leftover_age='1d', cluster_name='CLU01')
       | selectattr('action', 'equalto', 'delete') | list }}
  loop_control:
    label: "{{ item.name }}: {{ item.reason }}"
"""

RETURN = r"""
_value:
  description:
    - One decision per directory of the report, in its order, each with C(name), C(path)
      (as the report gives it), C(status) (the set's, V(complete), V(incomplete) or
      V(corrupt)), C(action) (V(keep) or V(delete)) and C(reason). The reason of a corrupt
      set, which is always kept, ends with what is wrong with it.
  type: list
  elements: dict
"""

import typing as t
from datetime import UTC, datetime, timedelta

from ansible.errors import AnsibleFilterError

# plugin_utils is imported when the filter is called, not when this file is loaded: a
# lookup of any one filter of the collection loads every filter file, in every worker
# (docs/internals.md, "Filter files").

_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def parse_duration(value: object) -> timedelta:
    """``value`` as a duration: seconds (a number) or a number with a unit (12h, 2d)."""
    from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._duration import (
        parse_duration as parse_retention_duration,
    )
    from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._refusal import PolicyRefusal

    try:
        return parse_retention_duration(value)
    except PolicyRefusal as refusal:
        raise AnsibleFilterError(str(refusal)) from refusal


def _parse_time(text: str) -> datetime:
    return datetime.strptime(text, _TIME_FORMAT).replace(tzinfo=UTC)


def _created(entry: dict[str, t.Any], now: datetime) -> datetime:
    """When a directory was made: its manifest's time, else the time in its name.

    A directory with neither is not ours (retention never touches it) and gets ``now``,
    which makes it look young.
    """
    from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._set_naming import (
        parse_set_name,
        parse_staging_name,
    )

    if entry.get("created"):
        return _parse_time(str(entry["created"]))
    name = str(entry.get("name"))
    parsed = parse_set_name(name) or parse_staging_name(name)
    return parsed.created if parsed is not None else now


def _of_other_cluster(entry: dict[str, t.Any], cluster_name: str | None) -> str | None:
    owner = (entry.get("cluster") or {}).get("name")
    if cluster_name and owner and str(owner).casefold() != cluster_name.casefold():
        return str(owner)
    return None


def retention_plan(
    report: object,
    keep: int,
    leftover_age: object,
    cluster_name: str | None = None,
    now: str | None = None,
) -> list[dict[str, str]]:
    from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._manifest import COMPLETE
    from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._refusal import PolicyRefusal
    from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._retention import (
        KEEP,
        SetAtDestination,
        plan_retention,
    )

    sets = report.get("sets") if isinstance(report, dict) else report
    if not isinstance(sets, list):
        raise AnsibleFilterError("retention_plan takes a backup_set_info result or its sets")
    moment = _parse_time(now) if now else datetime.now(UTC)
    age = parse_duration(leftover_age)
    paths = {str(s.get("name")): s.get("path") for s in sets}

    foreign: dict[str, str] = {}
    entries: list[SetAtDestination] = []
    for entry in sets:
        name = str(entry.get("name"))
        owner = _of_other_cluster(entry, cluster_name)
        if owner is not None:
            foreign[name] = owner
            continue
        entries.append(
            SetAtDestination(
                name=name,
                created=_created(entry, moment),
                status=str(entry.get("status") or COMPLETE),
                verified=bool(entry.get("verified")),
            )
        )
    try:
        keep_count = keep if isinstance(keep, int) else int(str(keep))
        plan = plan_retention(entries, keep=keep_count, leftover_age=age, now=moment)
    except PolicyRefusal as refusal:
        raise AnsibleFilterError(str(refusal)) from refusal
    except (TypeError, ValueError) as err:
        raise AnsibleFilterError(f"retention_plan: {err}") from err

    decided = {d["name"]: d for d in plan.as_result()}
    for name, owner in foreign.items():
        decided[name] = {
            "name": name,
            "action": KEEP,
            "reason": f"a set of cluster {owner}, not {cluster_name}: never touched here",
        }
    return [
        _decision(decided[str(s.get("name"))], s, paths)
        for s in sets
        if str(s.get("name")) in decided
    ]


def _decision(
    decided: dict[str, str], entry: dict[str, t.Any], paths: dict[str, t.Any]
) -> dict[str, t.Any]:
    from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._manifest import (
        COMPLETE,
        CORRUPT,
    )

    status = str(entry.get("status") or COMPLETE)
    decision: dict[str, t.Any] = {**decided, "path": paths[decided["name"]], "status": status}
    if status == CORRUPT and entry.get("message"):
        # A corrupt set is kept for the operator to look at: the decision says what is wrong
        # with it, so that the run names it instead of keeping it silently.
        decision["reason"] = f"{decided['reason']}. {entry['message']}"
    return decision


class FilterModule:
    def filters(self) -> dict[str, t.Callable[..., t.Any]]:
        return {"retention_plan": retention_plan}
