"""Windows paths on simulated hosts, mapped onto real directories under the lab directory.

- `C:\\Backups\\x` on node N1 is `<lab>/fs/N1/C/Backups/x`; any volume the node lists in
  the state (C by default) lives beside it. A cluster disk's drive letter (the witness
  disk, Q: say) resolves only on the node that owns the disk, to `<lab>/disks/<number>`.
- `\\\\fs01\\share\\x` resolves through the share table to the server's local path;
  `\\\\N1\\C$\\x` is the administrative share of N1's C: volume. The host may be given by
  name, FQDN or address.
- Components match existing entries case-insensitively, as Windows does; new components
  keep the case they were given. `..` may not climb above the volume or share root.
- The second hop: when the state carries the Logon of a module run (world/acl.py) and
  that session has no credentials for other computers, a UNC path to another host is
  refused with ERROR_ACCESS_DENIED (5), as the file server refuses a connection that
  brings no credentials (docs/windows-behaviour.md#second-hop).
"""

from __future__ import annotations

import re
from pathlib import Path

from wsfc_lab.world.state_view import StateView
from wsfc_lab.world.windows_errors import (
    ERROR_ACCESS_DENIED,
    ERROR_BAD_NET_NAME,
    ERROR_BAD_NETPATH,
    ERROR_PATH_NOT_FOUND,
    WindowsError,
)

_DRIVE = re.compile(r"^([A-Za-z]):\\?(.*)$", re.DOTALL)
_ADMIN_SHARE = re.compile(r"^([A-Za-z])\$$")


def resolve_path(state: StateView, node: str, windows_path: str) -> Path:
    """The real path behind `windows_path` as seen from host `node`."""
    text = _normalise(windows_path)
    if text.startswith("\\\\"):
        # An unknown server fails first (53: the name does not resolve); a session that
        # brings no credentials is refused before the share is looked up (67). The order
        # of 5 and 67 is the lab's choice, *unconfirmed*.
        _check_second_hop(state, node, text)
        return _resolve_unc(state, text)
    host = state.host_name(node)
    if host is None:
        raise WindowsError(ERROR_BAD_NETPATH, f"No host named {node}")
    return _resolve_local(state, host, text, windows_path)


def host_root(state: StateView, host: str) -> Path:
    return state.lab_dir / "fs" / host


def _normalise(path: str) -> str:
    text = path.replace("/", "\\")
    if text.upper().startswith("\\\\?\\UNC\\"):
        return "\\\\" + text[8:]
    if text.startswith("\\\\?\\"):
        return text[4:]
    return text


def _resolve_unc(state: StateView, text: str) -> Path:
    parts = text[2:].split("\\")
    if len(parts) < 2 or not parts[0] or not parts[1]:
        raise WindowsError(ERROR_BAD_NETPATH, f"Not a UNC path with a share: {text}")
    host = state.host_name(parts[0])
    if host is None:
        raise WindowsError(ERROR_BAD_NETPATH, f"The network path was not found: {text}")
    share_name, rest = parts[1], parts[2:]
    admin = _ADMIN_SHARE.match(share_name)
    if admin:
        share_root = f"{admin[1].upper()}:\\"
    else:
        share = state.shares.get(host, {}).get(share_name.lower())
        if share is None:
            raise WindowsError(
                ERROR_BAD_NET_NAME, f"The share \\\\{host}\\{share_name} does not exist"
            )
        share_root = share["path"]
    root = _resolve_local(state, host, share_root, text)
    return _descend(root, rest, text)


def _check_second_hop(state: StateView, node: str, text: str) -> None:
    """ERROR_ACCESS_DENIED when the module run's session on `node` has no credentials to
    present to the UNC path's server (docs/windows-behaviour.md#second-hop).

    Only paths opened from the session's own host are its hops: another host resolving a
    path within the same run (the Cluster service on the quorum owner writing a clusapi
    backup) acts with its own identity. A UNC path whose server is the session's host
    itself (`\\\\NODE1\\C$` from NODE1, by name, FQDN or address) is treated by the lab as
    local access and allowed: whether Windows counts such a loopback as a second hop is
    *unconfirmed* (the facts page, second-hop status (3)).
    """
    logon = state.logon
    if logon is None or logon.network_credentials:
        return
    here = state.host_name(node)
    if here is None or here != state.host_name(logon.node):
        return
    server = state.host_name(text[2:].split("\\")[0])
    if server is None or server == here:
        return
    raise WindowsError(
        ERROR_ACCESS_DENIED,
        f"Access to the path '{text}' is denied. (lab: {logon.description} on {here} has "
        f"no credentials to present to {server}; the second hop needs become with runas, "
        "Kerberos delegation or CredSSP)",
    )


def _resolve_local(state: StateView, host: str, text: str, original: str) -> Path:
    match = _DRIVE.match(text)
    if not match:
        raise WindowsError(ERROR_PATH_NOT_FOUND, f"Not an absolute Windows path: {original}")
    letter = match[1].upper()
    root = _volume_root(state, host, letter, original)
    return _descend(root, match[2].split("\\"), original)


def _volume_root(state: StateView, host: str, letter: str, original: str) -> Path:
    for disk in state.disks.values():
        if disk["drive_letter"] == letter:
            if disk["owner_node"] == host:
                return state.lab_dir / "disks" / str(disk["number"])
            raise WindowsError(
                ERROR_PATH_NOT_FOUND,
                f"{letter}: is the cluster disk {disk['name']}, online on "
                f"{disk['owner_node']}, not on {host}: {original}",
            )
    record = state.data["hosts"][host]
    volumes = state.data["nodes"][host]["volumes"] if record["kind"] == "node" else None
    if volumes is not None and letter not in volumes:
        raise WindowsError(ERROR_PATH_NOT_FOUND, f"{host} has no volume {letter}: ({original})")
    return host_root(state, host) / letter


def _descend(root: Path, components: list[str], original: str) -> Path:
    """Walk `components` below `root`, matching existing names case-insensitively."""
    wanted: list[str] = []
    for component in components:
        if component in ("", "."):
            continue
        if component == "..":
            if not wanted:
                raise WindowsError(
                    ERROR_ACCESS_DENIED, f"The path climbs above its root: {original}"
                )
            wanted.pop()
            continue
        wanted.append(component)
    current = root
    for component in wanted:
        current = current / _existing_name(current, component)
    return current


def _existing_name(directory: Path, component: str) -> str:
    if (directory / component).exists() or not directory.is_dir():
        return component
    lowered = component.lower()
    for entry in directory.iterdir():
        if entry.name.lower() == lowered:
            return entry.name
    return component
