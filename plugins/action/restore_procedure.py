# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of ``restore_procedure``: the restore role's decisions, in one place.

It runs on the controller only (no module runs on a node). Each call reads what the role's
tasks registered on every host of the play - named by O(results), read from hostvars here
rather than gathered by the role - and hands it to plugin_utils._restore_procedure, which
decides with plugin_utils._restore_plan. The plan is computed once, by phase V(plan); the
later phases take it back as data.
"""

from __future__ import annotations

import typing as t
from collections.abc import Mapping

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils import (
    _restore_procedure as procedure,
)

PHASES = ("preflight", "plan", "record", "recover", "report")

ARGUMENT_SPEC: dict[str, dict[str, t.Any]] = {
    "phase": {"type": "str", "required": True, "choices": list(PHASES)},
    "results": {"type": "str"},
    "listing": {"type": "list", "elements": "str"},
    "check": {"type": "str"},
    "preflight": {"type": "dict"},
    "plan": {"type": "dict"},
    "recovery": {"type": "dict"},
    "removed": {"type": "str"},
    "leftover_age": {"type": "str", "default": procedure.LEFTOVER_AGE},
    "step": {"type": "str"},
    "hosts": {"type": "list", "elements": "str"},
    "records": {"type": "list", "elements": "dict", "default": []},
    "recovered": {
        "type": "list",
        "elements": "dict",
        "default": [],
        "options": {
            "results": {"type": "str", "required": True},
            "hosts": {"type": "list", "elements": "str", "required": True},
        },
    },
    "restoring_node": {"type": "str", "default": ""},
    "set_name": {"type": "str", "default": ""},
    "cluster_name": {"type": "str", "default": ""},
    "backup_path": {"type": "str", "default": ""},
    "force": {"type": "bool", "default": False},
    "quorum_drive": {"type": "str", "default": ""},
    "safety_backup": {"type": "bool", "default": True},
    "safety_backup_path": {"type": "str", "default": ""},
    "cause": {"type": "str", "default": ""},
    "started": {"type": "str", "default": ""},
    "finished": {"type": "str", "default": ""},
}

# What each phase needs beyond its defaults.
REQUIRED: dict[str, tuple[str, ...]] = {
    "preflight": ("results",),
    "plan": ("preflight",),
    "record": ("plan", "step", "results"),
    "recover": ("plan", "results"),
    "report": ("plan",),
}


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(
        self, tmp: str | None = None, task_vars: dict[str, t.Any] | None = None
    ) -> dict[str, t.Any]:
        self._supports_check_mode = True
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        result["changed"] = False
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        missing = [name for name in REQUIRED[args["phase"]] if args[name] is None]
        if missing:
            raise AnsibleActionFail(
                f"phase {args['phase']} needs {', '.join(missing)}; see "
                "ansible-doc wsfc.clusterdb.restore_procedure."
            )
        hosts = list(task_vars.get("ansible_play_hosts_all") or [])
        hostvars = task_vars.get("hostvars") or {}

        def registered(name: str | None, host_list: list[str] | None = None) -> dict[str, t.Any]:
            """Host to the value registered as ``name`` there (None where it is not)."""
            return {h: _host_value(hostvars, h, name) for h in (host_list or hosts)}

        # The report says "would be removed" of what a check run only pretended to remove.
        args["check_mode"] = bool(getattr(self._task, "check_mode", False))
        try:
            result.update(_PHASES[args["phase"]](args, registered, hostvars))
        except ValueError as err:
            raise AnsibleActionFail(str(err)) from err
        return result


Registered = t.Callable[..., dict[str, t.Any]]


def _host_value(hostvars: t.Any, host: str, name: str | None) -> t.Any:  # noqa: ANN401
    if not name or host not in hostvars:
        return None
    value = hostvars[host].get(name)
    return dict(value) if isinstance(value, Mapping) else value


def _preflight(args: dict[str, t.Any], registered: Registered, hostvars: t.Any) -> dict:  # noqa: ANN401
    facts = registered(args["results"])
    options = {
        "restoring_node": args["restoring_node"],
        "set_name": args["set_name"],
        "backup_path": args["backup_path"],
        "cluster_name": args["cluster_name"],
    }
    found = procedure.preflight(facts, **options)
    host = found["restoring_host"]
    if args["listing"] and host is not None:
        listed = [_host_value(hostvars, host, name) for name in args["listing"]]
        # One registered listing is passed as it is (it may hold a loop's results); several
        # are the locations in the order they were listed.
        listing = listed[0] if len(listed) == 1 else {"results": listed}
        found = procedure.preflight(facts, listing, **options)
    return {"preflight": found}


def _plan(args: dict[str, t.Any], registered: Registered, hostvars: t.Any) -> dict:  # noqa: ANN401
    found = args["preflight"]
    host = found.get("restoring_host")
    check = _host_value(hostvars, host, args["check"]) if host else None
    return {
        "plan": procedure.plan(
            found,
            check if isinstance(check, Mapping) else {},
            force=args["force"],
            quorum_drive=args["quorum_drive"],
            safety_backup=args["safety_backup"],
            safety_backup_path=args["safety_backup_path"],
            backup_path=args["backup_path"],
            leftover_age=args["leftover_age"],
        )
    }


def _record(args: dict[str, t.Any], registered: Registered, hostvars: t.Any) -> dict:  # noqa: ANN401
    record = procedure.record_step(
        registered(args["results"]),
        args["plan"],
        args["step"],
        started=args["started"],
        finished=args["finished"],
        hosts=args["hosts"],
        after=args["records"],
    )
    return {"record": record, "records": [*args["records"], record]}


def _recover(args: dict[str, t.Any], registered: Registered, hostvars: t.Any) -> dict:  # noqa: ANN401
    recovered = [
        procedure.record_step(
            registered(item["results"]),
            args["plan"],
            procedure.RECOVERY,
            hosts=item["hosts"],
        )
        for item in args["recovered"]
    ]
    return {
        "recovery": procedure.recovery(
            registered(args["results"]),
            args["plan"],
            args["records"],
            cause=args["cause"],
            recovered=recovered,
        )
    }


def _report(args: dict[str, t.Any], registered: Registered, hostvars: t.Any) -> dict:  # noqa: ANN401
    # The leftovers are removed from the host that took the safety backup.
    backup_hosts = list((args["plan"].get("hosts") or {}).get("safety_backup") or [])
    removed = _host_value(hostvars, backup_hosts[0], args["removed"]) if backup_hosts else None
    return {
        "report": procedure.summary(
            args["plan"],
            args["records"],
            args["recovery"],
            removed,
            check_mode=bool(args["check_mode"]),
        )
    }


_PHASES: dict[str, t.Callable[[dict[str, t.Any], Registered, t.Any], dict]] = {
    "preflight": _preflight,
    "plan": _plan,
    "record": _record,
    "recover": _recover,
    "report": _report,
}
