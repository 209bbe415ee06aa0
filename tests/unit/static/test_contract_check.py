"""check_contract.py over a tiny fake collection: agreement passes, each drift fails.

The collection under fixtures/contract_collection has one module, fake_info, whose
PowerShell spec, documentation and action plugin agree; FakeRegistry stands in for the
lab's emulation registry (docs/lab.md, Contract 2) so these tests do not need the lab.
Each test copies the collection, changes one declaration, and checks what is reported.
"""

import copy
import shutil
from pathlib import Path

import check_contract
import pytest

FIXTURE = Path(__file__).parent / "fixtures" / "contract_collection"
FQCN = "wsfc.clusterdb.fake_info"

# The emulation that agrees with the fixture's PowerShell module.
AGREEING_SPEC = {
    "options": {
        "name": {"type": "str", "required": True, "aliases": ["node"]},
        "mode": {"type": "str", "default": "quick", "choices": ["quick", "full"]},
        "retries": {"type": "int", "default": 3},
        "tags": {"type": "list", "elements": "str", "default": []},
        "limits": {"type": "dict", "options": {"seconds": {"type": "int", "default": 60}}},
    },
    "supports_check_mode": True,
}
AGREEING_RETURNS = frozenset({"node_name", "state", "details"})


class FakeRegistry:
    """The registry interface check_contract reads, over an in-memory table."""

    def __init__(self, emulations):
        self._emulations = emulations

    def emulated_modules(self):
        return sorted(self._emulations)

    def spec_of(self, fqcn):
        return copy.deepcopy(self._emulations[fqcn][0])

    def returns_of(self, fqcn):
        return frozenset(self._emulations[fqcn][1])


def agreeing_registry():
    return FakeRegistry({FQCN: (copy.deepcopy(AGREEING_SPEC), AGREEING_RETURNS)})


@pytest.fixture
def collection(tmp_path):
    root = tmp_path / "collection"
    shutil.copytree(FIXTURE, root)
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def run(collection: Path, registry, capsys) -> tuple[int, list[str]]:
    code = check_contract.main(["--collection-root", str(collection)], registry=registry)
    out = capsys.readouterr().out.splitlines()
    return code, [line for line in out if line.startswith("contract drift:")]


def module_file(collection: Path, suffix: str) -> Path:
    return collection / "plugins" / "modules" / f"fake_info{suffix}"


# The fixture's files that a case of the drift table below edits, by the name it uses.
EDITED = {
    "docs": "plugins/modules/fake_info.py",
    "powershell": "plugins/modules/fake_info.ps1",
    "action": "plugins/action/fake_info.py",
}


def test_agreeing_declarations_pass(collection, capsys):
    code, drifts = run(collection, agreeing_registry(), capsys)

    assert drifts == []
    assert code == 0


def test_type_differing_between_powershell_and_docs_fails(collection, capsys):
    edit(module_file(collection, ".ps1"), "retries = @{ type = 'int'", "retries = @{ type = 'str'")

    code, drifts = run(collection, agreeing_registry(), capsys)

    assert code == 1
    type_drifts = [d for d in drifts if "option 'retries' key 'type'" in d]
    # The PowerShell side now differs from both the documentation and the emulation.
    assert len(type_drifts) == 2
    assert any(
        "the documentation (plugins/modules/fake_info.py) has 'int'" in d for d in type_drifts
    )
    assert any("the lab emulation (wsfc.clusterdb.fake_info) has 'int'" in d for d in type_drifts)
    assert all(
        "the PowerShell spec (plugins/modules/fake_info.ps1) has 'str'" in d for d in type_drifts
    )


def test_suboption_default_differing_fails(collection, capsys):
    edit(module_file(collection, ".py"), "        default: 60\n", "        default: 30\n")

    code, drifts = run(collection, agreeing_registry(), capsys)

    assert code == 1
    assert len(drifts) == 1
    assert "option 'limits.seconds' key 'default'" in drifts[0]
    assert "has 60" in drifts[0] and "has 30" in drifts[0]


def test_boolean_default_is_not_an_integer_default(collection, capsys):
    edit(module_file(collection, ".ps1"), "default = 3 }", "default = $true }")
    edit(module_file(collection, ".py"), "    default: 3\n", "    default: 1\n")
    registry = agreeing_registry()
    registry._emulations[FQCN][0]["options"]["retries"]["default"] = True

    code, drifts = run(collection, registry, capsys)

    assert code == 1
    assert drifts == [
        "contract drift: fake_info: option 'retries' key 'default': the PowerShell spec"
        " (plugins/modules/fake_info.ps1) has True, the documentation"
        " (plugins/modules/fake_info.py) has 1"
    ]


def test_undocumented_emulation_return_fails(collection, capsys):
    registry = FakeRegistry({FQCN: (AGREEING_SPEC, AGREEING_RETURNS | {"bonus"})})

    code, drifts = run(collection, registry, capsys)

    assert code == 1
    assert drifts == [
        "contract drift: fake_info: result key 'bonus': in the lab emulation"
        " (wsfc.clusterdb.fake_info), missing in the PowerShell module"
        " (plugins/modules/fake_info.ps1)"
    ]


def test_missing_emulation_fails(collection, capsys):
    code, drifts = run(collection, FakeRegistry({}), capsys)

    assert code == 1
    assert drifts == [
        "contract drift: fake_info: lab emulation: missing: the lab emulates no"
        " wsfc.clusterdb.fake_info"
    ]


def test_emulation_without_module_fails(collection, capsys):
    registry = agreeing_registry()
    registry._emulations["wsfc.clusterdb.ghost"] = (AGREEING_SPEC, AGREEING_RETURNS)
    registry._emulations["ansible.windows.win_ping"] = ({"options": {}}, frozenset())

    code, drifts = run(collection, registry, capsys)

    assert code == 1
    assert drifts == [
        "contract drift: ghost: PowerShell module: missing: the lab emulates"
        " wsfc.clusterdb.ghost, no plugins/modules/ghost.ps1"
    ]


def test_emulation_choices_differing_fails(collection, capsys):
    registry = agreeing_registry()
    registry._emulations[FQCN][0]["options"]["mode"]["choices"] = ["quick"]

    code, drifts = run(collection, registry, capsys)

    assert code == 1
    assert len(drifts) == 1
    assert "option 'mode' key 'choices'" in drifts[0]
    assert "the lab emulation (wsfc.clusterdb.fake_info) has ['quick']" in drifts[0]


def test_result_key_added_by_action_plugin_must_be_declared(collection, capsys):
    (collection / "plugins" / "action" / "fake_info.py").unlink()

    code, drifts = run(collection, agreeing_registry(), capsys)

    assert code == 1
    assert drifts == [
        "contract drift: fake_info: result key 'summary': in the documentation"
        " (plugins/modules/fake_info.py), set neither by the PowerShell module"
        " nor in ADDED_RESULT_KEYS of plugins/action/fake_info.py"
    ]


def test_missing_documentation_fails(collection, capsys):
    module_file(collection, ".py").unlink()

    code, drifts = run(collection, agreeing_registry(), capsys)

    assert code == 1
    assert drifts == [
        "contract drift: fake_info: documentation: missing: no plugins/modules/fake_info.py"
    ]


def test_unreadable_powershell_spec_fails(collection, capsys):
    edit(module_file(collection, ".ps1"), "$spec = @{", "$spec = Get-Spec\n$other = @{")

    code, drifts = run(collection, agreeing_registry(), capsys)

    assert code == 1
    assert len(drifts) == 1
    assert drifts[0].startswith("contract drift: fake_info: PowerShell spec: cannot be read")


def test_result_key_named_at_run_time_fails(collection, capsys):
    edit(
        module_file(collection, ".ps1"),
        "$module.Result.changed = $false",
        "$module.Result.changed = $false\nforeach ($k in @('a')) { $module.Result[$k] = 1 }",
    )

    lines = module_file(collection, ".ps1").read_text().splitlines()
    line = next(n for n, text in enumerate(lines, start=1) if "$module.Result[$k]" in text)

    code, drifts = run(collection, agreeing_registry(), capsys)

    assert code == 1
    assert drifts == [
        "contract drift: fake_info: result key $k: named at run time at"
        f" plugins/modules/fake_info.ps1:{line}; set each result key by its literal name so that"
        " it can be checked"
    ]


@pytest.mark.parametrize(
    "import_line",
    [
        "from ansible_collections.wsfc.clusterdb.plugins.plugin_utils.fake_keys import KEYS",
        "from ..plugin_utils.fake_keys import KEYS",
    ],
)
def test_added_result_keys_may_name_a_constant_of_the_collection(collection, capsys, import_line):
    utils = collection / "plugins" / "plugin_utils"
    utils.mkdir()
    (utils / "fake_keys.py").write_text('KEYS = frozenset({"summary"})\n')
    edit(
        collection / "plugins" / "action" / "fake_info.py",
        'ADDED_RESULT_KEYS: frozenset[str] = frozenset({"summary"})',
        f"{import_line}\n\nADDED_RESULT_KEYS: frozenset[str] = KEYS",
    )

    code, drifts = run(collection, agreeing_registry(), capsys)

    assert drifts == []
    assert code == 0


def test_added_result_keys_computed_at_run_time_fails(collection, capsys):
    edit(
        collection / "plugins" / "action" / "fake_info.py",
        'frozenset({"summary"})',
        'frozenset(k for k in ["summary"])',
    )

    code, drifts = run(collection, agreeing_registry(), capsys)

    assert code == 1
    assert len(drifts) == 1
    assert "ADDED_RESULT_KEYS must be a frozenset of string literals" in drifts[0]


# The fixture's RETURN with the module's keys moved under `phase_results`, one entry per
# phase, as an action plugin that declares RAW_RESULTS_KEY documents them.
RAW_RESULTS_RETURN = '''RETURN = r"""
changed:
  description: Never true.
  returned: always
  type: bool
summary:
  description: Added on the controller.
  returned: always
  type: str
phase_results:
  description: Each phase's raw result.
  returned: always
  type: dict
  contains:
    read:
      description: The read phase's.
      type: dict
      contains:
        node_name:
          description: The name.
          type: str
        state:
          description: The state.
          type: str
    report:
      description: The report phase's.
      type: dict
      contains:
        node_name:
          description: The name.
          type: str
        details:
          description: The details.
          type: dict
"""
'''


def keep_raw_results_under_phase_results(collection: Path) -> None:
    """The fixture turned into a module whose plugin keeps raw results under one key."""
    docs = module_file(collection, ".py")
    text = docs.read_text(encoding="utf-8")
    docs.write_text(text[: text.index('RETURN = r"""')] + RAW_RESULTS_RETURN, encoding="utf-8")
    edit(
        collection / "plugins" / "action" / "fake_info.py",
        'ADDED_RESULT_KEYS: frozenset[str] = frozenset({"summary"})',
        'ADDED_RESULT_KEYS: frozenset[str] = frozenset({"summary", "phase_results"})\n'
        'RAW_RESULTS_KEY = "phase_results"',
    )


def test_raw_results_documented_under_their_key_pass(collection, capsys):
    keep_raw_results_under_phase_results(collection)

    code, drifts = run(collection, agreeing_registry(), capsys)

    assert drifts == []
    assert code == 0


def test_raw_results_key_without_its_phases_fails(collection, capsys):
    keep_raw_results_under_phase_results(collection)
    docs = module_file(collection, ".py")
    text = docs.read_text(encoding="utf-8")
    docs.write_text(text[: text.index("  contains:\n    read:")] + '"""\n', encoding="utf-8")

    code, drifts = run(collection, agreeing_registry(), capsys)

    assert code == 1
    assert len(drifts) == 1
    assert "phase_results has no contains with one entry per phase" in drifts[0]


# Each case: the edits made to the fixture (file, text, replacement), whether the fixture is
# first turned into a module that keeps raw results under phase_results, and every drift the
# check must then report, exactly.
DRIFT_CASES = [
    pytest.param(
        False,
        [("docs", "  retries:\n    description: A count.\n    type: int\n    default: 3\n", "")],
        [
            "contract drift: fake_info: option 'retries': in the PowerShell spec"
            " (plugins/modules/fake_info.ps1), missing in the documentation"
            " (plugins/modules/fake_info.py)"
        ],
        id="option-missing-in-docs",
    ),
    pytest.param(
        False,
        [
            (
                "powershell",
                "$module.Result.changed = $false",
                "$module.Result.changed = $false\n$module.Result.extra = 1",
            )
        ],
        [
            "contract drift: fake_info: result key 'extra': set by the PowerShell module, missing"
            " in the documentation (plugins/modules/fake_info.py)",
            "contract drift: fake_info: result key 'extra': in the PowerShell module"
            " (plugins/modules/fake_info.ps1), missing in the lab emulation"
            " (wsfc.clusterdb.fake_info)",
        ],
        id="extra-result-key-in-powershell",
    ),
    pytest.param(
        False,
        [("docs", "    support: full", "    support: none")],
        [
            "contract drift: fake_info: check mode support: the PowerShell spec"
            " (plugins/modules/fake_info.ps1) says True, the documentation"
            " (plugins/modules/fake_info.py) says False"
        ],
        id="check-mode-support-differing",
    ),
    pytest.param(
        False,
        [("action", 'frozenset({"summary"})', 'frozenset({"summary", "verdict"})')],
        [
            "contract drift: fake_info: result key 'verdict': in ADDED_RESULT_KEYS of"
            " plugins/action/fake_info.py, missing in the documentation"
            " (plugins/modules/fake_info.py)"
        ],
        id="added-result-key-must-be-documented",
    ),
    pytest.param(
        True,
        [
            (
                "docs",
                "        details:\n          description: The details.\n          type: dict\n",
                "",
            )
        ],
        [
            "contract drift: fake_info: result key 'details': set by the PowerShell module,"
            " missing under phase_results in the documentation (plugins/modules/fake_info.py)"
        ],
        id="raw-key-missing-under-phase-results",
    ),
    pytest.param(
        True,
        [
            (
                "docs",
                "phase_results:\n",
                "state:\n  description: The state.\n  returned: always\n  type: str\n"
                "phase_results:\n",
            )
        ],
        [
            "contract drift: fake_info: result key 'state': in the documentation"
            " (plugins/modules/fake_info.py), not in ADDED_RESULT_KEYS of"
            " plugins/action/fake_info.py (the PowerShell module's keys are documented under"
            " phase_results)"
        ],
        id="raw-key-left-at-the-top",
    ),
]


@pytest.mark.parametrize(("raw_results", "edits", "expected"), DRIFT_CASES)
def test_an_edit_that_drifts_fails_with_exactly_its_drifts(
    collection, capsys, raw_results, edits, expected
):
    if raw_results:
        keep_raw_results_under_phase_results(collection)
    for name, old, new in edits:
        edit(collection / EDITED[name], old, new)

    code, drifts = run(collection, agreeing_registry(), capsys)

    assert code == 1
    assert drifts == expected
