"""ansible.windows.win_powershell: an administrator's plain cmdlet calls, Add-ClusterGroup and
Remove-ClusterGroup (docs/windows-behaviour.md#add-clustergroup, #remove-clustergroup)."""

import pytest
from test_emulation_win_specs import documentation, normalised
from win_support import failed, make_world, ok, run
from wsfc_lab.emulation import returns_of, spec_of
from wsfc_lab.emulation.framework.invocation import LabError
from wsfc_lab.emulation.modules.win_powershell import Call, ScriptNotEmulated, parse_script

ADD = "Add-ClusterGroup -Name 'kit probe' | Out-Null"
REMOVE = "Remove-ClusterGroup -Name 'kit probe' -RemoveResources -Force"


@pytest.fixture
def world(tmp_path):
    return make_world(tmp_path)


def groups(world):
    with world.transaction() as state:
        return state.cluster.cluster_copy()["objects"]["groups"], state.cluster.tag


def test_a_script_of_plain_calls_is_read_as_powershell_binds_it():
    script = "# a comment\n\nAdd-ClusterGroup -Name 'it''s' | Out-Null; Get-ClusterGroup\n"
    script += 'Remove-ClusterGroup -Name "plain" -Force'
    assert parse_script(script) == [
        Call("Add-ClusterGroup", {"Name": "it's"}, out_null=True),
        Call("Get-ClusterGroup", {}),
        Call("Remove-ClusterGroup", {"Name": "plain", "Force": True}),
    ]


@pytest.mark.parametrize(
    "script",
    [
        "$name = 'x'",
        'Add-ClusterGroup -Name "$env:COMPUTERNAME"',
        "Get-ClusterGroup | Remove-ClusterGroup -Force",
        "Add-ClusterGroup 'positional'",
        "if (1) { Get-Cluster }",
        "Add-ClusterGroup -Name:x",
    ],
)
def test_anything_but_plain_calls_is_not_read(script):
    with pytest.raises(ScriptNotEmulated):
        parse_script(script)


def test_adding_and_removing_a_group_changes_the_configuration_each_time(world):
    before, tag = groups(world)
    added = ok(world, "win_powershell", script=ADD, error_action="stop")
    assert added["changed"] is True and added["output"] == [] and added["error"] == []
    after_add, tag_added = groups(world)
    assert set(after_add) - set(before) == {"kit probe"}
    assert after_add["kit probe"]["owner_node"] == "N1"
    assert tag_added != tag
    removed = ok(world, "win_powershell", on="N2", script=REMOVE, error_action="stop")
    assert removed["changed"] is True
    after_remove, tag_removed = groups(world)
    assert after_remove == before
    assert tag_removed not in (tag, tag_added)


def test_check_mode_runs_nothing(world):
    before = groups(world)
    result = ok(world, "win_powershell", script=ADD, error_action="stop",
                _ansible_check_mode=True)  # fmt: skip
    assert result["changed"] is True
    assert result["msg"] == "skipped, running in check mode"
    assert groups(world) == before


def test_a_failing_cmdlet_fails_the_task_with_its_error_record(world):
    ok(world, "win_service", on="N1", name="ClusSvc", state="stopped")
    ok(world, "win_service", on="N2", name="ClusSvc", state="stopped")
    outcome = run(world, "win_powershell", script=ADD, error_action="stop")
    assert outcome.result["failed"] is True and "msg" not in outcome.result
    [record] = outcome.result["error"]
    assert record["exception"]["message"] == record["output"]
    assert "not running on any node" in record["output"]


def test_what_the_lab_does_not_emulate_fails_loudly(world):
    assert "error_action=continue" in failed(world, "win_powershell", script=ADD)["msg"]
    with_parameters = failed(
        world, "win_powershell", script=ADD, error_action="stop", parameters={"a": 1}
    )
    assert "option parameters" in with_parameters["msg"]
    with_output = failed(
        world, "win_powershell", script="Add-ClusterGroup -Name x", error_action="stop"
    )
    assert "(pipe to Out-Null)" in with_output["msg"]
    with pytest.raises(LabError, match="confirmation"):
        run(world, "win_powershell", script="Remove-ClusterGroup -Name x", error_action="stop")
    ok(world, "win_powershell", script=ADD, error_action="stop")
    with pytest.raises(LabError, match="a group of that name exists"):
        run(world, "win_powershell", script=ADD, error_action="stop")


def test_the_options_and_result_keys_are_the_documented_ones():
    doc, returns = documentation("win_powershell")
    spec = spec_of("ansible.windows.win_powershell")["options"]
    assert set(spec) == set(doc["options"])
    for name, documented in doc["options"].items():
        for prop in ("type", "aliases", "default", "choices"):
            assert normalised(spec[name], prop) == normalised(documented, prop), (name, prop)
    assert returns_of("ansible.windows.win_powershell") == set(returns) - {"changed"}
