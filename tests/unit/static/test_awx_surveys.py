"""The AWX / Automation Platform surveys (extensions/awx/*.survey.json): valid survey specs
as AWX's job template survey_spec endpoint describes them, every variable one the playbook
or its role takes, consent never answered by a default, and the answers a launch would
send accepted by the role's own option check."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._role_options import (
    check_role_options,
    load_role_spec,
)

ROOT = Path(__file__).resolve().parents[3]
AWX = ROOT / "extensions" / "awx"
# What AWX accepts as a question's type, and the keys every question carries.
TYPES = {"text", "textarea", "password", "integer", "float", "multiplechoice", "multiselect"}
QUESTION_KEYS = {"type", "question_name", "question_description", "variable", "required"}
# The playbooks' own names for role options (playbooks/*.yml), and the host pattern.
PLAYBOOK_ALIASES = {
    "backup": {"backup_path": "backup_path"},
    "restore": {
        "backup_path": "restore_backup_path",
        "force": "restore_force",
        "quorum_drive": "restore_quorum_drive",
    },
}
HOSTS_VARIABLE = "wsfc_hosts"


def survey(name: str) -> dict[str, Any]:
    return json.loads((AWX / f"{name}.survey.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ["backup", "restore"])
def test_the_survey_is_a_valid_survey_spec(name: str) -> None:
    spec = survey(name)
    assert isinstance(spec["name"], str) and spec["name"]
    assert isinstance(spec["description"], str)
    variables = [question["variable"] for question in spec["spec"]]
    assert len(variables) == len(set(variables))
    for question in spec["spec"]:
        assert QUESTION_KEYS <= set(question), question
        assert question["type"] in TYPES
        if question["type"] in ("multiplechoice", "multiselect"):
            assert question["choices"] and all(isinstance(c, str) for c in question["choices"])
            assert question.get("default", "") in ["", *question["choices"]]
        if question["type"] == "text":
            assert question["min"] <= question["max"]


@pytest.mark.parametrize("name", ["backup", "restore"])
def test_every_survey_variable_is_one_the_playbook_or_its_role_takes(name: str) -> None:
    role = load_role_spec(name, ROOT)
    aliases = PLAYBOOK_ALIASES[name]
    for question in survey(name)["spec"]:
        variable = question["variable"]
        assert variable == HOSTS_VARIABLE or aliases.get(variable, variable) in role.options


def test_consent_is_a_required_answer_with_no_default() -> None:
    consent = next(q for q in survey("restore")["spec"] if q["variable"] == "restore_consent")
    assert consent["required"] is True
    assert consent["default"] == ""
    force = next(q for q in survey("restore")["spec"] if q["variable"] == "force")
    assert force["default"] == "false"


@pytest.mark.parametrize("name", ["backup", "restore"])
def test_the_answers_a_launch_sends_pass_the_roles_option_check(name: str) -> None:
    answers: dict[str, Any] = {}
    for question in survey(name)["spec"]:
        if question["variable"] == HOSTS_VARIABLE:
            continue
        choices = question.get("choices")
        # AWX sends a multiple choice answer as the chosen string.
        answers[question["variable"]] = choices[-1] if choices else "\\\\fs01\\clusterbackups"
    if name == "restore":
        answers["restore_set"] = ""
    refusals = check_role_options(
        load_role_spec(name, ROOT), answers, aliases=PLAYBOOK_ALIASES[name]
    )
    assert refusals == []


@pytest.mark.parametrize("name", ["backup", "restore"])
def test_the_project_playbook_runs_the_collections_playbook(name: str) -> None:
    plays = yaml.safe_load((AWX / "project" / f"{name}.yml").read_text(encoding="utf-8"))
    assert plays == [
        {"name": plays[0]["name"], "ansible.builtin.import_playbook": f"wsfc.clusterdb.{name}"}
    ]
