"""check_sanity_ignores.py: one validate-modules!skip per .ps1 module, and nothing else."""

from pathlib import Path

import check_sanity_ignores
import pytest


@pytest.fixture
def collection(tmp_path):
    modules = tmp_path / "plugins" / "modules"
    modules.mkdir(parents=True)
    for name in ("alpha", "beta"):
        (modules / f"{name}.ps1").write_text("#!powershell\n")
        (modules / f"{name}.py").write_text("DOCUMENTATION = ''\n")
    (tmp_path / "tests" / "sanity").mkdir(parents=True)
    return tmp_path


def write_ignores(root: Path, *lines: str) -> None:
    (root / check_sanity_ignores.IGNORE_FILE).write_text("".join(f"{line}\n" for line in lines))


def entry(module: str) -> str:
    return f"plugins/modules/{module}.ps1 validate-modules!skip  # pwsh is not installable here"


def test_one_entry_per_powershell_module_passes(collection):
    write_ignores(collection, entry("alpha"), entry("beta"))

    assert check_sanity_ignores.check(collection) == []


def test_module_without_entry_fails_with_the_line_to_add(collection):
    write_ignores(collection, entry("alpha"))

    problems = check_sanity_ignores.check(collection)

    assert len(problems) == 1
    assert "no entry for plugins/modules/beta.ps1" in problems[0]
    assert problems[0].endswith(
        check_sanity_ignores.expected_line(collection / "plugins/modules/beta.ps1", collection)
    )


def test_other_ignores_are_refused(collection):
    write_ignores(
        collection,
        entry("alpha"),
        entry("beta"),
        "plugins/modules/alpha.py validate-modules:missing-gplv3-license",
    )

    problems = check_sanity_ignores.check(collection)

    assert len(problems) == 1
    assert problems[0].startswith("tests/sanity/ignore-2.19.txt:3: only")


def test_entry_without_reason_is_refused(collection):
    write_ignores(collection, entry("alpha"), "plugins/modules/beta.ps1 validate-modules!skip")

    problems = check_sanity_ignores.check(collection)

    assert len(problems) == 2
    assert problems[0].startswith("tests/sanity/ignore-2.19.txt:2: only")
    assert "no entry for plugins/modules/beta.ps1" in problems[1]


def test_entry_for_a_missing_module_is_refused(collection):
    write_ignores(collection, entry("alpha"), entry("beta"), entry("gamma"))

    assert check_sanity_ignores.check(collection) == [
        "tests/sanity/ignore-2.19.txt:3: plugins/modules/gamma.ps1 does not exist"
    ]
