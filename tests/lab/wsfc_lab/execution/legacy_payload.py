"""Read what ansible-core 2.16 to 2.18 pipe into their bootstrap_wrapper.ps1 over WinRS stdin.

Before 2.19, ansible/executor/powershell/module_manifest.py (_create_powershell_wrapper)
sends one blob: exec_wrapper.ps1, four NUL characters, then one JSON object, the exec
manifest:

    {"module_entry": <base64 of the module>, "powershell_modules": {...},
     "csharp_utils": {...}, "csharp_utils_module": [...], "module_args": {...},
     "actions": ["become_wrapper", "module_powershell_wrapper"], "environment": {...},
     "encoded_output": false, "become_user": ..., "become_password": ...,
     "become_flags": "logon_type=... logon_flags=...", <action name>: <base64 script>, ...}

bootstrap_wrapper.ps1 splits its input at the NUL characters and runs the first part with
the second in $json_raw. The manifest names no module: the module's name is the one the
action plugin asked for, which _update_module_args puts in the arguments as
`_ansible_module_name`, before the Windows rewrites of _configure_module and the plugin
routing of ansible-core's ansible_builtin_runtime.yml are applied; `resolve_module_name`
applies them the same way. The result is the ExecPayload of payload.py, in the names the
2.19 manifest uses, so the rest of the dispatch reads one shape.
"""

from __future__ import annotations

import json
import shlex
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from wsfc_lab.execution.payload import (
    BECOME_WRAPPER,
    MODULE_WRAPPER,
    ExecPayload,
    ManifestAction,
    PayloadError,
)

# bootstrap_wrapper.ps1 splits at the first run of four NUL characters.
LEGACY_SEPARATOR = b"\0\0\0\0"

# The 2.16-2.18 action names and the 2.19 scripts that do the same.
_ACTION_SCRIPTS = {
    "become_wrapper": BECOME_WRAPPER,
    "async_wrapper": "async_wrapper.ps1",
    "async_watchdog": "async_watchdog.ps1",
    "coverage_wrapper": "coverage_wrapper.ps1",
}
_MODULE_ACTIONS = {"module_powershell_wrapper": True, "module_script_wrapper": False}

# action/__init__.py _configure_module: for PowerShell, an action plugin's own call of
# stat, file, copy or ping (unqualified or ansible.builtin/legacy) runs win_<name> of
# ansible.windows, and async_status runs ansible.windows.async_status.
_WINDOWS_COLLECTION = "ansible.windows"
_REWRITTEN_COLLECTIONS = ("ansible.builtin", "ansible.legacy", "")
_REWRITTEN_TO_WIN = ("stat", "file", "copy", "ping")

# become/runas.py _parse_flag: become_flags values and the names become_wrapper.ps1 gives
# them (the same enum names the 2.19 manifest sends as LogonType and LogonFlags).
_LOGON_TYPES = {
    "interactive": "Interactive",
    "network": "Network",
    "batch": "Batch",
    "service": "Service",
    "unlock": "Unlock",
    "network_cleartext": "NetworkCleartext",
    "new_credentials": "NewCredentials",
}
_LOGON_FLAGS = {
    "none": "None",
    "with_profile": "WithProfile",
    "netcredentials_only": "NetCredentialsOnly",
}


@cache
def _builtin_module_routing() -> dict[str, Any]:
    """ansible-core's plugin routing of its builtin modules (setup.ps1, win_ping, ...)."""
    import ansible.config

    runtime = Path(ansible.config.__file__).with_name("ansible_builtin_runtime.yml")
    data = yaml.safe_load(runtime.read_text(encoding="utf-8")) or {}
    return dict((data.get("plugin_routing") or {}).get("modules") or {})


def resolve_module_name(name: str) -> str:
    """The fully qualified name of the module ansible-core ran for `name` on Windows."""
    parts = name.split(".")
    collection = ".".join(parts[:2]) if len(parts) > 2 else ""
    leaf = parts[-1]
    if collection not in _REWRITTEN_COLLECTIONS:
        return name
    if leaf in _REWRITTEN_TO_WIN:
        return f"{_WINDOWS_COLLECTION}.win_{leaf}"
    if leaf == "async_status":
        return f"{_WINDOWS_COLLECTION}.async_status"
    routing = _builtin_module_routing()
    # The module loader looks for the PowerShell name first (setup.ps1), then the name.
    for key in (leaf + ".ps1", leaf):
        redirect = (routing.get(key) or {}).get("redirect")
        if isinstance(redirect, str):
            return redirect
    return "ansible.builtin." + leaf


def _script_name(fqcn: str) -> str:
    """The 2.19 manifest's script name of a module (payload.module_fqcn reads it back)."""
    parts = fqcn.split(".")
    if len(parts) >= 3 and parts[:2] != ["ansible", "builtin"]:
        return "ansible_collections.{}.{}.plugins.modules.{}.ps1".format(
            parts[0], parts[1], ".".join(parts[2:])
        )
    return f"ansible.modules.{parts[-1]}.ps1"


def _become_params(flags: object) -> dict[str, str]:
    params: dict[str, str] = {}
    if not flags:
        return params
    if not isinstance(flags, str):
        raise PayloadError(f"become_flags must be a string, was {type(flags).__name__}")
    for flag in shlex.split(flags):
        key, separator, value = flag.partition("=")
        if not separator:
            raise PayloadError(f"become_flags entry '{flag}' is in an invalid format")
        if key.lower() == "logon_type":
            if value.lower() not in _LOGON_TYPES:
                raise PayloadError(f"become_flags logon_type value '{value}' is not valid")
            params["LogonType"] = _LOGON_TYPES[value.lower()]
        elif key.lower() == "logon_flags":
            names = [f for f in value.split(",") if f]
            if any(f.lower() not in _LOGON_FLAGS for f in names):
                raise PayloadError(f"become_flags logon_flags value '{value}' is not valid")
            params["LogonFlags"] = ", ".join(_LOGON_FLAGS[f.lower()] for f in names)
        else:
            raise PayloadError(f"become_flags key '{key}' is not a valid runas flag")
    return params


def _action(name: str, manifest: dict[str, Any]) -> ManifestAction:
    if name in _MODULE_ACTIONS:
        arguments = manifest.get("module_args")
        if not isinstance(arguments, dict):
            raise PayloadError("the exec manifest has no module_args object")
        module_name = str(arguments.get("_ansible_module_name") or "")
        if not module_name:
            raise PayloadError("the module arguments do not name the module")
        return ManifestAction(
            name=MODULE_WRAPPER,
            params={
                "Script": _script_name(resolve_module_name(module_name)),
                "Variables": [{"Name": "complex_args", "Value": arguments}],
                "Environment": dict(manifest.get("environment") or {}),
                "ForModule": _MODULE_ACTIONS[name],
            },
        )
    if name == "become_wrapper":
        password = manifest.get("become_password")
        return ManifestAction(
            name=BECOME_WRAPPER,
            params={"BecomeUser": manifest.get("become_user") or ""}
            | _become_params(manifest.get("become_flags")),
            secure_params={} if password is None else {"BecomePassword": password},
        )
    return ManifestAction(name=_ACTION_SCRIPTS.get(name, name))


def parse_legacy_payload(stdin: bytes) -> ExecPayload:
    """The exec manifest of ansible-core 2.16-2.18; PayloadError if it is not one."""
    wrapper, separator, manifest_part = stdin.partition(LEGACY_SEPARATOR)
    if not separator or not wrapper.strip():
        raise PayloadError("no exec manifest follows exec_wrapper.ps1")
    try:
        manifest = json.loads(manifest_part.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise PayloadError(f"the exec manifest is not JSON: {error}") from error
    if not isinstance(manifest, dict):
        raise PayloadError("the exec manifest is not a JSON object")
    actions = manifest.get("actions")
    if not isinstance(actions, list) or not actions or not all(isinstance(a, str) for a in actions):
        raise PayloadError("the exec manifest has no actions")
    if actions[-1] not in _MODULE_ACTIONS:
        raise PayloadError(f"the exec manifest's last action is {actions[-1]}, not a module")
    return ExecPayload(
        bootstrap_name="exec_wrapper",
        bootstrap_params={},
        scripts={},
        actions=tuple(_action(name, manifest) for name in actions),
        signed_hashlist=(),
        input_data=None,
    )
