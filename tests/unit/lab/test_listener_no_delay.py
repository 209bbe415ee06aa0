"""The lab's WinRM listener sends each reply without waiting for the client's delayed
acknowledgement: every accepted connection has TCP_NODELAY set (the reply's headers and
body go out in two sends, and with Nagle's algorithm the second waits for the ACK of the
first). The round trip it saves is measured by benchmarks/lab_round_trip.py, not here."""

from __future__ import annotations

import http.client
import socket
from collections.abc import Callable

from conftest import RunningEndpoint


def test_every_accepted_connection_sends_without_nagle(
    start_endpoint: Callable[..., RunningEndpoint],
) -> None:
    running = start_endpoint()
    host, port = running.address, running.endpoint.ports[0]
    client = http.client.HTTPConnection(host, port, timeout=5)
    try:
        client.request("POST", "/wsman", body=b"", headers={"Content-Type": "application/soap+xml"})
        reply = client.getresponse()
        reply.read()
        assert reply.status == 401  # no credentials: the server answered
        listener = running.endpoint._listeners[0]
        with listener._connections_lock:
            connections = list(listener._connections)
        assert connections, "the connection was not kept open (HTTP/1.1 keep-alive)"
        for connection in connections:
            assert connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
    finally:
        client.close()
