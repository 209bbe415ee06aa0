"""The emulation registry (Contract 2) and running an emulation: strict result keys,
Windows errors, lab errors."""

import re

import pytest
from wsfc_lab.emulation import emulated_modules, emulates, lookup, returns_of, spec_of
from wsfc_lab.emulation.framework import registry as registry_module
from wsfc_lab.emulation.framework.basic import EmulatedModule
from wsfc_lab.emulation.framework.basic_spec import SpecError
from wsfc_lab.emulation.framework.invocation import LabError, invoke
from wsfc_lab.world.windows_errors import ERROR_CLUSTER_NODE_UP, WindowsError

SPEC = {"options": {"name": {"type": "str", "required": True}}, "supports_check_mode": True}


@pytest.fixture
def registry(monkeypatch):
    """A registry that forgets the test's registrations afterwards."""
    registry_module.load_all()
    monkeypatch.setattr(registry_module, "_emulations", dict(registry_module._emulations))
    return registry_module


def register(fqcn, function, returns=("greeting",), **kwargs):
    emulates(fqcn, spec=SPEC, returns=returns, **kwargs)(function)
    return lookup(fqcn)


def run(emulation, arguments):
    return invoke(emulation, arguments, world=None, node="NODE1")


def test_the_builtin_emulations_are_listed_with_their_specs_and_returns():
    assert {"ansible.windows.win_ping", "ansible.windows.setup"} <= set(emulated_modules())
    assert spec_of("ansible.windows.win_ping") == {
        "options": {"data": {"type": "str", "default": "pong"}},
        "supports_check_mode": True,
    }
    assert returns_of("ansible.windows.win_ping") == frozenset({"ping"})
    assert returns_of("ansible.windows.setup") == frozenset({"ansible_facts"})


def test_spec_of_an_unknown_module_names_it():
    with pytest.raises(KeyError, match=re.escape("does not emulate module ns.coll.nothing")):
        spec_of("ns.coll.nothing")


def test_a_registered_emulation_runs_and_its_result_is_returned(registry):
    def greet(module: EmulatedModule) -> None:
        module.result["greeting"] = f"hello {module.params['name']} on {module.node}"

    outcome = run(register("test.lab.greet", greet), {"name": "x"})
    assert outcome.exit_code == 0
    assert outcome.result == {
        "changed": False,
        "invocation": {"module_args": {"name": "x"}},
        "greeting": "hello x on NODE1",
    }
    assert "test.lab.greet" in emulated_modules()


def test_an_emulation_needs_a_fully_qualified_name_and_a_valid_spec(registry):
    with pytest.raises(ValueError, match="fully qualified"):
        emulates("win_ping", spec=SPEC)
    with pytest.raises(SpecError):
        emulates("test.lab.bad", spec={"options": {"a": {"type": "nope"}}})


def test_the_same_module_cannot_be_emulated_twice(registry):
    register("test.lab.twice", lambda module: None)
    with pytest.raises(ValueError, match="emulated twice"):
        register("test.lab.twice", lambda module: None)


def test_an_undeclared_result_key_is_a_lab_error(registry):
    def sloppy(module):
        module.result["greeting"] = "hi"
        module.result["undeclared"] = True

    with pytest.raises(LabError, match="returned keys it does not declare: undeclared"):
        run(register("test.lab.sloppy", sloppy), {"name": "x"})


def test_undeclared_keys_in_fail_json_are_a_lab_error_too(registry):
    def failing(module):
        module.fail_json("no", detail="x")

    with pytest.raises(LabError, match="does not declare: detail"):
        run(register("test.lab.failing", failing), {"name": "x"})


def test_a_windows_error_becomes_a_failure_with_its_code(registry):
    def refuses(module):
        raise WindowsError(ERROR_CLUSTER_NODE_UP, "The cluster node is already up.")

    outcome = run(register("test.lab.refuses", refuses), {"name": "x"})
    assert outcome.exit_code == 1
    assert outcome.result["failed"] is True
    assert outcome.result["msg"] == "The cluster node is already up."
    assert outcome.result["error_code"] == 5056


def test_a_python_exception_in_an_emulation_is_a_lab_error(registry):
    def broken(module):
        raise KeyError("missing")

    with pytest.raises(
        LabError, match=re.escape("the emulation of test.lab.broken failed: KeyError")
    ):
        run(register("test.lab.broken", broken), {"name": "x"})


def test_validation_failures_do_not_run_the_emulation(registry):
    calls = []
    outcome = run(register("test.lab.unused", calls.append), {})
    assert outcome.exit_code == 1
    assert outcome.result["msg"] == "missing required arguments: name"
    assert calls == []


def test_extra_options_are_accepted_with_the_declared_type(registry):
    def echo(module):
        module.result["greeting"] = module.params["filter"]

    emulation = register("test.lab.open", echo, extra_option_type="raw")
    outcome = run(emulation, {"name": "x", "filter": ["a*"], "_ansible_check_mode": False})
    assert outcome.result["greeting"] == ["a*"]
    # The declared spec stays what the module's own spec says.
    assert spec_of("test.lab.open") == SPEC
