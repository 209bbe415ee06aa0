"""A simulated node's WinRM service: HTTP and HTTPS listeners on one address.

    endpoint = WinRMEndpoint("127.0.0.11", 5985, 5986, runner, {"Administrator": "pw"},
                             generate_certificate(lab_dir / "tls", ["node1"], ["127.0.0.11"]))
    endpoint.start()            # returns at once; listeners and connections run on threads
    endpoint.url(https=False)   # http://127.0.0.11:5985/wsman
    endpoint.set_reachable(False)   # connections refused, open ones cut (the lab's fault)
    endpoint.stop()

A port of 0 picks a free port at the first start and keeps it from then on.
"""

import ssl
import threading
from collections.abc import Callable
from pathlib import Path

from wsfc_lab.winrm.accounts import NTLM_USER_FILE, LocalAccounts
from wsfc_lab.winrm.listener import WSMAN_PATH, EndpointParts, Listener
from wsfc_lab.winrm.runner_contract import CommandRunner
from wsfc_lab.winrm.service import WsmanService


class WinRMEndpoint:
    def __init__(
        self,
        address: str,
        http_port: int,
        https_port: int,
        runner: CommandRunner,
        credentials: dict[str, str],
        certificate: tuple[Path, Path],
        reply_delay: Callable[[], float] | None = None,
        kerberos_realm: str | None = None,
    ) -> None:
        """`kerberos_realm`: accept Kerberos principals of this realm, with the keytab the
        process's KRB5_KTNAME names (each lab node is a process of its own)."""
        self.address = address
        accounts = LocalAccounts(credentials)
        NTLM_USER_FILE.register(accounts)
        self.service = WsmanService(runner, machine=address)
        self._parts = EndpointParts(self.service, accounts, reply_delay, kerberos_realm)
        certificate_file, key_file = certificate
        self._tls_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._tls_context.load_cert_chain(certificate_file, key_file)
        self._http_port = http_port
        self._https_port = https_port
        self._lock = threading.Lock()
        self._listeners: list[Listener] = []
        self._started = False
        self._reachable = True

    @property
    def ports(self) -> tuple[int, int]:
        """(HTTP port, HTTPS port); the ports chosen once started when 0 was asked for."""
        return self._http_port, self._https_port

    def url(self, https: bool = False) -> str:
        scheme, port = ("https", self._https_port) if https else ("http", self._http_port)
        return f"{scheme}://{self.address}:{port}{WSMAN_PATH}"

    def start(self) -> None:
        with self._lock:
            self._started = True
            if self._reachable:
                self._listen()

    def stop(self) -> None:
        with self._lock:
            self._started = False
            self._close()

    def set_reachable(self, reachable: bool) -> None:
        """False: refuse connections and cut open ones; True: listen again, same ports."""
        with self._lock:
            self._reachable = reachable
            if not self._started:
                return
            if reachable:
                self._listen()
            else:
                self._close()

    def _listen(self) -> None:
        if self._listeners:
            return
        http = Listener(self.address, self._http_port, self._parts, None)
        try:
            https = Listener(self.address, self._https_port, self._parts, self._tls_context)
        except OSError:
            http.server_close()
            raise
        self._http_port, self._https_port = http.port, https.port
        self._listeners = [http, https]
        for listener in self._listeners:
            listener.start()

    def _close(self) -> None:
        listeners, self._listeners = self._listeners, []
        for listener in listeners:
            listener.close()
