"""Starting labs for the integration tests: unique loopback networks and free ports."""

from __future__ import annotations

import copy
import itertools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from wsfc_lab.lab import Lab
from wsfc_lab.ports import free_port_pair
from wsfc_lab.spec import parse_spec

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = REPO_ROOT / "tests" / "lab" / "examples"

# Each pytest-xdist worker gets its own second octet (127.<100 + worker>.x.x), and each lab
# in a worker its own third octet, so labs never share an address.
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
_LAB_NUMBERS = itertools.count(1)


def example(name: str) -> dict[str, Any]:
    """A lab description from tests/lab/examples, as a dict to adjust."""
    return yaml.safe_load((EXAMPLES / f"{name}.yml").read_text(encoding="utf-8"))


def _addresses(network: str, spec: dict[str, Any]) -> list[str]:
    base = network.rsplit(".", 1)[0]
    count = len(spec.get("nodes", [])) + len(spec.get("file_servers", []))
    nodes = [f"{base}.{11 + i}" for i in range(len(spec.get("nodes", [])))]
    servers = [f"{base}.{31 + i}" for i in range(count - len(nodes))]
    return nodes + servers


def unique_spec(description: dict[str, Any]) -> dict[str, Any]:
    """The description with a network and ports no other lab of this test run uses."""
    spec = copy.deepcopy(description)
    number = next(_LAB_NUMBERS)
    spec["network"] = f"127.{100 + _WORKER}.{number % 250}.0"
    http, https = free_port_pair(_addresses(spec["network"], spec))
    spec["ports"] = {"http": http, "https": https}
    return spec


@contextmanager
def running_lab(description: dict[str, Any], lab_dir: Path) -> Iterator[Lab]:
    """A started lab for the description; stopped on the way out, whatever happened."""
    lab = Lab(lab_dir)
    lab.create(parse_spec(unique_spec(description)))
    try:
        lab.start()
        yield lab
    finally:
        lab.stop()
