"""check_pwsh_rules.py: each rule catches its bad fixture at the marked lines and nothing
else, and accepts its good fixture.

A bad fixture marks each line the rule must report with a trailing `# expect: <rule>[, <rule>]`
comment; the tests compare those marks, read from the fixture text, with what the rules find.
"""

import re
from pathlib import Path

import check_pwsh_rules
import pwsh_rules
import pytest
from pwsh_tree import first_syntax_problem, parse_powershell
from repo_files import REPO_ROOT

FIXTURES = Path(__file__).resolve().parent / "pwsh_rules_fixtures"
EXPECT = re.compile(r"#\s*expect:\s*(?P<rules>[\w\-, ]+)$")

BAD_FIXTURES = {
    "native-wrapper": [
        "native_wrapper_bad.ps1",
        "wrapper_bad/module_utils/WsfcNative.psm1",
    ],
    "powershell-51": [
        "powershell51_bad.ps1",
        "powershell51_null_conditional_bad.ps1.txt",
    ],
    "literal-path": ["literal_path_bad.ps1"],
}
GOOD_FIXTURES = [
    "native_wrapper_good.ps1",
    "wrapper_good/module_utils/WsfcNative.psm1",
    "powershell51_good.ps1",
    "literal_path_good.ps1",
]


def _expected(path: Path) -> set[tuple[int, str]]:
    marks = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = EXPECT.search(line)
        if match:
            for rule in match.group("rules").split(","):
                marks.add((number, rule.strip()))
    return marks


def _found(path: Path) -> set[tuple[int, str]]:
    return {(v.line, v.rule) for v in pwsh_rules.check_file(path)}


@pytest.mark.parametrize(
    ("rule", "name"),
    [(rule, name) for rule, names in BAD_FIXTURES.items() for name in names],
)
def test_bad_fixture_is_caught_at_each_marked_line_and_nowhere_else(rule, name):
    path = FIXTURES / name
    expected = _expected(path)
    # The fixture exercises its own rule on several lines; without marks the test proves nothing.
    assert len({line for line, marked in expected if marked == rule}) >= 3

    assert _found(path) == expected


@pytest.mark.parametrize("name", GOOD_FIXTURES)
def test_good_fixture_has_no_violation(name):
    path = FIXTURES / name
    assert _expected(path) == set()  # a good fixture marks nothing

    assert pwsh_rules.check_file(path) == []


@pytest.mark.parametrize(
    "name",
    [p.relative_to(FIXTURES) for p in sorted(FIXTURES.rglob("*")) if p.suffix in (".ps1", ".psm1")],
)
def test_powershell_fixtures_parse(name):
    """The syntax check reads every .ps1 and .psm1 of the repository, these included."""
    assert first_syntax_problem(parse_powershell((FIXTURES / name).read_bytes())) is None


def test_null_conditional_fixture_does_not_parse():
    """Why that fixture is not a .ps1: the grammar refuses the operators it holds."""
    source = (FIXTURES / "powershell51_null_conditional_bad.ps1.txt").read_bytes()
    assert first_syntax_problem(parse_powershell(source)) is not None


def test_call_operator_is_allowed_only_in_the_wrapper_file():
    """The same wrapper source is accepted at module_utils/WsfcNative.psm1 and caught
    anywhere else."""
    source = (FIXTURES / "wrapper_good/module_utils/WsfcNative.psm1").read_bytes()
    at_home = pwsh_rules.check_source(Path("plugins/module_utils/WsfcNative.psm1"), source)
    elsewhere = pwsh_rules.check_source(Path("plugins/module_utils/WsfcOther.psm1"), source)
    in_module = pwsh_rules.check_source(Path("plugins/modules/WsfcNative.psm1"), source)

    assert at_home == []
    for found in (elsewhere, in_module):
        assert [(v.rule, v.line) for v in found] == [("native-wrapper", 18)]
        assert "a function of the wrapper's name outside" in found[0].problem


def test_message_names_file_line_rule_fix_and_fact(tmp_path):
    script = tmp_path / "module.ps1"
    script.write_text("$x = 1\n$null = & reg.exe query HKLM\n", encoding="utf-8")

    (violation,) = pwsh_rules.check_file(script, "plugins/modules/module.ps1")
    text = str(violation)

    assert text.startswith("plugins/modules/module.ps1:2:9: native-wrapper: ")
    assert "Fix: run it as Invoke-WsfcNativeCommand" in text
    assert text.endswith("Why: docs/windows-behaviour.md#powershell-native-stderr")


def test_every_rule_cites_a_fact_that_exists():
    page = (REPO_ROOT / pwsh_rules.FACTS_PAGE).read_text(encoding="utf-8")
    for rule in pwsh_rules.RULES.values():
        assert f'<a id="{rule.anchor}"></a>' in page, rule.rule_id


def test_parameter_prefixes_and_aliases_resolve_as_powershell_binds_them():
    test_path = pwsh_rules.PATH_CMDLETS["Test-Path"]
    resolve = pwsh_rules._resolve_parameter

    assert resolve(test_path, "path") == "path"  # exact beats the prefix of PathType
    assert resolve(test_path, "pat") is None  # Path or PathType: ambiguous
    assert resolve(test_path, "lit") == "literalpath"
    assert resolve(test_path, "pspath") == "literalpath"
    assert resolve(test_path, "ea") == "erroraction"
    assert resolve(test_path, "lp") is None  # an alias PowerShell 6 added


def test_switches_do_not_take_the_path_but_values_do(tmp_path):
    script = tmp_path / "module.ps1"
    script.write_text(
        "Get-ChildItem -Recurse $a\n"  # a switch: $a is positional, the path
        "Get-ChildItem -Filter $b\n"  # a value parameter: $b is its value
        "Get-ChildItem -Depth 2 -Filter '*.txt' $c\n",  # values, then $c positional
        encoding="utf-8",
    )

    found = pwsh_rules.check_file(script)

    assert [(v.line, v.column) for v in found] == [(1, 24), (3, 40)]


def test_main_reports_and_fails_on_violations(capsys):
    assert check_pwsh_rules.main([str(FIXTURES / "literal_path_bad.ps1")]) == 1
    out = capsys.readouterr().out
    expected = len(_expected(FIXTURES / "literal_path_bad.ps1"))
    assert f"1 files checked, {expected} violations" in out
    assert f"literal-path {expected}" in out


def test_main_passes_clean_files(capsys):
    paths = [str(FIXTURES / name) for name in GOOD_FIXTURES]

    assert check_pwsh_rules.main(paths) == 0
    assert f"{len(paths)} files checked, 0 violations" in capsys.readouterr().out


def test_main_defaults_to_the_plugins_directory():
    assert check_pwsh_rules.DEFAULT_ROOT == REPO_ROOT / "plugins"
