"""Keeps tests/sanity/ignore-2.19.txt to what it is for: pwsh-only checks of .ps1 modules.

validate-modules reads a PowerShell module's argument spec by running pwsh, which cannot
be installed on our machines, so each plugins/modules/<m>.ps1 needs the line
    plugins/modules/<m>.ps1 validate-modules!skip  # <why>
and no other entry belongs there (ansible-lint's sanity[cannot-ignore] is accepted for
this file only on that ground). ansible-test allows no comment-only lines in the file, so
each entry carries its reason as a trailing comment.

Usage: python tests/static/check_sanity_ignores.py [--collection-root DIR]
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from repo_files import REPO_ROOT

IGNORE_FILE = Path("tests/sanity/ignore-2.19.txt")
ENTRY = re.compile(r"^(?P<path>plugins/modules/[\w.-]+\.ps1) validate-modules!skip +# +\S.*$")
REASON = (
    "validate-modules reads a .ps1 module's argument spec by running pwsh, which cannot be"
    " installed on our machines; tests/static/check_contract.py compares this spec with the"
    " documentation instead"
)


def expected_line(module: Path, root: Path) -> str:
    return f"{module.relative_to(root).as_posix()} validate-modules!skip  # {REASON}"


def check(root: Path) -> list[str]:
    """One message per problem in the ignore file."""
    path = root / IGNORE_FILE
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    problems = []
    covered = set()
    for number, line in enumerate(lines, start=1):
        match = ENTRY.match(line)
        if match is None:
            problems.append(
                f"{IGNORE_FILE}:{number}: only `plugins/modules/<m>.ps1 validate-modules!skip"
                f"  # <reason>` entries belong here, found: {line!r}"
            )
        elif not (root / match["path"]).is_file():
            problems.append(f"{IGNORE_FILE}:{number}: {match['path']} does not exist")
        else:
            covered.add(match["path"])
    for module in sorted((root / "plugins" / "modules").glob("*.ps1")):
        if module.relative_to(root).as_posix() not in covered:
            problems.append(
                f"{IGNORE_FILE}: no entry for {module.relative_to(root).as_posix()}; add:\n"
                f"{expected_line(module, root)}"
            )
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--collection-root", type=Path, default=REPO_ROOT)
    args = parser.parse_args(argv)
    problems = check(args.collection_root)
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
