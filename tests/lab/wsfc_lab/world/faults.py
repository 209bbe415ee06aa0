"""Injected faults, kept in the state so every node process sees them (docs/lab.md, Faults).

unreachable  [node, ...]              the node's endpoints refuse connections
crashed      [node, ...]              the node is powered off (its process is killed by
                                      the Lab); cleared by starting the node again
slow         {node: seconds}          every WinRM reply from the node is delayed
fail         [{node, operation, code, message, remaining, passes}]
                                      the operation fails with a Win32 code; node and
                                      operation may be "*"; remaining None = until cleared;
                                      the first `passes` calls succeed (a failure of the
                                      n-th call, or a proof that a call is not made again)
disk_full    [{node, path, root, budget, used}]
                                      writes under root fail with ERROR_DISK_FULL after
                                      `budget` bytes
corrupt      [{node, path, files: {file: [offsets]}}]
                                      bytes flipped (xor 0xFF) at the offsets; clearing
                                      flips them back
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from wsfc_lab.world.windows_errors import ERROR_DISK_FULL, WindowsError, system_message

if TYPE_CHECKING:
    from wsfc_lab.world.state import LabState

FAULT_KINDS = ("unreachable", "crash", "slow", "fail", "disk_full", "corrupt")


def set_unreachable(state: LabState, node: str, unreachable: bool = True) -> None:
    node = state.node_name(node)
    nodes = [n for n in state.faults.get("unreachable", []) if n != node]
    state.faults["unreachable"] = nodes + ([node] if unreachable else [])


def is_unreachable(state: LabState, node: str) -> bool:
    return state.node_name(node) in state.faults.get("unreachable", [])


def set_crashed(state: LabState, node: str, crashed: bool = True) -> None:
    """Power the node off (crash) or on; the Lab kills or starts the process to match."""
    node = state.node_name(node)
    state.node(node)["power"] = "off" if crashed else "on"
    nodes = [n for n in state.faults.get("crashed", []) if n != node]
    state.faults["crashed"] = nodes + ([node] if crashed else [])
    state.cluster.reconcile()


def set_slow(state: LabState, node: str, seconds: float) -> None:
    if seconds < 0:
        raise ValueError("a delay cannot be negative")
    node = state.node_name(node)
    slow = state.faults.setdefault("slow", {})
    if seconds:
        slow[node] = float(seconds)
    else:
        slow.pop(node, None)


def reply_delay(state: LabState, node: str) -> float:
    return float(state.faults.get("slow", {}).get(state.node_name(node), 0.0))


def add_failure(
    state: LabState,
    node: str,
    operation: str,
    code: int,
    count: int | None = None,
    message: str | None = None,
    passes: int = 0,
) -> None:
    if count is not None and count < 1:
        raise ValueError("count must be at least 1 (or None for until cleared)")
    if passes < 0:
        raise ValueError("passes cannot be negative")
    state.faults.setdefault("fail", []).append(
        {
            "node": "*" if node == "*" else state.node_name(node),
            "operation": operation,
            "code": int(code),
            "message": message,
            "remaining": count,
            "passes": int(passes),
        }
    )


def take_failure(state: LabState, node: str, operation: str) -> WindowsError | None:
    """The error an injected `fail` fault gives this operation now (using up one count)."""
    failures: list[dict[str, Any]] = state.faults.get("fail", [])
    for failure in failures:
        if failure["node"] not in ("*", node):
            continue
        if failure["operation"] != "*" and failure["operation"].lower() != operation.lower():
            continue
        if failure.get("passes"):
            failure["passes"] -= 1
            return None
        if failure["remaining"] is not None:
            failure["remaining"] -= 1
            if failure["remaining"] <= 0:
                failures.remove(failure)
        message = failure["message"] or f"{operation}: {system_message(failure['code'])}"
        return WindowsError(failure["code"], message)
    return None


def add_disk_full(state: LabState, node: str, windows_path: str, budget: int) -> None:
    if budget < 0:
        raise ValueError("the byte budget cannot be negative")
    root = state.resolve_path(node, windows_path)
    state.faults.setdefault("disk_full", []).append(
        {
            "node": state.host_name(node) or node,
            "path": windows_path,
            "root": str(root.relative_to(state.lab_dir)),
            "budget": int(budget),
            "used": 0,
        }
    )


def charge_write(state: LabState, target: Path, nbytes: int) -> None:
    """Count `nbytes` written to the real path `target` against any disk_full budget."""
    relative = target.relative_to(state.lab_dir)
    for fault in state.faults.get("disk_full", []):
        root = Path(fault["root"])
        if relative != root and root not in relative.parents:
            continue
        if fault["used"] + nbytes > fault["budget"]:
            raise WindowsError(
                ERROR_DISK_FULL, f"There is not enough space on the disk ({fault['path']})"
            )
        fault["used"] += nbytes


def corrupt(state: LabState, node: str, windows_path: str, flips_per_file: int = 1) -> list[str]:
    """Flip bytes in every file under the path; returns the Windows-relative files touched."""
    if flips_per_file < 1:
        raise ValueError("flip at least one byte per file")
    root = state.resolve_path(node, windows_path)
    files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    touched: dict[str, list[int]] = {}
    for path in files:
        size = path.stat().st_size
        if size == 0:
            continue
        offsets = sorted({(i + 1) * size // (flips_per_file + 1) for i in range(flips_per_file)})
        offsets = [min(o, size - 1) for o in offsets]
        _flip(path, offsets)
        touched[str(path.relative_to(state.lab_dir))] = offsets
    state.faults.setdefault("corrupt", []).append(
        {"node": state.host_name(node) or node, "path": windows_path, "files": touched}
    )
    return [str(Path(f).relative_to(root.relative_to(state.lab_dir))) for f in touched]


def _flip(path: Path, offsets: list[int]) -> None:
    with path.open("r+b") as handle:
        for offset in offsets:
            handle.seek(offset)
            byte = handle.read(1)
            if not byte:
                continue
            handle.seek(offset)
            handle.write(bytes([byte[0] ^ 0xFF]))


def clear(state: LabState, kinds: list[str] | None = None) -> list[str]:
    """Clear faults of the given kinds (all by default); returns what was cleared.

    Crashed nodes are powered on again; their processes are the Lab's to start.
    """
    kinds = list(FAULT_KINDS) if kinds is None else kinds
    unknown = sorted(set(kinds) - set(FAULT_KINDS))
    if unknown:
        raise ValueError(f"unknown fault kind {unknown[0]!r} (known: {', '.join(FAULT_KINDS)})")
    cleared = [line for line in describe(state) if line.split()[0] in kinds]
    if "corrupt" in kinds:
        for fault in state.faults.pop("corrupt", []):
            for relative, offsets in fault["files"].items():
                path = state.lab_dir / relative
                if path.is_file() and path.stat().st_size > max(offsets):
                    _flip(path, offsets)
    if "crash" in kinds:
        for node in list(state.faults.get("crashed", [])):
            set_crashed(state, node, False)
        state.faults.pop("crashed", None)
    for kind in ("unreachable", "slow", "fail", "disk_full"):
        if kind in kinds:
            state.faults.pop(kind, None)
    return cleared


def describe(state: LabState) -> list[str]:
    """One line per active fault, for status displays."""
    lines: list[str] = []
    faults = state.faults
    lines += [f"unreachable {n}" for n in faults.get("unreachable", [])]
    lines += [f"crash {n}" for n in faults.get("crashed", [])]
    lines += [f"slow {n} {s}s" for n, s in faults.get("slow", {}).items()]
    for f in faults.get("fail", []):
        count = "until cleared" if f["remaining"] is None else f"{f['remaining']} more"
        lines.append(f"fail {f['node']} {f['operation']} -> {f['code']} ({count})")
    for f in faults.get("disk_full", []):
        lines.append(f"disk_full {f['node']} {f['path']} used {f['used']}/{f['budget']} bytes")
    for f in faults.get("corrupt", []):
        lines.append(f"corrupt {f['node']} {f['path']} ({len(f['files'])} files)")
    return lines
