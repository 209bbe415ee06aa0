"""Several labs as one fleet: started together, and one inventory for all of them.

The drift and fleet backup benchmarks and the fleet tests run the collection over many
clusters at once; each lab writes its own inventory, and this joins them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import yaml

from wsfc_lab.lab import Lab
from wsfc_lab.spec import parse_spec


@contextmanager
def running_fleet(
    size: int, workdir: Path, spec_of: Callable[[int], dict[str, Any]]
) -> Iterator[list[Lab]]:
    """`size` started labs (lab00, lab01, ... under `workdir`, the n-th from `spec_of(n)`),
    stopped on the way out whatever happened."""
    with ExitStack() as stack:
        labs = []
        for index in range(size):
            lab = Lab(workdir / f"lab{index:02d}")
            lab.create(parse_spec(spec_of(index)))
            stack.callback(lab.stop)
            lab.start()
            labs.append(lab)
        yield labs


def fleet_inventory(labs: list[Lab], path: Path) -> Path:
    """One inventory: a group per cluster, each host with its own lab's connection settings."""
    children: dict[str, Any] = {}
    for lab in labs:
        groups = yaml.safe_load(lab.inventory_path.read_text(encoding="utf-8"))["all"]["children"]
        windows = groups.pop("windows")
        for name, group in groups.items():
            hosts = {h: {**windows["vars"], **windows["hosts"][h]} for h in group["hosts"]}
            children[name] = {"hosts": hosts, "vars": group["vars"]}
    path.write_text(yaml.safe_dump({"all": {"children": children}}), encoding="utf-8")
    return path
