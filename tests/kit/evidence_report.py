"""The validation kit's report, from the evidence its callback wrote.

The evidence (tests/integration/targets/setup_clusterdb_kit/callback_plugins/
clusterdb_kit_evidence.py) is JSON lines: a "play" record when a play starts and a "task"
record per task result, each with its step (an integration target, or a step of the
real_cluster scenario). The report groups them by step: what each task returned and how long
it took, the cluster's state before and after the step (the first and the last cluster_info
result on each node; the targets name them "Cluster state before" and "Cluster state
after"), and the raw Windows output that the collection's parsers read (wbadmin's text),
which is what settles the facts docs/windows-behaviour.md marks unconfirmed.

Everything written goes through a Redactor with the inventory's credentials once more, so
that a report is safe to attach to a bug report even if a record escaped the callback's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

REDACTED = "<redacted>"
STATE_ACTION = "wsfc.clusterdb.cluster_info"
STATE_BEFORE = "Cluster state before"
STATE_AFTER = "Cluster state after"
FAILED = {"failed", "unreachable"}
# Raw output of Windows programs in the module results, by the key that holds it.
WINDOWS_OUTPUT_KEYS = ("route_output", "versions_output", "items_outputs")


class Redactor:
    """Replaces credentials in every string: passwords anywhere, user names as names."""

    def __init__(self, passwords: Iterable[str] = (), users: Iterable[str] = ()) -> None:
        self.passwords = sorted({p for p in passwords if p}, key=len, reverse=True)
        names: set[str] = set()
        for user in users:
            if not user:
                continue
            names.add(user)
            if "\\" in user:
                names.add(user.rsplit("\\", 1)[1])
            if "@" in user:
                names.add(user.split("@", 1)[0])
        self.users = [
            re.compile(r"(?<![A-Za-z0-9_])" + re.escape(n) + r"(?![A-Za-z0-9_])", re.IGNORECASE)
            for n in sorted((n for n in names if n), key=len, reverse=True)
        ]

    def text(self, value: str) -> str:
        for password in self.passwords:
            value = value.replace(password, REDACTED)
        for pattern in self.users:
            value = pattern.sub(REDACTED, value)
        return value

    def value(self, value: Any) -> Any:  # noqa: ANN401
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {self.text(str(k)): self.value(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.value(v) for v in value]
        return value


def read_evidence(paths: Iterable[Path]) -> list[dict[str, Any]]:
    """Every record of the evidence files that exist, in their order."""
    records: list[dict[str, Any]] = []
    for path in paths:
        if not path.is_file():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                records.append(json.loads(line))
    return records


@dataclass
class Step:
    name: str
    kind: str  # "target" or "scenario"
    plays: list[dict[str, Any]] = field(default_factory=list)
    tasks: list[dict[str, Any]] = field(default_factory=list)
    outcome: str | None = None  # set by the runner: "passed", "failed", "not run"
    reason: str = ""

    @property
    def started(self) -> str | None:
        times = [p["time"] for p in self.plays] + [t["started"] for t in self.tasks]
        return min(times) if times else None

    @property
    def ended(self) -> str | None:
        times = [t["ended"] for t in self.tasks] + [p["time"] for p in self.plays]
        return max(times) if times else None

    @property
    def duration(self) -> float | None:
        if self.started is None or self.ended is None:
            return None
        seconds = datetime.fromisoformat(self.ended) - datetime.fromisoformat(self.started)
        return round(seconds.total_seconds(), 1)

    @property
    def failed_tasks(self) -> list[dict[str, Any]]:
        return [t for t in self.tasks if t["status"] in FAILED]

    @property
    def status(self) -> str:
        if self.outcome is not None:
            return self.outcome
        # A step whose plays started but that recorded no task result proves nothing (the
        # evidence callback failed, or every task was left out).
        return "failed" if self.failed_tasks or not self.tasks else "passed"


def group_steps(records: Iterable[dict[str, Any]]) -> list[Step]:
    steps: dict[str, Step] = {}
    for record in records:
        name = record["step"]
        kind = "scenario" if " " in name else "target"
        step = steps.setdefault(name, Step(name, kind))
        (step.plays if record["kind"] == "play" else step.tasks).append(record)
    return list(steps.values())


def state_summary(result: Mapping[str, Any]) -> dict[str, Any]:
    """What a cluster_info result says of the cluster, in short."""
    configuration = result.get("configuration") or {}
    quorum = result.get("quorum") or {}
    version = result.get("configuration_version") or {}
    return {
        "node_name": result.get("node_name"),
        "cluster": (result.get("cluster") or {}).get("name"),
        "nodes": {n["name"]: n["state"] for n in result.get("nodes") or []},
        "service": (result.get("cluster_service") or {}).get("state"),
        "paxos_tag": version.get("paxos_tag"),
        "fingerprint": result.get("configuration_fingerprint") or None,
        "groups": sorted(g["name"] for g in configuration.get("groups") or []),
        "quorum": quorum.get("type"),
        "witness": (quorum.get("witness") or {}).get("type"),
        "core_group_owner": result.get("core_group_owner"),
    }


def _states(step: Step, name: str, *, last: bool) -> dict[str, dict[str, Any]]:
    reads = [t for t in step.tasks if t["action"] == STATE_ACTION and t["status"] == "ok"]
    named = [t for t in reads if t["task"] == name]
    chosen = named or reads
    by_host: dict[str, dict[str, Any]] = {}
    for task in reversed(chosen) if not last else chosen:
        by_host[task["host"]] = state_summary(task["result"])
    return dict(sorted(by_host.items()))


def states_before(step: Step) -> dict[str, dict[str, Any]]:
    return _states(step, STATE_BEFORE, last=False)


def states_after(step: Step) -> dict[str, dict[str, Any]]:
    return _states(step, STATE_AFTER, last=True)


def _outputs(value: Any, path: str) -> Iterator[tuple[str, str]]:  # noqa: ANN401
    if isinstance(value, Mapping):
        for key, item in value.items():
            here = f"{path}.{key}" if path else str(key)
            if key in WINDOWS_OUTPUT_KEYS:
                if isinstance(item, Mapping):
                    for sub, text in item.items():
                        if isinstance(text, str) and text.strip():
                            yield f"{here}[{sub}]", text
                elif isinstance(item, str) and item.strip():
                    yield here, item
            else:
                yield from _outputs(item, here)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _outputs(item, f"{path}[{index}]")


def windows_output(steps: Sequence[Step]) -> list[dict[str, str]]:
    """The raw text of Windows programs in the results, each text once."""
    seen: set[str] = set()
    found = []
    for step in steps:
        for task in step.tasks:
            for where, text in _outputs(task["result"], ""):
                if text in seen:
                    continue
                seen.add(text)
                found.append(
                    {"step": step.name, "task": task["task"], "host": task["host"], "field": where,
                     "text": text}
                )  # fmt: skip
    return found


def report_data(steps: Sequence[Step], kit: Mapping[str, Any]) -> dict[str, Any]:
    failed = [s.name for s in steps if s.status == "failed"]
    first = next((t for s in steps for t in s.tasks if t["action"] == STATE_ACTION), None)
    cluster = None
    if first is not None:
        result = first["result"]
        cluster = {
            "name": (result.get("cluster") or {}).get("name"),
            "id": (result.get("cluster") or {}).get("id"),
            "os": result.get("os"),
            "nodes": [n["name"] for n in result.get("nodes") or []],
            "quorum": (result.get("quorum") or {}).get("type"),
            "witness": ((result.get("quorum") or {}).get("witness") or {}).get("type"),
        }
    return {
        "result": "failed" if failed else "passed",
        "failed_steps": failed,
        "kit": dict(kit),
        "cluster": cluster,
        "steps": [
            {
                "name": s.name,
                "kind": s.kind,
                "status": s.status,
                "reason": s.reason,
                "started": s.started,
                "ended": s.ended,
                "duration_seconds": s.duration,
                "task_count": len(s.tasks),
                "module_seconds": round(sum(t["duration"] for t in s.tasks), 1),
                "state_before": states_before(s),
                "state_after": states_after(s),
                "failed_tasks": [t["task"] for t in s.failed_tasks],
                "tasks": s.tasks,
            }
            for s in steps
        ],
        "windows_output": windows_output(steps),
    }


def _cell(value: Any) -> str:  # noqa: ANN401
    text = value if isinstance(value, str) else json.dumps(value)
    return text.replace("|", "\\|").replace("\n", " ")


def _state_table(title: str, states: Mapping[str, Mapping[str, Any]]) -> list[str]:
    if not states:
        return [f"{title}: not read.", ""]
    lines = [
        f"{title}:",
        "",
        "| host | node | nodes | PaxosTag | fingerprint | groups | quorum |",
        "|---|---|---|---|---|---|---|",
    ]
    for host, state in states.items():
        nodes = ", ".join(f"{n} {s}" for n, s in state["nodes"].items())
        fingerprint = (state["fingerprint"] or "")[:12]
        lines.append(
            f"| {_cell(host)} | {_cell(state['node_name'])} | {_cell(nodes)} | "
            f"{_cell(state['paxos_tag'])} | {fingerprint} | {_cell(', '.join(state['groups']))} | "
            f"{_cell(state['quorum'])} ({_cell(state['witness'])}) |"
        )
    return [*lines, ""]


def _task_line(task: Mapping[str, Any]) -> str:
    result = task["result"]
    note = result.get("msg") or ""
    mode = " (check mode)" if task.get("check_mode") else ""
    changed = "changed" if result.get("changed") else ""
    return (
        f"| {_cell(task['task'])}{mode} | {_cell(task['host'])} | {task['status']} | {changed} | "
        f"{task['duration']:.1f} | {_cell(str(note)[:300])} |"
    )


def markdown(data: Mapping[str, Any]) -> str:
    kit = data["kit"]
    cluster = data["cluster"] or {}
    lines = [
        "# wsfc.clusterdb validation kit: evidence report",
        "",
        f"Result: **{data['result']}**"
        + (f" (failed: {', '.join(data['failed_steps'])})" if data["failed_steps"] else ""),
        "",
        f"- cluster: {cluster.get('name')} ({', '.join(cluster.get('nodes') or [])}), "
        f"{(cluster.get('os') or {}).get('name')} {(cluster.get('os') or {}).get('version')}, "
        f"quorum {cluster.get('quorum')} ({cluster.get('witness')} witness)",
    ]
    lines += [f"- {key}: {_cell(value)}" for key, value in kit.items()]
    lines += [
        "",
        "| step | result | seconds | tasks | failed tasks |",
        "|---|---|---|---|---|",
    ]
    for step in data["steps"]:
        reason = f" ({step['reason']})" if step["reason"] else ""
        lines.append(
            f"| {step['name']} | {step['status']}{_cell(reason)} | {step['duration_seconds']} | "
            f"{step['task_count']} | {_cell(', '.join(step['failed_tasks']))} |"
        )
    for step in data["steps"]:
        lines += ["", f"## {step['name']}: {step['status']}", ""]
        if step["reason"]:
            lines += [step["reason"], ""]
        if not step["tasks"]:
            continue
        lines += [f"From {step['started']} to {step['ended']} ({step['duration_seconds']} s).", ""]
        lines += _state_table("State before", step["state_before"])
        lines += _state_table("State after", step["state_after"])
        lines += [
            "| task | host | status | | seconds | message |",
            "|---|---|---|---|---|---|",
        ]
        lines += [_task_line(t) for t in step["tasks"]]
        for task in step["tasks"]:
            if task["status"] in FAILED:
                lines += [
                    "",
                    f"<details><summary>{task['task']} on {task['host']}: the result</summary>",
                    "",
                    "```json",
                    json.dumps(task["result"], indent=2, sort_keys=True),
                    "```",
                    "</details>",
                ]
    if data["windows_output"]:
        lines += ["", "## Windows output, as the nodes printed it", ""]
        for item in data["windows_output"]:
            lines += [
                f"{item['step']} / {item['task']} on {item['host']}: `{item['field']}`",
                "",
                "```",
                item["text"].replace("\r\n", "\n").rstrip(),
                "```",
                "",
            ]
    return "\n".join(lines).rstrip() + "\n"


def write_report(
    steps: Sequence[Step], kit: Mapping[str, Any], directory: Path, redactor: Redactor
) -> tuple[Path, Path]:
    """report.json and report.md in `directory`, every string redacted."""
    data = redactor.value(report_data(steps, kit))
    directory.mkdir(parents=True, exist_ok=True)
    as_json = directory / "report.json"
    as_json.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    as_markdown = directory / "report.md"
    as_markdown.write_text(redactor.text(markdown(data)), encoding="utf-8")
    return as_json, as_markdown
