"""The lab sshd's forced command: `python -m wsfc_lab.ssh_session <lab dir>`.

sshd runs it for every session (ForceCommand, wsfc_lab.ssh) with the client's command in
SSH_ORIGINAL_COMMAND and the addresses in SSH_CONNECTION ("client port server port"). The
server address is the node's own: the command hands the session to that node's process
over its Unix socket (wsfc_lab.ssh_bridge) and passes back what the node answers. The
SFTP subsystem arrives as its Subsystem command line and is relayed byte for byte.

Exit code 255 with a message on stderr, as ssh reports a connection it could not make,
when the node's process is not there (crashed) or the node is unreachable: Ansible's ssh
connection then reports the host unreachable.
"""

from __future__ import annotations

import base64
import json
import os
import selectors
import socket
import sys
from pathlib import Path

# Only ssh_wire: this command runs once per SSH session, and the lab's other modules
# would cost every session their import time.
from wsfc_lab.ssh_wire import (
    NODES_FILE,
    SFTP_SUBSYSTEM,
    read_header,
    send_header,
    socket_path,
    ssh_dir,
)

CONNECTION_FAILED = 255


def _fail(message: str, code: int = CONNECTION_FAILED) -> int:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()
    return code


def _node_of(lab_dir: Path, server_address: str) -> str | None:
    nodes = json.loads((ssh_dir(lab_dir) / NODES_FILE).read_text(encoding="utf-8"))
    return nodes.get(server_address)


def _relay(connection: socket.socket) -> None:
    """stdin -> node, node -> stdout, until the node closes (the SFTP session)."""
    stdin, stdout = sys.stdin.buffer.fileno(), sys.stdout.buffer.fileno()
    selector = selectors.DefaultSelector()
    selector.register(stdin, selectors.EVENT_READ)
    selector.register(connection, selectors.EVENT_READ)
    while True:
        for key, _events in selector.select():
            if key.fileobj == stdin:
                data = os.read(stdin, 65536)
                if not data:
                    connection.shutdown(socket.SHUT_WR)
                    selector.unregister(stdin)
                    continue
                connection.sendall(data)
            else:
                data = connection.recv(65536)
                if not data:
                    return
                while data:
                    data = data[os.write(stdout, data) :]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        return _fail("usage: python -m wsfc_lab.ssh_session <lab dir>", 2)
    lab_dir = Path(args[0])
    server_address = os.environ.get("SSH_CONNECTION", "").split()[2:3]
    node = _node_of(lab_dir, server_address[0]) if server_address else None
    if node is None:
        return _fail(f"no lab node has the address {server_address} (SSH_CONNECTION)")
    original = os.environ.get("SSH_ORIGINAL_COMMAND", "")
    sftp = original.strip() == SFTP_SUBSYSTEM
    if not original.strip():
        # The DefaultShell started without -c: an interactive PowerShell.
        return _fail("the lab does not emulate an interactive PowerShell session over SSH", 1)
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(str(socket_path(lab_dir, node)))
    except OSError:
        return _fail(f"ssh: connect to host {server_address[0]}: Connection refused")
    with connection:
        header = {"kind": "sftp"} if sftp else {"kind": "exec", "command": original}
        send_header(connection, header)
        if sftp:
            answer = read_header(connection)
            if answer.get("unreachable"):
                return _fail(f"ssh: connect to host {server_address[0]}: Connection timed out")
            _relay(connection)
            return 0
        wanted = read_header(connection)
        if wanted.get("stdin"):
            connection.sendall(sys.stdin.buffer.read())
        connection.shutdown(socket.SHUT_WR)
        reply = wanted if wanted.get("unreachable") else read_header(connection)
    if reply.get("unreachable"):
        return _fail(f"ssh: connect to host {server_address[0]}: Connection timed out")
    sys.stdout.buffer.write(base64.b64decode(str(reply["stdout"])))
    sys.stdout.buffer.flush()
    sys.stderr.buffer.write(base64.b64decode(str(reply["stderr"])))
    sys.stderr.buffer.flush()
    return int(str(reply["exit_code"]))


if __name__ == "__main__":
    sys.exit(main())
