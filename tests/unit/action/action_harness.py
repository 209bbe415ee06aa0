"""A collection action plugin built the way Ansible builds it for a task, the node left out:
the task and the connection are stand-ins, and `_execute_module`, the one way a plugin
reaches a node, is whatever the test gives (a scripted node, a fake)."""

from __future__ import annotations

import typing as t
from types import SimpleNamespace

from ansible.plugins.action import ActionBase

Action = t.TypeVar("Action", bound=ActionBase)


def make_action(
    action_class: type[Action],
    name: str,
    args: dict[str, t.Any],
    execute_module: t.Callable[..., dict[str, t.Any]] | None = None,
    *,
    check_mode: bool = False,
    diff: bool = False,
) -> Action:
    """The plugin for a task of wsfc.clusterdb.<name> with these arguments. A plugin that
    runs no module on the node needs no `execute_module`."""
    task = SimpleNamespace(args=args, async_val=0, check_mode=check_mode, diff=diff, action=name)
    connection = SimpleNamespace(_shell=SimpleNamespace(tmpdir="/tmp/unused"))
    action = action_class(task, connection, None, None, None)
    action._load_name = f"wsfc.clusterdb.{name}"
    if execute_module is not None:
        action._execute_module = execute_module  # type: ignore[method-assign]
    return action
