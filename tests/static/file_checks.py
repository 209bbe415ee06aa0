"""The command line the static checks over files share: the files to read (given ones, or a
default set), one line per problem, a closing count, and exit 1 when there is any problem."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

Problem = TypeVar("Problem")


def run_file_check(
    argv: list[str] | None,
    description: str,
    files: Callable[[list[Path]], list[Path]],
    check: Callable[[list[Path]], Sequence[Problem]],
    summary: Callable[[list[Path], Sequence[Problem]], str],
    *,
    argument: str = "paths",
    argument_help: str = "files or directories to check",
) -> int:
    """`files` turns the paths given (none: an empty list) into the files to check."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(argument, nargs="*", type=Path, help=argument_help)
    given: list[Path] = getattr(parser.parse_args(argv), argument)
    paths = files(given)
    problems = check(paths)
    for problem in problems:
        print(problem)
    print(summary(paths, problems))
    return 1 if problems else 0
