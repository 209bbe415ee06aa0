"""The lab's SSH endpoints: Debian's OpenSSH server (sshd) run by the lab on the nodes' addresses.

    sshd = LabSSHD.create(lab_dir / "ssh", {"127.0.0.11": "NODE1"}, python, lab_dir)
    sshd.start()        # sshd -f <dir>/sshd_config -D -E <dir>/sshd.log, waits for the port
    sshd.client_key     # the private key of the lab's user (ansible_ssh_private_key_file)
    sshd.stop()

One sshd serves every node of a lab: it listens on each node's address (the same port on
each) and runs, for every session, the lab's forced command (`python -m
wsfc_lab.ssh_session <lab dir>`), which finds the node from the address the client reached
(SSH_CONNECTION, looked up in nodes.json) and hands the session to that node's process
(wsfc_lab.ssh_bridge).
Everything lives in the directory given: sshd_config, the host key and the client key pair
that the lab generates with ssh-keygen, authorized_keys, the PidFile and sshd.log. The
packaged service (ssh.service) is not used and no system file is read or changed.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import time
from pathlib import Path

from wsfc_lab.daemon import accepts, pid_from_file, stop_by_pid_file
from wsfc_lab.ports import free_port_pair
from wsfc_lab.ssh_wire import NODES_FILE, SFTP_SUBSYSTEM, ssh_dir

__all__ = ["SFTP_SUBSYSTEM", "LabSSHD", "SSHError", "missing_tools", "ssh_dir"]

STATE_FILE = "sshd.json"
START_TIMEOUT = 15.0
_TOOLS = ("sshd", "ssh-keygen")


class SSHError(RuntimeError):
    """The lab's sshd could not be set up or started."""


def _search_path() -> str:
    return os.pathsep.join((os.environ.get("PATH", ""), "/usr/sbin", "/sbin"))


def missing_tools() -> list[str]:
    """The OpenSSH programs the lab's sshd needs that are not installed."""
    return [tool for tool in _TOOLS if shutil.which(tool, path=_search_path()) is None]


def _tool(name: str) -> str:
    found = shutil.which(name, path=_search_path())
    if found is None:
        raise SSHError(
            f"{name} is not installed: the lab's SSH endpoints need Debian's openssh-server "
            "(scripts/bootstrap.sh installs it)"
        )
    return found


class LabSSHD:
    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory).resolve()
        state_file = self.directory / STATE_FILE
        if not state_file.exists():
            raise SSHError(f"no lab sshd in {self.directory}")
        state = json.loads(state_file.read_text(encoding="utf-8"))
        self.addresses: list[str] = list(state["addresses"])
        self.port: int = int(state["port"])
        self.login: str = state["login"]

    @classmethod
    def create(cls, directory: Path, nodes: dict[str, str], python: str, lab_dir: Path) -> LabSSHD:
        """An sshd on the addresses of `nodes` ({address: node}) whose sessions run the
        lab's forced command."""
        directory = Path(directory).resolve()
        if directory.exists():
            shutil.rmtree(directory)
        directory.mkdir(parents=True)
        keygen = _tool("ssh-keygen")
        for key in ("ssh_host_ed25519_key", "client_ed25519_key"):
            subprocess.run(
                [keygen, "-q", "-t", "ed25519", "-N", "", "-C", "wsfc-lab", "-f", directory / key],
                check=True,
                capture_output=True,
                timeout=30,
            )
        (directory / "authorized_keys").write_text(
            (directory / "client_ed25519_key.pub").read_text(encoding="utf-8")
        )
        addresses = sorted(nodes)
        (directory / NODES_FILE).write_text(json.dumps(nodes, indent=2) + "\n")
        port = free_port_pair(addresses)[0]
        # sshd authenticates a local account: the one running the lab (no account of the
        # lab's Windows domain exists on this host). The node session is the lab's user.
        login = _current_login()
        forced = shlex.join([python, "-m", "wsfc_lab.ssh_session", str(Path(lab_dir).resolve())])
        (directory / "sshd_config").write_text(_sshd_config(directory, addresses, port, forced))
        state = {"addresses": addresses, "port": port, "login": login}
        (directory / STATE_FILE).write_text(json.dumps(state, indent=2) + "\n")
        return cls(directory)

    @staticmethod
    def exists(directory: Path) -> bool:
        return (Path(directory) / STATE_FILE).exists()

    @property
    def client_key(self) -> Path:
        return self.directory / "client_ed25519_key"

    @property
    def log_path(self) -> Path:
        return self.directory / "sshd.log"

    @property
    def _pid_file(self) -> Path:
        return self.directory / "sshd.pid"

    def pid(self) -> int | None:
        return pid_from_file(self._pid_file)

    def start(self, timeout: float = START_TIMEOUT) -> None:
        """Start sshd in the foreground of a detached process unless it runs; wait for it."""
        if self.pid() is not None:
            return
        # sshd run as root checks for its privilege separation directory (compiled in as
        # /run/sshd; the packaged service's tmpfiles.d entry would make it).
        if os.geteuid() == 0:
            Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
        config = self.directory / "sshd_config"
        command = [_tool("sshd"), "-D", "-f", str(config), "-E", str(self.log_path)]
        child = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, start_new_session=True, close_fds=True
        )
        deadline = time.monotonic() + timeout
        while not all(accepts(address, self.port) for address in self.addresses):
            if child.poll() is not None or time.monotonic() > deadline:
                raise SSHError(
                    f"the lab's sshd does not listen on port {self.port} "
                    f"(exit code {child.poll()}); see {self.log_path}"
                )
            time.sleep(0.05)

    def stop(self, timeout: float = 10.0) -> None:
        stop_by_pid_file(self._pid_file, timeout)


def _current_login() -> str:
    import pwd

    return pwd.getpwuid(os.getuid()).pw_name


def _sshd_config(directory: Path, addresses: list[str], port: int, forced: str) -> str:
    listen = "".join(f"ListenAddress {address}:{port}\n" for address in addresses)
    return (
        "# Written by wsfc-lab: the lab's SSH endpoints (wsfc_lab.ssh).\n"
        f"{listen}"
        f"HostKey {directory / 'ssh_host_ed25519_key'}\n"
        f"PidFile {directory / 'sshd.pid'}\n"
        f"AuthorizedKeysFile {directory / 'authorized_keys'}\n"
        "AuthenticationMethods publickey\n"
        "PubkeyAuthentication yes\n"
        "PasswordAuthentication no\n"
        "KbdInteractiveAuthentication no\n"
        "PermitRootLogin prohibit-password\n"
        "UsePAM no\n"
        # The lab directory lives under a temporary directory (world-writable /tmp), which
        # StrictModes refuses for the authorized keys; the files are the lab's own.
        "StrictModes no\n"
        "PrintMotd no\n"
        "PermitTTY no\n"
        "AllowTcpForwarding no\n"
        "X11Forwarding no\n"
        "PermitUserEnvironment no\n"
        "LogLevel VERBOSE\n"
        "MaxStartups 100:30:200\n"
        f"Subsystem sftp {SFTP_SUBSYSTEM}\n"
        f"ForceCommand {forced}\n"
    )
