"""The Lab: builds a lab directory, runs one process per node, injects faults, reports.

lab = Lab("/tmp/lab")
lab.create(load_spec("tests/lab/examples/three-node.yml"))
lab.start()                 # every node process, waits until each port accepts
Lab("/tmp/lab").create(spec, kerberos=True)   # with a KDC (wsfc_lab.kerberos) started
                            # and stopped with the nodes, and inventory-kerberos.yml
Lab("/tmp/lab").create(spec, ssh=True)   # with an sshd on the nodes' addresses
                            # (wsfc_lab.ssh) and inventory-ssh.yml
lab.inject("fail", "NODE1", operation="Stop-ClusterNode", code=5, count=1)
lab.change(ConfigChange("parameter", "set", "Cluster Name", {"name": "x", "value": 1}))
lab.status()                # a dict: cluster, quorum, nodes, faults, latencies, events
lab.stop()
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from wsfc_lab.daemon import accepts
from wsfc_lab.kerberos import LabKDC, kerberos_dir
from wsfc_lab.spec import LabSpec
from wsfc_lab.ssh import LabSSHD, ssh_dir
from wsfc_lab.world import ConfigChange, World, faults
from wsfc_lab.world.liveness import process_alive

START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


class LabError(RuntimeError):
    """The lab could not do what was asked (a node did not start, no such lab, ...)."""


class Lab:
    def __init__(self, lab_dir: str | Path) -> None:
        self.lab_dir = Path(lab_dir).resolve()
        self.world = World(self.lab_dir)
        self._children: dict[str, subprocess.Popen[bytes]] = {}

    # -- life cycle --------------------------------------------------------------------------

    def exists(self) -> bool:
        return self.world.store.exists()

    def create(
        self, spec: LabSpec, *, replace: bool = False, kerberos: bool = False, ssh: bool = False
    ) -> None:
        """Build the lab directory: state, file systems, inventory. Starts nothing.

        kerberos: a realm for the lab's domain (its KDC starts and stops with the nodes),
        the lab's user and HTTP/<node fqdn> per node in it; each node accepts Kerberos.
        ssh: an sshd on every node's address (it starts and stops with the nodes), whose
        sessions each node runs as a Windows OpenSSH host with PowerShell as its shell."""
        if replace and self.exists():
            self.stop()
        World.create(self.lab_dir, spec, replace=replace)
        with self.world.transaction() as state:
            state.data["supervised"] = True
            domain = state.data["cluster"]["domain"]
            credentials = state.data["credentials"]
            fqdns = [f"{name}.{domain}".lower() for name in state.node_names()]
            addresses = {state.node(name)["address"]: name for name in state.node_names()}
        if kerberos:
            LabKDC.create(
                kerberos_dir(self.lab_dir),
                domain,
                {credentials["username"]: credentials["password"]},
                fqdns,
            )
        if ssh:
            LabSSHD.create(ssh_dir(self.lab_dir), addresses, sys.executable, self.lab_dir)
        self.write_inventory()

    @property
    def kdc(self) -> LabKDC | None:
        """The lab's KDC, for a lab created with kerberos=True."""
        directory = kerberos_dir(self.lab_dir)
        return LabKDC(directory) if LabKDC.exists(directory) else None

    @property
    def sshd(self) -> LabSSHD | None:
        """The lab's sshd, for a lab created with ssh=True."""
        directory = ssh_dir(self.lab_dir)
        return LabSSHD(directory) if LabSSHD.exists(directory) else None

    def start(self, timeout: float = START_TIMEOUT) -> None:
        """Start every node process that is not running (crashed nodes stay down)."""
        self._require_lab()
        if (kdc := self.kdc) is not None:
            kdc.start()
        with self.world.transaction() as state:
            names = [n for n in state.node_names() if state.node(n)["power"] == "on"]
        cold = not any(self._process_alive(name) for name in names)
        if cold:
            # A cold start: while the processes come up one by one, a node that started
            # first must not see the others as crashed (its witness disk would fail over to
            # it). Every node counts as running until all of them listen.
            with self.world.transaction() as state:
                state.data["supervised"] = False
        try:
            for name in names:
                if not self._process_alive(name):
                    self._spawn(name)
            for name in names:
                self._wait_until_listening(name, timeout)
            if (sshd := self.sshd) is not None:
                sshd.start()
        finally:
            if cold:
                with self.world.transaction() as state:
                    state.data["supervised"] = True

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """Stop every node process (SIGTERM, then SIGKILL); the state stays on disk."""
        self._require_lab()
        if (sshd := self.sshd) is not None:
            sshd.stop()
        pids = {n: p for n in self._node_names() if (p := self._pid(n)) and process_alive(p)}
        for pid in pids.values():
            _signal(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for name, pid in pids.items():
            while self._still_running(name, pid) and time.monotonic() < deadline:
                time.sleep(0.05)
            if self._still_running(name, pid):
                _signal(pid, signal.SIGKILL)
                self._wait_dead(name, pid)
        if (kdc := self.kdc) is not None:
            kdc.stop()

    def kill_node(self, name: str) -> None:
        """The crash fault: the node's process is killed and the node stays powered off."""
        with self.world.transaction() as state:
            name = state.node_name(name)
            faults.set_crashed(state, name, True)
            pid = state.node(name)["process"].get("pid")
        if pid and process_alive(pid):
            _signal(pid, signal.SIGKILL)
            self._wait_dead(name, pid)

    def start_node(self, name: str, timeout: float = START_TIMEOUT) -> None:
        """Power a node on and start its process (after a crash, or after `stop`)."""
        with self.world.transaction() as state:
            name = state.node_name(name)
            faults.set_crashed(state, name, False)
        if not self._process_alive(name):
            self._spawn(name)
        self._wait_until_listening(name, timeout)

    # -- faults, changes ----------------------------------------------------------------------

    def inject(self, kind: str, node: str, **options: Any) -> list[str]:  # noqa: ANN401
        """Inject a fault (docs/lab.md, Faults). Options per kind:
        slow: seconds; fail: operation, code, count=None, message=None, passes=0;
        disk_full: path, budget; corrupt: path, flips=1. Returns files touched (corrupt)."""
        if kind == "crash":
            self.kill_node(node)
            return []
        with self.world.transaction() as state:
            if kind == "unreachable":
                faults.set_unreachable(state, node, True)
            elif kind == "slow":
                faults.set_slow(state, node, float(options["seconds"]))
            elif kind == "fail":
                faults.add_failure(
                    state,
                    node,
                    str(options["operation"]),
                    int(options["code"]),
                    options.get("count"),
                    options.get("message"),
                    int(options.get("passes", 0)),
                )
            elif kind == "disk_full":
                faults.add_disk_full(state, node, str(options["path"]), int(options["budget"]))
            elif kind == "corrupt":
                return faults.corrupt(state, node, str(options["path"]), options.get("flips", 1))
            else:
                raise LabError(f"unknown fault {kind!r} (known: {', '.join(faults.FAULT_KINDS)})")
        return []

    def clear_faults(self, kinds: list[str] | None = None) -> list[str]:
        """Clear faults (all kinds by default); crashed nodes are started again."""
        with self.world.transaction() as state:
            crashed = list(state.faults.get("crashed", []))
            cleared = faults.clear(state, kinds)
        if kinds is None or "crash" in kinds:
            for name in crashed:
                self.start_node(name)
        return cleared

    def change(self, change: ConfigChange, node: str | None = None) -> str:
        """A configuration change an administrator makes on a node of the running cluster
        (any member by default); returns the new PaxosTag."""
        with self.world.transaction() as state:
            cluster = state.cluster
            target = node or next(iter(cluster.members()), None) or state.node_names()[0]
            return cluster.change_configuration(target, change)

    def service(
        self, node: str, action: str, *, force_quorum: bool = False, prevent_quorum: bool = False
    ) -> str:
        """Start or stop the Cluster service on a node as an administrator would
        (Start-ClusterNode / Stop-ClusterNode); returns the node's state after."""
        with self.world.transaction() as state:
            cluster = state.cluster
            if action == "start":
                return cluster.start_service(
                    node, force_quorum=force_quorum, prevent_quorum=prevent_quorum
                )
            if action == "stop":
                cluster.stop_service(node, check_quorum=True)
                return cluster.node_state(node)
            raise LabError(f"service action must be start or stop, not {action!r}")

    def set_latency(self, operation: str, seconds: float) -> None:
        if seconds < 0:
            raise LabError("a latency cannot be negative")
        with self.world.transaction() as state:
            if seconds:
                state.latencies[operation] = float(seconds)
            else:
                state.latencies.pop(operation, None)

    # -- reports -------------------------------------------------------------------------------

    def status(self) -> dict[str, Any]:
        self._require_lab()
        with self.world.transaction() as state:
            cluster = state.cluster
            nodes = []
            for name in state.node_names():
                record = state.node(name)
                pid = record["process"].get("pid")
                nodes.append(
                    {
                        "name": name,
                        "address": record["address"],
                        "os_release": record["os_release"],
                        "pid": pid,
                        "process_alive": bool(pid) and process_alive(pid),
                        "power": record["power"],
                        "service": record["service"]["state"],
                        "state": cluster.node_state(name),
                        "paxos_tag": cluster.paxos_tag(name),
                        "windows_server_backup": record["features"]["Windows-Server-Backup"],
                    }
                )
            witness = state.witness
            return {
                "lab_dir": str(self.lab_dir),
                "inventory": str(self.inventory_path),
                "cluster": {
                    "name": state.data["cluster"]["name"],
                    "domain": state.data["cluster"]["domain"],
                    "formed": cluster.formed,
                    "forced": cluster.forced,
                    "paxos_tag": cluster.tag,
                },
                "quorum": {
                    "votes": cluster.votes_present(),
                    "total": cluster.total_votes(),
                    "majority": cluster.majority(),
                    "witness": witness["type"],
                    "witness_paxos_tag": cluster.witness_tag(),
                },
                "nodes": nodes,
                "faults": faults.describe(state),
                "latencies": dict(state.latencies),
                "events": state.data["events"][-10:],
            }

    @property
    def inventory_path(self) -> Path:
        return self.lab_dir / "inventory.yml"

    @property
    def winrm_inventory_path(self) -> Path:
        """The same hosts as an INI inventory for ansible-test windows-integration."""
        return self.lab_dir / "inventory.winrm"

    @property
    def psrp_inventory_path(self) -> Path:
        """The same hosts over ansible-core's psrp connection (PowerShell Remoting)."""
        return self.lab_dir / "inventory-psrp.yml"

    def write_inventory(self) -> Path:
        # Imported here: inventory_winrm and inventory_psrp build on this module's inventory().
        from wsfc_lab.inventory_psrp import write_psrp_inventory
        from wsfc_lab.inventory_winrm import write_inventory_winrm

        data = self.world.peek()
        write_inventory_winrm(data, self.winrm_inventory_path)
        write_psrp_inventory(data, self.psrp_inventory_path)
        if (kdc := self.kdc) is not None:
            write_kerberos_inventory(data, kdc, self.kerberos_inventory_path)
        if (sshd := self.sshd) is not None:
            from wsfc_lab.inventory_ssh import write_ssh_inventory

            write_ssh_inventory(data, sshd, self.ssh_inventory_path)
        return write_inventory(data, self.inventory_path)

    @property
    def kerberos_inventory_path(self) -> Path:
        """The same hosts over Kerberos, for a lab with a KDC."""
        return self.lab_dir / "inventory-kerberos.yml"

    @property
    def ssh_inventory_path(self) -> Path:
        """The same hosts over SSH, for a lab with an sshd."""
        return self.lab_dir / "inventory-ssh.yml"

    # -- processes -----------------------------------------------------------------------------

    def log_path(self, name: str) -> Path:
        return self.lab_dir / "logs" / f"{name}.log"

    def _spawn(self, name: str) -> None:
        log = self.log_path(name)
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("ab") as output:
            child = subprocess.Popen(
                [sys.executable, "-m", "wsfc_lab.node", str(self.lab_dir), name],
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # detached: it outlives the command that started it
                close_fds=True,
            )
        self._children[name] = child

    def _wait_until_listening(self, name: str, timeout: float) -> None:
        data = self.world.peek()
        address = data["nodes"][name]["address"]
        ports = (data["ports"]["http"], data["ports"]["https"])
        deadline = time.monotonic() + timeout
        pending = list(ports)
        while pending:
            child = self._children.get(name)
            if child is not None and child.poll() is not None:
                raise LabError(
                    f"node {name} exited with {child.returncode}; see {self.log_path(name)}"
                )
            if time.monotonic() > deadline:
                raise LabError(
                    f"node {name} does not listen on {address}:{pending[0]} after "
                    f"{timeout:.0f}s; see {self.log_path(name)}"
                )
            if data["faults"].get("unreachable") and name in data["faults"]["unreachable"]:
                return  # it refuses connections on purpose
            pending = [p for p in pending if not accepts(address, p)]
            if pending:
                time.sleep(0.05)

    def _process_alive(self, name: str) -> bool:
        pid = self._pid(name)
        return bool(pid) and process_alive(pid)

    def _pid(self, name: str) -> int | None:
        return self.world.peek()["nodes"][name]["process"].get("pid")

    def _node_names(self) -> list[str]:
        return list(self.world.peek()["nodes"])

    def _still_running(self, name: str, pid: int) -> bool:
        child = self._children.get(name)
        if child is not None and child.pid == pid:
            return child.poll() is None
        return process_alive(pid)

    def _wait_dead(self, name: str, pid: int, timeout: float = STOP_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while self._still_running(name, pid) and time.monotonic() < deadline:
            time.sleep(0.02)

    def _require_lab(self) -> None:
        if not self.exists():
            raise LabError(f"no lab in {self.lab_dir} (create one with `wsfc-lab start -f`)")


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass


# -- the Ansible inventory -------------------------------------------------------------
#
# <lab_dir>/inventory.yml: two groups hold every node, `windows` and one named after the
# cluster. WinRM with NTLM over HTTPS on the lab's HTTPS port, the self-signed certificate
# not validated. Plain HTTP works too: -e ansible_port=<http port> -e ansible_winrm_scheme=http
# (NTLM still encrypts the messages).
#
# NTLM gives a module no credentials for another computer, so the backup share (a UNC
# path) needs runas become (docs/windows-behaviour.md#second-hop, #become-runas). The
# inventory sets it for every host, as an operator on a domain does in group_vars: become
# on every task, method runas, the connecting account with its password (become with a
# password is what keeps credentials for the network). A run without it:
# -e ansible_become=false.
def cluster_group_name(cluster: str) -> str:
    """An Ansible group name for the cluster: lower case, letters, digits and '_'."""
    name = re.sub(r"[^a-z0-9_]", "_", cluster.lower())
    return name if not name[:1].isdigit() else f"cluster_{name}"


def inventory(data: dict[str, Any]) -> dict[str, Any]:
    hosts = {name: {"ansible_host": node["address"]} for name, node in data["nodes"].items()}
    credentials = data["credentials"]
    return {
        "all": {
            "children": {
                "windows": {
                    "hosts": hosts,
                    "vars": {
                        "ansible_connection": "winrm",
                        "ansible_port": data["ports"]["https"],
                        "ansible_winrm_scheme": "https",
                        "ansible_winrm_transport": "ntlm",
                        "ansible_winrm_server_cert_validation": "ignore",
                        "ansible_user": credentials["username"],
                        "ansible_password": credentials["password"],
                        "ansible_become": True,
                        "ansible_become_method": "runas",
                        "ansible_become_user": credentials["username"],
                        "ansible_become_password": credentials["password"],
                        "wsfc_lab_http_port": data["ports"]["http"],
                    },
                },
                cluster_group_name(data["cluster"]["name"]): {
                    "hosts": {name: {} for name in data["nodes"]},
                    "vars": {
                        "wsfc_cluster_name": data["cluster"]["name"],
                        "wsfc_cluster_domain": data["cluster"]["domain"],
                    },
                },
            }
        }
    }


# <lab_dir>/inventory-kerberos.yml, for a lab with a KDC: the inventory an operator writes for
# a domain cluster. Kerberos over HTTP with message encryption; ansible_user is the principal
# (user@REALM) and Ansible gets the ticket itself with kinit (managed mode), passing the
# lab's KRB5_CONFIG through to it; each host asks for the ticket of HTTP/<node fqdn>
# (the hostname override: the hosts are addresses). No become: delegation
# (ansible_winrm_kerberos_delegation: true, a forwardable ticket) is what gives a module
# credentials for the backup share, and without it the second-hop rule applies.
def kerberos_inventory(data: dict[str, Any], kdc: LabKDC) -> dict[str, Any]:
    base = inventory(data)
    groups = base["all"]["children"]
    domain = data["cluster"]["domain"].lower()
    credentials = data["credentials"]
    groups["windows"]["hosts"] = {
        name: {
            "ansible_host": node["address"],
            "ansible_winrm_kerberos_hostname_override": f"{name}.{domain}".lower(),
        }
        for name, node in data["nodes"].items()
    }
    groups["windows"]["vars"] = {
        "ansible_connection": "winrm",
        "ansible_port": data["ports"]["http"],
        "ansible_winrm_scheme": "http",
        "ansible_winrm_transport": "kerberos",
        "ansible_winrm_message_encryption": "always",
        "ansible_winrm_kinit_mode": "managed",
        "ansible_winrm_kinit_env_vars": ["KRB5_CONFIG"],
        "ansible_winrm_kerberos_delegation": True,
        "ansible_user": f"{credentials['username']}@{kdc.realm}",
        "ansible_password": credentials["password"],
        "wsfc_lab_krb5_config": str(kdc.krb5_conf),
    }
    return base


def write_kerberos_inventory(data: dict[str, Any], kdc: LabKDC, path: Path) -> Path:
    header = (
        "# Written by wsfc-lab for the lab in this directory: Kerberos against the lab's KDC.\n"
        f"# Run Ansible with KRB5_CONFIG={kdc.krb5_conf} (the lab's realm {kdc.realm}).\n"
        "# Without delegation (the second hop refused):\n"
        "#   -e ansible_winrm_kerberos_delegation=false\n"
    )
    return write_yaml_inventory(path, header, kerberos_inventory(data, kdc))


def write_yaml_inventory(path: Path, header: str, hosts: dict[str, Any]) -> Path:
    """An inventory file: the comment lines of `header`, then the inventory as YAML."""
    path.write_text(header + yaml.safe_dump(hosts, sort_keys=False), encoding="utf-8")
    return path


def write_inventory(data: dict[str, Any], path: Path) -> Path:
    header = (
        "# Written by wsfc-lab for the lab in this directory. Over plain HTTP instead:\n"
        f"#   -e ansible_port={data['ports']['http']} -e ansible_winrm_scheme=http\n"
        "# Modules run under runas become, which the backup share (a UNC path) needs over\n"
        "# NTLM: the second hop.\n"
    )
    return write_yaml_inventory(path, header, inventory(data))
