"""plugin_utils._role_options: every option of the roles, checked before any node is touched."""

from __future__ import annotations

import typing as t
from pathlib import Path

import pytest
import yaml
from ansible_collections.wsfc.clusterdb.plugins.filter.role_option_names import (
    role_option_names,
)
from ansible_collections.wsfc.clusterdb.plugins.filter.role_options import role_options
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._role_options import (
    ControllerFiles,
    OptionRefusal,
    check_role_options,
    load_role_spec,
    refusal_message,
)

REPO = Path(__file__).resolve().parents[3]
BACKUP = load_role_spec("backup")
RESTORE = load_role_spec("restore")


def _argument_spec(role: str) -> dict[str, dict[str, t.Any]]:
    document = yaml.safe_load((REPO / "roles" / role / "meta" / "argument_specs.yml").read_text())
    return document["argument_specs"]["main"]["options"]


def _defaults(role: str) -> dict[str, t.Any]:
    return yaml.safe_load((REPO / "roles" / role / "defaults" / "main.yml").read_text())


def _backup(**values: t.Any) -> list[OptionRefusal]:
    given = {"backup_path": r"\\fs01\clusterbackups", "backup_cluster_name": "CLU01", **values}
    return check_role_options(BACKUP, given)


def _one(refusals: list[OptionRefusal]) -> OptionRefusal:
    assert len(refusals) == 1, [r.text for r in refusals]
    return refusals[0]


def test_the_options_are_those_of_the_argument_specs() -> None:
    assert set(BACKUP.options) == set(_argument_spec("backup"))
    assert set(RESTORE.options) == set(_argument_spec("restore"))
    assert BACKUP.options["backup_temporary_share"].type == "bool"
    assert BACKUP.options["backup_route"].choices == ("auto", "vss", "clusapi")


def test_the_names_the_role_sets_itself_are_known() -> None:
    # vars/main.yml, a set_fact in main.yml, a register in probe.yml, a loop's task vars.
    for name in ("backup_cluster_folders", "backup_cluster_key", "backup_probe_attempt"):
        assert BACKUP.knows(name), name
    assert not BACKUP.knows("backup_retention_kep")


def test_names_are_read_from_every_task_file_and_block(tmp_path: Path) -> None:
    role = tmp_path / "roles" / "backup"
    (role / "meta").mkdir(parents=True)
    (role / "tasks").mkdir()
    (role / "meta" / "argument_specs.yml").write_text(
        "argument_specs:\n  main:\n    options:\n      backup_path: {type: str}\n"
        "  other:\n    options:\n      backup_other_entry: {type: str}\n"
    )
    (role / "tasks" / "x.yml").write_text(
        yaml.safe_dump(
            [
                {
                    "block": [{"ansible.builtin.set_fact": {"backup_in_block": 1}}],
                    "rescue": [{"debug": {}, "register": "backup_in_rescue"}],
                },
                {"debug": {}, "loop": [1], "loop_control": {"loop_var": "backup_item"}},
                {"debug": {}, "vars": {"backup_task_var": 1}},
            ]
        )
    )
    spec = load_role_spec("backup", tmp_path)
    assert set(spec.options) == {"backup_path"}
    assert spec.internal == {
        "backup_in_block",
        "backup_in_rescue",
        "backup_item",
        "backup_task_var",
        "backup_other_entry",
    }


@pytest.mark.parametrize(
    ("role", "option"),
    [
        (role, name)
        for role in ("backup", "restore")
        for name, spec in _argument_spec(role).items()
        if spec.get("type") == "bool"
    ],
)
def test_every_boolean_option_refuses_a_value_that_is_not_a_boolean(role: str, option: str) -> None:
    refusal = _one(check_role_options(load_role_spec(role), {option: "maybe"}))
    assert refusal.option == option
    assert f"{option} is 'maybe', which is not a boolean" in refusal.problem
    assert f"Set {option} to true or false" in refusal.fix


@pytest.mark.parametrize("value", [True, False, "yes", "no", "true", "False", "on", "0", 1, 0])
def test_booleans_as_yaml_json_or_key_value_are_accepted(value: object) -> None:
    assert check_role_options(RESTORE, {"restore_force": value}) == []


def test_a_playbook_name_is_refused_under_the_name_the_operator_typed() -> None:
    refusal = _one(
        check_role_options(RESTORE, {"force": "maybe"}, aliases={"force": "restore_force"})
    )
    assert refusal.option == "force"
    assert refusal.problem.startswith("force is 'maybe', which is not a boolean")


def test_every_default_passes() -> None:
    backup = {k: v for k, v in _defaults("backup").items() if k in BACKUP.options}
    backup.update(backup_path=r"\\fs01\clusterbackups", backup_cluster_name="CLU01")
    assert check_role_options(BACKUP, backup) == []
    restore = {k: v for k, v in _defaults("restore").items() if k in RESTORE.options}
    restore.update(restore_backup_path=r"\\fs01\clusterbackups")
    assert check_role_options(RESTORE, restore) == []


@pytest.mark.parametrize(
    ("role", "name", "suggestion"),
    [
        ("restore", "restore_sett", "restore_set"),
        ("restore", "restore_nod", "restore_node"),
        ("backup", "backup_retention_kep", "backup_retention_keep"),
        ("backup", "backup_destination", "backup_destinations"),
    ],
)
def test_an_unknown_variable_with_the_role_prefix_is_refused(
    role: str, name: str, suggestion: str
) -> None:
    spec = load_role_spec(role)
    refusal = _one(check_role_options(spec, {}, defined=[name, *spec.options, *spec.internal]))
    assert refusal.option == name
    assert f"{name} is not an option of the {role} role" in refusal.problem
    assert f"Did you mean {suggestion}?" in refusal.problem
    assert f"roles/{role}/meta/argument_specs.yml" in refusal.fix


def test_a_variable_without_the_prefix_is_none_of_the_roles_business() -> None:
    assert check_role_options(RESTORE, {}, defined=["backup_path", "force", "restorer"]) == []


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("", ("backup_path is empty", "backup_path is required", "Set backup_path")),
        ("C:", ("names drive C: without a backslash", r"C:\Backups")),
        (r"C:\Backups\..\Windows", ("'..'", "without . or .. components")),
        (r"C:\%TEMP%\x", ("%TEMP%", "environment variables are not expanded", "expanded path")),
        ("C:\\Back\nups", ("control character '\\n'", "-e @vars.yml")),
        ("relative", ("relative path", "absolute path")),
    ],
)
def test_backup_path_is_checked_as_the_role_will_use_it(value: str, words: tuple[str]) -> None:
    refusal = _one(_backup(backup_path=value))
    assert refusal.option == "backup_path"
    for word in words:
        assert word in refusal.text, refusal.text


def test_a_unc_path_that_lost_a_backslash_to_key_value_is_accepted() -> None:
    assert _backup(backup_path=r"\fs01\clusterbackups") == []


def test_every_bad_destination_is_named() -> None:
    refusals = _backup(backup_destinations=[r"D:\ok", r"C:\a\..", r"D:\%X%", r"E:\fine"])
    assert [r.option for r in refusals] == ["backup_destinations", "backup_destinations"]
    assert "backup_destinations[1]" in refusals[0].problem
    assert "backup_destinations[2]" in refusals[1].problem


def test_destinations_given_as_a_string_are_refused() -> None:
    refusal = _one(_backup(backup_destinations=r"D:\Copies"))
    assert "not a list of folders" in refusal.problem
    assert '-e \'{"backup_destinations": ["D:\\\\Copies"]}\'' in refusal.fix


@pytest.mark.parametrize(
    ("values", "option", "words"),
    [
        ({"backup_retention_keep": 0}, "backup_retention_keep", ("is 0", "1 or more")),
        ({"backup_retention_keep": "many"}, "backup_retention_keep", ("not a whole number",)),
        ({"backup_leftover_age": "soon"}, "backup_leftover_age", ("not a duration", "12h")),
        ({"backup_node_attempts": "0"}, "backup_node_attempts", ("1 or more",)),
        ({"backup_route": "fast"}, "backup_route", ("auto, vss, clusapi",)),
        ({"backup_temporary_share_name": "a;b"}, "backup_temporary_share_name", ("';'",)),
        ({"backup_temporary_share_name": ""}, "backup_temporary_share_name", ("needs a name",)),
        ({"backup_temporary_share_name": "pipe"}, "backup_temporary_share_name", ("reserves",)),
        (
            {"backup_temporary_share_dir": r"\\fs01\x"},
            "backup_temporary_share_dir",
            ("UNC path", "folder of the backup node"),
        ),
        ({"backup_temporary_share_dir": "D:\\"}, "backup_temporary_share_dir", ("root",)),
        ({"backup_cluster_name": ""}, "backup_cluster_name", ("wsfc_cluster_name",)),
        ({"backup_cluster_name": "CLU:01"}, "backup_cluster_name", ("':'",)),
        ({"backup_node_account_domain": "CORP\\"}, "backup_node_account_domain", ("CORP",)),
        ({"backup_cluster_group": "a\tb"}, "backup_cluster_group", ("control character",)),
    ],
)
def test_each_backup_option_is_checked_for_what_it_means(
    values: dict[str, object], option: str, words: tuple[str, ...]
) -> None:
    refusal = _one(_backup(**values))
    assert refusal.option == option
    assert option in refusal.text
    for word in words:
        assert word in refusal.text, refusal.text


@pytest.mark.parametrize(
    ("values", "option", "words"),
    [
        ({"restore_backup_path": ""}, "restore_backup_path", ("required", "-e backup_path=")),
        ({"restore_set": r"..\..\Windows"}, "restore_set", ("path separator",)),
        ({"restore_set": ".."}, "restore_set", ("'..'",)),
        ({"restore_set": "%SET%"}, "restore_set", ("%SET%", "not expanded")),
        ({"restore_quorum_drive": "Q"}, "restore_quorum_drive", ("Q:",)),
        ({"restore_safety_backup_path": "C:"}, "restore_safety_backup_path", ("backslash",)),
        ({"restore_route": "legacy"}, "restore_route", ("auto, vss, clusapi",)),
        ({"restore_start_timeout": 0}, "restore_start_timeout", ("1 or more",)),
        ({"restore_wait_delay": -1}, "restore_wait_delay", ("0 or more",)),
        ({"restore_node": "NODE1\n"}, "restore_node", ("control character",)),
    ],
)
def test_each_restore_option_is_checked_for_what_it_means(
    values: dict[str, object], option: str, words: tuple[str, ...]
) -> None:
    given = {"restore_backup_path": r"\\fs01\clusterbackups", **values}
    refusal = _one(check_role_options(RESTORE, given))
    assert refusal.option == option
    for word in words:
        assert word in refusal.text, refusal.text


class _Files(ControllerFiles):
    """A controller file system of a few paths."""

    def __init__(self, dirs: set[str], files: set[str] = frozenset(), writable: bool = True):
        super().__init__(
            exists=lambda p: p in dirs or p in files,
            is_dir=lambda p: p in dirs,
            writable=lambda _p: writable,
            user=lambda: "operator",
        )


@pytest.mark.parametrize(
    ("folder", "files", "words"),
    [
        ("backups", _Files({"/"}), ("relative path", "absolute path")),
        ("$HOME/backups", _Files({"/"}), ("environment variable", "expanded path")),
        ("/srv/b", _Files({"/", "/srv"}, {"/srv/b"}), ("/srv/b on the controller is a file",)),
        ("/srv/b", _Files({"/", "/srv"}, writable=False), ("not writable by operator",)),
        ("/srv/b", _Files({"/", "/srv", "/srv/b"}, {"/srv/b/CLU01"}), ("/srv/b/CLU01",)),
    ],
)
def test_the_controller_folder_is_checked_on_the_controller(
    folder: str, files: ControllerFiles, words: tuple[str, ...]
) -> None:
    given = {"backup_path": r"\\fs01\b", "backup_cluster_name": "CLU01"}
    refusals = check_role_options(
        BACKUP, {**given, "backup_controller_dir": folder}, controller=files
    )
    refusal = _one(refusals)
    assert refusal.option == "backup_controller_dir"
    for word in words:
        assert word in refusal.text, refusal.text


def test_a_writable_controller_folder_is_accepted() -> None:
    files = _Files({"/", "/srv"})
    given = {"backup_path": r"\\fs01\b", "backup_cluster_name": "CLU01"}
    assert (
        check_role_options(BACKUP, {**given, "backup_controller_dir": "/srv/new"}, controller=files)
        == []
    )


def test_the_message_names_every_refusal_and_that_no_node_was_touched() -> None:
    refusals = _backup(backup_path="C:", backup_retention_keep=0)
    message = refusal_message("backup role", refusals)
    assert message.startswith("The backup role refuses 2 of its options; no node was touched.")
    assert "\n- backup_path 'C:'" in message
    assert "\n- backup_retention_keep is 0" in message
    assert refusal_message("backup role", []) == ""


def test_the_filters_read_the_roles_argument_specs() -> None:
    assert role_option_names("restore") == list(_argument_spec("restore"))
    decision = role_options(
        {"restore_backup_path": r"\\fs01\b", "restore_force": "maybe"},
        "restore",
        defined=["restore_backup_path", "restore_force", "restore_sett"],
    )
    assert decision["refused"] is True
    assert [r["option"] for r in decision["refusals"]] == ["restore_force", "restore_sett"]
    assert decision["msg"].startswith("The restore role refuses 2 of its options")
    playbook = role_options({"force": "yes"}, "restore", aliases={"force": "restore_force"})
    assert playbook == {"refused": False, "refusals": [], "msg": ""}
