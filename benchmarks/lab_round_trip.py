"""Lab round-trip benchmark: how long one small WinRM request takes on the lab's listener,
with TCP_NODELAY as the listener sets it and without (Nagle's algorithm on).

The listener writes a reply's headers and its body in two sends. With Nagle's algorithm
the body waits until the client acknowledges the headers, and a Linux client delays that
acknowledgement by up to 40 ms, so every reply, and every module run's several replies,
paid for it. Measured: the median and 90th percentile of 30 shells opened and closed with
pywinrm (two requests each, on one keep-alive connection), both ways, on a listener
started here.

Not a test: the figures go to benchmarks/results/lab_round_trip.json and are printed.

    . scripts/bootstrap.sh && python benchmarks/lab_round_trip.py
"""

from __future__ import annotations

import json
import platform
import socket
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any
from unittest import mock

import winrm
from wsfc_lab.winrm import listener as listener_module
from wsfc_lab.winrm.certificate import generate_certificate
from wsfc_lab.winrm.server import WinRMEndpoint

RESULTS = Path(__file__).resolve().parent / "results" / "lab_round_trip.json"
REQUESTS = 30
ADDRESS = "127.0.203.1"


class _NoCommands:
    """A runner that is never asked: opening and closing a shell runs no command."""

    def needs_stdin(self, command: str, arguments: list[str]) -> bool:
        return False

    def run(self, command: str, arguments: list[str], stdin: bytes) -> Any:  # noqa: ANN401
        raise AssertionError("no command runs in this benchmark")


def _round_trips(port: int) -> list[float]:
    """Seconds per shell opened and closed (two WS-Man requests) with pywinrm, the client
    Ansible's winrm connection uses, over one keep-alive connection."""
    protocol = winrm.Protocol(
        f"http://{ADDRESS}:{port}/wsman", transport="basic", username="u", password="p"
    )
    times = []
    for _shell in range(REQUESTS):
        started = time.perf_counter()
        protocol.close_shell(protocol.open_shell())
        times.append(time.perf_counter() - started)
    return times


def _measure(no_delay: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        certificate = generate_certificate(Path(folder), ["localhost"], [ADDRESS])
        return _measure_with(no_delay, certificate)


def _measure_with(no_delay: bool, certificate: tuple[Path, Path]) -> dict[str, float]:
    endpoint = WinRMEndpoint(ADDRESS, 0, 0, _NoCommands(), {"u": "p"}, certificate)
    original = listener_module.Listener.get_request

    def without_no_delay(self: Any) -> Any:  # noqa: ANN401
        connection, client = original(self)
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 0)
        return connection, client

    patch = mock.patch.object(listener_module.Listener, "get_request", without_no_delay)
    if not no_delay:
        patch.start()
    try:
        endpoint.start()
        times = _round_trips(endpoint.ports[0])
    finally:
        endpoint.stop()
        if not no_delay:
            patch.stop()
    times.sort()
    return {
        "median_ms": round(statistics.median(times) * 1000, 2),
        "p90_ms": round(times[int(len(times) * 0.9)] * 1000, 2),
    }


def main() -> None:
    figures = {
        "shells_opened_and_closed": REQUESTS,
        "machine": platform.platform(),
        "tcp_nodelay": _measure(no_delay=True),
        "nagle": _measure(no_delay=False),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
