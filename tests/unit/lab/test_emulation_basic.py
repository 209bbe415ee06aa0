"""EmulatedModule follows Ansible.Basic: each argument rule, its message, the result shape.

Expected messages are the format strings of ansible/module_utils/csharp/Ansible.Basic.cs
(ansible-core 2.19) filled in by hand.
"""

import pytest
from wsfc_lab.emulation.framework.basic import EmulatedModule, ModuleExit
from wsfc_lab.emulation.framework.basic_spec import SpecError, normalise_spec


def make(spec, arguments, **kwargs):
    return EmulatedModule(spec=spec, arguments=arguments, world=None, node="NODE1", **kwargs)


def failure(spec, arguments, **kwargs):
    """The result of a module whose validation fails; asserts exit code 1."""
    with pytest.raises(ModuleExit) as ended:
        make(spec, arguments, **kwargs)
    assert ended.value.exit_code == 1
    assert ended.value.result["failed"] is True
    return ended.value.result


def options(**specs):
    return {"options": specs, "supports_check_mode": True}


# -- types ---------------------------------------------------------------------------------


def test_values_are_converted_to_their_option_types():
    module = make(
        options(
            name={"type": "str"},
            count={"type": "int"},
            ratio={"type": "float"},
            force={"type": "bool"},
            items={"type": "list", "elements": "int"},
            settings={"type": "dict"},
            folder={"type": "path"},
            anything={"type": "raw"},
        ),
        {
            "name": 5,
            "count": "42",
            "ratio": "1.5",
            "force": "yes",
            "items": "1, 2,3",
            "settings": "a=1 b='two words'",
            "folder": "%SystemRoot%\\Temp",
            "anything": [1, "x"],
        },
        environment={"SystemRoot": "C:\\Windows"},
    )
    assert module.params == {
        "name": "5",
        "count": 42,
        "ratio": 1.5,
        "force": True,
        "items": [1, 2, 3],
        "settings": {"a": "1", "b": "two words"},
        "folder": "C:\\Windows\\Temp",
        "anything": [1, "x"],
    }


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        (
            {"type": "int"},
            "ten",
            "argument for value is of type System.String and we were unable to convert to "
            "int: Input string was not in a correct format.",
        ),
        (
            {"type": "int"},
            2**40,
            "argument for value is of type System.Int64 and we were unable to convert to "
            "int: Value was either too large or too small for an Int32.",
        ),
        (
            {"type": "bool"},
            "maybe",
            "argument for value is of type System.String and we were unable to convert to "
            "bool: The value 'maybe' is not a valid boolean. Valid booleans include: y, yes, "
            "on, 1, true, t, 1.0, n, no, off, 0, false, f, 0.0",
        ),
        (
            {"type": "list"},
            True,
            "argument for value is of type System.Boolean and we were unable to convert to "
            "list: System.Boolean cannot be converted to a list",
        ),
        (
            {"type": "dict"},
            "plain",
            "argument for value is of type System.String and we were unable to convert to "
            "dict: string cannot be converted to a dict, must either be a JSON string or in "
            "the key=value form",
        ),
        (
            {"type": "path"},
            "C:\\a|b",
            "argument for value is of type System.String and we were unable to convert to "
            "path: string value contains invalid path characters, cannot convert to path",
        ),
    ],
)
def test_a_value_that_does_not_convert_fails_with_the_dotnet_message(option, value, message):
    assert failure(options(value=option), {"value": value})["msg"] == message


def test_a_list_element_that_does_not_convert_fails_as_ansible_basic_reports_it():
    result = failure(options(ports={"type": "list", "elements": "int"}), {"ports": [80, "x"]})
    assert result["msg"] == (
        "argument for list entry ports is of type System.String and we were unable to convert "
        "to int: Exception has been thrown by the target of an invocation."
    )


# -- required, default, choices, aliases ---------------------------------------------------


def test_missing_required_arguments_are_named():
    spec = options(path={"type": "path", "required": True}, name={"required": True})
    assert failure(spec, {})["msg"] == "missing required arguments: path, name"


def test_defaults_fill_in_and_absent_options_are_null():
    module = make(options(state={"default": "present"}, name={}), {})
    assert module.params == {"state": "present", "name": None}


def test_choices_match_case_insensitively_and_a_miss_names_the_choices():
    spec = options(state={"choices": ["started", "stopped"]})
    assert make(spec, {"state": "Started"}).params["state"] == "Started"
    assert failure(spec, {"state": "paused"})["msg"] == (
        "value of state must be one of: started, stopped. Got no match for: paused"
    )


def test_list_choices_say_one_or_more_of():
    spec = options(sets={"type": "list", "elements": "str", "choices": ["a", "b"]})
    assert failure(spec, {"sets": ["a", "c", "d"]})["msg"] == (
        "value of sets must be one or more of: a, b. Got no match for: c, d"
    )


def test_an_alias_sets_the_option_and_stays_a_legal_input():
    module = make(options(path={"aliases": ["dest"]}), {"dest": "C:\\x"})
    assert module.params["path"] == "C:\\x"
    assert module.result["invocation"]["module_args"]["dest"] == "C:\\x"


def test_an_option_given_in_another_case_takes_the_spec_spelling():
    assert make(options(Name={}), {"name": "x"}).params["Name"] == "x"


# -- unsupported parameters and _ansible_ parameters ----------------------------------------


def test_unsupported_parameters_fail_with_the_supported_list():
    spec = options(path={"aliases": ["dest"]}, force={"type": "bool"})
    result = failure(spec, {"pth": "x", "extra": 1, "_ansible_module_name": "wsfc.clusterdb.x"})
    assert result["msg"] == (
        "Unsupported parameters for (wsfc.clusterdb.x) module: pth, extra. "
        "Supported parameters include: path, force, dest"
    )


def test_unsupported_parameters_pass_when_ansible_asks_to_ignore_them():
    module = make(options(a={}), {"b": 1, "_ansible_ignore_unknown_opts": True})
    assert module.params["b"] == 1


def test_ansible_parameters_set_the_module_properties_and_leave_params():
    module = make(
        options(),
        {
            "_ansible_check_mode": "yes",
            "_ansible_diff": True,
            "_ansible_verbosity": "3",
            "_ansible_module_name": "ansible.windows.win_ping",
            "_ansible_remote_tmp": "%TEMP%",
            "_ansible_tmpdir": None,
            "_ansible_socket": None,
            "_ansible_tracebacks_for": [],
        },
    )
    assert (module.check_mode, module.diff_mode, module.verbosity) == (True, True, 3)
    assert module.module_name == "ansible.windows.win_ping"
    assert module.remote_tmp == "%TEMP%"
    assert module.params == {}


def test_check_mode_skips_a_module_that_does_not_support_it():
    spec = {"options": {"name": {}}}
    with pytest.raises(ModuleExit) as ended:
        make(spec, {"name": "x", "_ansible_check_mode": True, "_ansible_module_name": "ns.c.m"})
    assert ended.value.exit_code == 0
    assert ended.value.result == {
        "changed": False,
        "skipped": True,
        "msg": "remote module (ns.c.m) does not support check mode",
        "invocation": {"module_args": {"name": "x"}},
    }


def test_check_mode_runs_a_module_that_supports_it():
    module = make(options(name={}), {"_ansible_check_mode": True})
    assert module.check_mode is True


# -- dependencies between options ------------------------------------------------------------


def test_mutually_exclusive():
    spec = {**options(a={}, b={}), "mutually_exclusive": [["a", "b"]]}
    assert failure(spec, {"a": 1, "b": 2})["msg"] == "parameters are mutually exclusive: a, b"
    assert make(spec, {"a": 1}).params["a"] == "1"


def test_required_if_all_and_any():
    spec = {
        **options(state={}, path={}, name={}),
        "required_if": [["state", "present", ["path", "name"]]],
    }
    assert failure(spec, {"state": "present", "name": "x"})["msg"] == (
        "state is present but all of the following are missing: path"
    )
    assert make(spec, {"state": "absent"}).params["state"] == "absent"

    spec_any = {
        **options(state={}, path={}, name={}),
        "required_if": [["state", "present", ["path", "name"], True]],
    }
    assert make(spec_any, {"state": "present", "name": "x"}).params["name"] == "x"
    assert failure(spec_any, {"state": "present"})["msg"] == (
        "state is present but any of the following are missing: path, name"
    )


def test_required_if_compares_the_value_as_text():
    spec = {
        **options(force={"type": "bool"}, reason={}),
        "required_if": [["force", True, ["reason"]]],
    }
    assert failure(spec, {"force": "yes"})["msg"] == (
        "force is True but all of the following are missing: reason"
    )


def test_required_together_one_of_and_by():
    together = {**options(user={}, password={}), "required_together": [["user", "password"]]}
    assert failure(together, {"user": "x"})["msg"] == (
        "parameters are required together: user, password"
    )
    one_of = {**options(path={}, name={}), "required_one_of": [["path", "name"]]}
    assert failure(one_of, {})["msg"] == "one of the following is required: path, name"
    by = {**options(share={}, path={}), "required_by": {"share": "path"}}
    assert failure(by, {"share": "x"})["msg"] == "missing parameter(s) required by 'share': path"


def test_sub_options_are_validated_with_their_context():
    spec = options(
        target={
            "type": "dict",
            "options": {"path": {"required": True}, "port": {"type": "int", "default": 5985}},
        },
        targets={
            "type": "list",
            "elements": "dict",
            "options": {"path": {"type": "str"}},
        },
    )
    module = make(spec, {"target": {"path": "x"}, "targets": [{"path": 1}]})
    assert module.params["target"] == {"path": "x", "port": 5985}
    assert module.params["targets"] == [{"path": "1"}]
    assert failure(spec, {"target": {"port": 1}})["msg"] == (
        "missing required arguments: path found in target"
    )
    assert failure(spec, {"targets": [{"paht": 1}]})["msg"] == (
        "Unsupported parameters for (undefined win module) module: paht found in targets. "
        "Supported parameters include: path"
    )


# -- no_log, results -------------------------------------------------------------------------


def test_no_log_values_are_hidden_in_invocation_and_messages():
    spec = options(password={"no_log": True}, user={})
    module = make(spec, {"password": "Hunter2", "user": "admin"})
    assert module.result["invocation"]["module_args"] == {
        "password": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER",
        "user": "admin",
    }
    with pytest.raises(ModuleExit) as ended:
        module.fail_json("logon failed with password Hunter2")
    assert ended.value.result["msg"] == "logon failed with password ********"


def test_exit_json_adds_warnings_deprecations_and_diff_in_diff_mode():
    module = make(options(), {"_ansible_diff": True})
    module.warn("careful")
    module.deprecate("old", version="2.0.0", collection_name="wsfc.clusterdb")
    module.diff["before"] = "a"
    module.result["changed"] = True
    with pytest.raises(ModuleExit) as ended:
        module.exit_json(extra="value")
    assert ended.value.exit_code == 0
    assert ended.value.result == {
        "changed": True,
        "invocation": {"module_args": {}},
        "extra": "value",
        "warnings": ["careful"],
        "deprecations": [{"msg": "old", "version": "2.0.0", "collection_name": "wsfc.clusterdb"}],
        "diff": {"before": "a"},
    }


def test_no_diff_outside_diff_mode():
    module = make(options(), {})
    module.diff["before"] = "a"
    with pytest.raises(ModuleExit) as ended:
        module.exit_json()
    assert "diff" not in ended.value.result


def test_fail_json_keeps_extra_keys_and_exits_1():
    module = make(options(), {})
    with pytest.raises(ModuleExit) as ended:
        module.fail_json("no", error_code=5)
    assert ended.value.exit_code == 1
    assert ended.value.result["error_code"] == 5
    assert ended.value.result["msg"] == "no"


def test_deprecated_options_and_aliases_add_deprecations():
    spec = options(
        old={"removed_in_version": "3.0.0", "removed_from_collection": "wsfc.clusterdb"},
        path={"aliases": ["dest"], "deprecated_aliases": [{"name": "dest", "version": "3.0.0"}]},
    )
    module = make(spec, {"old": "x", "dest": "y"})
    with pytest.raises(ModuleExit) as ended:
        module.exit_json()
    messages = [d["msg"] for d in ended.value.result["deprecations"]]
    assert messages == [
        "Alias 'dest' is deprecated. See the module docs for more information",
        "Param 'old' is deprecated. See the module docs for more information",
    ]


# -- specs -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"options": {"a": {"tpye": "str"}}}, "argument spec entry contains an invalid key 'tpye'"),
        ({"options": {"a": {"type": "string"}}}, "type 'string' is unsupported - found in a"),
        ({"options": {"a": {"type": "sid"}}}, "the lab does not emulate the option type 'sid'"),
        (
            {"options": {"a": {"required": True, "default": "x"}}},
            "required and default are mutually exclusive for a",
        ),
    ],
)
def test_a_spec_ansible_basic_would_refuse_is_refused(spec, message):
    with pytest.raises(SpecError, match=message.replace("(", r"\(")):
        normalise_spec(spec)
