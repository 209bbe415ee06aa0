"""ansible-playbook and ansible runs forked from a process that has imported them already.

The suite runs ansible-playbook well over a thousand times. Each fresh process spends about
1.5 s of CPU importing ansible-core and its libraries and reading its configuration before
it reads a playbook; on a 2-CPU machine that is a large share of the whole test run. A
zygote is a process that has done that once: every run is a fork of it that calls the very
``main()`` the ansible-playbook (or ansible) script calls, in a process of its own with its
own arguments, environment, working directory and standard streams.

What a fork shares with the zygote is what a fresh process would have computed the same way:
ansible-core reads its configuration (``ansible.constants``) at import, from the
configuration file and the environment, so a zygote serves only runs whose configuration
environment (``KEYED``) is the one it imported with; any other run is a fresh process
(``playbook._run`` decides). The one per-process value ansible-core makes at import, its
local temporary directory, is made again in each fork.

A zygote also holds this collection's plugin_utils, imported once: ansible-core's collection
loader compiles a collection's Python from source at every import (it keeps no bytecode),
and every worker process of a run that uses an action or filter plugin would import them
again. A fork finds them imported, as a run's later workers find what its earlier imports
left; the run still configures its own collection loader, which serves every other import.
A run whose playbook has a collections folder beside it could resolve the collection
elsewhere: it gets none of the zygote's imports (``_forget_preloaded``).

Run as a script, this is the zygote: ``python ansible_zygote.py SOCKET``. It serves until its
standard input closes (the test process that started it has gone).
"""

from __future__ import annotations

import atexit
import gc
import importlib
import json
import os
import pkgutil
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The entry points of the scripts a zygote stands in for, as their scripts import them.
ENTRY_POINTS = {"ansible-playbook": "ansible.cli.playbook", "ansible": "ansible.cli.adhoc"}
# The environment ansible-core or the Python runtime reads at import (configuration, locale,
# paths): a run is forked only from a zygote that imported under the same values.
KEYED_PREFIXES = ("ANSIBLE_", "LC_", "PYTHON")
KEYED_NAMES = ("LANG", "HOME", "PATH", "TMPDIR", "USER", "LOGNAME")
PRELOADED_LIBRARIES = ("winrm", "pypsrp.client", "spnego", "requests", "jinja2", "yaml")
BUILTIN_JINJA_PLUGIN_HOSTS = tuple(
    f"ansible.plugins.{kind}.{name}"
    for kind, names in (
        ("filter", ("core", "encryption", "mathstuff", "urls", "urlsplit")),
        ("test", ("core", "files", "mathstuff", "uri")),
    )
    for name in names
)
# The collection's Python that a zygote imports before it serves (every module of it).
PRELOADED_PACKAGE = "ansible_collections.wsfc.clusterdb.plugins.plugin_utils"


def environment_key(env: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(
        sorted(
            (name, value)
            for name, value in env.items()
            if name.startswith(KEYED_PREFIXES) or name in KEYED_NAMES
        )
    )


def _child(request: dict[str, Any]) -> None:
    """In the fork that becomes the run: its own session, streams, environment, arguments."""
    code = 0
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.setsid()
        for fd, (path, flags) in enumerate(
            (
                (request["stdin"], os.O_RDONLY),
                (request["stdout"], os.O_WRONLY | os.O_TRUNC),
                (request["stderr"], os.O_WRONLY | os.O_TRUNC),
            )
        ):
            opened = os.open(path, flags)
            os.dup2(opened, fd)
            os.close(opened)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.argv = [request["argv0"], *request["argv"][1:]]
        _fresh_local_tmp()
        _forget_preloaded(request["argv"][1:])
        module = __import__(ENTRY_POINTS[request["entry"]], fromlist=["main"])
        module.main()
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        try:
            atexit._run_exitfuncs()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)


def _fresh_local_tmp() -> None:
    """ansible-core makes its local temporary directory (ansible-local-<pid>...) when it reads
    its configuration, and removes it at exit: each run gets one of its own, as a fresh
    process would, and the zygote's own is neither used nor removed by a run."""
    from ansible import constants
    from ansible.config.manager import cleanup_tmp_file

    atexit.unregister(cleanup_tmp_file)
    # Its default is a template over the other constants, as ansible.constants renders it.
    constants.DEFAULT_LOCAL_TMP = constants.config.get_config_value(
        "DEFAULT_LOCAL_TMP", variables=vars(constants)
    )


def _preload_collection_code() -> None:
    """Import every module of PRELOADED_PACKAGE through a collection loader of the zygote's
    own, configured from the same collection paths a run reads, then take that loader away:
    a run installs its own (ansible-core refuses to configure a second one over it)."""
    from ansible import constants
    from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder

    paths = constants.COLLECTIONS_PATHS
    finder = _AnsibleCollectionFinder(paths, constants.COLLECTIONS_SCAN_SYS_PATH)
    finder._install()
    try:
        package = importlib.import_module(PRELOADED_PACKAGE)
        for found in pkgutil.iter_modules(package.__path__, PRELOADED_PACKAGE + "."):
            importlib.import_module(found.name)
    except ImportError:
        pass  # not installed on these paths: runs import what they use, as fresh ones do
    finally:
        _AnsibleCollectionFinder._remove()


def _forget_preloaded(arguments: list[str]) -> None:
    """A playbook with a collections folder beside it may hold another copy of the
    collection: such a run imports all of it afresh."""
    for argument in arguments:
        if (Path(argument).parent / "collections").is_dir():
            for name in [n for n in sys.modules if n.startswith("ansible_collections")]:
                del sys.modules[name]
            return


def _serve_one(connection: socket.socket) -> None:
    """In a fork of the zygote: start the run, say its pid, wait for it, say how it ended."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    reader = connection.makefile("r", encoding="utf-8")
    request = json.loads(reader.readline())
    pid = os.fork()
    if pid == 0:
        connection.close()
        _child(request)
    try:
        connection.sendall(json.dumps({"pid": pid}).encode() + b"\n")
    finally:
        # Whether or not the test process still listens (it leaves at its timeout).
        status = os.waitpid(pid, 0)[1]
    connection.sendall(json.dumps({"status": status}).encode() + b"\n")
    connection.close()


def serve(socket_path: str) -> None:
    for module in ENTRY_POINTS.values():
        __import__(module)
    # The libraries the connection plugins import when a run first uses them, and those
    # that ansible-core's own filter and test plugins import: ansible-core loads those
    # plugins in each worker process (under names of its own, so these imports are not
    # them), and each worker would import their libraries again.
    for module in (*PRELOADED_LIBRARIES, *BUILTIN_JINJA_PLUGIN_HOSTS):
        try:
            __import__(module)
        except ImportError:
            pass
    _preload_collection_code()
    # What the zygote imported stays as it is in every fork: the collector need not look at
    # it again in each run (nor touch its pages, which the forks share).
    gc.freeze()
    # Forks that serve a run are reaped by the kernel; each waits for its own run.
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(socket_path)
    listener.listen(16)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    while True:
        readable = select.select([listener, sys.stdin], [], [])[0]
        if sys.stdin in readable and not os.read(sys.stdin.fileno(), 1024):
            return
        if listener in readable:
            connection = listener.accept()[0]
            if os.fork() == 0:
                # A fork never returns to this loop: it ends here, however it went.
                try:
                    listener.close()
                    _serve_one(connection)
                finally:
                    os._exit(0)
            connection.close()


@dataclass(frozen=True)
class Completed:
    returncode: int
    stdout: str
    stderr: str


class Zygote:
    """A started zygote, as the test process sees it: its socket, and a run through it."""

    def __init__(self, env: Mapping[str, str], directory: Path) -> None:
        self.socket_path = str(directory / "zygote.sock")
        self.process = subprocess.Popen(
            [sys.executable, __file__, self.socket_path],
            env=dict(env),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        ready = self.process.stdout.readline().strip()
        if ready != "ready":
            raise RuntimeError(f"the ansible zygote did not start (it said {ready!r})")
        # The runs killed at their timeout (their process ids), as subprocess.run kills
        # ansible-playbook at its own.
        self.killed: list[int] = []

    def run(
        self,
        command: list[str],
        env: Mapping[str, str],
        cwd: Path,
        timeout: float,
        stdin: str | None,
    ) -> Completed:
        """The command, forked from the zygote; as subprocess.run would give it back, and
        subprocess.TimeoutExpired (the run killed) once the timeout has passed."""
        with tempfile.TemporaryDirectory(prefix="ansible-run-") as directory:
            streams = {name: Path(directory) / name for name in ("stdin", "stdout", "stderr")}
            for name, path in streams.items():
                path.write_text(stdin if name == "stdin" and stdin else "", encoding="utf-8")
            request = {
                "entry": command[0],
                "argv0": shutil.which(command[0], path=env.get("PATH")),
                "argv": command,
                "env": dict(env),
                "cwd": str(cwd),
                "stdin": str(streams["stdin"]) if stdin is not None else os.devnull,
                "stdout": str(streams["stdout"]),
                "stderr": str(streams["stderr"]),
            }
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
                connection.connect(self.socket_path)
                connection.sendall(json.dumps(request).encode() + b"\n")
                replies = connection.makefile("r", encoding="utf-8")
                pid = json.loads(replies.readline())["pid"]
                connection.settimeout(timeout)
                try:
                    status = json.loads(replies.readline())["status"]
                except TimeoutError:
                    os.killpg(pid, signal.SIGKILL)
                    self.killed.append(pid)
                    raise subprocess.TimeoutExpired(command, timeout) from None
            return Completed(
                os.waitstatus_to_exitcode(status),
                streams["stdout"].read_text(encoding="utf-8"),
                streams["stderr"].read_text(encoding="utf-8"),
            )

    def stop(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=30)


class Zygotes:
    """The zygotes of this test process, one per configuration environment, started at the
    first run that needs each. WSFC_FRESH_ANSIBLE=1 makes every run a fresh process instead
    (to see that a result does not depend on the zygote)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._started: dict[tuple[tuple[str, str], ...], Zygote] = {}
        self._directory: Path | None = None
        atexit.register(self.stop)

    def for_run(self, command: list[str], env: Mapping[str, str]) -> Zygote | None:
        """The zygote that can run the command, None when it must be a fresh process: another
        program, or ansible-core from another environment than this interpreter's."""
        if os.environ.get("WSFC_FRESH_ANSIBLE") == "1" or command[0] not in ENTRY_POINTS:
            return None
        script = shutil.which(command[0], path=env.get("PATH"))
        if script is None or Path(script).parent != Path(sys.executable).parent:
            return None
        key = environment_key(env)
        with self._lock:
            if key not in self._started:
                if self._directory is None:
                    self._directory = Path(tempfile.mkdtemp(prefix="ansible-zygotes-"))
                directory = self._directory / str(len(self._started))
                directory.mkdir()
                self._started[key] = Zygote(env, directory)
            return self._started[key]

    def stop(self) -> None:
        for zygote in self._started.values():
            zygote.stop()
        self._started.clear()
        if self._directory is not None:
            shutil.rmtree(self._directory, ignore_errors=True)


if __name__ == "__main__":
    serve(sys.argv[1])
