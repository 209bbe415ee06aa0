"""The drift role's options, checked like the backup role's before any node is touched."""

from __future__ import annotations

import typing as t
from pathlib import Path

import pytest
import yaml
from ansible_collections.wsfc.clusterdb.plugins.filter.role_option_names import (
    role_option_names,
)
from ansible_collections.wsfc.clusterdb.plugins.filter.role_options import role_options
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._drift_report import FORMATS
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._role_options import (
    ControllerFiles,
    OptionRefusal,
    check_role_options,
    load_role_spec,
)

REPO = Path(__file__).resolve().parents[3]
DRIFT = load_role_spec("drift")
GOOD = {"drift_backup_path": r"\\fs01\clusterbackups", "drift_cluster_name": "CLU01"}


def _check(**values: t.Any) -> list[OptionRefusal]:
    return check_role_options(DRIFT, {**GOOD, **values}, controller=ControllerFiles())


def _one(refusals: list[OptionRefusal]) -> OptionRefusal:
    assert len(refusals) == 1, [r.text for r in refusals]
    return refusals[0]


def test_the_options_are_those_of_the_argument_specs_and_the_defaults_pass() -> None:
    specs = yaml.safe_load((REPO / "roles/drift/meta/argument_specs.yml").read_text())
    assert set(DRIFT.options) == set(specs["argument_specs"]["main"]["options"])
    assert role_option_names("drift") == list(DRIFT.options)
    defaults = yaml.safe_load((REPO / "roles/drift/defaults/main.yml").read_text())
    defaults.update(GOOD)
    assert check_role_options(DRIFT, defaults) == []
    # The formats the role offers are the report's own.
    assert DRIFT.options["drift_report_formats"].choices == FORMATS
    for name in ("drift_cluster_folder", "drift_probe_attempt", "drift_outcome", "drift_summary"):
        assert DRIFT.knows(name), name


@pytest.mark.parametrize(
    ("values", "words"),
    [
        ({"drift_backup_path": ""}, "drift_backup_path is empty"),
        ({"drift_backup_path": "C:"}, "drift_backup_path"),
        ({"drift_backup_path": r"D:\%ROOT%\x"}, "environment variable"),
        ({"drift_max_age": "soon"}, "drift_max_age 'soon' is not a duration"),
        ({"drift_max_age": "-1d"}, "the age of the oldest acceptable backup"),
        ({"drift_set": r"..\..\Windows"}, "drift_set"),
        ({"drift_cluster_name": ""}, "does not say which cluster"),
        ({"drift_node_attempts": 0}, "drift_node_attempts is 0; it must be 1 or more"),
        ({"drift_report_dir": "reports"}, "is a relative path"),
        ({"drift_report_dir": "$HOME/x"}, "environment variable"),
        ({"drift_report_formats": ["html", "pdf"]}, "drift_report_formats[1] is 'pdf'"),
        ({"drift_report_formats": "html"}, "not a list"),
    ],
)
def test_a_bad_option_is_refused_with_the_option_named(values: dict, words: str) -> None:
    refusal = _one(_check(**values))
    assert words in refusal.text, refusal.text


def test_a_report_folder_the_user_may_not_write_is_refused(tmp_path: Path) -> None:
    files = ControllerFiles(writable=lambda _path: False, user=lambda: "awx")
    refusals = check_role_options(
        DRIFT, {**GOOD, "drift_report_dir": str(tmp_path / "reports")}, controller=files
    )
    assert "not writable by awx" in _one(refusals).text


def test_an_unknown_drift_variable_is_refused_with_the_closest_option() -> None:
    result = role_options(GOOD, "drift", defined=[*GOOD, "drift_max_ag"])
    assert result["refused"] is True
    assert "Did you mean drift_max_age?" in result["msg"]
    assert result["msg"].startswith("The drift role refuses its options; no node was touched.")
