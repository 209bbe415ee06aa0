"""ansible.windows.win_copy: the module side of every copy the win_copy action makes.

Follows win_copy.ps1 (ansible.windows 3.3.0, a Legacy module) and its four modes, which
the action plugin chooses with `_copy_mode`:
- remote (remote_src: true): copy a file or a folder on the node, local or UNC. A src
  ending in a separator copies the folder's contents into dest; without it the folder
  itself goes under dest. A file goes into dest when dest ends in a separator or is a
  folder. Files are replaced only when their SHA-1 differs (force, the default), or
  never (force: false). Returns src, dest, operation, checksum (file), size; diff mode
  adds the `prepared` diff (+created, -removed lines).
- query: which of the controller's files and folders are missing or differ under dest.
- single: one file the action put on the node, moved into place.
- explode: a zip the action put on the node (base64 entry names), unpacked under dest.
Check mode reports and touches nothing, except that win_copy.ps1 creates a missing dest
folder of a file copied into `dest\\` even then, and so does the lab.

Not emulated (fails loudly): backup: true. Every copy reads through the ACL check,
writes through world.write_file (write_file operation, disk_full, ACLs) as the WinRM user,
and runs world.operation("Copy-Item").
"""

from __future__ import annotations

import base64
import os
import zipfile
from pathlib import Path
from typing import Any

from wsfc_lab.emulation.framework.basic import EmulatedModule, UnhandledModuleException
from wsfc_lab.emulation.framework.registry import emulates
from wsfc_lab.emulation.modules._windows_files import (
    checksum,
    directory_size,
    has_trailing_separator,
    join_path,
    leaf_name,
    not_emulated,
    parent_path,
)
from wsfc_lab.emulation.modules.win_file import make_directory, remove_item

SPEC = {
    "options": {
        "_copy_mode": {
            "type": "str",
            "default": "single",
            "choices": ["explode", "query", "remote", "single"],
        },
        "src": {"type": "path"},
        "dest": {"type": "path", "required": True},
        "backup": {"type": "bool", "default": False},
        "_original_basename": {"type": "str"},
        "force": {"type": "bool", "default": True},
        "files": {"type": "list"},
        "directories": {"type": "list"},
        # The action plugin passes the task's own options on; win_copy.ps1 ignores them.
        "content": {"type": "str"},
        "decrypt": {"type": "bool", "default": True},
        "local_follow": {"type": "bool", "default": True},
        "remote_src": {"type": "bool", "default": False},
        "symlinks": {"type": "list"},
    },
    "supports_check_mode": True,
}
RETURNS = {
    "backup_file",
    "checksum",
    "dest",
    "directories",
    "files",
    "operation",
    "original_basename",
    "size",
    "src",
    "symlinks",
}


class _Copier:
    """Copy-File and Copy-Folder of win_copy.ps1, collecting the diff text."""

    def __init__(self, module: EmulatedModule) -> None:
        self.module = module
        self.world = module.world
        self.node = module.node
        self.force: bool = module.params["force"]

    def real(self, path: str) -> Path:
        return self.world.resolve_path(self.node, path)

    def file(self, source: str, dest: str) -> tuple[str, str | None]:
        """Copy one file; the diff text and the source's SHA-1 (None without force)."""
        source_real, dest_real = self.real(source), self.real(dest)
        source_checksum = checksum(source_real, "sha1") if self.force else None
        if dest_real.is_dir():
            self.module.fail_json(
                f"cannot copy file from '{source}' to '{dest}': dest is already a folder"
            )
        copy = not dest_real.exists() or (
            self.force and checksum(dest_real, "sha1") != source_checksum
        )
        if not copy:
            return "", source_checksum
        diff = ""
        directory = parent_path(dest)
        directory_real = self.real(directory)
        if directory_real.is_file():
            self.module.fail_json(
                f"cannot copy file from '{source}' to '{dest}': object at dest parent dir "
                "is not a folder"
            )
        if not directory_real.exists():
            if not self.module.check_mode:
                make_directory(self.module, directory, directory_real)
            diff += f"+{directory}\\\n"
        if self.module.params["backup"]:
            not_emulated(self.module, "win_copy", "backup: true")
        if dest_real.is_file():
            if not self.module.check_mode:
                remove_item(self.module, dest, dest_real)
            diff += f"-{dest}\n"
        if not self.module.check_mode:
            self.copy_bytes(source, source_real, dest)
        self.module.result["changed"] = True
        return diff + f"+{dest}\n", source_checksum

    def copy_bytes(self, source: str, source_real: Path, dest: str) -> None:
        """Copy-Item of one file: the bytes and the last write time."""
        self.world.operation(self.node, "Copy-Item")
        self.world.check_access(self.node, source, self.module.user, "read")
        target = self.world.write_file(
            self.node, dest, source_real.read_bytes(), user=self.module.user
        )
        info = source_real.stat()
        os.utime(target, (info.st_atime, info.st_mtime))

    def folder(self, source: str, dest: str) -> str:
        diff = ""
        dest_real = self.real(dest)
        if not dest_real.is_dir():
            if self.real(parent_path(dest)).is_file():
                self.module.fail_json(
                    f"cannot copy file from '{source}' to '{dest}': object at dest parent "
                    "dir is not a folder"
                )
            if dest_real.is_file():
                self.module.fail_json(
                    f"cannot copy folder from '{source}' to '{dest}': dest is already a file"
                )
            if not self.module.check_mode:
                make_directory(self.module, dest, dest_real)
            diff += f"+{dest}\\\n"
            self.module.result["changed"] = True
        diff += self.children(source, dest)
        return diff

    def children(self, source: str, dest: str) -> str:
        """Get-ChildItem -Force of source, each copied under dest."""
        self.world.operation(self.node, "Get-ChildItem")
        diff = ""
        for child in sorted(self.real(source).iterdir(), key=lambda p: p.name.lower()):
            child_source, child_dest = join_path(source, child.name), join_path(dest, child.name)
            if child.is_dir():
                diff += self.folder(child_source, child_dest)
            else:
                diff += self.file(child_source, child_dest)[0]
        return diff


def _size(module: EmulatedModule, real: Path) -> int | None:
    # "the file might not exist if running in check mode"
    if module.check_mode and not real.is_file():
        return None
    return directory_size(real) if real.is_dir() else real.stat().st_size


def _ensure_parent(module: EmulatedModule, dest: str, remote_dest: str) -> None:
    parent = parent_path(remote_dest)
    parent_real = module.world.resolve_path(module.node, parent)
    if parent_real.is_file():
        module.fail_json(f"object at destination parent dir '{parent}' is currently a file")
    if not parent_real.is_dir():
        if dest == remote_dest:
            module.fail_json(f"Destination directory '{parent}' does not exist")
        make_directory(module, parent, parent_real)


def _remote(module: EmulatedModule, src: str, dest: str) -> None:
    module.result.update(src=src, dest=dest)
    copier = _Copier(module)
    src_real = copier.real(src)
    if not src_real.exists():
        module.fail_json(f"Cannot copy src file: '{src}' as it does not exist")
    remote_dest = dest
    if src_real.is_dir():
        module.result["operation"] = "folder_copy"
        if has_trailing_separator(src):
            diff = copier.children(src, dest)
        else:
            remote_dest = join_path(dest, src_real.name)
            module.result["dest"] = remote_dest
            diff = copier.folder(src, remote_dest)
    else:
        module.result["operation"] = "file_copy"
        module.result["original_basename"] = src_real.name
        if has_trailing_separator(dest) or copier.real(dest).is_dir():
            remote_dest = join_path(dest, src_real.name)
        module.result["dest"] = remote_dest
        _ensure_parent(module, dest, remote_dest)
        diff, module.result["checksum"] = copier.file(src, remote_dest)
    module.result["size"] = _size(module, copier.real(remote_dest))
    if module.diff_mode:
        module.diff["prepared"] = diff


def _query(module: EmulatedModule, dest: str) -> None:
    copier = _Copier(module)
    changed_files: list[Any] = []
    changed_directories: list[Any] = []
    for entry in module.params["files"] or []:
        name = entry["dest"]
        path = join_path(dest, name)
        if copier.real(path).is_dir():
            name = join_path(name, leaf_name(entry["src"].replace("/", "\\")))
            path = join_path(dest, name)
        real = copier.real(path)
        if real.is_file():
            if copier.force and checksum(real, "sha1") != entry["checksum"]:
                changed_files.append(entry)
        elif real.is_dir():
            module.fail_json(
                f"cannot copy file to dest '{path}': object at path is already a directory"
            )
        else:
            changed_files.append(entry)
    for entry in module.params["directories"] or []:
        path = join_path(dest, entry["dest"])
        if copier.real(parent_path(path)).is_file():
            module.fail_json(
                f"cannot copy folder to dest '{path}': object at parent directory path is "
                "already a file"
            )
        real = copier.real(path)
        if real.is_file():
            module.fail_json(
                f"cannot copy folder to dest '{path}': object at path is already a file"
            )
        if not real.is_dir():
            changed_directories.append(entry)
    module.result.update(files=changed_files, directories=changed_directories, symlinks=[])


def _single(module: EmulatedModule, src: str, dest: str) -> None:
    copier = _Copier(module)
    src_real = copier.real(src)
    if not src_real.is_file():
        module.fail_json(f"Cannot copy src file: '{src}' as it does not exist")
    remote_dest = dest
    if has_trailing_separator(dest) or copier.real(dest).is_dir():
        remote_dest = join_path(dest, module.params["_original_basename"] or "")
    _ensure_parent(module, dest, remote_dest)
    if module.params["backup"]:
        not_emulated(module, "win_copy", "backup: true")
    copier.copy_bytes(src, src_real, remote_dest)
    module.result["changed"] = True


def _zip_entry_name(name: str) -> tuple[str, bool]:
    """The action plugin base64-encodes each entry's path; a folder keeps a trailing '/'."""
    padding = len(name) % 4
    if padding == 0:
        encoded, is_dir = name, False
    elif padding == 1 and name.endswith(("/", "\\")):
        encoded, is_dir = name[:-1], True
    elif padding == 1:
        raise UnhandledModuleException(f"invalid base64 archive name '{name}'")
    else:
        raise UnhandledModuleException(f"invalid base64 length '{name}'")
    return base64.b64decode(encoded).decode("utf-8"), is_dir


def _explode(module: EmulatedModule, src: str, dest: str) -> None:
    copier = _Copier(module)
    src_real = copier.real(src)
    if not src_real.is_file():
        module.fail_json(f"Cannot expand src zip file: '{src}' as it does not exist")
    module.world.operation(module.node, "ZipFile.Open")
    with zipfile.ZipFile(src_real) as archive:
        for entry in archive.infolist():
            name, is_dir = _zip_entry_name(entry.filename)
            target = join_path(dest, name.replace("/", "\\"))
            directory = target.rstrip("\\") if is_dir else parent_path(target)
            directory_real = copier.real(directory)
            if not directory_real.exists() and not module.check_mode:
                make_directory(module, directory, directory_real)
            if not is_dir and not module.check_mode:
                module.world.write_file(module.node, target, archive.read(entry), user=module.user)
    module.result["changed"] = True


@emulates("ansible.windows.win_copy", spec=SPEC, returns=RETURNS)
def win_copy(module: EmulatedModule) -> None:
    mode: str = module.params["_copy_mode"]
    src: str | None = module.params["src"]
    dest: str = module.params["dest"]
    if mode in ("explode", "single") and not src:
        module.fail_json("missing required arguments: src")
    if mode == "query":
        _query(module, dest)
    elif mode == "remote":
        if src is None:
            module.fail_json("Cannot copy src file: '' as it does not exist")
        _remote(module, src, dest)
    elif mode == "single":
        _single(module, str(src), dest)
    else:
        _explode(module, str(src), dest)
