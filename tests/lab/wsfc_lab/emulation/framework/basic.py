"""EmulatedModule: what Ansible.Basic.AnsibleModule is to a PowerShell module.

The order of the checks, their messages and the result's shape follow
ansible/module_utils/csharp/Ansible.Basic.cs (ansible-core 2.19): the constructor
validates the arguments (unsupported parameters, check mode, mutually exclusive,
required, types and choices, required_together/one_of/if/by, sub-options), ExitJson and
FailJson end the module with exit code 0 or 1, and GetFormattedResults adds
`invocation`, `warnings`, `deprecations` and `diff`. Ending the module raises
ModuleExit, as the real ones end the PowerShell runspace.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, NoReturn

from wsfc_lab.emulation.framework.basic_spec import normalise_spec
from wsfc_lab.emulation.framework.basic_types import (
    ConversionError,
    converters,
    dotnet_type_name,
    parse_bool,
    parse_dict,
    parse_int,
    parse_list,
    parse_str,
)
from wsfc_lab.emulation.framework.node_environment import DEFAULT_USER, expand_environment_variables
from wsfc_lab.emulation.framework.world_api import WorldApi

# Ansible.Basic.cs passVars: the _ansible_<key> parameters and the attribute each sets
# (None: accepted and ignored). The util comes with the controller's ansible-core: the
# table is 2.19's with string_conversion_action of 2.16-2.18 (whose controllers send it;
# 2.19 removed it and added tracebacks_for, which the earlier ones never send) and
# inject_invocation of 2.21 (a result carries `invocation` only when it is true;
# the earlier versions, which never send it, always add it).
PASS_VARS: dict[str, str | None] = {
    "check_mode": "check_mode",
    "debug": "debug_mode",
    "diff": "diff_mode",
    "keep_remote_files": "keep_remote_files",
    "ignore_unknown_opts": "_ignore_unknown_opts",
    "inject_invocation": "inject_invocation",
    "module_name": "module_name",
    "no_log": "no_log",
    "remote_tmp": "remote_tmp",
    "selinux_special_fs": None,
    "shell_executable": None,
    "socket": None,
    "string_conversion_action": None,
    "syslog_facility": None,
    "target_log_info": "target_log_info",
    "tracebacks_for": None,
    "tmpdir": "tmpdir",
    "verbosity": "verbosity",
    "version": "ansible_version",
}
PASS_BOOLS = (
    "check_mode",
    "debug",
    "diff",
    "keep_remote_files",
    "ignore_unknown_opts",
    "inject_invocation",
    "no_log",
)
PASS_INTS = ("verbosity",)

NO_LOG_PLACEHOLDER = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
NO_LOG_MASK = "********"


class ModuleExit(Exception):
    """The module ended (ExitJson / FailJson): the result to print and the exit code."""

    def __init__(self, result: dict[str, Any], exit_code: int) -> None:
        super().__init__(f"module exited with {exit_code}")
        self.result = result
        self.exit_code = exit_code


class UnhandledModuleException(Exception):
    """What a PowerShell `throw` in a module is: module_wrapper.ps1 reports it."""


class EmulatedModule:
    """The module object an emulation receives: validated params and the result to fill."""

    def __init__(
        self,
        *,
        spec: Mapping[str, Any],
        arguments: Mapping[str, Any],
        world: WorldApi,
        node: str,
        user: str = DEFAULT_USER,
        environment: Mapping[str, str] | None = None,
    ) -> None:
        self.world = world
        self.node = node
        # The account the WinRM command runs as, and the process environment it has.
        self.user = user
        self.environment: dict[str, str] = dict(environment or {})
        self.result: dict[str, Any] = {"changed": False}
        self.diff: dict[str, Any] = {}
        self.check_mode = False
        self.debug_mode = False
        self.diff_mode = False
        self.keep_remote_files = False
        self.module_name = "undefined win module"
        self.target_log_info = ""
        self.verbosity = 0
        self.ansible_version: str | None = None
        self.remote_tmp: str | None = None
        self.tmpdir: str | None = None
        self._ignore_unknown_opts = False
        self.inject_invocation = True
        self._warnings: list[str] = []
        self._deprecations: list[dict[str, str | None]] = []
        self._no_log_values: dict[str, None] = {}  # an ordered set
        self._options_context: list[str] = []
        self._types = converters(lambda text: expand_environment_variables(text, self.environment))
        self._spec = normalise_spec(spec)
        self.no_log = bool(self._spec.get("no_log", False))

        self.params: dict[str, Any] = copy.deepcopy(dict(arguments))
        aliases = self._get_aliases(self._spec, self.params)
        self._set_no_log_values(self._spec, self.params)
        legal_inputs = [f"_ansible_{key}" for key in PASS_VARS]
        legal_inputs += list(self._spec["options"]) + list(aliases)
        self._check_arguments(self._spec, self.params, legal_inputs)
        if self.inject_invocation:
            self.result["invocation"] = {"module_args": self._remove_no_log_values(self.params)}

    # -- what an emulation calls -------------------------------------------------------

    def warn(self, message: str) -> None:
        self._warnings.append(message)

    def deprecate(
        self,
        message: str,
        *,
        version: str | None = None,
        date: str | None = None,
        collection_name: str | None = None,
    ) -> None:
        entry: dict[str, str | None] = {"msg": message}
        if date is not None:
            entry["date"] = date
        else:
            entry["version"] = version
        entry["collection_name"] = collection_name
        self._deprecations.append(entry)

    def exit_json(self, **result: object) -> NoReturn:
        self.result.update(result)
        raise ModuleExit(self._formatted_result(), 0)

    def fail_json(self, msg: str, **result: object) -> NoReturn:
        self.result.update(result)
        self.result["failed"] = True
        self.result["msg"] = self._remove_no_log_values(msg)
        raise ModuleExit(self._formatted_result(), 1)

    # -- the result --------------------------------------------------------------------

    def _formatted_result(self) -> dict[str, Any]:
        result = dict(self.result)
        if self.inject_invocation and "invocation" not in result:
            result["invocation"] = {"module_args": self._remove_no_log_values(self.params)}
        if self._warnings:
            result["warnings"] = list(self._warnings)
        if self._deprecations:
            result["deprecations"] = list(self._deprecations)
        if self.diff and self.diff_mode:
            result["diff"] = self.diff
        return result

    def _remove_no_log_values(self, value: object) -> object:
        """RemoveNoLogValues: hide the values of no_log options wherever they appear."""
        secrets = list(self._no_log_values)
        if value is None:
            return None
        if isinstance(value, bool | int | float):
            text = parse_str(value)
            return NO_LOG_PLACEHOLDER if any(s in text for s in secrets) else value
        if isinstance(value, list | tuple):
            return [self._remove_no_log_values(item) for item in value]
        if isinstance(value, Mapping):
            return {key: self._remove_no_log_values(item) for key, item in value.items()}
        text = value if isinstance(value, str) else parse_str(value)
        if text in secrets:
            return NO_LOG_PLACEHOLDER
        for secret in secrets:
            if secret in text:
                return text.replace(secret, NO_LOG_MASK)
        return text

    # -- argument validation (Ansible.Basic's private methods, in its order) -------------

    def _with_context(self, message: str, prefix: str = " ") -> str:
        if self._options_context:
            return f"{message}{prefix}found in {' -> '.join(self._options_context)}"
        return message

    def _fail(self, message: str) -> NoReturn:
        self.fail_json(self._with_context(message))

    def _get_aliases(self, spec: Mapping[str, Any], params: dict[str, Any]) -> dict[str, str]:
        aliases: dict[str, str] = {}
        for name, option in spec["options"].items():
            for alias in option["aliases"]:
                aliases[alias] = name
                if alias in params:
                    params[name] = params[alias]
            for deprecated in option["deprecated_aliases"]:
                alias_name = deprecated["name"]
                if alias_name in params:
                    message = (
                        f"Alias '{alias_name}' is deprecated. See the module docs for more "
                        "information"
                    )
                    self.deprecate(
                        self._with_context(message, " - "),
                        version=deprecated.get("version"),
                        date=deprecated.get("date"),
                        collection_name=deprecated.get("collection_name"),
                    )
        return aliases

    def _set_no_log_values(self, spec: Mapping[str, Any], params: Mapping[str, Any]) -> None:
        for name, option in spec["options"].items():
            if option["no_log"]:
                value = params.get(name)
                text = "" if value is None else parse_str(value)
                if text:
                    self._no_log_values[text] = None
            deprecated = f"Param '{name}' is deprecated. See the module docs for more information"
            collection = option.get("removed_from_collection")
            if option["removed_in_version"] is not None and name in params:
                self.deprecate(
                    deprecated,
                    version=str(option["removed_in_version"]),
                    collection_name=collection,
                )
            if option["removed_at_date"] is not None and name in params:
                self.deprecate(
                    deprecated, date=str(option["removed_at_date"]), collection_name=collection
                )

    def _check_arguments(
        self, spec: Mapping[str, Any], params: dict[str, Any], legal_inputs: list[str]
    ) -> None:
        self._check_unsupported(params, legal_inputs)

        # Only at the root, as Ansible.Basic does: a module without check mode support is
        # skipped, not run.
        if self.check_mode and not spec["supports_check_mode"] and not self._options_context:
            self.result["skipped"] = True
            self.result["msg"] = f"remote module ({self.module_name}) does not support check mode"
            self.exit_json()

        options: Mapping[str, Any] = spec["options"]
        self._check_mutually_exclusive(params, spec["mutually_exclusive"])
        self._check_required(options, params)
        for name, option in options.items():
            if params.get(name) is not None:
                self._convert_option(name, option, params)
        self._check_required_together(params, spec["required_together"])
        self._check_required_one_of(params, spec["required_one_of"])
        self._check_required_if(params, spec["required_if"])
        self._check_required_by(params, spec["required_by"])

        for name, option in options.items():
            params.setdefault(name, None)
            self._check_sub_option(params, name, option)

    def _check_unsupported(self, params: dict[str, Any], legal_inputs: list[str]) -> None:
        unsupported: dict[str, None] = {}
        wrong_case: list[str] = []
        internal: list[str] = []
        legal_folded = {legal.lower() for legal in legal_inputs}
        for key in list(params):
            if key.lower() not in legal_folded:
                unsupported[key] = None
            elif key not in legal_inputs:
                wrong_case.append(key)
            elif key.startswith("_ansible_"):
                internal.append(key)
                self._set_internal(key.removeprefix("_ansible_"), params[key])
        for key in internal:
            del params[key]

        if unsupported and not self._ignore_unknown_opts:
            shown = [x for x in legal_inputs if x.replace("_ansible_", "") not in PASS_VARS]
            message = f"Unsupported parameters for ({self.module_name}) module: " + ", ".join(
                unsupported
            )
            self.fail_json(
                f"{self._with_context(message)}. Supported parameters include: {', '.join(shown)}"
            )

        # Options match case-insensitively; the value moves to the spec's spelling.
        for key in wrong_case:
            correct = next(x for x in legal_inputs if x.lower() == key.lower())
            params[correct] = params.pop(key)

    def _set_internal(self, key: str, value: object) -> None:
        attribute = PASS_VARS[key]
        if attribute is None or (key == "no_log" and self.no_log):
            return
        if key in PASS_BOOLS:
            value = parse_bool(value)
        elif key in PASS_INTS:
            value = parse_int(value)
        setattr(self, attribute, value)

    def _check_mutually_exclusive(self, params: Mapping[str, Any], groups: list[Any]) -> None:
        for group in groups:
            if sum(1 for name in group if name in params) > 1:
                self._fail(f"parameters are mutually exclusive: {', '.join(group)}")

    def _check_required(self, options: Mapping[str, Any], params: dict[str, Any]) -> None:
        missing = []
        for name, option in options.items():
            if option["default"] is not None and name not in params:
                params[name] = copy.deepcopy(option["default"])
            if option["required"] and name not in params:
                missing.append(name)
        if missing:
            self._fail(f"missing required arguments: {', '.join(missing)}")

    def _convert_option(self, name: str, option: Mapping[str, Any], params: dict[str, Any]) -> None:
        value = params[name]
        type_name: str = option["type"]
        try:
            value = self._types[type_name](value)
        except ConversionError as error:
            self._fail(
                f"argument for {name} is of type {dotnet_type_name(value)} and we were unable to "
                f"convert to {type_name}: {error}"
            )
        params[name] = value

        choices = [parse_str(choice) for choice in option["choices"]]
        if not choices:
            return
        if type_name == "list":
            values = [parse_str(item) for item in value]
            choice_text = "one or more of"
        else:
            values = [parse_str(value)]
            choice_text = "one of"
        folded = {choice.lower() for choice in choices}
        no_match = list(dict.fromkeys(v for v in values if v.lower() not in folded))
        if no_match:
            self._fail(
                f"value of {name} must be {choice_text}: {', '.join(choices)}. "
                f"Got no match for: {', '.join(no_match)}"
            )

    def _check_required_together(self, params: Mapping[str, Any], groups: list[Any]) -> None:
        for group in groups:
            present = [name in params for name in group]
            if any(present) and not all(present):
                self._fail(f"parameters are required together: {', '.join(group)}")

    def _check_required_one_of(self, params: Mapping[str, Any], groups: list[Any]) -> None:
        for group in groups:
            if not any(name in params for name in group):
                self._fail(f"one of the following is required: {', '.join(group)}")

    def _check_required_if(self, params: Mapping[str, Any], checks: list[Any]) -> None:
        for check in checks:
            if len(check) < 3:
                self.fail_json(
                    f"internal error: invalid required_if value count of {len(check)}, "
                    "expecting 3 or 4 entries"
                )
            key, expected, requirements = check[0], check[1], list(check[2])
            any_of = len(check) == 4 and bool(check[3])
            if params.get(key) is None or parse_str(params[key]) != parse_str(expected):
                continue
            missing = [name for name in requirements if name not in params]
            if len(missing) >= (len(requirements) if any_of else 1):
                term = "any" if any_of else "all"
                self._fail(
                    f"{key} is {parse_str(expected)} but {term} of the following are missing: "
                    + ", ".join(missing)
                )

    def _check_required_by(self, params: Mapping[str, Any], required_by: Mapping[str, Any]) -> None:
        for key, requirements in required_by.items():
            if key not in params:
                continue
            missing = [name for name in parse_list(requirements) or [] if name not in params]
            if missing:
                self._fail(f"missing parameter(s) required by '{key}': {', '.join(missing)}")

    def _check_sub_option(
        self, params: dict[str, Any], name: str, option: Mapping[str, Any]
    ) -> None:
        type_name = option["type"]
        elements = option["elements"]
        if type_name == "dict":
            params[name] = self._parse_sub_spec(option, params[name], name)
            return
        if type_name != "list" or elements is None or params[name] is None:
            return
        converted = []
        for element in params[name]:
            if elements == "dict":
                converted.append(self._parse_sub_spec(option, element, name))
                continue
            try:
                converted.append(self._types[elements](element))
            except ConversionError:
                # Ansible.Basic reports the TargetInvocationException that
                # Delegate.DynamicInvoke wraps the converter's exception in, not the
                # converter's own message.
                self._fail(
                    f"argument for list entry {name} is of type {dotnet_type_name(element)} and "
                    f"we were unable to convert to {elements}: Exception has been thrown by the "
                    "target of an invocation."
                )
        params[name] = converted

    def _parse_sub_spec(self, spec: Mapping[str, Any], value: object, context: str) -> object:
        options = spec["options"]
        if spec["apply_defaults"] and options and value is None:
            value = {}
        elif not options or value is None:
            return value

        self._options_context.append(context)
        try:
            sub_params = parse_dict(value)
        except ConversionError as error:
            self._fail(str(error))
        aliases = self._get_aliases(spec, sub_params)
        self._set_no_log_values(spec, sub_params)
        self._check_arguments(spec, sub_params, list(options) + list(aliases))
        self._options_context.pop()
        return sub_params
