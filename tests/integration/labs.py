"""Starting labs for the integration tests: unique loopback networks and free ports."""

from __future__ import annotations

import copy
import itertools
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from wsfc_lab.execution.execution_log import LOG_NAME
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


# What a lab's world is on disk besides state.json: the hosts' file systems, the cluster
# disks and the log of module runs (docs/lab.md, Contract 3 and the execution log).
_WORLD_FILES = ("fs", "disks", LOG_NAME)


class SavedWorld:
    """A running lab's world (state.json, its files, its execution log) kept aside, so that
    cases that share the lab each start from it: ``restore`` puts it back and starts any
    node process that is not running, as a lab freshly started on that world would be.

    Between two cases nothing runs on the lab: the copy is made and put back under the
    state's lock all the same, so that no node process sees half of it. The node
    processes keep running; every piece of a node's state lives in the world (wsfc_lab.node),
    so what they held before is what the saved state says. Only the process records (pids)
    are the lab's current ones: they say which processes run now, not then."""

    def __init__(self, lab: Lab, into: Path) -> None:
        self.lab = lab
        self.path = into
        into.mkdir(parents=True)
        with lab.world.transaction() as state:
            self.state = copy.deepcopy(state.data)
            for name in _WORLD_FILES:
                _copy(lab.lab_dir / name, into / name)

    def restore(self) -> None:
        lab = self.lab
        data = copy.deepcopy(self.state)
        with lab.world.transaction() as state:
            for name, node in data["nodes"].items():
                node["process"] = copy.deepcopy(state.node(name)["process"])
            for name in _WORLD_FILES:
                _remove(lab.lab_dir / name)
                _copy(self.path / name, lab.lab_dir / name)
            state.data.clear()
            state.data.update(data)
        lab.start()  # a node killed in the case before comes up again on this world


def _copy(source: Path, target: Path) -> None:
    if source.is_dir():
        shutil.copytree(source, target, symlinks=True)
    elif source.exists():
        shutil.copy2(source, target)


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)
