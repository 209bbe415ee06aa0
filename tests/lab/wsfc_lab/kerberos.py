"""The lab's Kerberos realm: Debian's MIT KDC (krb5kdc) on a loopback port.

    kdc = LabKDC.create(lab_dir / "kerberos", "lab.local", {"Administrator": "pw"},
                        ["node1.lab.local", "node2.lab.local"])
    kdc.start()          # krb5kdc on 127.0.0.1:<free port>, waits until it answers
    kdc.client_env(ccache)   # KRB5_CONFIG and KRB5CCNAME for kinit, Ansible, pywinrm
    kdc.keytab("node1.lab.local")   # the keytab of HTTP/node1.lab.local@LAB.LOCAL
    kdc.stop()

The realm is the lab's domain in upper case. Everything lives in the directory given: the
KDC's kdc.conf, the clients' krb5.conf, the principal database and its stash, one keytab per
node and the KDC's log. No system file is read or changed: the KDC reads KRB5_KDC_PROFILE,
clients KRB5_CONFIG, and the acceptor of a node its own keytab (KRB5_KTNAME).

The principals: each lab user (user@REALM, the lab's password) and HTTP/<fqdn> per node, the
service principal a WinRM client asks a ticket for (docs/windows-behaviour.md#winrm-spn;
*unconfirmed*: no Microsoft page states it, see there).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

from wsfc_lab.daemon import accepts, pid_from_file, stop_by_pid_file

STATE_FILE = "kdc.json"
START_TIMEOUT = 15.0
# The database's master key protects nothing here: the lab's database is thrown away with
# the lab, and its users' passwords are in the lab's state in clear already.
_MASTER_PASSWORD = "wsfc-lab-master-key"
_TOOLS = ("krb5kdc", "kdb5_util", "kadmin.local", "kinit")


class KerberosError(RuntimeError):
    """The lab's KDC could not be set up or started."""


def kerberos_dir(lab_dir: Path) -> Path:
    """Where a lab keeps its KDC."""
    return Path(lab_dir) / "kerberos"


def realm_of(domain: str) -> str:
    return domain.upper()


def missing_tools() -> list[str]:
    """The MIT Kerberos programs the lab's KDC needs that are not installed."""
    path = os.pathsep.join((os.environ.get("PATH", ""), "/usr/sbin", "/sbin"))
    return [tool for tool in _TOOLS if shutil.which(tool, path=path) is None]


def _tool(name: str) -> str:
    path = os.pathsep.join((os.environ.get("PATH", ""), "/usr/sbin", "/sbin"))
    found = shutil.which(name, path=path)
    if found is None:
        raise KerberosError(
            f"{name} is not installed: the lab's KDC needs Debian's krb5-kdc, "
            "krb5-admin-server and krb5-user (scripts/bootstrap.sh installs them)"
        )
    return found


def _free_udp_tcp_port(address: str) -> int:
    while True:
        with socket.socket() as tcp:
            tcp.bind((address, 0))
            port = int(tcp.getsockname()[1])
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                try:
                    udp.bind((address, port))
                except OSError:
                    continue
            return port


class LabKDC:
    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory).resolve()
        state_file = self.directory / STATE_FILE
        if not state_file.exists():
            raise KerberosError(f"no lab KDC in {self.directory}")
        state = json.loads(state_file.read_text(encoding="utf-8"))
        self.realm: str = state["realm"]
        self.address: str = state["address"]
        self.port: int = int(state["port"])
        self.hosts: list[str] = list(state["hosts"])

    # -- set up ------------------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        directory: Path,
        domain: str,
        users: dict[str, str],
        hosts: list[str],
        address: str = "127.0.0.1",
    ) -> LabKDC:
        """A realm for `domain` with these users and an HTTP/<host> principal per host."""
        directory = Path(directory).resolve()
        if directory.exists():
            shutil.rmtree(directory)
        (directory / "keytabs").mkdir(parents=True)
        realm = realm_of(domain)
        port = _free_udp_tcp_port(address)
        (directory / "kdc.conf").write_text(_kdc_conf(directory, realm, address, port))
        (directory / "krb5.conf").write_text(_krb5_conf(realm, domain, address, port))
        state = {"realm": realm, "address": address, "port": port, "hosts": sorted(hosts)}
        (directory / STATE_FILE).write_text(json.dumps(state, indent=2) + "\n")
        kdc = cls(directory)
        kdc._run(_tool("kdb5_util"), "-r", realm, "-P", _MASTER_PASSWORD, "create", "-s")
        for user, password in users.items():
            if '"' in password or "\n" in password:
                raise KerberosError("the lab's KDC takes no password with a double quote")
            kdc._kadmin(f'addprinc -pw "{password}" {user}@{realm}')
        for host in hosts:
            principal = f"HTTP/{host.lower()}@{realm}"
            kdc._kadmin(f"addprinc -randkey {principal}")
            kdc._kadmin(f"ktadd -k {kdc.keytab(host)} {principal}")
        return kdc

    @staticmethod
    def exists(directory: Path) -> bool:
        return (Path(directory) / STATE_FILE).exists()

    # -- what clients and acceptors use ------------------------------------------------------

    @property
    def krb5_conf(self) -> Path:
        return self.directory / "krb5.conf"

    @property
    def log_path(self) -> Path:
        return self.directory / "kdc.log"

    def keytab(self, host: str) -> Path:
        return self.directory / "keytabs" / f"{host.lower()}.keytab"

    def client_env(self, ccache: Path) -> dict[str, str]:
        """The environment of a client of this realm: the lab's krb5.conf, a private cache."""
        return {"KRB5_CONFIG": str(self.krb5_conf), "KRB5CCNAME": f"FILE:{ccache}"}

    def acceptor_env(self, host: str) -> dict[str, str]:
        """The environment of a node's acceptor: the lab's krb5.conf and the node's keytab."""
        return {"KRB5_CONFIG": str(self.krb5_conf), "KRB5_KTNAME": f"FILE:{self.keytab(host)}"}

    # -- the KDC process -----------------------------------------------------------------------

    @property
    def _pid_file(self) -> Path:
        return self.directory / "krb5kdc.pid"

    def pid(self) -> int | None:
        return pid_from_file(self._pid_file)

    def start(self, timeout: float = START_TIMEOUT) -> None:
        """Start krb5kdc (it forks into the background) unless it runs; wait for its port."""
        if self.pid() is not None:
            return
        self._run(_tool("krb5kdc"), "-r", self.realm, "-P", str(self._pid_file))
        deadline = time.monotonic() + timeout
        while not self._accepts():
            if time.monotonic() > deadline:
                raise KerberosError(
                    f"the lab's KDC does not listen on {self.address}:{self.port} after "
                    f"{timeout:.0f}s; see {self.log_path}"
                )
            time.sleep(0.05)

    def stop(self, timeout: float = 10.0) -> None:
        stop_by_pid_file(self._pid_file, timeout)

    def _accepts(self) -> bool:
        return accepts(self.address, self.port)

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["KRB5_KDC_PROFILE"] = str(self.directory / "kdc.conf")
        env["KRB5_CONFIG"] = str(self.krb5_conf)
        return env

    def _kadmin(self, query: str) -> None:
        self._run(_tool("kadmin.local"), "-r", self.realm, "-q", query)

    def _run(self, *command: str) -> None:
        result = subprocess.run(
            command,
            env=self._env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        # kadmin.local reports a failed query on stderr and still exits 0.
        failed = result.returncode != 0 or "error" in result.stderr.lower()
        if failed:
            shown = " ".join(command[:1] + tuple(c for c in command[1:] if "-pw" not in c))
            raise KerberosError(f"{shown} failed: {result.stderr.strip() or result.stdout}")


def _kdc_conf(directory: Path, realm: str, address: str, port: int) -> str:
    return (
        "[kdcdefaults]\n"
        f"    kdc_listen = {address}:{port}\n"
        f"    kdc_tcp_listen = {address}:{port}\n"
        "\n[realms]\n"
        f"    {realm} = {{\n"
        f"        database_name = {directory / 'principal'}\n"
        f"        key_stash_file = {directory / 'stash'}\n"
        f"        acl_file = {directory / 'kadm5.acl'}\n"
        "        max_life = 10h 0m 0s\n"
        "        max_renewable_life = 7d 0h 0m 0s\n"
        "        supported_enctypes = aes256-cts-hmac-sha1-96:normal\n"
        "    }\n"
        "\n[logging]\n"
        f"    kdc = FILE:{directory / 'kdc.log'}\n"
        f"    admin_server = FILE:{directory / 'kadmin.log'}\n"
    )


def _krb5_conf(realm: str, domain: str, address: str, port: int) -> str:
    # No DNS: the lab's names resolve nowhere, and a client asks for exactly the service
    # name it was given (the hostname override), not a canonicalized one.
    return (
        "[libdefaults]\n"
        f"    default_realm = {realm}\n"
        "    dns_lookup_kdc = false\n"
        "    dns_lookup_realm = false\n"
        "    dns_canonicalize_hostname = false\n"
        "    rdns = false\n"
        "    udp_preference_limit = 1\n"
        "\n[realms]\n"
        f"    {realm} = {{\n"
        f"        kdc = {address}:{port}\n"
        "    }\n"
        "\n[domain_realm]\n"
        f"    .{domain.lower()} = {realm}\n"
        f"    {domain.lower()} = {realm}\n"
    )
