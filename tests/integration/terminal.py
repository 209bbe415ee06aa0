"""Runs a command on a pseudo-terminal and answers a prompt, as an operator at a console."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import subprocess
import termios
import time
from dataclasses import dataclass
from pathlib import Path

TYPING_DELAY = 1.0


def _take_the_terminal() -> None:
    """In the child, after setsid: make stdin (the pty) the session's controlling terminal,
    as a login console is; Ansible's prompt reads the controlling terminal."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


@dataclass(frozen=True)
class TerminalRun:
    rc: int
    output: str
    answered: bool


def answer_on_terminal(
    command: list[str],
    *,
    prompt: str,
    answer: str,
    env: dict[str, str],
    cwd: Path,
    timeout: float = 300,
) -> TerminalRun:
    """Runs `command` with a terminal as stdin/stdout; types `answer` when `prompt` shows."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        command, stdin=terminal, stdout=terminal, stderr=terminal, env=env, cwd=cwd,
        start_new_session=True, preexec_fn=_take_the_terminal,
    )  # fmt: skip
    os.close(terminal)
    seen = b""
    answered = False
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _unused_w, _unused_x = select.select([controller], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(controller, 65536)
                except OSError:  # EIO: every writer of the terminal has closed it
                    break
                if not chunk:
                    break
                seen += chunk
                if not answered and prompt.encode() in seen:
                    # Type as a person does, once the prompt is up: Ansible switches the
                    # terminal's mode after printing it, which discards what came before.
                    time.sleep(TYPING_DELAY)
                    os.write(controller, answer.encode() + b"\r")
                    answered = True
            elif process.poll() is not None:
                break
        else:
            process.kill()
            raise TimeoutError(f"{command[0]} still running after {timeout} s:\n{seen.decode()}")
        return TerminalRun(process.wait(timeout=30), seen.decode(errors="replace"), answered)
    finally:
        os.close(controller)
