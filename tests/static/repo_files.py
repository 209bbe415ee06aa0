"""Finding the repository's own files, whatever exists when a check runs."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

# Not the project's sources: environments, caches, build and test output. .cache holds the
# collections tree, whose wsfc/clusterdb is a symlink back to this repository.
EXCLUDED_DIRECTORIES = frozenset(
    {".venv", ".cache", ".git", "build", "output", "node_modules", "__pycache__", ".ruff_cache"}
)


def _is_excluded(directory: Path, root: Path) -> bool:
    relative = directory.relative_to(root)
    if relative.parts == ("tests", "output"):
        return True
    return directory.name in EXCLUDED_DIRECTORIES - {"output"}


def files_with_suffixes(roots: Iterable[Path], suffixes: frozenset[str]) -> Iterator[Path]:
    """Files under each root (or each root itself, if a file) whose suffix is listed.

    Suffixes compare case-insensitively, as Windows does.
    """
    for root in roots:
        if root.is_file():
            if root.suffix.lower() in suffixes:
                yield root
            continue
        for directory, subdirectories, names in os.walk(root):
            here = Path(directory)
            subdirectories[:] = sorted(
                name for name in subdirectories if not _is_excluded(here / name, root)
            )
            for name in sorted(names):
                if Path(name).suffix.lower() in suffixes:
                    yield here / name
