"""Checks the collection's PowerShell against the rules no run on our machines can test.

Usage: python tests/static/check_pwsh_rules.py [PATH ...]
Without a path it checks every .ps1 and .psm1 under plugins/. Prints one line per
violation, file:line:column: rule: what is wrong. Fix: ... Why: docs/windows-behaviour.md#...,
and exits 1 when there is any. The rules (tests/static/pwsh_rules.py):

  native-wrapper  native programs run only through Invoke-WsfcNativeCommand
                  (plugins/module_utils/WsfcNative.psm1); no Start-Process,
                  [System.Diagnostics.Process]::Start or Invoke-Expression;
  powershell-51   no syntax of PowerShell 6 or 7 (ternary, ??, ??=, && and ||, ?. and ?[,
                  ForEach-Object -Parallel, ConvertFrom-Json -AsHashtable, clean blocks);
  literal-path    file-system and registry cmdlets get their path as -LiteralPath.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from file_checks import run_file_check
from pwsh_rules import RULES, Violation, check_file
from repo_files import REPO_ROOT, files_with_suffixes

POWERSHELL_SUFFIXES = frozenset({".ps1", ".psm1"})
DEFAULT_ROOT = REPO_ROOT / "plugins"


def _shown(path: Path) -> str:
    """The path as the messages give it: relative to the repository when inside it."""
    try:
        return str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def check_paths(paths: list[Path]) -> list[Violation]:
    found: list[Violation] = []
    for path in paths:
        found.extend(check_file(path, _shown(path)))
    return found


def _summary(paths: list[Path], violations: Sequence[Violation]) -> str:
    counts = Counter(v.rule for v in violations)
    per_rule = ", ".join(f"{rule} {counts[rule]}" for rule in RULES)
    return (
        f"PowerShell rules: {len(paths)} files checked, {len(violations)} violations ({per_rule})"
    )


def main(argv: list[str] | None = None) -> int:
    return run_file_check(
        argv,
        __doc__.splitlines()[0],
        lambda given: list(files_with_suffixes(given or [DEFAULT_ROOT], POWERSHELL_SUFFIXES)),
        check_paths,
        _summary,
    )


if __name__ == "__main__":
    sys.exit(main())
