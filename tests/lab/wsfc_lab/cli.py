"""`wsfc-lab`: run the simulated failover cluster from a shell.

  wsfc-lab start -f tests/lab/examples/three-node.yml -d /tmp/lab
  wsfc-lab status -d /tmp/lab [--json]
  wsfc-lab fault fail NODE1 Stop-ClusterNode 5 --count 1 -d /tmp/lab
  wsfc-lab clear -d /tmp/lab
  wsfc-lab change parameter set "Cluster Name" Description "hello" -d /tmp/lab
  wsfc-lab node kill NODE2 -d /tmp/lab
  wsfc-lab stop -d /tmp/lab

-d defaults to $WSFC_LAB_DIR.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

import yaml

from wsfc_lab.lab import Lab, LabError
from wsfc_lab.spec import SpecError, load_spec
from wsfc_lab.world import ConfigChange, ConfigurationError, WindowsError
from wsfc_lab.world.windows_errors import ERROR_NAMES


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.lab_dir is None:
        parser.error("give the lab directory with -d DIR (or set WSFC_LAB_DIR)")
    lab = Lab(args.lab_dir)
    try:
        return int(args.handler(lab, args) or 0)
    except (LabError, SpecError, ConfigurationError, WindowsError, ValueError) as error:
        print(f"wsfc-lab: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `wsfc-lab status | head`: the reader left early
        sys.stderr.close()
        return 0


# -- commands -------------------------------------------------------------------------------


def _start(lab: Lab, args: argparse.Namespace) -> int:
    if args.file is not None and (args.replace or not lab.exists()):
        lab.create(load_spec(args.file), replace=args.replace, kerberos=args.kerberos, ssh=args.ssh)
    elif args.file is not None:
        print(f"a lab exists in {lab.lab_dir}; starting it as it is (--replace rebuilds it)")
    lab.start()
    print(render_status(lab.status()))
    return 0


def _status(lab: Lab, args: argparse.Namespace) -> int:
    status = lab.status()
    print(json.dumps(status, indent=2) if args.json else render_status(status))
    return 0


def _fault(lab: Lab, args: argparse.Namespace) -> int:
    options: dict[str, Any] = {}
    kind = args.kind.replace("-", "_")
    if kind == "slow":
        options["seconds"] = args.seconds
    elif kind == "fail":
        options.update(
            operation=args.operation, code=_error_code(args.code), count=args.count,
            message=args.message, passes=args.passes,
        )  # fmt: skip
    elif kind == "disk_full":
        options.update(path=args.path, budget=args.budget)
    elif kind == "corrupt":
        options.update(path=args.path, flips=args.flips)
    touched = lab.inject(kind, args.node, **options)
    for name in touched:
        print(f"corrupted {name}")
    print(f"{kind} injected on {args.node}")
    return 0


def _clear(lab: Lab, args: argparse.Namespace) -> int:
    kinds = [k.replace("-", "_") for k in args.kinds] or None
    cleared = lab.clear_faults(kinds)
    print("\n".join(f"cleared {c}" for c in cleared) or "no faults to clear")
    return 0


def _change(lab: Lab, args: argparse.Namespace) -> int:
    if args.what == "latency":
        lab.set_latency(args.operation, args.seconds)
        print(f"latency {args.operation} = {args.seconds}s")
        return 0
    if args.what == "service":
        state = lab.service(
            args.node,
            args.action,
            force_quorum=args.force_quorum,
            prevent_quorum=args.prevent_quorum,
        )
        done = "started" if args.action == "start" else "stopped"
        print(f"{args.node}: Cluster service {done}, node {state}")
        return 0
    tag = lab.change(_config_change(args), node=args.on)
    print(f"configuration changed; PaxosTag {tag}")
    return 0


def _node(lab: Lab, args: argparse.Namespace) -> int:
    if args.action == "kill":
        lab.kill_node(args.name)
        print(f"{args.name} killed (crash); start it with `wsfc-lab node start {args.name}`")
    else:
        lab.start_node(args.name)
        print(f"{args.name} started")
    return 0


def _stop(lab: Lab, args: argparse.Namespace) -> int:
    lab.stop()
    print(f"lab in {lab.lab_dir} stopped; its state stays on disk")
    return 0


def _inventory(lab: Lab, args: argparse.Namespace) -> int:
    path = lab.write_inventory()
    print(path if args.path_only else path.read_text(encoding="utf-8"), end="\n")
    return 0


# -- helpers --------------------------------------------------------------------------------


def _config_change(args: argparse.Namespace) -> ConfigChange:
    fields: dict[str, Any] = {}
    if args.what == "parameter":
        fields["name"] = args.parameter
        if args.action == "set":
            if args.value is None:
                raise ValueError("a parameter set needs a value")
            fields["value"] = yaml.safe_load(args.value)
        return ConfigChange("parameter", args.action, args.name, fields)
    for option, key in (
        ("owner", "owner_node"),
        ("type", "type"),
        ("group", "group"),
        ("role", "role"),
        ("address", "address"),
        ("mask", "address_mask"),
        ("state", "state"),
    ):
        value = getattr(args, option, None)
        if value is not None:
            fields[key] = value
    if getattr(args, "depends_on", None):
        fields["dependencies"] = args.depends_on
    if getattr(args, "possible_owners", None):
        fields["possible_owners"] = args.possible_owners
    if getattr(args, "remove_resources", False):
        fields["remove_resources"] = True
    return ConfigChange(args.what, args.action, args.name, fields)


def _error_code(text: str) -> int:
    if text.isdigit():
        return int(text)
    by_name = {name: code for code, name in ERROR_NAMES.items()}
    if text.upper() in by_name:
        return by_name[text.upper()]
    raise ValueError(f"not a Win32 error code or known name: {text!r}")


def render_status(status: dict[str, Any]) -> str:
    cluster, quorum = status["cluster"], status["quorum"]
    formed = "formed" if cluster["formed"] else "NOT formed"
    if cluster["forced"]:
        formed += " (forced quorum)"
    lines = [
        f"cluster {cluster['name']}.{cluster['domain']}: {formed}, "
        f"PaxosTag {cluster['paxos_tag'] or '-'}",
        f"quorum: {quorum['votes']} of {quorum['total']} votes present, "
        f"{quorum['majority']} needed; witness {quorum['witness']}"
        + (f" ({quorum['witness_paxos_tag']})" if quorum["witness_paxos_tag"] else ""),
        "",
    ]
    header = ("NODE", "ADDRESS", "OS", "PROCESS", "SERVICE", "STATE", "PAXOSTAG")
    rows = [header]
    for node in status["nodes"]:
        process = f"alive {node['pid']}" if node["process_alive"] else "dead"
        if node["power"] != "on":
            process = "crashed"
        rows.append(
            (
                node["name"],
                node["address"],
                node["os_release"],
                process,
                node["service"],
                node["state"],
                node["paxos_tag"] or "-",
            )
        )
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(header))]
    lines += [
        "  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    if status["faults"]:
        lines += ["", "faults:"] + [f"  {f}" for f in status["faults"]]
    if status["latencies"]:
        lines += [
            "",
            "latencies: " + ", ".join(f"{k}={v}s" for k, v in status["latencies"].items()),
        ]
    events = list(status["events"])[-3:]
    if events:
        lines += ["", "recent events:"] + [
            f"  {e['id']} {e['node']}: {e['message']}" for e in events
        ]
    lines += ["", f"inventory: {status['inventory']}"]
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "-d", "--dir", dest="lab_dir", type=Path, default=os.environ.get("WSFC_LAB_DIR"),
        help="the lab directory (default: $WSFC_LAB_DIR)",
    )  # fmt: skip
    parser = argparse.ArgumentParser(
        prog="wsfc-lab", description="A simulated Windows Server failover cluster over WinRM."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    start = commands.add_parser("start", parents=[common], help="create (from -f) and start")
    start.add_argument("-f", "--file", type=Path, help="the lab description (YAML)")
    start.add_argument("--replace", action="store_true", help="rebuild an existing lab")
    start.add_argument(
        "--kerberos",
        action="store_true",
        help="with -f: a KDC for the lab's domain, its nodes accept Kerberos (docs/lab.md)",
    )
    start.add_argument(
        "--ssh",
        action="store_true",
        help="with -f: an sshd on the nodes' addresses, each node an OpenSSH host (docs/lab.md)",
    )
    start.set_defaults(handler=_start)

    status = commands.add_parser("status", parents=[common], help="nodes, quorum, faults")
    status.add_argument("--json", action="store_true")
    status.set_defaults(handler=_status)

    fault = commands.add_parser("fault", help="inject a fault")
    kinds = fault.add_subparsers(dest="kind", required=True)
    for name, help_text in (("unreachable", "endpoints refuse connections"),
                            ("crash", "kill the node's process")):  # fmt: skip
        kinds.add_parser(name, parents=[common], help=help_text).add_argument("node")
    slow = kinds.add_parser("slow", parents=[common], help="delay every WinRM reply")
    slow.add_argument("node")
    slow.add_argument("seconds", type=float)
    fail = kinds.add_parser("fail", parents=[common], help="fail an operation with a code")
    fail.add_argument("node", help="a node, or * for every node")
    fail.add_argument("operation", help="e.g. Stop-ClusterNode, or * for every operation")
    fail.add_argument("code", help="a Win32 code, e.g. 5 or ERROR_ACCESS_DENIED")
    fail.add_argument("--count", type=int, default=None, help="fail this many times only")
    fail.add_argument("--message")
    fail.add_argument("--passes", type=int, default=0, help="let the first N calls succeed")
    disk_full = kinds.add_parser(
        "disk-full", parents=[common], help="ERROR_DISK_FULL after N bytes"
    )
    disk_full.add_argument("node")
    disk_full.add_argument("path", help=r"a volume (C:) or share (\\fs01\share)")
    disk_full.add_argument("budget", type=int, help="bytes that may still be written")
    corrupt = kinds.add_parser("corrupt", parents=[common], help="flip bytes in files")
    corrupt.add_argument("node")
    corrupt.add_argument("path")
    corrupt.add_argument("--flips", type=int, default=1, help="bytes flipped per file")
    fault.set_defaults(handler=_fault)

    clear = commands.add_parser("clear", parents=[common], help="clear faults (all by default)")
    clear.add_argument("kinds", nargs="*", help="only these kinds (crash restarts the node)")
    clear.set_defaults(handler=_clear)

    change = commands.add_parser("change", help="change the configuration, service, latency")
    whats = change.add_subparsers(dest="what", required=True)
    for what in ("group", "resource", "network"):
        sub = whats.add_parser(what, parents=[common], help=f"set or remove a {what}")
        sub.add_argument("action", choices=("set", "remove"))
        sub.add_argument("name")
        sub.add_argument("--on", help="the node the change is made on (default: a member)")
        sub.add_argument("--state")
        if what == "group":
            sub.add_argument("--owner")
            sub.add_argument("--remove-resources", action="store_true")
        if what == "resource":
            sub.add_argument("--type")
            sub.add_argument("--group")
            sub.add_argument("--owner")
            sub.add_argument("--depends-on", action="append")
            sub.add_argument("--possible-owners", nargs="+")
        if what == "network":
            sub.add_argument("--role")
            sub.add_argument("--address")
            sub.add_argument("--mask")
    parameter = whats.add_parser("parameter", parents=[common], help="a resource parameter")
    parameter.add_argument("action", choices=("set", "remove"))
    parameter.add_argument("name", help="the resource")
    parameter.add_argument("parameter")
    parameter.add_argument("value", nargs="?", help="YAML scalar: 1, true, text")
    parameter.add_argument("--on")
    latency = whats.add_parser("latency", parents=[common], help="seconds an operation takes")
    latency.add_argument("operation", help="service_stop, service_start, backup, restore, ...")
    latency.add_argument("seconds", type=float)
    service = whats.add_parser("service", parents=[common], help="start/stop ClusSvc on a node")
    service.add_argument("action", choices=("start", "stop"))
    service.add_argument("node")
    quorum = service.add_mutually_exclusive_group()
    quorum.add_argument("--force-quorum", action="store_true")
    quorum.add_argument("--prevent-quorum", action="store_true")
    change.set_defaults(handler=_change)

    node = commands.add_parser("node", parents=[common], help="kill or start a node process")
    node.add_argument("action", choices=("kill", "start"))
    node.add_argument("name")
    node.set_defaults(handler=_node)

    stop = commands.add_parser("stop", parents=[common], help="stop every node process")
    stop.set_defaults(handler=_stop)

    inventory = commands.add_parser("inventory", parents=[common], help="the Ansible inventory")
    inventory.add_argument("--path-only", action="store_true")
    inventory.set_defaults(handler=_inventory)
    return parser


if __name__ == "__main__":
    sys.exit(main())
