# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The restore role's procedure: every decision the role takes, from the hosts' results.

The restore_procedure action plugin is the only caller. It hands over what the role's
tasks registered on every host of the play; this module turns it into the one node model
(plugin_utils._cluster_nodes), and decides with plugin_utils._restore_plan:

- :func:`preflight` the restoring node and where to look for sets, then the set itself;
- :func:`plan` the steps with their inventory hosts, or the refusals (computed once per
  run: the later phases read the plan back with RestorePlan.from_data);
- :func:`record_step` whether a step failed anywhere, per node, for the timeline;
- :func:`recovery` what to start again after a failed step, and the operator's report;
- :func:`summary` the report of a restore that ran.
"""

from __future__ import annotations

import re
import typing as t
from collections.abc import Mapping
from datetime import UTC, datetime

from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._cluster_nodes import (
    UP,
    ClusterNode,
    answered,
    parse_tag,
    read_nodes,
    short_name,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._duration import parse_duration
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._errors import (
    safety_backup_failure_message,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._manifest import (
    INCOMPLETE,
    verify_backup_set,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._paxos import (
    PaxosTag,
    parse_version_facts,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._refusal import PolicyRefusal
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._restore_plan import (
    PREFLIGHT,
    RESTORE_STEP,
    SAFETY_BACKUP,
    STEP_ORDER,
    STOP_NODES,
    WAIT_UP,
    RestorePlan,
    choose_restoring_node,
    converged,
    plan_recovery,
    plan_restore,
    runs_version,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._retention import (
    DELETE,
    SetAtDestination,
    plan_retention,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._set_naming import (
    SET_KIND,
    STAGING_KIND,
    classify_directory,
    parse_set_name,
    parse_staging_name,
)

Results = Mapping[str, t.Any]
SAFETY_DIRECTORY = "pre_restore"
RECOVERY = "recovery"
# The steps whose module results the report and the recovery read again: kept in their
# records, since the role's task registers are overwritten by the later steps' skips.
_KEPT_RESULTS = (SAFETY_BACKUP, RESTORE_STEP)
_DROPPED_KEYS = ("invocation", "configuration", "diff")

CHANGED = "changed"
OK = "ok"
FAILED = "failed"
UNREACHABLE = "unreachable"
SKIPPED = "skipped"

# The age after which what earlier safety backups left unfinished is removed (the role's
# restore_leftover_age), as the backup role's backup_leftover_age.
LEFTOVER_AGE = "1d"
LEFTOVER_AGE_OPTION = "restore_leftover_age"

# plan_recovery starts nodes in at most two rounds: the nodes this run stopped, then the
# restoring node (after a failed restore, so that it joins their running cluster).
RECOVERY_ROUNDS = 2


# --- preflight -------------------------------------------------------------------------


def _cluster_of(nodes: list[ClusterNode]) -> dict[str, t.Any] | None:
    """The cluster most reachable nodes name (a tie: the first by node name)."""
    counts: dict[str, int] = {}
    first: dict[str, Mapping[str, t.Any]] = {}
    for node in nodes:
        if node.cluster and node.cluster.get("id"):
            key = str(node.cluster["id"]).casefold()
            counts[key] = counts.get(key, 0) + 1
            first.setdefault(key, node.cluster)
    if not counts:
        return None
    best = first[max(counts, key=lambda key: counts[key])]
    return {"name": best.get("name"), "id": best.get("id")}


def _membership_problems(nodes: list[ClusterNode], cluster: Mapping | None) -> list[str]:
    problems = []
    for node in nodes:
        if cluster and node.cluster and node.cluster.get("id"):
            if str(node.cluster["id"]).casefold() != str(cluster["id"]).casefold():
                problems.append(
                    f"{node.host} belongs to cluster {node.cluster.get('name')} "
                    f"(id {node.cluster['id']}), not to {cluster['name']} like the other "
                    "hosts: restore one cluster at a time (limit the play to its nodes)."
                )
    return problems


def set_locations(backup_path: str, cluster: Mapping[str, t.Any] | None) -> list[str]:
    """Where to look for the sets: the cluster's own folder under the location (where the
    backup role writes), then the location itself (where cluster_backup writes when a task
    names it)."""
    location = str(backup_path or "")
    if not location:
        return []
    name = (cluster or {}).get("name")
    separator = "/" if "/" in location and "\\" not in location else "\\"
    folder = location.rstrip("\\/") + separator + str(name) if name else None
    return [folder, location] if folder else [location]


def _listing_failure(listing: Mapping[str, t.Any]) -> str | None:
    if listing.get("skipped"):
        return f"{listing.get('item', 'the location')} was not listed"
    if listing.get("failed") or listing.get("unreachable"):
        return (
            f"{listing.get('backup_path') or listing.get('item')} could not be listed on the "
            "restoring node: " + str(listing.get("msg") or "no message").strip()
        )
    return None


def _sets_of(listing: Mapping[str, t.Any]) -> list[dict[str, t.Any]]:
    return [dict(s) for s in listing.get("sets") or [] if s.get("kind", "set") == "set"]


def _rejected(listing: Mapping[str, t.Any], set_name: str) -> Mapping[str, t.Any] | None:
    """The set of that name backup_set_info left out of the listing, with its reason."""
    if not set_name:
        return None
    return next(
        (
            entry
            for entry in listing.get("rejected") or []
            if str(entry.get("name")).casefold() == set_name.casefold()
        ),
        None,
    )


# backup_set_info's reasons for leaving a set out on its signature (_backup_set_report).
_SIGNATURE_REASONS = ("forged", "unsigned")


def _left_out_newer(listing: Mapping[str, t.Any], chosen: str) -> list[str]:
    """The sets newer than ``chosen`` that backup_set_info left out on their signature, so
    that the report says why the newest set was not taken."""
    return [
        f"{entry.get('name')} ({entry.get('reason')})"
        for entry in listing.get("rejected") or []
        if entry.get("reason") in _SIGNATURE_REASONS and str(entry.get("name")) > chosen
    ]


def _listings_of(listed: object) -> list[Mapping[str, t.Any]] | None:
    """The restoring host's backup_set_info results, one per location listed, in order
    (a loop's results, or one result); None when nothing was registered."""
    if not isinstance(listed, Mapping):
        return None
    listings = listed.get("results") if "results" in listed else [listed]
    return [x for x in listings or [] if isinstance(x, Mapping)]


def _set_entry(
    listings: list[Mapping[str, t.Any]], set_name: str, *, more_to_list: bool = False
) -> tuple[dict[str, t.Any] | None, str | None]:
    """The set to restore from the listings (the first location that has it wins), or why
    there is none; (None, None) when it is in none of them and ``more_to_list``: the next
    location is listed before anything is decided."""
    failures, seen = [], []
    for listing in listings or []:
        failure = _listing_failure(listing)
        if failure:
            failures.append(failure)
            continue
        path = listing.get("backup_path")
        rejected = _rejected(listing, set_name)
        if rejected is not None:
            # backup_set_info left it out as foreign, corrupt or incomplete: say so, not
            # that there is no set of that name.
            reason = str(rejected.get("message") or rejected.get("reason") or "").strip()
            return None, (
                f"the set {set_name} under {path} cannot be restored: {reason} Name another "
                "set as restore_set (wsfc.clusterdb.backup_set_info lists and verifies them)."
            )
        sets = _sets_of(listing)
        seen += [f"{path}: {s['name']} ({s.get('status')})" for s in sets]
        if set_name:
            entry = next(
                (s for s in sets if str(s["name"]).casefold() == set_name.casefold()), None
            )
            if entry is not None:
                return entry, None
        elif listing.get("newest_complete"):
            newest = dict(listing["newest_complete"])
            newest["left_out"] = _left_out_newer(listing, str(newest.get("name")))
            return newest, None
    if more_to_list:
        return None, None
    where = ", ".join(str(x.get("backup_path") or x.get("item")) for x in listings)
    found = "; ".join(seen) or "none"
    if set_name:
        problem = (
            f"no set named {set_name} under {where} (sets found: {found}); name one of them "
            "as restore_set, or leave it empty for the newest complete set."
        )
    else:
        problem = (
            f"no complete backup set of this cluster under {where} (sets found: {found}). "
            "Check backup_path, or take a backup first (wsfc.clusterdb.backup)."
        )
    if failures:
        problem += " " + " ".join(failures)
    return None, problem


_SET_KEYS = (
    "name",
    "path",
    "status",
    "cluster",
    "configuration_version",
    "created",
    "source_node",
    "route",
    "signature",
    "left_out",
)


def preflight(
    results_by_host: Results,
    listing: object = None,
    *,
    restoring_node: str = "",
    set_name: str = "",
    backup_path: str = "",
    cluster_name: str = "",
) -> dict[str, t.Any]:
    """The nodes, the restoring node and (with the restoring host's ``listing``) the set.

    Never raises for what the hosts said: what stops the restore is in ``problems``.
    """
    nodes = read_nodes(results_by_host)
    cluster = _cluster_of(nodes)
    problems = _membership_problems(nodes, cluster)
    named = str(cluster_name or "").strip()
    if cluster is None and named:
        # No node can tell (the cluster is down): the inventory's name finds the folder the
        # backup role writes to; the set's own manifest is checked against the nodes later.
        cluster = {"name": named, "id": None}
    elif cluster is not None and named and str(cluster.get("name")).casefold() != named.casefold():
        problems.append(
            f"the inventory says these hosts are nodes of cluster {named} (restore_cluster_name "
            f"or wsfc_cluster_name), but they run cluster {cluster.get('name')}: correct the "
            "inventory, or limit the play to the nodes of one cluster."
        )
    findings: dict[str, t.Any] = {
        "nodes": [n.as_data() for n in nodes],
        "cluster": cluster,
        "restoring_node": None,
        "restoring_host": None,
        "choice_reason": None,
        "set": None,
        "set_locations": set_locations(backup_path, cluster),
        "next_location": None,
        "runs_set": False,
        "problems": problems,
    }
    requested = str(restoring_node or "").strip()
    if requested:
        # The operator may name an inventory host as well as a node.
        by_host = next(
            (n for n in nodes if n.host and short_name(n.host) == short_name(requested)), None
        )
        requested = by_host.name if by_host else requested
    try:
        choice = choose_restoring_node(nodes, requested or None)
    except PolicyRefusal as refusal:
        problems.append(str(refusal))
        return findings
    chosen = next(n for n in nodes if n.name == choice.name)
    if chosen.host is None:
        problems.append(
            f"{chosen.name} cannot restore: no host of the play is that node. Add it to the "
            "inventory (or the play's hosts) or name another restoring node."
        )
        return findings
    findings.update(
        restoring_node=chosen.name, restoring_host=chosen.host, choice_reason=choice.reason
    )
    locations = findings["set_locations"]
    if listing is None:
        # The first call: the restoring host lists the first location, and the set is
        # picked from that listing.
        findings["next_location"] = locations[0] if locations else None
        return findings
    listings = _listings_of(listing)
    if listings is not None:
        # A listing past the last location is a task the role skipped: none to read.
        listings = listings[: len(locations)]
    if listings is None:
        problems.append(
            "No backup set to restore: the backup location was not listed on the restoring node."
        )
        return findings
    more_to_list = len(listings) < len(locations)
    entry, problem = _set_entry(listings, str(set_name or "").strip(), more_to_list=more_to_list)
    if entry is None and problem is None:
        # Not under the locations listed so far: the next one is listed, one module run
        # more, only when the set is not in the cluster's own folder.
        findings["next_location"] = locations[len(listings)]
        return findings
    if problem:
        problems.append(f"No backup set to restore: {problem}")
        return findings
    chosen = t.cast(dict, entry)
    findings["set"] = {key: chosen.get(key) for key in _SET_KEYS}
    # Every node already runs the set's configuration version: nothing is restored, so the
    # restoring node's check (which hashes the set) is not run (docs/restore.md).
    findings["runs_set"] = chosen.get("status") == "complete" and runs_version(
        nodes, parse_version_facts(chosen.get("configuration_version"))
    )
    return findings


# --- plan ------------------------------------------------------------------------------


_CHECK_PREFIX = "The restore failed: "


def _sentence(text: str) -> str:
    """One sentence ending: texts that end with a period are not given a second one."""
    return re.sub(r"\.(\s*\.)+(?=\s|$)", ".", text.strip())


def _refusal(code: int | None, name: str, message: str) -> dict[str, t.Any]:
    return {"code": code, "name": name, "message": _sentence(message)}


def taken_set(safety_backup: Mapping[str, t.Any] | None) -> str | None:
    """The safety backup set a cluster_backup result reports, None unless it was written:
    a failed, skipped or unreachable run names no set, whatever keys it carries."""
    result = safety_backup or {}
    if not isinstance(result, Mapping) or outcome(result) not in (CHANGED, OK):
        return None
    return str(result.get("set_path") or "") or None


def safety_location(set_path: str, safety_backup_path: str) -> str:
    """Where the safety backup goes: the operator's path, else a directory of its own
    beside the set, never among the sets restored from, so that a later "newest complete
    set" is never the configuration from before a restore."""
    if safety_backup_path:
        return safety_backup_path
    separator = "/" if "/" in set_path and "\\" not in set_path else "\\"
    parent = set_path.rstrip("\\/").rsplit(separator, 1)[0]
    return parent + separator + SAFETY_DIRECTORY


def _check_refusal(check: Mapping[str, t.Any]) -> dict[str, t.Any] | None:
    if not check or check.get("skipped"):
        return None
    if check.get("unreachable"):
        return _refusal(
            None, "UNREACHABLE", f"The restoring node cannot be reached: {check.get('msg')}"
        )
    if not check.get("failed"):
        return None
    error = check.get("error") or {}
    text = str(check.get("msg") or error.get("message") or "the restore check failed")
    # The check is cluster_restore in check mode: its message says "The restore failed",
    # but nothing ran; in the plan's refusal it is the check that refused.
    if text.startswith(_CHECK_PREFIX):
        text = "The restoring node's check refused the set: " + text[len(_CHECK_PREFIX) :]
    return _refusal(check.get("error_code"), str(error.get("name") or "RESTORE_CHECK_FAILED"), text)


def _backup_version(found: Mapping[str, t.Any], check: Mapping[str, t.Any]) -> PaxosTag | None:
    from_check = (check.get("configuration_version") or {}).get("backup") if check else None
    set_version = (found.get("set") or {}).get("configuration_version") or {}
    # The set's facts carry the range when the configuration changed during its backup
    # (paxos_tag_after): such a set is never taken for the running configuration.
    from_set = parse_version_facts(set_version)
    tag = parse_tag(from_check)
    if tag is None or (from_set is not None and from_set.first == tag):
        return from_set or tag
    return tag


def _other_cluster(found: Mapping[str, t.Any]) -> list[dict[str, t.Any]]:
    backed_up = (found.get("set") or {}).get("cluster") or {}
    if not backed_up.get("id"):
        return []
    refusals = []
    for node in found["nodes"]:
        cluster = node.get("cluster") or {}
        if cluster.get("id") and str(cluster["id"]).casefold() != str(backed_up["id"]).casefold():
            refusals.append(
                _refusal(
                    None,
                    "OTHER_CLUSTER",
                    f"{node['name']} is a node of cluster {cluster.get('name')} (id "
                    f"{cluster['id']}); the set was taken from {backed_up.get('name')} (id "
                    f"{backed_up['id']}). Restore a set of this cluster, or run the restore "
                    "against the nodes of the set's cluster.",
                )
            )
    return refusals


def _hosts_by_kind(steps: list[dict[str, t.Any]]) -> dict[str, list[str]]:
    by_kind: dict[str, list[str]] = {kind: [] for kind in STEP_ORDER}
    for step in steps:
        by_kind[step["kind"]] = step["hosts"]
    return by_kind


def _refused(
    found: Mapping[str, t.Any], refusals: list[dict[str, t.Any]], notes: list[str]
) -> dict[str, t.Any]:
    lines = ["The restore was refused; no node was changed."]
    lines += [f"- {r['message']}" for r in refusals]
    lines += [f"Note: {n}" for n in notes]
    return {
        "restoring_node": found.get("restoring_node"),
        "restoring_host": found.get("restoring_host"),
        "choice_reason": found.get("choice_reason"),
        "steps": [],
        "hosts": _hosts_by_kind([]),
        "refusals": refusals,
        "notes": notes,
        "already_current": False,
        "changes_anything": False,
        "message": "\n".join(lines),
        "set": found.get("set"),
        "cluster": found.get("cluster"),
    }


def _consent_prompt(data: Mapping[str, t.Any], check: Mapping[str, t.Any]) -> str:
    chosen = data["set"] or {}
    version = (chosen.get("configuration_version") or {}).get("paxos_tag")
    changes = check.get("configuration_changes") or []
    stop = data["hosts"][STOP_NODES]
    lines = [
        f"Restore cluster {(data['cluster'] or {}).get('name')} to backup set "
        f"{chosen.get('name')} (configuration version {version}, taken {chosen.get('created')}).",
        f"{len(changes)} configuration object(s) change; the running configuration is "
        f"backed up first to {data['safety_backup_path']}."
        if data["hosts"]["safety_backup"]
        else f"{len(changes)} configuration object(s) change; NO safety backup is taken.",
        f"The Cluster service stops on: {', '.join(stop) or 'no node (none runs it)'}.",
        f"{data['restoring_host']} restores and starts first ({data['choice_reason']}).",
        "Type y to restore, anything else to stop without changing anything",
    ]
    return "\n".join(lines)


def plan(
    found: Mapping[str, t.Any],
    restore_check: Mapping[str, t.Any] | None = None,
    *,
    force: bool = False,
    quorum_drive: str = "",
    safety_backup: bool = True,
    safety_backup_path: str = "",
    backup_path: str = "",
    leftover_age: str = LEFTOVER_AGE,
) -> dict[str, t.Any]:
    """The plan as plain data, each step with its hosts; or the refusals, no steps.

    ``found`` is :func:`preflight`'s result, ``restore_check`` the restoring host's
    check-mode cluster_restore result. The check refuses what the restoring node sees (a
    corrupt set, 5087; 5056; 5086) in one message that names every refusal: a refusal of
    plan_restore's with the same code is left out for it.
    """
    check = dict(restore_check or {})
    refusals = [_refusal(None, "PREFLIGHT", str(p)) for p in found.get("problems") or []]
    try:
        parse_duration(leftover_age, LEFTOVER_AGE_OPTION)
    except PolicyRefusal as refusal:
        refusals.append(_refusal(None, "OPTION", str(refusal)))
    if found.get("restoring_node") is None or found.get("set") is None:
        return _refused(found, refusals, [])
    refusals += _other_cluster(found)
    version = _backup_version(found, check)
    checked = _check_refusal(check)
    if version is None:
        refusals.append(
            checked
            or _refusal(None, "NO_VERSION", "The set records no readable configuration version.")
        )
        return _refused(found, refusals, [])

    fingerprints = check.get("configuration_fingerprint") or {}
    try:
        decided = plan_restore(
            [ClusterNode.from_data(n) for n in found["nodes"]],
            backup_version=version,
            force=bool(force),
            restoring_node=found["restoring_node"],
            quorum_drive=quorum_drive or None,
            safety_backup=bool(safety_backup),
            running_fingerprint=fingerprints.get("current"),
            backup_fingerprint=fingerprints.get("backup"),
            route=check.get("route"),
        )
    except PolicyRefusal as refusal:
        refusals.append(_refusal(None, "PREFLIGHT", str(refusal)))
        return _refused(found, refusals, [])
    repeated = checked["code"] if checked and checked["code"] is not None else object()
    refusals += [
        _refusal(r.code, r.name, r.message) for r in decided.refusals if r.code != repeated
    ]
    if checked:
        refusals.append(checked)
    if refusals:
        return _refused(found, refusals, list(decided.notes))

    hosts_by_node = {n["name"]: n.get("host") for n in found["nodes"]}
    data = decided.to_data()
    for step in data["steps"]:
        step["hosts"] = [h for h in (hosts_by_node.get(n) for n in step["nodes"]) if h]
    data.update(
        # plan_restore was handed the node the preflight chose; the reason is the preflight's.
        choice_reason=found.get("choice_reason") or decided.choice_reason,
        restoring_host=hosts_by_node.get(decided.restoring_node or ""),
        hosts=_hosts_by_kind(data["steps"]),
        node_hosts=hosts_by_node,
        changes_anything=decided.changes_anything,
        refusals=[],
        message="",
        set=found.get("set"),
        cluster=found.get("cluster"),
        quorum_drive=quorum_drive or None,
        safety_backup_path=safety_location(
            str((found.get("set") or {}).get("path") or backup_path or ""),
            str(safety_backup_path or ""),
        ),
        configuration_changes=check.get("configuration_changes") or [],
        backup_fingerprint=fingerprints.get("backup"),
        leftover_age=str(leftover_age),
    )
    data["consent_prompt"] = _consent_prompt(data, check)
    return data


# --- steps -----------------------------------------------------------------------------


def outcome(result: object) -> str:
    if not isinstance(result, Mapping):
        return SKIPPED
    if result.get("unreachable"):
        return UNREACHABLE
    if result.get("failed"):
        return FAILED
    if result.get("skipped"):
        return SKIPPED
    return CHANGED if result.get("changed") else OK


def _first_line(text: object) -> str:
    lines = str(text or "").strip().splitlines()
    return lines[0] if lines else ""


# What ansible-core puts in ``msg`` for a failed result that has none of its own: "Unknown
# error." (ansible-core 2.19 shows it as "Task failed: Action failed: Unknown error."), for
# one an until/retries loop that ran out of attempts on a module result without ``msg``.
_NO_MESSAGE = re.compile(
    r"^(?:Task failed: )?(?:(?:Action|Module) failed(?:: |\.)?)?(?:Unknown error\.?)?$"
)


def _own_message(result: Mapping[str, t.Any]) -> str:
    """The first line of the result's own message, empty for ansible-core's placeholder."""
    text = _first_line(result.get("msg"))
    return "" if _NO_MESSAGE.match(text) else text


def _failure_message(result: Mapping[str, t.Any]) -> str:
    """Why a failed or unreachable result failed, never empty: its own message, else the
    error it carries, else what it holds instead of a message."""
    text = _own_message(result) or _first_line((result.get("error") or {}).get("message"))
    if text:
        return text
    code = result.get("error_code") if result.get("error_code") is not None else result.get("rc")
    detail = f" (exit code {code})" if code not in (None, 0) else ""
    return f"the task failed and its result carries no message{detail}"


def _wait_reading(result: object) -> object:
    """A wait result as the node's reading: a cluster_info answer that an until/retries
    loop marked failed only because the node was not Up yet is what the node reported,
    not a failure of the read (converged() judges it)."""
    if (
        isinstance(result, Mapping)
        and result.get("failed")
        and "attempts" in result
        and result.get("node_name")
        and not result.get("unreachable")
        and not _own_message(result)
        and result.get("error_code") is None
    ):
        return {k: v for k, v in result.items() if k not in ("failed", "msg", "exception")}
    return result


def _wait_problems(
    data: Mapping[str, t.Any],
    observed: Mapping[str, ClusterNode],
    results_by_host: Results,
    step_hosts: list[str],
) -> tuple[list[str], str]:
    """What the wait saw that is not converged, and the next command for each such node."""
    plan_data = RestorePlan.from_data(data)
    problems = list(converged(plan_data, observed)[1])
    if not problems:
        return [], ""
    attempts = [
        int(r["attempts"])
        for r in (results_by_host.get(h) for h in step_hosts)
        if isinstance(r, Mapping) and isinstance(r.get("attempts"), int)
    ]
    reads = max(attempts, default=1)
    waited = plan_data.step(WAIT_UP)
    names = set(waited.nodes if waited else ())
    advice = [
        f"{a.name}: {a.next_step}"
        for a in plan_recovery(plan_data, WAIT_UP, observed).nodes
        if a.name in names and a.next_step != "nothing"
    ]
    message = _sentence(
        "Not every node was Up with the restored configuration after reading each node up to "
        f"{reads} time(s): " + "; ".join(problems) + "."
    )
    next_step = (
        "Next: the recovery reads every node again; if each one is Up with the restored "
        "configuration by then, the restore took effect and the run ends without a failure. "
        "Otherwise: "
        + ("; ".join(advice) or "run the same restore command again")
        + ". A node that is only slow to come Up needs a larger restore_wait_retries or "
        "restore_wait_delay."
    )
    return [message], next_step


def _moment(stamp: str) -> datetime:
    """An ISO 8601 time (the role's now(utc=true)) as an aware datetime; now when empty."""
    if stamp:
        moment = datetime.fromisoformat(stamp)
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return datetime.now(UTC)


def safety_leftovers(
    result: Mapping[str, t.Any], leftover_age: str, now: datetime
) -> list[dict[str, str]]:
    """What earlier safety backups left in the safety backup's folder and is to be removed,
    each with ``name``, ``path`` and ``reason``: from the folder's listing that the safety
    backup made before it wrote (cluster_backup's inspect phase, so never this run's own
    set), the staging directories (``unfinished_*``) and the sets without their completion
    marker, kept or removed by the backup role's retention rule for leftovers
    (plugin_utils._retention: older than ``leftover_age``; a corrupt one is kept). A complete
    set, a set with its marker that lacks something else, and a directory whose name is not
    one of this collection's are never among them."""
    inspect = (result.get("phase_results") or {}).get("inspect") or {}
    folder = str(result.get("backup_path") or "").rstrip("\\/")
    if not folder:
        return []
    entries = []
    for listed in inspect.get("sets") or []:
        name = str(listed.get("name") or "")
        kind = classify_directory(name)
        # A staging directory always is a leftover, a set only without its marker (written
        # last); any other name is not this collection's.
        if kind == STAGING_KIND:
            parsed = parse_staging_name(name)
            status = INCOMPLETE  # retention decides a staging directory by its kind
        elif kind == SET_KIND and not listed.get("marker_present"):
            parsed = parse_set_name(name)
            # Without its marker a set is incomplete, or corrupt (kept) when its manifest
            # cannot be read: retention's own classification.
            status = verify_backup_set(
                marker_present=False,
                manifest_text=listed.get("manifest_text"),
                files=listed.get("files"),
                set_name=name,
            ).status
        else:
            continue
        if parsed is not None:
            entries.append(SetAtDestination(name, parsed.created, status))
    decided = plan_retention(
        entries, keep=1, leftover_age=parse_duration(leftover_age, LEFTOVER_AGE_OPTION), now=now
    )
    return [
        {
            "name": d.name,
            "path": f"{folder}\\{d.name}",
            "reason": (
                "the staging folder of a safety backup that did not finish"
                if classify_directory(d.name) == STAGING_KIND
                else "a set without its completion marker"
            )
            + f", older than {leftover_age} ({LEFTOVER_AGE_OPTION})",
        }
        for d in decided.decisions
        if d.action == DELETE
    ]


def record_step(
    results_by_host: Results,
    data: Mapping[str, t.Any],
    step: str,
    *,
    started: str = "",
    finished: str = "",
    hosts: list[str] | None = None,
    after: list[Mapping[str, t.Any]] | None = None,
) -> dict[str, t.Any]:
    """One step as it happened on each of its hosts (``hosts``: instead of the plan's).

    For the wait step the results are cluster_info results: it fails unless the plan's
    converged() holds over what every node reports, and a failed record names what was
    observed and what to run (``next_step``).
    """
    step_hosts = (
        list(hosts) if hosts is not None else list((data.get("hosts") or {}).get(step) or [])
    )
    if step == WAIT_UP:
        results_by_host = {h: _wait_reading(results_by_host.get(h)) for h in step_hosts}
    names = {h: n for n, h in (data.get("node_hosts") or {}).items() if h}
    nodes: dict[str, dict[str, t.Any]] = {}
    problems = []
    for host in step_hosts:
        result = results_by_host.get(host)
        status = outcome(result)
        message = _own_message(result) if isinstance(result, Mapping) else ""
        if status in (FAILED, UNREACHABLE) and isinstance(result, Mapping):
            message = _failure_message(result)
        if step == SAFETY_BACKUP and status == FAILED and isinstance(result, Mapping):
            # Its way out (restore_safety_backup_path) is the restore's, not the backup's.
            message = _first_line(safety_backup_failure_message(result))
        elapsed = result.get("elapsed") if isinstance(result, Mapping) else None
        name = names.get(host, host)
        nodes[name] = {
            "host": host,
            "status": status,
            "changed": status == CHANGED,
            "message": message,
            "elapsed": elapsed if isinstance(elapsed, (int, float)) else None,
        }
        if step in _KEPT_RESULTS and isinstance(result, Mapping):
            nodes[name]["result"] = {k: v for k, v in result.items() if k not in _DROPPED_KEYS}
        if status in (FAILED, UNREACHABLE):
            problems.append(f"{name}: {status}: {message}")
    next_step = ""
    if step == WAIT_UP:
        # Every node's reading, failed ones included, is judged by converged(): the message
        # names what each node showed and the next command for it.
        observed = {
            n.name: n for n in read_nodes({h: results_by_host.get(h) for h in step_hosts}) if n.host
        }
        problems, next_step = _wait_problems(data, observed, results_by_host, step_hosts)
        for name, node in nodes.items():
            seen = observed.get(name)
            if seen is not None and seen.paxos_tag is not None:
                node["message"] = f"{seen.state}, configuration version {seen.paxos_tag.version}"
    elif problems:
        next_step = (
            "Next: the recovery reads every node, starts again what this run stopped, and "
            "names the command to run for each node."
        )
    leftovers: list[dict[str, str]] = []
    if step == SAFETY_BACKUP:
        written = [r for r in (results_by_host.get(h) for h in step_hosts) if taken_set(r)]
        if written:
            leftovers = safety_leftovers(
                written[0], str(data.get("leftover_age") or LEFTOVER_AGE), _moment(finished)
            )
    if after:
        started = str(after[-1].get("finished") or started)
    return {
        "step": step,
        "started": started,
        "finished": finished,
        "failed": bool(problems),
        "message": "\n".join(problems),
        "next_step": next_step,
        "leftovers": leftovers,
        "nodes": nodes,
        "changed_nodes": [n for n, v in nodes.items() if v["changed"]],
    }


# --- recovery --------------------------------------------------------------------------


def _recovery_lines(records: list[Mapping[str, t.Any]]) -> list[str]:
    lines = []
    for record in records:
        for name, node in (record.get("nodes") or {}).items():
            if node["status"] in (CHANGED, OK):
                lines.append(f"Recovery started the Cluster service on {name}.")
            elif node["status"] != SKIPPED:
                detail = f": {node['message']}" if node.get("message") else ""
                lines.append(f"Recovery could not start {name} ({node['status']}{detail}).")
    return lines


def step_result(records: list[Mapping[str, t.Any]], step: str) -> dict[str, t.Any]:
    """The module result a step's record kept (its one node's), empty when it did not run."""
    for record in records:
        if record.get("step") == step:
            for node in (record.get("nodes") or {}).values():
                if node.get("result") is not None:
                    return dict(node["result"])
    return {}


def failed_step_of(data: Mapping[str, t.Any], records: list[Mapping[str, t.Any]]) -> str:
    """The last step recorded as failed, else the first step of the plan without a record
    (the preflight is never recorded: it ran before the procedure)."""
    failed = [r["step"] for r in records if r.get("failed")]
    if failed:
        return str(failed[-1])
    done = {r["step"] for r in records}
    pending = [s["kind"] for s in data["steps"] if s["kind"] != PREFLIGHT and s["kind"] not in done]
    return pending[0] if pending else str(data["steps"][-1]["kind"])


def stopped_by_run(records: list[Mapping[str, t.Any]]) -> list[str]:
    """The nodes the stop step stopped (none before it ran)."""
    return [n for r in records if r["step"] == STOP_NODES for n in r.get("changed_nodes") or []]


def recovery(
    observations_by_host: Results,
    data: Mapping[str, t.Any],
    records: list[Mapping[str, t.Any]],
    *,
    cause: str = "",
    recovered: list[Mapping[str, t.Any]] | None = None,
) -> dict[str, t.Any]:
    """Which hosts to start again (``first_hosts``, then ``then_hosts``) after the failed
    step, and the report: what happened, what recovery did (``recovered``: the records of
    the recovery's own starts, once they ran), each node's state and what to run next."""
    records = list(records or [])
    failed_step = failed_step_of(data, records)
    observed = {n.name: n for n in read_nodes(observations_by_host)}
    if _runs_the_set(observations_by_host, observed, data):
        return _completed_late(data, failed_step, observed, cause, recovered)
    decided = plan_recovery(
        RestorePlan.from_data(data),
        failed_step,
        observed,
        stopped_by_run=stopped_by_run(records),
        safety_backup_set=taken_set(step_result(records, SAFETY_BACKUP)),
    )
    if len(decided.actions) > RECOVERY_ROUNDS:
        raise ValueError("the recovery has more rounds than the role runs")
    hosts_by_node = data.get("node_hosts") or {}

    def hosts(nodes: tuple[str, ...]) -> list[str]:
        return [h for h in (hosts_by_node.get(n) for n in nodes) if h]

    rounds = [hosts(action.nodes) for action in decided.actions] + [[]] * RECOVERY_ROUNDS
    lines = [f"The restore failed at step {failed_step}."]
    if cause:
        lines.append(f"Cause: {cause}")
    lines.append(decided.summary)
    lines += _recovery_lines(list(recovered or []))
    lines.append("Each node now, and what to run next:")
    lines += [f"- {advice.text}" for advice in decided.nodes]
    return {
        "failed_step": failed_step,
        "cause": cause,
        "summary": decided.summary,
        "actions": [
            {
                "kind": a.kind,
                "nodes": list(a.nodes),
                "hosts": hosts(a.nodes),
                "description": a.description,
            }
            for a in decided.actions
        ],
        "first_hosts": rounds[0],
        "then_hosts": rounds[1],
        "nodes": [
            {
                "name": advice.name,
                "host": hosts_by_node.get(advice.name),
                "state": advice.state,
                "next_step": advice.next_step,
            }
            for advice in decided.nodes
        ],
        "report": "\n".join(lines),
        "completed": False,
    }


def _runs_the_set(
    results_by_host: Results, observed: Mapping[str, ClusterNode], data: Mapping[str, t.Any]
) -> bool:
    """Whether every node is Up and every node read runs the set's configuration objects
    (cluster_info's configuration_fingerprint equals the set's): a step reported a failure,
    a slow node for one, and yet the restore took effect everywhere."""
    wanted = data.get("backup_fingerprint")
    if (
        not wanted
        or not observed
        or any(not n.reachable or n.state != UP for n in observed.values())
    ):
        return False
    fingerprints = [
        r.get("configuration_fingerprint") for r in results_by_host.values() if answered(r)
    ]
    return bool(fingerprints) and all(f == wanted for f in fingerprints)


def _completed_late(
    data: Mapping[str, t.Any],
    failed_step: str,
    observed: Mapping[str, ClusterNode],
    cause: str,
    recovered: list[Mapping[str, t.Any]] | None,
) -> dict[str, t.Any]:
    hosts_by_node = data.get("node_hosts") or {}
    summary = (
        f"Step {failed_step} reported a failure, but every node is now Up and runs the "
        "restored configuration (the set's configuration objects): the restore took effect."
    )
    nodes = [
        {
            "name": name,
            "host": hosts_by_node.get(name),
            "state": node.state_text,
            "next_step": "nothing",
        }
        for name, node in sorted(observed.items(), key=lambda item: item[0].casefold())
    ]
    lines = [f"The restore reported a failure at step {failed_step}."]
    if cause:
        lines.append(f"Cause: {cause}")
    lines.append(summary)
    lines += _recovery_lines(list(recovered or []))
    lines.append("Each node now, and what to run next:")
    lines += [f"- {n['name']}: {n['state']}. Next: {n['next_step']}" for n in nodes]
    return {
        "failed_step": failed_step,
        "cause": cause,
        "summary": summary,
        "actions": [],
        "first_hosts": [],
        "then_hosts": [],
        "nodes": nodes,
        "report": "\n".join(lines),
        # The restore took effect: the role ends without a failure, with this in its report.
        "completed": True,
    }


# --- summary ---------------------------------------------------------------------------


def _clock(stamp: object) -> str:
    """HH:MM:SS of an ISO 8601 time, as the timeline shows it."""
    text = str(stamp or "")
    return text[11:19] if len(text) >= 19 else (text or "?")


def timeline(records: list[Mapping[str, t.Any]]) -> dict[str, list[dict[str, t.Any]]]:
    lines: dict[str, list[dict[str, t.Any]]] = {}
    for record in records:
        for name, node in (record.get("nodes") or {}).items():
            lines.setdefault(name, []).append(
                {
                    "step": record.get("step"),
                    "status": node.get("status"),
                    "started": record.get("started"),
                    "finished": record.get("finished"),
                    "elapsed": node.get("elapsed"),
                    "message": node.get("message") or "",
                }
            )
    return dict(sorted(lines.items(), key=lambda item: item[0].casefold()))


def _entry_text(entry: Mapping[str, t.Any]) -> str:
    span = f"{_clock(entry['started'])}-{_clock(entry['finished'])}"
    elapsed = f", {entry['elapsed']:.1f}s on the node" if entry.get("elapsed") is not None else ""
    message = f" ({entry['message']})" if entry.get("message") else ""
    return f"{span} {entry['step']}: {entry['status']}{elapsed}{message}"


def _removal_of(removed: object) -> dict[str, Mapping[str, t.Any]]:
    """The removal task's loop result, by the path of each item it removed."""
    if not isinstance(removed, Mapping):
        return {}
    by_path = {}
    for item in removed.get("results") or []:
        if isinstance(item, Mapping) and isinstance(item.get("item"), Mapping):
            by_path[str(item["item"].get("path"))] = item
    return by_path


def leftover_lines(
    records: list[Mapping[str, t.Any]], removed: object = None, *, check_mode: bool = False
) -> tuple[list[str], dict[str, list[str]]]:
    """What the report says of the leftovers of earlier safety backups (the safety backup's
    record names them, ``removed`` is the removal task's loop result), and the paths by
    outcome: ``removed``, ``failed`` and ``kept`` (not removed: the run stopped before)."""
    found = [
        leftover
        for record in records
        if record.get("step") == SAFETY_BACKUP
        for leftover in record.get("leftovers") or []
    ]
    outcomes: dict[str, list[str]] = {"removed": [], "failed": [], "kept": []}
    if not found:
        return [], outcomes
    by_path = _removal_of(removed)
    lines = [
        "Leftovers of earlier safety backups "
        + ("that would be removed:" if check_mode else "removed:")
    ]
    for leftover in found:
        path, reason = leftover["path"], leftover["reason"]
        result = by_path.get(path)
        status = outcome(result) if result is not None else SKIPPED
        if status in (CHANGED, OK):
            outcomes["removed"].append(path)
            lines.append(f"  {path} ({reason})")
        elif status in (FAILED, UNREACHABLE):
            outcomes["failed"].append(path)
            message = _failure_message(t.cast(Mapping, result))
            lines.append(
                f"  {path} could not be removed: {message}. Remove it once the cause is fixed "
                f"(ansible.windows.win_file state=absent), or let the next restore remove it."
            )
        else:
            outcomes["kept"].append(path)
            lines.append(f"  {path} ({reason}): not removed, the run stopped before")
    return lines, outcomes


def signature_line(signature: object) -> str:
    """What the report says about the set's signature (backup_set_info's verdict)."""
    verdict = signature if isinstance(signature, Mapping) else {}
    status = verdict.get("status")
    if status == "verified":
        return f"Signature: verified, signed by trusted key {verdict.get('key_fingerprint')}."
    if status == "unsigned" and verdict.get("checked"):
        return (
            "Signature: the set is not signed; restored because restore_require_signature is false."
        )
    return (
        "Signature: not checked - no restore_trusted_keys are configured, so the set's "
        "origin is not verified (sets are not signed; docs/security.md)."
    )


def summary(
    data: Mapping[str, t.Any],
    records: list[Mapping[str, t.Any]] | None = None,
    recovered: Mapping[str, t.Any] | None = None,
    removed: object = None,
    *,
    check_mode: bool = False,
) -> dict[str, t.Any]:
    """The report of the restore: the set, the restoring node and why, the safety backup,
    the objects restored, the disks left offline, the leftovers of earlier safety backups
    removed, and a timeline per node.

    ``recovered``: :func:`recovery`'s result when a step reported a failure and the role
    found, reading every node again, that the restore took effect (``completed``).
    ``removed``: the result of the role's removal of the leftovers (a loop's)."""
    records = list(records or [])
    late = recovered if isinstance(recovered, Mapping) and recovered.get("completed") else None
    chosen = data.get("set") or {}
    version = (chosen.get("configuration_version") or {}).get("paxos_tag")
    cluster = (data.get("cluster") or {}).get("name")
    safety_set = taken_set(step_result(records, SAFETY_BACKUP))
    restored = step_result(records, RESTORE_STEP)

    lines = [
        f"Cluster {cluster}, backup set {chosen.get('name')} (configuration version {version}).",
        signature_line(chosen.get("signature")),
    ]
    if chosen.get("left_out"):
        lines.append(
            "Newer sets left out on their signature (find out who wrote them, and remove "
            "them; docs/security.md): " + ", ".join(chosen["left_out"]) + "."
        )
    if data.get("already_current"):
        lines.append(
            "The cluster already runs this set's configuration on every node: nothing was "
            "restored and no node was stopped."
        )
    else:
        lines.append(f"Restoring node: {data.get('restoring_node')} ({data.get('choice_reason')}).")
        if safety_set:
            lines.append(f"Safety backup of the configuration before the restore: {safety_set}")
        elif (data.get("hosts") or {}).get("safety_backup"):
            lines.append("Safety backup: not taken (the run stopped before it).")
        else:
            lines.append("Safety backup: none (no node was Up to take it).")
        # The preflight's check read the running cluster; once the other nodes are stopped
        # the restoring node cannot read it, and the restore's own list shows every object.
        changes = data.get("configuration_changes") or restored.get("configuration_changes") or []
        lines.append(f"Configuration objects restored: {len(changes)}.")
        for change in changes:
            lines.append(f"  {change.get('change')} {change.get('kind')} {change.get('name')}")
        if late is not None:
            lines.append(
                f"Step {late['failed_step']} reported a failure, but every node was then read Up "
                "with the restored configuration: the restore took effect, nothing to run."
            )
            cause = " ".join(str(late.get("cause") or "").split())
            if cause:
                lines.append(f"What step {late['failed_step']} reported: {cause}")
        offline = restored.get("offline_disks") or []
        if offline:
            lines.append(
                "Disks left offline (added or changed since the backup; bring them online and "
                "check them): " + ", ".join(offline)
            )
    leftovers, removal = leftover_lines(records, removed, check_mode=check_mode)
    lines += leftovers
    lines += [f"Note: {note}" for note in data.get("notes") or []]
    nodes = timeline(records)
    if nodes:
        lines.append("Timeline (UTC):")
        for name, entries in nodes.items():
            lines.append(f"  {name}:")
            lines += [f"    {_entry_text(entry)}" for entry in entries]
    return {
        "lines": lines,
        "timeline": nodes,
        "changed": any(r.get("changed_nodes") for r in records),
        "safety_backup_set": safety_set,
        "completed_after_failure": late is not None,
        "leftovers": removal,
    }
