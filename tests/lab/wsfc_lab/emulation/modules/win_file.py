"""ansible.windows.win_file: make directories, touch files, remove files and trees.

Follows win_file.ps1 (ansible.windows 3.3.0, a Legacy module): options path (aliases
dest, name), state absent|directory|file|touch, and _original_basename (the template and
copy actions pass it: a directory path then names the file inside it). Without state,
a path whose last component is empty is taken as a directory, any other as a file.
Check mode reports the change and touches nothing. Creating and deleting go through
world.operation (New-Item, Out-File, Remove-Item) and the ACL check (world/acl.py) as
the WinRM user.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from wsfc_lab.emulation.framework.basic import EmulatedModule
from wsfc_lab.emulation.framework.registry import emulates
from wsfc_lab.emulation.modules._windows_files import join_path, leaf_name
from wsfc_lab.world import acl

SPEC = {
    "options": {
        "path": {"type": "path", "required": True, "aliases": ["dest", "name"]},
        "state": {"type": "str", "choices": ["absent", "directory", "file", "touch"]},
        "_original_basename": {"type": "str"},
    },
    "supports_check_mode": True,
}


def remove_item(module: EmulatedModule, path: str, real: Path) -> None:
    """Remove-Item -Force -Recurse (through the world), and the item's ACL records."""
    module.world.operation(module.node, "Remove-Item")
    module.world.check_access(module.node, path, module.user, "write")
    if real.is_dir():
        shutil.rmtree(real)
    else:
        real.unlink()
    with module.world.transaction() as state:
        acl.clear_acls_below(state, module.node, path)


def make_directory(module: EmulatedModule, path: str, real: Path) -> None:
    """New-Item -ItemType Directory: the missing parents too."""
    module.world.operation(module.node, "New-Item")
    module.world.check_access(module.node, path, module.user, "write")
    real.mkdir(parents=True, exist_ok=True)


def _touch(module: EmulatedModule, path: str, real: Path) -> None:
    if real.exists():
        if not module.check_mode:
            module.world.operation(module.node, "Set-ItemProperty")
            now = time.time()
            os.utime(real, (now, now))
        module.result["changed"] = True
        return
    if not real.parent.is_dir():
        # Out-File under ErrorActionPreference Stop: the exception ends the module.
        module.fail_json(f"Could not find a part of the path '{path}'.")
    if not module.check_mode:
        module.world.operation(module.node, "Out-File")
        module.world.write_file(module.node, path, b"", user=module.user)
    module.result["changed"] = True


@emulates("ansible.windows.win_file", spec=SPEC)
def win_file(module: EmulatedModule) -> None:
    path: str = module.params["path"]
    state: str | None = module.params["state"]
    basename: str | None = module.params["_original_basename"]
    real = module.world.resolve_path(module.node, path)
    if real.is_dir() and basename is not None:
        path = join_path(path, basename)
        real = module.world.resolve_path(module.node, path)

    if state == "touch":
        _touch(module, path, real)

    if real.exists():
        if state == "absent":
            if not module.check_mode:
                remove_item(module, path, real)
            module.result["changed"] = True
        elif state == "directory" and real.is_file():
            module.fail_json(f"path {path} is not a directory")
        elif state == "file" and real.is_dir():
            module.fail_json(f"path {path} is not a file")
        return

    if state is None:
        # Split-Path -Leaf: only a root has no leaf, so this is nearly always "file".
        state = "file" if leaf_name(path) else "directory"
    if state == "directory":
        if not module.check_mode:
            make_directory(module, path, real)
        module.result["changed"] = True
    elif state == "file":
        module.fail_json(f"path {path} will not be created")
