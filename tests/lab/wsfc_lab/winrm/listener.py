"""The HTTP side of the endpoint: one listener per port, one thread per connection.

A connection keeps its thread and its authentication state for as long as the client
keeps it open (NTLM authenticates connections, not requests). The listener remembers its
open connections so that making the node unreachable can cut them as well.
"""

import logging
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from wsfc_lab.winrm.accounts import LocalAccounts
from wsfc_lab.winrm.auth import ConnectionAuth
from wsfc_lab.winrm.encryption import (
    CONTENT_TYPE,
    EncryptionError,
    is_encrypted,
    unwrap_body,
    wrap_body,
)
from wsfc_lab.winrm.service import Caller, WsmanService

_log = logging.getLogger(__name__)

WSMAN_PATH = "/wsman"
SOAP_CONTENT_TYPE = "application/soap+xml;charset=UTF-8"
# A TLS client gets this long to finish its handshake; an idle connection this long to
# send its next request (long enough for a playbook's pauses between tasks on a host).
_HANDSHAKE_TIMEOUT = 30.0
_IDLE_TIMEOUT = 3600.0


@dataclass(frozen=True)
class EndpointParts:
    """What every connection of an endpoint shares."""

    service: WsmanService
    accounts: LocalAccounts
    reply_delay: Callable[[], float] | None
    kerberos_realm: str | None = None


class Listener(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(
        self,
        address: str,
        port: int,
        parts: EndpointParts,
        tls_context: ssl.SSLContext | None,
    ) -> None:
        self.parts = parts
        self.tls_context = tls_context
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__((address, port), _WsmanRequestHandler)
        self._thread = threading.Thread(
            target=self.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"winrm-listener-{address}:{self.port}",
            daemon=True,
        )

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        """Stop listening and cut every open connection."""
        self.shutdown()
        self.server_close()
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                # The plain socket's shutdown, also for TLS sockets: it only cuts the
                # connection and leaves the TLS state to the thread that is using it.
                socket.socket.shutdown(connection, socket.SHUT_RDWR)
            except OSError:
                pass
        self._thread.join(timeout=5)

    def get_request(self) -> tuple[socket.socket, Any]:
        connection, client = super().get_request()
        # BaseHTTPRequestHandler writes the headers and the body in two sends; with Nagle's
        # algorithm on, the body waits for the client's delayed acknowledgement of the
        # headers (about 40 ms on Linux) on every reply.
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.tls_context is not None:
            # The handshake runs on the connection's own thread (handler setup), so a
            # slow client cannot hold up the accept loop.
            connection = self.tls_context.wrap_socket(
                connection, server_side=True, do_handshake_on_connect=False
            )
        with self._connections_lock:
            self._connections.add(connection)
        return connection, client

    def shutdown_request(self, request: socket.socket) -> None:  # type: ignore[override]
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: object, client_address: object) -> None:  # type: ignore[override]
        _log.debug("connection from %s ended with an error", client_address, exc_info=True)


class _WsmanRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Microsoft-HTTPAPI/2.0"
    sys_version = ""
    server: Listener

    def setup(self) -> None:
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(_HANDSHAKE_TIMEOUT)
            self.request.do_handshake()
        self.request.settimeout(_IDLE_TIMEOUT)
        super().setup()
        self._auth = ConnectionAuth(self.server.parts.accounts, self.server.parts.kerberos_realm)

    def do_POST(self) -> None:
        body = self._read_body()
        if body is None:
            self._reply(400, b"")
            return
        if self.path.split("?", 1)[0].rstrip("/").lower() != WSMAN_PATH:
            self._reply(404, b"")
            return
        outcome = self._auth.authenticate(self.headers.get("Authorization"))
        if outcome.user is None:
            self._reply(401, b"", challenges=outcome.challenges)
            return
        sealing = None
        payload = body
        if is_encrypted(self.headers.get("Content-Type", "")):
            sealing = self._auth.sealing_context
            if sealing is None:
                self._reply(400, b"")
                return
            try:
                payload = unwrap_body(sealing, body)
            except EncryptionError as error:
                _log.info("refusing an encrypted request: %s", error)
                self._reply(400, b"")
                return
        if not payload:
            # Clients open an encrypted session with an empty POST that only authenticates.
            self._reply(200, b"", challenges=outcome.challenges)
            return
        caller = Caller(user=outcome.user, address=self.client_address[0], session=outcome.session)
        status, reply = self.server.parts.service.handle(payload, caller)
        if sealing is not None:
            self._reply(status, wrap_body(sealing, reply), CONTENT_TYPE, outcome.challenges)
        else:
            self._reply(status, reply, SOAP_CONTENT_TYPE, outcome.challenges)

    def do_GET(self) -> None:
        self._reply(405, b"", extra_headers=(("Allow", "POST"),))

    def _read_body(self) -> bytes | None:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        length_text = self.headers.get("Content-Length", "0")
        if not length_text.isdigit():
            return None
        return self.rfile.read(int(length_text))

    def _read_chunked(self) -> bytes | None:
        chunks = []
        while True:
            size_line = self.rfile.readline(1024).split(b";", 1)[0].strip()
            try:
                size = int(size_line, 16)
            except ValueError:
                return None
            if size == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline(1024)

    def _reply(
        self,
        status: int,
        body: bytes,
        content_type: str | None = None,
        challenges: tuple[str, ...] = (),
        extra_headers: tuple[tuple[str, str], ...] = (),
    ) -> None:
        delay = self.server.parts.reply_delay
        if delay is not None:
            seconds = delay()
            if seconds > 0:
                time.sleep(seconds)
        self.send_response(status)
        for challenge in challenges:
            self.send_header("WWW-Authenticate", challenge)
        for name, value in extra_headers:
            self.send_header(name, value)
        if content_type is not None:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def log_message(self, format: str, *args: object) -> None:
        _log.debug("%s %s", self.client_address[0], format % args)
