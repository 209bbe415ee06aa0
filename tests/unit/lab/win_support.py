"""Helpers for the tests of the ansible.windows emulations: a world on disk and a runner.

The world has two Windows Server 2022 nodes (N1, N2) and a file server FS01 sharing
C:\\Shares\\backups as \\\\FS01\\backups (no share permissions recorded: open to all).
No process or endpoint is started: the emulations run in-process through `invoke`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from wsfc_lab.emulation import lookup
from wsfc_lab.emulation.framework.invocation import ModuleOutcome, invoke
from wsfc_lab.spec import parse_spec
from wsfc_lab.world import World

SPEC = {
    "cluster": "CLU91",
    "domain": "corp.example.com",
    "network": "127.0.91.0",
    "nodes": [{"name": "N1", "release": "2022"}, {"name": "N2", "release": "2022"}],
    "witness": {"type": "none"},
    "file_servers": [
        {"name": "FS01", "shares": [{"name": "backups", "path": "C:\\Shares\\backups"}]}
    ],
}


def make_world(tmp_path: Path) -> World:
    return World.create(tmp_path / "lab", parse_spec(SPEC))


def run(world: World, module: str, *, on: str = "N1", as_user: str = "Administrator",
        **arguments: Any) -> ModuleOutcome:  # fmt: skip
    """Run ansible.windows.<module> (or a full name) on node `on` as `as_user`, with the
    arguments as Ansible sends them (`_ansible_check_mode=True` for check mode)."""
    fqcn = module if module.count(".") >= 2 else f"ansible.windows.{module}"
    emulation = lookup(fqcn)
    assert emulation is not None, fqcn
    return invoke(emulation, arguments, world=world, node=on, user=as_user)


def ok(world: World, module: str, **arguments: Any) -> dict[str, Any]:
    """The result of a run that must succeed."""
    outcome = run(world, module, **arguments)
    assert outcome.exit_code == 0, outcome.result
    return outcome.result


def failed(world: World, module: str, **arguments: Any) -> dict[str, Any]:
    """The result of a run that must fail."""
    outcome = run(world, module, **arguments)
    assert outcome.exit_code == 1, outcome.result
    assert outcome.result["failed"] is True
    return outcome.result


def real(world: World, windows_path: str, node: str = "N1") -> Path:
    return world.resolve_path(node, windows_path)


def write(world: World, windows_path: str, data: bytes = b"data", node: str = "N1") -> Path:
    path = real(world, windows_path, node)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
