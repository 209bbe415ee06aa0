"""What the lab's forced command (wsfc_lab.ssh_session) and the node's SSH bridge
(wsfc_lab.ssh_bridge) share: where the files are, the header lines they exchange and the
log of SSH sessions. Kept free of the lab's heavier imports: the forced command runs once
per SSH session and starts with them.

The session log, `<lab dir>/ssh/sessions.jsonl`, gets one JSON line per thing a node did
for an SSH session: `{"time", "node", "kind": "exec", "command"}` for a command, and
`{"time", "node", "kind": "sftp", "operation": "write" | "read", "path"}` for a file
written or read over SFTP.
"""

from __future__ import annotations

import fcntl
import json
import socket
import time
from pathlib import Path

_HEADER_LIMIT = 1 << 20
NODES_FILE = "nodes.json"  # {address: node name}, written by LabSSHD.create
# The Subsystem command sshd would run for `sftp`. The forced command replaces it and sees
# it in SSH_ORIGINAL_COMMAND (sshd_config(5), ForceCommand: "This applies to shell, command,
# or subsystem execution"), so the name only has to be one no client command line is.
SFTP_SUBSYSTEM = "wsfc-lab-sftp-server"


def ssh_dir(lab_dir: Path) -> Path:
    """Where a lab keeps its sshd."""
    return Path(lab_dir) / "ssh"


def socket_path(lab_dir: Path, node: str) -> Path:
    return ssh_dir(lab_dir) / "nodes" / f"{node}.sock"


def session_log_path(lab_dir: Path) -> Path:
    return ssh_dir(lab_dir) / "sessions.jsonl"


def record_session(lab_dir: Path, node: str, kind: str, **fields: str) -> None:
    entry = {"time": time.time(), "node": node, "kind": kind, **fields}
    with session_log_path(lab_dir).open("a", encoding="utf-8") as log:
        fcntl.flock(log, fcntl.LOCK_EX)  # the nodes are processes of their own
        log.write(json.dumps(entry) + "\n")


def read_sessions(lab_dir: Path) -> list[dict[str, object]]:
    path = session_log_path(lab_dir)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def send_header(stream: socket.socket, header: dict[str, object]) -> None:
    stream.sendall(json.dumps(header).encode() + b"\n")


def read_header(stream: socket.socket) -> dict[str, object]:
    line = bytearray()
    while not line.endswith(b"\n"):
        chunk = stream.recv(1)
        if not chunk or len(line) > _HEADER_LIMIT:
            raise ConnectionError("the other end closed before its header line")
        line += chunk
    header = json.loads(line)
    if not isinstance(header, dict):
        raise ConnectionError("the header line is not a JSON object")
    return header
