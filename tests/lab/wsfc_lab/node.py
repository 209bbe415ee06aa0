"""One simulated node: `python -m wsfc_lab.node <lab_dir> <node>`.

Serves WinRM on the node's address (HTTP and HTTPS, the lab's ports; Kerberos too when the
lab has a KDC, with the node's keytab) and, when the lab has an sshd, the node's SSH
sessions (wsfc_lab.ssh_bridge), runs each command
through the lab's command dispatch against the world, and follows the faults meant for
this node: `unreachable` (its listeners close) and `slow` (each reply waits). It records
its pid in the state; every other piece of state lives on disk, so a node killed with
SIGKILL and started again comes back as it was.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
from pathlib import Path

from wsfc_lab.kerberos import LabKDC, kerberos_dir
from wsfc_lab.ssh import LabSSHD, ssh_dir
from wsfc_lab.winrm.certificate import generate_certificate
from wsfc_lab.winrm.server import WinRMEndpoint
from wsfc_lab.world import World

POLL_SECONDS = 0.2  # how often the node looks at its faults (about 5 times a second)


class FaultFollower:
    """The node's view of its own faults, refreshed from the saved state."""

    def __init__(self, world: World, node: str) -> None:
        self.world = world
        self.node = node
        self.delay = 0.0
        self.unreachable = False

    def refresh(self) -> None:
        try:
            faults = self.world.peek().get("faults", {})
        except (OSError, ValueError):
            return  # keep the last view; the next poll reads the state again
        self.delay = float(faults.get("slow", {}).get(self.node, 0.0))
        self.unreachable = self.node in faults.get("unreachable", [])

    def reply_delay(self) -> float:
        return self.delay


def certificate_dir(lab_dir: Path, node: str) -> Path:
    return lab_dir / "tls" / node


def run_node(lab_dir: Path, node_name: str, stop: threading.Event) -> None:
    from wsfc_lab.execution import NodeCommandRunner

    world = World(lab_dir)
    with world.transaction() as state:
        node = state.node_name(node_name)
        record = state.node(node)
        record["process"] = {"pid": os.getpid(), "started": time.time()}
        address = record["address"]
        ports = state.data["ports"]
        credentials = state.data["credentials"]
        fqdn = f"{node}.{state.data['cluster']['domain']}".lower()
    certificate = generate_certificate(
        certificate_dir(world.lab_dir, node), [node.lower(), fqdn], [address]
    )
    kerberos_realm = None
    if LabKDC.exists(kerberos_dir(world.lab_dir)):
        # The lab has a KDC: this node accepts Kerberos with its own keytab. The variables
        # are read by the GSSAPI library of this process only.
        kdc = LabKDC(kerberos_dir(world.lab_dir))
        os.environ.update(kdc.acceptor_env(fqdn))
        kerberos_realm = kdc.realm
    follower = FaultFollower(world, node)
    follower.refresh()
    endpoint = WinRMEndpoint(
        address,
        ports["http"],
        ports["https"],
        NodeCommandRunner(world, node),
        {credentials["username"]: credentials["password"]},
        certificate,
        reply_delay=follower.reply_delay,
        kerberos_realm=kerberos_realm,
    )
    endpoint.set_reachable(not follower.unreachable)
    endpoint.start()
    bridge = None
    if LabSSHD.exists(ssh_dir(world.lab_dir)):
        # The lab has an sshd: its sessions for this node come in over a local socket.
        from wsfc_lab.ssh_bridge import SSHBridge

        bridge = SSHBridge(
            world,
            node,
            credentials["username"],
            lambda: not follower.unreachable,
            follower.reply_delay,
        )
        bridge.start()
    try:
        while not stop.wait(POLL_SECONDS):
            reachable = not follower.unreachable
            follower.refresh()
            if reachable == follower.unreachable:  # the fault changed
                endpoint.set_reachable(not follower.unreachable)
    finally:
        if bridge is not None:
            bridge.stop()
        endpoint.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m wsfc_lab.node", description=__doc__)
    parser.add_argument("lab_dir", type=Path)
    parser.add_argument("node")
    args = parser.parse_args(argv)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    try:
        run_node(args.lab_dir, args.node, stop)
    except Exception as error:  # the log file is where the Lab points the operator
        print(f"node {args.node}: {type(error).__name__}: {error}", file=sys.stderr, flush=True)
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
