"""The fixed scripts ansible-core runs around a module: temp dirs and file transfer.

What a playbook with gather_facts, win_copy and fetch sends over WinRM (ansible-core
2.19, ansible/plugins/action/__init__.py and connection/winrm.py):
- powershell_expand_user.ps1 (`Path`), when remote_tmp starts with '~';
- powershell_mkdtemp.ps1 (`Directory`, `Name`): the task's temporary directory
  (remote_tmp is %TEMP% for PowerShell); stdout is the directory's full name;
- winrm_put_file.ps1 (`Path`, base64 lines on the input): stdout {"sha1": ...};
- winrm_fetch_file.ps1 (`Path`, `BufferSize`, `Offset`): one base64 chunk, "[DIR]" for a
  directory, or "<Path> does not exist" on stderr with exit code 1;
- over PSRP (connection/psrp.py) psrp_put_file.ps1 takes the same input and prints the same
  JSON as winrm_put_file.ps1, and psrp_fetch_file.ps1 (`Path`, `BufferSize`) prints
  "[FILE]" and then every base64 chunk of the file, one a line, in a single run;
- `Remove-Item '<dir>' -Force -Recurse;` (ShellModule.remove) at the end of the task.

Each goes through the world, so that injected faults and latency apply: put_file writes
with world.write_file (the write_file operation and the disk_full budget), the others
call world.operation with the cmdlet they stand for: New-Item, Get-Content, Remove-Item.
An error thrown inside the exec wrapper is reported as exec_wrapper.ps1's
Write-AnsibleErrorJson does: "failure during exec_wrapper: ...".
"""

from __future__ import annotations

import base64
import hashlib
import json
import ntpath
import shutil

from wsfc_lab.execution.context import NodeContext
from wsfc_lab.execution.failures import CRLF, failed_result
from wsfc_lab.execution.payload import (
    ManifestAction,
    PayloadError,
    decode_base64_lines,
    input_lines,
)
from wsfc_lab.winrm.runner_contract import CommandResult
from wsfc_lab.world.windows_errors import WindowsError

OPERATION_MKDTEMP = "New-Item"
OPERATION_FETCH_FILE = "Get-Content"
OPERATION_REMOVE = "Remove-Item"


def _output(*lines: str) -> CommandResult:
    return CommandResult(
        stdout="".join(line + CRLF for line in lines).encode(), stderr=b"", exit_code=0
    )


def _exec_wrapper_failure(message: str) -> CommandResult:
    return failed_result(f"failure during exec_wrapper: {message}")


def expand_user(context: NodeContext, action: ManifestAction) -> CommandResult:
    path = str(action.params.get("Path", ""))
    profile = context.environment.get("USERPROFILE", "C:\\Users\\" + context.user)
    if path == "~":
        return _output(profile)
    if path.startswith("~\\"):
        return _output(ntpath.join(profile, path[2:]))
    return _output(path)


def mkdtemp(context: NodeContext, action: ManifestAction) -> CommandResult:
    directory = context.expand(str(action.params.get("Directory", "")))
    full_name = ntpath.join(directory, str(action.params.get("Name", "")))
    try:
        context.world.operation(context.node, OPERATION_MKDTEMP)
        target = context.world.resolve_path(context.node, full_name)
        if target.exists():
            return _exec_wrapper_failure(
                f"An item with the specified name {full_name} already exists."
            )
        # New-Item -ItemType Directory creates the missing parents too.
        target.mkdir(parents=True)
    except WindowsError as error:
        return _exec_wrapper_failure(error.message)
    return _output(full_name)


def put_file(context: NodeContext, action: ManifestAction, data: bytes | None) -> CommandResult:
    path = str(action.params.get("Path", ""))
    try:
        content = decode_base64_lines(input_lines(data))
    except PayloadError as error:
        return _exec_wrapper_failure(str(error))
    try:
        target = context.world.resolve_path(context.node, path)
        if not target.parent.is_dir():
            # [File]::Create does not create directories.
            return _exec_wrapper_failure(
                f'Exception calling "Create" with "1" argument(s): '
                f"\"Could not find a part of the path '{path}'.\""
            )
        # world.write_file runs the write_file operation and charges the bytes written.
        context.world.write_file(context.node, path, content)
    except WindowsError as error:
        return _exec_wrapper_failure(error.message)
    # winrm_put_file.ps1 prints '{"sha1":"<hex>"}' itself; the JSON text is the same.
    return _output(json.dumps({"sha1": hashlib.sha1(content).hexdigest()}, separators=(",", ":")))


def _read_for_fetch(
    context: NodeContext, path: str, offset: int, size: int | None
) -> bytes | CommandResult:
    """The bytes both fetch scripts read (from `offset`, `size` of them or all), or what
    they answer instead: "[DIR]", the missing file (stderr, exit code 1; over PSRP the
    script's Write-Error reaches the client as the host's error line,
    docs/windows-behaviour.md#psrp-streams), or the exec wrapper's failure."""
    try:
        context.world.operation(context.node, OPERATION_FETCH_FILE)
        source = context.world.resolve_path(context.node, path)
        if source.is_dir():
            return _output("[DIR]")
        if not source.is_file():
            return CommandResult(
                stdout=b"", stderr=f"{path} does not exist{CRLF}".encode(), exit_code=1
            )
        with source.open("rb") as stream:
            stream.seek(offset)
            return stream.read() if size is None else stream.read(size)
    except WindowsError as error:
        return _exec_wrapper_failure(error.message)


def fetch_file(context: NodeContext, action: ManifestAction) -> CommandResult:
    path = str(action.params.get("Path", ""))
    try:
        buffer_size = int(action.params.get("BufferSize", 0))
        offset = int(action.params.get("Offset", 0))
    except (TypeError, ValueError):
        return _exec_wrapper_failure("BufferSize and Offset must be numbers")
    chunk = _read_for_fetch(context, path, offset, buffer_size)
    if isinstance(chunk, CommandResult):
        return chunk
    return _output(base64.b64encode(chunk).decode()) if chunk else _output()


def fetch_file_chunks(context: NodeContext, action: ManifestAction) -> CommandResult:
    """psrp_fetch_file.ps1: "[FILE]" and the whole file in base64 chunks of BufferSize."""
    try:
        buffer_size = int(action.params.get("BufferSize", 0))
    except (TypeError, ValueError):
        return _exec_wrapper_failure("BufferSize must be a number")
    if buffer_size <= 0:
        return _exec_wrapper_failure("BufferSize must be greater than 0")
    content = _read_for_fetch(context, str(action.params.get("Path", "")), 0, None)
    if isinstance(content, CommandResult):
        return content
    chunks = [
        base64.b64encode(content[start : start + buffer_size]).decode()
        for start in range(0, len(content), buffer_size)
    ]
    return _output("[FILE]", *chunks)


def remove_item(context: NodeContext, path: str, recurse: bool) -> CommandResult:
    """Remove-Item outside the exec wrapper: errors go to stderr, `$?` makes it exit 1."""
    try:
        context.world.operation(context.node, OPERATION_REMOVE)
        target = context.world.resolve_path(context.node, path)
        if not target.exists():
            message = f"Remove-Item : Cannot find path '{path}' because it does not exist."
            return CommandResult(stdout=b"", stderr=(message + CRLF).encode(), exit_code=1)
        if target.is_dir() and any(target.iterdir()) and not recurse:
            message = (
                f"Remove-Item : The item at {path} has children and the Recurse parameter "
                "was not specified."
            )
            return CommandResult(stdout=b"", stderr=(message + CRLF).encode(), exit_code=1)
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink()
    except WindowsError as error:
        return CommandResult(
            stdout=b"", stderr=f"Remove-Item : {error.message}{CRLF}".encode(), exit_code=1
        )
    return CommandResult(stdout=b"", stderr=b"", exit_code=0)
