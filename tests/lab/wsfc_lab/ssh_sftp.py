"""The SFTP file system of one node: paramiko's SFTPServer over the node's Windows paths.

Windows OpenSSH's sftp-server names a drive's files `/C:/dir/file`
(docs/windows-behaviour.md#openssh-sftp-paths, *unconfirmed* by a Microsoft page);
ansible-core's ssh connection sends Windows paths in that form (`_escape_win_path`). Each
request goes through the world, as the WinRM transfer scripts do (execution/transfer.py),
and lands in the SSH session log (wsfc_lab.ssh_wire). A file is written in the steps of
world.write_file: its operation and the ACLs of the session's user when it is opened, the
disk_full budget for every chunk. Reads check the user's read access and run the
Get-Content operation; directories are made with New-Item and removed with Remove-Item.
Anything else an SFTP client may ask (renames, links, attribute changes) fails with
SSH_FX_OP_UNSUPPORTED, so that a client depending on it fails loudly.
"""

from __future__ import annotations

import ntpath
import os
import re
import socket
from pathlib import Path

import paramiko
from paramiko.sftp import (
    SFTP_FAILURE,
    SFTP_NO_SUCH_FILE,
    SFTP_OK,
    SFTP_OP_UNSUPPORTED,
    SFTP_PERMISSION_DENIED,
)

from wsfc_lab.execution.transfer import OPERATION_FETCH_FILE, OPERATION_MKDTEMP, OPERATION_REMOVE
from wsfc_lab.ssh_wire import record_session
from wsfc_lab.world import World
from wsfc_lab.world.windows_errors import WindowsError

OPERATION_WRITE_FILE = "write_file"  # world.write_file's operation
_DRIVE_PATH = re.compile(r"^/?([A-Za-z]:)(/.*)?$")
ERROR_ACCESS_DENIED = 5


class PathOutsideDrives(ValueError):
    """An SFTP path that names no drive (`/`, a relative path that leaves the home)."""


def windows_path(sftp_path: str, home: str) -> str:
    """`/C:/Users/x` -> `C:\\Users\\x`; a relative path is under the user's home."""
    path = sftp_path.replace("\\", "/")
    match = _DRIVE_PATH.match(path)
    if match:
        drive, rest = match.groups()
        return ntpath.normpath(drive + "\\" + (rest or "").lstrip("/").replace("/", "\\"))
    if path.startswith("/"):
        raise PathOutsideDrives(sftp_path)
    return ntpath.normpath(ntpath.join(home, path.replace("/", "\\")))


def sftp_path(path: str) -> str:
    """`C:\\Users\\x` -> `/C:/Users/x`."""
    return "/" + path.replace("\\", "/")


def _error_code(error: WindowsError) -> int:
    return SFTP_PERMISSION_DENIED if error.code == ERROR_ACCESS_DENIED else SFTP_FAILURE


class NodeFiles:
    """One node's files as one user sees them: what an SFTP session may do."""

    def __init__(self, world: World, node: str, user: str, home: str) -> None:
        self.world = world
        self.node = node
        self.user = user
        self.home = home

    def record(self, operation: str, path: str) -> None:
        record_session(self.world.lab_dir, self.node, "sftp", operation=operation, path=path)

    def local(self, path: str) -> tuple[str, Path]:
        windows = windows_path(path, self.home)
        return windows, self.world.resolve_path(self.node, windows)


class _Handle(paramiko.SFTPHandle):
    def __init__(self, files: NodeFiles, windows: str, local: Path, writing: bool) -> None:
        super().__init__()
        self.files = files
        self.windows = windows
        self.local = local
        self.writing = writing

    def read(self, offset: int, length: int) -> bytes | int:
        with self.local.open("rb") as stream:
            stream.seek(offset)
            return stream.read(length)

    def write(self, offset: int, data: bytes) -> int:
        # Each chunk is charged as it comes (the disk_full budget): a write that fails
        # answers the client with a failure, as a full disk does.
        try:
            self.files.world.charge_write(self.files.node, self.windows, len(data))
        except WindowsError as error:
            return _error_code(error)
        with self.local.open("r+b") as stream:
            stream.seek(offset)
            stream.write(data)
        return SFTP_OK

    def stat(self) -> paramiko.SFTPAttributes | int:
        return paramiko.SFTPAttributes.from_stat(os.stat(self.local), self.local.name)

    def chattr(self, attr: paramiko.SFTPAttributes) -> int:
        return SFTP_OK  # OpenSSH's sftp sets no attributes on put without -p

    def close(self) -> None:
        if self.writing:
            self.files.record("write", self.windows)
        super().close()


class NodeSFTPInterface(paramiko.SFTPServerInterface):
    def __init__(self, server: object, files: NodeFiles) -> None:
        super().__init__(server)
        self.files = files

    def _resolve(self, path: str) -> tuple[str, Path]:
        return self.files.local(path)

    def canonicalize(self, path: str) -> str:
        try:
            return sftp_path(windows_path(path, self.files.home))
        except PathOutsideDrives:
            return "/"

    def stat(self, path: str) -> paramiko.SFTPAttributes | int:
        try:
            _windows, local = self._resolve(path)
        except PathOutsideDrives:
            return SFTP_NO_SUCH_FILE
        if not local.exists():
            return SFTP_NO_SUCH_FILE
        return paramiko.SFTPAttributes.from_stat(os.stat(local), local.name)

    lstat = stat

    def list_folder(self, path: str) -> list[paramiko.SFTPAttributes] | int:
        try:
            _windows, local = self._resolve(path)
        except PathOutsideDrives:
            return SFTP_OP_UNSUPPORTED
        if not local.is_dir():
            return SFTP_NO_SUCH_FILE
        return [
            paramiko.SFTPAttributes.from_stat(os.stat(entry), entry.name)
            for entry in local.iterdir()
        ]

    def open(self, path: str, flags: int, attr: paramiko.SFTPAttributes) -> _Handle | int:
        try:
            windows, local = self._resolve(path)
        except PathOutsideDrives:
            return SFTP_NO_SUCH_FILE
        writing = bool(flags & (os.O_WRONLY | os.O_RDWR))
        try:
            if writing:
                if not local.parent.is_dir():
                    return SFTP_NO_SUCH_FILE
                # What world.write_file does before it writes: the operation, the ACLs.
                self.files.world.operation(self.files.node, OPERATION_WRITE_FILE)
                self.files.world.check_access(self.files.node, windows, self.files.user, "write")
                if flags & os.O_TRUNC or not local.exists():
                    local.write_bytes(b"")
            else:
                self.files.world.operation(self.files.node, OPERATION_FETCH_FILE)
                if not local.is_file():
                    return SFTP_NO_SUCH_FILE
                self.files.world.check_access(self.files.node, windows, self.files.user, "read")
                self.files.record("read", windows)
        except WindowsError as error:
            return _error_code(error)
        handle = _Handle(self.files, windows, local, writing)
        handle.filename = windows
        return handle

    def remove(self, path: str) -> int:
        return self._remove(path, directory=False)

    def rmdir(self, path: str) -> int:
        return self._remove(path, directory=True)

    def _remove(self, path: str, directory: bool) -> int:
        try:
            _windows, local = self._resolve(path)
            self.files.world.operation(self.files.node, OPERATION_REMOVE)
        except PathOutsideDrives:
            return SFTP_NO_SUCH_FILE
        except WindowsError as error:
            return _error_code(error)
        if not local.exists():
            return SFTP_NO_SUCH_FILE
        if directory:
            if any(local.iterdir()):
                return SFTP_FAILURE  # SSH_FXP_RMDIR removes an empty directory only
            local.rmdir()
            return SFTP_OK
        local.unlink()
        return SFTP_OK

    def mkdir(self, path: str, attr: paramiko.SFTPAttributes) -> int:
        try:
            _windows, local = self._resolve(path)
            self.files.world.operation(self.files.node, OPERATION_MKDTEMP)
        except PathOutsideDrives:
            return SFTP_PERMISSION_DENIED
        except WindowsError as error:
            return _error_code(error)
        if local.exists() or not local.parent.is_dir():
            return SFTP_FAILURE
        local.mkdir()
        return SFTP_OK

    def rename(self, oldpath: str, newpath: str) -> int:
        return SFTP_OP_UNSUPPORTED

    def posix_rename(self, oldpath: str, newpath: str) -> int:
        return SFTP_OP_UNSUPPORTED

    def chattr(self, path: str, attr: paramiko.SFTPAttributes) -> int:
        return SFTP_OP_UNSUPPORTED

    def symlink(self, target_path: str, path: str) -> int:
        return SFTP_OP_UNSUPPORTED

    def readlink(self, path: str) -> str | int:
        return SFTP_OP_UNSUPPORTED


class _SocketChannel:
    """What SFTPServer's constructor asks of a paramiko channel, for a plain socket."""

    class _Transport:
        def get_log_channel(self) -> str:
            return "wsfc_lab.ssh_sftp"

        def get_hexdump(self) -> bool:
            return False

    def get_transport(self) -> _SocketChannel._Transport:
        return self._Transport()

    def close(self) -> None:
        """The bridge closes the socket itself."""


class _NamedSocket(socket.socket):
    """A plain socket that answers the channel name SFTPServer puts in its log lines."""

    def get_name(self) -> str:
        return "ssh"


def serve_sftp(connection: socket.socket, files: NodeFiles) -> None:
    """Speak SFTP on `connection` until the client closes it (paramiko reads a plain
    socket directly: BaseSFTP._read_all)."""
    server = paramiko.SFTPServer(
        _SocketChannel(), "sftp", paramiko.ServerInterface(), NodeSFTPInterface, files
    )
    named = _NamedSocket(connection.family, connection.type, fileno=os.dup(connection.fileno()))
    try:
        server.start_subsystem("sftp", None, named)
    finally:
        server.finish_subsystem()
        named.close()
