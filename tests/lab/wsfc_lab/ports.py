"""Ports for a lab that no other program holds on any of its addresses.

Every node of a lab listens on the same two ports, each on its own loopback address, so a
port is only usable when it is free on all of them.
"""

from __future__ import annotations

import socket


def free_port_pair(addresses: list[str]) -> tuple[int, int]:
    """Two distinct ports (HTTP, HTTPS) free on every address."""
    found: list[int] = []
    while len(found) < 2:
        with socket.socket() as probe:
            probe.bind((addresses[0], 0))
            port = probe.getsockname()[1]
        try:
            for address in addresses[1:]:
                with socket.socket() as other:
                    other.bind((address, port))
        except OSError:
            continue
        if port not in found:
            found.append(port)
    return found[0], found[1]
