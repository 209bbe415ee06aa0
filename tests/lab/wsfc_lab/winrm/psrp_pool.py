"""The server side of one PowerShell runspace pool (MS-PSRP) behind a WinRM shell.

psrpcore's ServerRunspacePool and ServerPipeline read the client's fragments and write the
server's messages (session capability, application private data, runspace pool and
pipeline states, output objects, host calls); this module only moves their bytes and runs
each pipeline's script once through the node's runner:

    pool = RunspacePoolSession(runner, creation_fragments, fragment_size)
    pool.create_pipeline(command_id, first_fragment)    # WS-Man Command
    pool.send(command_id, fragments)                     # WS-Man Send (stdin or pr)
    data, done = pool.receive(command_id, budget, timeout) or (b"", False)

A pipeline runs when the client has sent all its input (EndOfPipelineInput), or at once
when it said it sends none (NoInput). The runner gets the script and the input objects as
lines: ansible-core's psrp connection hands the bootstrap payload over as the lines of
the text the winrm connection pipes into stdin (connection/psrp.py, exec_command), so
both reach the same dispatch. What the runner prints comes back as output strings, one a
line; stderr as the host's WriteErrorLine and a non-zero exit code as SetShouldExit, the
calls ansible-core's exec_wrapper.ps1 and module_wrapper.ps1 make for them
(docs/windows-behaviour.md#psrp-streams).
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
import uuid
from collections import deque
from dataclasses import dataclass, field

from psrpcore import (
    CreatePipelineEvent,
    EndOfPipelineInputEvent,
    PipelineInputEvent,
    PSRPPayload,
    ServerPipeline,
    ServerRunspacePool,
    StreamType,
)
from psrpcore.types import HostMethodIdentifier, PSInvocationState

from wsfc_lab.winrm.runner_contract import CommandResult, CommandRunner, ScriptRunner

_log = logging.getLogger(__name__)


class PsrpError(ValueError):
    """A request the pool cannot take (an unknown pipeline, a broken fragment)."""


@dataclass
class _Pipeline:
    command_id: str
    server: ServerPipeline
    inputs: list[object] = field(default_factory=list)
    created: bool = False
    started: bool = False
    finished: bool = False


def script_of(pipeline: ServerPipeline) -> str:
    """The pipeline's commands as one script: a script command as its text, a command with
    its parameters as PowerShell would read them; statements on lines of their own."""
    metadata = pipeline.metadata
    if metadata is None:
        raise PsrpError("the pipeline has no CreatePipeline message")
    statements: list[list[str]] = [[]]
    for command in metadata.commands:
        statements[-1].append(_command_text(command))
        if command.end_of_statement:
            statements.append([])
    return "\n".join(" | ".join(parts) for parts in statements if parts)


def _command_text(command: object) -> str:
    text = str(getattr(command, "command_text", ""))
    parameters = list(getattr(command, "parameters", []))
    if getattr(command, "is_script", False):
        if parameters:
            raise PsrpError(
                f"the lab does not emulate arguments to a script pipeline ({len(parameters)} given)"
            )
        return text
    words = [text]
    for name, value in parameters:
        if not isinstance(value, str) and value is not None:
            raise PsrpError(
                f"the lab does not emulate the {type(value).__name__} value of parameter "
                f"{name!r} of {text}"
            )
        if name:
            words.append(f"-{name}")
        if value is not None:
            words.append("'" + value.replace("'", "''") + "'")
    return " ".join(words)


def input_text(inputs: list[object]) -> bytes:
    """The input objects as stdin text: each a line (they are strings for ansible-core)."""
    lines = []
    for item in inputs:
        if not isinstance(item, str):
            raise PsrpError(
                f"the lab does not emulate pipeline input of type {type(item).__name__}"
            )
        lines.append(item + "\n")
    return "".join(lines).encode("utf-8")


class RunspacePoolSession:
    """One runspace pool; safe to call from the endpoint's request threads."""

    def __init__(self, runner: CommandRunner, creation: bytes, fragment_size: int) -> None:
        self._runner = runner
        self._fragment_size = max(fragment_size, 22)
        self._condition = threading.Condition()
        self._pool = ServerRunspacePool()
        self._pipelines: dict[str, _Pipeline] = {}
        self._outgoing: dict[str | None, deque[bytes]] = {None: deque()}
        with self._condition:
            self._take(creation)

    def create_pipeline(self, command_id: str, fragment: bytes) -> None:
        # The pipeline gets the id the client proposed as CommandId (*unconfirmed*: fact
        # psrp-wsman, part 1); pypsrp sends its pipeline id there.
        key = command_id.upper()
        with self._condition:
            try:
                pipeline_id = uuid.UUID(command_id)
            except ValueError as error:
                raise PsrpError(f"the CommandId {command_id!r} is not a pipeline id") from error
            self._pipelines[key] = _Pipeline(key, ServerPipeline(self._pool, pipeline_id))
            self._outgoing[key] = deque()
            self._take(fragment)

    def send(self, command_id: str | None, data: bytes) -> None:
        with self._condition:
            if command_id is not None:
                self._pipeline(command_id)
            self._take(data)

    def receive(
        self, command_id: str | None, budget: int, timeout: float
    ) -> tuple[bytes, bool] | None:
        """Fragments for the pool (None) or a pipeline, at most `budget` bytes unless one
        fragment is larger, and whether the pipeline is done; None after `timeout`."""
        deadline = time.monotonic() + timeout
        with self._condition:
            key = command_id.upper() if command_id is not None else None
            pipeline = self._pipeline(key) if key is not None else None
            queue = self._outgoing[key]
            while not queue and not (pipeline is not None and pipeline.finished):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._condition.wait(remaining)
            data = bytearray()
            while queue and (not data or len(data) + len(queue[0]) <= budget):
                data += queue.popleft()
            done = pipeline is not None and pipeline.finished and not queue
            return bytes(data), done

    def stop(self, command_id: str) -> None:
        """The PowerShell ctrl_c signal: a running pipeline is stopped, a finished one
        stays as it is (*unconfirmed*: fact psrp-wsman, part 2)."""
        with self._condition:
            pipeline = self._pipeline(command_id)
            if pipeline.finished:
                return
            if pipeline.server.state == PSInvocationState.Running:
                pipeline.server.stop()
            pipeline.finished = True
            self._drain()

    def remove(self, command_id: str) -> None:
        with self._condition:
            self._pipeline(command_id)
            self._pipelines.pop(command_id.upper(), None)
            self._outgoing.pop(command_id.upper(), None)

    def _pipeline(self, command_id: str) -> _Pipeline:
        pipeline = self._pipelines.get(command_id.upper())
        if pipeline is None:
            raise PsrpError(f"the runspace pool has no pipeline {command_id}")
        return pipeline

    def _take(self, data: bytes) -> None:
        """Feed fragments to psrpcore and act on the events they complete (lock held)."""
        self._pool.receive_data(PSRPPayload(data, StreamType.default, None))
        while (event := self._pool.next_event()) is not None:
            if isinstance(
                event, CreatePipelineEvent | PipelineInputEvent | EndOfPipelineInputEvent
            ):
                pipeline = self._pipeline(str(event.pipeline_id))
                if isinstance(event, CreatePipelineEvent):
                    pipeline.created = True
                    if event.pipeline.no_input:
                        self._start(pipeline)
                elif isinstance(event, PipelineInputEvent):
                    pipeline.inputs.append(event.data)
                else:
                    self._start(pipeline)
        self._drain()

    def _start(self, pipeline: _Pipeline) -> None:
        if pipeline.started:
            return
        pipeline.started = True
        pipeline.server.start()
        try:
            script = script_of(pipeline.server)
            stdin = input_text(pipeline.inputs)
        except PsrpError as error:
            self._finish(pipeline, _error_result(str(error)))
            return
        threading.Thread(
            target=self._run,
            args=(pipeline, script, stdin),
            name=f"psrp-{pipeline.command_id}",
            daemon=True,
        ).start()

    def _run(self, pipeline: _Pipeline, script: str, stdin: bytes) -> None:
        runner = self._runner
        try:
            if not isinstance(runner, ScriptRunner):
                raise TypeError(f"the runner {type(runner).__name__} runs no PowerShell scripts")
            result = runner.run_script(script, stdin)
        except Exception:  # a broken runner must fail the pipeline loudly
            _log.exception("the command runner failed on a PSRP pipeline")
            result = _error_result(f"lab: the command runner failed:\n{traceback.format_exc()}")
        with self._condition:
            if not pipeline.finished:
                self._finish(pipeline, result)

    def _finish(self, pipeline: _Pipeline, result: CommandResult) -> None:
        """Write the result as the pipeline's output and host calls, then complete it.
        Every failure is a WriteErrorLine (*unconfirmed*: fact psrp-streams)."""
        server = pipeline.server
        for line in result.stdout.decode("utf-8", errors="replace").splitlines():
            server.write_output(line)
        stderr = result.stderr.decode("utf-8", errors="replace").rstrip("\r\n")
        if stderr:
            server.host_call(HostMethodIdentifier.WriteErrorLine, [stderr])
        if result.exit_code != 0:
            server.host_call(HostMethodIdentifier.SetShouldExit, [result.exit_code])
        server.complete()
        pipeline.finished = True
        self._drain()

    def _drain(self) -> None:
        """Move what psrpcore wrote into each target's queue and wake the waiting Receives."""
        while (payload := self._pool.data_to_send(self._fragment_size)) is not None:
            key = str(payload.pipeline_id).upper() if payload.pipeline_id else None
            queue = self._outgoing.get(key)
            if queue is None:
                _log.info("dropping PSRP data for the removed pipeline %s", key)
                continue
            queue.append(payload.data)
        self._condition.notify_all()


def _error_result(message: str) -> CommandResult:
    return CommandResult(stdout=b"", stderr=message.encode("utf-8"), exit_code=1)
