"""Read what ansible-core 2.19 pipes into bootstrap_wrapper.ps1 over WinRS stdin.

ansible/executor/powershell/module_manifest.py builds it (_get_bootstrap_input):

    {"name": "exec_wrapper", "script": <exec_wrapper.ps1>, "params": {...}}
    \\n\\0\\0\\0\\0\\n
    {"scripts": {name: {"path", "script" (base64)}}, "actions": [...], "signed_hashlist": [...]}
    [\\n\\0\\0\\0\\0\\n <input for the last action, e.g. put_file's base64 lines>]

bootstrap_wrapper.ps1 reads the first object up to the first marker line and runs
exec_wrapper.ps1, which reads the manifest up to the next marker and pipes the rest
into the first action. The actions run in order, each wrapping the next:
become_wrapper.ps1, async_wrapper.ps1 + async_watchdog.ps1, coverage_wrapper.ps1, and
last module_wrapper.ps1 (a module) or a single transfer script (winrm_put_file.ps1, ...).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import Any

# The line of four NUL characters that separates the parts of the input.
INPUT_SEPARATOR = b"\n\0\0\0\0\n"

MODULE_WRAPPER = "module_wrapper.ps1"
BECOME_WRAPPER = "become_wrapper.ps1"
ASYNC_ACTIONS = frozenset({"async_wrapper.ps1", "async_watchdog.ps1"})

_COLLECTION_MODULE_PREFIX = "ansible_collections."
_BUILTIN_MODULE_PREFIX = "ansible.modules."
_SCRIPT_EXTENSIONS = (".ps1", ".psm1", ".cs")


class PayloadError(ValueError):
    """The input is not what ansible-core's exec wrapper protocol sends."""


@dataclass(frozen=True)
class ManifestAction:
    name: str
    params: dict[str, Any] = field(default_factory=dict)
    secure_params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class BecomeRequest:
    """What become_wrapper.ps1 is asked for: runas's become_user, the password (None when
    none was given: ansible-core then sends no BecomePassword), and the logon type and
    flags (become_flags logon_type= / logon_flags=, as the runas plugin names them in
    become_wrapper.ps1's parameters; Interactive and WithProfile by default)."""

    user: str
    password: str | None
    logon_type: str = "Interactive"
    logon_flags: str = "WithProfile"

    @classmethod
    def from_action(cls, action: ManifestAction) -> BecomeRequest:
        password = action.secure_params.get("BecomePassword")
        return cls(
            # A module that declares #AnsibleRequires -Become without a become plugin gets
            # BecomeUser SYSTEM (module_manifest.py).
            user=str(action.params.get("BecomeUser") or ""),
            password=None if password is None else str(password),
            logon_type=str(action.params.get("LogonType") or "Interactive"),
            logon_flags=str(action.params.get("LogonFlags") or "WithProfile"),
        )


@dataclass(frozen=True)
class ModuleRun:
    """module_wrapper.ps1's parameters: which module, with which arguments."""

    script: str  # the manifest's script name, e.g. ansible_collections.x.y.plugins.modules.z.ps1
    fqcn: str  # x.y.z
    arguments: dict[str, Any]  # the complex_args variable (module args + _ansible_*)
    environment: dict[str, str]
    for_module: bool  # False for ansible.builtin.script's PowerShell scripts


@dataclass(frozen=True)
class ExecPayload:
    bootstrap_name: str
    bootstrap_params: dict[str, Any]
    scripts: dict[str, dict[str, str]]
    actions: tuple[ManifestAction, ...]
    signed_hashlist: tuple[str, ...]
    input_data: bytes | None  # what follows the manifest's own separator, if anything

    @property
    def action_names(self) -> tuple[str, ...]:
        return tuple(action.name for action in self.actions)

    @property
    def final_action(self) -> ManifestAction:
        return self.actions[-1]

    @property
    def wrappers(self) -> tuple[ManifestAction, ...]:
        """The actions that run before the final one and wrap it (become, async, ...)."""
        return self.actions[:-1]

    @property
    def become(self) -> ManifestAction | None:
        return next((a for a in self.actions if a.name == BECOME_WRAPPER), None)

    @property
    def become_request(self) -> BecomeRequest | None:
        become = self.become
        return None if become is None else BecomeRequest.from_action(become)

    @property
    def module(self) -> ModuleRun | None:
        action = self.final_action
        if action.name != MODULE_WRAPPER:
            return None
        script = str(action.params.get("Script", ""))
        return ModuleRun(
            script=script,
            fqcn=module_fqcn(script),
            arguments=_complex_args(action.params.get("Variables") or []),
            environment={
                str(k): str(v) for k, v in (action.params.get("Environment") or {}).items()
            },
            for_module=bool(action.params.get("ForModule", False)),
        )


def module_fqcn(script: str) -> str:
    """The module's name from its manifest script name.

    module_common._get_ansible_module_fqn names a collection module
    ansible_collections.<ns>.<coll>.plugins.modules.<name> and a core one
    ansible.modules.<name>; modules found elsewhere are ansible.legacy.<name>.
    """
    name = script
    for extension in _SCRIPT_EXTENSIONS:
        if name.endswith(extension):
            name = name.removesuffix(extension)
            break
    if name.startswith(_COLLECTION_MODULE_PREFIX):
        parts = name.removeprefix(_COLLECTION_MODULE_PREFIX).split(".")
        if len(parts) >= 5 and parts[2:4] == ["plugins", "modules"]:
            return ".".join([parts[0], parts[1], *parts[4:]])
    if name.startswith(_BUILTIN_MODULE_PREFIX):
        return "ansible.builtin." + name.removeprefix(_BUILTIN_MODULE_PREFIX).split(".")[-1]
    return name


def _complex_args(variables: list[Any]) -> dict[str, Any]:
    for variable in variables:
        if isinstance(variable, dict) and variable.get("Name") == "complex_args":
            value = variable.get("Value")
            return dict(value) if isinstance(value, dict) else {}
    return {}


def _json_object(data: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise PayloadError(f"the {what} is not JSON: {error}") from error
    if not isinstance(value, dict):
        raise PayloadError(f"the {what} is not a JSON object")
    return value


def parse_payload(stdin: bytes) -> ExecPayload:
    """Split and decode the bootstrap input; PayloadError if it is not ansible-core's."""
    bootstrap_part, separator, rest = stdin.partition(INPUT_SEPARATOR)
    if not separator:
        raise PayloadError("no exec wrapper manifest follows the bootstrap object")
    manifest_part, separator, input_data = rest.partition(INPUT_SEPARATOR)

    bootstrap = _json_object(bootstrap_part, "bootstrap object")
    manifest = _json_object(manifest_part, "exec wrapper manifest")
    actions = manifest.get("actions")
    if not isinstance(actions, list) or not actions:
        raise PayloadError("the exec wrapper manifest has no actions")
    scripts = manifest.get("scripts") or {}
    parsed_actions = []
    for action in actions:
        if not isinstance(action, dict) or not isinstance(action.get("name"), str):
            raise PayloadError(f"an exec wrapper action has no name: {action!r}")
        if action["name"] not in scripts:
            raise PayloadError(f"the manifest does not carry the script {action['name']}")
        parsed_actions.append(
            ManifestAction(
                name=action["name"],
                params=dict(action.get("params") or {}),
                secure_params=dict(action.get("secure_params") or {}),
            )
        )
    return ExecPayload(
        bootstrap_name=str(bootstrap.get("name", "")),
        bootstrap_params=dict(bootstrap.get("params") or {}),
        scripts=scripts,
        actions=tuple(parsed_actions),
        signed_hashlist=tuple(manifest.get("signed_hashlist") or ()),
        input_data=input_data if separator else None,
    )


def input_lines(data: bytes | None) -> list[str]:
    """The action's input as PowerShell's pipeline sees it: one string per line."""
    if not data:
        return []
    text = data.decode("utf-8")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


def decode_base64_lines(lines: list[str]) -> bytes:
    """[Convert]::FromBase64String of each line, joined (winrm_put_file.ps1)."""
    try:
        return b"".join(base64.b64decode(line, validate=True) for line in lines)
    except binascii.Error as error:
        raise PayloadError(f"the file data is not base64: {error}") from error
