"""ansible.windows.win_service: the Cluster service (ClusSvc) of a lab node.

Follows win_service.ps1 (ansible.windows 3.3.0): the full option spec; the lab emulates
name ClusSvc (or its display name "Cluster Service") with state started / stopped /
restarted, start_mode auto / manual / disabled / delayed and force_dependent_services.
The service runs through the cluster rules: Start-Service is state.cluster.start_service,
Stop-Service is state.cluster.stop_service as the service control manager does it (no
quorum question), each after world.operation("Start-Service ClusSvc" / "Stop-Service
ClusSvc"), whose latency class is service_start / service_stop. A service that fails to
start or stop ends the module as the cmdlet's exception does. Check mode reports the
change only; the diff holds the service before and after.

Any other service name, state absent or paused, and every other option that would change
the service fail loudly: the lab does not emulate them.
"""

from __future__ import annotations

from typing import Any

from wsfc_lab.emulation.framework.basic import EmulatedModule, UnhandledModuleException
from wsfc_lab.emulation.framework.registry import emulates
from wsfc_lab.emulation.modules._windows_files import not_emulated
from wsfc_lab.world.windows_errors import WindowsError

SPEC = {
    "options": {
        "dependencies": {"type": "list", "elements": "str"},
        "dependency_action": {
            "type": "str",
            "default": "set",
            "choices": ["add", "remove", "set"],
        },
        "description": {"type": "str"},
        "desktop_interact": {"type": "bool", "default": False},
        "display_name": {"type": "str"},
        "error_control": {"type": "str", "choices": ["critical", "ignore", "normal", "severe"]},
        "failure_actions": {
            "type": "list",
            "elements": "dict",
            "options": {
                "delay_ms": {"aliases": ["delay"], "type": "int", "default": 0},
                "type": {
                    "type": "str",
                    "choices": ["none", "reboot", "restart", "run_command"],
                    "required": True,
                },
            },
        },
        "failure_actions_on_non_crash_failure": {"type": "bool"},
        "failure_command": {"type": "str"},
        "failure_reboot_msg": {"type": "str"},
        # win_service.ps1 converts these with a [UInt32] cast; int is the nearest type here.
        "failure_reset_period_sec": {"aliases": ["failure_reset_period"], "type": "int"},
        "force_dependent_services": {"type": "bool", "default": False},
        "load_order_group": {"type": "str"},
        "name": {"type": "str", "required": True},
        "password": {"type": "str", "no_log": True},
        "path": {"type": "str"},
        "pre_shutdown_timeout_ms": {"aliases": ["pre_shutdown_timeout"], "type": "int"},
        "required_privileges": {"type": "list", "elements": "str"},
        "service_type": {
            "type": "str",
            "choices": [
                "win32_own_process",
                "win32_share_process",
                "user_own_process",
                "user_share_process",
            ],
        },
        "sid_info": {"type": "str", "choices": ["none", "restricted", "unrestricted"]},
        "start_mode": {"type": "str", "choices": ["auto", "manual", "disabled", "delayed"]},
        "state": {
            "type": "str",
            "choices": ["started", "stopped", "restarted", "absent", "paused"],
        },
        "update_password": {"type": "str", "choices": ["always", "on_create"]},
        "username": {"type": "str"},
    },
    "required_by": {"password": ["username"]},
    "supports_check_mode": True,
}
RETURNS = {
    "can_pause_and_continue",
    "dependencies",
    "depended_by",
    "description",
    "desktop_interact",
    "display_name",
    "exists",
    "name",
    "path",
    "start_mode",
    "state",
    "username",
}

SERVICE_NAME = "ClusSvc"
DISPLAY_NAME = "Cluster Service"
# What Get-Service / sc.exe qc show for ClusSvc on Windows Server.
SERVICE_FACTS: dict[str, Any] = {
    "description": (
        "Enables servers to work together as a cluster to keep server-based applications "
        "highly available, regardless of individual component failures."
    ),
    "path": "C:\\Windows\\Cluster\\clussvc.exe",
    "username": "LocalSystem",
    "dependencies": ["ClusDisk", "NetFT", "RPCSS", "W32Time"],
}
# The options the lab emulates; any other given (not at its default) fails loudly.
EMULATED_OPTIONS = {"name", "state", "start_mode", "force_dependent_services", "dependency_action"}
OPTION_DEFAULTS = {"desktop_interact": False}


def _service_record(module: EmulatedModule) -> dict[str, Any]:
    with module.world.transaction() as state:
        return dict(state.node(module.node)["service"])


def _diff_state(record: dict[str, Any]) -> str:
    return "started" if record["state"] == "running" else "stopped"


def _diff(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "dependencies": SERVICE_FACTS["dependencies"],
        "description": SERVICE_FACTS["description"],
        "desktop_interact": False,
        "display_name": DISPLAY_NAME,
        "name": SERVICE_NAME,
        "path": SERVICE_FACTS["path"],
        "start_mode": record["start_mode"],
        "state": _diff_state(record),
        "username": SERVICE_FACTS["username"],
    }


def _refuse_unemulated(module: EmulatedModule) -> None:
    name: str = module.params["name"]
    if name.lower() not in (SERVICE_NAME.lower(), DISPLAY_NAME.lower()):
        not_emulated(module, "win_service", f"the service {name} (only {SERVICE_NAME})")
    for option, value in module.params.items():
        if option in EMULATED_OPTIONS or value is None or value == OPTION_DEFAULTS.get(option):
            continue
        not_emulated(module, "win_service", f"{option} (for {SERVICE_NAME})")
    if module.params["state"] in ("absent", "paused"):
        not_emulated(module, "win_service", f"state {module.params['state']}")


def _start(module: EmulatedModule) -> None:
    try:
        module.world.operation(module.node, "Start-Service ClusSvc")
        with module.world.transaction() as state:
            if state.node(module.node)["service"]["start_mode"] == "disabled":
                raise WindowsError(1058, "The service cannot be started: it is disabled")
            state.cluster.start_service(module.node)
    except WindowsError as error:
        raise UnhandledModuleException(
            f"Service '{DISPLAY_NAME} ({SERVICE_NAME})' cannot be started due to the "
            f"following error: Cannot start service {SERVICE_NAME} on computer '.'. "
            f"({error.message})"
        ) from error


def _stop(module: EmulatedModule) -> None:
    try:
        module.world.operation(module.node, "Stop-Service ClusSvc")
        with module.world.transaction() as state:
            state.cluster.stop_service(module.node, check_quorum=False)
    except WindowsError as error:
        raise UnhandledModuleException(
            f"Service '{DISPLAY_NAME} ({SERVICE_NAME})' cannot be stopped due to the "
            f"following error: Cannot stop {SERVICE_NAME} service on computer '.'. "
            f"({error.message})"
        ) from error


def _set_start_mode(module: EmulatedModule, start_mode: str) -> None:
    module.world.operation(module.node, "Set-Service ClusSvc")
    with module.world.transaction() as state:
        state.node(module.node)["service"]["start_mode"] = start_mode


@emulates("ansible.windows.win_service", spec=SPEC, returns=RETURNS)
def win_service(module: EmulatedModule) -> None:
    _refuse_unemulated(module)
    record = _service_record(module)
    if not record.get("installed", True):
        module.fail_json(
            f"Service '{module.params['name']}' is not installed, need to set 'path' to "
            "create a new service"
        )
    module.diff["before"] = _diff(record)
    after = _diff(record)
    start_mode, wanted = module.params["start_mode"], module.params["state"]

    if start_mode is not None and start_mode != record["start_mode"]:
        if not module.check_mode:
            _set_start_mode(module, start_mode)
        module.result["changed"] = True
        after["start_mode"] = start_mode
    running = record["state"] == "running"
    if wanted is not None:
        after["state"] = wanted
    if (wanted == "started" and not running) or wanted == "restarted":
        if not module.check_mode:
            if wanted == "restarted" and running:
                _stop(module)
            _start(module)
        module.result["changed"] = True
    elif wanted == "stopped" and running:
        if not module.check_mode:
            _stop(module)
        module.result["changed"] = True
    module.diff["after"] = after

    module.result.update(
        exists=True,
        name=SERVICE_NAME,
        display_name=DISPLAY_NAME,
        description=SERVICE_FACTS["description"],
        path=SERVICE_FACTS["path"],
        username=SERVICE_FACTS["username"],
        desktop_interact=False,
        dependencies=SERVICE_FACTS["dependencies"],
        depended_by=[],
        can_pause_and_continue=False,
        start_mode=after["start_mode"],
        # win_service.ps1 returns the diff's state with 'started'/'restarted' as 'running'.
        state="running" if after["state"] in ("started", "restarted") else after["state"],
    )
