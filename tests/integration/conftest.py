"""Fixtures of the integration tests: labs started from tests/lab/examples."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from labs import example, running_lab
from wsfc_lab.lab import Lab


@pytest.fixture
def start_lab(tmp_path: Path) -> Iterator[Callable[..., Lab]]:
    """Starts labs from a description (a dict, or the name of an example); all are stopped."""
    with ExitStack() as stack:
        count = 0

        def start(description: dict[str, Any] | str = "three-node") -> Lab:
            nonlocal count
            count += 1
            spec = example(description) if isinstance(description, str) else description
            return stack.enter_context(running_lab(spec, tmp_path / f"lab{count}"))

        yield start


@pytest.fixture
def three_node_lab(start_lab: Callable[..., Lab]) -> Lab:
    """The three-node example cluster (NODE1..NODE3, disk witness, file server FS01)."""
    return start_lab("three-node")
