"""A node's side of its SSH sessions: a Unix socket in the node process (python -m wsfc_lab.node).

The lab's sshd runs its forced command (wsfc_lab.ssh_session) for each session; that
command connects here, to `<lab dir>/ssh/nodes/<NODE>.sock`, and sends one header line,
JSON: {"kind": "exec", "command": <SSH_ORIGINAL_COMMAND>} or {"kind": "sftp"}.

- exec: the node answers {"stdin": true} when the command reads its input (the
  runner's needs_stdin, as for WinRM); the session's stdin then follows, to the end (the
  forced command half-closes the socket). Windows OpenSSH with PowerShell as its
  DefaultShell runs the client's command as `powershell.exe -c <command>`
  (docs/windows-behaviour.md#openssh-default-shell); the node's command dispatch gets
  that PowerShell, the command as its script
  (`-EncodedCommand`, which PowerShell runs as it runs `-c`), through the same
  NodeCommandRunner its WinRM endpoint uses. The reply is one JSON line: stdout and
  stderr in base64 and the exit code.
- sftp: the socket then carries the SFTP protocol (wsfc_lab.ssh_sftp).

Sessions are the lab's account, authenticated by public key (winrm/auth.py PUBLICKEY: no
credentials for another computer). While the node is `unreachable` every request is
answered {"unreachable": true} and the forced command ends the SSH session as a failed
connection; a crashed node has no process and no socket; `slow` delays each command's reply.
"""

from __future__ import annotations

import base64
import socket
import socketserver
import threading
import time
from collections.abc import Callable

from wsfc_lab.emulation.framework.node_environment import node_environment
from wsfc_lab.execution import NodeCommandRunner
from wsfc_lab.ssh_sftp import NodeFiles, serve_sftp
from wsfc_lab.ssh_wire import read_header, record_session, send_header, socket_path
from wsfc_lab.winrm.auth import PUBLICKEY, Session
from wsfc_lab.world import World


def powershell_command(command_line: str) -> tuple[str, list[str]]:
    """What `powershell.exe -c <command_line>` is for the command dispatch."""
    encoded = base64.b64encode(command_line.encode("utf-16-le")).decode()
    return "powershell.exe", ["-NoLogo", "-EncodedCommand", encoded]


def read_to_end(stream: socket.socket) -> bytes:
    data = bytearray()
    while chunk := stream.recv(65536):
        data += chunk
    return bytes(data)


class SSHBridge:
    def __init__(
        self,
        world: World,
        node: str,
        user: str,
        reachable: Callable[[], bool],
        reply_delay: Callable[[], float],
    ) -> None:
        self.world = world
        self.node = node
        self.user = user
        self.reachable = reachable
        self.reply_delay = reply_delay
        session = Session(user=user, mechanism=PUBLICKEY)
        self.runner = NodeCommandRunner(world, node).for_session(session)
        self.path = socket_path(world.lab_dir, node)
        self._server: socketserver.ThreadingUnixStreamServer | None = None

    def start(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.unlink(missing_ok=True)
        bridge = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                bridge.serve(self.request)

        server = socketserver.ThreadingUnixStreamServer(str(self.path), Handler)
        server.daemon_threads = True
        self._server = server
        threading.Thread(target=server.serve_forever, name="ssh-bridge", daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        self.path.unlink(missing_ok=True)

    def serve(self, connection: socket.socket) -> None:
        header = read_header(connection)
        if not self.reachable():
            send_header(connection, {"unreachable": True})
            return
        if header.get("kind") == "sftp":
            send_header(connection, {"sftp": True})
            serve_sftp(connection, self._files())
            return
        command_line = str(header.get("command", ""))
        record_session(self.world.lab_dir, self.node, "exec", command=command_line)
        command, arguments = powershell_command(command_line)
        # As the WinRM endpoint does (Contract 1): a command that reads no input runs at
        # once; the client's stdin may stay open (Ansible closes it only after sending data).
        wants_stdin = self.runner.needs_stdin(command, arguments)
        send_header(connection, {"stdin": wants_stdin})
        stdin = read_to_end(connection) if wants_stdin else b""
        result = self.runner.run(command, arguments, stdin)
        time.sleep(self.reply_delay())  # the `slow` fault, as the WinRM endpoint applies it
        reply = {
            "stdout": base64.b64encode(result.stdout).decode(),
            "stderr": base64.b64encode(result.stderr).decode(),
            "exit_code": result.exit_code,
        }
        send_header(connection, reply)

    def _files(self) -> NodeFiles:
        environment = node_environment(self.world.node_facts(self.node), self.user)
        return NodeFiles(self.world, self.node, self.user, environment["USERPROFILE"])
