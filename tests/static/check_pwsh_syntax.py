"""Checks that every PowerShell script and module in the repository parses.

Usage: python tests/static/check_pwsh_syntax.py [PATH ...]
Without a path it checks every .ps1 and .psm1 under the repository root (environments
and caches excluded). Prints file:line:column of the first error of each broken file and
exits 1 when any file is broken.

Known gaps of the tree-sitter-pwsh grammar (valid PowerShell it refuses; seen in
ansible.windows): a labelled `break <label>` / `continue <label>`, and generic type
arguments written in brackets, `[Func[[Object], [UInt32]]]`. Write `break` without a label
and `[Func[Object, UInt32]]` instead; both mean the same to PowerShell.
"""

from __future__ import annotations

import sys
from pathlib import Path

from file_checks import run_file_check
from pwsh_tree import first_syntax_problem, parse_powershell
from repo_files import REPO_ROOT, files_with_suffixes

POWERSHELL_SUFFIXES = frozenset({".ps1", ".psm1"})


def check_files(paths: list[Path]) -> list[str]:
    """One message per file that does not parse."""
    failures = []
    for path in paths:
        problem = first_syntax_problem(parse_powershell(path.read_bytes()))
        if problem is not None:
            failures.append(f"{path}:{problem.line}:{problem.column}: {problem.description}")
    return failures


def main(argv: list[str] | None = None) -> int:
    return run_file_check(
        argv,
        __doc__.splitlines()[0],
        lambda given: list(files_with_suffixes(given or [REPO_ROOT], POWERSHELL_SUFFIXES)),
        check_files,
        lambda paths, failures: (
            f"PowerShell syntax: {len(paths)} files checked, {len(failures)} with errors"
        ),
    )


if __name__ == "__main__":
    sys.exit(main())
